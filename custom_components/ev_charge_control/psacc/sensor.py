"""Sensors of a car behind a psa_car_controller server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfLength,
    UnitOfSpeed,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..drivers.models import ChargeState, Reading
from .coordinator import PsaccConfigEntry, PsaccCoordinator, PsaccData
from .entity import PsaccEntity

# What the server says of the charge (the API's No, Slow, Quick).
CHARGING_MODES = ["no", "slow", "quick"]


@dataclass(frozen=True, kw_only=True)
class PsaccSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of a car."""

    value_fn: Callable[[PsaccData], StateType | datetime]
    has_fn: Callable[[PsaccCoordinator], bool] = lambda _: True


def _value[T](reading: Reading[T] | None) -> T | None:
    return None if reading is None else reading.value


def _charging_mode(data: PsaccData) -> str | None:
    mode = _value(data.state.charge_mode)
    return mode if mode in CHARGING_MODES else None


SENSORS: tuple[PsaccSensorEntityDescription, ...] = (
    PsaccSensorEntityDescription(
        key="battery_level",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda data: _value(data.state.battery_level_pct),
    ),
    PsaccSensorEntityDescription(
        key="range",
        translation_key="psacc_range",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        value_fn=lambda data: _value(data.state.range_km),
    ),
    PsaccSensorEntityDescription(
        key="available_energy",
        translation_key="psacc_available_energy",
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        value_fn=lambda data: _value(data.state.available_energy_kwh),
    ),
    PsaccSensorEntityDescription(
        key="charging_status",
        translation_key="psacc_charging_status",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in ChargeState],
        value_fn=lambda data: _value(data.state.charge),
    ),
    PsaccSensorEntityDescription(
        key="charging_rate",
        translation_key="psacc_charging_rate",
        state_class=SensorStateClass.MEASUREMENT,
        # Range gained per hour of charge, as the car reports it.
        native_unit_of_measurement=UnitOfSpeed.KILOMETERS_PER_HOUR,
        value_fn=lambda data: _value(data.state.charging_rate_kmh),
    ),
    PsaccSensorEntityDescription(
        key="time_to_full",
        translation_key="psacc_time_to_full",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda data: _value(data.state.time_to_full_min),
    ),
    PsaccSensorEntityDescription(
        key="charging_mode",
        translation_key="psacc_charging_mode",
        device_class=SensorDeviceClass.ENUM,
        options=CHARGING_MODES,
        value_fn=_charging_mode,
    ),
    PsaccSensorEntityDescription(
        key="mileage",
        translation_key="psacc_mileage",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        value_fn=lambda data: _value(data.state.mileage_km),
    ),
    PsaccSensorEntityDescription(
        key="outside_temperature",
        translation_key="psacc_outside_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value_fn=lambda data: _value(data.state.outside_temperature_c),
    ),
    PsaccSensorEntityDescription(
        key="battery_health",
        translation_key="psacc_battery_health",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.battery_health_pct,
        has_fn=lambda coordinator: coordinator.has("battery_health"),
    ),
    PsaccSensorEntityDescription(
        key="last_report",
        translation_key="psacc_last_report",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.last_report,
    ),
    PsaccSensorEntityDescription(
        key="wakeups_available",
        translation_key="psacc_wakeups_available",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.wakeups_available,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up every car's sensors."""
    async_add_entities(
        PsaccSensor(coordinator, description)
        for coordinator in entry.runtime_data.coordinators.values()
        for description in SENSORS
        if description.has_fn(coordinator)
    )


class PsaccSensor(PsaccEntity, SensorEntity):
    """A sensor of a car."""

    entity_description: PsaccSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.coordinator.data)
