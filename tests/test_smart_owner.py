"""Smart charging as an automatic writer: it steps back from a person, and gives back
only what it took. Each test is a case seen before the owner existed, and failed then.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import DOMAIN
from simulators.battery import Battery
from simulators.psacc import PsaccSimulator
from simulators.quasar import QuasarSimulator

from .conftest import QUASAR_SERIAL, advance, charger_device_id
from .psacc_fixtures import (
    E208,
    car_device_id,
    init_psacc,
    psacc_entry,
    psacc_report_minutes,
    psacc_sim,
)

__all__ = ["init_psacc", "psacc_entry", "psacc_report_minutes", "psacc_sim"]

SMART = "switch.peugeot_e_208_smart_charging"
CHARGING = "switch.peugeot_e_208_charging"
LINKED = "select.peugeot_e_208_linked_charger"
PLAN = "sensor.peugeot_e_208_charge_plan"
CAR_CONTROLLED_BY = "sensor.peugeot_e_208_controlled_by"
CHARGER_CONTROLLED_BY = "sensor.wallbox_quasar_controlled_by"
LAST_COMMAND = "sensor.peugeot_e_208_last_charge_command"
REG_CONTROL = 0x51
REG_SETPOINT = 0x102


@pytest.fixture(autouse=True)
async def paris(hass: HomeAssistant) -> None:
    """The tests' 12:00 UTC is 14:00 in Paris, outside the 20:00-06:00 windows."""
    await hass.config.async_set_time_zone("Europe/Paris")


@pytest.fixture
def car_battery(psacc_sim: PsaccSimulator) -> Battery:
    """The e-208's battery is the one the Quasar charges: they are one car."""
    return psacc_sim.car(E208).battery


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _action(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    result = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )
    await hass.async_block_till_done()
    return result


async def _switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: entity_id},
        blocking=True,
    )
    await hass.async_block_till_done()


async def _plugged_at_the_linked_quasar(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    quasar_sim: QuasarSimulator,
    car_battery: Battery,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Plug the e-208 into the Quasar (not charging by itself) and link the two."""
    psacc_sim.plug(E208, charge=False)
    quasar_sim.plug(car_battery)
    await advance(hass, freezer, 11 * 60, step=10)
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: LINKED, ATTR_OPTION: f"Wallbox Quasar {QUASAR_SERIAL}"},
        blocking=True,
    )


async def _smart_with_night_windows(hass: HomeAssistant, *, limit: int = 80) -> str:
    """Turn smart charging on with 20:00-06:00 windows; return the car's device id."""
    device_id = car_device_id(hass, E208)
    await _action(
        hass,
        "set_off_peak_windows",
        {"device_id": device_id, "windows": [{"start": "20:00", "end": "06:00"}]},
    )
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {
            ATTR_ENTITY_ID: "select.peugeot_e_208_off_peak_source",
            ATTR_OPTION: "windows",
        },
        blocking=True,
    )
    await _action(hass, "set_charge_limits", {"device_id": device_id, "limit": limit})
    await _switch(hass, SMART, True)
    return device_id


async def test_smart_charging_steps_back_from_a_person_s_charger_command(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    init_quasar: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    quasar_sim: QuasarSimulator,
    car_battery: Battery,
    freezer: FrozenDateTimeFactory,
) -> None:
    """16 A for 60 minutes holds on a linked charger; the plan resumes after."""
    car_battery.soc_pct = 50.0
    await _plugged_at_the_linked_quasar(
        hass, psacc_sim, quasar_sim, car_battery, freezer
    )
    device_id = await _smart_with_night_windows(hass)
    # Outside the windows the plan pauses the charger.
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    assert _state(hass, CHARGER_CONTROLLED_BY) == "smart_charging"
    await _action(
        hass,
        "set_charger_current",
        {"device_id": charger_device_id(hass), "current": 16, "minutes": 60},
    )
    for _ in range(6):
        await advance(hass, freezer, 10 * 60 - 30, step=10)
        assert quasar_sim.read_register(REG_SETPOINT) == 16
        assert _state(hass, "sensor.wallbox_quasar_status") == "charging"
        assert _state(hass, CHARGER_CONTROLLED_BY) == "you"
    plan = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert plan["charger_controlled_by"]["controller"] == "you"
    # The person's hour is over: handed back, and the plan pauses it again.
    await advance(hass, freezer, 5 * 60, step=10)
    assert _state(hass, CHARGER_CONTROLLED_BY) == "smart_charging"
    assert _state(hass, "sensor.wallbox_quasar_status") == "paused"


async def test_a_person_s_stop_during_charge_now_holds(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """ "Turn off Peugeot e-208 charging" during a charge now is not undone later."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    device_id = await _smart_with_night_windows(hass)
    await _action(hass, "charge_now", {"device_id": device_id})
    assert _state(hass, PLAN) == "charging_now"
    assert psacc_sim.car(E208).charging
    result = await conversation.async_converse(
        hass, "turn off Peugeot e-208 charging", None, Context(), language="en"
    )
    await hass.async_block_till_done()
    assert result.response.intent is not None
    assert result.response.intent.intent_type == "HassTurnOff"
    assert not psacc_sim.car(E208).charging
    assert _state(hass, CAR_CONTROLLED_BY) == "you"
    starts = psacc_sim.requests.get("charge_now", 0)
    await advance(hass, freezer, 30 * 60, step=60)
    assert not psacc_sim.car(E208).charging
    assert psacc_sim.requests.get("charge_now", 0) == starts
    status = await conversation.async_converse(
        hass, "how is the Peugeot e-208 charging", None, Context(), language="en"
    )
    speech = status.response.speech["plain"]["speech"]
    assert "You took over its charging yourself" in speech
    assert "charging now" not in speech
    # Unplugged, the person's stop ends with the session: the plan is back.
    psacc_sim.unplug(E208)
    await advance(hass, freezer, 11 * 60, step=60)
    assert _state(hass, CAR_CONTROLLED_BY) != "you"


async def test_turning_smart_charging_off_starts_nothing_it_did_not_stop(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charge we started (charge now) and stopped at the limit is not restarted."""
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    device_id = await _smart_with_night_windows(hass, limit=50)
    await _action(hass, "charge_now", {"device_id": device_id})
    await advance(hass, freezer, 70 * 60, step=30)
    assert _state(hass, LAST_COMMAND) == "stop_cloud"
    assert not psacc_sim.car(E208).charging
    starts = psacc_sim.requests.get("charge_now", 0)
    await _switch(hass, SMART, False)
    await advance(hass, freezer, 11 * 60, step=60)
    assert psacc_sim.requests.get("charge_now", 0) == starts
    assert not psacc_sim.car(E208).charging


async def test_charge_now_at_the_limit_says_why_it_does_nothing(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Within two points of the limit a stopped car is not restarted: said, not hidden."""
    psacc_sim.car(E208).battery.soc_pct = 79.0
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    device_id = await _smart_with_night_windows(hass, limit=80)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "charge_now", {"device_id": device_id})
    assert err.value.translation_key == "smart_charge_now_at_limit"
    assert err.value.translation_placeholders["limit"] == "80"
    assert err.value.translation_placeholders["soc"] == "79"
    plan = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert plan["state"] == "limit_reached"
    assert not psacc_sim.car(E208).charging


async def test_charge_now_unplugged_says_why(
    hass: HomeAssistant, init_psacc: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Unplugged, charge now is refused with the reason, and nothing is kept."""
    device_id = await _smart_with_night_windows(hass)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "charge_now", {"device_id": device_id})
    assert err.value.translation_key == "smart_charge_now_not_plugged"
    plan = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert plan["state"] == "not_plugged"
    assert plan["controlled_by"]["controller"] == "smart_charging"


async def test_smart_charging_s_hold_on_the_charger_ends_with_the_session(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    init_quasar: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    quasar_sim: QuasarSimulator,
    car_battery: Battery,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Smart charging's pause was for the car plugged in: unplugged, the app has it."""
    await _plugged_at_the_linked_quasar(
        hass, psacc_sim, quasar_sim, car_battery, freezer
    )
    await _smart_with_night_windows(hass)
    assert _state(hass, CHARGER_CONTROLLED_BY) == "smart_charging"
    assert _state(hass, "sensor.wallbox_quasar_status") == "paused"
    quasar_sim.unplug()
    await advance(hass, freezer, 30, step=10)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert _state(hass, CHARGER_CONTROLLED_BY) == "app"
    assert init_quasar.runtime_data.coordinator.intent is None


async def test_no_start_stop_loop_at_the_limit(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    init_quasar: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    quasar_sim: QuasarSimulator,
    car_battery: Battery,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Paused at the limit, the charger's last reading holds, not the cloud's older one.

    Found by bench.control_soak: the paused Quasar reads no SoC, the cloud's report
    from before was below the limit, and the charger was started and stopped again
    hundreds of times a second.
    """
    car_battery.soc_pct = 73.0
    await _plugged_at_the_linked_quasar(
        hass, psacc_sim, quasar_sim, car_battery, freezer
    )
    device_id = car_device_id(hass, E208)
    await _action(hass, "set_charge_limits", {"device_id": device_id, "limit": 80})
    await _switch(hass, SMART, True)
    await advance(hass, freezer, 60 * 60, step=10)
    actions = [value for addr, value in quasar_sim.writes if addr == 0x101]
    assert actions.count(2) <= 3, actions
    assert _state(hass, "sensor.wallbox_quasar_status") == "paused"
    assert abs(car_battery.soc_pct - 80) <= 1.0
