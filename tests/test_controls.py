"""The charger's switches, numbers, select and button, against the simulator."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.quasar import QuasarSimulator

from .conftest import advance

STATUS = "sensor.wallbox_quasar_status"
CHARGING = "switch.wallbox_quasar_charging"
LOCK = "switch.wallbox_quasar_lock"
CHARGE_CURRENT = "number.wallbox_quasar_charge_current"
DISCHARGE_CURRENT = "number.wallbox_quasar_discharge_current"
CONTROL = "select.wallbox_quasar_control"
REBOOT = "button.wallbox_quasar_restart"

REG_CONTROL = 0x51
REG_LOCK = 0x100
REG_SETPOINT = 0x102


async def _call(hass: HomeAssistant, domain: str, service: str, **data: object) -> None:
    await hass.services.async_call(domain, service, data, blocking=True)


async def test_charging_switch_pauses_and_resumes(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """Off pauses the session under our control; on resumes it."""
    assert hass.states.get(CHARGING).state == "on"
    await _call(hass, "switch", "turn_off", entity_id=CHARGING)
    assert hass.states.get(CHARGING).state == "off"
    assert hass.states.get(STATUS).state == "paused"
    assert quasar_sim.read_register(REG_CONTROL) == 1
    await _call(hass, "switch", "turn_on", entity_id=CHARGING)
    assert hass.states.get(STATUS).state == "charging"
    assert quasar_sim.read_register(REG_SETPOINT) > 0


async def test_charging_switch_never_starts_a_discharge(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """Turning charging on after a discharge charges, at the charger's maximum."""
    await _call(hass, "number", "set_value", entity_id=DISCHARGE_CURRENT, value=10)
    assert hass.states.get(STATUS).state == "discharging"
    assert quasar_sim.read_register(REG_SETPOINT) == -10
    await _call(hass, "switch", "turn_off", entity_id=CHARGING)
    await _call(hass, "switch", "turn_on", entity_id=CHARGING)
    assert hass.states.get(STATUS).state == "charging"
    assert quasar_sim.read_register(REG_SETPOINT) == 32


async def test_charge_current_follows_number(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A running session follows the charge current at once."""
    # The Wallbox app's own current is not readable: unknown, not 0.
    assert hass.states.get(CHARGE_CURRENT).state == "unknown"
    await _call(hass, "number", "set_value", entity_id=CHARGE_CURRENT, value=16)
    assert quasar_sim.read_register(REG_SETPOINT) == 16
    assert hass.states.get(CHARGE_CURRENT).state == "16.0"
    assert hass.states.get(STATUS).state == "charging"
    assert float(hass.states.get("sensor.wallbox_quasar_power").state) == 16 * 230


async def test_charge_current_above_maximum_refused(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """The number's range is what the charger reports it can deliver."""
    assert hass.states.get(CHARGE_CURRENT).attributes["max"] == 32
    with pytest.raises(ServiceValidationError):
        await _call(hass, "number", "set_value", entity_id=CHARGE_CURRENT, value=40)
    assert quasar_sim.read_register(REG_CONTROL) == 0


@pytest.mark.parametrize("entity_id", [CHARGE_CURRENT, DISCHARGE_CURRENT])
async def test_current_below_minimum_refused(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    entity_id: str,
) -> None:
    """1 to 5 A is no current a car follows: refused with a reason, nothing changes."""
    writes = len(quasar_sim.writes)
    with pytest.raises(ServiceValidationError, match="below the 6 A"):
        await _call(hass, "number", "set_value", entity_id=entity_id, value=3)
    assert quasar_sim.writes[writes:] == []


async def test_discharge_current_zero_stops_discharge(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """Setting the discharge current to 0 leaves the charger idle."""
    await _call(hass, "number", "set_value", entity_id=DISCHARGE_CURRENT, value=8)
    assert hass.states.get(DISCHARGE_CURRENT).state == "8.0"
    assert hass.states.get(CHARGE_CURRENT).state == "0.0"
    assert float(hass.states.get("sensor.wallbox_quasar_power").state) < 0
    await _call(hass, "number", "set_value", entity_id=DISCHARGE_CURRENT, value=0)
    assert hass.states.get(STATUS).state == "paused"
    assert quasar_sim.read_register(REG_SETPOINT) == 0


async def test_discharge_zero_while_charging_changes_nothing(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A discharge current of 0 when none runs is not a command."""
    writes = len(quasar_sim.writes)
    await _call(hass, "number", "set_value", entity_id=DISCHARGE_CURRENT, value=0)
    assert quasar_sim.writes[writes:] == []
    assert hass.states.get(STATUS).state == "charging"


async def test_control_select(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """Taking control keeps a session charging; giving it back hands it over."""
    assert hass.states.get(CONTROL).state == "wallbox_app"
    await _call(
        hass, "select", "select_option", entity_id=CONTROL, option="home_assistant"
    )
    assert hass.states.get(CONTROL).state == "home_assistant"
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert hass.states.get(STATUS).state == "charging"
    await _call(
        hass, "select", "select_option", entity_id=CONTROL, option="wallbox_app"
    )
    assert hass.states.get(CONTROL).state == "wallbox_app"
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert init_quasar.runtime_data.coordinator.intent is None


async def test_lock_borrows_control(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """Locking needs remote control for the write only."""
    await _call(hass, "switch", "turn_on", entity_id=LOCK)
    assert hass.states.get(LOCK).state == "on"
    assert quasar_sim.read_register(REG_LOCK) == 1
    assert quasar_sim.read_register(REG_CONTROL) == 0
    await _call(hass, "switch", "turn_off", entity_id=LOCK)
    assert quasar_sim.read_register(REG_LOCK) == 0


async def test_lock_keeps_our_control(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """Locking while we hold control does not give it away."""
    await _call(hass, "switch", "turn_off", entity_id=CHARGING)
    await _call(hass, "switch", "turn_on", entity_id=LOCK)
    assert quasar_sim.read_register(REG_CONTROL) == 1


async def test_reboot_once_per_cooldown(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reboot is sent; the charger is away, comes back, and a second is refused."""
    await _call(hass, "button", "press", entity_id=REBOOT)
    assert quasar_sim.reboots == 1
    assert hass.states.get(STATUS).state == "unavailable"

    await advance(hass, freezer, 30)
    assert hass.states.get(STATUS).state == "charging"
    with pytest.raises(HomeAssistantError, match="rebooted less than 10 minutes"):
        await _call(hass, "button", "press", entity_id=REBOOT)
    assert quasar_sim.reboots == 1

    await advance(hass, freezer, 10 * 60)
    await _call(hass, "button", "press", entity_id=REBOOT)
    assert quasar_sim.reboots == 2


async def test_command_to_unreachable_charger(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A command the charger cannot hear says so, in words."""
    quasar_sim.refuse_connections = True
    quasar_sim.drop_connections()
    with pytest.raises(HomeAssistantError, match="did not answer"):
        await _call(hass, "switch", "turn_off", entity_id=CHARGING)


async def test_command_refused_by_charger(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A Modbus exception reply to a command becomes a readable error."""
    quasar_sim.fail_with_exception = 4
    with pytest.raises(HomeAssistantError, match="refused the command"):
        await _call(hass, "switch", "turn_off", entity_id=CHARGING)


async def test_command_not_verified(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
) -> None:
    """A write the charger acknowledges but does not keep is reported."""
    quasar_sim.stuck_registers[REG_SETPOINT] = 7
    with pytest.raises(HomeAssistantError, match="did not apply it"):
        await _call(hass, "number", "set_value", entity_id=CHARGE_CURRENT, value=16)
