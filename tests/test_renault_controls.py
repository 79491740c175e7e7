"""Every Renault command from Home Assistant, with its success and its errors."""

from __future__ import annotations

import asyncio

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
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
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import DOMAIN
from custom_components.ev_charge_control.drivers.renault import RenaultAccountClient
from simulators.renault_cloud import (
    ERR_PRIVACY,
    ERR_QUOTA,
    ERR_UNAUTHORIZED,
    HORN,
    MEGANE_E_TECH,
    ZOE_PH1,
    RenaultCloudSimulator,
    SimVehicle,
)

from .conftest import advance
from .renault_fixtures import *  # noqa: F403 - the Renault fixtures

pytestmark = pytest.mark.parametrize("renault_profiles", [(MEGANE_E_TECH, ZOE_PH1)])

MEGANE = "renault_megane_e_tech"
ZOE = "renault_zoe"


def _car(sim: RenaultCloudSimulator, code: str) -> SimVehicle:
    return next(v for v in sim.vehicles.values() if v.profile.code == code)


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def _set(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


async def test_preconditioning_at_the_chosen_temperature(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """The temperature set on the number goes with the start; stop stops it."""
    car = _car(renault_sim, MEGANE_E_TECH.code)
    await _set(hass, f"number.{MEGANE}_preconditioning_temperature", 23.5)
    await _press(hass, f"button.{MEGANE}_start_preconditioning")
    assert car.hvac_on
    assert car.hvac_target_c == 23.5
    # The car reports a minute later; Home Assistant looks right after.
    await advance(hass, freezer, 150, step=30)
    assert hass.states.get(f"sensor.{MEGANE}_climate_control").state == "on"  # type: ignore[union-attr]
    await _press(hass, f"button.{MEGANE}_stop_preconditioning")
    assert not car.hvac_on


async def test_charging_commands(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """Start and stop reach the car the way each model does them."""
    zoe = _car(renault_sim, ZOE_PH1.code)
    zoe.plug()
    await _press(hass, f"button.{ZOE}_stop_charging")
    assert renault_sim.calls["actions/charging-start:stop"] == 1
    assert not zoe.wants_charge
    await _press(hass, f"button.{ZOE}_start_charging")
    assert zoe.wants_charge
    await _press(hass, f"button.{MEGANE}_start_charging")
    assert renault_sim.calls["kcm:charge/start"] == 1


async def test_charge_mode(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """The mode the car reports is shown; choosing one sets it on the car."""
    entity_id = f"select.{ZOE}_charge_mode"
    assert hass.states.get(entity_id).state == "always"  # type: ignore[union-attr]
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: "schedule_mode"},
        blocking=True,
    )
    assert _car(renault_sim, ZOE_PH1.code).charge_mode == "schedule_mode"


async def test_car_charge_levels(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """Each level is set with the other kept; a level the car refuses is said so."""
    car = _car(renault_sim, MEGANE_E_TECH.code)
    await _set(hass, f"number.{MEGANE}_car_s_target_charge_level", 90)
    assert (car.soc_min, car.soc_target) == (20, 80 + 10)
    await _set(hass, f"number.{MEGANE}_car_s_minimum_charge_level", 30)
    assert car.soc_min == 30
    with pytest.raises(ServiceValidationError) as err:
        await _set(hass, f"number.{MEGANE}_car_s_minimum_charge_level", 17)
    assert err.value.translation_key == "renault_invalid_value"


async def test_horn_and_lights(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """Megane: horn and lights work."""
    await _press(hass, f"button.{MEGANE}_sound_horn")
    await _press(hass, f"button.{MEGANE}_flash_lights")
    assert renault_sim.calls[HORN] == 1
    assert renault_sim.calls["actions/horn-lights:lights"] == 1


async def test_not_supported_switches_the_button_off(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """The ZOE's cloud has no horn after all: said once, then the button is off."""
    entity_id = f"button.{ZOE}_sound_horn"
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, entity_id)
    assert err.value.translation_key == "renault_not_supported"
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        (ERR_PRIVACY, "renault_command_rejected"),
        ("server_error", "renault_cloud_error"),
        (ERR_QUOTA, "renault_quota_exceeded"),
        (ERR_UNAUTHORIZED, "renault_auth_failed"),
    ],
)
async def test_command_errors(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    fault: str,
    key: str,
) -> None:
    """Each failure is an error a person can read; the next press works."""
    renault_sim.fail(HORN, fault)
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, f"button.{MEGANE}_sound_horn")
    assert err.value.translation_key == key
    await hass.async_block_till_done()
    if fault == ERR_UNAUTHORIZED:
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    if fault != ERR_QUOTA:
        await _press(hass, f"button.{MEGANE}_sound_horn")
        assert renault_sim.calls[HORN] == 2


async def test_commands_wait_while_the_quota_is_spent(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """After a quota error nothing is sent until the pause is over."""
    renault_sim.fail(HORN, ERR_QUOTA)
    with pytest.raises(HomeAssistantError):
        await _press(hass, f"button.{MEGANE}_sound_horn")
    assert (
        hass.states.get(f"binary_sensor.{MEGANE}_cloud_quota_spent").state == STATE_ON
    )  # type: ignore[union-attr]
    with pytest.raises(HomeAssistantError) as err:
        await _press(hass, f"button.{MEGANE}_sound_horn")
    assert err.value.translation_key == "renault_quota_exceeded"
    assert renault_sim.calls[HORN] == 1
    await advance(hass, freezer, 3700, step=60)
    await _press(hass, f"button.{MEGANE}_sound_horn")
    assert renault_sim.calls[HORN] == 2


async def test_commands_are_sent_one_at_a_time(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """Two commands at once, for two cars of the account, go one after the other."""
    in_flight = 0
    most = 0

    async def command(client: RenaultAccountClient) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1

    coordinators = list(init_renault.runtime_data.coordinators.values())
    await asyncio.gather(
        *(coordinator.async_command(command) for coordinator in coordinators)
    )
    assert len(coordinators) == 2
    assert most == 1
