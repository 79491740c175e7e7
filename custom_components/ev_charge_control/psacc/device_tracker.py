"""Where a car behind a psa_car_controller server last said it was."""

from __future__ import annotations

from homeassistant.components.device_tracker.entity import (
    TrackerEntity,
    TrackerEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PsaccConfigEntry
from .entity import PsaccEntity

LOCATION = TrackerEntityDescription(key="location", translation_key="psacc_location")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a tracker for every car that reports its position."""
    async_add_entities(
        PsaccTracker(coordinator, LOCATION)
        for coordinator in entry.runtime_data.coordinators.values()
        if coordinator.has("location")
    )


class PsaccTracker(PsaccEntity, TrackerEntity):
    """The car's last reported position."""

    @property
    def latitude(self) -> float | None:
        """Return the latitude."""
        location = self.coordinator.data.state.location
        return None if location is None else location.value.latitude

    @property
    def longitude(self) -> float | None:
        """Return the longitude."""
        location = self.coordinator.data.state.location
        return None if location is None else location.value.longitude
