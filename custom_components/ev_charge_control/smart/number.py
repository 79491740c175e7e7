"""The charge limit and the floor of a car, as numbers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import smart_chargers
from .controller import FLOOR_MAX_PCT, LIMIT_MIN_PCT, SmartCharger
from .entity import SmartEntity


@dataclass(frozen=True, kw_only=True)
class SmartNumberEntityDescription(NumberEntityDescription):
    """Describes a level of smart charging."""

    value_fn: Callable[[SmartCharger], int]
    set_fn: Callable[[SmartCharger, int], Awaitable[None]]


NUMBERS: tuple[SmartNumberEntityDescription, ...] = (
    SmartNumberEntityDescription(
        key="charge_limit",
        translation_key="smart_charge_limit",
        native_min_value=LIMIT_MIN_PCT,
        native_max_value=100,
        native_step=1,
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        mode=NumberMode.SLIDER,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda smart: smart.settings.limit_pct,
        set_fn=lambda smart, value: smart.async_set_limits(limit_pct=value),
    ),
    SmartNumberEntityDescription(
        key="charge_floor",
        translation_key="smart_charge_floor",
        native_min_value=0,
        native_max_value=FLOOR_MAX_PCT,
        native_step=1,
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        mode=NumberMode.SLIDER,
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda smart: smart.settings.floor_pct,
        set_fn=lambda smart, value: smart.async_set_limits(floor_pct=value),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry[object],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up each car's limit and floor."""
    async_add_entities(
        SmartNumber(smart, description)
        for smart in smart_chargers(entry)
        for description in NUMBERS
    )


class SmartNumber(SmartEntity, NumberEntity):
    """A level the owner sets; a floor at or above the limit is refused."""

    entity_description: SmartNumberEntityDescription

    @property
    def native_value(self) -> int:
        """Return the level."""
        return self.entity_description.value_fn(self.smart)

    async def async_set_native_value(self, value: float) -> None:
        """Set the level."""
        await self.entity_description.set_fn(self.smart, round(value))
