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
    # None for a state this code does not know (newer firmware); status_code has it.
    status: ChargerStatus | None
    status_code: int
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
    def car_connected(self) -> bool | None:
        """Whether a car is plugged in; None while the state is unknown."""
        if self.status is None:
            return None
        return self.status not in (ChargerStatus.NO_CAR, ChargerStatus.NO_CAR_LOCKED)


# --- Cars ------------------------------------------------------------------------------


class AuthError(DriverError):
    """The account refused our credentials or token: the user must sign in again."""


class TwoFactorRequiredError(AuthError):
    """The account asks for a code sent by e-mail before it lets us in."""


class QuotaExceededError(DriverError):
    """The cloud says we called too often; polling must pause.

    ``retry_after_s`` is how long to wait when the cloud says so, else None.
    """

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotSupportedError(DriverError):
    """The car's model has no such endpoint or command; never ask it again."""


class CommandRejectedError(DriverError):
    """The cloud or the car refused a command (privacy mode, battery too low, ...)."""


class PlugState(StrEnum):
    """Whether a charging cable is in the car."""

    UNPLUGGED = "unplugged"
    PLUGGED = "plugged"
    PLUG_ERROR = "plug_error"
    UNKNOWN = "unknown"


class ChargeState(StrEnum):
    """What the car says its charge is doing, across brands."""

    NOT_CHARGING = "not_charging"
    WAITING_FOR_SCHEDULE = "waiting_for_schedule"
    CHARGE_ENDED = "charge_ended"
    WAITING_FOR_CURRENT = "waiting_for_current"
    FLAP_OPEN = "flap_open"
    CHARGING = "charging"
    DISCHARGING = "discharging"
    CHARGE_ERROR = "charge_error"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True, slots=True)
class Reading[T]:
    """One value and the time the car measured it (not when we asked)."""

    value: T
    as_of: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class Position:
    """Where the car last said it was (WGS 84)."""

    latitude: float
    longitude: float


@dataclass(frozen=True, kw_only=True, slots=True)
class VehicleInfo:
    """What identifies a car: read once, when its account is set up.

    ``capabilities`` names what this model supports, in the driver's own words
    (for example "charge_stop", "soc_levels", "hvac", "location", "horn"); the
    integration creates an entity only where its capability is there.
    """

    vin: str
    brand: str
    model: str
    name: str
    battery_capacity_kwh: float | None = None
    capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True, slots=True)
class VehicleState:
    """Everything a car's cloud last told us; each value carries its own time.

    A value the model does not report is None; a value the cloud did not send in
    the last poll keeps its older Reading, so its age stays visible.
    """

    vin: str
    battery_level_pct: Reading[float] | None = None
    range_km: Reading[float] | None = None
    available_energy_kwh: Reading[float] | None = None
    battery_temperature_c: Reading[float] | None = None
    battery_health_pct: Reading[float] | None = None
    plug: Reading[PlugState] | None = None
    charge: Reading[ChargeState] | None = None
    charging_power_kw: Reading[float] | None = None
    charging_rate_kmh: Reading[float] | None = None
    time_to_full_min: Reading[int] | None = None
    charge_mode: Reading[str] | None = None
    soc_min_pct: Reading[int] | None = None
    soc_target_pct: Reading[int] | None = None
    mileage_km: Reading[float] | None = None
    outside_temperature_c: Reading[float] | None = None
    hvac_on: Reading[bool] | None = None
    location: Reading[Position] | None = None
    locked: Reading[bool] | None = None
