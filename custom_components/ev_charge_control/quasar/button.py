"""Buttons of a Wallbox Quasar."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import QuasarConfigEntry
from .entity import QuasarEntity

REBOOT = ButtonEntityDescription(
    key="reboot",
    device_class=ButtonDeviceClass.RESTART,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QuasarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the Quasar's buttons."""
    async_add_entities([QuasarRebootButton(entry, REBOOT)])


class QuasarRebootButton(QuasarEntity, ButtonEntity):
    """Reboots the charger, at most once per cooldown."""

    async def async_press(self) -> None:
        """Reboot the charger."""
        await self.coordinator.async_reboot()
