"""The switch that turns smart charging of a car on or off."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import smart_chargers
from .entity import SmartEntity

SMART_CHARGING = SwitchEntityDescription(
    key="smart_charging", translation_key="smart_charging"
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry[object],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up each car's smart charging switch."""
    async_add_entities(
        SmartChargingSwitch(smart, SMART_CHARGING) for smart in smart_chargers(entry)
    )


class SmartChargingSwitch(SmartEntity, SwitchEntity):
    """On: the plan drives the charge. Off: we never touch it."""

    @property
    def is_on(self) -> bool:
        """Return whether smart charging is on."""
        return self.smart.settings.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let the plan drive the charge."""
        await self.smart.async_set_enabled(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Leave the charge alone."""
        await self.smart.async_set_enabled(False)
