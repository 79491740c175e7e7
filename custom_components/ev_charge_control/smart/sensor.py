"""Sensors of smart charging: the estimated SoC, the plan, the next window, the last command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..control.sensor import CONTROLLED_BY, controlled_by_attributes
from ..policy.smart_charging import PlanState
from . import smart_chargers
from .controller import SmartCharger
from .entity import SmartEntity
from .settings import CommandKind, CommandOutcome


@dataclass(frozen=True, kw_only=True)
class SmartSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of smart charging."""

    value_fn: Callable[[SmartCharger], float | str | datetime | None]


def _estimated_soc(smart: SmartCharger) -> float | None:
    decision = smart.decision
    return None if decision is None else decision.estimated_soc_pct


def _estimated_at(smart: SmartCharger) -> datetime | None:
    decision = smart.decision
    if decision is None or decision.estimated_at is None:
        return None
    if decision.estimated_soc_pct is None:
        return None
    # To the minute: the state does not change with every reading of a charger, and a
    # person reads the estimate's time no finer.
    return decision.estimated_at.replace(second=0, microsecond=0)


def _next_window_edge(index: int) -> Callable[[SmartCharger], datetime | None]:
    def edge(smart: SmartCharger) -> datetime | None:
        window = smart.next_off_peak()
        return None if window is None else window[index]

    return edge


SENSORS: tuple[SmartSensorEntityDescription, ...] = (
    SmartSensorEntityDescription(
        key="estimated_soc",
        translation_key="smart_estimated_soc",
        native_unit_of_measurement=PERCENTAGE,
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=_estimated_soc,
    ),
    SmartSensorEntityDescription(
        key="estimated_soc_time",
        translation_key="smart_estimated_soc_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # For checking the estimate and the commands; the plan does not need it shown.
        entity_registry_enabled_default=False,
        value_fn=_estimated_at,
    ),
    SmartSensorEntityDescription(
        key="plan_state",
        translation_key="smart_plan_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in PlanState],
        value_fn=lambda smart: (
            None if smart.decision is None else smart.decision.state.value
        ),
    ),
    SmartSensorEntityDescription(
        key="next_charge_start",
        translation_key="smart_next_charge_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda smart: (
            None if smart.decision is None else smart.decision.next_start
        ),
    ),
    SmartSensorEntityDescription(
        key="expected_charge_end",
        translation_key="smart_expected_charge_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda smart: (
            None if smart.decision is None else smart.decision.expected_end
        ),
    ),
    SmartSensorEntityDescription(
        key="next_off_peak_start",
        translation_key="smart_next_off_peak_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_window_edge(0),
    ),
    SmartSensorEntityDescription(
        key="next_off_peak_end",
        translation_key="smart_next_off_peak_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_window_edge(1),
    ),
    SmartSensorEntityDescription(
        key="last_command",
        translation_key="smart_last_command",
        device_class=SensorDeviceClass.ENUM,
        options=[kind.value for kind in CommandKind],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda smart: (
            None
            if smart.settings.last_command is None
            else smart.settings.last_command.kind.value
        ),
    ),
    SmartSensorEntityDescription(
        key="last_command_outcome",
        translation_key="smart_last_command_outcome",
        device_class=SensorDeviceClass.ENUM,
        options=[outcome.value for outcome in CommandOutcome],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda smart: (
            None
            if smart.settings.last_command is None
            else smart.settings.last_command.outcome.value
        ),
    ),
    SmartSensorEntityDescription(
        key="last_command_time",
        translation_key="smart_last_command_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # For checking the estimate and the commands; the plan does not need it shown.
        entity_registry_enabled_default=False,
        value_fn=lambda smart: (
            None
            if smart.settings.last_command is None
            else smart.settings.last_command.sent_at
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry[object],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the plan's sensors of each car."""
    smarts = smart_chargers(entry)
    async_add_entities(
        [
            *(
                SmartSensor(smart, description)
                for smart in smarts
                for description in SENSORS
            ),
            *(SmartControlledBySensor(smart, CONTROLLED_BY) for smart in smarts),
        ]
    )


class SmartControlledBySensor(SmartEntity, SensorEntity):
    """Who commands the car now: a person, "charge now", smart charging or the app."""

    @property
    def native_value(self) -> str:
        """Return who commands the car."""
        return self.smart.controlled_by().value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return why, and until when."""
        return controlled_by_attributes(self.smart.car.owner)


class SmartSensor(SmartEntity, SensorEntity):
    """A reading of the plan."""

    entity_description: SmartSensorEntityDescription

    @property
    def native_value(self) -> float | str | datetime | None:
        """Return the value."""
        return self.entity_description.value_fn(self.smart)
