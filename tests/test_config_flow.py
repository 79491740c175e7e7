"""The config flow: every step, every error followed by recovery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import (
    CONF_KIND,
    CONF_SCAN_INTERVAL,
    CONF_UNIT_ID,
    DOMAIN,
)
from simulators.battery import Battery
from simulators.quasar import QuasarSimulator

from .conftest import QUASAR_SERIAL, FrozenTimeClock


def _form(sim: QuasarSimulator, **changes: object) -> dict[str, object]:
    return {CONF_HOST: "127.0.0.1", CONF_PORT: sim.port, CONF_UNIT_ID: 1, **changes}


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert "quasar" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "quasar"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "quasar"
    assert result["errors"] == {}
    return str(result["flow_id"])


@pytest.fixture
async def other_sim(socket_enabled: None) -> AsyncIterator[QuasarSimulator]:
    """A second charger, with another serial."""
    sim = QuasarSimulator(
        serial="654321",
        battery=Battery(capacity_kwh=40.0, soc_pct=70.0),
        clock=FrozenTimeClock(),
    )
    await sim.start("127.0.0.1", 0)
    yield sim
    await sim.stop()


async def test_user_flow_creates_entry(
    hass: HomeAssistant, quasar_sim: QuasarSimulator
) -> None:
    """The charger is read before the entry exists, and named by its serial."""
    flow_id = await _start(hass)
    with patch(
        "custom_components.ev_charge_control.async_setup_entry", return_value=True
    ) as setup:
        result = await hass.config_entries.flow.async_configure(
            flow_id, _form(quasar_sim, host=" 127.0.0.1 ")
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Wallbox Quasar {QUASAR_SERIAL}"
    assert result["data"] == {
        CONF_KIND: "quasar",
        CONF_HOST: "127.0.0.1",
        CONF_PORT: quasar_sim.port,
        CONF_UNIT_ID: 1,
    }
    assert result["result"].unique_id == QUASAR_SERIAL
    assert len(setup.mock_calls) == 1


async def test_user_flow_cannot_connect_then_recovers(
    hass: HomeAssistant, quasar_sim: QuasarSimulator
) -> None:
    """Nothing listening: the host field says so; the user fixes it and goes on."""
    flow_id = await _start(hass)
    quasar_sim.refuse_connections = True
    result = await hass.config_entries.flow.async_configure(flow_id, _form(quasar_sim))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "cannot_connect"}

    quasar_sim.refuse_connections = False
    result = await hass.config_entries.flow.async_configure(flow_id, _form(quasar_sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_modbus_error_then_recovers(
    hass: HomeAssistant, quasar_sim: QuasarSimulator
) -> None:
    """A refused read points at the unit id."""
    flow_id = await _start(hass)
    quasar_sim.fail_with_exception = 2
    result = await hass.config_entries.flow.async_configure(flow_id, _form(quasar_sim))
    assert result["errors"] == {CONF_UNIT_ID: "modbus_error"}

    quasar_sim.fail_with_exception = None
    result = await hass.config_entries.flow.async_configure(flow_id, _form(quasar_sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_unknown_error_then_recovers(
    hass: HomeAssistant, quasar_sim: QuasarSimulator
) -> None:
    """A bug of ours is logged and shown as unknown, and the form stays usable."""
    flow_id = await _start(hass)
    with patch(
        "custom_components.ev_charge_control.quasar.config_flow.QuasarClient.read_identity",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, _form(quasar_sim)
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(flow_id, _form(quasar_sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_already_configured(
    hass: HomeAssistant, quasar_sim: QuasarSimulator, quasar_entry: MockConfigEntry
) -> None:
    """The same charger cannot be added twice, whatever address it is reached by."""
    quasar_entry.add_to_hass(hass)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, _form(quasar_sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_user_flow_rejects_bad_port(
    hass: HomeAssistant, quasar_sim: QuasarSimulator
) -> None:
    """A port outside 1-65535 never reaches the charger."""
    flow_id = await _start(hass)
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            flow_id, _form(quasar_sim, port=70000)
        )


async def test_reconfigure(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A new address of the same charger is taken, and the entry reloads on it."""
    moved = QuasarSimulator(
        serial=QUASAR_SERIAL,
        battery=Battery(capacity_kwh=52.0, soc_pct=40.0),
        clock=FrozenTimeClock(),
    )
    await moved.start("127.0.0.1", 0)
    try:
        result = await init_quasar.start_reconfigure_flow(hass)
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "reconfigure_quasar"

        moved.refuse_connections = True
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _form(moved)
        )
        assert result["errors"] == {CONF_HOST: "cannot_connect"}

        moved.refuse_connections = False
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _form(moved)
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        assert init_quasar.data[CONF_PORT] == moved.port
        await hass.async_block_till_done()
        assert init_quasar.runtime_data.client.port == moved.port
    finally:
        await hass.config_entries.async_unload(init_quasar.entry_id)
        await moved.stop()


async def test_reconfigure_wrong_device(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    other_sim: QuasarSimulator,
) -> None:
    """Another charger at the new address is refused; the entry keeps its data."""
    result = await init_quasar.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _form(other_sim)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert init_quasar.data[CONF_PORT] == quasar_sim.port


async def test_only_a_charger_has_options(
    hass: HomeAssistant, init_quasar: MockConfigEntry
) -> None:
    """The entry's kind decides whether its card offers options."""
    car_server = MockConfigEntry(
        domain=DOMAIN, data={CONF_KIND: "psacc", "url": "http://127.0.0.1:1"}
    )
    car_server.add_to_hass(hass)
    assert init_quasar.supports_options is True
    assert car_server.supports_options is False


async def test_options_flow(hass: HomeAssistant, init_quasar: MockConfigEntry) -> None:
    """The poll interval is tuned, and the entry reloads with it."""
    result = await hass.config_entries.options.async_init(init_quasar.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_quasar.options == {CONF_SCAN_INTERVAL: 30}
    await hass.async_block_till_done()
    coordinator = init_quasar.runtime_data.coordinator
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 30
    assert init_quasar.runtime_data.client.idle_timeout_s == 120


async def test_options_flow_floor(
    hass: HomeAssistant, init_quasar: MockConfigEntry
) -> None:
    """A poll interval below the floor is refused; the options stay as they were."""
    result = await hass.config_entries.options.async_init(init_quasar.entry_id)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_SCAN_INTERVAL: 1}
        )
    assert init_quasar.options == {}
