"""The time a car must be ready by."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import smart_chargers
from .entity import SmartEntity

READY_BY = TimeEntityDescription(
    key="ready_by",
    translation_key="smart_ready_by",
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry[object],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up each car's ready-by time."""
    async_add_entities(SmartReadyBy(smart, READY_BY) for smart in smart_chargers(entry))


class SmartReadyBy(SmartEntity, TimeEntity):
    """When the car must have reached its limit (the plan charges outside off-peak if needed)."""

    @property
    def native_value(self) -> time:
        """Return the time."""
        return self.smart.settings.ready_by

    async def async_set_value(self, value: time) -> None:
        """Set the time."""
        await self.smart.async_set_ready_by(value)
