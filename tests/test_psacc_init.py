"""Setting up a psa_car_controller server, polling it, outages and wake-ups."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_URL, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.json import JSONEncoder
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.ev_charge_control.const import CONF_KIND, CONF_VINS, DOMAIN
from custom_components.ev_charge_control.diagnostics import (
    async_get_config_entry_diagnostics,
)
from simulators.psacc import PsaccSimulator

from .conftest import advance
from .psacc_fixtures import *  # noqa: F403 - the psa_car_controller fixtures
from .psacc_fixtures import CORSA, E208, psacc_url

BATTERY = "sensor.peugeot_e_208_battery"
LAST_REPORT = "sensor.peugeot_e_208_last_report"
STATUS = "sensor.peugeot_e_208_charging_status"
WAKEUPS_LEFT = "sensor.peugeot_e_208_wake_ups_available"


async def test_setup_and_unload(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, init_psacc: MockConfigEntry
) -> None:
    """One coordinator per car; only the cache is read, never the car."""
    assert init_psacc.state is ConfigEntryState.LOADED
    assert set(init_psacc.runtime_data.coordinators) == {E208, CORSA}
    assert hass.states.get(BATTERY).state == "40.0"
    assert sum(psacc_sim.car_calls.values()) == 0
    assert await hass.config_entries.async_unload(init_psacc.entry_id)
    assert init_psacc.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE


async def test_setup_retries_when_unreachable(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, psacc_entry: MockConfigEntry
) -> None:
    """A server that is down makes setup retry, with the reason."""
    await psacc_sim.stop()
    psacc_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(psacc_entry.entry_id)
    assert psacc_entry.state is ConfigEntryState.SETUP_RETRY
    assert "did not answer" in str(psacc_entry.reason)


async def test_setup_retries_on_server_error(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, psacc_entry: MockConfigEntry
) -> None:
    """Flask's 500 page on the first state read: setup retries too."""
    psacc_entry.add_to_hass(hass)
    psacc_sim.cars[E208].report = None
    await psacc_sim.stop()
    psacc_sim.fail_all = True
    await psacc_sim.start("127.0.0.1", psacc_sim.port)
    await hass.config_entries.async_setup(psacc_entry.entry_id)
    assert psacc_entry.state is ConfigEntryState.SETUP_RETRY


async def test_car_gone_from_server(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A chosen car the server no longer lists is left out; the others work."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=psacc_url(psacc_sim),
        data={
            CONF_KIND: "psacc",
            CONF_URL: psacc_url(psacc_sim),
            CONF_VINS: ["VR3GONEXXXX000009", E208],
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert list(entry.runtime_data.coordinators) == [E208]
    assert "no longer lists 1 of the chosen cars" in caplog.text
    assert "VR3GONE" not in caplog.text


async def test_outage_and_recovery(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Entities go unavailable while the server fails, and come back with it."""
    psacc_sim.fail_all = True
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE
    psacc_sim.fail_all = False
    await psacc_sim.stop()
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(BATTERY).state == STATE_UNAVAILABLE
    await psacc_sim.start("127.0.0.1", psacc_sim.port)
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(BATTERY).state == "40.0"


async def test_unknown_vin_on_server_is_unavailable(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The server forgetting a car (its HTML 500) makes only that car unavailable."""
    gone = psacc_sim.cars.pop(CORSA)
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get("sensor.opel_corsa_e_battery").state == STATE_UNAVAILABLE
    assert hass.states.get(BATTERY).state == "40.0"
    psacc_sim.cars[CORSA] = gone
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get("sensor.opel_corsa_e_battery").state == "65.0"


@pytest.mark.parametrize("psacc_report_minutes", [600.0])
async def test_auto_wakeup_only_for_old_charging_data(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charging car silent for over 30 minutes is woken, once per 30 minutes."""
    # Parked and unplugged: never woken, however old its report.
    await advance(hass, freezer, 40 * 60, step=60)
    assert psacc_sim.requests["wakeup"] == 0

    psacc_sim.plug(E208)
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 25 * 60, step=60)
    assert psacc_sim.requests["wakeup"] == 0
    before = hass.states.get(LAST_REPORT).state
    await advance(hass, freezer, 10 * 60, step=60)
    assert psacc_sim.requests["wakeup"] == 1
    # The woken car reported; the next read shows it.
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(LAST_REPORT).state > before
    assert hass.states.get(WAKEUPS_LEFT).state == "5"
    # Fresh again: no more wake-ups until it is old again. The margins are wide:
    # frozen time also ticks with the wall clock, and a busy machine adds minutes.
    await advance(hass, freezer, 20 * 60, step=60)
    assert psacc_sim.requests["wakeup"] == 1
    await advance(hass, freezer, 20 * 60, step=60)
    assert psacc_sim.requests["wakeup"] == 2
    assert sum(psacc_sim.car_calls.values()) == 0


@pytest.mark.parametrize("psacc_report_minutes", [600.0])
async def test_auto_wakeup_within_budget(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """When the budget is spent, no automatic wake-up is asked."""
    psacc_sim.plug(E208)
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 28 * 60, step=60)
    budget = init_psacc.runtime_data.budget
    while budget.try_take(psacc_sim.now()):
        pass
    await advance(hass, freezer, 5 * 60, step=60)
    assert psacc_sim.requests["wakeup"] == 0
    assert hass.states.get(WAKEUPS_LEFT).state == "0"
    # The budget comes back, and the wake-up happens then.
    await advance(hass, freezer, 16 * 60, step=60)
    assert psacc_sim.requests["wakeup"] == 1


@pytest.mark.parametrize("psacc_report_minutes", [600.0])
async def test_auto_wakeup_failure_is_logged(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused wake-up leaves the entities available, and is logged."""
    psacc_sim.plug(E208)
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 28 * 60, step=60)
    # Something else spent the server's own limit.
    psacc_sim.wakeups.extend([psacc_sim.clock.now()] * 6)
    await advance(hass, freezer, 4 * 60, step=60)
    assert "Could not wake Peugeot e-208" in caplog.text
    assert hass.states.get(STATUS).state == "charging"
    # Tried once, not again at every poll: the next try waits for the interval.
    assert psacc_sim.requests["wakeup"] == 1
    assert hass.states.get(WAKEUPS_LEFT).state == "5"


async def test_diagnostics(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics say what the server reads, without VINs, places or its address."""
    # Through Home Assistant's JSON encoder, as the download is; not over HTTP,
    # because the test's access token was issued before the simulated clock moved.
    diagnostics = json.loads(
        json.dumps(
            await async_get_config_entry_diagnostics(hass, init_psacc),
            cls=JSONEncoder,
        )
    )
    text = json.dumps(diagnostics)
    for secret in (E208, CORSA, "127.0.0.1", "48.8566", "2.3522", "51.2277"):
        assert secret not in text
    assert len(diagnostics["vehicles"]) == 2
    assert diagnostics["wakeups_available"] == 6
    # The estimate is for "now", which ticks with the wall clock during setup.
    assert diagnostics == snapshot(exclude=props("port", "estimated_at"))


async def test_a_car_the_server_dropped_can_be_deleted_by_hand(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A followed car's device cannot be deleted; one the server no longer lists can."""
    assert await async_setup_component(hass, "config", {})
    devices = dr.async_get(hass)
    e208 = devices.async_get_device_by_identifier((DOMAIN, E208), init_psacc.entry_id)
    corsa = devices.async_get_device_by_identifier((DOMAIN, CORSA), init_psacc.entry_id)
    assert e208 is not None
    assert corsa is not None
    client = await hass_ws_client(hass)

    async def remove(device_id: str) -> bool:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_psacc.entry_id,
                "device_id": device_id,
            }
        )
        response = await client.receive_json()
        return bool(response["success"])

    assert not await remove(corsa.id)
    issues = ir.async_get(hass)
    issue_id = f"psacc_cars_missing_{init_psacc.entry_id}"
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    gone = psacc_sim.cars.pop(CORSA)
    assert await hass.config_entries.async_reload(init_psacc.entry_id)
    await hass.async_block_till_done()
    # The user is asked to reconfigure; the car coming back takes the question away.
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "title": init_psacc.title,
        "count": "1",
    }
    psacc_sim.cars[CORSA] = gone
    assert await hass.config_entries.async_reload(init_psacc.entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    psacc_sim.cars.pop(CORSA)
    assert await hass.config_entries.async_reload(init_psacc.entry_id)
    await hass.async_block_till_done()
    assert await remove(corsa.id)
    assert devices.async_get(corsa.id) is None
    assert not await remove(e208.id)
    assert devices.async_get(e208.id) is not None
