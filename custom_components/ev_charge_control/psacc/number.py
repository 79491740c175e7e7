"""The server's charge threshold of a car: psa_car_controller stops the charge there."""

from __future__ import annotations

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PsaccConfigEntry
from .entity import PsaccEntity

THRESHOLD = NumberEntityDescription(
    key="charge_threshold",
    translation_key="psacc_charge_threshold",
    device_class=NumberDeviceClass.BATTERY,
    native_unit_of_measurement=PERCENTAGE,
    native_min_value=10,
    native_max_value=100,
    native_step=1,
    mode=NumberMode.SLIDER,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PsaccConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the threshold of every car the server's charge control has."""
    async_add_entities(
        PsaccThreshold(coordinator, THRESHOLD)
        for coordinator in entry.runtime_data.coordinators.values()
        if coordinator.has("charge_control")
    )


class PsaccThreshold(PsaccEntity, NumberEntity):
    """The level at which the server stops the charge; 100 is never."""

    @property
    def native_value(self) -> float | None:
        """Return the server's threshold."""
        control = self.coordinator.data.charge_control
        return None if control is None else float(control.threshold_pct)

    async def async_set_native_value(self, value: float) -> None:
        """Set the threshold."""
        await self.coordinator.async_set_threshold(round(value))
