"""Tests of the Renault driver: the real renault-api 0.6.2 against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.ev_charge_control.drivers.models import (
    AuthError,
    ChargeState,
    CommandRejectedError,
    DeviceProtocolError,
    DeviceUnreachableError,
    NotSupportedError,
    PlugState,
    QuotaExceededError,
    TwoFactorRequiredError,
    VehicleInfo,
)
from custom_components.ev_charge_control.drivers.renault import (
    PARTS,
    ChargeSettings,
    RenaultAccountClient,
    RenaultTwoFactorRequiredError,
    charge_state,
    plug_state,
    schedule_in_the_past,
)
from simulators.clock import ManualClock
from simulators.renault_cloud import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    MEGANE_E_TECH,
    R5_E_TECH,
    SPRING,
    TWINGO_ELECTRIC,
    ZOE_PH1,
    ZOE_PH2,
    ModelProfile,
    RenaultCloudSimulator,
    SimVehicle,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.usefixtures("socket_enabled")]

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ASKED_AT = datetime(2026, 6, 1, 23, 59, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """Return the simulator's clock."""
    return ManualClock(0.0)


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


def new_client(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession, **kwargs: float
) -> RenaultAccountClient:
    """Return a driver pointed at the simulator, with a fixed "now"."""
    return RenaultAccountClient(
        http,
        locale="fr_FR",
        locale_details=sim.locale_details,
        now=lambda: ASKED_AT,
        **kwargs,
    )


@pytest.fixture
async def client(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> RenaultAccountClient:
    """Return a signed-in driver that has listed every car."""
    driver = new_client(sim, http)
    await driver.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    for account_id, _ in await driver.accounts():
        await driver.vehicles(account_id)
    return driver


def car(sim: RenaultCloudSimulator, profile: ModelProfile) -> SimVehicle:
    """Return the simulated car of a model."""
    return next(v for v in sim.vehicles.values() if v.profile is profile)


async def all_vehicles(driver: RenaultAccountClient) -> dict[str, VehicleInfo]:
    """Return every car of every account, by model code."""
    result = {}
    for account_id, _ in await driver.accounts():
        for info in await driver.vehicles(account_id):
            result[info.vin] = info
    return result


# --- signing in -----------------------------------------------------------------------


async def test_accounts_and_vehicles(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """Two accounts; brands, names, capacities and capabilities per model."""
    driver = new_client(sim, http)
    await driver.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    accounts = await driver.accounts()
    assert [name for _, name in accounts] == ["MyRenault", "MyDacia"]
    infos = await all_vehicles(driver)
    by_code = {sim.vehicles[vin].profile.code: info for vin, info in infos.items()}
    spring = by_code[SPRING.code]
    assert (spring.brand, spring.name, spring.battery_capacity_kwh) == (
        "Dacia",
        "Dacia Spring",
        26.8,
    )
    assert by_code[ZOE_PH1.code].name == "Renault ZOE"
    assert by_code[MEGANE_E_TECH.code].battery_capacity_kwh == 60.0
    # What renault-api knows of each model.
    assert "charge_stop" not in by_code[MEGANE_E_TECH.code].capabilities
    assert "charge_stop" not in by_code[R5_E_TECH.code].capabilities
    assert "soc_levels" in by_code[R5_E_TECH.code].capabilities
    assert "soc_levels" not in by_code[ZOE_PH1.code].capabilities
    assert "location" not in by_code[ZOE_PH1.code].capabilities
    assert "location" in by_code[ZOE_PH2.code].capabilities
    assert "charge_stop" in by_code[SPRING.code].capabilities
    assert "horn" not in by_code[SPRING.code].capabilities
    assert "charge_mode" in by_code[ZOE_PH1.code].capabilities
    assert "charge_mode" not in by_code[ZOE_PH2.code].capabilities
    # Every HTTP request is counted, as the simulator saw them.
    assert driver.calls == sim.total_calls


async def test_wrong_password(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """A wrong password is an AuthError, not a two-factor request."""
    driver = new_client(sim, http)
    with pytest.raises(AuthError) as caught:
        await driver.login(DEFAULT_EMAIL, "wrong")
    assert not isinstance(caught.value, TwoFactorRequiredError)
    assert driver.login_token is None


async def test_two_factor_and_stored_credentials(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """The e-mailed code completes the login; token and device ids replace the password."""
    sim.users[DEFAULT_EMAIL].two_factor = True
    driver = new_client(sim, http)
    with pytest.raises(RenaultTwoFactorRequiredError) as caught:
        await driver.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    assert caught.value.code_sent
    assert [e.obfuscated for e in caught.value.emails] == ["d***@example.com"]
    assert len(sim.sent_codes) == 1
    code = sim.sent_codes[-1]
    with pytest.raises(TwoFactorRequiredError):
        await driver.complete_two_factor("111111" if code != "111111" else "222222")
    await driver.complete_two_factor(code)
    token, device_ids = driver.login_token, driver.device_ids
    assert token
    assert set(device_ids) == {"gmid", "ucid"}

    # The stored token alone: no login call at all.
    logins = sim.calls["accounts.login"]
    restored = new_client(sim, http)
    restored.restore(token, device_ids)
    assert len(await restored.accounts()) == 2
    assert sim.calls["accounts.login"] == logins

    # A password login from the remembered device skips the second factor.
    again = new_client(sim, http)
    again.restore_device_ids(device_ids)
    await again.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    assert len(sim.sent_codes) == 1


async def test_revoked_token_is_auth_error(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """A login token the cloud no longer accepts asks for a new sign-in."""
    driver = new_client(sim, http)
    driver.restore("glt-not-a-token")
    with pytest.raises(AuthError):
        await driver.accounts()


# --- readings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "power_kw", "temperature"),
    [
        (ZOE_PH1, 7.4, 20.0),  # reported as 7400 W
        (ZOE_PH2, 7.4, 20.0),
        (MEGANE_E_TECH, 7.4, None),
        (R5_E_TECH, None, None),
        (SPRING, 6.6, 20.0),  # its on-board charger is below the wallbox
        (TWINGO_ELECTRIC, 7.4, 20.0),
    ],
)
async def test_state_shape_per_model(
    sim: RenaultCloudSimulator,
    client: RenaultAccountClient,
    clock: ManualClock,
    profile: ModelProfile,
    power_kw: float | None,
    temperature: float | None,
) -> None:
    """A charging car, every part its model has: values, units and times."""
    vehicle = car(sim, profile)
    vehicle.plug()
    clock.advance(60)
    state = await client.get_state(vehicle.vin, parts=PARTS)
    report_at = START + timedelta(seconds=60)

    assert state.battery_level_pct is not None
    # 50 % a minute ago; the small Twingo gains half a percent in that minute.
    assert state.battery_level_pct.value == round(vehicle.battery.soc_pct)
    assert 50 <= state.battery_level_pct.value <= 51
    assert state.battery_level_pct.as_of == report_at
    assert state.plug is not None
    assert state.plug.value is PlugState.PLUGGED
    assert state.charge is not None
    assert state.charge.value is ChargeState.CHARGING
    power = state.charging_power_kw
    assert (power.value if power else None) == power_kw
    temp = state.battery_temperature_c
    assert (temp.value if temp else None) == temperature
    assert state.range_km is not None
    assert state.range_km.value > 0
    assert state.mileage_km is not None
    assert state.mileage_km.as_of == ASKED_AT  # cockpit carries no time of its own
    assert state.hvac_on is not None
    assert state.hvac_on.value is False
    has_location = profile is not ZOE_PH1
    assert (state.location is not None) is has_location
    has_levels = profile in (MEGANE_E_TECH, R5_E_TECH)
    assert (state.soc_target_pct is not None) is has_levels
    assert (state.charge_mode is not None) is (profile is ZOE_PH1)
    assert state.locked is None  # none of these models has lock-status


async def test_soc_moves_only_at_report_times(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, clock: ManualClock
) -> None:
    """Between reports a poll returns the same reading and the same time."""
    zoe = car(sim, ZOE_PH2)
    zoe.plug()
    clock.advance(60)
    first = await client.get_state(zoe.vin, parts={"battery"})
    clock.advance(540)
    second = await client.get_state(zoe.vin, parts={"battery"})
    assert second.battery_level_pct == first.battery_level_pct
    assert second.available_energy_kwh == first.available_energy_kwh
    clock.advance(60)  # ten minutes after the first report
    third = await client.get_state(zoe.vin, parts={"battery"})
    assert first.battery_level_pct is not None
    assert third.battery_level_pct is not None
    assert third.battery_level_pct.as_of == first.battery_level_pct.as_of + timedelta(
        minutes=10
    )
    assert third.available_energy_kwh is not None
    assert first.available_energy_kwh is not None
    assert third.available_energy_kwh.value > first.available_energy_kwh.value


async def test_partial_fetch_keeps_older_readings(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, clock: ManualClock
) -> None:
    """Parts not fetched keep their Reading; only the asked endpoint is called."""
    zoe = car(sim, ZOE_PH2)
    battery = await client.get_state(zoe.vin, parts={"battery"})
    assert battery.mileage_km is None
    before = dict(sim.calls)
    clock.advance(7200)
    both = await client.get_state(zoe.vin, parts={"cockpit"})
    assert sim.calls["cockpit"] == before.get("cockpit", 0) + 1
    assert sim.calls["battery-status"] == before["battery-status"]
    assert both.battery_level_pct is battery.battery_level_pct
    assert both.mileage_km is not None
    assert client.last_state(zoe.vin) is both
    with pytest.raises(ValueError, match="unknown parts"):
        await client.get_state(zoe.vin, parts={"tyres"})


async def test_not_supported_is_remembered(
    sim: RenaultCloudSimulator, client: RenaultAccountClient
) -> None:
    """After a "not supported" the endpoint is never called again for that car."""
    twingo = car(sim, TWINGO_ELECTRIC)
    with pytest.raises(NotSupportedError):
        await client.stop_charge(twingo.vin)
    sent = client.calls
    assert sim.calls["actions/charging-start:stop"] == 1
    with pytest.raises(NotSupportedError):
        await client.stop_charge(twingo.vin)
    assert client.calls == sent
    assert sim.calls["actions/charging-start:stop"] == 1

    state = await client.get_state(twingo.vin, parts={"soc_levels", "battery"})
    assert state.battery_level_pct is not None
    assert state.soc_target_pct is None
    assert sim.calls["kcm:ev/soc-levels"] == 1
    await client.get_state(twingo.vin, parts={"soc_levels"})
    assert sim.calls["kcm:ev/soc-levels"] == 1
    assert client.unsupported(twingo.vin) == {"charge_stop", "soc_levels"}
    infos = await all_vehicles(client)
    assert "charge_stop" not in infos[twingo.vin].capabilities


async def test_megane_stop_is_not_supported_without_a_call(
    sim: RenaultCloudSimulator, client: RenaultAccountClient
) -> None:
    """renault-api already knows the Megane has no stop: nothing is sent."""
    megane = car(sim, MEGANE_E_TECH)
    sent = client.calls
    with pytest.raises(NotSupportedError):
        await client.stop_charge(megane.vin)
    assert client.calls == sent


async def test_quota_maps_to_quota_exceeded(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, clock: ManualClock
) -> None:
    """The cloud's overload error pauses polling; an hour later it works again."""
    sim.quota_per_hour = 2
    zoe = car(sim, ZOE_PH2)
    # Calls made before the quota was set are not in the window.
    await client.get_state(zoe.vin, parts={"battery"})
    await client.get_state(zoe.vin, parts={"cockpit"})
    with pytest.raises(QuotaExceededError):
        await client.get_state(zoe.vin, parts={"battery"})
    clock.advance(3600)
    await client.get_state(zoe.vin, parts={"battery"})


@pytest.mark.parametrize("kind", ["server_error", "non_json", "err.tech.500"])
async def test_bad_answers_are_protocol_errors(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, kind: str
) -> None:
    """5xx, HTML pages and unknown Kamereon errors become DeviceProtocolError."""
    zoe = car(sim, ZOE_PH2)
    sim.fail("battery-status", kind)
    with pytest.raises(DeviceProtocolError):
        await client.get_state(zoe.vin, parts={"battery"})
    state = await client.get_state(zoe.vin, parts={"battery"})
    assert state.battery_level_pct is not None


async def test_unreachable_and_slow(
    sim: RenaultCloudSimulator, http: aiohttp.ClientSession
) -> None:
    """A cloud too slow to answer, or gone, is DeviceUnreachableError."""
    driver = new_client(sim, http, timeout=0.2)
    sim.delay_s = 0.5
    with pytest.raises(DeviceUnreachableError):
        await driver.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    sim.delay_s = 0.0
    await sim.stop()
    with pytest.raises(DeviceUnreachableError):
        await driver.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)


# --- commands -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("soc_min", "target"), [(10, 80), (50, 80), (17, 80), (20, 50), (20, 105), (20, 82)]
)
async def test_soc_levels_validation(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, soc_min: int, target: int
) -> None:
    """Levels the car would refuse are refused before any call."""
    sent = client.calls
    with pytest.raises(ValueError, match="SoC"):
        await client.set_soc_levels(car(sim, R5_E_TECH).vin, soc_min, target)
    assert client.calls == sent


async def test_soc_levels_and_charge_start_on_r5(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, clock: ManualClock
) -> None:
    """The R5 takes its own limit, and starts through its settings."""
    r5 = car(sim, R5_E_TECH)
    sim.vehicles[r5.vin].charge_mode = "schedule_mode"
    r5.plug()
    await client.set_soc_levels(r5.vin, 25, 90)
    await client.start_charge(r5.vin)
    assert r5.wants_charge
    clock.advance(60)
    state = await client.get_state(r5.vin, parts={"soc_levels", "battery"})
    assert state.soc_min_pct is not None
    assert state.soc_target_pct is not None
    assert (state.soc_min_pct.value, state.soc_target_pct.value) == (25, 90)
    assert state.charge is not None
    assert state.charge.value is ChargeState.CHARGING


async def test_commands_reach_the_car(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, clock: ManualClock
) -> None:
    """Charge mode, AC, horn and lights, each on a model that has it."""
    zoe1, spring, megane = car(sim, ZOE_PH1), car(sim, SPRING), car(sim, MEGANE_E_TECH)
    await client.set_charge_mode(zoe1.vin, "schedule_mode")
    assert zoe1.charge_mode == "schedule_mode"
    with pytest.raises(ValueError, match="charge mode"):
        await client.set_charge_mode(zoe1.vin, "fast")
    spring.plug()
    await client.stop_charge(spring.vin)
    assert not spring.wants_charge
    await client.start_charge(spring.vin)
    assert spring.wants_charge
    await client.start_hvac(megane.vin, 21.0)
    clock.advance(60)
    state = await client.get_state(megane.vin, parts={"hvac"})
    assert state.hvac_on is not None
    assert state.hvac_on.value is True
    await client.stop_hvac(megane.vin)
    assert not megane.hvac_on
    await client.horn(megane.vin)
    await client.lights(megane.vin)
    assert sim.calls["actions/horn-lights:horn"] == 1
    assert sim.calls["actions/horn-lights:lights"] == 1
    with pytest.raises(NotSupportedError):
        await client.horn(spring.vin)


async def test_a_schedule_in_the_past_holds_a_twingo(
    sim: RenaultCloudSimulator, client: RenaultAccountClient, clock: ManualClock
) -> None:
    """No stop, no levels: the schedule holds the charge; the owner's comes back."""
    twingo = car(sim, TWINGO_ELECTRIC)
    owners = [
        {
            "id": 1,
            "activated": True,
            "monday": {"startTime": "T21:30Z", "duration": 420},
            "tuesday": None,
            "wednesday": None,
            "thursday": None,
            "friday": None,
            "saturday": None,
            "sunday": None,
        }
    ]
    twingo.schedules = owners
    twingo.plug()
    clock.advance(60)
    assert twingo.charging
    saved = await client.charge_settings(twingo.vin)
    assert saved == ChargeSettings(mode="always", schedules=tuple(owners))
    await client.hold_by_schedule(twingo.vin, START)
    assert ChargeSettings.from_dict(saved.as_dict()) == saved
    assert twingo.charge_mode == "schedule_mode"
    assert twingo.schedules == schedule_in_the_past(START)
    clock.advance(60)
    assert not twingo.charging
    await client.release_schedule(twingo.vin)
    clock.advance(60)
    assert twingo.charging
    await client.restore_charge_settings(twingo.vin, saved)
    assert (twingo.charge_mode, twingo.schedules) == ("always", owners)


def test_the_schedule_s_window_is_yesterday_s() -> None:
    """The one window is yesterday's first quarter hour, UTC; every other day has none."""
    (schedule,) = schedule_in_the_past(START)  # a Monday
    assert schedule["activated"] is True
    assert schedule["sunday"] == {"startTime": "T00:00Z", "duration": 15}
    assert [day for day, window in schedule.items() if isinstance(window, dict)] == [
        "sunday"
    ]
    (after_midnight,) = schedule_in_the_past(datetime(2026, 6, 1, 0, 5, tzinfo=UTC))
    assert after_midnight["sunday"] is not None


async def test_refusals_are_command_rejected(
    sim: RenaultCloudSimulator, client: RenaultAccountClient
) -> None:
    """Privacy mode, a low battery and a pending mode change carry a reason."""
    megane = car(sim, MEGANE_E_TECH)
    megane.battery.soc_pct = 10.0
    with pytest.raises(CommandRejectedError, match="battery is too low"):
        await client.start_hvac(megane.vin, 21.0)
    megane.privacy = True
    with pytest.raises(CommandRejectedError, match="privacy"):
        await client.start_charge(megane.vin)
    zoe1 = car(sim, ZOE_PH1)
    sim.fail("actions/charge-mode", "409001")
    with pytest.raises(CommandRejectedError, match="in progress"):
        await client.set_charge_mode(zoe1.vin, "always")


def test_code_maps() -> None:
    """Every documented plug and charge code has its state; others are unknown."""
    assert plug_state(-2147483648) is PlugState.UNKNOWN
    assert plug_state(-1) is PlugState.PLUG_ERROR
    assert plug_state(7) is PlugState.UNKNOWN
    assert charge_state(0.1) is ChargeState.WAITING_FOR_SCHEDULE
    assert charge_state(0.30000000000000004) is ChargeState.WAITING_FOR_CURRENT
    assert charge_state(0.4) is ChargeState.FLAP_OPEN
    assert charge_state(-1.1) is ChargeState.UNAVAILABLE
    assert charge_state(-1.5) is ChargeState.DISCHARGING
    assert charge_state(9.9) is ChargeState.UNKNOWN
