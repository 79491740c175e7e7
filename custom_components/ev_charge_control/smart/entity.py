"""The base entity of smart charging: a setting or a reading of the plan, on the car."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription

from ..const import DOMAIN
from .controller import SmartCharger


class SmartEntity(Entity):
    """An entity of a car's smart charging; it changes when the plan does."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, smart: SmartCharger, description: EntityDescription) -> None:
        """Attach the entity to the car's device (its cloud's entities made it)."""
        self.smart = smart
        self.entity_description = description
        self._attr_unique_id = f"{smart.vin}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, smart.vin)})

    async def async_added_to_hass(self) -> None:
        """Follow the plan."""
        await super().async_added_to_hass()
        self.async_on_remove(self.smart.add_listener(self.async_write_ha_state))
