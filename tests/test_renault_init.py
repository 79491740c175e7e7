"""A Renault account in Home Assistant: setup, polling on a budget, quota, outages."""

from __future__ import annotations

from datetime import datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import DOMAIN
from custom_components.ev_charge_control.diagnostics import (
    async_get_config_entry_diagnostics,
)
from simulators.renault_cloud import (
    ERR_QUOTA,
    ZOE_PH2,
    RenaultCloudSimulator,
    SimAccount,
)

from .conftest import advance
from .renault_fixtures import *  # noqa: F403 - the Renault fixtures
from .renault_fixtures import RENAULT_EMAIL, RENAULT_ENTRY_ID

BATTERY = "sensor.renault_megane_e_tech_battery"
CHARGE_STATE = "sensor.renault_megane_e_tech_charge_state"
LAST_REPORT = "sensor.renault_megane_e_tech_last_report"
CALLS = "sensor.renault_megane_e_tech_cloud_calls_in_the_last_hour"
THROTTLED = "binary_sensor.renault_megane_e_tech_cloud_quota_spent"
QUOTA_ISSUE = f"renault_quota_{RENAULT_ENTRY_ID}"


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _report_age_s(hass: HomeAssistant) -> float:
    reported = dt_util.parse_datetime(_state(hass, LAST_REPORT))
    assert isinstance(reported, datetime)
    return (dt_util.utcnow() - reported).total_seconds()


async def test_setup_and_unload(
    hass: HomeAssistant, init_renault: MockConfigEntry
) -> None:
    """The car shows up with its readings; unloading removes it cleanly."""
    assert init_renault.state is ConfigEntryState.LOADED
    assert _state(hass, BATTERY) == "50.0"
    assert _state(hass, THROTTLED) == STATE_OFF
    assert int(_state(hass, CALLS)) > 0
    assert await hass.config_entries.async_unload(init_renault.entry_id)
    assert init_renault.state is ConfigEntryState.NOT_LOADED
    await hass.config_entries.async_remove(init_renault.entry_id)


async def test_revoked_sign_in_starts_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    renault_entry: MockConfigEntry,
) -> None:
    """A token the cloud no longer takes asks the user to sign in again."""
    renault_sim.revoke_tokens()
    freezer.tick(5)
    renault_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(renault_entry.entry_id)
    assert renault_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_sign_in_revoked_while_running(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """A password changed elsewhere: the next poll asks for the new one."""
    renault_sim.revoke_tokens()
    await advance(hass, freezer, 3700, step=60)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_cloud_down_at_setup_retries(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    renault_entry: MockConfigEntry,
) -> None:
    """The car list failing is a retry, not an error."""
    renault_sim.fail("vehicles", "server_error")
    renault_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(renault_entry.entry_id)
    assert renault_entry.state is ConfigEntryState.SETUP_RETRY


async def test_quota_at_first_poll_does_not_fail_setup(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    renault_entry: MockConfigEntry,
) -> None:
    """Setup goes on with unknown values and the quota shown as spent."""
    renault_sim.fail("battery-status", ERR_QUOTA)
    renault_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(renault_entry.entry_id)
    await hass.async_block_till_done()
    assert renault_entry.state is ConfigEntryState.LOADED
    assert _state(hass, BATTERY) == "unknown"
    assert _state(hass, THROTTLED) == STATE_ON


async def test_quota_at_setup_uses_the_cars_known_from_last_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """Restarted during a lockout: the cars come back from storage and wait."""
    assert await hass.config_entries.async_unload(init_renault.entry_id)
    renault_sim.fail("vehicles", ERR_QUOTA)
    assert await hass.config_entries.async_setup(init_renault.entry_id)
    await hass.async_block_till_done()
    assert init_renault.state is ConfigEntryState.LOADED
    assert _state(hass, THROTTLED) == STATE_ON
    assert _state(hass, BATTERY) == "unknown"
    vehicles = renault_sim.calls["vehicles"]
    await advance(hass, freezer, 3700, step=60)
    assert renault_sim.calls["vehicles"] == vehicles + 1  # listed again, then read
    assert _state(hass, BATTERY) == "50.0"
    assert _state(hass, THROTTLED) == STATE_OFF


async def test_quota_at_first_setup_retries(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    renault_entry: MockConfigEntry,
) -> None:
    """Never set up before and locked out: nothing to show yet, so it retries."""
    renault_sim.fail("vehicles", ERR_QUOTA)
    renault_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(renault_entry.entry_id)
    assert renault_entry.state is ConfigEntryState.SETUP_RETRY


async def test_charging_car_is_polled_once_per_report(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """Parked: every five minutes. Charging: just after each ten-minute report."""
    before = renault_sim.calls["battery-status"]
    await advance(hass, freezer, 3000, step=60)
    assert renault_sim.calls["battery-status"] == before + 10  # parked
    car = next(iter(renault_sim.vehicles.values()))
    car.plug()
    assert _state(hass, CHARGE_STATE) != "charging"
    # The car reports a minute after the plug-in; a parked poll sees it within five.
    await advance(hass, freezer, 60 + 300 + 60, step=60)
    assert _state(hass, CHARGE_STATE) == "charging"
    await advance(hass, freezer, 900 - 420, step=60)
    start = renault_sim.calls["battery-status"]
    worst_age = 0.0
    for _ in range(120):  # two hours
        await advance(hass, freezer, 60, step=60)
        worst_age = max(worst_age, _report_age_s(hass))
    polls = renault_sim.calls["battery-status"] - start
    assert 11 <= polls <= 14
    # Shown at most a report interval (plus the margin and a step) after the car spoke.
    assert worst_age <= 600 + 30 + 60 + 60


async def test_quota_lockout_survived(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Quota spent: values kept, polling paused, a repair issue if it lasts; then back."""
    renault_sim.fail("battery-status", ERR_QUOTA, times=3)
    await advance(hass, freezer, 1000, step=60)  # the first poll after setup
    assert _state(hass, THROTTLED) == STATE_ON
    assert _state(hass, BATTERY) == "50.0"  # the last value, still available
    calls = renault_sim.calls["battery-status"]
    await advance(hass, freezer, 1800, step=60)
    assert renault_sim.calls["battery-status"] == calls  # paused
    assert issue_registry.async_get_issue(DOMAIN, QUOTA_ISSUE) is None
    await advance(hass, freezer, 2400, step=60)
    assert renault_sim.calls["battery-status"] == calls + 1  # retried after an hour
    assert issue_registry.async_get_issue(DOMAIN, QUOTA_ISSUE) is None
    await advance(hass, freezer, 3600, step=60)
    assert renault_sim.calls["battery-status"] == calls + 2
    issue = issue_registry.async_get_issue(DOMAIN, QUOTA_ISSUE)
    assert issue is not None
    assert issue.translation_placeholders == {"title": f"MyRenault {RENAULT_EMAIL}"}
    await advance(hass, freezer, 3700, step=60)
    assert _state(hass, THROTTLED) == STATE_OFF
    assert issue_registry.async_get_issue(DOMAIN, QUOTA_ISSUE) is None


async def test_outage_then_recovery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """A cloud error makes the car unavailable; it is back a few minutes later."""
    renault_sim.fail("battery-status", "server_error")
    await advance(hass, freezer, 360, step=60)  # the next parked poll fails
    assert _state(hass, BATTERY) == STATE_UNAVAILABLE
    await advance(hass, freezer, 360, step=60)
    assert _state(hass, BATTERY) == "50.0"


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """No e-mail, token, VIN, account id or position in clear."""
    result = await async_get_config_entry_diagnostics(hass, init_renault)
    text = str(result)
    vin = next(iter(renault_sim.vehicles))
    for secret in (
        RENAULT_EMAIL,
        init_renault.data["login_token"],
        vin,
        init_renault.data["account_id"],
        "48.8566",
    ):
        assert secret not in text
    assert result["budget"]["throttled"] is False
    assert result["vehicles"][0]["info"]["model"] == "Megane E-Tech"


@pytest.mark.parametrize("renault_quota", [60])
async def test_within_the_cloud_quota(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """A day of polling never trips the simulated cloud's own quota."""
    car = next(iter(renault_sim.vehicles.values()))
    car.plug()
    await advance(hass, freezer, 6 * 3600, step=120)
    assert _state(hass, THROTTLED) == STATE_OFF


async def test_a_car_added_or_removed_follows_within_a_day(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    renault_account: SimAccount,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The account is listed once a day: a new car appears, a car gone disappears."""
    devices = dr.async_get(hass)
    zoe = renault_sim.add_vehicle(renault_account, ZOE_PH2, vin="VF1X102VE00000042")
    await advance(hass, freezer, 12 * 3600, step=600)
    assert hass.states.get("sensor.renault_zoe_battery") is None  # not yet listed
    await advance(hass, freezer, 12 * 3600, step=600)
    await hass.async_block_till_done()
    assert init_renault.state is ConfigEntryState.LOADED
    assert _state(hass, "sensor.renault_zoe_battery") == "50.0"
    assert _state(hass, BATTERY) == "50.0"
    assert devices.async_get_device_by_identifier((DOMAIN, zoe.vin), RENAULT_ENTRY_ID)

    renault_account.vins.remove(zoe.vin)
    await advance(hass, freezer, 24 * 3600, step=600)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.renault_zoe_battery") is None
    assert (
        devices.async_get_device_by_identifier((DOMAIN, zoe.vin), RENAULT_ENTRY_ID)
        is None
    )
    assert _state(hass, BATTERY) != STATE_UNAVAILABLE


@pytest.mark.parametrize(
    ("fault", "throttled"), [("server_error", False), (ERR_QUOTA, True)]
)
async def test_a_failed_daily_listing_waits_for_the_next_day(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    renault_account: SimAccount,
    init_renault: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    fault: str,
    throttled: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A listing refused or failed changes nothing; a quota answer pauses polling."""
    zoe = renault_sim.add_vehicle(renault_account, ZOE_PH2, vin="VF1X102VE00000042")
    renault_sim.fail("vehicles", fault)
    # Ten minutes past the day's listing: a quota pause (an hour) is still on.
    await advance(hass, freezer, 24 * 3600 + 600, step=600)
    await hass.async_block_till_done()
    assert renault_sim.calls["vehicles"] >= 2  # the setup's and the refused one
    assert init_renault.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.renault_zoe_battery") is None
    # A quota answer pauses the account (a poll that the cloud answers may lift it
    # at once again, so the log is what tells).
    assert ("call quota is spent" in caplog.text) is throttled
    await advance(hass, freezer, 24 * 3600, step=600)
    await hass.async_block_till_done()
    assert _state(hass, "sensor.renault_zoe_battery") == "50.0"
    assert zoe.vin in init_renault.runtime_data.vehicles
