"""Sensors of a Renault or Dacia car."""

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
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..drivers.models import ChargeState, PlugState, Reading, VehicleState
from .coordinator import RenaultConfigEntry, RenaultVehicleCoordinator
from .entity import RenaultEntity


@dataclass(frozen=True, kw_only=True)
class RenaultSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of a car."""

    value_fn: Callable[[RenaultVehicleCoordinator], StateType | datetime]
    # Whether the car has it: its model's capability, and the value in its reports.
    has_fn: Callable[[RenaultVehicleCoordinator], bool]


def _value[T](name: str) -> Callable[[RenaultVehicleCoordinator], T | None]:
    def value(coordinator: RenaultVehicleCoordinator) -> T | None:
        reading: Reading[T] | None = getattr(coordinator.data, name)
        return None if reading is None else reading.value

    return value


def _reported(
    name: str, capability: str
) -> Callable[[RenaultVehicleCoordinator], bool]:
    """The model answers the part, and its reports carry the value (once seen)."""

    def has(coordinator: RenaultVehicleCoordinator) -> bool:
        if capability not in coordinator.capabilities:
            return False
        state: VehicleState = coordinator.data
        if capability == "battery" and state.battery_level_pct is not None:
            return getattr(state, name) is not None
        return True

    return has


def _last_report(coordinator: RenaultVehicleCoordinator) -> datetime | None:
    reading = coordinator.data.battery_level_pct
    return None if reading is None else reading.as_of


def _enum(name: str) -> Callable[[RenaultVehicleCoordinator], str | None]:
    def value(coordinator: RenaultVehicleCoordinator) -> str | None:
        reading = getattr(coordinator.data, name)
        return None if reading is None else str(reading.value)

    return value


def _hvac(coordinator: RenaultVehicleCoordinator) -> str | None:
    reading = coordinator.data.hvac_on
    if reading is None:
        return None
    return "on" if reading.value else "off"


SENSORS: tuple[RenaultSensorEntityDescription, ...] = (
    RenaultSensorEntityDescription(
        key="battery_level",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=_value("battery_level_pct"),
        has_fn=_reported("battery_level_pct", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="range",
        translation_key="renault_car_range",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        value_fn=_value("range_km"),
        has_fn=_reported("range_km", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="available_energy",
        translation_key="renault_available_energy",
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        value_fn=_value("available_energy_kwh"),
        has_fn=_reported("available_energy_kwh", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="battery_temperature",
        translation_key="renault_battery_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value_fn=_value("battery_temperature_c"),
        has_fn=_reported("battery_temperature_c", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="plug_state",
        translation_key="renault_plug_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in PlugState],
        value_fn=_enum("plug"),
        has_fn=_reported("plug", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="charge_state",
        translation_key="renault_charge_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in ChargeState],
        value_fn=_enum("charge"),
        has_fn=_reported("charge", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="charging_power",
        translation_key="renault_charging_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        value_fn=_value("charging_power_kw"),
        has_fn=_reported("charging_power_kw", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="time_to_full",
        translation_key="renault_time_to_full",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=_value("time_to_full_min"),
        has_fn=_reported("time_to_full_min", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="mileage",
        translation_key="renault_mileage",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        value_fn=_value("mileage_km"),
        has_fn=_reported("mileage_km", "cockpit"),
    ),
    RenaultSensorEntityDescription(
        key="outside_temperature",
        translation_key="renault_outside_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        value_fn=_value("outside_temperature_c"),
        has_fn=_reported("outside_temperature_c", "hvac"),
    ),
    RenaultSensorEntityDescription(
        key="hvac_state",
        translation_key="renault_hvac_state",
        device_class=SensorDeviceClass.ENUM,
        options=["on", "off"],
        value_fn=_hvac,
        has_fn=_reported("hvac_on", "hvac"),
    ),
    RenaultSensorEntityDescription(
        key="last_report",
        translation_key="renault_last_report",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_last_report,
        has_fn=_reported("battery_level_pct", "battery"),
    ),
    RenaultSensorEntityDescription(
        key="api_calls_last_hour",
        translation_key="renault_api_calls_last_hour",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.account.calls_in_last_hour(),
        has_fn=lambda coordinator: True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RenaultConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up each car's sensors, only those its model has."""
    async_add_entities(
        RenaultSensor(coordinator, description)
        for coordinator in entry.runtime_data.coordinators.values()
        for description in SENSORS
        if description.has_fn(coordinator)
    )


class RenaultSensor(RenaultEntity, SensorEntity):
    """A sensor of a car."""

    entity_description: RenaultSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.coordinator)
