"""Buttons of a car behind a psa_car_controller server: wake-up, horn and lights."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PsaccConfigEntry, PsaccCoordinator
from .entity import PsaccEntity


@dataclass(frozen=True, kw_only=True)
class PsaccButtonEntityDescription(ButtonEntityDescription):
    """Describes a button of a car."""

    press_fn: Callable[[PsaccCoordinator], Awaitable[None]]


BUTTONS: tuple[PsaccButtonEntityDescription, ...] = (
    PsaccButtonEntityDescription(
        key="wakeup",
        translation_key="psacc_wakeup",
        press_fn=lambda coordinator: coordinator.async_wakeup(),
    ),
    PsaccButtonEntityDescription(
        key="horn",
        translation_key="psacc_horn",
        press_fn=lambda coordinator: coordinator.async_horn(),
    ),
    PsaccButtonEntityDescription(
        key="lights",
        translation_key="psacc_lights",
        press_fn=lambda coordinator: coordinator.async_lights(),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up every car's buttons."""
    async_add_entities(
        PsaccButton(coordinator, description)
        for coordinator in entry.runtime_data.coordinators.values()
        for description in BUTTONS
    )


class PsaccButton(PsaccEntity, ButtonEntity):
    """A button of a car."""

    entity_description: PsaccButtonEntityDescription

    async def async_press(self) -> None:
        """Press the button."""
        await self.entity_description.press_fn(self.coordinator)
