"""The door lock of a car behind a psa_car_controller server, where it has one."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PsaccConfigEntry
from .entity import PsaccEntity

DOORS = LockEntityDescription(key="doors", translation_key="psacc_doors")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a lock for every car that reports its doors."""
    async_add_entities(
        PsaccLock(coordinator, DOORS)
        for coordinator in entry.runtime_data.coordinators.values()
        if coordinator.has("lock")
    )


class PsaccLock(PsaccEntity, LockEntity):
    """The car's doors."""

    @property
    def is_locked(self) -> bool | None:
        """Return what was asked, until the car reports, else what it reported."""
        locked = self.coordinator.data.state.locked
        return self.coordinator.expected(
            "locked", None if locked is None else locked.value
        )

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the doors."""
        await self.coordinator.async_set_locked(True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the doors."""
        await self.coordinator.async_set_locked(False)
