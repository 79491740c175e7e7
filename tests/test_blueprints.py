"""The shipped blueprints: installed once, never overwriting, and working."""

from __future__ import annotations

from datetime import timedelta
import logging
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.blueprints import SHIPPED
from custom_components.ev_charge_control.const import DOMAIN
from simulators.psacc import PsaccSimulator
from simulators.quasar import QuasarSimulator

from .conftest import advance, charger_device_id
from .psacc_fixtures import (
    E208,
    car_device_id,
    init_psacc,
    psacc_entry,
    psacc_report_minutes,
    psacc_sim,
)

__all__ = ["init_psacc", "psacc_entry", "psacc_report_minutes", "psacc_sim"]

BLUEPRINT = Path(DOMAIN) / "pause_charger_during_peak.yaml"


async def test_blueprints_installed(hass: HomeAssistant) -> None:
    """Every shipped blueprint lands in <config>/blueprints/automation."""
    assert await async_setup_component(hass, DOMAIN, {})
    installed = Path(hass.config.path("blueprints", "automation")) / BLUEPRINT
    shipped = SHIPPED / "automation" / BLUEPRINT
    assert installed.read_text() == shipped.read_text()


async def test_user_copy_is_kept(hass: HomeAssistant) -> None:
    """A blueprint the user edited is not overwritten."""
    installed = Path(hass.config.path("blueprints", "automation")) / BLUEPRINT
    installed.parent.mkdir(parents=True)
    installed.write_text("# mine\n")
    assert await async_setup_component(hass, DOMAIN, {})
    assert installed.read_text() == "# mine\n"


# The time trigger re-arms for tomorrow; that timer outlives the test by design.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_pause_during_peak_blueprint(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The automation pauses the charger at the peak and gives it back after."""
    start = dt_util.now() + timedelta(minutes=1)
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "use_blueprint": {
                    "path": str(BLUEPRINT),
                    "input": {
                        "charger": charger_device_id(hass),
                        "peak_start": start.strftime("%H:%M:%S"),
                        "peak_minutes": 30,
                    },
                }
            }
        },
    )
    assert hass.states.get("sensor.wallbox_quasar_status").state == "charging"
    await advance(hass, freezer, 70)
    assert hass.states.get("sensor.wallbox_quasar_status").state == "paused"
    assert quasar_sim.read_register(0x51) == 1
    await advance(hass, freezer, 30 * 60)
    assert quasar_sim.read_register(0x51) == 0


# --- the car blueprints -------------------------------------------------------------

LIMIT_BY_WEEKDAY = Path(DOMAIN) / "charge_limit_by_weekday.yaml"
CHARGE_WHILE_OFF_PEAK = Path(DOMAIN) / "charge_while_off_peak.yaml"
TARIFF = "binary_sensor.meter_off_peak"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
E208_LIMIT = "number.peugeot_e_208_charge_limit"
E208_PLAN = "sensor.peugeot_e_208_charge_plan"
E208_SWITCH = "switch.peugeot_e_208_smart_charging"
E208_SOURCE = "select.peugeot_e_208_off_peak_source"


async def _automation(hass: HomeAssistant, path: Path, inputs: dict[str, Any]) -> None:
    """Create an automation from a shipped blueprint, as the UI does."""
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {AUTOMATION_DOMAIN: {"use_blueprint": {"path": str(path), "input": inputs}}},
    )
    await hass.async_block_till_done()


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _smart_waiting_for_the_night(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, freezer: FrozenDateTimeFactory
) -> None:
    """Plug the e-208 in, smart charging on, waiting for a 20:00-06:00 window."""
    # The tests start at 12:00 UTC: 14:00 in Paris, outside the window.
    await hass.config.async_set_time_zone("Europe/Paris")
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    await hass.services.async_call(
        DOMAIN,
        "set_off_peak_windows",
        {
            "device_id": car_device_id(hass, E208),
            "windows": [{"start": "20:00", "end": "06:00"}],
        },
        blocking=True,
    )
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: E208_SOURCE, ATTR_OPTION: "windows"},
        blocking=True,
    )
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: E208_SWITCH}, blocking=True
    )
    await hass.async_block_till_done()
    assert _state(hass, E208_PLAN) == "waiting_for_off_peak"
    assert not psacc_sim.car(E208).charging


@pytest.mark.parametrize(
    ("today_chosen", "limit"),
    [(True, "100"), (False, "70")],
)
# The time trigger re-arms for tomorrow; that timer outlives the test by design.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_limit_by_weekday_blueprint(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    today_chosen: bool,
    limit: str,
) -> None:
    """At the time, the limit of the day: the chosen days' or the other days'."""
    now = dt_util.now()
    today = WEEKDAYS[now.weekday()]
    await _automation(
        hass,
        LIMIT_BY_WEEKDAY,
        {
            "car": car_device_id(hass, E208),
            "at": (now + timedelta(minutes=1)).strftime("%H:%M:%S"),
            "days": [today] if today_chosen else [d for d in WEEKDAYS if d != today],
            "days_limit": 100,
            "other_limit": 70,
        },
    )
    await advance(hass, freezer, 30)
    assert _state(hass, E208_LIMIT) == "80"
    await advance(hass, freezer, 40)
    assert _state(hass, E208_LIMIT) == limit
    plan = await hass.services.async_call(
        DOMAIN,
        "get_plan",
        {"device_id": car_device_id(hass, E208)},
        blocking=True,
        return_response=True,
    )
    assert plan is not None
    assert str(plan["limit"]) == limit


@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_limit_by_weekday_refused_under_the_floor(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A limit at the floor is refused with the action's words; the limit stays."""
    device_id = car_device_id(hass, E208)
    await hass.services.async_call(
        DOMAIN,
        "set_charge_limits",
        {"device_id": device_id, "floor": 60},
        blocking=True,
    )
    now = dt_util.now()
    await _automation(
        hass,
        LIMIT_BY_WEEKDAY,
        {
            "car": device_id,
            "at": (now + timedelta(minutes=1)).strftime("%H:%M:%S"),
            "days": [WEEKDAYS[now.weekday()]],
            "days_limit": 60,
        },
    )
    await advance(hass, freezer, 70)
    assert _state(hass, E208_LIMIT) == "80"
    assert "The floor (60 %) must be below the charge limit (60 %)" in caplog.text


async def test_charge_while_off_peak_blueprint(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """On: charged at once; off: that charge ends and the plan holds the car again.

    The minutes cap a charge whose period never reports its end.
    """
    await _smart_waiting_for_the_night(hass, psacc_sim, freezer)
    car = psacc_sim.car(E208)
    hass.states.async_set(TARIFF, "unavailable")
    await _automation(
        hass,
        CHARGE_WHILE_OFF_PEAK,
        {"car": car_device_id(hass, E208), "tariff": TARIFF, "minutes": 30},
    )
    # Back from unavailable already on (a restart): nothing starts.
    hass.states.async_set(TARIFF, "on")
    await hass.async_block_till_done()
    assert _state(hass, E208_PLAN) == "waiting_for_off_peak"
    # Off with no charge now running: nothing to end.
    hass.states.async_set(TARIFF, "off")
    await hass.async_block_till_done()
    assert _state(hass, E208_PLAN) == "waiting_for_off_peak"

    hass.states.async_set(TARIFF, "on")
    await hass.async_block_till_done()
    assert _state(hass, E208_PLAN) == "charging_now"
    assert car.charging
    await advance(hass, freezer, 10 * 60, step=60)
    hass.states.async_set(TARIFF, "off")
    await hass.async_block_till_done()
    assert _state(hass, E208_PLAN) == "waiting_for_off_peak"
    await advance(hass, freezer, 2 * 60, step=60)
    assert not car.charging

    # A period whose end never comes: the charge ends after the minutes.
    hass.states.async_set(TARIFF, "on")
    await hass.async_block_till_done()
    assert _state(hass, E208_PLAN) == "charging_now"
    await advance(hass, freezer, 31 * 60, step=60)
    assert _state(hass, E208_PLAN) == "waiting_for_off_peak"
    assert not car.charging


async def test_charge_while_off_peak_blueprint_to_the_limit(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With 0 minutes and the sensor on, the charge runs to the limit and stops."""
    await _smart_waiting_for_the_night(hass, psacc_sim, freezer)
    await hass.services.async_call(
        DOMAIN,
        "set_charge_limits",
        {"device_id": car_device_id(hass, E208), "limit": 50},
        blocking=True,
    )
    hass.states.async_set(TARIFF, "off")
    await _automation(
        hass,
        CHARGE_WHILE_OFF_PEAK,
        {"car": car_device_id(hass, E208), "tariff": TARIFF},
    )
    hass.states.async_set(TARIFF, "on")
    await hass.async_block_till_done()
    assert _state(hass, E208_PLAN) == "charging_now"
    await advance(hass, freezer, 70 * 60, step=30)
    car = psacc_sim.car(E208)
    assert _state(hass, E208_PLAN) == "limit_reached"
    assert not car.charging
    assert abs(car.battery.soc_pct - 50) <= 1.0, car.battery


async def test_charge_while_off_peak_needs_smart_charging(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    psacc_sim: PsaccSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Smart charging off: the action refuses by name, the car is not touched."""
    psacc_sim.plug(E208, charge=False)
    await advance(hass, freezer, 11 * 60, step=60)
    hass.states.async_set(TARIFF, "off")
    await _automation(
        hass,
        CHARGE_WHILE_OFF_PEAK,
        {"car": car_device_id(hass, E208), "tariff": TARIFF, "minutes": 30},
    )
    hass.states.async_set(TARIFF, "on")
    await advance(hass, freezer, 60, step=60)
    assert _state(hass, E208_PLAN) == "smart_charging_off"
    assert not psacc_sim.car(E208).charging
    assert "Smart charging is off for Peugeot e-208" in caplog.text


async def test_charge_while_off_peak_with_the_car_away_is_no_error(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Unplugged, charge now is refused with its reason; the automation does not fail."""
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: E208_SWITCH}, blocking=True
    )
    hass.states.async_set(TARIFF, "off")
    await _automation(
        hass,
        CHARGE_WHILE_OFF_PEAK,
        {"car": car_device_id(hass, E208), "tariff": TARIFF},
    )
    hass.states.async_set(TARIFF, "on")
    await advance(hass, freezer, 60, step=60)
    assert _state(hass, E208_PLAN) == "not_plugged"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
