"""Binary sensors of a Wallbox Quasar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.models import ChargerStatus
from .coordinator import QuasarConfigEntry, QuasarData
from .entity import QuasarEntity


@dataclass(frozen=True, kw_only=True)
class QuasarBinarySensorEntityDescription(BinarySensorEntityDescription):
    """Describes a binary sensor of a Wallbox Quasar."""

    is_on_fn: Callable[[QuasarData], bool | None]


BINARY_SENSORS: tuple[QuasarBinarySensorEntityDescription, ...] = (
    QuasarBinarySensorEntityDescription(
        key="car_connected",
        translation_key="car_connected",
        device_class=BinarySensorDeviceClass.PLUG,
        is_on_fn=lambda data: data.state.car_connected,
    ),
    QuasarBinarySensorEntityDescription(
        key="error",
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda data: (
            None
            if data.state.status is None
            else data.state.status is ChargerStatus.ERROR
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: QuasarConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the Quasar's binary sensors."""
    async_add_entities(
        QuasarBinarySensor(entry, description) for description in BINARY_SENSORS
    )


class QuasarBinarySensor(QuasarEntity, BinarySensorEntity):
    """A binary sensor of a Wallbox Quasar."""

    entity_description: QuasarBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return whether the binary sensor is on; None when it cannot be told."""
        return self.entity_description.is_on_fn(self.coordinator.data)
