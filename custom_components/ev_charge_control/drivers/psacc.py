"""Async client for a psa_car_controller server (Peugeot, Citroën, DS, Opel, Vauxhall).

psa_car_controller (flobz/psa_car_controller) is a Flask server the user runs next to
Home Assistant; it holds the Stellantis credentials and offers plain GET routes with no
authentication. What it answers, and how this client reads it:

* ``/get_vehicleinfo/<vin>`` is the PSA status dumped with ``json.dumps(default=str)``:
  snake_case keys, ``null`` for blocks the car did not send, timestamps as
  ``str(datetime)`` and durations as ISO-8601 (``PT2H15M``).
* Refusals come back as ``{"error": "..."}`` with HTTP 200; an exception inside the
  server (an unknown VIN, a failed call to the car) is Flask's HTTP 500 HTML page.
* Reading without ``from_cache=1`` makes the server ask the car (the cloud rations
  those calls), so the integration reads from the cache by default.

The client never closes the aiohttp session: Home Assistant shares one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
import html
import json
import logging
import re
from typing import Any, Final

import aiohttp

from .models import (
    ChargeState,
    CommandRejectedError,
    DeviceProtocolError,
    DeviceUnreachableError,
    PlugState,
    Position,
    QuotaExceededError,
    Reading,
    VehicleInfo,
    VehicleState,
)

_LOGGER = logging.getLogger(__name__)

# The brands as Stellantis spells them across API versions and apps.
_BRANDS: Final = {
    "peugeot": "Peugeot",
    "p": "Peugeot",
    "ap": "Peugeot",
    "citroen": "Citroën",
    "citroën": "Citroën",
    "c": "Citroën",
    "ac": "Citroën",
    "ds": "DS",
    "ds automobiles": "DS",
    "d": "DS",
    "opel": "Opel",
    "op": "Opel",
    "vauxhall": "Vauxhall",
    "vx": "Vauxhall",
}

_CHARGE_STATES: Final = {
    "disconnected": ChargeState.NOT_CHARGING,
    "inprogress": ChargeState.CHARGING,
    "failure": ChargeState.CHARGE_ERROR,
    # "Stopped" covers both a stopped charge and one waiting for its delayed start;
    # nothing in the status tells them apart.
    "stopped": ChargeState.NOT_CHARGING,
    "finished": ChargeState.CHARGE_ENDED,
}

_HVAC_ON: Final = frozenset({"enabled"})

# Routes the server offers for every car, whatever the model.
_ALWAYS: Final = frozenset({"horn", "lights", "wakeup"})

_DURATION: Final = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_TAGS: Final = re.compile(r"<[^>]+>")
_MAX_MESSAGE: Final = 200


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class ChargeControl:
    """The server's own charge control of one car: it stops the charge by itself."""

    threshold_pct: int
    stop_hour: time | None


def normalise_brand(raw: object) -> str:
    """Return the brand as its maker spells it, or the raw text if unknown."""
    text = str(raw or "").strip()
    return _BRANDS.get(text.casefold(), text)


def parse_timestamp(raw: object) -> datetime | None:
    """Parse ``str(datetime)`` (or ISO-8601) into an aware UTC datetime.

    The server writes the API's datetimes with ``str()``: ``2026-06-01 12:00:00+00:00``.
    A timestamp without a zone is taken as UTC, because the PSA API sends UTC (``Z``)
    and the server keeps that value; local time would be a guess.
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_duration_min(raw: object) -> int | None:
    """Parse an ISO-8601 duration (``PT2H15M``, ``PT45M``, ``P0D``) into minutes."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().upper()
    match = _DURATION.match(text)
    # "P", "PT" and "P1DT" match the pattern but are not durations.
    if match is None or text.endswith("T") or not any(match.groupdict().values()):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return round(parts["d"] * 1440 + parts["h"] * 60 + parts["m"] + parts["s"] / 60)


def short_text(body: str) -> str:
    """Turn an HTML error page into one short line a person can read."""
    text = html.unescape(_TAGS.sub(" ", body))
    text = " ".join(text.split())
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 1].rstrip() + "…"
    return text or "(empty body)"


def _number(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw)


def _dict(raw: object) -> Mapping[str, Any]:
    return raw if isinstance(raw, Mapping) else {}


class PsaccClient:
    """Talks to one psa_car_controller server."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        timeout: float = 10.0,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        """Use ``session`` (never closed here) to reach the server at ``url``."""
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https://, got {url!r}")
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self._session = session
        self._url = url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._now = now

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._url

    # ------------------------------------------------------------------ transport

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` and return the decoded JSON, mapping every failure."""
        try:
            async with self._session.get(
                f"{self._url}{path}", params=params, timeout=self._timeout
            ) as resp:
                status = resp.status
                body = await resp.text()
        except (TimeoutError, aiohttp.ClientConnectionError) as err:
            raise DeviceUnreachableError(
                f"psa_car_controller at {self._url} did not answer: "
                f"{type(err).__name__} {err}".rstrip()
            ) from err
        except aiohttp.ClientError as err:
            raise DeviceProtocolError(
                f"psa_car_controller at {self._url}: {type(err).__name__} {err}"
            ) from err
        except RuntimeError as err:
            # aiohttp's "Session is closed": Home Assistant is stopping, and a
            # command that was on its way finds the session gone.
            if self._session.closed:
                raise DeviceUnreachableError(
                    f"psa_car_controller at {self._url}: the session is closed"
                ) from err
            raise
        try:
            data = json.loads(body)
        except ValueError:
            if status >= 400:
                raise DeviceProtocolError(
                    f"psa_car_controller answered HTTP {status}: {short_text(body)}"
                ) from None
            raise DeviceProtocolError(
                f"psa_car_controller sent a body that is not JSON: {short_text(body)}"
            ) from None
        if isinstance(data, dict) and "error" in data:
            message = str(data["error"])
            if "rate limit" in message.casefold():
                raise QuotaExceededError(f"psa_car_controller: {message}")
            raise CommandRejectedError(f"psa_car_controller: {message}")
        if status >= 400:
            raise DeviceProtocolError(
                f"psa_car_controller answered HTTP {status}: {short_text(body)}"
            )
        return data

    @staticmethod
    def _vin(vin: str) -> str:
        if not vin or not vin.isalnum():
            raise ValueError(f"not a VIN: {vin!r}")
        return vin

    # ------------------------------------------------------------------ reading

    async def list_vehicles(self) -> list[VehicleInfo]:
        """Return the server's cars with what each of them supports.

        Capabilities come from what the server says about each car: its cached
        status (no call to the car), its charge control and its battery health.
        """
        raw = await self._get("/get_vehicles")
        if not isinstance(raw, list):
            raise DeviceProtocolError("get_vehicles did not answer a list")
        vehicles = []
        for car in raw:
            if not isinstance(car, Mapping) or not isinstance(car.get("vin"), str):
                raise DeviceProtocolError(f"get_vehicles: a car without a VIN: {car!r}")
            vin = car["vin"]
            capacity = _number(car.get("battery_power"))
            vehicles.append(
                VehicleInfo(
                    vin=vin,
                    brand=normalise_brand(car.get("brand")),
                    model=str(car.get("label") or ""),
                    name=f"{normalise_brand(car.get('brand'))} {car.get('label') or vin}",
                    battery_capacity_kwh=capacity or None,
                    capabilities=await self._capabilities(vin),
                )
            )
        return vehicles

    async def _capabilities(self, vin: str) -> frozenset[str]:
        found = set(_ALWAYS)
        status = _dict(await self._get(f"/get_vehicleinfo/{vin}", {"from_cache": "1"}))
        coordinates = _dict(_dict(status.get("last_position")).get("geometry")).get(
            "coordinates"
        )
        if isinstance(coordinates, list) and all(
            _number(c) is not None for c in coordinates[:2]
        ):
            found.add("location")
        if _dict(_dict(status.get("preconditionning")).get("air_conditioning")):
            found.add("preconditioning")
        if _dict(status.get("doors_state")).get("locked_state") is not None:
            found.add("lock")
        try:
            await self.get_charge_control(vin)
        except CommandRejectedError:
            pass  # not configured on the server, or not for this car
        else:
            found.add("charge_control")
        if await self.battery_health(vin) is not None:
            found.add("battery_health")
        return frozenset(found)

    async def get_state(self, vin: str, *, from_cache: bool = True) -> VehicleState:
        """Return what the server knows of the car, each value with its own time.

        ``from_cache=False`` makes the server call the car: it costs quota.
        """
        params = {"from_cache": "1"} if from_cache else None
        status = await self._get(f"/get_vehicleinfo/{self._vin(vin)}", params)
        if not isinstance(status, Mapping):
            raise DeviceProtocolError("get_vehicleinfo did not answer an object")
        return self._state(vin, status)

    def _stamp(self, raw: object, fallback: datetime | None) -> datetime | None:
        """The block's own time, else the report's; never later than now."""
        when = parse_timestamp(raw) or fallback
        if when is None:
            return None
        now = self._now()
        # A car whose clock runs ahead would make its values look fresh forever.
        return min(when, now)

    def _state(self, vin: str, status: Mapping[str, Any]) -> VehicleState:
        energies = status.get("energy")
        electric: Mapping[str, Any] = {}
        if isinstance(energies, list):
            for energy in energies:
                if _dict(energy).get("type") == "Electric":
                    electric = _dict(energy)
        # Values without any timestamp are left out: their age could not be known.
        report_at = self._stamp(electric.get("updated_at"), None)
        charging = _dict(electric.get("charging"))
        values: dict[str, Any] = {}

        def put[T](key: str, value: T | None, as_of: datetime | None) -> None:
            if value is not None and as_of is not None:
                values[key] = Reading(value=value, as_of=as_of)

        level = _number(electric.get("level"))
        put("battery_level_pct", level, report_at)
        put("range_km", _number(electric.get("autonomy")), report_at)
        put("available_energy_kwh", _number(electric.get("residual")), report_at)
        plugged = charging.get("plugged")
        if isinstance(plugged, bool):
            put(
                "plug", PlugState.PLUGGED if plugged else PlugState.UNPLUGGED, report_at
            )
        elif charging:
            put("plug", PlugState.UNKNOWN, report_at)
        if isinstance(charging.get("status"), str):
            state = _CHARGE_STATES.get(
                charging["status"].casefold(), ChargeState.UNKNOWN
            )
            put("charge", state, report_at)
        put("charging_rate_kmh", _number(charging.get("charging_rate")), report_at)
        put(
            "time_to_full_min",
            parse_duration_min(charging.get("remaining_time")),
            report_at,
        )
        mode = charging.get("charging_mode")
        put(
            "charge_mode", mode.casefold() if isinstance(mode, str) else None, report_at
        )

        odometer = _dict(status.get("timed_odometer"))
        put(
            "mileage_km",
            _number(odometer.get("mileage")),
            self._stamp(odometer.get("updated_at"), report_at),
        )
        air = _dict(_dict(status.get("environment")).get("air"))
        put(
            "outside_temperature_c",
            _number(air.get("temp")),
            self._stamp(air.get("updated_at"), report_at),
        )
        hvac = _dict(_dict(status.get("preconditionning")).get("air_conditioning"))
        if isinstance(hvac.get("status"), str):
            put(
                "hvac_on",
                hvac["status"].casefold() in _HVAC_ON,
                self._stamp(hvac.get("updated_at"), report_at),
            )
        doors = _dict(status.get("doors_state"))
        locked_state = doors.get("locked_state")
        if isinstance(locked_state, list) and locked_state:
            put(
                "locked",
                any(str(s).casefold() == "locked" for s in locked_state),
                self._stamp(doors.get("updated_at"), report_at),
            )
        position = _dict(status.get("last_position"))
        put(
            "location",
            _position(_dict(position.get("geometry")).get("coordinates")),
            self._stamp(_dict(position.get("properties")).get("updated_at"), report_at),
        )
        return VehicleState(vin=vin, **values)

    async def get_charge_control(self, vin: str) -> ChargeControl:
        """Return the server's threshold and stop hour for the car."""
        data = await self._get("/charge_control", {"vin": self._vin(vin)})
        return _charge_control(data)

    async def battery_health(self, vin: str) -> float | None:
        """Return the last battery state of health the server recorded, if any."""
        data = _dict(await self._get(f"/battery/soh/{self._vin(vin)}"))
        return _number(data.get("soh"))

    # ------------------------------------------------------------------ commands

    async def set_charge_threshold(self, vin: str, pct: int) -> ChargeControl:
        """Make the server stop the charge at ``pct`` percent (100: never)."""
        if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100:
            raise ValueError(f"threshold must be an integer 0..100, got {pct!r}")
        data = await self._get(
            "/charge_control", {"vin": self._vin(vin), "percentage": str(pct)}
        )
        return _charge_control(data)

    async def set_stop_hour(self, vin: str, stop: time | None) -> ChargeControl:
        """Make the server stop the charge every day at ``stop`` (None: never).

        The server reads 00:00 as "no stop hour", so midnight cannot be asked for.
        """
        if stop is None:
            hour, minute = 0, 0
        elif stop.hour == 0 and stop.minute == 0:
            raise ValueError("psa_car_controller reads 00:00 as no stop hour")
        else:
            hour, minute = stop.hour, stop.minute
        data = await self._get(
            "/charge_control",
            {"vin": self._vin(vin), "hour": str(hour), "minute": str(minute)},
        )
        return _charge_control(data)

    async def set_charge_hour(self, vin: str, start: time) -> None:
        """Set the car's delayed-charge start time."""
        await self._get(
            "/charge_hour",
            {
                "vin": self._vin(vin),
                "hour": str(start.hour),
                "minute": str(start.minute),
            },
        )

    async def charge_now(self, vin: str, on: bool) -> None:
        """Start (True) or stop (False) the charge."""
        await self._get(f"/charge_now/{self._vin(vin)}/{int(on)}")

    async def wakeup(self, vin: str) -> None:
        """Ask the car to report now (the server allows 6 per 20 minutes)."""
        await self._get(f"/wakeup/{self._vin(vin)}")

    async def set_preconditioning(self, vin: str, on: bool) -> None:
        """Start or stop heating / cooling the cabin."""
        await self._get(f"/preconditioning/{self._vin(vin)}/{int(on)}")

    async def horn(self, vin: str, count: int = 1) -> None:
        """Sound the horn ``count`` times."""
        if (
            isinstance(count, bool)
            or not isinstance(count, int)
            or not 1 <= count <= 10
        ):
            raise ValueError(f"horn count must be 1..10, got {count!r}")
        await self._get(f"/horn/{self._vin(vin)}/{count}")

    async def lights(self, vin: str, duration: int = 10) -> None:
        """Flash the lights for ``duration`` seconds."""
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int)
            or not 1 <= duration <= 600
        ):
            raise ValueError(f"lights duration must be 1..600 s, got {duration!r}")
        await self._get(f"/lights/{self._vin(vin)}/{duration}")

    async def lock(self, vin: str, locked: bool) -> None:
        """Lock (True) or unlock (False) the doors."""
        await self._get(f"/lock_door/{self._vin(vin)}/{int(locked)}")


def _position(raw: object) -> Position | None:
    """GeoJSON order is [longitude, latitude, altitude]."""
    if not isinstance(raw, list) or len(raw) < 2:
        return None
    lon, lat = _number(raw[0]), _number(raw[1])
    if lon is None or lat is None or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        return None
    return Position(latitude=lat, longitude=lon)


def _charge_control(data: object) -> ChargeControl:
    if not isinstance(data, Mapping):
        raise DeviceProtocolError("charge_control did not answer an object")
    threshold = data.get("percentage_threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise DeviceProtocolError(
            f"charge_control: percentage_threshold is {threshold!r}"
        )
    raw_stop = data.get("_stop_hour")
    stop: time | None = None
    if isinstance(raw_stop, list) and len(raw_stop) >= 2:
        try:
            stop = time(int(raw_stop[0]), int(raw_stop[1]))
        except (TypeError, ValueError) as err:
            raise DeviceProtocolError(
                f"charge_control: _stop_hour is {raw_stop!r}"
            ) from err
        if stop == time(0, 0):
            stop = None
    elif raw_stop is not None:
        raise DeviceProtocolError(f"charge_control: _stop_hour is {raw_stop!r}")
    return ChargeControl(threshold_pct=threshold, stop_hour=stop)


__all__ = [
    "ChargeControl",
    "PsaccClient",
    "normalise_brand",
    "parse_duration_min",
    "parse_timestamp",
    "short_text",
]
