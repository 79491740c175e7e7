"""Setting up, polling, losing and finding the charger, and giving it back."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_HOMEASSISTANT_STOP,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ev_charge_control.const import (
    CONF_SCAN_INTERVAL,
    DOMAIN,
    quasar_idle_timeout,
)
from custom_components.ev_charge_control.drivers.models import DeviceUnreachableError
from custom_components.ev_charge_control.drivers.quasar import QuasarClient
from simulators.quasar import QuasarSimulator

from .conftest import QUASAR_ENTRY_ID, advance, charger_device_id

STATUS = "sensor.wallbox_quasar_status"
POWER = "sensor.wallbox_quasar_power"
CHARGING = "switch.wallbox_quasar_charging"
DISCHARGE = "number.wallbox_quasar_discharge_current"
STORE_KEY = f"{DOMAIN}.quasar.{QUASAR_ENTRY_ID}"

REG_CONTROL = 0x51
REG_AUTOSTART = 0x52
REG_IDLE_TIMEOUT = 0x58
REG_SETPOINT = 0x102


async def _poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await advance(hass, freezer, 10)


async def test_setup_and_unload_gives_control_back(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """Unloading leaves the charger idle and in the Wallbox app's hands."""
    assert init_quasar.state is ConfigEntryState.LOADED
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: DISCHARGE, "value": 10}, blocking=True
    )
    assert hass.states.get(STATUS).state == "discharging"
    assert quasar_sim.read_register(REG_CONTROL) == 1

    assert await hass.config_entries.async_unload(init_quasar.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert init_quasar.state is ConfigEntryState.NOT_LOADED
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert quasar_sim.read_register(REG_AUTOSTART) == 1
    assert quasar_sim.read_register(REG_SETPOINT) == 0
    assert quasar_sim.read_register(0x219) != 11  # not discharging
    assert quasar_sim.read_register(0x20E) == 0  # no power flows


async def test_unload_leaves_user_control_alone(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A charger we never took is not touched on unload."""
    writes_before = len(quasar_sim.writes)
    assert await hass.config_entries.async_unload(init_quasar.entry_id)
    assert quasar_sim.writes[writes_before:] == []


async def test_setup_retries_when_unreachable(
    hass: HomeAssistant, quasar_sim: QuasarSimulator, quasar_entry: MockConfigEntry
) -> None:
    """An unreachable charger makes setup retry, not fail."""
    await quasar_sim.stop()
    quasar_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(quasar_entry.entry_id)
    assert quasar_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_retries_when_the_first_reading_fails(
    hass: HomeAssistant, quasar_sim: QuasarSimulator, quasar_entry: MockConfigEntry
) -> None:
    """The charger names itself, then its state cannot be read: the connection closes.

    The state read fails by injection (the simulator's registers always answer).
    """
    quasar_entry.add_to_hass(hass)
    with patch.object(
        QuasarClient,
        "read_state",
        side_effect=DeviceUnreachableError("the charger stopped answering"),
    ):
        await hass.config_entries.async_setup(quasar_entry.entry_id)
    assert quasar_entry.state is ConfigEntryState.SETUP_RETRY
    # The server sees the close a moment later.
    for _ in range(50):
        if quasar_sim.connections == 0:
            break
        await asyncio.sleep(0.01)
    assert quasar_sim.connections == 0


async def test_setup_retries_on_another_charger(
    hass: HomeAssistant, quasar_sim: QuasarSimulator
) -> None:
    """A different serial at the address is not commanded under this entry's name."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="999999",
        data={
            "kind": "quasar",
            "host": "127.0.0.1",
            "port": quasar_sim.port,
            "unit_id": 1,
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "has serial 123456" in entry.reason
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"wrong_device_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "host": "127.0.0.1",
        "serial": "123456",
        "title": entry.title,
    }

    # The right charger answering again clears the issue.
    hass.config_entries.async_update_entry(entry, unique_id="123456")
    await hass.config_entries.async_reload(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"wrong_device_{entry.entry_id}")
        is None
    )


async def test_unavailable_then_recovered_logged_once(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Entities go unavailable with the charger and come back; each logged once."""
    caplog.set_level(logging.INFO)
    quasar_sim.refuse_connections = True
    quasar_sim.drop_connections()
    for _ in range(3):
        await _poll(hass, freezer)
        assert hass.states.get(STATUS).state == STATE_UNAVAILABLE
    assert caplog.text.count("Error fetching") == 1

    quasar_sim.refuse_connections = False
    await _poll(hass, freezer)
    assert hass.states.get(STATUS).state == "charging"
    await _poll(hass, freezer)
    assert caplog.text.count("data recovered") == 1


async def test_reconnects_after_a_dropped_connection(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A dropped TCP connection costs at most one poll."""
    quasar_sim.drop_connections()
    await _poll(hass, freezer)
    await _poll(hass, freezer)
    assert hass.states.get(STATUS).state == "charging"


async def test_modbus_exceptions_make_entities_unavailable(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Exception replies are a fault like any other; the charger's return is seen."""
    quasar_sim.fail_with_exception = 4
    await _poll(hass, freezer)
    assert hass.states.get(POWER).state == STATE_UNAVAILABLE
    quasar_sim.fail_with_exception = None
    await _poll(hass, freezer)
    assert float(hass.states.get(POWER).state) > 0


@pytest.mark.parametrize(
    ("scan_interval", "expected"), [(10, 60), (30, 120)], ids=["default", "slow"]
)
async def test_idle_timeout_follows_poll_interval(
    hass: HomeAssistant,
    quasar_sim: QuasarSimulator,
    quasar_entry: MockConfigEntry,
    scan_interval: int,
    expected: int,
) -> None:
    """Holding control always arms the charger's idle timeout."""
    assert quasar_idle_timeout(scan_interval) == expected
    quasar_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        quasar_entry, options={CONF_SCAN_INTERVAL: scan_interval}
    )
    assert await hass.config_entries.async_setup(quasar_entry.entry_id)
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: CHARGING}, blocking=True
    )
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert quasar_sim.read_register(REG_IDLE_TIMEOUT) == expected


async def test_idle_timeout_rewritten_when_changed(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Someone else rewriting the idle timeout while we hold control is undone."""
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: CHARGING}, blocking=True
    )
    quasar_sim.poke(REG_IDLE_TIMEOUT, 0)
    await _poll(hass, freezer)
    assert quasar_sim.read_register(REG_IDLE_TIMEOUT) == 60


async def test_charger_taking_itself_back_is_respected(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the charger falls back to the app, we stop claiming it."""
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: CHARGING}, blocking=True
    )
    assert hass.states.get("select.wallbox_quasar_control").state == "home_assistant"
    quasar_sim.poke(REG_CONTROL, 0)
    await _poll(hass, freezer)
    coordinator = init_quasar.runtime_data.coordinator
    assert coordinator.intent is None
    assert hass.states.get("select.wallbox_quasar_control").state == "wallbox_app"
    assert "went back to the Wallbox app" in caplog.text


async def test_stop_gives_control_back_and_restart_resumes(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    hass_storage: dict[str, Any],
) -> None:
    """Home Assistant stopping frees the charger; the stored intent survives."""
    await hass.services.async_call(
        DOMAIN,
        "set_charger_current",
        {"device_id": charger_device_id(hass), "current": 12},
        blocking=True,
    )
    assert quasar_sim.read_register(REG_SETPOINT) == 12
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass_storage[STORE_KEY]["data"]["intent"]["setpoint_a"] == 12


async def test_setup_resumes_stored_intent(
    hass: HomeAssistant,
    quasar_sim: QuasarSimulator,
    quasar_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """After a restart the charger is put back where the user asked."""
    hass_storage[STORE_KEY] = {
        "version": 1,
        "key": STORE_KEY,
        "data": {
            "charged_kwh": 12.5,
            "discharged_kwh": 1.25,
            "intent": {"setpoint_a": 10, "running": True, "until": None},
        },
    }
    quasar_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(quasar_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert quasar_sim.read_register(REG_SETPOINT) == 10
    assert hass.states.get(STATUS).state == "charging"
    assert float(hass.states.get("sensor.wallbox_quasar_energy_charged").state) >= 12.5
    assert hass.states.get("sensor.wallbox_quasar_energy_discharged").state == "1.25"


async def test_setup_drops_expired_intent(
    hass: HomeAssistant,
    quasar_sim: QuasarSimulator,
    quasar_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """A timed command that ended while Home Assistant was down is not resumed."""
    until = (dt_util.utcnow() - timedelta(minutes=1)).isoformat()
    hass_storage[STORE_KEY] = {
        "version": 1,
        "key": STORE_KEY,
        "data": {
            "charged_kwh": 0.0,
            "discharged_kwh": 0.0,
            "intent": {"setpoint_a": -10, "running": True, "until": until},
        },
    }
    quasar_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(quasar_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert hass.states.get(STATUS).state != "discharging"


async def test_energy_totals_grow_while_charging(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Energy dashboard's total follows what the charger delivered."""
    for _ in range(6):
        await _poll(hass, freezer)
    charged = float(hass.states.get("sensor.wallbox_quasar_energy_charged").state)
    # 60 s at about 7.4 kW, integrated from 10-second readings.
    assert charged == pytest.approx(quasar_sim.energy_charged_wh / 1000, rel=0.05)
    assert charged > 0.1


async def test_remove_entry_forgets_store(
    hass: HomeAssistant, init_quasar: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Removing the charger removes what we stored for it."""
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: CHARGING}, blocking=True
    )
    assert STORE_KEY in hass_storage
    await hass.config_entries.async_remove(init_quasar.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert STORE_KEY not in hass_storage


async def test_the_charger_s_device_goes_only_with_its_entry(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Deleting the charger's device alone is refused: the entry is the charger."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": init_quasar.entry_id,
            "device_id": charger_device_id(hass),
        }
    )
    response = await client.receive_json()
    assert not response["success"]
    assert init_quasar.state is ConfigEntryState.LOADED
