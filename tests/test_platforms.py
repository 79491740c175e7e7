"""Every platform of a Wallbox Quasar, as a snapshot of its entities and states."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from simulators.quasar import QuasarSimulator

from .conftest import advance


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.NUMBER,
        Platform.SELECT,
        Platform.SENSOR,
        Platform.SWITCH,
    ],
)
async def test_platform_snapshot(
    hass: HomeAssistant,
    quasar_sim: QuasarSimulator,
    quasar_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """A charging car on a charger in the Wallbox app's hands."""
    quasar_entry.add_to_hass(hass)
    with patch("custom_components.ev_charge_control.quasar.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(quasar_entry.entry_id)
        await hass.async_block_till_done()
    await snapshot_platform(hass, entity_registry, snapshot, quasar_entry.entry_id)


@pytest.mark.parametrize(
    "entity_id", ["sensor.wallbox_quasar_voltage", "sensor.wallbox_quasar_error_codes"]
)
async def test_rarely_needed_entities_disabled(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    entity_id: str,
) -> None:
    """Voltage and error codes exist but start disabled, as diagnostics do."""
    entry = entity_registry.async_get(entity_id)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(entity_id) is None


async def test_a_state_from_newer_firmware_shows_as_unknown(
    hass: HomeAssistant,
    quasar_sim: QuasarSimulator,
    init_quasar: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unknown state register value leaves the rest of the reading live.

    The status, car connected and problem entities say unknown; power and the
    others keep their values; the log says so once, not on every poll.
    """
    assert hass.states.get("sensor.wallbox_quasar_status").state == "charging"
    quasar_sim.report_unknown_status(42)
    await advance(hass, freezer, 30)
    for entity_id in (
        "sensor.wallbox_quasar_status",
        "binary_sensor.wallbox_quasar_car_connected",
        "binary_sensor.wallbox_quasar_problem",
    ):
        assert hass.states.get(entity_id).state == STATE_UNKNOWN, entity_id
    assert float(hass.states.get("sensor.wallbox_quasar_power").state) > 0
    assert caplog.text.count("reports the state 42") == 1
    quasar_sim.report_unknown_status(None)
    await advance(hass, freezer, 10)
    assert hass.states.get("sensor.wallbox_quasar_status").state == "charging"
