"""A Renault or Dacia car as smart charging sees it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE
from homeassistant.helpers.device_registry import DeviceInfo
from renault_api.const import (
    MAX_SOC_MIN,
    MAX_SOC_TARGET,
    MIN_SOC_MIN,
    MIN_SOC_TARGET,
    SOC_STEP,
)

from ..control.owner import Controller, DeviceOwner
from ..drivers.models import VehicleInfo, VehicleState
from ..drivers.renault import (
    CAP_CHARGE_START,
    CAP_CHARGE_STOP,
    CAP_CHARGING_SETTINGS,
    CAP_SET_CHARGE_MODE,
    CAP_SET_CHARGE_SCHEDULE,
    PART_SOC_LEVELS,
    ChargeSettings,
)
from ..policy.limiter import CLOUD_LATENCY_S
from .coordinator import RenaultVehicleCoordinator

# What holding a charge by schedule takes: read the owner's settings, write ours.
SCHEDULE_HOLD_NEEDS = frozenset(
    {CAP_CHARGING_SETTINGS, CAP_SET_CHARGE_SCHEDULE, CAP_SET_CHARGE_MODE}
)


class RenaultCarLink:
    """Smart charging's view of one car of a Renault account."""

    latency_s = CLOUD_LATENCY_S

    def __init__(self, coordinator: RenaultVehicleCoordinator) -> None:
        """Wrap the car's coordinator."""
        self.coordinator = coordinator

    @property
    def info(self) -> VehicleInfo:
        """Return what identifies the car."""
        return self.coordinator.info

    @property
    def owner(self) -> DeviceOwner:
        """Return the owner of the car's commands."""
        return self.coordinator.owner

    @property
    def device_info(self) -> DeviceInfo:
        """Return the car's device."""
        return self.coordinator.device_info

    def vehicle_state(self) -> VehicleState | None:
        """Return the car's newest state."""
        return self.coordinator.data

    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every poll."""
        return self.coordinator.async_add_listener(update)

    def can_start_stop(self) -> bool:
        """Return whether the cloud can both start and stop this car's charge."""
        capabilities = self.coordinator.capabilities
        return CAP_CHARGE_START in capabilities and CAP_CHARGE_STOP in capabilities

    async def async_set_charging(
        self, on: bool, *, controller: Controller, reason: str
    ) -> None:
        """Start or stop the charge through the cloud, for ``controller``."""
        await self.coordinator.async_set_charging(
            on, controller=controller, reason=reason
        )

    def own_limit(self) -> RenaultOwnLimit | None:
        """Return the car's own levels, on models that have them."""
        if PART_SOC_LEVELS not in self.coordinator.capabilities:
            return None
        return RenaultOwnLimit(self.coordinator)

    def schedule_hold(self) -> RenaultScheduleHold | None:
        """Return the charge schedule as a hold, on models that take mode and schedules."""
        if not SCHEDULE_HOLD_NEEDS.issubset(self.coordinator.capabilities):
            return None
        return RenaultScheduleHold(self.coordinator)


class RenaultScheduleHold:
    """A charge held by a schedule in the past, and the owner's settings put back."""

    def __init__(self, coordinator: RenaultVehicleCoordinator) -> None:
        """Wrap the car's coordinator."""
        self.coordinator = coordinator

    async def async_read(self) -> dict[str, Any]:
        """Return the car's charge mode and schedules as they are."""
        vin = self.coordinator.vin
        settings = await self.coordinator.async_command(
            lambda client: client.charge_settings(vin)
        )
        return settings.as_dict()

    async def async_hold(self, now: datetime) -> None:
        """Hold the charge."""
        vin = self.coordinator.vin
        await self.coordinator.async_command(
            lambda client: client.hold_by_schedule(vin, now)
        )

    async def async_release(self) -> None:
        """Let the car charge at once."""
        vin = self.coordinator.vin
        await self.coordinator.async_command(
            lambda client: client.release_schedule(vin)
        )

    async def async_restore(self, saved: dict[str, Any]) -> None:
        """Put back the owner's charge mode and schedules."""
        vin = self.coordinator.vin
        settings = ChargeSettings.from_dict(saved)
        await self.coordinator.async_command(
            lambda client: client.restore_charge_settings(vin, settings)
        )


class RenaultOwnLimit:
    """The car's own minimum and target levels (socMin, socTarget)."""

    def __init__(self, coordinator: RenaultVehicleCoordinator) -> None:
        """Wrap the car's coordinator."""
        self.coordinator = coordinator

    def levels_for(self, limit_pct: int, floor_pct: int) -> tuple[int, int] | None:
        """Return the car's levels nearest ours and never above: its step at or below.

        The car takes levels in steps of 5, its floor only a few of them: ours are
        rounded down into its ranges (the car charging a little less at once is
        harmless; the plan still lifts it to our floor). None below its lowest limit.
        """
        target = min(MAX_SOC_TARGET, limit_pct - limit_pct % SOC_STEP)
        if target < MIN_SOC_TARGET:
            return None
        floor = min(MAX_SOC_MIN, max(MIN_SOC_MIN, floor_pct - floor_pct % SOC_STEP))
        return floor, target

    async def async_set(self, floor_pct: int, limit_pct: int) -> None:
        """Set the car's own floor and limit."""
        vin = self.coordinator.vin
        await self.coordinator.async_command(
            lambda client: client.set_soc_levels(vin, floor_pct, limit_pct),
            refresh_parts=frozenset({PART_SOC_LEVELS}),
        )
