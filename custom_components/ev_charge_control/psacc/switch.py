"""Switches of a car behind a psa_car_controller server.

The car reports a command's effect minutes later; until it does, a switch shows what
was asked rather than flicking back to the last report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.models import ChargeState
from .coordinator import PsaccConfigEntry, PsaccCoordinator
from .entity import PsaccEntity


@dataclass(frozen=True, kw_only=True)
class PsaccSwitchEntityDescription(SwitchEntityDescription):
    """Describes a switch of a car."""

    is_on_fn: Callable[[PsaccCoordinator], bool | None]
    set_fn: Callable[[PsaccCoordinator, bool], Awaitable[None]]
    has_fn: Callable[[PsaccCoordinator], bool] = lambda _: True


def _charging(coordinator: PsaccCoordinator) -> bool | None:
    charge = coordinator.data.state.charge
    reported = None if charge is None else charge.value is ChargeState.CHARGING
    return coordinator.expected("charge", reported)


def _preconditioning(coordinator: PsaccCoordinator) -> bool | None:
    hvac = coordinator.data.state.hvac_on
    return coordinator.expected("hvac_on", None if hvac is None else hvac.value)


SWITCHES: tuple[PsaccSwitchEntityDescription, ...] = (
    PsaccSwitchEntityDescription(
        key="charging",
        translation_key="psacc_charging",
        is_on_fn=_charging,
        set_fn=lambda coordinator, on: coordinator.async_set_charging(on),
    ),
    PsaccSwitchEntityDescription(
        key="preconditioning_switch",
        translation_key="psacc_preconditioning_switch",
        is_on_fn=_preconditioning,
        set_fn=lambda coordinator, on: coordinator.async_set_preconditioning(on),
        has_fn=lambda coordinator: coordinator.has("preconditioning"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up every car's switches."""
    async_add_entities(
        PsaccSwitch(coordinator, description)
        for coordinator in entry.runtime_data.coordinators.values()
        for description in SWITCHES
        if description.has_fn(coordinator)
    )


class PsaccSwitch(PsaccEntity, SwitchEntity):
    """A switch of a car."""

    entity_description: PsaccSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return what was asked, until the car reports, else what it reported."""
        return self.entity_description.is_on_fn(self.coordinator)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the switch on."""
        await self.entity_description.set_fn(self.coordinator, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the switch off."""
        await self.entity_description.set_fn(self.coordinator, False)
