"""Tests of the psa_car_controller simulator over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from simulators.clock import ManualClock
from simulators.psacc import (
    FLASK_500_HTML,
    OPEL_CORSA_E,
    PEUGEOT_E208,
    WAKEUP_RATE_LIMIT_ERROR,
    PsaccSimulator,
    iso_duration,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.usefixtures("socket_enabled")]

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
E208 = PEUGEOT_E208.vin
CORSA = OPEL_CORSA_E.vin


@pytest.fixture
def clock() -> ManualClock:
    """Return the simulator's clock: simulated time only moves when told."""
    return ManualClock(500.0)


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
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """Return a plain HTTP session."""
    async with aiohttp.ClientSession() as session:
        yield session


async def get(
    http: aiohttp.ClientSession, sim: PsaccSimulator, path: str
) -> tuple[int, str, Any]:
    """GET a route; return status, content type and JSON (or text)."""
    async with http.get(sim.url + path) as resp:
        text = await resp.text()
        data = await resp.json() if resp.content_type == "application/json" else text
        return resp.status, resp.content_type, data


def electric(info: dict[str, Any]) -> dict[str, Any]:
    """Return the Electric energy block."""
    (block,) = [e for e in info["energy"] if e["type"] == "Electric"]
    return block


async def test_get_vehicles_shape(
    sim: PsaccSimulator, http: aiohttp.ClientSession
) -> None:
    """Cars come as the real server's Car.to_dict()."""
    status, ctype, cars = await get(http, sim, "/get_vehicles")
    assert (status, ctype) == (200, "application/json")
    assert [c["vin"] for c in cars] == [E208, CORSA]
    assert cars[0] == {
        "vin": E208,
        "vehicle_id": PEUGEOT_E208.vehicle_id,
        "label": "e-208",
        "brand": "Peugeot",
        "abrp_name": "peugeot:e208:20:50",
        "battery_power": 46.0,
        "fuel_capacity": 0,
        "max_elec_consumption": 70,
        "max_fuel_consumption": 0,
    }
    assert cars[1]["brand"] == "Opel"


async def test_vehicleinfo_shape(
    sim: PsaccSimulator, http: aiohttp.ClientSession
) -> None:
    """Snake case, double n, GeoJSON [lon, lat, alt], str(datetime) timestamps."""
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    block = electric(info)
    assert block["updated_at"] == "2026-06-01 12:00:00+00:00"
    assert block["level"] == 40
    assert block["charging"] == {
        "plugged": False,
        "status": "Disconnected",
        "remaining_time": "PT0S",
        "charging_rate": 0,
        "charging_mode": "No",
        "next_delayed_time": "PT22H30M",
    }
    assert info["energy"][1]["type"] == "Fuel"
    assert info["preconditionning"]["air_conditioning"]["status"] == "Disabled"
    assert "preconditioning" not in info
    assert info["last_position"]["geometry"]["coordinates"] == [2.3522, 48.8566, 35.0]
    assert (
        info["last_position"]["properties"]["updated_at"] == "2026-06-01 12:00:00+00:00"
    )
    assert info["timed_odometer"]["mileage"] == 12345.6
    assert info["doors_state"]["locked_state"] == ["Locked"]
    assert block["battery"]["health"]["resistance"] == 97.0
    # The Corsa-e profile has neither door lock nor battery health.
    _, _, corsa = await get(http, sim, f"/get_vehicleinfo/{CORSA}")
    assert corsa["doors_state"] is None
    assert electric(corsa)["battery"] is None


async def test_soc_moves_while_charging(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """An hour at 7.4 kW into 46 kWh adds about 14.8 % (92 % efficiency)."""
    sim.plug(E208)
    clock.advance(3600)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    block = electric(info)
    assert block["level"] == 54  # 40 + 7.4 * 0.92 / 46 * 100 = 54.8
    assert block["updated_at"] == "2026-06-01 13:00:00+00:00"
    assert block["charging"]["status"] == "InProgress"
    assert block["charging"]["charging_mode"] == "Slow"
    assert block["charging"]["plugged"] is True
    assert block["charging"]["remaining_time"].startswith("PT3H")
    assert block["charging"]["charging_rate"] > 0
    # The Corsa-e was never plugged: it did not move.
    _, _, corsa = await get(http, sim, f"/get_vehicleinfo/{CORSA}")
    assert electric(corsa)["level"] == 65


async def test_corsa_charges_at_eleven_kw(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """A profile's own AC power is used."""
    sim.plug(CORSA)
    clock.advance(1800)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{CORSA}")
    assert electric(info)["level"] == 65 + int(11 * 0.92 / 46 * 100 / 2)  # 65 + 11


async def test_cache_vs_fresh(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """from_cache=1 returns the car's last report; without it the car is asked."""
    sim.plug(E208)
    clock.advance(9 * 60)
    _, _, cached = await get(http, sim, f"/get_vehicleinfo/{E208}?from_cache=1")
    assert electric(cached)["updated_at"] == "2026-06-01 12:00:00+00:00"
    assert electric(cached)["charging"]["status"] == "Disconnected"
    assert sim.car_calls[E208] == 0
    # The car reports on its 10-minute grid.
    clock.advance(60)
    _, _, cached = await get(http, sim, f"/get_vehicleinfo/{E208}?from_cache=1")
    assert electric(cached)["updated_at"] == "2026-06-01 12:10:00+00:00"
    assert electric(cached)["charging"]["status"] == "InProgress"
    clock.advance(125)
    _, _, fresh = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(fresh)["updated_at"] == "2026-06-01 12:12:05+00:00"
    assert sim.car_calls[E208] == 1
    # A fresh read replaces the cache, as the real server's car.status = res.
    _, _, cached = await get(http, sim, f"/get_vehicleinfo/{E208}?from_cache=1")
    assert cached == fresh
    assert sim.requests["get_vehicleinfo"] == 4


async def test_wakeup_makes_a_fresh_report(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """After a wakeup the cache holds data as of the wakeup."""
    clock.advance(200)
    status, _, answer = await get(http, sim, f"/wakeup/{E208}")
    assert (status, answer) == (200, True)
    _, _, cached = await get(http, sim, f"/get_vehicleinfo/{E208}?from_cache=1")
    assert electric(cached)["updated_at"] == "2026-06-01 12:03:20+00:00"
    assert sim.car_calls[E208] == 0


async def test_wakeup_rate_limit(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """Six wakeups per 20 minutes for the server, sliding; then an error with HTTP 200."""
    for _ in range(6):
        assert (await get(http, sim, f"/wakeup/{E208}"))[2] is True
        clock.advance(60)
    status, _, answer = await get(http, sim, f"/wakeup/{E208}")
    assert (status, answer) == (200, {"error": WAKEUP_RATE_LIMIT_ERROR})
    # The limit is the server's, not the car's: another car is refused too.
    assert (await get(http, sim, f"/wakeup/{CORSA}"))[2] == {
        "error": WAKEUP_RATE_LIMIT_ERROR
    }
    # 20 minutes after the first one, one slot is free again, for any car.
    clock.advance(20 * 60 - 6 * 60)
    assert (await get(http, sim, f"/wakeup/{CORSA}"))[2] is True
    assert (await get(http, sim, f"/wakeup/{E208}"))[2] == {
        "error": WAKEUP_RATE_LIMIT_ERROR
    }


async def test_charge_control_shape_and_threshold_stop(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """The server stops the charge itself once the threshold is reached."""
    status, _, control = await get(http, sim, f"/charge_control?vin={E208}")
    assert status == 200
    assert control == {
        "vin": E208,
        "percentage_threshold": 100,
        "_stop_hour": None,
        "_next_stop_hour": None,
        "retry_count": 0,
        "wakeup_timeout": 10,
    }
    _, _, control = await get(http, sim, f"/charge_control?vin={E208}&percentage=50")
    assert control["percentage_threshold"] == 50
    sim.plug(E208)
    clock.advance(3 * 3600)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    block = electric(info)
    assert block["charging"]["status"] == "Stopped"
    # 40 -> 50 % takes 40.5 min; the server checks every 2 minutes.
    assert block["level"] == 50
    assert sim.charge_stops[E208] == 1


async def test_stop_hour(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """The stop hour stops the charge at that minute and moves to the next day."""
    _, _, control = await get(
        http, sim, f"/charge_control?vin={E208}&hour=12&minute=30"
    )
    assert control["_stop_hour"] == [12, 30]
    assert control["_next_stop_hour"] == "Mon, 01 Jun 2026 12:30:00 GMT"
    sim.plug(E208)
    clock.advance(30 * 60 - 1)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(info)["charging"]["status"] == "InProgress"
    clock.advance(2)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(info)["charging"]["status"] == "Stopped"
    _, _, control = await get(http, sim, f"/charge_control?vin={E208}")
    assert control["_next_stop_hour"] == "Tue, 02 Jun 2026 12:30:00 GMT"
    # 00:00 clears it, as the real set_stop_hour does.
    _, _, control = await get(http, sim, f"/charge_control?vin={E208}&hour=0&minute=0")
    assert control["_stop_hour"] is None
    assert control["_next_stop_hour"] is None


async def test_charge_control_errors(
    sim: PsaccSimulator, http: aiohttp.ClientSession
) -> None:
    """Unknown VIN and a server without charge control answer JSON errors."""
    assert (await get(http, sim, "/charge_control?vin=NOPE"))[2] == {
        "error": "VIN not in list"
    }
    assert (await get(http, sim, "/charge_control"))[0] == 400
    sim.charge_control_enabled = False
    _, _, answer = await get(http, sim, f"/charge_control?vin={E208}")
    assert answer["error"].startswith("Charge control not setup")


async def test_commands(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """Commands act on the car and answer like the real routes."""
    sim.plug(E208, charge=False)
    assert (await get(http, sim, f"/charge_now/{E208}/1"))[2] is True
    assert (await get(http, sim, f"/preconditioning/{E208}/1"))[2] is True
    assert (await get(http, sim, f"/lock_door/{E208}/0"))[2] is True
    assert (await get(http, sim, f"/horn/{E208}/2"))[2] is None
    assert (await get(http, sim, f"/lights/{E208}/10"))[2] is None
    assert (await get(http, sim, f"/charge_hour?vin={E208}&hour=23&minute=5"))[
        2
    ] is True
    clock.advance(60)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(info)["charging"]["status"] == "InProgress"
    assert electric(info)["charging"]["next_delayed_time"] == "PT23H5M"
    assert info["preconditionning"]["air_conditioning"]["status"] == "Enabled"
    assert info["doors_state"]["locked_state"] == ["Unlocked"]
    await get(http, sim, f"/charge_now/{E208}/0")
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(info)["charging"]["status"] == "Stopped"
    sim.unplug(E208)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(info)["charging"]["plugged"] is False
    assert electric(info)["charging"]["status"] == "Disconnected"
    sim.plug(E208)
    sim.set_failure(True, E208)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(info)["charging"]["status"] == "Failure"


async def test_full_battery_finishes(
    sim: PsaccSimulator, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """A full battery reads Finished at 100 %."""
    sim.plug(E208)
    clock.advance(12 * 3600)
    _, _, info = await get(http, sim, f"/get_vehicleinfo/{E208}")
    assert electric(info)["level"] == 100
    assert electric(info)["charging"]["status"] == "Finished"


async def test_position_and_soh(
    sim: PsaccSimulator, http: aiohttp.ClientSession
) -> None:
    """/position is fresh and lon/lat named; /battery/soh answers null without data."""
    _, _, pos = await get(http, sim, f"/position/{E208}")
    assert pos == {
        "longitude": 2.3522,
        "latitude": 48.8566,
        "altitude": 35.0,
        "url": "https://maps.google.com/maps?q=48.8566,2.3522",
    }
    assert sim.car_calls[E208] == 1
    assert (await get(http, sim, f"/battery/soh/{E208}"))[2] == {"soh": 97.0}
    assert (await get(http, sim, f"/battery/soh/{CORSA}"))[2] == {"soh": None}
    assert (await get(http, sim, "/battery/soh/NOPE"))[2] == {"soh": None}


@pytest.mark.parametrize(
    "path",
    [
        "/get_vehicleinfo/NOPE",
        "/charge_now/NOPE/1",
        "/wakeup/NOPE",
        "/position/NOPE",
        f"/charge_hour?vin={E208}&hour=25&minute=0",
    ],
)
async def test_server_errors_are_flask_html(
    sim: PsaccSimulator, http: aiohttp.ClientSession, path: str
) -> None:
    """An exception in the real server is Flask's HTML 500 page."""
    status, ctype, body = await get(http, sim, path)
    assert (status, ctype, body) == (500, "text/html", FLASK_500_HTML)


async def test_fault_modes(sim: PsaccSimulator, http: aiohttp.ClientSession) -> None:
    """fail_all, error_body (HTTP 200 by default) and delay_s."""
    sim.fail_all = True
    assert (await get(http, sim, "/get_vehicles"))[:2] == (500, "text/html")
    sim.fail_all = False
    sim.error_body = "boom"
    assert await get(http, sim, "/get_vehicles") == (
        200,
        "application/json",
        {"error": "boom"},
    )
    sim.error_status = 400
    assert (await get(http, sim, "/get_vehicles"))[0] == 400
    sim.error_body = None
    sim.delay_s = 0.3
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await get(http, sim, "/get_vehicles")
    await asyncio.sleep(0.3)
    assert sim.requests["get_vehicles"] == 4


async def test_stopped_server_is_unreachable(
    sim: PsaccSimulator, http: aiohttp.ClientSession
) -> None:
    """After stop() connections are refused; stop() twice is fine."""
    url = sim.url
    await sim.stop()
    await sim.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.get(url + "/get_vehicles"):
            pass
    with pytest.raises(RuntimeError):
        _ = sim.url


def test_iso_duration() -> None:
    """Durations are written the PSA way."""
    assert [iso_duration(m) for m in (0, 45, 60, 135)] == [
        "PT0S",
        "PT45M",
        "PT1H",
        "PT2H15M",
    ]


def test_profiles_validated(clock: ManualClock) -> None:
    """Duplicate VINs, no car and a naive start are refused."""
    with pytest.raises(ValueError, match="unique"):
        PsaccSimulator((PEUGEOT_E208, PEUGEOT_E208), clock=clock)
    with pytest.raises(ValueError, match="profile"):
        PsaccSimulator((), clock=clock)
    with pytest.raises(ValueError, match="aware"):
        PsaccSimulator(clock=clock, start_at=datetime(2026, 6, 1))
