"""Selects of a Wallbox Quasar: who controls it."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.models import ControlMode
from .coordinator import QuasarConfigEntry
from .entity import QuasarEntity

CONTROL_WALLBOX_APP = "wallbox_app"
CONTROL_HOME_ASSISTANT = "home_assistant"

CONTROL = SelectEntityDescription(
    key="control",
    translation_key="control",
    options=[CONTROL_WALLBOX_APP, CONTROL_HOME_ASSISTANT],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QuasarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the Quasar's selects."""
    async_add_entities([QuasarControlSelect(entry, CONTROL)])


class QuasarControlSelect(QuasarEntity, SelectEntity):
    """Whether the Wallbox app or Home Assistant drives the charger."""

    @property
    def current_option(self) -> str:
        """Return who has control, as the charger reports it."""
        if self.coordinator.data.state.control is ControlMode.REMOTE:
            return CONTROL_HOME_ASSISTANT
        return CONTROL_WALLBOX_APP

    async def async_select_option(self, option: str) -> None:
        """Hand control over."""
        await self.coordinator.async_set_control(option == CONTROL_HOME_ASSISTANT)
