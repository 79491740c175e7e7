"""A psa_car_controller server (flobz/psa_car_controller) over HTTP, for tests and demos.

The real server is a Flask application that speaks to Stellantis' cloud for Peugeot,
Citroën, DS, Opel and Vauxhall cars and serves plain GET routes without authentication.
This stand-in answers the same routes with the same JSON shapes:

* ``/get_vehicles``: the server's ``Car.to_dict()`` list (``vin``, ``vehicle_id``,
  ``label``, ``brand``, ``abrp_name``, ``battery_power`` in kWh, ``fuel_capacity``,
  ``max_elec_consumption``, ``max_fuel_consumption``).
* ``/get_vehicleinfo/<vin>[?from_cache=1]``: the swagger ``Status.to_dict()`` dumped with
  ``json.dumps(default=str)``, so keys are snake_case, missing blocks are ``null`` and
  every timestamp is ``str(datetime)`` such as ``"2026-06-01 12:00:00+00:00"``.
  Note the double n of ``preconditionning`` and the GeoJSON order ``[lon, lat, alt]``.
* Commands answer ``true`` (``horn`` and ``lights`` answer ``null``, as the real
  ``RemoteClient`` methods return nothing); refusals are ``{"error": "..."}`` with
  HTTP 200 (Flask's ``jsonify`` default); an exception inside the server (an unknown
  VIN, a bad number) is Flask's HTTP 500 HTML page.

What this simulator decides where the real server leaves it to the car or the cloud:

* The car reports every ``report_minutes`` (on a fixed grid from the start). A
  ``from_cache=1`` read returns the last report; a read without it "asks the car",
  returns data as of now and replaces the cache (``car_calls`` counts these, and
  ``/position``, which the real server also serves fresh). A wakeup makes the car
  report at once.
* Commands act on the car at once but are only seen in a later report.
* Unknown VINs get HTTP 500 HTML on every per-vehicle route except
  ``/charge_control`` (``{"error": "VIN not in list"}``, as the real one) and
  ``/battery/soh`` (``{"soh": null}``, a database lookup that finds nothing).
* The server's charge control runs every ``check_seconds`` (the real
  ``info_refresh_rate``, 120 s) on the car's live integer level: while charging, a
  threshold below 100 that is reached stops the charge; the stop hour stops it at the
  exact minute (the real one arms a timer for it). Times are UTC.
* The wakeup rate limit is the real ``@rate_limit(6, 60 * 20)``: a sliding window, one
  for the whole server, since the decorator's semaphore guards ``RemoteClient.wakeup``
  for every car.

Physics is lazy: every request integrates the batteries up to the clock's time, report
and check instants included, so a :class:`ManualClock` can skip hours at once.

Run standalone with ``python -m simulators.psacc --port 5000``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, deque
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import json
import logging
import math
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import web

from .battery import Battery
from .clock import Clock, WallClock

_LOGGER = logging.getLogger(__name__)

WAKEUP_LIMIT: Final = 6
WAKEUP_WINDOW_S: Final = 20 * 60
WAKEUP_RATE_LIMIT_ERROR: Final = "Wakeup rate limit exceeded"
CHARGE_CONTROL_NOT_SETUP: Final = (
    "Charge control not setup check your PSACC configuration and logs"
)
# Flask's own page for an unhandled exception, byte for byte.
FLASK_500_HTML: Final = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and "
    "was unable to complete your request. Either the server is overloaded or there is "
    "an error in the application.</p>\n"
)
FLASK_400_HTML: Final = (
    "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n"
    "<h1>Bad Request</h1>\n<p>The browser (or proxy) sent a request that this server "
    "could not understand.</p>\n"
)
FLASK_404_HTML: Final = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n"
    "<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you "
    "entered the URL manually please check your spelling and try again.</p>\n"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class CarProfile:
    """A model of car and the flags that say what it reports."""

    vin: str
    vehicle_id: str
    brand: str
    label: str
    # Usable capacity: the real server's ``battery_power`` (46 for a "50 kWh" e-208).
    capacity_kwh: float
    max_ac_power_w: float = 7400.0
    consumption_kwh_per_100km: float = 15.5
    abrp_name: str | None = None
    has_battery_soh: bool = False
    has_door_lock: bool = False
    soh_pct: float = 97.0
    soc_pct: float = 50.0
    mileage_km: float = 12345.6
    latitude: float = 48.8566
    longitude: float = 2.3522
    altitude: float = 35.0


PEUGEOT_E208: Final = CarProfile(
    vin="VR3UHZKXZLT000001",
    vehicle_id="b3f1a2c4-e208",
    brand="Peugeot",
    label="e-208",
    capacity_kwh=46.0,
    abrp_name="peugeot:e208:20:50",
    has_battery_soh=True,
    has_door_lock=True,
    soc_pct=40.0,
)
OPEL_CORSA_E: Final = CarProfile(
    vin="VXKUHZKXZL4000002",
    vehicle_id="9d8e7f60-corsa",
    brand="Opel",
    label="Corsa-e",
    capacity_kwh=46.0,
    max_ac_power_w=11000.0,
    abrp_name="opel:corsae:20:50",
    soc_pct=65.0,
    mileage_km=30210.0,
    latitude=51.2277,
    longitude=6.7735,
    altitude=38.0,
)


class _ServerError(Exception):
    """What makes Flask answer its HTML error page."""

    def __init__(self, status: int = 500) -> None:
        super().__init__(status)
        self.status = status


def iso_duration(minutes: int) -> str:
    """Format minutes the way the PSA API does: ``PT2H15M``, ``PT45M``, ``PT0S``."""
    if minutes <= 0:
        return "PT0S"
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"PT{hours}H{mins}M"
    return f"PT{hours}H" if hours else f"PT{mins}M"


class SimCar:
    """One car and the server's charge control of it."""

    def __init__(self, profile: CarProfile, t: float) -> None:
        """Create the car as its profile says, true at clock time ``t``."""
        self.profile = profile
        self.battery = Battery(
            profile.capacity_kwh, profile.soc_pct, max_ac_power_w=profile.max_ac_power_w
        )
        self.plugged = False
        self.charging = False  # the car draws power when plugged and not full
        self.finished = False  # the last charge ended because the battery was full
        self.failure = False  # the charger reports a fault (test hook)
        self.preconditioning = False
        self.locked = True
        self.mileage_km = profile.mileage_km
        self.charge_hour = (22, 30)  # the car's delayed-charge start
        # The server's charge control (ChargeControl.get_dict()).
        self.percentage_threshold = 100
        self.stop_hour: tuple[int, int] | None = None
        self.next_stop_at: float | None = None  # clock seconds
        self.retry_count = 0
        self.report: dict[str, Any] | None = None
        self.t = t

    @property
    def level(self) -> int:
        """The integer level the car reports."""
        return int(self.battery.soc_pct)

    def status(self) -> str:
        """The car's charging status word."""
        if not self.plugged:
            return "Disconnected"
        if self.failure:
            return "Failure"
        if self.charging and not self.battery.full:
            return "InProgress"
        if self.finished:
            return "Finished"
        return "Stopped"

    def power_w(self) -> float:
        """Wall power the car takes now."""
        if self.status() != "InProgress":
            return 0.0
        return min(self.profile.max_ac_power_w, self.battery.max_charge_power_w())

    def integrate(self, seconds: float) -> None:
        """Charge for ``seconds`` if the car is charging."""
        if seconds > 0 and self.status() == "InProgress":
            self.battery.apply(self.profile.max_ac_power_w, seconds)
            if self.battery.full:
                self.charging = False
                self.finished = True

    def stop_charge(self) -> None:
        """The car obeys charge_now/0."""
        self.charging = False


class PsaccSimulator:
    """A psa_car_controller server with one or more cars and hooks for tests.

    Fault injection tests may set: ``fail_all`` (every request gets Flask's 500 page),
    ``error_body`` (every request gets ``{"error": error_body}`` with HTTP
    ``error_status``, 200 by default as the real server), ``delay_s`` (real seconds to
    wait before answering), ``charge_control_enabled`` (False: the server's charge
    control is not configured). Counters: ``requests`` (per route name), ``car_calls``
    (per VIN), ``charge_stops`` (per VIN, by the server's threshold or stop hour).
    """

    def __init__(
        self,
        profiles: tuple[CarProfile, ...] | list[CarProfile] = (PEUGEOT_E208,),
        *,
        clock: Clock | None = None,
        start_at: datetime | None = None,
        report_minutes: float = 10.0,
        check_seconds: float = 120.0,
    ) -> None:
        """Create the server; it does not listen until :meth:`start`."""
        if not profiles:
            raise ValueError("at least one car profile is needed")
        if len({p.vin for p in profiles}) != len(profiles):
            raise ValueError("VINs must be unique")
        if not report_minutes > 0 or not check_seconds > 0:
            raise ValueError("report_minutes and check_seconds must be positive")
        self.clock: Clock = clock if clock is not None else WallClock()
        self._t0 = self.clock.now()
        start = start_at if start_at is not None else datetime.now(UTC)
        if start.tzinfo is None:
            raise ValueError("start_at must be timezone-aware")
        self._start_at = start.astimezone(UTC).replace(microsecond=0)
        self.report_s = float(report_minutes) * 60.0
        self.check_s = float(check_seconds)
        self.cars = {p.vin: SimCar(p, self._t0) for p in profiles}
        for car in self.cars.values():
            car.report = self._payload(car)

        self.fail_all = False
        self.error_body: str | None = None
        self.error_status = 200
        self.delay_s = 0.0
        self.charge_control_enabled = True
        self.requests: Counter[str] = Counter()
        self.car_calls: Counter[str] = Counter()
        self.charge_stops: Counter[str] = Counter()
        # Clock times of the wakeups in the rate limit's window, all cars together.
        self.wakeups: deque[float] = deque()

        self.host = ""
        self.port = 0
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ server

    @property
    def url(self) -> str:
        """The base URL clients use, without a trailing slash."""
        if self._runner is None:
            raise RuntimeError("the simulator is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` and return the port; port 0 picks a free one."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already started")
        app = web.Application(middlewares=[self._middleware])
        get = web.get
        app.add_routes(
            [
                get("/get_vehicles", self._get_vehicles, name="get_vehicles"),
                get(
                    "/get_vehicleinfo/{vin}", self._vehicleinfo, name="get_vehicleinfo"
                ),
                get(r"/charge_now/{vin}/{on:\d+}", self._charge_now, name="charge_now"),
                get("/charge_hour", self._charge_hour, name="charge_hour"),
                get("/charge_control", self._charge_control, name="charge_control"),
                get("/wakeup/{vin}", self._wakeup, name="wakeup"),
                get(r"/preconditioning/{vin}/{on:\d+}", self._precond, name="precond"),
                get(r"/horn/{vin}/{count:\d+}", self._horn, name="horn"),
                get(r"/lights/{vin}/{duration:\d+}", self._lights, name="lights"),
                get(r"/lock_door/{vin}/{lock:\d+}", self._lock_door, name="lock_door"),
                get("/position/{vin}", self._position, name="position"),
                get("/battery/soh/{vin}", self._soh, name="battery_soh"),
            ]
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.host = host
        self.port = int(runner.addresses[0][1])
        _LOGGER.info("psa_car_controller listening on %s:%d", host, self.port)
        return self.port

    async def stop(self) -> None:
        """Close the listener and every connection; safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start on an ephemeral loopback port unless already started."""
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        route = request.match_info.route.name or "unknown"
        self.requests[route] += 1
        if self.delay_s > 0:
            await asyncio.sleep(self.delay_s)
        if self.fail_all:
            return _html(500, FLASK_500_HTML)
        if self.error_body is not None:
            return web.json_response(
                {"error": self.error_body}, status=self.error_status
            )
        if route == "unknown":
            return _html(404, FLASK_404_HTML)
        self.step()
        try:
            return await handler(request)
        except _ServerError as err:
            page = FLASK_400_HTML if err.status == 400 else FLASK_500_HTML
            return _html(err.status, page)

    # ------------------------------------------------------------------ time

    def datetime_at(self, t: float) -> datetime:
        """The UTC wall time at clock time ``t``."""
        return self._start_at + timedelta(seconds=t - self._t0)

    def _clock_at(self, when: datetime) -> float:
        return self._t0 + (when - self._start_at).total_seconds()

    def now(self) -> datetime:
        """The simulator's UTC wall time now."""
        return self.datetime_at(self.clock.now())

    def _next_grid(self, t: float, period: float) -> float:
        """The first instant of the grid ``t0 + k * period`` strictly after ``t``."""
        k = math.floor((t - self._t0) / period + 1e-9) + 1
        return self._t0 + k * period

    def step(self) -> None:
        """Integrate every car up to the clock's time (reports and checks included)."""
        now = self.clock.now()
        for car in self.cars.values():
            self._advance(car, now)

    def _advance(self, car: SimCar, until: float) -> None:
        while car.t < until:
            next_report = self._next_grid(car.t, self.report_s)
            next_check = self._next_grid(car.t, self.check_s)
            events = [until, next_report, next_check]
            if car.next_stop_at is not None and car.next_stop_at > car.t:
                events.append(car.next_stop_at)
            t = min(events)
            car.integrate(t - car.t)
            car.t = t
            if car.next_stop_at is not None and t >= car.next_stop_at:
                self._stop_hour_reached(car)
            if t == next_check:
                self._check_threshold(car)
            if t == next_report:
                car.report = self._payload(car)

    def _check_threshold(self, car: SimCar) -> None:
        # ChargeControl.process(): stop when the threshold is reached, twice at most.
        if (
            car.status() == "InProgress"
            and car.percentage_threshold < 100
            and car.level >= car.percentage_threshold
            and car.retry_count < 2
        ):
            _LOGGER.info("%s reached %d %%: stop", car.profile.vin, car.level)
            car.stop_charge()
            self.charge_stops[car.profile.vin] += 1
        elif car.status() != "InProgress":
            car.retry_count = 0

    def _stop_hour_reached(self, car: SimCar) -> None:
        assert car.next_stop_at is not None
        while car.next_stop_at <= car.t:
            car.next_stop_at += 86400.0
        if car.status() == "InProgress":
            _LOGGER.info("%s stop hour: stop", car.profile.vin)
            car.stop_charge()
            self.charge_stops[car.profile.vin] += 1

    # ------------------------------------------------------------------ test hooks

    def car(self, vin: str | None = None) -> SimCar:
        """Return a car (the first one by default)."""
        if vin is None:
            return next(iter(self.cars.values()))
        return self.cars[vin]

    def plug(self, vin: str | None = None, *, charge: bool = True) -> None:
        """Plug a cable in; the car starts charging unless ``charge`` is False."""
        self.step()
        car = self.car(vin)
        car.plugged = True
        car.finished = False
        car.charging = charge and not car.battery.full

    def unplug(self, vin: str | None = None) -> None:
        """Pull the cable out."""
        self.step()
        car = self.car(vin)
        car.plugged = car.charging = car.finished = False

    def set_failure(self, failed: bool, vin: str | None = None) -> None:
        """Make the car's charger report a fault (status ``Failure``)."""
        self.step()
        self.car(vin).failure = failed

    def drive(self, km: float, vin: str | None = None) -> None:
        """Drive somewhere: mileage goes up and the battery down."""
        self.step()
        car = self.car(vin)
        used_pct = 100 * km * car.profile.consumption_kwh_per_100km / 100
        car.battery.soc_pct = max(
            0.0, car.battery.soc_pct - used_pct / car.profile.capacity_kwh
        )
        car.mileage_km += km

    def report_now(self, vin: str | None = None) -> None:
        """Make the car report at once, as a wakeup does."""
        self.step()
        car = self.car(vin)
        car.report = self._payload(car)

    # ------------------------------------------------------------------ JSON

    def _stamp(self, car: SimCar) -> str:
        # json.dumps(default=str) on the timezone-aware datetimes the API gives.
        return str(self.datetime_at(car.t))

    def _payload(self, car: SimCar) -> dict[str, Any]:
        """The car's status now, as Status.to_dict() dumps it."""
        p = car.profile
        stamp = self._stamp(car)
        status = car.status()
        power_kw = car.power_w() / 1000.0
        remaining_min = 0
        if status == "InProgress" and power_kw > 0:
            missing_kwh = car.battery.capacity_kwh - car.battery.energy_kwh
            remaining_min = math.ceil(
                60 * missing_kwh / (power_kw * car.battery.charge_efficiency)
            )
        autonomy = round(car.battery.energy_kwh / p.consumption_kwh_per_100km * 100)
        rate = round(
            power_kw * car.battery.charge_efficiency / p.consumption_kwh_per_100km * 100
        )
        electric: dict[str, Any] = {
            "updated_at": stamp,
            "autonomy": autonomy,
            "battery": None,
            "charging": {
                "plugged": car.plugged,
                "status": status,
                "remaining_time": iso_duration(remaining_min),
                "charging_rate": rate,
                "charging_mode": (
                    ("Quick" if power_kw > 22 else "Slow")
                    if status == "InProgress"
                    else "No"
                ),
                "next_delayed_time": "PT{}H{}M".format(*car.charge_hour),
            },
            "consumption": None,
            "level": car.level,
            "residual": round(car.battery.energy_kwh, 1),
            "type": "Electric",
        }
        if p.has_battery_soh:
            electric["battery"] = {
                "capacity": round(p.capacity_kwh * 1000),
                "health": {"capacity": p.soh_pct, "resistance": p.soh_pct},
            }
        fuel = {
            "updated_at": stamp,
            "autonomy": None,
            "battery": None,
            "charging": None,
            "consumption": None,
            "level": None,
            "residual": None,
            "type": "Fuel",
        }
        return {
            "embedded": None,
            "links": None,
            "battery": {"voltage": 81.5, "current": 0.0, "updated_at": stamp},
            "doors_state": (
                {
                    "updated_at": stamp,
                    "opening": [],
                    "locked_state": ["Locked" if car.locked else "Unlocked"],
                }
                if p.has_door_lock
                else None
            ),
            "energy": [electric, fuel],
            "environment": {
                "air": {"temp": 16.5, "updated_at": stamp},
                "luminosity": None,
            },
            "ignition": {"type": "Stop", "updated_at": stamp},
            "kinetic": {
                "acceleration": None,
                "moving": False,
                "pace": None,
                "speed": None,
            },
            "last_position": {
                "geometry": {
                    "coordinates": [p.longitude, p.latitude, p.altitude],
                    "type": "Point",
                },
                "properties": {
                    "updated_at": stamp,
                    "heading": 214,
                    "type": "Acquire",
                    "signal_quality": 9,
                },
                "type": "Feature",
            },
            "preconditionning": {
                "air_conditioning": {
                    "updated_at": stamp,
                    "failure_cause": None,
                    "programs": None,
                    "status": "Enabled" if car.preconditioning else "Disabled",
                }
            },
            "privacy": {"state": "None", "updated_at": stamp},
            "safety": None,
            "service": {"type": "Electric", "updated_at": stamp},
            "timed_odometer": {
                "mileage": round(car.mileage_km, 1),
                "updated_at": stamp,
            },
        }

    def _known(self, vin: str) -> SimCar:
        car = self.cars.get(vin)
        if car is None:
            # The real server dereferences get_car_by_vin(vin), which is None.
            raise _ServerError(500)
        return car

    # ------------------------------------------------------------------ routes

    async def _get_vehicles(self, request: web.Request) -> web.Response:
        cars = []
        for car in self.cars.values():
            p = car.profile
            cars.append(
                {
                    "vin": p.vin,
                    "vehicle_id": p.vehicle_id,
                    "label": p.label,
                    "brand": p.brand,
                    "abrp_name": p.abrp_name,
                    "battery_power": p.capacity_kwh,
                    "fuel_capacity": 0,
                    "max_elec_consumption": 70,
                    "max_fuel_consumption": 0,
                }
            )
        return _json(cars)

    async def _vehicleinfo(self, request: web.Request) -> web.Response:
        car = self._known(request.match_info["vin"])
        try:
            from_cache = int(request.query.get("from_cache", "0")) == 1
        except ValueError as err:
            raise _ServerError(500) from err
        if not from_cache or car.report is None:
            self.car_calls[car.profile.vin] += 1
            car.report = self._payload(car)
        return _json(car.report)

    async def _charge_now(self, request: web.Request) -> web.Response:
        car = self._known(request.match_info["vin"])
        if int(request.match_info["on"]) != 0:
            if car.plugged and not car.battery.full:
                car.charging = True
                car.finished = False
        else:
            car.stop_charge()
        return _json(True)

    async def _charge_hour(self, request: web.Request) -> web.Response:
        try:
            vin = request.query["vin"]
            hour, minute = request.query["hour"], request.query["minute"]
        except KeyError as err:
            raise _ServerError(400) from err
        car = self._known(vin)
        car.charge_hour = (_int(hour, 0, 23), _int(minute, 0, 59))
        return _json(True)

    async def _charge_control(self, request: web.Request) -> web.Response:
        try:
            vin = request.query["vin"]
        except KeyError as err:
            raise _ServerError(400) from err
        if not self.charge_control_enabled:
            return _json({"error": CHARGE_CONTROL_NOT_SETUP})
        car = self.cars.get(vin)
        if car is None:
            return _json({"error": "VIN not in list"})
        if "hour" in request.query and "minute" in request.query:
            stop = (
                _int(request.query["hour"], 0, 23),
                _int(request.query["minute"], 0, 59),
            )
            self._set_stop_hour(car, None if stop == (0, 0) else stop)
        if "percentage" in request.query:
            car.percentage_threshold = _int(
                request.query["percentage"], -(2**31), 2**31
            )
        return _json(self._charge_control_dict(car))

    def _set_stop_hour(self, car: SimCar, stop: tuple[int, int] | None) -> None:
        car.stop_hour = stop
        if stop is None:
            car.next_stop_at = None
            return
        now = self.datetime_at(car.t)
        when = now.replace(hour=stop[0], minute=stop[1], second=0, microsecond=0)
        if when < now:
            when += timedelta(days=1)
        car.next_stop_at = self._clock_at(when)

    def _charge_control_dict(self, car: SimCar) -> dict[str, Any]:
        next_stop = (
            None
            if car.next_stop_at is None
            # Flask's JSON provider writes datetimes as HTTP dates.
            else format_datetime(self.datetime_at(car.next_stop_at), usegmt=True)
        )
        return {
            "vin": car.profile.vin,
            "percentage_threshold": car.percentage_threshold,
            "_stop_hour": list(car.stop_hour) if car.stop_hour else None,
            "_next_stop_hour": next_stop,
            "retry_count": car.retry_count,
            "wakeup_timeout": 10,
        }

    async def _wakeup(self, request: web.Request) -> web.Response:
        car = self._known(request.match_info["vin"])
        now = self.clock.now()
        while self.wakeups and self.wakeups[0] <= now - WAKEUP_WINDOW_S:
            self.wakeups.popleft()
        if len(self.wakeups) >= WAKEUP_LIMIT:
            return _json({"error": WAKEUP_RATE_LIMIT_ERROR})
        self.wakeups.append(now)
        car.report = self._payload(car)
        return _json(True)

    async def _precond(self, request: web.Request) -> web.Response:
        car = self._known(request.match_info["vin"])
        car.preconditioning = int(request.match_info["on"]) != 0
        return _json(True)

    async def _horn(self, request: web.Request) -> web.Response:
        self._known(request.match_info["vin"])
        return _json(None)

    async def _lights(self, request: web.Request) -> web.Response:
        self._known(request.match_info["vin"])
        return _json(None)

    async def _lock_door(self, request: web.Request) -> web.Response:
        car = self._known(request.match_info["vin"])
        if car.profile.has_door_lock:
            car.locked = int(request.match_info["lock"]) != 0
        return _json(True)

    async def _position(self, request: web.Request) -> web.Response:
        car = self._known(request.match_info["vin"])
        self.car_calls[car.profile.vin] += 1
        car.report = self._payload(car)
        lon, lat, alt = car.report["last_position"]["geometry"]["coordinates"]
        return _json(
            {
                "longitude": lon,
                "latitude": lat,
                "altitude": alt,
                "url": f"https://maps.google.com/maps?q={lat},{lon}",
            }
        )

    async def _soh(self, request: web.Request) -> web.Response:
        car = self.cars.get(request.match_info["vin"])
        soh = car.profile.soh_pct if car and car.profile.has_battery_soh else None
        return _json({"soh": soh})


def _int(text: str, low: int, high: int) -> int:
    """Parse an integer argument; Flask's int() raising is its 500 page."""
    try:
        value = int(text)
    except ValueError as err:
        raise _ServerError(500) from err
    if not low <= value <= high:
        # datetime.replace(hour=25) raises inside the real server too.
        raise _ServerError(500)
    return value


def _json(data: object) -> web.Response:
    return web.Response(
        text=json.dumps(data), status=200, content_type="application/json"
    )


def _html(status: int, body: str) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.psacc",
        description="Serve a simulated psa_car_controller over HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--report-minutes", type=float, default=10.0)
    parser.add_argument(
        "--plugged", action="store_true", help="start with the cars plugged in"
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    sim = PsaccSimulator(
        (PEUGEOT_E208, OPEL_CORSA_E), report_minutes=args.report_minutes
    )
    if args.plugged:
        for vin in sim.cars:
            sim.plug(vin)
    await sim.start(args.host, args.port)
    print(f"psa_car_controller simulator on {sim.url}: {', '.join(sim.cars)}")
    try:
        await asyncio.Event().wait()  # until interrupted
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
