"""Smart charging of Renault cars: the car's own limit, else the cloud's stop."""

from __future__ import annotations

from typing import Any

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
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.renault_cloud import (
    MEGANE_E_TECH,
    R5_E_TECH,
    TWINGO_ELECTRIC,
    ZOE_PH1,
    RenaultCloudSimulator,
    SimVehicle,
)

from .conftest import advance
from .renault_fixtures import *  # noqa: F403 - the Renault fixtures

# The Megane keeps its own levels, the ZOE is stopped through its cloud.
MEGANE_AND_ZOE = pytest.mark.parametrize("renault_profiles", [(MEGANE_E_TECH, ZOE_PH1)])
# The Twingo has neither: only its charge schedule can hold a charge.
TWINGO_ALONE = pytest.mark.parametrize("renault_profiles", [(TWINGO_ELECTRIC,)])

MEGANE = "renault_megane_e_tech"
ZOE = "renault_zoe"
TWINGO = "renault_twingo_electric"
R5 = "renault_r5_e_tech"


def _car(sim: RenaultCloudSimulator, code: str) -> SimVehicle:
    return next(v for v in sim.vehicles.values() if v.profile.code == code)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _switch(hass: HomeAssistant, car: str, *, on: bool) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: f"switch.{car}_smart_charging"},
        blocking=True,
    )
    await hass.async_block_till_done()


def _device_id(hass: HomeAssistant, entry: MockConfigEntry, entity_id: str) -> str:
    return next(
        registered.device_id
        for registered in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if registered.entity_id == entity_id and registered.device_id
    )


async def _smart_on(hass: HomeAssistant, car: str, limit: int) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: f"number.{car}_charge_limit", ATTR_VALUE: limit},
        blocking=True,
    )
    await _switch(hass, car, on=True)


def _sunday_schedule(*, activated: bool) -> dict[str, Any]:
    """The owner's own schedule: Sunday nights only, activated or not."""
    return {
        "id": 1,
        "activated": activated,
        **dict.fromkeys(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
        ),
        "sunday": {"startTime": "T22:00Z", "duration": 480},
    }


async def _plugged_twingo(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    freezer: FrozenDateTimeFactory,
    schedule: dict[str, Any],
) -> tuple[SimVehicle, list[dict[str, Any]]]:
    """Give the Twingo its owner's schedule, plug it in and wait for its report."""
    car = _car(renault_sim, TWINGO_ELECTRIC.code)
    owners = [schedule]
    car.schedules = [dict(entry) for entry in owners]
    car.plug()
    await advance(hass, freezer, 15 * 60, step=30)
    return car, owners


@MEGANE_AND_ZOE
async def test_the_car_holds_its_own_limit(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A model with its own charge levels is given ours, and then stops by itself."""
    car = _car(renault_sim, MEGANE_E_TECH.code)
    await _smart_on(hass, MEGANE, 90)
    assert (car.soc_min, car.soc_target) == (20, 90)
    assert _state(hass, f"sensor.{MEGANE}_last_charge_command") == "set_car_limit"
    # Once the car reports its new target, the limit is the car's to keep.
    await advance(hass, freezer, 5 * 60, step=30)
    assert _state(hass, f"number.{MEGANE}_car_s_target_charge_level") == "90"
    assert _state(hass, f"sensor.{MEGANE}_last_charge_command") == "set_car_limit"


@MEGANE_AND_ZOE
async def test_a_limit_between_the_car_s_steps(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """The car takes steps of 5 and its cloud cannot stop it: 88 % becomes 85 %."""
    car = _car(renault_sim, MEGANE_E_TECH.code)
    await _smart_on(hass, MEGANE, 88)
    assert car.soc_target == 85
    assert _state(hass, f"sensor.{MEGANE}_last_charge_command") == "set_car_limit"
    # The plan aims at what the car keeps, so it never asks the car for more.
    device = _device_id(hass, init_renault, f"switch.{MEGANE}_smart_charging")
    plan = await hass.services.async_call(
        "ev_charge_control",
        "get_plan",
        {"device_id": device},
        blocking=True,
        return_response=True,
    )
    assert plan["limit"] == 88


@MEGANE_AND_ZOE
async def test_a_limit_between_steps_is_the_charger_s_when_linked(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    init_quasar: MockConfigEntry,
) -> None:
    """Linked to a charger, which can stop at 88 %, the car's own levels stay as set."""
    car = _car(renault_sim, MEGANE_E_TECH.code)
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {
            ATTR_ENTITY_ID: f"select.{MEGANE}_linked_charger",
            ATTR_OPTION: init_quasar.title,
        },
        blocking=True,
    )
    await _smart_on(hass, MEGANE, 88)
    assert car.soc_target == 80
    assert _state(hass, f"sensor.{MEGANE}_last_charge_command") == "unknown"


@MEGANE_AND_ZOE
async def test_the_cloud_stops_a_car_without_levels_and_lets_go_when_off(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A ZOE has no levels of its own: the cloud's stop is sent ahead of the limit."""
    car = _car(renault_sim, ZOE_PH1.code)
    car.plug()
    await advance(hass, freezer, 15 * 60, step=30)
    assert car.charging
    limit = round(car.battery.soc_pct) + 4
    await _smart_on(hass, ZOE, limit)
    assert _state(hass, f"sensor.{ZOE}_charge_plan") == "charging_in_window"
    await advance(hass, freezer, 90 * 60, step=30)
    assert not car.charging
    assert abs(car.battery.soc_pct - limit) <= 1.5, car.battery
    assert _state(hass, f"sensor.{ZOE}_last_charge_command") == "stop_cloud"
    assert _state(hass, f"sensor.{ZOE}_charge_plan") == "limit_reached"
    # Turned off, smart charging lets go: the car charges on, as it would without us.
    await _switch(hass, ZOE, on=False)
    assert renault_sim.calls["actions/charging-start:start"] == 1
    await advance(hass, freezer, 2 * 60, step=30)
    assert car.charging


@TWINGO_ALONE
async def test_a_schedule_in_the_past_holds_a_car_with_no_stop(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A Twingo has no stop and no levels: a schedule whose window is over holds it.

    Its first stop is refused as not supported; the schedule takes over at once. The
    owner's charge mode and schedule survive a restart and come back when smart
    charging is turned off, and the car charges again as it would without us.
    """
    car, owners = await _plugged_twingo(
        hass, renault_sim, freezer, _sunday_schedule(activated=False)
    )
    assert car.charging
    limit = round(car.battery.soc_pct) + 6
    await _smart_on(hass, TWINGO, limit)
    await advance(hass, freezer, 60 * 60, step=30)
    assert not car.charging
    assert car.charge_mode == "schedule_mode"
    assert abs(car.battery.soc_pct - limit) <= 2, car.battery
    assert renault_sim.calls["actions/charging-start:stop"] == 1  # refused, once
    assert _state(hass, f"sensor.{TWINGO}_last_charge_command") == "hold_schedule"
    assert _state(hass, f"sensor.{TWINGO}_last_charge_command_outcome") == "verified"
    assert _state(hass, f"sensor.{TWINGO}_charge_plan") == "limit_reached"

    # A higher limit: "always charging" lets the car go, and the schedule holds it
    # again at the new limit.
    await _smart_on(hass, TWINGO, limit + 4)
    assert _state(hass, f"sensor.{TWINGO}_last_charge_command") == "release_schedule"
    await advance(hass, freezer, 2 * 60, step=30)
    assert car.charging
    await advance(hass, freezer, 40 * 60, step=30)
    assert not car.charging
    assert abs(car.battery.soc_pct - (limit + 4)) <= 2, car.battery
    assert _state(hass, f"sensor.{TWINGO}_last_charge_command") == "hold_schedule"

    assert await hass.config_entries.async_reload(init_renault.entry_id)
    await hass.async_block_till_done()
    assert not car.charging
    await _switch(hass, TWINGO, on=False)
    assert (car.charge_mode, car.schedules) == ("always", owners)
    await advance(hass, freezer, 2 * 60, step=30)
    assert car.charging


@TWINGO_ALONE
async def test_the_owner_s_schedule_is_kept_until_it_can_be_put_back(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Cloud errors halfway through a hold or while letting go lose nothing.

    The owner's settings are read before the first change; a hold whose mode change
    fails is tried again later, and a failed restore is tried again at the next turn
    off.
    """
    car, owners = await _plugged_twingo(
        hass, renault_sim, freezer, _sunday_schedule(activated=True)
    )
    # A limit below the battery: held at once, but the mode change fails this time.
    renault_sim.fail("actions/charge-mode", "server_error")
    await _smart_on(hass, TWINGO, 50)
    assert car.schedules != owners  # our schedule is written, the mode is not
    assert _state(hass, f"sensor.{TWINGO}_last_charge_command_outcome") == "failed"
    # Tried again at the next look after 5 minutes: the car's next report.
    await advance(hass, freezer, 12 * 60, step=30)
    assert car.charge_mode == "schedule_mode"
    assert not car.charging

    renault_sim.fail("actions/charge-schedule", "server_error")
    await _switch(hass, TWINGO, on=False)
    assert "could not put back the car's own charge schedule" in caplog.text
    assert car.charge_mode == "schedule_mode"

    await _switch(hass, TWINGO, on=True)
    await _switch(hass, TWINGO, on=False)
    assert (car.charge_mode, car.schedules) == ("always", owners)
    await advance(hass, freezer, 2 * 60, step=30)
    assert car.charging


@pytest.mark.parametrize("renault_profiles", [(R5_E_TECH,)])
async def test_a_car_no_layer_can_reach_is_named_once(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An R5 keeps its own limit but cannot be held for off-peak: the log says so once."""
    car = _car(renault_sim, R5_E_TECH.code)
    car.plug()
    await advance(hass, freezer, 15 * 60, step=30)
    device_id = _device_id(hass, init_renault, f"switch.{R5}_smart_charging")
    # Off-peak tomorrow 02:00-04:00, ready by 04:30: the plan waits, nothing holds it.
    await hass.services.async_call(
        TIME_DOMAIN,
        TIME_SET_VALUE,
        {ATTR_ENTITY_ID: f"time.{R5}_ready_by", ATTR_TIME: "04:30:00"},
        blocking=True,
    )
    await hass.services.async_call(
        "ev_charge_control",
        "set_off_peak_windows",
        {"device_id": device_id, "windows": [{"start": "02:00", "end": "04:00"}]},
        blocking=True,
    )
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: f"select.{R5}_off_peak_source", ATTR_OPTION: "windows"},
        blocking=True,
    )
    await _smart_on(hass, R5, 60)
    await advance(hass, freezer, 20 * 60, step=60)
    assert _state(hass, f"sensor.{R5}_charge_plan") == "waiting_for_off_peak"
    assert car.charging
    assert caplog.text.count("neither a linked charger nor the car's cloud") == 1


@MEGANE_AND_ZOE
async def test_smart_charging_steps_back_from_the_stop_button(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The plan says charge; the owner presses Stop charging: theirs holds."""
    car = _car(renault_sim, ZOE_PH1.code)
    car.plug()
    await advance(hass, freezer, 15 * 60, step=30)
    await _smart_on(hass, ZOE, 95)
    assert _state(hass, f"sensor.{ZOE}_charge_plan") == "charging_in_window"
    assert _state(hass, f"sensor.{ZOE}_controlled_by") == "smart_charging"
    await hass.services.async_call(
        "button",
        "press",
        {ATTR_ENTITY_ID: f"button.{ZOE}_stop_charging"},
        blocking=True,
    )
    await advance(hass, freezer, 2 * 60, step=30)
    assert not car.charging
    assert _state(hass, f"sensor.{ZOE}_controlled_by") == "you"
    assert _state(hass, f"sensor.{ZOE}_charge_plan") == "held_by_you"
    await advance(hass, freezer, 45 * 60, step=30)
    assert not car.charging
    assert renault_sim.calls["actions/charging-start:start"] == 0
    # Pressing Start charging is theirs too; smart charging turned off and on again
    # is the owner's newest word, and the plan drives again.
    await _switch(hass, ZOE, on=False)
    await _switch(hass, ZOE, on=True)
    assert _state(hass, f"sensor.{ZOE}_controlled_by") != "you"
    await advance(hass, freezer, 5 * 60, step=30)
    assert car.charging
