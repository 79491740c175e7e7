"""What smart charging needs from a car's cloud and from the charger it is plugged into.

Each kind of car (renault/, psacc/) provides a :class:`CarLink` per car; the charger is
reached through its Quasar entry. Smart charging never talks to a driver directly, so
it works the same for every cloud, and every command goes through the coordinator that
already translates errors, spends the call budget and refreshes after a command.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, DeviceKind
from ..drivers.models import ChargerStatus, VehicleInfo, VehicleState
from ..policy.limiter import CHARGER_LATENCY_S, CHARGER_STALE_AFTER_S
from ..quasar.coordinator import QuasarCoordinator


class CarLink(Protocol):
    """One car, as the cloud that reaches it lets smart charging see and drive it."""

    @property
    def info(self) -> VehicleInfo:
        """Return what identifies the car."""

    @property
    def device_info(self) -> DeviceInfo:
        """Return the car's whole device, as the car's own entities give it."""

    @property
    def latency_s(self) -> float:
        """Return how long a cloud stop takes to stop the charge."""

    def vehicle_state(self) -> VehicleState | None:
        """Return the newest state the cloud gave, or None before the first."""

    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every poll; return what stops it."""

    def can_start_stop(self) -> bool:
        """Return whether the cloud can start and stop this car's charge."""

    async def async_set_charging(self, on: bool) -> None:
        """Start or stop the charge through the cloud."""

    def own_limit(self) -> OwnLimit | None:
        """Return the car's own charge levels, if it has them."""

    def schedule_hold(self) -> ScheduleHold | None:
        """Return the car's charge schedule as a way to hold a charge, if it has one."""


class OwnLimit(Protocol):
    """A car's own floor and limit, which the car holds without us."""

    def levels_for(self, limit_pct: int, floor_pct: int) -> tuple[int, int] | None:
        """Return the (floor, limit) the car can hold for ours, or None if it cannot."""

    async def async_set(self, floor_pct: int, limit_pct: int) -> None:
        """Set the car's own floor and limit."""


class ScheduleHold(Protocol):
    """The last resort: a charge schedule whose only window lies in the past.

    The car then waits for that window instead of charging. Holding and releasing
    overwrite the owner's charge mode and schedules: read them first, to put back.
    """

    async def async_read(self) -> dict[str, Any]:
        """Return the car's charge mode and schedules as they are."""

    async def async_hold(self, now: datetime) -> None:
        """Hold the charge."""

    async def async_release(self) -> None:
        """Let the car charge at once."""

    async def async_restore(self, saved: dict[str, Any]) -> None:
        """Put back charge settings returned earlier."""


def quasar_coordinators(
    hass: HomeAssistant,
) -> dict[str, tuple[str, QuasarCoordinator]]:
    """Return the loaded chargers: entry id -> (title, coordinator)."""
    found: dict[str, tuple[str, QuasarCoordinator]] = {}
    for entry in hass.config_entries.async_entries(DOMAIN):
        if (
            entry.data.get("kind") == DeviceKind.QUASAR
            and entry.state is ConfigEntryState.LOADED
        ):
            found[entry.entry_id] = (entry.title, entry.runtime_data.coordinator)
    return found


class ChargerLink:
    """The charger a car is linked to: its live readings and its immediate start/stop."""

    latency_s = CHARGER_LATENCY_S
    stale_after_s = CHARGER_STALE_AFTER_S

    def __init__(self, coordinator: QuasarCoordinator) -> None:
        """Wrap a charger's coordinator."""
        self.coordinator = coordinator

    def _fresh(self) -> bool:
        data: Any = self.coordinator.data
        return (
            self.coordinator.last_update_success
            and data is not None
            and (dt_util.utcnow() - data.state.as_of).total_seconds()
            < self.stale_after_s
        )

    def car_connected(self) -> bool | None:
        """Return whether a car is plugged into the charger; None if unknown."""
        return self.coordinator.data.state.car_connected if self._fresh() else None

    def charging(self) -> bool | None:
        """Return whether the charger is charging; None if unknown."""
        if not self._fresh():
            return None
        return self.coordinator.data.state.status is ChargerStatus.CHARGING

    def soc(self) -> tuple[float, datetime, float | None] | None:
        """Return the car's SoC as the charger reads it, its time and the power now."""
        if not self._fresh():
            return None
        state = self.coordinator.data.state
        if state.car_soc_pct is None:
            return None
        # A paused session draws nothing: no power to extrapolate with.
        return float(state.car_soc_pct), state.as_of, self.power_kw() or None

    def power_kw(self) -> float | None:
        """Return the power flowing into the car now, if it charges."""
        if self.charging():
            return max(0.0, self.coordinator.data.state.power_w / 1000)
        return None

    async def async_set_charging(self, on: bool) -> None:
        """Start or pause the charger (read back by the coordinator)."""
        await self.coordinator.async_set_charging(on)

    async def async_give_back(self) -> None:
        """Hand the charger back to the Wallbox app."""
        await self.coordinator.async_give_back()

    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every reading of the charger."""
        return self.coordinator.async_add_listener(update)
