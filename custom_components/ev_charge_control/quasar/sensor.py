"""Sensors of a Wallbox Quasar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..control.sensor import (
    CONTROLLED_BY,
    controlled_by_attributes,
    controlled_by_value,
)
from ..drivers.models import ChargerStatus
from .coordinator import QuasarConfigEntry, QuasarData
from .entity import QuasarEntity


@dataclass(frozen=True, kw_only=True)
class QuasarSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of a Wallbox Quasar."""

    value_fn: Callable[[QuasarData], StateType]


def _error_codes(data: QuasarData) -> str:
    codes = [str(code) for code in data.state.error_codes if code]
    return ", ".join(codes) if codes else "none"


SENSORS: tuple[QuasarSensorEntityDescription, ...] = (
    QuasarSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.name.lower() for status in ChargerStatus],
        value_fn=lambda data: (
            None if data.state.status is None else data.state.status.name.lower()
        ),
    ),
    QuasarSensorEntityDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        value_fn=lambda data: data.state.power_w,
    ),
    QuasarSensorEntityDescription(
        key="current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        value_fn=lambda data: data.state.current_a,
    ),
    QuasarSensorEntityDescription(
        key="voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.state.voltage_v,
    ),
    QuasarSensorEntityDescription(
        key="car_soc",
        translation_key="car_soc",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda data: data.state.car_soc_pct,
    ),
    QuasarSensorEntityDescription(
        key="max_available_current",
        translation_key="max_available_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.state.max_available_current_a,
    ),
    QuasarSensorEntityDescription(
        key="energy_charged",
        translation_key="energy_charged",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda data: round(data.charged_kwh, 3),
    ),
    QuasarSensorEntityDescription(
        key="energy_discharged",
        translation_key="energy_discharged",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda data: round(data.discharged_kwh, 3),
    ),
    QuasarSensorEntityDescription(
        key="error_codes",
        translation_key="error_codes",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_error_codes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QuasarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the Quasar's sensors."""
    async_add_entities(
        [
            *(QuasarSensor(entry, description) for description in SENSORS),
            QuasarControlledBySensor(entry, CONTROLLED_BY),
        ]
    )


class QuasarSensor(QuasarEntity, SensorEntity):
    """A sensor of a Wallbox Quasar."""

    entity_description: QuasarSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.coordinator.data)


class QuasarControlledBySensor(QuasarEntity, SensorEntity):
    """Who commands the charger now: a person, "charge now", smart charging or the app."""

    @property
    def native_value(self) -> str:
        """Return who commands the charger."""
        return controlled_by_value(self.coordinator.owner)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return why, and until when."""
        return controlled_by_attributes(self.coordinator.owner)
