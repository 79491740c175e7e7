"""Assist: the shipped sentences through the real conversation agent, the intents directly.

The cars are a psa_car_controller server's (the simulator over HTTP); every answer is
checked against what the car's plan and entities say afterwards.
"""

from __future__ import annotations

from datetime import datetime
import logging
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.blueprints import SHIPPED_SENTENCES
from custom_components.ev_charge_control.const import CONF_VINS, DOMAIN
from custom_components.ev_charge_control.intent import (
    INTENT_CAR_STATUS,
    INTENT_CHARGE_NOW,
    INTENT_SET_CHARGE_LIMIT,
    when,
)
from simulators.psacc import PsaccSimulator

from .conftest import advance
from .psacc_fixtures import (
    CORSA,
    E208,
    car_device_id,
    init_psacc,
    psacc_entry,
    psacc_report_minutes,
    psacc_sim,
)

__all__ = ["init_psacc", "psacc_entry", "psacc_report_minutes", "psacc_sim"]

SENTENCES = Path("en") / f"{DOMAIN}.yaml"
SWITCH = "switch.peugeot_e_208_smart_charging"
LIMIT = "number.peugeot_e_208_charge_limit"
PLAN = "sensor.peugeot_e_208_charge_plan"
ESTIMATE = "sensor.peugeot_e_208_estimated_battery"
SOURCE = "select.peugeot_e_208_off_peak_source"


@pytest.fixture(autouse=True)
async def paris(hass: HomeAssistant) -> None:
    """Answers say Home Assistant's local time: the tests' 12:00 UTC is 14:00 in Paris."""
    await hass.config.async_set_time_zone("Europe/Paris")


@pytest.fixture
async def assist(hass: HomeAssistant, init_psacc: MockConfigEntry) -> MockConfigEntry:
    """Set up the conversation agent (and the intents) after the integration."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    return init_psacc


async def _say(hass: HomeAssistant, text: str) -> intent.IntentResponse:
    """Ask the default conversation agent, as a voice satellite would."""
    result = await conversation.async_converse(
        hass, text, None, Context(), language="en"
    )
    await hass.async_block_till_done()
    return result.response


def _speech(response: intent.IntentResponse) -> str:
    speech: str = response.speech["plain"]["speech"]
    return speech


async def _handle(
    hass: HomeAssistant, intent_type: str, **slots: Any
) -> intent.IntentResponse:
    """Call an intent directly, as an LLM agent or another integration would."""
    response = await intent.async_handle(
        hass,
        "test",
        intent_type,
        {name: {"value": value} for name, value in slots.items()},
    )
    await hass.async_block_till_done()
    return response


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


async def _refusal(hass: HomeAssistant, service: str, data: dict[str, Any]) -> str:
    """Return the words the action refuses this call with."""
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, service, data)
    return str(err.value)


async def _plan(hass: HomeAssistant) -> dict[str, Any]:
    plan: dict[str, Any] = await _action(
        hass, "get_plan", {"device_id": car_device_id(hass, E208)}, response=True
    )
    return plan


async def _turn_on(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    await hass.async_block_till_done()


async def _night_windows(hass: HomeAssistant) -> None:
    """Make the e-208 wait for a 20:00-06:00 window (it is 14:00)."""
    await _action(
        hass,
        "set_off_peak_windows",
        {
            "device_id": car_device_id(hass, E208),
            "windows": [{"start": "20:00", "end": "06:00"}],
        },
    )
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: SOURCE, ATTR_OPTION: "windows"},
        blocking=True,
    )
    await hass.async_block_till_done()


def _clock(iso: str) -> str:
    """Return a plan time (ISO, UTC) as the answers say it: HH:MM in Paris."""
    return dt_util.as_local(datetime.fromisoformat(iso)).strftime("%H:%M")


# --- the sentences file -------------------------------------------------------------


async def test_sentences_installed(hass: HomeAssistant) -> None:
    """The English sentences land in <config>/custom_sentences/en."""
    assert await async_setup_component(hass, DOMAIN, {})
    installed = Path(hass.config.path("custom_sentences")) / SENTENCES
    assert installed.read_text() == (SHIPPED_SENTENCES / SENTENCES).read_text()


async def test_user_sentences_kept(hass: HomeAssistant) -> None:
    """Sentences the user edited are not overwritten."""
    installed = Path(hass.config.path("custom_sentences")) / SENTENCES
    installed.parent.mkdir(parents=True)
    installed.write_text("# mine\n")
    assert await async_setup_component(hass, DOMAIN, {})
    assert installed.read_text() == "# mine\n"


async def test_sentences_understood_when_assist_loaded_first(
    hass: HomeAssistant, psacc_entry: MockConfigEntry
) -> None:
    """Added while Assist has its sentences loaded, ours are understood at once."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    before = await _say(hass, "how is the Peugeot e-208 charging")
    assert before.response_type is intent.IntentResponseType.ERROR
    psacc_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(psacc_entry.entry_id)
    await hass.async_block_till_done()
    after = await _say(hass, "how is the Peugeot e-208 charging")
    assert after.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert _speech(after).startswith("Smart charging is off for Peugeot e-208")


# --- the charge limit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "limit"),
    [
        ("set the charge limit of the Peugeot e-208 to 90 %", 90),
        ("Set the charging limit for my peugeot e 208 to 95 percent", 95),
        ("set the Peugeot e-208's charge limit to 70%", 70),
        ("charge the PEUGEOT E208 up to 100 %", 100),
    ],
)
async def test_set_limit_by_voice(
    hass: HomeAssistant, assist: MockConfigEntry, sentence: str, limit: int
) -> None:
    """The limit changes, whatever the case, spacing, article or possessive said."""
    response = await _say(hass, sentence)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert _speech(response) == f"Peugeot e-208 will charge up to {limit} %."
    assert _state(hass, LIMIT) == str(limit)
    assert (await _plan(hass))["limit"] == limit


async def test_bad_limit_answers_the_refusal(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A limit the car cannot take is answered with the action's words; nothing changes."""
    device_id = car_device_id(hass, E208)
    too_low = await _refusal(
        hass, "set_charge_limits", {"device_id": device_id, "limit": 40}
    )
    assert "50" in too_low
    response = await _say(hass, "charge the Peugeot e-208 to 40 %")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == too_low

    await _action(hass, "set_charge_limits", {"device_id": device_id, "floor": 60})
    under_floor = await _refusal(
        hass, "set_charge_limits", {"device_id": device_id, "limit": 55}
    )
    response = await _handle(
        hass, INTENT_SET_CHARGE_LIMIT, name="Peugeot e-208", limit=55
    )
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == under_floor
    assert _state(hass, LIMIT) == "80"
    plan = await _plan(hass)
    assert (plan["limit"], plan["floor"]) == (80, 60)


async def test_limit_that_is_not_a_number_is_refused(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A caller that passes words for the limit gets the intent's slot error."""
    with pytest.raises(intent.InvalidSlotInfo):
        await _handle(hass, INTENT_SET_CHARGE_LIMIT, name="Peugeot e-208", limit="lots")
    assert _state(hass, LIMIT) == "80"


# --- charge now ---------------------------------------------------------------------


async def test_charge_now_by_voice(
    hass: HomeAssistant,
    assist: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A car waiting for the night window starts at once, up to its limit."""
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    await _night_windows(hass)
    await _turn_on(hass)
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    response = await _say(hass, "charge the Peugeot e-208 now")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert _speech(response) == "Charging Peugeot e-208 now, up to 80 %."
    assert _state(hass, PLAN) == "charging_now"
    assert psacc_sim.car(E208).charging


async def test_charge_now_for_minutes(
    hass: HomeAssistant,
    assist: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Minutes said are minutes charged; then the plan waits for its window again."""
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    await _night_windows(hass)
    await _turn_on(hass)
    response = await _say(hass, "start charging the Peugeot e-208 for 20 minutes")
    assert _speech(response) == "Charging Peugeot e-208 now for 20 minutes, up to 80 %."
    assert _state(hass, PLAN) == "charging_now"
    assert psacc_sim.car(E208).charging
    await advance(hass, freezer, 21 * 60, step=60)
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    assert not psacc_sim.car(E208).charging


async def test_charge_now_refused_as_the_action_would(
    hass: HomeAssistant, assist: MockConfigEntry, psacc_sim: PsaccSimulator
) -> None:
    """Smart charging off, or no minutes at all: the action's words, no charge now."""
    device_id = car_device_id(hass, E208)
    off = await _refusal(hass, "charge_now", {"device_id": device_id})
    response = await _say(hass, "charge the Peugeot e-208 now")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == off

    await _turn_on(hass)
    no_time = await _refusal(hass, "charge_now", {"device_id": device_id, "minutes": 0})
    response = await _handle(hass, INTENT_CHARGE_NOW, name="Peugeot e-208", minutes=0)
    assert _speech(response) == no_time
    assert (await _plan(hass))["state"] != "charging_now"
    assert not psacc_sim.car(E208).charging


async def test_charge_now_says_when_it_cannot_run(
    hass: HomeAssistant,
    assist: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unplugged, or already at the limit: the answer says so rather than "charging"."""
    await _turn_on(hass)
    response = await _handle(hass, INTENT_CHARGE_NOW, name="Peugeot e-208")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == (
        "Peugeot e-208 is not plugged in: plug it in, then ask again"
    )
    assert _state(hass, PLAN) == "not_plugged"

    psacc_sim.car(E208).battery.soc_pct = 81.0
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    response = await _say(hass, "charge the Peugeot e-208 now")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == (
        "Peugeot e-208 is already at its limit of 80 % (about 81 % now): "
        "raise the limit first for it to charge more"
    )
    assert _state(hass, PLAN) == "limit_reached"
    assert not psacc_sim.car(E208).charging


# --- how the charge goes ------------------------------------------------------------


async def test_status_says_the_plan_s_numbers(
    hass: HomeAssistant,
    assist: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Charging in the plan: the estimate, the limit and the plan's end, in local time."""
    psacc_sim.plug(E208)
    await advance(hass, freezer, 11 * 60, step=60)
    await _action(
        hass,
        "set_charge_limits",
        {"device_id": car_device_id(hass, E208), "limit": 90},
    )
    await _turn_on(hass)
    await advance(hass, freezer, 30 * 60, step=60)
    plan = await _plan(hass)
    assert plan["state"] == "charging_in_window"
    soc = round(plan["estimated_soc"])
    assert soc > 40
    expected = (
        f"Peugeot e-208 is at about {soc} %, charging until 90 %, "
        f"done around {_clock(plan['expected_end'])}."
    )
    response = await _say(hass, "how is the Peugeot e-208 charging")
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert _speech(response) == expected
    direct = await _handle(hass, INTENT_CAR_STATUS, name="peugeot e-208")
    assert _speech(direct) == expected
    assert round(float(_state(hass, ESTIMATE))) == soc


async def test_status_while_waiting_and_charging_now(
    hass: HomeAssistant,
    assist: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Waiting: when the window starts. Charged now for minutes: until when."""
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    await _night_windows(hass)
    await _turn_on(hass)
    plan = await _plan(hass)
    assert plan["state"] == "waiting_for_off_peak"
    assert _clock(plan["next_start"]) == "20:00"
    # 40 % to 80 % of 46 kWh at the 3.7 kW assumed for a car never seen charging.
    assert _clock(plan["expected_end"]) < "06:00"
    response = await _say(hass, "what's the charging status of the Peugeot e-208")
    assert _speech(response) == (
        f"Peugeot e-208 is at about {round(plan['estimated_soc'])} %, waiting for "
        f"off-peak hours: charging from 20:00 until 80 %, done around "
        f"{_clock(plan['expected_end'])} tomorrow."
    )

    await _say(hass, "charge the Peugeot e-208 now for 30 minutes")
    smart = assist.runtime_data.smart[E208]
    assert smart.settings.charge_now is not None
    until = smart.settings.charge_now.until
    assert until is not None
    plan = await _plan(hass)
    assert plan["state"] == "charging_now"
    stop_at = smart.decision.stop_at
    done = "" if stop_at is None else f", done around {_clock(stop_at.isoformat())}"
    response = await _say(hass, "how charged is the Peugeot e-208")
    assert _speech(response) == (
        f"Peugeot e-208 is at about {round(plan['estimated_soc'])} %, charging now "
        f"until {_clock(until.isoformat())} or until 80 %{done}."
    )


async def test_status_off_and_unplugged(
    hass: HomeAssistant, assist: MockConfigEntry, psacc_sim: PsaccSimulator
) -> None:
    """Smart charging off, then on but unplugged: said plainly, with the estimate."""
    plan = await _plan(hass)
    soc = round(plan["estimated_soc"])
    response = await _say(hass, "when will the Peugeot e-208 be charged")
    assert _speech(response) == (
        f"Smart charging is off for Peugeot e-208; it is at about {soc} %."
    )
    await _turn_on(hass)
    response = await _say(hass, "how is the Peugeot e-208 charging")
    assert (
        _speech(response) == f"Peugeot e-208 is not plugged in; it is at about {soc} %."
    )


@pytest.mark.parametrize("psacc_report_minutes", [240.0])
async def test_status_when_the_data_is_too_old(
    hass: HomeAssistant,
    assist: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A report older than its bound is not guessed from: the answer says how old."""
    # Plugged but waiting: a charging car would be woken for a fresh report.
    psacc_sim.plug(E208, charge=False)
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 61, step=61)
    await _night_windows(hass)
    await _turn_on(hass)
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    # Past the 75 minutes a cloud report is trusted for, and before the next one.
    await advance(hass, freezer, 80 * 60, step=120)
    assert _state(hass, PLAN) == "data_too_old"
    response = await _say(hass, "how is the Peugeot e-208 charging")
    assert _speech(response) == (
        "Peugeot e-208: its last report is too old to say how charged it is "
        "(it said 40 % at 14:00)."
    )


# --- which car ------------------------------------------------------------------------


async def test_unknown_car(
    hass: HomeAssistant, assist: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """No car by that name: a sentence naming the cars there are, no traceback."""
    with pytest.raises(intent.IntentHandleError) as err:
        await _handle(hass, INTENT_SET_CHARGE_LIMIT, name="the Tesla", limit=90)
    assert str(err.value) == (
        "No car of EV Charge Control is called Tesla; its cars: Opel Corsa-e, "
        "Peugeot e-208"
    )
    with caplog.at_level(logging.WARNING):
        response = await _say(hass, "set the charge limit of the Tesla to 90 %")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == "Sorry, I am not aware of any device called Tesla"
    # Nothing from Assist, the intent or us (asyncio may warn of a slow step on a
    # loaded machine; that is not ours to judge here).
    assert [
        record
        for record in caplog.records
        if record.exc_info is not None
        or (
            record.levelno >= logging.WARNING
            and record.name.startswith(("homeassistant", "custom_components"))
        )
    ] == []
    assert _state(hass, LIMIT) == "80"


async def test_two_cars_answer_to_the_name(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """ "My car" with two cars, or two cars the owner named alike: which one is asked."""
    with pytest.raises(intent.IntentHandleError) as err:
        await _handle(hass, INTENT_CHARGE_NOW, name="my car")
    assert str(err.value) == (
        "2 cars could be called car (Opel Corsa-e, Peugeot e-208): say the whole "
        "name, or rename one of them"
    )
    dr.async_get(hass).async_update_device(
        car_device_id(hass, CORSA), name_by_user="Peugeot e-208"
    )
    response = await _say(hass, "charge the Peugeot e-208 to 90 %")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == "Sorry, there are multiple devices called Peugeot e-208"
    assert _state(hass, LIMIT) == "80"


async def test_name_given_by_the_owner(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """The name the owner gave the device is heard, and said back."""
    dr.async_get(hass).async_update_device(
        car_device_id(hass, E208), name_by_user="Blue Lion"
    )
    response = await _say(hass, "set the charge limit of the blue lion to 85%")
    assert _speech(response) == "Blue Lion will charge up to 85 %."
    assert _state(hass, LIMIT) == "85"
    # The car's own name still reaches it.
    response = await _say(hass, "charge the Peugeot e-208 to 75 %")
    assert _speech(response) == "Blue Lion will charge up to 75 %."


@pytest.mark.parametrize("name", ["car", "my car", "the EV"])
async def test_one_car_is_the_car(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    psacc_entry: MockConfigEntry,
    name: str,
) -> None:
    """With a single car, "the car" is that car."""
    psacc_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        psacc_entry, data={**psacc_entry.data, CONF_VINS: [E208]}
    )
    assert await hass.config_entries.async_setup(psacc_entry.entry_id)
    await hass.async_block_till_done()
    assert await async_setup_component(hass, "intent", {})
    response = await _handle(hass, INTENT_SET_CHARGE_LIMIT, name=name, limit=65)
    assert _speech(response) == "Peugeot e-208 will charge up to 65 %."
    assert _state(hass, LIMIT) == "65"


async def test_car_hidden_from_assist(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A car none of whose entities is exposed is not for Assist to change."""
    registry = er.async_get(hass)
    for entry in er.async_entries_for_device(registry, car_device_id(hass, E208)):
        async_expose_entity(hass, "conversation", entry.entity_id, False)
    response = await _say(hass, "charge the Peugeot e-208 to 90 %")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert _speech(response) == "Sorry, Peugeot e-208 is not exposed"
    assert _state(hass, LIMIT) == "80"
    # Exposure is Assist's: a caller that names no assistant is not held to it.
    response = await _handle(
        hass, INTENT_SET_CHARGE_LIMIT, name="Peugeot e-208", limit=90
    )
    assert _state(hass, LIMIT) == "90"


# --- Home Assistant's own intents on our entities (the README's claims) --------------


async def test_built_in_intents_reach_our_entities(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """The switch is exposed by default; a sensor answers once exposed."""
    response = await _say(hass, "turn on Peugeot e-208 smart charging")
    assert response.intent is not None
    assert response.intent.intent_type == "HassTurnOn"
    assert _state(hass, SWITCH) == "on"
    response = await _say(hass, "is Peugeot e-208 smart charging on")
    assert _speech(response) == "Yes"
    response = await _say(hass, "turn off Peugeot e-208 smart charging")
    assert _state(hass, SWITCH) == "off"

    response = await _say(hass, "what is the Peugeot e-208 estimated battery")
    assert _speech(response) == "Sorry, Peugeot e-208 Estimated battery is not exposed"
    async_expose_entity(hass, "conversation", ESTIMATE, True)
    response = await _say(hass, "what is the Peugeot e-208 estimated battery")
    soc = _state(hass, ESTIMATE)
    assert _speech(response) == f"Peugeot e-208 estimated battery is {float(soc):g} %"
    # The plan sensor answers with its raw state: the status intent says it better.
    async_expose_entity(hass, "conversation", PLAN, True)
    response = await _say(hass, "what is the Peugeot e-208 charge plan")
    assert _speech(response) == "Peugeot e-208 charge plan is smart_charging_off"
    # Numbers have no built-in sentence: the limit is set through our intent only.
    async_expose_entity(hass, "conversation", LIMIT, True)
    response = await _say(hass, "what is the Peugeot e-208 charge limit")
    assert response.response_type is intent.IntentResponseType.ERROR
    response = await _say(hass, "set Peugeot e-208 charge limit to 70")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert response.intent is not None
    assert response.intent.intent_type == "EvChargeControlSetChargeLimit"


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        ("2026-06-01T16:05:00+00:00", "18:05"),
        ("2026-06-02T04:30:00+00:00", "06:30 tomorrow"),
        ("2026-05-31T20:00:00+00:00", "22:00 yesterday"),
        ("2026-06-04T08:00:00+00:00", "10:00 on Thursday"),
        ("2026-06-20T08:00:00+00:00", "10:00 on 2026-06-20"),
    ],
)
async def test_times_are_said_with_their_day(
    hass: HomeAssistant, moment: str, said: str
) -> None:
    """Local time of day; the day when it is not today (Monday 14:00 in Paris now)."""
    now = dt_util.parse_datetime("2026-06-01T12:00:00+00:00")
    at = dt_util.parse_datetime(moment)
    assert now is not None
    assert at is not None
    assert when(at, now) == said
