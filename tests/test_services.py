"""The actions: set_charger_current and pause_charger, with every error branch."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import DOMAIN
from simulators.quasar import QuasarSimulator

from .conftest import advance, charger_device_id

STATUS = "sensor.wallbox_quasar_status"
REG_CONTROL = 0x51
REG_SETPOINT = 0x102


async def _set_current(hass: HomeAssistant, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, "set_charger_current", data, blocking=True, return_response=True
    )


async def _expire(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: int
) -> None:
    await advance(hass, freezer, minutes * 60 + 1)


async def test_set_charger_current(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """The charger is held to the current asked for, and says what it applied."""
    response = await _set_current(hass, device_id=charger_device_id(hass), current=16)
    assert response == {"current": 16}
    assert quasar_sim.read_register(REG_CONTROL) == 1
    assert quasar_sim.read_register(REG_SETPOINT) == 16
    assert hass.states.get(STATUS).state == "charging"


async def test_set_charger_current_discharges(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A negative current discharges the car into the house."""
    await _set_current(hass, device_id=charger_device_id(hass), current=-10)
    assert hass.states.get(STATUS).state == "discharging"
    assert float(hass.states.get("sensor.wallbox_quasar_power").state) == -10 * 230


async def test_set_charger_current_zero_holds_idle(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """0 A holds the charger idle under our control."""
    await _set_current(hass, device_id=charger_device_id(hass), current=0)
    assert hass.states.get(STATUS).state == "paused"
    assert quasar_sim.read_register(REG_CONTROL) == 1


@pytest.mark.parametrize("car_max", [16])
async def test_set_charger_current_clamped(
    hass: HomeAssistant,
    quasar_sim: QuasarSimulator,
    quasar_entry: MockConfigEntry,
    car_max: int,
) -> None:
    """Above what the charger can deliver, the current is capped and the cap told."""
    quasar_sim.set_max_current(car_max)
    quasar_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(quasar_entry.entry_id)
    response = await _set_current(hass, device_id=charger_device_id(hass), current=-32)
    assert response == {"current": -car_max}
    assert quasar_sim.read_register(REG_SETPOINT) == -car_max


async def test_timed_current_gives_control_back(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After the minutes asked for, the Wallbox app has the charger again."""
    await _set_current(hass, device_id=charger_device_id(hass), current=-10, minutes=30)
    await _expire(hass, freezer, 29)
    assert quasar_sim.read_register(REG_CONTROL) == 1
    await _expire(hass, freezer, 1)
    assert quasar_sim.read_register(REG_CONTROL) == 0
    assert hass.states.get(STATUS).state != "discharging"
    assert init_quasar.runtime_data.coordinator.intent is None


async def test_pause_charger(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The charger stays idle for the pause, then goes back to the app."""
    await hass.services.async_call(
        DOMAIN,
        "pause_charger",
        {"device_id": charger_device_id(hass), "minutes": 120},
        blocking=True,
    )
    assert hass.states.get(STATUS).state == "paused"
    await _expire(hass, freezer, 60)
    assert hass.states.get(STATUS).state == "paused"
    assert quasar_sim.read_register(REG_CONTROL) == 1
    await _expire(hass, freezer, 60)
    assert quasar_sim.read_register(REG_CONTROL) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current": 40}, "outside what the Quasar can do"),
        ({"current": -33}, "outside what the Quasar can do"),
        ({"current": 4}, "below the 6 A"),
        ({"current": -5}, "below the 6 A"),
        ({"current": 10, "minutes": 0}, "Use 1 to 10080 minutes"),
        ({"current": 10, "minutes": 20000}, "Use 1 to 10080 minutes"),
    ],
)
async def test_set_charger_current_bad_input(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    data: dict[str, Any],
    message: str,
) -> None:
    """Out-of-range input is refused with a sentence; the charger is not touched."""
    writes = len(quasar_sim.writes)
    with pytest.raises(ServiceValidationError, match=message):
        await _set_current(hass, device_id=charger_device_id(hass), **data)
    assert quasar_sim.writes[writes:] == []


async def test_pause_charger_bad_minutes(
    hass: HomeAssistant, init_quasar: MockConfigEntry
) -> None:
    """A pause must last between a minute and a week."""
    with pytest.raises(ServiceValidationError, match="Use 1 to 10080 minutes"):
        await hass.services.async_call(
            DOMAIN,
            "pause_charger",
            {"device_id": charger_device_id(hass), "minutes": -5},
            blocking=True,
        )


async def test_unknown_device(
    hass: HomeAssistant, init_quasar: MockConfigEntry
) -> None:
    """A device id that does not exist is named in the error."""
    with pytest.raises(ServiceValidationError, match="No device with id nope"):
        await _set_current(hass, device_id="nope", current=10)


async def test_device_of_another_integration(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Only chargers we manage can be commanded."""
    other_entry = MockConfigEntry(domain="other")
    other_entry.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=other_entry.entry_id,
        identifiers={("other", "x")},
        name="Kitchen lamp",
    )
    with pytest.raises(ServiceValidationError, match="Kitchen lamp is not a charger"):
        await _set_current(hass, device_id=device.id, current=10)


async def test_charger_not_loaded(
    hass: HomeAssistant, init_quasar: MockConfigEntry
) -> None:
    """A charger whose entry is unloaded says so."""
    device_id = charger_device_id(hass)
    assert await hass.config_entries.async_unload(init_quasar.entry_id)
    with pytest.raises(ServiceValidationError, match="is not loaded"):
        await _set_current(hass, device_id=device_id, current=10)


async def test_charger_fault(
    hass: HomeAssistant, init_quasar: MockConfigEntry, quasar_sim: QuasarSimulator
) -> None:
    """A charger that refuses the command gives a HomeAssistantError, not a traceback."""
    quasar_sim.fail_with_exception = 6
    with pytest.raises(HomeAssistantError, match="refused the command"):
        await _set_current(hass, device_id=charger_device_id(hass), current=10)
