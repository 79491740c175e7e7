"""Binary sensors of a car behind a psa_car_controller server."""

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

from ..drivers.models import PlugState
from .coordinator import PsaccConfigEntry, PsaccCoordinator, PsaccData
from .entity import PsaccEntity


@dataclass(frozen=True, kw_only=True)
class PsaccBinarySensorEntityDescription(BinarySensorEntityDescription):
    """Describes a binary sensor of a car."""

    is_on_fn: Callable[[PsaccData], bool | None]
    has_fn: Callable[[PsaccCoordinator], bool] = lambda _: True


def _plugged(data: PsaccData) -> bool | None:
    plug = data.state.plug
    if plug is None or plug.value in (PlugState.UNKNOWN, PlugState.PLUG_ERROR):
        return None
    return plug.value is PlugState.PLUGGED


BINARY_SENSORS: tuple[PsaccBinarySensorEntityDescription, ...] = (
    PsaccBinarySensorEntityDescription(
        key="plugged",
        translation_key="psacc_plugged",
        device_class=BinarySensorDeviceClass.PLUG,
        is_on_fn=_plugged,
    ),
    PsaccBinarySensorEntityDescription(
        key="preconditioning",
        translation_key="psacc_preconditioning",
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on_fn=lambda data: (
            None if data.state.hvac_on is None else data.state.hvac_on.value
        ),
        has_fn=lambda coordinator: coordinator.has("preconditioning"),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up every car's binary sensors."""
    async_add_entities(
        PsaccBinarySensor(coordinator, description)
        for coordinator in entry.runtime_data.coordinators.values()
        for description in BINARY_SENSORS
        if description.has_fn(coordinator)
    )


class PsaccBinarySensor(PsaccEntity, BinarySensorEntity):
    """A binary sensor of a car, as the car last reported."""

    entity_description: PsaccBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return whether the binary sensor is on."""
        return self.entity_description.is_on_fn(self.coordinator.data)
