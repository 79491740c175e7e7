"""Every platform of a psa_car_controller server's cars, as snapshots."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from simulators.psacc import PsaccSimulator

from .psacc_fixtures import *  # noqa: F403 - the psa_car_controller fixtures
from .psacc_fixtures import CORSA, E208


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.DEVICE_TRACKER,
        Platform.LOCK,
        Platform.NUMBER,
        Platform.SENSOR,
        Platform.SWITCH,
        Platform.TIME,
    ],
)
async def test_platform_snapshot(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    psacc_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """An e-208 charging with a stop hour and a parked Corsa-e."""
    psacc_sim.plug(E208)
    psacc_sim.report_now(E208)
    car = psacc_sim.car(E208)
    car.percentage_threshold = 80
    car.stop_hour = (6, 30)
    psacc_entry.add_to_hass(hass)
    with patch("custom_components.ev_charge_control.psacc.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(psacc_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, psacc_entry.entry_id)


async def test_capabilities_decide_entities(
    hass: HomeAssistant, init_psacc: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """The Corsa-e has no door lock and no battery health; the e-208 has both."""
    entries = er.async_entries_for_config_entry(entity_registry, init_psacc.entry_id)
    keys = {
        (e.unique_id.split("_", 1)[0], e.unique_id.split("_", 1)[1]) for e in entries
    }
    assert (E208, "doors") in keys
    assert (E208, "battery_health") in keys
    assert (CORSA, "doors") not in keys
    assert (CORSA, "battery_health") not in keys
    assert (CORSA, "location") in keys
    assert (CORSA, "charge_threshold") in keys


async def test_no_charge_control_no_threshold(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    psacc_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A server without its charge control gives no threshold and no stop hour."""
    psacc_sim.charge_control_enabled = False
    psacc_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(psacc_entry.entry_id)
    await hass.async_block_till_done()
    keys = {
        e.unique_id.split("_", 1)[1]
        for e in er.async_entries_for_config_entry(
            entity_registry, psacc_entry.entry_id
        )
    }
    assert "charge_threshold" not in keys
    assert "stop_hour" not in keys
    assert "charging" in keys


@pytest.mark.parametrize(
    "entity_id",
    [
        "sensor.peugeot_e_208_estimated_battery_time",
        "sensor.peugeot_e_208_last_charge_command_time",
    ],
)
async def test_smart_charging_s_times_start_disabled(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    entity_id: str,
) -> None:
    """The times behind the estimate and the last command are there when wanted."""
    entry = entity_registry.async_get(entity_id)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(entity_id) is None
