"""A Wallbox Quasar as smart charging sees it: live readings and an immediate start/stop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from homeassistant.core import CALLBACK_TYPE
from homeassistant.util import dt as dt_util

from ..control.owner import Controller, DeviceOwner
from ..drivers.models import ChargerStatus
from ..policy.limiter import CHARGER_LATENCY_S, CHARGER_STALE_AFTER_S
from .coordinator import QuasarCoordinator


class QuasarChargerLink:
    """The charger a car is linked to, through its coordinator and its owner."""

    latency_s = CHARGER_LATENCY_S
    stale_after_s = CHARGER_STALE_AFTER_S

    def __init__(self, coordinator: QuasarCoordinator) -> None:
        """Wrap a charger's coordinator."""
        self.coordinator = coordinator

    @property
    def title(self) -> str:
        """Return the charger's entry title."""
        return self.coordinator.config_entry.title

    @property
    def owner(self) -> DeviceOwner:
        """Return the owner of the charger's commands."""
        return self.coordinator.owner

    def _fresh(self) -> bool:
        data = self.coordinator.data
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

    async def async_set_charging(
        self, on: bool, *, controller: Controller, reason: str
    ) -> None:
        """Start or pause the charger for an automatic controller."""
        await self.coordinator.async_set_charging(
            on, controller=controller, reason=reason
        )

    async def async_release(self, controller: Controller) -> None:
        """Hand the charger back to the Wallbox app, if ``controller`` holds it."""
        await self.coordinator.async_release(controller)

    def hand_over(self, held_by: Controller, to: Controller) -> None:
        """Let ``to`` hold what ``held_by`` holds; nothing is sent to the charger."""
        self.coordinator.hand_over(held_by, to)

    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every reading of the charger."""
        return self.coordinator.async_add_listener(update)
