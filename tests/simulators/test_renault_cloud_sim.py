"""Tests of the Renault cloud simulator, through the real renault-api 0.6.2."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from renault_api.gigya.exceptions import (
    InvalidCredentialsException,
    InvalidVerificationCodeException,
    PendingTwoFactorAuthenticationException,
)
from renault_api.kamereon.exceptions import (
    AccessDeniedException,
    KamereonResponseException,
    NotSupportedException,
    PrivacyModeOnException,
    QuotaLimitException,
)
from renault_api.kamereon.models import ChargeDaySchedule, ChargeSchedule
from renault_api.renault_client import RenaultClient
from renault_api.renault_vehicle import RenaultVehicle

from simulators.clock import ManualClock
from simulators.renault_cloud import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    MEGANE_E_TECH,
    PROFILES,
    SPRING,
    TWINGO_ELECTRIC,
    ZOE_PH1,
    ZOE_PH2,
    RenaultCloudSimulator,
    SimVehicle,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.usefixtures("socket_enabled")]

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """Return the simulator's clock."""
    return ManualClock(1000.0)


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[RenaultCloudSimulator]:
    """Run the simulator with the default fleet on 127.0.0.1."""
    simulator = RenaultCloudSimulator(
        clock=clock, start_time=START, quota_per_hour=None
    )
    simulator.add_default_fleet()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """Return an HTTP session."""
    async with aiohttp.ClientSession() as session:
        yield session


def client_for(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> RenaultClient:
    """Return a renault-api client pointed at the simulator."""
    return RenaultClient(
        websession=http, locale="fr_FR", country="FR", locale_details=sim.locale_details
    )


async def api_vehicle(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, vin: str
) -> RenaultVehicle:
    """Sign in and return renault-api's proxy of a car."""
    client = client_for(sim, http)
    await client.session.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    for account in await client.get_api_accounts():
        for vehicle in await account.get_api_vehicles():
            if vehicle.vin == vin:
                return vehicle
    raise AssertionError(vin)


def car(sim: RenaultCloudSimulator, code: str) -> SimVehicle:
    """Return the simulated car of a model."""
    return next(v for v in sim.vehicles.values() if v.profile.code == code)


async def test_login_accounts_and_vehicles(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """The library signs in and lists two accounts holding the six models."""
    client = client_for(sim, http)
    await client.session.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    accounts = await client.get_api_accounts()
    assert len(accounts) == 2
    codes = [
        (await vehicle.get_details()).get_model_code()
        for account in accounts
        for vehicle in await account.get_api_vehicles()
    ]
    assert sorted(codes) == sorted(p.code for p in PROFILES)
    assert sim.calls["accounts.login"] == 1
    assert sim.calls["accounts.getJWT"] == 1
    assert sim.calls["vehicles"] == 2


async def test_wrong_password(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """A wrong password is Gigya's 403042."""
    client = client_for(sim, http)
    with pytest.raises(InvalidCredentialsException):
        await client.session.login(DEFAULT_EMAIL, "nope")


async def test_two_factor_then_remembered_device(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """The full e-mail code dance; a remembered device then skips it."""
    sim.users[DEFAULT_EMAIL].two_factor = True
    client = client_for(sim, http)
    session = client.session
    with pytest.raises(PendingTwoFactorAuthenticationException):
        await session.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    emails = await session.get_two_factor_auth_emails()
    assert [e.obfuscated for e in emails] == ["d***@example.com"]
    await session.request_two_factor_auth_code()
    wrong = "111111" if sim.sent_codes[-1] != "111111" else "222222"
    with pytest.raises(InvalidVerificationCodeException):
        await session.complete_two_factor_auth(wrong)
    await session.complete_two_factor_auth(sim.sent_codes[-1])
    assert session.login_token
    device_ids = session.device_ids
    assert set(device_ids) == {"gmid", "ucid"}

    again = client_for(sim, http).session
    with pytest.raises(PendingTwoFactorAuthenticationException):
        await again.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    again.set_device_ids(device_ids)
    await again.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    assert again.login_token


async def test_login_token_restores_a_session(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """A stored login token mints JWTs without the password."""
    first = client_for(sim, http)
    await first.session.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    token = first.session.login_token
    assert token
    second = client_for(sim, http)
    second.session.set_login_token(token)
    assert len(await second.get_api_accounts()) == 2
    assert sim.calls["accounts.login"] == 1


async def test_battery_reports_only_at_report_times(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """While charging, SoC and timestamp move every 10 minutes, not in between."""
    zoe = car(sim, ZOE_PH2.code)
    zoe.plug()  # mode "always": charges at once, reports a minute later
    vehicle = await api_vehicle(sim, http, zoe.vin)
    before = await vehicle.get_battery_status()
    assert before.plugStatus == 0  # the plug event is not reported yet
    clock.advance(61)
    plugged = await vehicle.get_battery_status()
    assert plugged.plugStatus == 1
    assert plugged.chargingStatus == 1.0
    assert plugged.timestamp == "2026-06-01T12:01:00Z"
    assert plugged.chargingInstantaneousPower == 7.4  # kW, wallbox-limited
    clock.advance(300)
    same = await vehicle.get_battery_status()
    assert same.timestamp == plugged.timestamp
    assert same.batteryLevel == plugged.batteryLevel
    clock.advance(600)
    later = await vehicle.get_battery_status()
    assert later.timestamp == "2026-06-01T12:11:00Z"
    assert zoe.battery.soc_pct > 50.0
    assert later.batteryAvailableEnergy is not None
    assert plugged.batteryAvailableEnergy is not None
    assert later.batteryAvailableEnergy > plugged.batteryAvailableEnergy


async def test_parked_car_reports_hourly(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """An unplugged car reports every hour."""
    zoe = car(sim, ZOE_PH2.code)
    vehicle = await api_vehicle(sim, http, zoe.vin)
    first = await vehicle.get_battery_status()
    clock.advance(3599)
    assert (await vehicle.get_battery_status()).timestamp == first.timestamp
    clock.advance(1)
    assert (await vehicle.get_battery_status()).timestamp == "2026-06-01T13:00:00Z"


async def test_zoe_phase_1_reports_watts(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """X101VE sends chargingInstantaneousPower in W; it has no location."""
    zoe = car(sim, ZOE_PH1.code)
    zoe.plug()
    clock.advance(60)
    vehicle = await api_vehicle(sim, http, zoe.vin)
    status = await vehicle.get_battery_status()
    assert status.chargingInstantaneousPower == 7400
    with pytest.raises(NotSupportedException):
        await vehicle.http_get(
            "/commerce/v1/accounts/{account_id}/kamereon/kca/car-adapter/v1"
            "/cars/{vin}/location"
        )


async def test_not_supported_and_privacy(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """Endpoints a model lacks answer err.tech.501; privacy mode refuses everything."""
    megane = car(sim, MEGANE_E_TECH.code)
    vehicle = await api_vehicle(sim, http, megane.vin)
    stop = {"data": {"type": "ChargingStart", "attributes": {"action": "stop"}}}
    with pytest.raises(NotSupportedException):
        await vehicle.http_post(
            "/commerce/v1/accounts/{account_id}/kamereon/kca/car-adapter/v1"
            "/cars/{vin}/actions/charging-start",
            stop,
        )
    megane.privacy = True
    with pytest.raises(PrivacyModeOnException):
        await vehicle.get_battery_status()


async def test_soc_levels_and_target_stop(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """The car's own target stops the charge; levels out of range are refused."""
    megane = car(sim, MEGANE_E_TECH.code)
    vehicle = await api_vehicle(sim, http, megane.vin)
    await vehicle.set_battery_soc(min=20, target=55)
    levels = await vehicle.get_battery_soc()
    assert (levels.socMin, levels.socTarget) == (20, 55)
    with pytest.raises(KamereonResponseException):
        await vehicle.set_battery_soc(min=10, target=55)
    megane.plug()
    clock.advance(4 * 3600)
    status = await vehicle.get_battery_status()
    assert status.batteryLevel == 55
    assert status.chargingStatus == 0.2


async def test_spring_pause_resume(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """The Spring is paused and resumed through KCM."""
    spring = car(sim, SPRING.code)
    spring.plug()
    vehicle = await api_vehicle(sim, http, spring.vin)
    await vehicle.set_charge_stop()
    assert sim.calls["kcm:charge/pause-resume:pause"] == 1
    clock.advance(60)
    assert (await vehicle.get_battery_status()).chargingStatus == 0.0
    await vehicle.set_charge_start()
    clock.advance(60)
    assert (await vehicle.get_battery_status()).chargingStatus == 1.0


def _day(start: str, minutes: int) -> ChargeDaySchedule:
    return ChargeDaySchedule(
        raw_data={"startTime": start, "duration": minutes},
        startTime=start,
        duration=minutes,
    )


def _schedule(
    schedule_id: int, *, activated: bool, monday: ChargeDaySchedule
) -> ChargeSchedule:
    """One schedule with a window on Mondays only."""
    days = ("tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return ChargeSchedule(
        raw_data={},
        id=schedule_id,
        activated=activated,
        monday=monday,
        **dict.fromkeys(days),
    )


async def test_twingo_charges_only_in_its_schedule(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """In schedule mode the car waits for a window; "always" charges again at once."""
    twingo = car(sim, TWINGO_ELECTRIC.code)
    twingo.plug()
    vehicle = await api_vehicle(sim, http, twingo.vin)
    with pytest.raises(NotSupportedException):
        await vehicle.set_charge_stop()
    # START is Monday 12:00 UTC: the window of 11:00-11:15 is over already; the one at
    # 13:00 is yet to come but belongs to a schedule that is not activated.
    await vehicle.set_charge_schedules(
        [
            _schedule(1, activated=True, monday=_day("T11:00Z", 15)),
            _schedule(2, activated=False, monday=_day("T13:00Z", 30)),
        ]
    )
    await vehicle.set_charge_mode("schedule_mode")
    clock.advance(120)
    assert (await vehicle.get_battery_status()).chargingStatus == 0.1
    soc = twingo.battery.soc_pct
    clock.advance(3 * 3600)
    assert twingo.battery.soc_pct == soc
    settings = await vehicle.get_charging_settings()
    assert settings.mode == "scheduled"
    assert [schedule.id for schedule in settings.schedules or []] == [1, 2]
    await vehicle.set_charge_mode("always_charging")
    clock.advance(120)
    assert (await vehicle.get_battery_status()).chargingStatus == 1.0
    assert twingo.battery.soc_pct > soc


async def test_a_schedule_window_charges_across_midnight(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """A window that starts on Monday 23:00 still charges on Tuesday 00:30."""
    twingo = car(sim, TWINGO_ELECTRIC.code)
    twingo.plug()
    vehicle = await api_vehicle(sim, http, twingo.vin)
    await vehicle.set_charge_schedules(
        [_schedule(1, activated=True, monday=_day("T23:00Z", 120))]
    )
    await vehicle.set_charge_mode("schedule_mode")
    assert not twingo.schedule_allows(clock.now())
    clock.advance(12.5 * 3600)  # Tuesday 00:30 UTC
    assert twingo.schedule_allows(clock.now())
    clock.advance(3600)  # 01:30: the window ended at 01:00
    assert not twingo.schedule_allows(clock.now())
    with pytest.raises(KamereonResponseException):
        await vehicle.set_charge_schedules(
            [_schedule(1, activated=True, monday=_day("T23:10Z", 15))]
        )


async def test_quota_per_account(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """Past the hourly quota the account gets err.func.wired.overloaded for an hour."""
    sim.quota_per_hour = 3
    zoe = car(sim, ZOE_PH2.code)
    vehicle = await api_vehicle(sim, http, zoe.vin)  # 1 call: the vehicles list
    await vehicle.get_battery_status()
    await vehicle.get_cockpit()
    with pytest.raises(QuotaLimitException):
        await vehicle.get_battery_status()
    clock.advance(3601)
    await vehicle.get_battery_status()


async def test_other_persons_account_is_denied(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """A person cannot read another person's account."""
    other = sim.add_user("other@example.com", "pw")
    account = sim.add_account(other)
    client = client_for(sim, http)
    await client.session.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    with pytest.raises(AccessDeniedException):
        await (await client.get_api_account(account.account_id)).get_vehicles()


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("server_error", aiohttp.ClientResponseError),
        ("non_json", aiohttp.ClientResponseError),
        ("err.func.wired.overloaded", QuotaLimitException),
    ],
)
async def test_faults(
    sim: RenaultCloudSimulator,
    http: aiohttp.ClientSession,
    kind: str,
    error: type[Exception],
) -> None:
    """Injected faults reach the library once, then the endpoint works again."""
    zoe = car(sim, ZOE_PH2.code)
    vehicle = await api_vehicle(sim, http, zoe.vin)
    sim.fail("battery-status", kind)
    with pytest.raises(error):
        await vehicle.get_battery_status()
    await vehicle.get_battery_status()
    assert sim.calls["battery-status"] == 2
