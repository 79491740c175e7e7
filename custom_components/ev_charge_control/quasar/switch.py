"""Switches of a Wallbox Quasar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.models import ChargerStatus
from .coordinator import QuasarConfigEntry, QuasarCoordinator, QuasarData
from .entity import QuasarEntity


@dataclass(frozen=True, kw_only=True)
class QuasarSwitchEntityDescription(SwitchEntityDescription):
    """Describes a switch of a Wallbox Quasar."""

    is_on_fn: Callable[[QuasarData], bool]
    set_fn: Callable[[QuasarCoordinator, bool], Awaitable[None]]


SWITCHES: tuple[QuasarSwitchEntityDescription, ...] = (
    QuasarSwitchEntityDescription(
        key="charging",
        translation_key="charging",
        is_on_fn=lambda data: data.state.status is ChargerStatus.CHARGING,
        set_fn=lambda coordinator, on: coordinator.async_set_charging(on),
    ),
    QuasarSwitchEntityDescription(
        key="lock",
        translation_key="lock",
        entity_category=EntityCategory.CONFIG,
        is_on_fn=lambda data: data.state.locked,
        set_fn=lambda coordinator, on: coordinator.async_set_lock(on),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QuasarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the Quasar's switches."""
    async_add_entities(QuasarSwitch(entry, description) for description in SWITCHES)


class QuasarSwitch(QuasarEntity, SwitchEntity):
    """A switch of a Wallbox Quasar."""

    entity_description: QuasarSwitchEntityDescription

    @property
    def is_on(self) -> bool:
        """Return whether the switch is on."""
        return self.entity_description.is_on_fn(self.coordinator.data)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the switch on."""
        await self.entity_description.set_fn(self.coordinator, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the switch off."""
        await self.entity_description.set_fn(self.coordinator, False)
