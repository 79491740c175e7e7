"""Smart charging in a real Home Assistant, with the cars and the charger simulated.

The cars are a psa_car_controller server's (the simulator over HTTP); the charger is
the Quasar simulator over Modbus TCP, sharing the car's battery when they are linked.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.time import (
    DOMAIN as TIME_DOMAIN,
    SERVICE_SET_VALUE as TIME_SET_VALUE,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TIME,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
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

SWITCH = "switch.peugeot_e_208_smart_charging"
LIMIT = "number.peugeot_e_208_charge_limit"
FLOOR = "number.peugeot_e_208_charge_floor"
READY_BY = "time.peugeot_e_208_ready_by"
SOURCE = "select.peugeot_e_208_off_peak_source"
LINKED = "select.peugeot_e_208_linked_charger"
PLAN = "sensor.peugeot_e_208_charge_plan"
ESTIMATE = "sensor.peugeot_e_208_estimated_battery"
LAST_COMMAND = "sensor.peugeot_e_208_last_charge_command"
OUTCOME = "sensor.peugeot_e_208_last_charge_command_outcome"
NEXT_START = "sensor.peugeot_e_208_next_charge_start"
OFF_PEAK_START = "sensor.peugeot_e_208_next_off_peak_start"


@pytest.fixture(autouse=True)
async def paris(hass: HomeAssistant) -> None:
    """Windows are wall-clock times: the tests' 12:00 UTC is 14:00 in Paris."""
    await hass.config.async_set_time_zone("Europe/Paris")


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _turn_on(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    await hass.async_block_till_done()


async def _set_number(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )
    await hass.async_block_till_done()


async def _action(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    result = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )
    await hass.async_block_till_done()
    return result


async def _use_windows(
    hass: HomeAssistant, device_id: str, windows: list[dict[str, Any]]
) -> None:
    """Set the car's off-peak windows and make them the source of cheap hours."""
    await _action(
        hass, "set_off_peak_windows", {"device_id": device_id, "windows": windows}
    )
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: SOURCE, ATTR_OPTION: "windows"},
        blocking=True,
    )


async def test_smart_entities_name_the_car_s_device_when_they_come_first(
    hass: HomeAssistant, psacc_entry: MockConfigEntry
) -> None:
    """Platforms load concurrently; the select may create the car's device itself.

    Only the select platform is loaded here, so the smart charging entities are the
    first of the car's to reach the device registry: the device still gets the car's
    name, and the entities the ids every other test (and the user's automations) use.
    """
    psacc_entry.add_to_hass(hass)
    with patch(
        "custom_components.ev_charge_control.psacc.PLATFORMS", [Platform.SELECT]
    ):
        assert await hass.config_entries.async_setup(psacc_entry.entry_id)
        await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, E208), psacc_entry.entry_id
    )
    assert device is not None
    assert (device.name, device.manufacturer) == ("Peugeot e-208", "Peugeot")
    assert hass.states.get(SOURCE) is not None
    assert hass.states.get(LINKED) is not None


async def _plugged_with_night_windows(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, freezer: FrozenDateTimeFactory
) -> str:
    """Plug the e-208 in (not charging), seen by a report, with 20:00-06:00 windows.

    The tests start at 14:00 in Paris, outside the window; returns the car's device id.
    """
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    device_id = car_device_id(hass, E208)
    await _use_windows(hass, device_id, [{"start": "20:00", "end": "06:00"}])
    return device_id


async def test_off_by_default_and_never_touches_the_charge(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Until the owner turns it on, a car charging past the limit is left alone."""
    psacc_sim.plug(E208)
    psacc_sim.car(E208).battery.soc_pct = 85.0
    await advance(hass, freezer, 11 * 60, step=60)
    assert _state(hass, SWITCH) == "off"
    assert _state(hass, PLAN) == "smart_charging_off"
    assert psacc_sim.car(E208).charging
    assert _state(hass, LAST_COMMAND) == "unknown"


async def test_stops_ahead_of_the_limit_through_the_cloud(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The stop is sent before a report shows the limit, and the car ends near it."""
    car = psacc_sim.car(E208)
    psacc_sim.plug(E208)
    await advance(hass, freezer, 11 * 60, step=60)
    await _set_number(hass, LIMIT, 50)
    await _turn_on(hass)
    assert _state(hass, PLAN) == "charging_in_window"
    # 40 % -> 50 % of 46 kWh at 7.4 kW is about 40 minutes; reports every 10.
    await advance(hass, freezer, 70 * 60, step=30)
    assert not car.charging
    assert abs(car.battery.soc_pct - 50) <= 1.0, car.battery
    assert _state(hass, LAST_COMMAND) == "stop_cloud"
    assert _state(hass, OUTCOME) == "verified"
    assert _state(hass, PLAN) == "limit_reached"
    assert float(_state(hass, ESTIMATE)) == pytest.approx(car.battery.soc_pct, abs=1.0)
    # It stays stopped: a point or two of drift does not restart it.
    calls = dict(psacc_sim.requests)
    await advance(hass, freezer, 30 * 60, step=60)
    assert not car.charging
    assert psacc_sim.requests.get("charge_now", 0) == calls.get("charge_now", 0)


async def test_waits_for_the_window_then_charges(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Plugged in before the off-peak window: stopped until it opens, then started."""
    # The window opens at 15:00 in Paris, 13:00 UTC.
    psacc_sim.plug(E208)
    await advance(hass, freezer, 11 * 60, step=60)
    device_id = car_device_id(hass, E208)
    await _use_windows(hass, device_id, [{"start": "15:00", "end": "18:00"}])
    # 40 % -> 60 % fits in the three hours of the window, even at a slow 3.7 kW.
    await _set_number(hass, LIMIT, 60)
    await hass.services.async_call(
        TIME_DOMAIN,
        TIME_SET_VALUE,
        {ATTR_ENTITY_ID: READY_BY, ATTR_TIME: "19:00:00"},
        blocking=True,
    )
    await _turn_on(hass)
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    assert _state(hass, LAST_COMMAND) == "stop_cloud"
    assert _state(hass, NEXT_START) == "2026-06-01T13:00:00+00:00"
    assert _state(hass, OFF_PEAK_START) == "2026-06-01T13:00:00+00:00"
    await advance(hass, freezer, 15 * 60, step=60)
    assert not psacc_sim.car(E208).charging
    await advance(hass, freezer, 50 * 60, step=60)
    assert _state(hass, PLAN) == "charging_in_window"
    assert _state(hass, LAST_COMMAND) == "start_cloud"
    assert psacc_sim.car(E208).charging

    plan = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert plan["state"] == "charging_in_window"
    assert plan["off_peak_source"] == "windows"
    assert plan["windows"] == [
        {"start": "15:00:00", "end": "18:00:00", "weekdays": list(WEEKDAYS)}
    ]
    # The plan now runs from now to the end of what is needed, inside the window.
    (interval,) = plan["charging_intervals"]
    assert interval["end"] <= "2026-06-01T16:00:00+00:00"
    assert plan["ready_by_met"] is True
    # The start at 13:00 UTC (the window's 15:00 in Paris), in UTC like every other time.
    last = plan["last_command"]
    assert (last["kind"], last["outcome"]) == ("start_cloud", "verified")
    assert last["sent_at"].startswith("2026-06-01T13:0")
    assert last["sent_at"].endswith("+00:00")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def test_below_floor_charges_at_once(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Below the floor the car charges even outside the windows."""
    device_id = await _plugged_with_night_windows(hass, psacc_sim, freezer)
    await _action(
        hass, "set_charge_limits", {"device_id": device_id, "limit": 90, "floor": 45}
    )
    await _turn_on(hass)
    assert _state(hass, PLAN) == "below_floor_charging"
    assert psacc_sim.car(E208).charging
    assert _state(hass, LIMIT) == "90"
    assert _state(hass, FLOOR) == "45"


async def test_charge_now_for_minutes_then_back_to_the_plan(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """charge_now overrides the waiting plan for its minutes only."""
    device_id = await _plugged_with_night_windows(hass, psacc_sim, freezer)
    await _turn_on(hass)
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    await _action(hass, "charge_now", {"device_id": device_id, "minutes": 20})
    assert _state(hass, PLAN) == "charging_now"
    assert psacc_sim.car(E208).charging
    await advance(hass, freezer, 21 * 60, step=60)
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    assert not psacc_sim.car(E208).charging


async def test_cancel_charge_now_hands_back_to_the_plan(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """cancel_charge_now ends a charge now at once; with none running it does nothing."""
    device_id = await _plugged_with_night_windows(hass, psacc_sim, freezer)
    await _turn_on(hass)
    await _action(hass, "cancel_charge_now", {"device_id": device_id})
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    await _action(hass, "charge_now", {"device_id": device_id})
    assert _state(hass, PLAN) == "charging_now"
    await advance(hass, freezer, 5 * 60, step=60)
    assert psacc_sim.car(E208).charging
    await _action(hass, "cancel_charge_now", {"device_id": device_id})
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    await advance(hass, freezer, 2 * 60, step=60)
    assert not psacc_sim.car(E208).charging
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "cancel_charge_now", {"device_id": "nope"})
    assert err.value.translation_key == "device_not_found"


async def test_settings_survive_a_restart(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Reloading the entry (as a restart does) finds the same settings and plan."""
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    device_id = car_device_id(hass, E208)
    windows = [
        {"start": "22:00", "end": "06:00", "weekdays": ["mon", "tue"]},
        {"start": "12:00", "end": "14:00", "weekdays": ["sat", "sun"]},
    ]
    await _use_windows(hass, device_id, windows)
    await _action(
        hass, "set_charge_limits", {"device_id": device_id, "limit": 70, "floor": 10}
    )
    await _turn_on(hass)
    before = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert before["state"] == "waiting_for_off_peak"

    assert await hass.config_entries.async_reload(init_psacc.entry_id)
    await hass.async_block_till_done()

    after = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    for key in ("smart_charging", "limit", "floor", "windows", "off_peak_source"):
        assert after[key] == before[key]
    assert after["state"] == "waiting_for_off_peak"
    assert after["charging_intervals"] == before["charging_intervals"]
    assert _state(hass, SWITCH) == "on"
    assert _state(hass, LIMIT) == "70"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"limit": 40}, "smart_limit_out_of_range"),
        ({"floor": 99}, "smart_floor_out_of_range"),
        ({"limit": 60, "floor": 60}, "smart_floor_above_limit"),
        ({"floor": 85}, "smart_floor_above_limit"),
    ],
)
async def test_contradictory_limits_change_nothing(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    data: dict[str, int],
    key: str,
) -> None:
    """A bad limit or floor is refused with what is wrong; the settings stay."""
    device_id = car_device_id(hass, E208)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "set_charge_limits", {"device_id": device_id, **data})
    assert err.value.translation_key == key
    assert _state(hass, LIMIT) == "80"
    assert _state(hass, FLOOR) == "20"


async def test_floor_above_limit_from_the_number_is_refused(
    hass: HomeAssistant, init_psacc: MockConfigEntry
) -> None:
    """The number entities refuse a floor at or above the limit too."""
    with pytest.raises(ServiceValidationError) as err:
        await _set_number(hass, FLOOR, 80)
    assert err.value.translation_key == "smart_floor_above_limit"
    assert _state(hass, FLOOR) == "20"


@pytest.mark.parametrize(
    ("windows", "key"),
    [
        (
            [{"start": "22:00", "end": "06:00"}, {"start": "05:00", "end": "07:00"}],
            "smart_windows_invalid",
        ),
        ([{"start": "22:00", "end": "22:00"}], "smart_windows_invalid"),
        ([{"start": "22:00", "end": "06:00", "weekdays": []}], "smart_windows_invalid"),
        ([{"start": "25:00", "end": "06:00"}], "smart_window_invalid"),
        ([{"start": "22:00"}], "smart_window_invalid"),
        (
            [{"start": "22:00", "end": "06:00", "weekdays": ["monday"]}],
            "smart_window_invalid",
        ),
        ([{"start": "22:00", "end": "06:00", "extra": 1}], "smart_window_invalid"),
        (["22:00-06:00"], "smart_window_invalid"),
        (
            [{"start": f"{h:02d}:00", "end": f"{h:02d}:30"} for h in range(25)],
            "smart_too_many_windows",
        ),
    ],
)
async def test_bad_windows_change_nothing(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    windows: list[Any],
    key: str,
) -> None:
    """Overlapping or malformed windows are refused; the old ones stay."""
    device_id = car_device_id(hass, E208)
    good = [{"start": "22:00", "end": "06:00"}]
    await _action(
        hass, "set_off_peak_windows", {"device_id": device_id, "windows": good}
    )
    with pytest.raises(ServiceValidationError) as err:
        await _action(
            hass, "set_off_peak_windows", {"device_id": device_id, "windows": windows}
        )
    assert err.value.translation_key == key
    plan = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert [w["start"] for w in plan["windows"]] == ["22:00:00"]


async def test_actions_name_the_device_that_is_wrong(
    hass: HomeAssistant, init_psacc: MockConfigEntry, init_quasar: MockConfigEntry
) -> None:
    """An unknown device, or a charger instead of a car, is refused by name."""
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "get_plan", {"device_id": "nope"}, response=True)
    assert err.value.translation_key == "device_not_found"
    with pytest.raises(ServiceValidationError) as err:
        await _action(
            hass, "get_plan", {"device_id": charger_device_id(hass)}, response=True
        )
    assert err.value.translation_key == "not_a_car"


async def test_charge_now_is_refused_when_off_or_out_of_range(
    hass: HomeAssistant, init_psacc: MockConfigEntry
) -> None:
    """charge_now needs smart charging on, and minutes within a day."""
    device_id = car_device_id(hass, E208)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "charge_now", {"device_id": device_id})
    assert err.value.translation_key == "smart_charging_off"
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "charge_now", {"device_id": device_id, "minutes": 0})
    assert err.value.translation_key == "smart_charge_now_minutes"


async def test_price_sensor_source(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A sensor with a price forecast is offered, and the cheapest hours are planned."""
    prices = [
        {
            "start": f"2026-06-01T{h:02d}:00:00+00:00",
            "end": f"2026-06-01T{h + 1:02d}:00:00+00:00",
            "value": 0.05 if h in (19, 20) else 0.30,
        }
        for h in range(12, 23)
    ]
    hass.states.async_set("sensor.temperature", "21", {})
    hass.states.async_set("sensor.nordpool", "0.30", {"raw_today": prices})
    await hass.async_block_till_done()
    # Offered as soon as it appears; a sensor without a forecast is not.
    state = hass.states.get(SOURCE)
    assert state is not None
    assert state.attributes["options"] == ["any_time", "windows", "sensor.nordpool"]
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: SOURCE, ATTR_OPTION: "sensor.temperature"},
            blocking=True,
        )
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: SOURCE, ATTR_OPTION: "sensor.nordpool"},
        blocking=True,
    )
    await _set_number(hass, LIMIT, 50)
    await hass.services.async_call(
        TIME_DOMAIN,
        TIME_SET_VALUE,
        {ATTR_ENTITY_ID: READY_BY, ATTR_TIME: "23:00:00"},
        blocking=True,
    )
    device_id = car_device_id(hass, E208)
    await _turn_on(hass)
    plan = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert plan["off_peak_source"] == "prices", plan
    assert plan["price_sensor"] == "sensor.nordpool", plan
    # 10 points of 46 kWh, even at a slow 3.7 kW, fit in the two cheap hours.
    (interval,) = plan["charging_intervals"]
    assert interval["start"] == "2026-06-01T19:00:00+00:00"
    assert interval["end"] <= "2026-06-01T21:00:00+00:00"
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    assert _state(hass, SOURCE) == "sensor.nordpool"


@pytest.fixture
def car_battery(psacc_sim: PsaccSimulator) -> Battery:
    """The e-208's battery is the one the Quasar charges: they are one car."""
    return psacc_sim.car(E208).battery


async def test_linked_charger_stops_at_the_limit(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    init_quasar: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    quasar_sim: QuasarSimulator,
    car_battery: Battery,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Linked to the Quasar, the car stops within a fraction of a point of its limit."""
    # The cloud sees the cable; the Quasar is what charges.
    car_battery.soc_pct = 60.0
    psacc_sim.plug(E208, charge=False)
    quasar_sim.plug(car_battery)
    await advance(hass, freezer, 11 * 60, step=10)
    state = hass.states.get(LINKED)
    assert state is not None
    assert state.attributes["options"] == ["none", f"Wallbox Quasar {QUASAR_SERIAL}"]
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: LINKED, ATTR_OPTION: f"Wallbox Quasar {QUASAR_SERIAL}"},
        blocking=True,
    )
    limit = round(car_battery.soc_pct) + 3
    await _set_number(hass, LIMIT, limit)
    await _turn_on(hass)
    assert _state(hass, LINKED) == f"Wallbox Quasar {QUASAR_SERIAL}"
    await advance(hass, freezer, 60 * 60, step=10)
    assert abs(car_battery.soc_pct - limit) <= 0.5, car_battery
    assert _state(hass, LAST_COMMAND) == "stop_charger"
    assert _state(hass, OUTCOME) == "verified"

    # Turning smart charging off hands the paused charger back to the Wallbox app.
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: SWITCH}, blocking=True
    )
    await hass.async_block_till_done()
    assert _state(hass, "select.wallbox_quasar_control") == "wallbox_app"


async def test_unlinked_charger_goes_away(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    init_quasar: MockConfigEntry,
) -> None:
    """A linked charger that is removed shows as unknown, and none can be chosen."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: LINKED, ATTR_OPTION: f"Wallbox Quasar {QUASAR_SERIAL}"},
        blocking=True,
    )
    await hass.config_entries.async_unload(init_quasar.entry_id)
    await hass.async_block_till_done()
    device_id = car_device_id(hass, E208)
    await _action(hass, "set_charge_limits", {"device_id": device_id, "limit": 81})
    assert _state(hass, LINKED) == "unknown"
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: LINKED, ATTR_OPTION: "none"},
        blocking=True,
    )
    assert _state(hass, LINKED) == "none"


async def test_remove_forgets_the_settings(
    hass: HomeAssistant, init_psacc: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Removing the entry removes its cars' smart charging settings."""
    await _set_number(hass, LIMIT, 70)
    freezer_key = f"{DOMAIN}.smart.{init_psacc.entry_id}"
    await hass.config_entries.async_unload(init_psacc.entry_id)
    assert hass_storage[freezer_key]["data"][E208]["limit_pct"] == 70
    await hass.config_entries.async_remove(init_psacc.entry_id)
    await hass.async_block_till_done()
    assert freezer_key not in hass_storage


async def test_charge_now_to_the_limit_ends_there(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A charge now without minutes ends at the limit; the plan then takes over."""
    device_id = await _plugged_with_night_windows(hass, psacc_sim, freezer)
    await _set_number(hass, LIMIT, 50)
    await _turn_on(hass)
    await _action(hass, "charge_now", {"device_id": device_id})
    assert _state(hass, PLAN) == "charging_now"
    await advance(hass, freezer, 70 * 60, step=30)
    assert _state(hass, PLAN) == "limit_reached"
    plan = await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert plan["state"] == "limit_reached"
    # Driven down below the limit, the car waits for the window: the charge now is over.
    psacc_sim.drive(60, E208)
    await advance(hass, freezer, 11 * 60, step=60)
    assert _state(hass, PLAN) == "waiting_for_off_peak"
    assert not psacc_sim.car(E208).charging


async def test_an_unloaded_car_s_actions_say_so(
    hass: HomeAssistant, init_psacc: MockConfigEntry
) -> None:
    """A car whose entry is unloaded gets entry_not_loaded, naming the car."""
    device_id = car_device_id(hass, E208)
    assert await hass.config_entries.async_unload(init_psacc.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _action(hass, "get_plan", {"device_id": device_id}, response=True)
    assert err.value.translation_key == "entry_not_loaded"
    assert err.value.translation_placeholders == {"device": "Peugeot e-208"}
