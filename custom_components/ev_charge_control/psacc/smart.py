"""A Peugeot, Citroën, DS, Opel or Vauxhall car as smart charging sees it."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import CALLBACK_TYPE
from homeassistant.helpers.device_registry import DeviceInfo

from ..control.owner import Controller, DeviceOwner
from ..drivers.models import VehicleInfo, VehicleState
from ..policy.limiter import CLOUD_LATENCY_S
from .coordinator import PsaccCoordinator


class PsaccCarLink:
    """Smart charging's view of one car of a psa_car_controller server."""

    latency_s = CLOUD_LATENCY_S

    def __init__(self, coordinator: PsaccCoordinator) -> None:
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

    def schedule_hold(self) -> None:
        """Return None: the server starts and stops the charge itself."""

    def vehicle_state(self) -> VehicleState | None:
        """Return the car's newest state, as the server has it."""
        data = self.coordinator.data
        return None if data is None else data.state

    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every read."""
        return self.coordinator.async_add_listener(update)

    def can_start_stop(self) -> bool:
        """Return True: the server starts and stops every car's charge."""
        return True

    async def async_set_charging(
        self, on: bool, *, controller: Controller, reason: str
    ) -> None:
        """Start or stop the charge through the server, for ``controller``."""
        await self.coordinator.async_set_charging(
            on, controller=controller, reason=reason
        )

    def own_limit(self) -> None:
        """Return None: the server's threshold is a poll of the car like any other.

        It stops the charge only once a report shows the threshold passed, which is
        what our own stop, sent ahead of the limit, does better; the server's threshold
        stays the owner's to set.
        """
        return
