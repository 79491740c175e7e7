"""Tests of the psa_car_controller driver against the simulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta, timezone
import json
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.ev_charge_control.drivers.models import (
    ChargeState,
    CommandRejectedError,
    DeviceProtocolError,
    DeviceUnreachableError,
    PlugState,
    Position,
    QuotaExceededError,
)
from custom_components.ev_charge_control.drivers.psacc import (
    ChargeControl,
    PsaccClient,
    normalise_brand,
    parse_duration_min,
    parse_timestamp,
    short_text,
)
from simulators.clock import ManualClock
from simulators.psacc import OPEL_CORSA_E, PEUGEOT_E208, PsaccSimulator

# Loopback only. The marker is what pytest-socket reads; the fixture is needed too
# because pytest-homeassistant-custom-component disables sockets again after it.
pytestmark = [pytest.mark.enable_socket, pytest.mark.usefixtures("socket_enabled")]

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2030, 1, 1, tzinfo=UTC)
E208 = PEUGEOT_E208.vin
CORSA = OPEL_CORSA_E.vin


@pytest.fixture
def clock() -> ManualClock:
    """Return the simulator's clock: simulated time only moves when told."""
    return ManualClock(0.0)


@pytest.fixture
async def sim(
    socket_enabled: None, clock: ManualClock
) -> AsyncIterator[PsaccSimulator]:
    """Run a server with an e-208 and a Corsa-e on an ephemeral port."""
    server = PsaccSimulator((PEUGEOT_E208, OPEL_CORSA_E), clock=clock, start_at=START)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return the session the integration would share."""
    async with aiohttp.ClientSession() as shared:
        yield shared


@pytest.fixture
def client(sim: PsaccSimulator, session: aiohttp.ClientSession) -> PsaccClient:
    """Return a client whose "now" is after every simulated report."""
    return PsaccClient(session, sim.url + "/", timeout=2.0, now=lambda: LATER)


class Canned:
    """A server that answers every GET with one canned response."""

    def __init__(self) -> None:
        """Answer 200 {} until told otherwise."""
        self.status = 200
        self.body = "{}"
        self.content_type = "application/json"
        self.paths: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        """Answer the canned response."""
        self.paths.append(request.path_qs)
        return web.Response(
            text=self.body, status=self.status, content_type=self.content_type
        )

    def json(self, data: object, status: int = 200) -> None:
        """Answer ``data`` as JSON."""
        self.body, self.status, self.content_type = (
            json.dumps(data),
            status,
            "application/json",
        )


@pytest.fixture
async def canned(socket_enabled: None) -> AsyncIterator[tuple[Canned, str]]:
    """Run a canned server; return it and its URL."""
    canned = Canned()
    app = web.Application()
    app.router.add_get("/{tail:.*}", canned.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield canned, f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


def status_json(
    *,
    updated_at: object = "2026-06-01 12:00:00+00:00",
    charging: dict[str, Any] | None = None,
    coordinates: list[Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return a get_vehicleinfo body with the given parts."""
    return {
        "energy": [
            {"type": "Fuel", "level": None, "updated_at": updated_at},
            {
                "type": "Electric",
                "level": 55,
                "autonomy": 180,
                "updated_at": updated_at,
                "charging": charging
                if charging is not None
                else {
                    "plugged": True,
                    "status": "InProgress",
                    "remaining_time": "PT2H15M",
                    "charging_rate": 40,
                    "charging_mode": "Slow",
                },
            },
        ],
        "last_position": {
            "geometry": {"coordinates": coordinates or [6.7735, 51.2277, 38]},
            "properties": {"updated_at": "2026-06-01 11:50:00+00:00"},
        },
        **extra,
    }


# ------------------------------------------------------------------ listing


async def test_list_vehicles(client: PsaccClient, sim: PsaccSimulator) -> None:
    """Brands, models, capacity and capabilities come from what the server says."""
    e208, corsa = await client.list_vehicles()
    assert (e208.vin, e208.brand, e208.model, e208.name) == (
        E208,
        "Peugeot",
        "e-208",
        "Peugeot e-208",
    )
    assert e208.battery_capacity_kwh == 46.0
    assert e208.capabilities == {
        "battery_health",
        "charge_control",
        "horn",
        "lights",
        "location",
        "lock",
        "preconditioning",
        "wakeup",
    }
    assert corsa.brand == "Opel"
    assert "lock" not in corsa.capabilities
    assert "battery_health" not in corsa.capabilities
    assert "charge_control" in corsa.capabilities
    # Listing never calls the cars.
    assert sum(sim.car_calls.values()) == 0


async def test_list_vehicles_without_charge_control(
    client: PsaccClient, sim: PsaccSimulator
) -> None:
    """A server whose charge control is not set up offers none."""
    sim.charge_control_enabled = False
    for car in await client.list_vehicles():
        assert "charge_control" not in car.capabilities


async def test_list_vehicles_bad_shapes(canned: tuple[Canned, str]) -> None:
    """Not a list, or a car without VIN, is a protocol error."""
    server, url = canned
    async with aiohttp.ClientSession() as session:
        client = PsaccClient(session, url)
        server.json({"vin": "X"})
        with pytest.raises(DeviceProtocolError, match="list"):
            await client.list_vehicles()
        server.json([{"brand": "Peugeot"}])
        with pytest.raises(DeviceProtocolError, match="VIN"):
            await client.list_vehicles()


@pytest.mark.parametrize(
    ("raw", "brand"),
    [
        ("Peugeot", "Peugeot"),
        ("P", "Peugeot"),
        ("C", "Citroën"),
        ("CITROEN", "Citroën"),
        ("Citroën", "Citroën"),
        ("DS Automobiles", "DS"),
        ("ds", "DS"),
        ("OP", "Opel"),
        ("VX", "Vauxhall"),
        ("vauxhall", "Vauxhall"),
        ("Fiat", "Fiat"),
        (None, ""),
    ],
)
def test_normalise_brand(raw: object, brand: str) -> None:
    """Every spelling of the five brands becomes one."""
    assert normalise_brand(raw) == brand


# ------------------------------------------------------------------ state


async def test_get_state_from_cache(
    client: PsaccClient, sim: PsaccSimulator, clock: ManualClock
) -> None:
    """Values carry the report's time; the cache is not a car call."""
    sim.plug(E208)
    clock.advance(9 * 60)
    state = await client.get_state(E208)
    assert state.vin == E208
    assert state.battery_level_pct is not None
    assert state.battery_level_pct.value == 40
    assert state.battery_level_pct.as_of == START
    assert state.plug is not None
    assert state.plug.value is PlugState.UNPLUGGED  # as of the last report
    assert sim.car_calls[E208] == 0
    clock.advance(60)  # the car's 10-minute report
    state = await client.get_state(E208)
    assert state.plug is not None
    assert state.plug.value is PlugState.PLUGGED
    assert state.plug.as_of == START + timedelta(minutes=10)
    assert state.charge is not None
    assert state.charge.value is ChargeState.CHARGING


async def test_get_state_fresh(
    client: PsaccClient, sim: PsaccSimulator, clock: ManualClock
) -> None:
    """from_cache=False asks the car and gets values as of now."""
    sim.plug(E208)
    clock.advance(3600 + 7)
    state = await client.get_state(E208, from_cache=False)
    assert sim.car_calls[E208] == 1
    now = START + timedelta(seconds=3607)
    assert state.battery_level_pct is not None
    assert state.battery_level_pct.value == 54
    assert state.battery_level_pct.as_of == now
    assert state.charge is not None
    assert state.charge.value is ChargeState.CHARGING
    assert state.time_to_full_min is not None
    assert 180 <= state.time_to_full_min.value < 240
    assert state.charging_rate_kmh is not None
    assert state.charging_rate_kmh.value > 0
    assert state.charge_mode is not None
    assert state.charge_mode.value == "slow"
    assert state.range_km is not None
    assert state.available_energy_kwh is not None
    assert state.mileage_km is not None
    assert state.mileage_km.value == 12345.6
    assert state.hvac_on is not None
    assert state.hvac_on.value is False
    assert state.locked is not None
    assert state.locked.value is True
    assert state.outside_temperature_c is not None
    assert state.location is not None
    # GeoJSON is [lon, lat]: Paris is at latitude 48.9, longitude 2.4.
    assert state.location.value == Position(latitude=48.8566, longitude=2.3522)
    assert state.location.as_of == now


async def test_threshold_stop_through_driver(
    client: PsaccClient, sim: PsaccSimulator, clock: ManualClock
) -> None:
    """A threshold set through the driver makes the server stop the charge."""
    control = await client.set_charge_threshold(E208, 60)
    assert control == ChargeControl(threshold_pct=60, stop_hour=None)
    assert await client.get_charge_control(E208) == control
    sim.plug(E208)
    clock.advance(4 * 3600)
    state = await client.get_state(E208, from_cache=False)
    assert state.charge is not None
    assert state.charge.value is ChargeState.NOT_CHARGING
    assert state.battery_level_pct is not None
    assert state.battery_level_pct.value == 60


async def test_commands(
    client: PsaccClient, sim: PsaccSimulator, clock: ManualClock
) -> None:
    """Each command reaches its route and changes the car."""
    sim.plug(E208, charge=False)
    await client.charge_now(E208, True)
    assert sim.car(E208).charging
    await client.charge_now(E208, False)
    assert not sim.car(E208).charging
    await client.set_preconditioning(E208, True)
    assert sim.car(E208).preconditioning
    await client.lock(E208, False)
    assert not sim.car(E208).locked
    await client.lock(E208, True)
    assert sim.car(E208).locked
    await client.horn(E208, count=2)
    await client.lights(E208, duration=15)
    await client.set_charge_hour(E208, time(23, 15))
    assert sim.car(E208).charge_hour == (23, 15)
    clock.advance(30)
    await client.wakeup(E208)
    state = await client.get_state(E208)  # the wakeup's fresh report
    assert state.hvac_on is not None
    assert state.hvac_on.value is True
    assert state.hvac_on.as_of == START + timedelta(seconds=30)
    assert sim.requests["horn"] == sim.requests["lights"] == 1
    assert sim.requests["lock_door"] == 2


async def test_stop_hour(client: PsaccClient, sim: PsaccSimulator) -> None:
    """A stop hour is set, read back and cleared; midnight cannot be asked for."""
    control = await client.set_stop_hour(E208, time(6, 45))
    assert control.stop_hour == time(6, 45)
    assert sim.car(E208).stop_hour == (6, 45)
    control = await client.set_stop_hour(E208, None)
    assert control.stop_hour is None
    assert sim.car(E208).stop_hour is None
    with pytest.raises(ValueError, match="00:00"):
        await client.set_stop_hour(E208, time(0, 0))


async def test_battery_health(client: PsaccClient) -> None:
    """SOH where the server has one, None where it has not."""
    assert await client.battery_health(E208) == 97.0
    assert await client.battery_health(CORSA) is None


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.set_charge_threshold(E208, -1),
        lambda c: c.set_charge_threshold(E208, 101),
        lambda c: c.set_charge_threshold(E208, 50.5),
        lambda c: c.set_charge_threshold(E208, True),
        lambda c: c.horn(E208, count=0),
        lambda c: c.lights(E208, duration=0),
        lambda c: c.get_state("../get_vehicles"),
        lambda c: c.wakeup(""),
    ],
)
async def test_invalid_input(
    client: PsaccClient, sim: PsaccSimulator, call: Any
) -> None:
    """Bad arguments are the caller's mistake and never reach the server."""
    with pytest.raises(ValueError):
        await call(client)
    assert sum(sim.requests.values()) == 0


async def test_threshold_bounds_are_accepted(client: PsaccClient) -> None:
    """0 and 100 are valid thresholds."""
    assert (await client.set_charge_threshold(E208, 0)).threshold_pct == 0
    assert (await client.set_charge_threshold(E208, 100)).threshold_pct == 100


def test_constructor_validation(session: aiohttp.ClientSession) -> None:
    """A URL without scheme or a zero timeout are refused."""
    with pytest.raises(ValueError, match="http"):
        PsaccClient(session, "127.0.0.1:5000")
    with pytest.raises(ValueError, match="timeout"):
        PsaccClient(session, "http://127.0.0.1:5000", timeout=0)
    assert PsaccClient(session, "http://h:5000/").url == "http://h:5000"


# ------------------------------------------------------------------ errors


async def test_unreachable(
    client: PsaccClient, sim: PsaccSimulator, session: aiohttp.ClientSession
) -> None:
    """A stopped server is unreachable, and the shared session stays open."""
    await sim.stop()
    with pytest.raises(DeviceUnreachableError, match="did not answer"):
        await client.get_state(E208)
    assert not session.closed


async def test_timeout(sim: PsaccSimulator, session: aiohttp.ClientSession) -> None:
    """A slow server is unreachable after the client's timeout."""
    sim.delay_s = 0.5
    client = PsaccClient(session, sim.url, timeout=0.1)
    with pytest.raises(DeviceUnreachableError):
        await client.wakeup(E208)
    await asyncio.sleep(0.5)  # let the simulator's handler finish
    assert not session.closed


async def test_unknown_vin_is_protocol_error(client: PsaccClient) -> None:
    """Flask's 500 page becomes a short message naming what the server said."""
    with pytest.raises(DeviceProtocolError) as err:
        await client.get_state("UNKNOWNVIN")
    message = str(err.value)
    assert "HTTP 500" in message
    assert "Internal Server Error" in message
    assert "<" not in message
    assert len(message) < 260


async def test_fail_all(client: PsaccClient, sim: PsaccSimulator) -> None:
    """A failing server is a protocol error on every route."""
    sim.fail_all = True
    with pytest.raises(DeviceProtocolError, match="HTTP 500"):
        await client.charge_now(E208, True)


async def test_wakeup_rate_limit(client: PsaccClient) -> None:
    """The server's wakeup limit is a quota error."""
    for _ in range(6):
        await client.wakeup(E208)
    with pytest.raises(QuotaExceededError, match="Wakeup rate limit exceeded"):
        await client.wakeup(E208)


@pytest.mark.parametrize("status", [200, 400])
async def test_error_body_is_rejection(
    client: PsaccClient, sim: PsaccSimulator, status: int
) -> None:
    """Any other {"error": ...} is a refusal, with the server's words."""
    sim.error_body = "Charge control not setup check your PSACC configuration"
    sim.error_status = status
    with pytest.raises(CommandRejectedError, match="Charge control not setup"):
        await client.set_charge_threshold(E208, 80)


async def test_charge_control_unknown_vin(client: PsaccClient) -> None:
    """The server's own VIN check is a refusal."""
    with pytest.raises(CommandRejectedError, match="VIN not in list"):
        await client.get_charge_control("UNKNOWNVIN")


@pytest.mark.parametrize(
    ("status", "body", "match"),
    [
        (200, "not json", "not JSON"),
        (200, "<html><p>proxy &amp; error</p></html>", "proxy & error"),
        (502, "<h1>Bad Gateway</h1>", "HTTP 502: Bad Gateway"),
        (404, '{"detail": "nope"}', "HTTP 404"),
    ],
)
async def test_bad_bodies(
    canned: tuple[Canned, str], status: int, body: str, match: str
) -> None:
    """Invalid JSON and HTTP errors without an error body are protocol errors."""
    server, url = canned
    server.status, server.body, server.content_type = status, body, "text/html"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(DeviceProtocolError, match=match):
            await PsaccClient(session, url).get_state(E208)


async def test_bad_charge_control_bodies(canned: tuple[Canned, str]) -> None:
    """A charge control answer without a usable threshold or stop hour is refused."""
    server, url = canned
    async with aiohttp.ClientSession() as session:
        client = PsaccClient(session, url)
        bodies: list[object] = [
            [],
            {"percentage_threshold": "80"},
            {"percentage_threshold": 80, "_stop_hour": "7:00"},
            {"percentage_threshold": 80, "_stop_hour": [25, 0]},
        ]
        for body in bodies:
            server.json(body)
            with pytest.raises(DeviceProtocolError):
                await client.get_charge_control(E208)
        server.json({"percentage_threshold": 80, "_stop_hour": [0, 0]})
        assert await client.get_charge_control(E208) == ChargeControl(
            threshold_pct=80, stop_hour=None
        )


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-06-01 12:00:00+00:00", datetime(2026, 6, 1, 12, tzinfo=UTC)),
        (
            "2026-06-01 12:00:00.123456+00:00",
            datetime(2026, 6, 1, 12, 0, 0, 123456, UTC),
        ),
        ("2026-06-01 14:00:00+02:00", datetime(2026, 6, 1, 12, tzinfo=UTC)),
        ("2026-06-01T12:00:00Z", datetime(2026, 6, 1, 12, tzinfo=UTC)),
        ("2026-06-01 12:00:00", datetime(2026, 6, 1, 12, tzinfo=UTC)),  # naive = UTC
        (" 2026-06-01 12:00:00 ", datetime(2026, 6, 1, 12, tzinfo=UTC)),
        ("None", None),
        ("", None),
        (None, None),
        (1748779200, None),
        ("yesterday", None),
    ],
)
def test_parse_timestamp(raw: object, expected: datetime | None) -> None:
    """str(datetime) with or without a zone, and ISO 'Z', become aware UTC."""
    parsed = parse_timestamp(raw)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


def test_parse_timestamp_keeps_offset_meaning() -> None:
    """An offset is converted, not dropped."""
    parsed = parse_timestamp("2026-06-01 12:00:00-05:00")
    assert parsed == datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=-5)))
    assert parsed is not None
    assert parsed.hour == 17


@pytest.mark.parametrize(
    ("raw", "minutes"),
    [
        ("PT2H15M", 135),
        ("PT45M", 45),
        ("PT0S", 0),
        ("P0D", 0),
        ("PT1H", 60),
        ("PT90S", 2),
        ("PT29S", 0),
        ("P1DT2H", 1560),
        ("pt10m", 10),
        ("PT1.5H", 90),
        ("P", None),
        ("PT", None),
        ("P1DT", None),
        ("2H15M", None),
        ("PT-5M", None),
        ("", None),
        (None, None),
        (135, None),
    ],
)
def test_parse_duration(raw: object, minutes: int | None) -> None:
    """ISO-8601 durations become whole minutes; anything else None."""
    assert parse_duration_min(raw) == minutes


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("Disconnected", ChargeState.NOT_CHARGING),
        ("InProgress", ChargeState.CHARGING),
        ("Failure", ChargeState.CHARGE_ERROR),
        ("Stopped", ChargeState.NOT_CHARGING),
        ("Finished", ChargeState.CHARGE_ENDED),
        ("Something", ChargeState.UNKNOWN),
    ],
)
async def test_charge_status_mapping(
    canned: tuple[Canned, str], status: str, state: ChargeState
) -> None:
    """Each PSA charging status maps to one ChargeState."""
    server, url = canned
    server.json(status_json(charging={"plugged": True, "status": status}))
    async with aiohttp.ClientSession() as session:
        got = await PsaccClient(session, url, now=lambda: LATER).get_state(E208)
    assert got.charge is not None
    assert got.charge.value is state


async def test_state_edge_cases(canned: tuple[Canned, str]) -> None:
    """Missing plug, unusable position, a future timestamp, a naive one."""
    server, url = canned
    now = datetime(2026, 6, 1, 12, 5, tzinfo=UTC)
    async with aiohttp.ClientSession() as session:
        client = PsaccClient(session, url, now=lambda: now)
        server.json(
            status_json(
                updated_at="2026-06-01 12:30:00+00:00",  # the car's clock runs ahead
                charging={"status": "InProgress"},
                coordinates=[None, None, None],
            )
        )
        state = await client.get_state(E208)
        assert state.battery_level_pct is not None
        assert state.battery_level_pct.as_of == now  # clamped, never in the future
        assert state.plug is not None
        assert state.plug.value is PlugState.UNKNOWN
        assert state.location is None
        assert state.time_to_full_min is None
        assert state.hvac_on is None
        assert state.locked is None

        server.json(status_json(updated_at="2026-06-01 11:00:00"))
        state = await client.get_state(E208)
        assert state.battery_level_pct is not None
        assert state.battery_level_pct.as_of == datetime(2026, 6, 1, 11, tzinfo=UTC)
        assert state.time_to_full_min is not None
        assert state.time_to_full_min.value == 135
        # Position has its own time, and [lon, lat] order.
        assert state.location is not None
        assert state.location.value == Position(latitude=51.2277, longitude=6.7735)
        assert state.location.as_of == datetime(2026, 6, 1, 11, 50, tzinfo=UTC)


async def test_values_without_time_are_left_out(canned: tuple[Canned, str]) -> None:
    """A value whose age cannot be known is not reported."""
    server, url = canned
    server.json(status_json(updated_at=None, timed_odometer={"mileage": 100.0}))
    async with aiohttp.ClientSession() as session:
        state = await PsaccClient(session, url, now=lambda: LATER).get_state(E208)
    assert state.battery_level_pct is None
    assert state.charge is None
    assert state.mileage_km is None
    # The position carries its own time.
    assert state.location is not None


async def test_sub_blocks_fall_back_to_report_time(canned: tuple[Canned, str]) -> None:
    """Odometer, air and hvac without their own time take the report's."""
    server, url = canned
    server.json(
        status_json(
            timed_odometer={"mileage": 100.0, "updated_at": None},
            preconditionning={"air_conditioning": {"status": "Finished"}},
            doors_state={"locked_state": ["Unlocked"]},
        )
    )
    async with aiohttp.ClientSession() as session:
        state = await PsaccClient(session, url, now=lambda: LATER).get_state(E208)
    assert state.mileage_km is not None
    assert state.mileage_km.as_of == START
    assert state.hvac_on is not None
    assert state.hvac_on.value is False
    assert state.locked is not None
    assert state.locked.value is False


async def test_state_not_an_object(canned: tuple[Canned, str]) -> None:
    """A status that is not an object is a protocol error."""
    server, url = canned
    server.json([1, 2])
    async with aiohttp.ClientSession() as session:
        with pytest.raises(DeviceProtocolError, match="object"):
            await PsaccClient(session, url).get_state(E208)
    assert server.paths == [f"/get_vehicleinfo/{E208}?from_cache=1"]


def test_short_text() -> None:
    """HTML pages become one short line."""
    assert short_text("<h1>Hi</h1>\n<p>there &lt;3</p>") == "Hi there <3"
    assert short_text("") == "(empty body)"
    long = short_text("<p>" + "word " * 200 + "</p>")
    assert len(long) == 200
    assert long.endswith("…")
