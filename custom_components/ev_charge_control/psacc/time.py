"""The server's daily stop hour of a car: psa_car_controller stops the charge then."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PsaccConfigEntry
from .entity import PsaccEntity

STOP_HOUR = TimeEntityDescription(
    key="stop_hour",
    translation_key="psacc_stop_hour",
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the stop hour of every car the server's charge control has."""
    async_add_entities(
        PsaccStopHour(coordinator, STOP_HOUR)
        for coordinator in entry.runtime_data.coordinators.values()
        if coordinator.has("charge_control")
    )


class PsaccStopHour(PsaccEntity, TimeEntity):
    """When the server stops the charge every day; 00:00 is never, as it reads it."""

    @property
    def native_value(self) -> time | None:
        """Return the stop hour (00:00 when there is none)."""
        control = self.coordinator.data.charge_control
        if control is None:
            return None
        return control.stop_hour or time(0, 0)

    async def async_set_value(self, value: time) -> None:
        """Set the stop hour; 00:00 removes it."""
        await self.coordinator.async_set_stop_hour(value)
