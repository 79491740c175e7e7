"""Every action of a car behind psa_car_controller, with its errors."""

from __future__ import annotations

from datetime import time

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.psacc import PsaccSimulator

from .conftest import advance
from .psacc_fixtures import *  # noqa: F403 - the psa_car_controller fixtures
from .psacc_fixtures import CORSA, E208

CHARGING = "switch.peugeot_e_208_charging"
PRECOND = "switch.peugeot_e_208_preconditioning"
DOORS = "lock.peugeot_e_208_doors"
THRESHOLD = "number.peugeot_e_208_charge_threshold"
STOP_HOUR = "time.peugeot_e_208_charge_stop_time"
WAKEUP = "button.peugeot_e_208_wake_up"
CORSA_WAKEUP = "button.opel_corsa_e_wake_up"
HORN = "button.peugeot_e_208_horn"
LIGHTS = "button.peugeot_e_208_flash_lights"
WAKEUPS_LEFT = "sensor.peugeot_e_208_wake_ups_available"
STATUS = "sensor.peugeot_e_208_charging_status"


async def _call(hass: HomeAssistant, domain: str, service: str, **data: object) -> None:
    await hass.services.async_call(domain, service, data, blocking=True)


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await _call(hass, "button", "press", entity_id=entity_id)


async def test_charging_switch(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The switch shows what was asked until the car reports, then the report."""
    psacc_sim.plug(E208, charge=False)
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(CHARGING).state == "off"

    await _call(hass, "switch", "turn_on", entity_id=CHARGING)
    assert psacc_sim.car(E208).charging
    assert psacc_sim.requests["charge_now"] == 1
    # The cache still says stopped, but the command is shown as asked.
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(STATUS).state == "not_charging"
    assert hass.states.get(CHARGING).state == "on"
    # The car reports: the switch follows the report from now on.
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(STATUS).state == "charging"
    assert init_psacc.runtime_data.coordinators[E208].pending == {}

    await _call(hass, "switch", "turn_off", entity_id=CHARGING)
    assert not psacc_sim.car(E208).charging
    assert hass.states.get(CHARGING).state == "off"


async def test_pending_command_expires(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A command the car never reports on is not shown forever."""
    psacc_sim.plug(E208, charge=False)
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 60, step=60)
    await _call(hass, "switch", "turn_on", entity_id=CHARGING)
    psacc_sim.car(E208).charging = False  # the car ignored it
    # Reports keep coming, all of them after the command: the first one settles it.
    await advance(hass, freezer, 11 * 60, step=60)
    assert hass.states.get(CHARGING).state == "off"


async def test_pending_command_times_out_without_report(
    hass: HomeAssistant,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    psacc_sim: PsaccSimulator,
) -> None:
    """With no report at all, what was asked is dropped after its timeout."""
    psacc_sim.plug(E208, charge=False)
    psacc_sim.report_now(E208)
    await advance(hass, freezer, 60, step=60)
    psacc_sim.report_s = 10 * 3600.0  # the car goes silent
    await _call(hass, "switch", "turn_on", entity_id=CHARGING)
    psacc_sim.car(E208).charging = False
    await advance(hass, freezer, 10 * 60, step=60)
    assert hass.states.get(CHARGING).state == "on"
    await advance(hass, freezer, 6 * 60, step=60)
    assert hass.states.get(CHARGING).state == "off"


async def test_charging_refused_when_unplugged(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, init_psacc: MockConfigEntry
) -> None:
    """An unplugged car cannot charge: said so, and nothing is sent."""
    with pytest.raises(ServiceValidationError, match="not plugged in") as err:
        await _call(hass, "switch", "turn_on", entity_id=CHARGING)
    assert err.value.translation_key == "psacc_not_plugged"
    assert psacc_sim.requests["charge_now"] == 0
    # Stopping is always allowed.
    await _call(hass, "switch", "turn_off", entity_id=CHARGING)
    assert psacc_sim.requests["charge_now"] == 1


async def test_preconditioning_switch(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, init_psacc: MockConfigEntry
) -> None:
    """Preconditioning starts and stops."""
    await _call(hass, "switch", "turn_on", entity_id=PRECOND)
    assert psacc_sim.car(E208).preconditioning
    assert hass.states.get(PRECOND).state == "on"
    await _call(hass, "switch", "turn_off", entity_id=PRECOND)
    assert not psacc_sim.car(E208).preconditioning
    assert hass.states.get(PRECOND).state == "off"


async def test_door_lock(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, init_psacc: MockConfigEntry
) -> None:
    """The doors lock and unlock."""
    assert hass.states.get(DOORS).state == "locked"
    await _call(hass, "lock", "unlock", entity_id=DOORS)
    assert not psacc_sim.car(E208).locked
    assert hass.states.get(DOORS).state == "unlocked"
    await _call(hass, "lock", "lock", entity_id=DOORS)
    assert psacc_sim.car(E208).locked
    assert hass.states.get(DOORS).state == "locked"


async def test_threshold(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, init_psacc: MockConfigEntry
) -> None:
    """The server's threshold is set and shown from its answer at once."""
    await _call(hass, "number", "set_value", entity_id=THRESHOLD, value=80)
    assert psacc_sim.car(E208).percentage_threshold == 80
    assert hass.states.get(THRESHOLD).state == "80.0"
    assert psacc_sim.car(CORSA).percentage_threshold == 100


async def test_stop_hour(
    hass: HomeAssistant, psacc_sim: PsaccSimulator, init_psacc: MockConfigEntry
) -> None:
    """The stop hour is set; 00:00 removes it, as the server reads it."""
    await _call(hass, "time", "set_value", entity_id=STOP_HOUR, time=time(6, 30))
    assert psacc_sim.car(E208).stop_hour == (6, 30)
    assert hass.states.get(STOP_HOUR).state == "06:30:00"
    await _call(hass, "time", "set_value", entity_id=STOP_HOUR, time=time(0, 0))
    assert psacc_sim.car(E208).stop_hour is None
    assert hass.states.get(STOP_HOUR).state == "00:00:00"


@pytest.mark.parametrize(("entity_id", "route"), [(HORN, "horn"), (LIGHTS, "lights")])
async def test_horn_and_lights(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    entity_id: str,
    route: str,
) -> None:
    """The horn sounds and the lights flash."""
    await _press(hass, entity_id)
    assert psacc_sim.requests[route] == 1


async def test_wakeup_budget_is_per_server(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Six wake-ups per 20 minutes for the whole server, then a refusal that says so."""
    for _ in range(4):
        await _press(hass, WAKEUP)
    for _ in range(2):
        await _press(hass, CORSA_WAKEUP)
    assert psacc_sim.requests["wakeup"] == 6
    with pytest.raises(HomeAssistantError, match="6 wake-ups every 20 minutes") as err:
        await _press(hass, WAKEUP)
    assert err.value.translation_key == "psacc_wakeup_budget_spent"
    with pytest.raises(HomeAssistantError):
        await _press(hass, CORSA_WAKEUP)
    assert psacc_sim.requests["wakeup"] == 6
    await advance(hass, freezer, 60, step=60)
    assert hass.states.get(WAKEUPS_LEFT).state == "0"
    # The first one comes back twenty minutes after it was spent.
    await advance(hass, freezer, 20 * 60, step=60)
    assert int(hass.states.get(WAKEUPS_LEFT).state) == 6
    await _press(hass, WAKEUP)
    assert psacc_sim.requests["wakeup"] == 7


async def test_wakeup_refreshes_soon(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A wake-up makes the car report; the new values show within seconds."""
    psacc_sim.plug(E208)
    await _press(hass, WAKEUP)
    await advance(hass, freezer, 15, step=15)
    assert hass.states.get(STATUS).state == "charging"


@pytest.mark.parametrize(
    ("fault", "key", "text"),
    [
        ("error", "psacc_command_rejected", "refused: psa_car_controller: boom"),
        ("rate", "psacc_rate_limited", "Wakeup rate limit exceeded"),
        ("html", "psacc_server_error", "HTTP 500: 500 Internal Server Error"),
        ("down", "psacc_unreachable", "did not answer"),
    ],
)
@pytest.mark.parametrize(
    ("domain", "service", "entity_id", "data"),
    [
        ("switch", "turn_off", CHARGING, {}),
        ("switch", "turn_on", PRECOND, {}),
        ("lock", "unlock", DOORS, {}),
        ("number", "set_value", THRESHOLD, {"value": 70}),
        ("time", "set_value", STOP_HOUR, {"time": time(7, 0)}),
        ("button", "press", WAKEUP, {}),
        ("button", "press", HORN, {}),
        ("button", "press", LIGHTS, {}),
    ],
)
async def test_action_errors(
    hass: HomeAssistant,
    psacc_sim: PsaccSimulator,
    init_psacc: MockConfigEntry,
    fault: str,
    key: str,
    text: str,
    domain: str,
    service: str,
    entity_id: str,
    data: dict[str, object],
) -> None:
    """Each failure of the server becomes a sentence, never a traceback."""
    if fault == "error":
        psacc_sim.error_body = "boom"
    elif fault == "rate":
        psacc_sim.error_body = "Wakeup rate limit exceeded"
    elif fault == "html":
        psacc_sim.fail_all = True
    else:
        await psacc_sim.stop()
    with pytest.raises(HomeAssistantError, match=text) as err:
        await _call(hass, domain, service, entity_id=entity_id, **data)
    assert err.value.translation_key == key
    assert type(err.value) is HomeAssistantError
