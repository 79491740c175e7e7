"""Numbers of a Renault or Dacia car: its own charge levels, the cabin temperature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
    RestoreNumber,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from renault_api.const import (
    MAX_SOC_MIN,
    MAX_SOC_TARGET,
    MIN_SOC_MIN,
    MIN_SOC_TARGET,
    SOC_STEP,
)

from ..drivers.models import VehicleState
from ..drivers.renault import CAP_HVAC_START, PART_SOC_LEVELS
from .coordinator import RenaultConfigEntry
from .entity import RenaultEntity

# What the cars accept for preconditioning (the MyRenault app offers the same range).
HVAC_MIN_C = 16.0
HVAC_MAX_C = 26.0


@dataclass(frozen=True, kw_only=True)
class RenaultSocNumberEntityDescription(NumberEntityDescription):
    """Describes one of the car's own charge levels."""

    value_fn: Callable[[VehicleState], int | None]
    # (current minimum, current target, new value) -> (minimum, target) to send.
    levels_fn: Callable[[int, int, int], tuple[int, int]]


SOC_NUMBERS: tuple[RenaultSocNumberEntityDescription, ...] = (
    RenaultSocNumberEntityDescription(
        key="car_charge_floor",
        translation_key="renault_car_charge_floor",
        native_min_value=MIN_SOC_MIN,
        native_max_value=MAX_SOC_MIN,
        native_step=SOC_STEP,
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        mode=NumberMode.SLIDER,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda s: None if s.soc_min_pct is None else s.soc_min_pct.value,
        levels_fn=lambda low, high, new: (new, high),
    ),
    RenaultSocNumberEntityDescription(
        key="car_charge_limit",
        translation_key="renault_car_charge_limit",
        native_min_value=MIN_SOC_TARGET,
        native_max_value=MAX_SOC_TARGET,
        native_step=SOC_STEP,
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        mode=NumberMode.SLIDER,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda s: None if s.soc_target_pct is None else s.soc_target_pct.value,
        levels_fn=lambda low, high, new: (low, new),
    ),
)

HVAC_TEMPERATURE = NumberEntityDescription(
    key="preconditioning_temperature",
    translation_key="renault_preconditioning_temperature",
    device_class=NumberDeviceClass.TEMPERATURE,
    native_min_value=HVAC_MIN_C,
    native_max_value=HVAC_MAX_C,
    native_step=0.5,
    native_unit_of_measurement=UnitOfTemperature.CELSIUS,
    mode=NumberMode.BOX,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RenaultConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the charge levels where the model has them, and the cabin temperature."""
    coordinators = entry.runtime_data.coordinators.values()
    async_add_entities(
        [
            RenaultSocNumber(coordinator, description)
            for coordinator in coordinators
            if PART_SOC_LEVELS in coordinator.capabilities
            for description in SOC_NUMBERS
        ]
        + [
            RenaultHvacTemperature(coordinator, HVAC_TEMPERATURE)
            for coordinator in coordinators
            if CAP_HVAC_START in coordinator.capabilities
        ]
    )


class RenaultSocNumber(RenaultEntity, NumberEntity):
    """The car's own floor or limit; it is set on the car, with the other kept."""

    entity_description: RenaultSocNumberEntityDescription
    _capability = PART_SOC_LEVELS

    @property
    def native_value(self) -> float | None:
        """Return the level the car reported."""
        return self.entity_description.value_fn(self.coordinator.data)

    async def async_set_native_value(self, value: float) -> None:
        """Set the level on the car."""
        state = self.coordinator.data
        low = state.soc_min_pct.value if state.soc_min_pct else MIN_SOC_MIN
        high = state.soc_target_pct.value if state.soc_target_pct else MAX_SOC_TARGET
        soc_min, soc_target = self.entity_description.levels_fn(low, high, int(value))
        vin = self.coordinator.vin
        await self.coordinator.async_command(
            lambda client: client.set_soc_levels(vin, soc_min, soc_target),
            refresh_parts=frozenset({PART_SOC_LEVELS}),
        )


class RenaultHvacTemperature(RenaultEntity, RestoreNumber):
    """The temperature preconditioning aims at; kept here, sent with the start."""

    _capability = CAP_HVAC_START

    async def async_added_to_hass(self) -> None:
        """Restore the temperature the user set."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is not None and last.native_value is not None:
            self._set(last.native_value)

    def _set(self, value: float) -> None:
        self.coordinator.account.hvac_temperature[self.coordinator.vin] = value

    @property
    def native_value(self) -> float:
        """Return the temperature."""
        return self.coordinator.hvac_temperature()

    async def async_set_native_value(self, value: float) -> None:
        """Set the temperature for the next start."""
        self._set(value)
        self.async_write_ha_state()
