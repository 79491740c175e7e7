"""One owner for the charger's commands: fail-safe hand-backs, roll-backs, gaps.

Each test here is a case seen on the simulators and on an independent Quasar stand-in
before the owner existed (issue "One owner for every command"); each failed then.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import DOMAIN
from simulators.quasar import IdleBehaviour, QuasarSimulator

from .conftest import QUASAR_ENTRY_ID, advance, charger_device_id

REG_CONTROL = 0x51
REG_ACTION = 0x101
REG_SETPOINT = 0x102
STATUS = "sensor.wallbox_quasar_status"
CONTROLLED_BY = "sensor.wallbox_quasar_controlled_by"
STORE_KEY = f"{DOMAIN}.quasar.{QUASAR_ENTRY_ID}"
# Modbus exception 4: the charger failed the request.
DEVICE_FAILURE = 4


async def _set_current(
    hass: HomeAssistant, current: int, minutes: int | None = None
) -> dict[str, Any] | None:
    data: dict[str, Any] = {"device_id": charger_device_id(hass), "current": current}
    if minutes is not None:
        data["minutes"] = minutes
    return await hass.services.async_call(
        DOMAIN, "set_charger_current", data, blocking=True, return_response=True
    )


async def _discharge(hass: HomeAssistant, amps: int) -> None:
    """Set the discharge current number, as a person does on the device page."""
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: "number.wallbox_quasar_discharge_current", "value": amps},
        blocking=True,
    )


async def _pause(hass: HomeAssistant, minutes: int) -> None:
    await hass.services.async_call(
        DOMAIN,
        "pause_charger",
        {"device_id": charger_device_id(hass), "minutes": minutes},
        blocking=True,
    )


def _discharging(sim: QuasarSimulator) -> bool:
    return sim.read_register(0x020E) < 0


async def test_a_failed_hand_back_is_tried_again_until_confirmed(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A timed discharge whose hand-back fails once still ends within a minute.

    Our own polls are traffic, so the charger's idle timeout never hands it back:
    only our retry does.
    """
    await _set_current(hass, -10, minutes=2)
    assert _discharging(quasar_sim)
    assert hass.states.get(CONTROLLED_BY).state == "you"
    await advance(hass, freezer, 110)
    # The end comes at 120 s; the charger refuses the hand-back's writes then.
    quasar_sim.fail_writes = {REG_SETPOINT: DEVICE_FAILURE, REG_CONTROL: DEVICE_FAILURE}
    await advance(hass, freezer, 10, step=10)
    assert quasar_sim.read_register(REG_CONTROL) == 1
    quasar_sim.fail_writes = {}
    await advance(hass, freezer, 30, step=2)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert quasar_sim.read_register(REG_SETPOINT) == 0
    assert not _discharging(quasar_sim)
    assert hass.states.get(CONTROLLED_BY).state == "app"
    # Ten minutes on, still nothing flows out of the car.
    await advance(hass, freezer, 600)
    assert not _discharging(quasar_sim)
    assert quasar_sim.energy_discharged_wh < 10 * 230 * 150 / 3600


async def test_a_hand_back_never_confirmed_raises_a_repair_issue(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three failed tries tell the person; the issue goes once a try succeeds."""
    await _set_current(hass, 16, minutes=1)
    quasar_sim.fail_writes = {REG_CONTROL: DEVICE_FAILURE}
    await advance(hass, freezer, 60 + 2 + 4 + 8, step=2)
    issues = ir.async_get(hass)
    issue = issues.async_get_issue(DOMAIN, f"hand_back_{QUASAR_ENTRY_ID}")
    assert issue is not None
    assert issue.translation_key == "hand_back_not_confirmed"
    assert quasar_sim.read_register(REG_CONTROL) == 1
    # The setpoint went to 0 on the first try: nothing more is charged meanwhile.
    assert quasar_sim.read_register(REG_SETPOINT) == 0
    quasar_sim.fail_writes = {}
    await advance(hass, freezer, 30, step=2)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert issues.async_get_issue(DOMAIN, f"hand_back_{QUASAR_ENTRY_ID}") is None


async def test_a_sequence_that_fails_halfway_is_rolled_back(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    hass_storage: dict[str, Any],
) -> None:
    """The discharge setpoint was written, the start refused: all of it is undone."""
    quasar_sim.fail_writes = {REG_ACTION: DEVICE_FAILURE}
    with pytest.raises(HomeAssistantError):
        await _set_current(hass, -10, minutes=30)
    await hass.async_block_till_done()
    assert quasar_sim.read_register(REG_SETPOINT) == 0
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert not _discharging(quasar_sim)
    assert init_quasar.runtime_data.coordinator.intent is None
    assert hass_storage[STORE_KEY]["data"]["intent"] is None
    assert hass.states.get(CONTROLLED_BY).state == "app"


async def test_a_failed_command_keeps_a_person_s_earlier_hold_stopped(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A person held the charger: after a failed change it stays theirs, safe."""
    await _set_current(hass, 16, minutes=60)
    quasar_sim.fail_writes = {REG_SETPOINT: DEVICE_FAILURE}
    with pytest.raises(HomeAssistantError):
        await _set_current(hass, -10)
    # The roll-back's own setpoint write was refused too: it is tried again.
    quasar_sim.fail_writes = {}
    await advance(hass, freezer, 4, step=2)
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert quasar_sim.read_register(REG_SETPOINT) == 0
    assert hass.states.get(STATUS).state == "paused"
    state = hass.states.get(CONTROLLED_BY)
    assert state.state == "you"
    assert state.attributes["until"] is not None


async def _outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: QuasarSimulator,
    seconds: float,
) -> None:
    sim.refuse_connections = True
    sim.drop_connections()
    await advance(hass, freezer, seconds)
    sim.refuse_connections = False


@pytest.mark.parametrize("idle_behaviour", list(IdleBehaviour))
async def test_after_a_long_outage_a_held_charge_is_put_back(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 12 A charge held by a person resumes whichever way the charger timed out."""
    await _set_current(hass, 12)
    assert hass.states.get(STATUS).state == "charging"
    await _outage(hass, freezer, quasar_sim, 120)
    await advance(hass, freezer, 30)
    assert quasar_sim.idle_timeout_fired == 1
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert quasar_sim.read_register(REG_SETPOINT) == 12
    assert hass.states.get(STATUS).state == "charging"
    assert "is put back" in caplog.text


@pytest.mark.parametrize("idle_behaviour", list(IdleBehaviour))
async def test_after_a_long_outage_an_untimed_discharge_is_dropped(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A discharge asked for before the gap does not start again, nor at a reload."""
    await _discharge(hass, 10)
    assert _discharging(quasar_sim)
    await _outage(hass, freezer, quasar_sim, 120)
    await advance(hass, freezer, 30)
    assert quasar_sim.idle_timeout_fired == 1
    assert not _discharging(quasar_sim)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert "is dropped" in caplog.text
    assert await hass.config_entries.async_reload(init_quasar.entry_id)
    await advance(hass, freezer, 30)
    assert not _discharging(quasar_sim)
    # Only until the idle timeout stopped it, 60 s into the outage.
    assert quasar_sim.energy_discharged_wh < 10 * 230 * 70 / 3600


@pytest.mark.parametrize("idle_behaviour", list(IdleBehaviour))
async def test_after_a_long_outage_an_ended_pause_is_dropped(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A pause whose time ended during the outage is not put back: the app has it."""
    await _pause(hass, 1)
    await _outage(hass, freezer, quasar_sim, 120)
    await advance(hass, freezer, 30)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert init_quasar.runtime_data.coordinator.intent is None


@pytest.mark.parametrize("minutes", [30])
async def test_a_reboot_puts_back_a_person_s_timed_command(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
    minutes: int,
) -> None:
    """A pause for 30 minutes outlives a reboot of the charger, then ends on time."""
    await _pause(hass, minutes)
    assert hass.states.get(STATUS).state == "paused"
    await advance(hass, freezer, 60)
    quasar_sim.reboot()
    await advance(hass, freezer, 60)
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert hass.states.get(STATUS).state == "paused"
    await advance(hass, freezer, (minutes - 2) * 60 + 30)
    assert quasar_sim.read_register(REG_CONTROL) == 0


async def test_the_app_taking_control_is_the_person_s_choice(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """0x51 = 0 written by someone else while we keep talking: we let go."""
    await _set_current(hass, 12, minutes=30)
    quasar_sim.poke(REG_CONTROL, 0)
    await advance(hass, freezer, 20)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert init_quasar.runtime_data.coordinator.intent is None
    assert hass.states.get(CONTROLLED_BY).state == "app"


async def test_a_command_writes_only_what_differs(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
) -> None:
    """With control held, a new current is three reads, one write and three reads."""
    await _set_current(hass, 16)
    requests = quasar_sim.requests
    writes = len(quasar_sim.writes)
    await _set_current(hass, 10)
    assert quasar_sim.writes[writes:] == [(REG_SETPOINT, 10)]
    assert quasar_sim.requests - requests == 7
    # The same again writes nothing at all.
    requests = quasar_sim.requests
    await _set_current(hass, 10)
    assert quasar_sim.writes[writes + 1 :] == []
    assert quasar_sim.requests - requests == 6


async def test_a_timed_command_ends_at_its_end(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The end time is shown, and the hand-back comes at it, not a poll later."""
    start = dt_util.utcnow()
    await _set_current(hass, 8, minutes=5)
    until = hass.states.get(CONTROLLED_BY).attributes["until"]
    assert abs(until - (start + timedelta(minutes=5))) < timedelta(seconds=5)
    await advance(hass, freezer, 5 * 60 - 10)
    assert quasar_sim.read_register(REG_CONTROL) == 1
    await advance(hass, freezer, 12, step=2)
    assert quasar_sim.read_register(REG_CONTROL) == 0


# --- found by bench.control_soak ---------------------------------------------------


async def test_a_failed_poll_is_no_gap(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One poll answered with an exception: the person's discharge goes on."""
    await _discharge(hass, 10)
    quasar_sim.fail_with_exception = DEVICE_FAILURE
    await advance(hass, freezer, 10)
    quasar_sim.fail_with_exception = None
    await advance(hass, freezer, 30)
    assert _discharging(quasar_sim)
    assert hass.states.get(CONTROLLED_BY).state == "you"


async def test_a_reboot_shorter_than_a_poll_is_no_app_taking_over(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The link dropped and came back: a reboot, so the held charge is put back."""
    await _set_current(hass, 16)
    quasar_sim.reboot_seconds = 2
    quasar_sim.reboot()
    await advance(hass, freezer, 3, step=3)
    await advance(hass, freezer, 30)
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert quasar_sim.read_register(REG_SETPOINT) == 16
    assert hass.states.get(CONTROLLED_BY).state == "you"


async def test_a_failed_put_back_is_tried_again(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The person's hour is not given up because the charger refused once after an outage."""
    await _set_current(hass, 16, minutes=60)
    await _outage(hass, freezer, quasar_sim, 200)
    quasar_sim.fail_writes = {REG_CONTROL: DEVICE_FAILURE}
    await advance(hass, freezer, 10)
    assert hass.states.get(CONTROLLED_BY).state == "you"
    quasar_sim.fail_writes = {}
    await advance(hass, freezer, 30)
    assert quasar_sim.read_register(REG_SETPOINT) == 16
    assert hass.states.get(STATUS).state == "charging"


async def test_a_timed_charge_resumes_after_unplug_and_plug(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """16 A for an hour: the car unplugged and plugged in again charges on."""
    battery = quasar_sim.battery
    assert battery is not None
    await _set_current(hass, 16, minutes=60)
    quasar_sim.unplug()
    await advance(hass, freezer, 60)
    quasar_sim.plug(battery)
    await advance(hass, freezer, 30)
    assert hass.states.get(STATUS).state == "charging"
    assert quasar_sim.read_register(REG_SETPOINT) == 16


async def test_giving_the_charger_to_the_app_survives_a_reload(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The person's choice of the Wallbox app is kept, as any command of theirs."""
    await _set_current(hass, 16)
    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: "select.wallbox_quasar_control", "option": "wallbox_app"},
        blocking=True,
    )
    assert hass.states.get(CONTROLLED_BY).attributes["reason"] == "wallbox_app"
    assert await hass.config_entries.async_reload(init_quasar.entry_id)
    await advance(hass, freezer, 20)
    state = hass.states.get(CONTROLLED_BY)
    assert (state.state, state.attributes["reason"]) == ("you", "wallbox_app")
    assert quasar_sim.read_register(REG_CONTROL) == 0
