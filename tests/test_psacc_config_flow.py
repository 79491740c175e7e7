"""The psa_car_controller steps of the config flow: each error, then recovery."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import CONF_KIND, CONF_VINS, DOMAIN
from custom_components.ev_charge_control.psacc.config_flow import (
    normalise_url,
    server_title,
)
from simulators.psacc import PsaccSimulator

from .psacc_fixtures import *  # noqa: F403 - the psa_car_controller fixtures
from .psacc_fixtures import CORSA, E208, psacc_url

CLIENT = "custom_components.ev_charge_control.psacc.config_flow.PsaccClient"


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert "psacc" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "psacc"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "psacc"
    assert result["errors"] == {}
    return str(result["flow_id"])


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("HTTP://LocalHost:5000/", "http://localhost:5000"),
        ("http://localhost", "http://localhost:80"),
        (" https://Server.lan/psacc/ ", "https://server.lan:443/psacc"),
        ("ftp://server", None),
        ("localhost:5000", None),
        ("http://", None),
        ("http://[::1", None),
    ],
)
def test_normalise_url(raw: str, url: str | None) -> None:
    """One server typed two ways is one server; what is no URL is refused."""
    assert normalise_url(raw) == url


def test_server_title() -> None:
    """The title names the host and port."""
    assert server_title("http://127.0.0.1:5000") == "psa_car_controller 127.0.0.1:5000"


async def test_user_flow_creates_entry(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """The cars are listed from the server, all chosen by default."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: f"HTTP://127.0.0.1:{psacc_sim.port}/"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "psacc_vehicles"
    schema = result["data_schema"].schema
    (key,) = schema
    assert key.default() == sorted([E208, CORSA])
    options = schema[key].config["options"]
    assert {o["label"] for o in options} == {"Peugeot e-208", "Opel Corsa-e"}
    with patch(
        "custom_components.ev_charge_control.async_setup_entry", return_value=True
    ) as setup:
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_VINS: [CORSA]}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    url = psacc_url(psacc_sim)
    assert result["title"] == f"psa_car_controller 127.0.0.1:{psacc_sim.port}"
    assert result["data"] == {CONF_KIND: "psacc", CONF_URL: url, CONF_VINS: [CORSA]}
    assert result["result"].unique_id == url
    assert len(setup.mock_calls) == 1


async def test_user_flow_cannot_connect_then_recovers(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """Nothing listening: the URL field says so; the user fixes it and goes on."""
    flow_id = await _start(hass)
    with patch(f"{CLIENT}.list_vehicles", side_effect=_unreachable):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_URL: psacc_url(psacc_sim)}
        )
    assert result["errors"] == {CONF_URL: "psacc_cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["step_id"] == "psacc_vehicles"


async def _unreachable() -> None:
    from custom_components.ev_charge_control.drivers.models import (
        DeviceUnreachableError,
    )

    raise DeviceUnreachableError("refused")


async def test_user_flow_closed_port(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """A port where nothing listens is "cannot connect", through a real socket."""
    closed = PsaccSimulator()
    await closed.start("127.0.0.1", 0)
    url = closed.url
    await closed.stop()
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_URL: url})
    assert result["errors"] == {CONF_URL: "psacc_cannot_connect"}


async def test_user_flow_invalid_response_then_recovers(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """Flask's HTML error page is not a server we can use."""
    flow_id = await _start(hass)
    psacc_sim.fail_all = True
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["errors"] == {CONF_URL: "psacc_invalid_response"}
    psacc_sim.fail_all = False
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["step_id"] == "psacc_vehicles"


async def test_user_flow_invalid_url_then_recovers(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """An address that is no http URL never reaches the network."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: "localhost:5000"}
    )
    assert result["errors"] == {CONF_URL: "psacc_invalid_url"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["step_id"] == "psacc_vehicles"


async def test_user_flow_no_vehicles_then_recovers(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """A server with no car yet is told apart from a broken one."""
    flow_id = await _start(hass)
    with patch(f"{CLIENT}.list_vehicles", return_value=[]):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_URL: psacc_url(psacc_sim)}
        )
    assert result["errors"] == {CONF_URL: "psacc_no_vehicles"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["step_id"] == "psacc_vehicles"


async def test_user_flow_unknown_error_then_recovers(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """A bug of ours is logged and shown as unknown; the form stays usable."""
    flow_id = await _start(hass)
    with patch(f"{CLIENT}.list_vehicles", side_effect=RuntimeError("boom")):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_URL: psacc_url(psacc_sim)}
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["step_id"] == "psacc_vehicles"


async def test_user_flow_no_vehicle_chosen_then_recovers(
    hass: HomeAssistant, psacc_sim: PsaccSimulator
) -> None:
    """Choosing no car is refused on the cars field."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: psacc_url(psacc_sim)}
    )
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_VINS: []})
    assert result["errors"] == {CONF_VINS: "psacc_no_vehicle_selected"}
    with patch(
        "custom_components.ev_charge_control.async_setup_entry", return_value=True
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_VINS: [E208, CORSA]}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_VINS] == [E208, CORSA]


async def test_user_flow_already_configured(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, psacc_entry: MockConfigEntry
) -> None:
    """One entry per server, however its URL is written."""
    psacc_entry.add_to_hass(hass)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: f"http://127.0.0.1:{psacc_sim.port}/"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "psacc_already_configured"


async def test_reconfigure_chooses_other_cars(
    hass: HomeAssistant, init_psacc: MockConfigEntry, psacc_sim: PsaccSimulator
) -> None:
    """The same server with one car fewer: the entry reloads with that car only."""
    assert len(init_psacc.runtime_data.coordinators) == 2
    result = await init_psacc.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_psacc"
    psacc_sim.fail_all = True
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["errors"] == {CONF_URL: "psacc_invalid_response"}
    psacc_sim.fail_all = False
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: psacc_url(psacc_sim)}
    )
    assert result["step_id"] == "psacc_vehicles"
    (key,) = result["data_schema"].schema
    assert key.default() == [E208, CORSA]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_VINS: [E208]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "psacc_reconfigured"
    await hass.async_block_till_done()
    assert init_psacc.state is ConfigEntryState.LOADED
    assert init_psacc.data[CONF_VINS] == [E208]
    assert list(init_psacc.runtime_data.coordinators) == [E208]
    # The car no longer chosen leaves no device behind.
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), init_psacc.entry_id)
    assert [device.serial_number for device in devices] == [E208]


async def test_reconfigure_moves_server(
    hass: HomeAssistant, init_psacc: MockConfigEntry, psacc_sim: PsaccSimulator
) -> None:
    """The server at a new address: URL, unique id and title follow it."""
    moved = PsaccSimulator(start_at=psacc_sim.now())
    await moved.start("127.0.0.1", 0)
    try:
        result = await init_psacc.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_URL: moved.url}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_VINS: [E208]}
        )
        assert result["reason"] == "psacc_reconfigured"
        await hass.async_block_till_done()
        assert init_psacc.unique_id == moved.url
        assert init_psacc.data[CONF_URL] == moved.url
        assert init_psacc.title == f"psa_car_controller 127.0.0.1:{moved.port}"
        assert init_psacc.runtime_data.client.url == moved.url
    finally:
        await hass.config_entries.async_unload(init_psacc.entry_id)
        await moved.stop()


async def test_reconfigure_to_a_server_of_another_entry(
    hass: HomeAssistant, init_psacc: MockConfigEntry, psacc_sim: PsaccSimulator
) -> None:
    """Two entries cannot share a server; the entry keeps its own."""
    other = PsaccSimulator(start_at=psacc_sim.now())
    await other.start("127.0.0.1", 0)
    try:
        MockConfigEntry(
            domain=DOMAIN,
            unique_id=other.url,
            data={CONF_KIND: "psacc", CONF_URL: other.url, CONF_VINS: [E208]},
        ).add_to_hass(hass)
        result = await init_psacc.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_URL: other.url}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "psacc_already_configured"
        assert init_psacc.data[CONF_URL] == psacc_url(psacc_sim)
    finally:
        await other.stop()
