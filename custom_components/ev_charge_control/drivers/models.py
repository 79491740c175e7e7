"""Snapshots and errors shared by every driver.

Nothing here imports Home Assistant: a driver could leave for its own package tomorrow.
Every snapshot carries the time it is true for (``as_of``), because the policy must never
act on a value older than its staleness bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum


class DriverError(Exception):
    """Base class of every error a driver raises."""


class DeviceUnreachableError(DriverError):
    """The device did not answer: connection refused, dropped or timed out."""


class DeviceProtocolError(DriverError):
    """The device answered, but with an error (a Modbus exception reply, a bad body)."""


class CommandNotVerifiedError(DriverError):
    """A write was accepted but reading it back gave another value."""

    def __init__(self, what: str, wanted: int, got: int) -> None:
        super().__init__(f"{what}: wrote {wanted}, read back {got}")
        self.what = what
        self.wanted = wanted
        self.got = got


class ChargerStatus(IntEnum):
    """The Quasar's state register (0x0219)."""

    NO_CAR = 0
    CHARGING = 1
    WAITING_FOR_DEMAND = 2
    WAITING_FOR_SCHEDULE = 3
    PAUSED = 4
    END_OF_SCHEDULE = 5
    NO_CAR_LOCKED = 6
    ERROR = 7
    QUEUE_POWER_SHARING = 8
    POWER_SHARING_UNCONFIGURED = 9
    QUEUE_POWER_BOOST = 10
    DISCHARGING = 11


class ControlMode(StrEnum):
    """Who drives the charger: the Wallbox app (user) or us over Modbus (remote)."""

    USER = "user"
    REMOTE = "remote"


@dataclass(frozen=True, kw_only=True, slots=True)
class ChargerIdentity:
    """What identifies a charger: read once before an entry is created."""

    serial: str
    firmware: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ChargerState:
    """One complete reading of a charger, true at ``as_of`` (UTC)."""

    as_of: datetime
    status: ChargerStatus
    control: ControlMode
    autostart: bool
    idle_timeout_s: int
    locked: bool
    # Signed: a negative setpoint or current means discharging the car into the house.
    current_setpoint_a: int
    max_available_current_a: int
    max_available_power_w: int
    current_a: int
    voltage_v: int
    power_w: int
    # The Quasar reports the car's SoC only while power flows; None otherwise.
    car_soc_pct: int | None
    error_codes: tuple[int, int, int, int]

    @property
    def car_connected(self) -> bool:
        """Whether a car is plugged in."""
        return self.status not in (ChargerStatus.NO_CAR, ChargerStatus.NO_CAR_LOCKED)
