"""The base entity of smart charging: a setting or a reading of the plan, on the car."""

from __future__ import annotations

from homeassistant.helpers.entity import Entity, EntityDescription

from .controller import SmartCharger


class SmartEntity(Entity):
    """An entity of a car's smart charging; it changes when the plan does."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, smart: SmartCharger, description: EntityDescription) -> None:
        """Attach the entity to the car's device, named in full.

        Platforms are set up concurrently: a smart charging entity may be the first
        of the car's to reach the device registry, and creates the device then.
        """
        self.smart = smart
        self.entity_description = description
        self._attr_unique_id = f"{smart.vin}_{description.key}"
        self._attr_device_info = smart.car.device_info

    async def async_added_to_hass(self) -> None:
        """Follow the plan."""
        await super().async_added_to_hass()
        self.async_on_remove(self.smart.add_listener(self.async_write_ha_state))
