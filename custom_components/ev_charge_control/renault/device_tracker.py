"""Where a Renault or Dacia car last said it was."""

from __future__ import annotations

from homeassistant.components.device_tracker.entity import (
    TrackerEntity,
    TrackerEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.renault import PART_LOCATION
from .coordinator import RenaultConfigEntry
from .entity import RenaultEntity

LOCATION = TrackerEntityDescription(key="location", translation_key="renault_location")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RenaultConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the tracker of the cars that report their position."""
    async_add_entities(
        RenaultTracker(coordinator, LOCATION)
        for coordinator in entry.runtime_data.coordinators.values()
        if PART_LOCATION in coordinator.capabilities
    )


class RenaultTracker(RenaultEntity, TrackerEntity):
    """The car's last reported position."""

    @property
    def latitude(self) -> float | None:
        """Return the latitude."""
        reading = self.coordinator.data.location
        return None if reading is None else reading.value.latitude

    @property
    def longitude(self) -> float | None:
        """Return the longitude."""
        reading = self.coordinator.data.location
        return None if reading is None else reading.value.longitude
