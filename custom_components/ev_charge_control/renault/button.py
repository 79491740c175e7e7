"""Buttons of a Renault or Dacia car: charging, preconditioning, horn and lights."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.renault import (
    CAP_CHARGE_START,
    CAP_CHARGE_STOP,
    CAP_HORN,
    CAP_HVAC_START,
    CAP_HVAC_STOP,
    CAP_LIGHTS,
    PART_BATTERY,
    PART_HVAC,
    RenaultAccountClient,
)
from .coordinator import RenaultConfigEntry, RenaultVehicleCoordinator
from .entity import RenaultEntity

type Press = Callable[
    [RenaultVehicleCoordinator], Callable[[RenaultAccountClient], Awaitable[Any]]
]


@dataclass(frozen=True, kw_only=True)
class RenaultButtonEntityDescription(ButtonEntityDescription):
    """Describes a command button of a car."""

    capability: str
    press_fn: Press
    refresh_parts: frozenset[str] = frozenset()
    # Set on the charge buttons: a person's start or stop, which goes through the
    # car's owner so that smart charging steps back from it.
    charging: bool | None = None


BUTTONS: tuple[RenaultButtonEntityDescription, ...] = (
    RenaultButtonEntityDescription(
        key="start_charging",
        translation_key="renault_start_charging",
        capability=CAP_CHARGE_START,
        press_fn=lambda c: lambda client: client.start_charge(c.vin),
        refresh_parts=frozenset({PART_BATTERY}),
        charging=True,
    ),
    RenaultButtonEntityDescription(
        key="stop_charging",
        translation_key="renault_stop_charging",
        capability=CAP_CHARGE_STOP,
        press_fn=lambda c: lambda client: client.stop_charge(c.vin),
        refresh_parts=frozenset({PART_BATTERY}),
        charging=False,
    ),
    RenaultButtonEntityDescription(
        key="start_preconditioning",
        translation_key="renault_start_preconditioning",
        capability=CAP_HVAC_START,
        press_fn=lambda c: (
            lambda client: client.start_hvac(c.vin, c.hvac_temperature())
        ),
        refresh_parts=frozenset({PART_HVAC}),
    ),
    RenaultButtonEntityDescription(
        key="stop_preconditioning",
        translation_key="renault_stop_preconditioning",
        capability=CAP_HVAC_STOP,
        press_fn=lambda c: lambda client: client.stop_hvac(c.vin),
        refresh_parts=frozenset({PART_HVAC}),
    ),
    RenaultButtonEntityDescription(
        key="horn",
        translation_key="renault_horn",
        capability=CAP_HORN,
        press_fn=lambda c: lambda client: client.horn(c.vin),
    ),
    RenaultButtonEntityDescription(
        key="lights",
        translation_key="renault_lights",
        capability=CAP_LIGHTS,
        press_fn=lambda c: lambda client: client.lights(c.vin),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RenaultConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up each car's command buttons, only those its model has."""
    async_add_entities(
        RenaultButton(coordinator, description)
        for coordinator in entry.runtime_data.coordinators.values()
        for description in BUTTONS
        if description.capability in coordinator.capabilities
    )


class RenaultButton(RenaultEntity, ButtonEntity):
    """Sends one command to the car."""

    entity_description: RenaultButtonEntityDescription

    def __init__(
        self,
        coordinator: RenaultVehicleCoordinator,
        description: RenaultButtonEntityDescription,
    ) -> None:
        """Attach the button to its car and its command."""
        super().__init__(coordinator, description)
        self._capability = description.capability

    async def async_press(self) -> None:
        """Send the command."""
        if (charging := self.entity_description.charging) is not None:
            await self.coordinator.async_set_charging(charging)
            return
        await self.coordinator.async_command(
            self.entity_description.press_fn(self.coordinator),
            refresh_parts=self.entity_description.refresh_parts,
        )
