"""What the owner set for each car, and what was learned, kept across restarts.

The settings entities and the actions both write here; a restart finds the same limit,
floor, windows, ready-by, source, linked charger, "charge now" and learned capacity,
so a charge that was running resumes the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, STORAGE_VERSION
from ..policy.limiter import CapacityLearner
from ..policy.planner import OffPeakWindow
from ..policy.smart_charging import ChargeNow, OffPeakSource

DEFAULT_LIMIT_PCT = 80
DEFAULT_FLOOR_PCT = 20
# Most people leave for work around then; the plan only uses it to decide whether the
# off-peak hours before it are enough.
DEFAULT_READY_BY = time(7, 0)
# Saving is delayed a little so a slider dragged across values writes once.
SAVE_DELAY_S = 2


class CommandOutcome(StrEnum):
    """What became of the last command smart charging sent."""

    SENT = "sent"
    VERIFIED = "verified"
    NOT_VERIFIED = "not_verified"
    FAILED = "failed"


class CommandKind(StrEnum):
    """The last command, and the layer that carried it."""

    START_CHARGER = "start_charger"
    STOP_CHARGER = "stop_charger"
    START_CLOUD = "start_cloud"
    STOP_CLOUD = "stop_cloud"
    SET_CAR_LIMIT = "set_car_limit"
    HOLD_SCHEDULE = "hold_schedule"
    RELEASE_SCHEDULE = "release_schedule"


@dataclass(kw_only=True, slots=True)
class LastCommand:
    """A command, when it was sent, why, and what became of it."""

    kind: CommandKind
    sent_at: datetime
    outcome: CommandOutcome
    reason: str
    # A stop that ended a charge the car was running by itself (not one we started):
    # only such a charge is started again when smart charging lets go.
    took_charge: bool = False

    @property
    def start(self) -> bool:
        """Return whether it asked the charge to run."""
        return self.kind in (
            CommandKind.START_CHARGER,
            CommandKind.START_CLOUD,
            CommandKind.RELEASE_SCHEDULE,
        )

    def as_dict(self) -> dict[str, Any]:
        """Return it as stored."""
        return {
            "kind": self.kind.value,
            # In UTC, as every other time of the plan.
            "sent_at": dt_util.as_utc(self.sent_at).isoformat(),
            "outcome": self.outcome.value,
            "reason": self.reason,
            "took_charge": self.took_charge,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LastCommand:
        """Return it from storage."""
        sent_at = dt_util.parse_datetime(data["sent_at"])
        assert sent_at is not None
        return cls(
            kind=CommandKind(data["kind"]),
            sent_at=sent_at,
            outcome=CommandOutcome(data["outcome"]),
            reason=data["reason"],
            took_charge=bool(data.get("took_charge", False)),
        )


@dataclass(kw_only=True, slots=True)
class CarSettings:
    """One car's settings and what smart charging learned about it."""

    enabled: bool = False
    limit_pct: int = DEFAULT_LIMIT_PCT
    floor_pct: int = DEFAULT_FLOOR_PCT
    ready_by: time = DEFAULT_READY_BY
    source: OffPeakSource = OffPeakSource.ANY_TIME
    price_entity_id: str | None = None
    windows: tuple[OffPeakWindow, ...] = ()
    charge_now: ChargeNow | None = None
    linked_charger: str | None = None
    capacity: CapacityLearner = field(default_factory=CapacityLearner)
    charge_power_kw: float | None = None
    last_command: LastCommand | None = None
    # The car's charge mode and schedules as the owner had them before a schedule of
    # ours held the charge; put back when smart charging is turned off.
    owner_schedule: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as stored."""
        return {
            "enabled": self.enabled,
            "limit_pct": self.limit_pct,
            "floor_pct": self.floor_pct,
            "ready_by": self.ready_by.isoformat(),
            "source": self.source,
            "price_entity_id": self.price_entity_id,
            "windows": [window.as_dict() for window in self.windows],
            "charge_now": (
                None
                if self.charge_now is None
                else {
                    "until": (
                        None
                        if self.charge_now.until is None
                        else self.charge_now.until.isoformat()
                    )
                }
            ),
            "linked_charger": self.linked_charger,
            "capacity": self.capacity.as_dict(),
            "charge_power_kw": self.charge_power_kw,
            "last_command": (
                None if self.last_command is None else self.last_command.as_dict()
            ),
            "owner_schedule": self.owner_schedule,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CarSettings:
        """Return settings from storage; what is missing takes its default."""
        settings = cls()
        settings.enabled = bool(data.get("enabled", settings.enabled))
        settings.limit_pct = int(data.get("limit_pct", settings.limit_pct))
        settings.floor_pct = int(data.get("floor_pct", settings.floor_pct))
        if (ready_by := data.get("ready_by")) is not None:
            settings.ready_by = time.fromisoformat(ready_by)
        settings.source = OffPeakSource(data.get("source", settings.source))
        settings.price_entity_id = data.get("price_entity_id")
        settings.windows = tuple(
            OffPeakWindow.from_dict(window) for window in data.get("windows", ())
        )
        if (charge_now := data.get("charge_now")) is not None:
            until = charge_now.get("until")
            settings.charge_now = ChargeNow(
                until=None if until is None else dt_util.parse_datetime(until)
            )
        settings.linked_charger = data.get("linked_charger")
        if (capacity := data.get("capacity")) is not None:
            settings.capacity = CapacityLearner.from_dict(capacity)
        settings.charge_power_kw = data.get("charge_power_kw")
        if (last := data.get("last_command")) is not None:
            settings.last_command = LastCommand.from_dict(last)
        settings.owner_schedule = data.get("owner_schedule")
        return settings


class SettingsStore:
    """The settings of every car of one config entry, in one file."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store of an entry."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.smart.{entry_id}"
        )
        self.cars: dict[str, CarSettings] = {}

    async def async_load(self) -> None:
        """Read what was saved."""
        data = await self._store.async_load() or {}
        self.cars = {vin: CarSettings.from_dict(car) for vin, car in data.items()}

    def car(self, vin: str) -> CarSettings:
        """Return a car's settings, with defaults the first time."""
        return self.cars.setdefault(vin, CarSettings())

    def async_save_soon(self) -> None:
        """Save shortly, once for a burst of changes."""
        self._store.async_delay_save(self._data, SAVE_DELAY_S)

    async def async_save(self) -> None:
        """Save now (on unload)."""
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Forget everything (the entry was removed)."""
        await self._store.async_remove()

    def _data(self) -> dict[str, Any]:
        return {vin: car.as_dict() for vin, car in self.cars.items()}
