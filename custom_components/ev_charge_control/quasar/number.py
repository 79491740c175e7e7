"""Numbers of a Wallbox Quasar: the charge and discharge currents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.models import ControlMode
from .coordinator import QuasarConfigEntry, QuasarCoordinator, QuasarData
from .entity import QuasarEntity


@dataclass(frozen=True, kw_only=True)
class QuasarNumberEntityDescription(NumberEntityDescription):
    """Describes a number of a Wallbox Quasar."""

    value_fn: Callable[[QuasarData], int]
    set_fn: Callable[[QuasarCoordinator, int], Awaitable[None]]


# One setpoint register serves both directions: positive charges, negative discharges.
NUMBERS: tuple[QuasarNumberEntityDescription, ...] = (
    QuasarNumberEntityDescription(
        key="charge_current",
        translation_key="charge_current",
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=0,
        native_step=1,
        mode=NumberMode.SLIDER,
        value_fn=lambda data: max(data.state.current_setpoint_a, 0),
        set_fn=lambda coordinator, amps: coordinator.async_set_charge_current(amps),
    ),
    QuasarNumberEntityDescription(
        key="discharge_current",
        translation_key="discharge_current",
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_min_value=0,
        native_step=1,
        mode=NumberMode.SLIDER,
        value_fn=lambda data: max(-data.state.current_setpoint_a, 0),
        set_fn=lambda coordinator, amps: coordinator.async_set_discharge_current(amps),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QuasarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the Quasar's numbers."""
    async_add_entities(QuasarNumber(entry, description) for description in NUMBERS)


class QuasarNumber(QuasarEntity, NumberEntity):
    """A current setpoint of a Wallbox Quasar."""

    entity_description: QuasarNumberEntityDescription

    @property
    def native_max_value(self) -> float:
        """Return what the charger says it can deliver now."""
        return float(self.coordinator.data.state.max_available_current_a)

    @property
    def native_value(self) -> float | None:
        """Return the current setpoint in this direction.

        While the Wallbox app drives the charger, the setpoint register means
        nothing (the app's own current applies and is not readable over Modbus),
        so the value is unknown rather than a misleading 0.
        """
        data = self.coordinator.data
        if data.state.control is not ControlMode.REMOTE:
            return None
        return float(self.entity_description.value_fn(data))

    async def async_set_native_value(self, value: float) -> None:
        """Set the current."""
        await self.entity_description.set_fn(self.coordinator, round(value))
