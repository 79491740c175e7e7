"""Binary sensors of a Renault account, on each of its cars."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import RenaultConfigEntry
from .entity import RenaultEntity

THROTTLED = BinarySensorEntityDescription(
    key="cloud_throttled",
    translation_key="renault_cloud_throttled",
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RenaultConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up each car's view of the account's quota."""
    async_add_entities(
        RenaultThrottledSensor(coordinator, THROTTLED)
        for coordinator in entry.runtime_data.coordinators.values()
    )


class RenaultThrottledSensor(RenaultEntity, BinarySensorEntity):
    """On while the Renault cloud refuses the account's calls."""

    @property
    def is_on(self) -> bool:
        """Return whether polling is paused by a quota error."""
        return self.coordinator.account.throttled()
