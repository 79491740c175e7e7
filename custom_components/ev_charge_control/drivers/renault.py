"""Renault and Dacia cars through the Renault cloud (renault-api 0.6.2).

Kamereon locks out accounts that call too often, so this driver is built around the
call budget:

* every HTTP request it makes, Gigya and Kamereon alike, is counted (:attr:`calls`);
* :meth:`RenaultAccountClient.get_state` fetches only the parts asked for and keeps
  the older Reading of every other value, so a poll can be as small as one call;
* an endpoint that a model lacks (renault-api knows it, or the cloud answers "not
  supported") is remembered per car and never asked again.

renault-api's own exceptions never leave this module: they become the driver errors of
:mod:`.models`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import logging
from typing import Any, Final, cast

import aiohttp
from marshmallow import ValidationError
from renault_api.const import (
    MAX_SOC_MIN,
    MAX_SOC_TARGET,
    MIN_SOC_MIN,
    MIN_SOC_TARGET,
    SOC_STEP,
)
from renault_api.exceptions import (
    EndpointNotAvailableError,
    NotAuthenticatedException,
    RenaultException,
)
from renault_api.gigya.exceptions import (
    GigyaException,
    GigyaResponseException,
    InvalidCredentialsException,
    InvalidVerificationCodeException,
    PendingTwoFactorAuthenticationException,
)
from renault_api.kamereon.exceptions import (
    AccessDeniedException,
    ChargeModeInProgressException,
    InsufficientBatteryLevelException,
    KamereonResponseException,
    NotSupportedException,
    PrivacyModeOnException,
    QuotaLimitException,
    UnauthorizedException,
)
from renault_api.kamereon.models import (
    ChargeDaySchedule,
    ChargeSchedule,
    KamereonVehicleDetails,
)
from renault_api.renault_client import RenaultClient
from renault_api.renault_vehicle import RenaultVehicle

from .models import (
    AuthError,
    ChargeState,
    CommandRejectedError,
    DeviceProtocolError,
    DeviceUnreachableError,
    DriverError,
    NotSupportedError,
    PlugState,
    Position,
    QuotaExceededError,
    Reading,
    TwoFactorRequiredError,
    VehicleInfo,
    VehicleState,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S: Final = 30.0

# The parts of a car's state, each one Kamereon call.
PART_BATTERY: Final = "battery"
PART_COCKPIT: Final = "cockpit"
PART_HVAC: Final = "hvac"
PART_LOCATION: Final = "location"
PART_CHARGE_MODE: Final = "charge_mode"
PART_SOC_LEVELS: Final = "soc_levels"
PART_LOCK: Final = "lock"
PARTS: Final = frozenset(
    {
        PART_BATTERY,
        PART_COCKPIT,
        PART_HVAC,
        PART_LOCATION,
        PART_CHARGE_MODE,
        PART_SOC_LEVELS,
        PART_LOCK,
    }
)

# Commands, named as in VehicleInfo.capabilities.
CAP_CHARGE_START: Final = "charge_start"
CAP_CHARGE_STOP: Final = "charge_stop"
CAP_SET_CHARGE_MODE: Final = "set_charge_mode"
CAP_SET_CHARGE_SCHEDULE: Final = "set_charge_schedule"
CAP_CHARGING_SETTINGS: Final = "charging_settings"
CAP_HVAC_START: Final = "hvac_start"
CAP_HVAC_STOP: Final = "hvac_stop"
CAP_HORN: Final = "horn"
CAP_LIGHTS: Final = "lights"

# Capability -> renault-api endpoint name. Reading a part and the capability of the
# same name share one endpoint; so do set_soc_levels and the soc_levels part.
_ENDPOINTS: Final[Mapping[str, str]] = {
    PART_BATTERY: "battery-status",
    PART_COCKPIT: "cockpit",
    PART_HVAC: "hvac-status",
    PART_LOCATION: "location",
    PART_CHARGE_MODE: "charge-mode",
    PART_SOC_LEVELS: "soc-levels",
    PART_LOCK: "lock-status",
    CAP_CHARGE_START: "actions/charge-start",
    CAP_CHARGE_STOP: "actions/charge-stop",
    CAP_SET_CHARGE_MODE: "actions/charge-set-mode",
    CAP_SET_CHARGE_SCHEDULE: "actions/charge-set-schedule",
    CAP_CHARGING_SETTINGS: "charging-settings",
    CAP_HVAC_START: "actions/hvac-start",
    CAP_HVAC_STOP: "actions/hvac-stop",
    CAP_HORN: "actions/horn-start",
    CAP_LIGHTS: "actions/lights-start",
}

CHARGE_MODES: Final = frozenset(
    {"always", "always_charging", "schedule_mode", "scheduled"}
)

# Usable capacity (kWh) by model code; Kamereon's batteryCapacity is 0 on most cars.
# The larger battery where a model came with several.
_CAPACITY_KWH: Final[Mapping[str, float]] = {
    "X101VE": 41.0,  # ZOE phase 1 (ZE40)
    "X102VE": 52.0,  # ZOE phase 2 (ZE50)
    "XCB1VE": 60.0,  # Megane E-Tech (EV60)
    "R5E1VE": 52.0,  # Renault 5 E-Tech
    "XBG1VE": 26.8,  # Dacia Spring
    "XBG2VE": 26.8,  # Dacia Spring MY25
    "X071VE": 22.0,  # Twingo Electric
    "A5E1AE": 52.0,  # Alpine A290
    "XCB1SE": 87.0,  # Scenic E-Tech
}

# Names people know the models by, where Kamereon's label says otherwise.
_MODEL_NAMES: Final[Mapping[str, str]] = {
    "X101VE": "ZOE",
    "X102VE": "ZOE",
    "XCB1VE": "Megane E-Tech",
    "R5E1VE": "R5 E-Tech",
    "XBG1VE": "Spring",
    "XBG2VE": "Spring",
    "X071VE": "Twingo Electric",
    "A5E1AE": "A290",
    "XCB1SE": "Scenic E-Tech",
}

_BRANDS: Final[Mapping[str, str]] = {
    "RENAULT": "Renault",
    "DACIA": "Dacia",
    "ALPINE": "Alpine",
}
_ACCOUNT_NAMES: Final[Mapping[str, str]] = {
    "MYRENAULT": "MyRenault",
    "MYDACIA": "MyDacia",
    "MYALPINE": "MyAlpine",
}

_PLUG_STATES: Final[Mapping[int, PlugState]] = {
    0: PlugState.UNPLUGGED,
    1: PlugState.PLUGGED,
    -1: PlugState.PLUG_ERROR,
    -2147483648: PlugState.UNKNOWN,
}
# chargingStatus codes (Kamereon sends floats; compared after rounding to 0.1).
_CHARGE_STATES: Final[Mapping[float, ChargeState]] = {
    0.0: ChargeState.NOT_CHARGING,
    0.1: ChargeState.WAITING_FOR_SCHEDULE,
    0.2: ChargeState.CHARGE_ENDED,
    0.3: ChargeState.WAITING_FOR_CURRENT,
    0.4: ChargeState.FLAP_OPEN,
    1.0: ChargeState.CHARGING,
    -1.0: ChargeState.CHARGE_ERROR,
    -1.1: ChargeState.UNAVAILABLE,
    -1.3: ChargeState.WAITING_FOR_CURRENT,  # V2G, waiting
    -1.4: ChargeState.DISCHARGING,  # V2L connected
    -1.5: ChargeState.DISCHARGING,  # V2G discharging
    -1.6: ChargeState.CHARGING,  # V2G, charging normally
}

# Kamereon's days, in the order of datetime.weekday().
WEEKDAYS: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# The shortest charge window a car takes, in minutes.
SCHEDULE_MIN_MINUTES: Final = 15


@dataclass(frozen=True, slots=True)
class ChargeSettings:
    """A car's charge mode and schedules as the owner left them (Kamereon's JSON)."""

    mode: str | None
    schedules: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        """Return them as stored."""
        return {"mode": self.mode, "schedules": list(self.schedules)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChargeSettings:
        """Return them from storage."""
        return cls(mode=data.get("mode"), schedules=tuple(data.get("schedules") or ()))


def schedule_in_the_past(now: datetime) -> list[dict[str, Any]]:
    """Return a schedule whose one window lies in the past: a car in schedule mode waits.

    The window is yesterday's first quarter hour (UTC, as Kamereon counts): the car
    would charge in it again only in six days, and a car that does is seen charging
    and held again.
    """
    yesterday = WEEKDAYS[(now.astimezone(UTC) - timedelta(days=1)).weekday()]
    schedule: dict[str, Any] = {"id": 1, "activated": True}
    for day in WEEKDAYS:
        schedule[day] = (
            {"startTime": "T00:00Z", "duration": SCHEDULE_MIN_MINUTES}
            if day == yesterday
            else None
        )
    return [schedule]


def _schedule_models(schedules: list[dict[str, Any]]) -> list[ChargeSchedule]:
    """Turn Kamereon's schedule JSON into renault-api's models."""

    def day(raw: Mapping[str, Any] | None) -> ChargeDaySchedule | None:
        if raw is None:
            return None
        return ChargeDaySchedule(
            raw_data=dict(raw),
            startTime=raw.get("startTime"),
            duration=raw.get("duration"),
        )

    return [
        ChargeSchedule(
            raw_data=dict(schedule),
            id=schedule.get("id"),
            activated=schedule.get("activated"),
            monday=day(schedule.get("monday")),
            tuesday=day(schedule.get("tuesday")),
            wednesday=day(schedule.get("wednesday")),
            thursday=day(schedule.get("thursday")),
            friday=day(schedule.get("friday")),
            saturday=day(schedule.get("saturday")),
            sunday=day(schedule.get("sunday")),
        )
        for schedule in schedules
    ]


# Gigya codes for a login token that no longer works.
_GIGYA_EXPIRED: Final = frozenset({403005, 403013})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def plug_state(code: int | None) -> PlugState:
    """Map Kamereon's plugStatus to a PlugState."""
    if code is None:
        return PlugState.UNKNOWN
    return _PLUG_STATES.get(int(code), PlugState.UNKNOWN)


def charge_state(code: float | None) -> ChargeState:
    """Map Kamereon's chargingStatus to a ChargeState."""
    if code is None:
        return ChargeState.UNKNOWN
    return _CHARGE_STATES.get(round(float(code), 1), ChargeState.UNKNOWN)


def check_soc_levels(soc_min: int, soc_target: int) -> None:
    """Raise ValueError unless the levels are ones the car accepts."""
    if not (MIN_SOC_MIN <= soc_min <= MAX_SOC_MIN and soc_min % SOC_STEP == 0):
        raise ValueError(
            f"minimum SoC must be {MIN_SOC_MIN}-{MAX_SOC_MIN} % in steps of "
            f"{SOC_STEP}, got {soc_min}"
        )
    if not (
        MIN_SOC_TARGET <= soc_target <= MAX_SOC_TARGET and soc_target % SOC_STEP == 0
    ):
        raise ValueError(
            f"target SoC must be {MIN_SOC_TARGET}-{MAX_SOC_TARGET} % in steps of "
            f"{SOC_STEP}, got {soc_target}"
        )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, kw_only=True, slots=True)
class TwoFactorEmail:
    """An address the code can be sent to, as the account shows it."""

    email_id: str
    obfuscated: str


class RenaultTwoFactorRequiredError(TwoFactorRequiredError):
    """The account asks for an e-mailed code.

    ``emails`` lists where it can go; ``code_sent`` says whether it was already sent
    (it is when there is a single address). Continue with
    :meth:`RenaultAccountClient.request_two_factor_code` (if not sent) and
    :meth:`RenaultAccountClient.complete_two_factor`.
    """

    def __init__(
        self, message: str, *, emails: tuple[TwoFactorEmail, ...], code_sent: bool
    ) -> None:
        super().__init__(message)
        self.emails = emails
        self.code_sent = code_sent


class _CountingSession:
    """Hands renault-api the caller's session, counting every request it sends."""

    def __init__(self, session: aiohttp.ClientSession, counter: Counter[str]) -> None:
        self._session = session
        self._counter = counter

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        self._counter[str(url).split("?", 1)[0].rsplit("/", 1)[-1]] += 1
        return self._session.request(method, url, **kwargs)


@dataclass(slots=True)
class _Car:
    vehicle: RenaultVehicle
    details: KamereonVehicleDetails
    watts: bool


class RenaultAccountClient:
    """One Renault / Dacia login: its accounts, cars, readings and commands."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        locale: str,
        locale_details: dict[str, str] | None = None,
        now: Callable[[], datetime] = _utc_now,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        """Prepare a client; nothing is sent before :meth:`login` or :meth:`restore`."""
        self._now = now
        self._timeout = timeout
        self.calls_by_endpoint: Counter[str] = Counter()
        websession = cast(
            "aiohttp.ClientSession", _CountingSession(session, self.calls_by_endpoint)
        )
        self._client = RenaultClient(
            websession=websession,
            locale=locale,
            country=locale[-2:],
            locale_details=locale_details,
        )
        self._cars: dict[str, _Car] = {}
        self._states: dict[str, VehicleState] = {}
        self._unsupported: set[tuple[str, str]] = set()
        self._tfa_emails: tuple[TwoFactorEmail, ...] = ()

    # --- what the integration keeps --------------------------------------------------

    @property
    def calls(self) -> int:
        """How many HTTP requests this client sent, Gigya and Kamereon together."""
        return sum(self.calls_by_endpoint.values())

    @property
    def login_token(self) -> str | None:
        """The Gigya login token: store it instead of the password."""
        return self._client.session.login_token

    @property
    def device_ids(self) -> dict[str, str]:
        """Gigya's ids of this device, remembered after two-factor: store them too."""
        return self._client.session.device_ids

    def restore(
        self, login_token: str, device_ids: Mapping[str, str] | None = None
    ) -> None:
        """Sign in from a stored login token (and device ids), without the password.

        Nothing is sent now; a token that no longer works raises AuthError on the
        first call that needs it.
        """
        if device_ids:
            self._client.session.set_device_ids(device_ids)
        self._client.session.set_login_token(login_token)

    def restore_device_ids(self, device_ids: Mapping[str, str]) -> None:
        """Reuse a remembered device, so a password login skips the second factor."""
        self._client.session.set_device_ids(device_ids)

    def unsupported(self, vin: str) -> frozenset[str]:
        """The capabilities found missing on this car since the client started."""
        return frozenset(
            name
            for name, endpoint in _ENDPOINTS.items()
            if (vin, endpoint) in self._unsupported
        )

    # --- signing in ------------------------------------------------------------------

    async def login(self, email: str, password: str) -> None:
        """Sign in with the password.

        Raises AuthError for wrong credentials and RenaultTwoFactorRequiredError when
        the account asks for an e-mailed code.
        """
        try:
            await self._run(lambda: self._client.session.login(email, password))
        except _PendingTwoFactor:
            pass
        else:
            return
        emails = await self._run(self._client.session.get_two_factor_auth_emails)
        self._tfa_emails = tuple(
            TwoFactorEmail(email_id=e.id or "", obfuscated=e.obfuscated or "")
            for e in emails
        )
        code_sent = len(self._tfa_emails) == 1
        if code_sent:
            await self.request_two_factor_code(self._tfa_emails[0].email_id)
        raise RenaultTwoFactorRequiredError(
            "the account asks for a code sent by e-mail",
            emails=self._tfa_emails,
            code_sent=code_sent,
        )

    async def request_two_factor_code(self, email_id: str | None = None) -> None:
        """Have the code e-mailed (to ``email_id`` when the account has several)."""
        await self._run(
            lambda: self._client.session.request_two_factor_auth_code(email_id)
        )

    async def complete_two_factor(
        self, code: str, *, remember_device: bool = True
    ) -> None:
        """Send the e-mailed code and finish signing in.

        A wrong code raises TwoFactorRequiredError: the challenge stays open and the
        right code can be sent without asking for a new one.
        """
        await self._run(
            lambda: self._client.session.complete_two_factor_auth(
                code, remember_device=remember_device
            )
        )

    # --- accounts and cars -----------------------------------------------------------

    async def accounts(self) -> list[tuple[str, str]]:
        """Return (account id, name) for every Kamereon account of the person."""
        person = await self._run(self._client.get_person)
        result: list[tuple[str, str]] = []
        for account in person.accounts or []:
            if not account.accountId:
                continue
            kind = account.accountType or ""
            result.append(
                (account.accountId, _ACCOUNT_NAMES.get(kind, kind or "Account"))
            )
        return result

    async def vehicles(self, account_id: str) -> list[VehicleInfo]:
        """Return the cars of an account, with what each model can do."""
        account = await self._client.get_api_account(account_id)
        vehicles = await self._run(account.get_api_vehicles)
        result: list[VehicleInfo] = []
        for vehicle in vehicles:
            details = await self._run(vehicle.get_details)  # in the list: no call
            self._cars[vehicle.vin] = _Car(
                vehicle=vehicle,
                details=details,
                watts=details.reports_charging_power_in_watts(),
            )
            result.append(self._info(vehicle.vin, details))
        return result

    def _info(self, vin: str, details: KamereonVehicleDetails) -> VehicleInfo:
        brand_code = (details.get_brand_label() or "").upper()
        brand = _BRANDS.get(brand_code, brand_code.title() or "Renault")
        code = details.get_model_code() or ""
        model = _MODEL_NAMES.get(code) or (details.get_model_label() or code).title()
        capabilities = frozenset(
            name
            for name, endpoint in _ENDPOINTS.items()
            if details.supports_endpoint(endpoint)
            and (vin, endpoint) not in self._unsupported
        )
        return VehicleInfo(
            vin=vin,
            brand=brand,
            model=model,
            name=f"{brand} {model}".strip(),
            battery_capacity_kwh=_CAPACITY_KWH.get(code),
            capabilities=capabilities,
        )

    def _car(self, vin: str) -> _Car:
        car = self._cars.get(vin)
        if car is None:
            raise DriverError(
                f"unknown car {vin[-4:]}: list the account's vehicles first"
            )
        return car

    # --- readings --------------------------------------------------------------------

    def last_state(self, vin: str) -> VehicleState | None:
        """The state as of the last get_state, without asking the cloud."""
        return self._states.get(vin)

    async def get_state(
        self, vin: str, *, parts: set[str] | frozenset[str]
    ) -> VehicleState:
        """Fetch ``parts`` of the car's state; every other value keeps its last Reading.

        A part the model lacks is skipped (and never asked again). Any other failure
        raises, after keeping what the parts fetched before it told.
        """
        unknown = set(parts) - PARTS
        if unknown:
            raise ValueError(f"unknown parts: {sorted(unknown)}")
        car = self._car(vin)
        state = self._states.get(vin) or VehicleState(vin=vin)
        try:
            for part in sorted(parts):
                try:
                    fields = await self._fetch(car, part)
                except NotSupportedError:
                    continue
                state = replace(state, **fields)
        finally:
            self._states[vin] = state
        return state

    async def _fetch(self, car: _Car, part: str) -> dict[str, Any]:
        vehicle = car.vehicle
        if part == PART_BATTERY:
            battery = await self._call(vehicle, part, vehicle.get_battery_status)
            return self._battery_fields(car, battery.raw_data)
        if part == PART_COCKPIT:
            cockpit = await self._call(vehicle, part, vehicle.get_cockpit)
            return _fields(
                self._now(), None, {"mileage_km": _float(cockpit.totalMileage)}
            )
        if part == PART_HVAC:
            hvac = await self._call(vehicle, part, vehicle.get_hvac_status)
            on = None if hvac.hvacStatus is None else hvac.hvacStatus.lower() == "on"
            return _fields(
                self._now(),
                hvac.lastUpdateTime,
                {
                    "hvac_on": on,
                    "outside_temperature_c": _float(hvac.externalTemperature),
                },
            )
        if part == PART_LOCATION:
            location = await self._call(vehicle, part, vehicle.get_location)
            position = None
            if location.gpsLatitude is not None and location.gpsLongitude is not None:
                position = Position(
                    latitude=float(location.gpsLatitude),
                    longitude=float(location.gpsLongitude),
                )
            return _fields(self._now(), location.lastUpdateTime, {"location": position})
        if part == PART_CHARGE_MODE:
            mode = await self._call(vehicle, part, vehicle.get_charge_mode)
            return _fields(self._now(), None, {"charge_mode": mode.chargeMode})
        if part == PART_SOC_LEVELS:
            soc = await self._call(vehicle, part, vehicle.get_battery_soc)
            # 0.6.2 reads the levels at the top of the body; accept them nested too.
            raw = soc.raw_data
            attributes = (raw.get("data") or {}).get("attributes") or raw
            return _fields(
                self._now(),
                attributes.get("lastEnergyUpdateTimestamp"),
                {
                    "soc_min_pct": _int(attributes.get("socMin")),
                    "soc_target_pct": _int(attributes.get("socTarget")),
                },
            )
        lock = await self._call(vehicle, part, vehicle.get_lock_status)
        locked = (
            None if lock.lockStatus is None else lock.lockStatus.lower() == "locked"
        )
        return _fields(self._now(), lock.lastUpdateTime, {"locked": locked})

    def _battery_fields(self, car: _Car, raw: dict[str, Any]) -> dict[str, Any]:
        # renault-api hands over the attributes; a whole body is accepted too.
        attributes: dict[str, Any] = (raw.get("data") or {}).get("attributes") or raw
        power = _float(attributes.get("chargingInstantaneousPower"))
        if power is not None and car.watts:
            power /= 1000.0
        plug = attributes.get("plugStatus")
        status = attributes.get("chargingStatus")
        return _fields(
            self._now(),
            attributes.get("timestamp"),
            {
                "battery_level_pct": _float(attributes.get("batteryLevel")),
                "range_km": _float(attributes.get("batteryAutonomy")),
                "available_energy_kwh": _float(
                    attributes.get("batteryAvailableEnergy")
                ),
                "battery_temperature_c": _float(attributes.get("batteryTemperature")),
                "plug": None if plug is None else plug_state(plug),
                "charge": None if status is None else charge_state(status),
                "charging_power_kw": power,
                "time_to_full_min": _int(attributes.get("chargingRemainingTime")),
            },
        )

    # --- commands --------------------------------------------------------------------

    async def start_charge(self, vin: str) -> None:
        """Start charging now (as the model does it: direct, KCM, or its settings)."""
        vehicle = self._car(vin).vehicle
        await self._call(vehicle, CAP_CHARGE_START, vehicle.set_charge_start)

    async def stop_charge(self, vin: str) -> None:
        """Stop or pause charging; NotSupportedError on models without it."""
        vehicle = self._car(vin).vehicle
        await self._call(vehicle, CAP_CHARGE_STOP, vehicle.set_charge_stop)

    async def set_charge_mode(self, vin: str, mode: str) -> None:
        """Set the charge mode: always, always_charging, schedule_mode or scheduled."""
        if mode not in CHARGE_MODES:
            raise ValueError(f"unknown charge mode {mode!r}")
        vehicle = self._car(vin).vehicle
        await self._call(
            vehicle, CAP_SET_CHARGE_MODE, lambda: vehicle.set_charge_mode(mode)
        )

    async def charge_settings(self, vin: str) -> ChargeSettings:
        """Read the car's charge mode and schedules (to put them back later)."""
        vehicle = self._car(vin).vehicle
        current = await self._call(
            vehicle, CAP_CHARGING_SETTINGS, vehicle.get_charging_settings
        )
        return ChargeSettings(
            mode=current.mode,
            schedules=tuple(current.raw_data.get("schedules") or ()),
        )

    async def hold_by_schedule(self, vin: str, now: datetime) -> None:
        """Hold the charge with a schedule in the past.

        For models with neither a stop nor levels of their own: in schedule mode the
        car waits for a window that has already gone by. Read the owner's settings
        (charge_settings) first: this overwrites them.
        """
        vehicle = self._car(vin).vehicle
        past = _schedule_models(schedule_in_the_past(now))
        await self._call(
            vehicle, CAP_SET_CHARGE_SCHEDULE, lambda: vehicle.set_charge_schedules(past)
        )
        await self._call(
            vehicle,
            CAP_SET_CHARGE_MODE,
            lambda: vehicle.set_charge_mode("schedule_mode"),
        )

    async def release_schedule(self, vin: str) -> None:
        """Let a car held by a schedule charge at once ("always charging")."""
        await self.set_charge_mode(vin, "always_charging")

    async def restore_charge_settings(self, vin: str, saved: ChargeSettings) -> None:
        """Put back the owner's schedules and charge mode."""
        vehicle = self._car(vin).vehicle
        # A car whose owner had no schedule keeps ours, switched off (whether Kamereon
        # takes an empty list is not known).
        schedules = list(saved.schedules) or [
            {**schedule, "activated": False}
            for schedule in schedule_in_the_past(_utc_now())
        ]
        models = _schedule_models(schedules)
        await self._call(
            vehicle,
            CAP_SET_CHARGE_SCHEDULE,
            lambda: vehicle.set_charge_schedules(models),
        )
        mode = (
            "always_charging"
            if saved.mode in (None, "always", "always_charging")
            else "schedule_mode"
        )
        await self.set_charge_mode(vin, mode)

    async def set_soc_levels(self, vin: str, soc_min: int, soc_target: int) -> None:
        """Set the car's own floor and limit (15-45 / 55-100 %, steps of 5)."""
        check_soc_levels(soc_min, soc_target)
        vehicle = self._car(vin).vehicle
        await self._call(
            vehicle,
            PART_SOC_LEVELS,
            lambda: vehicle.set_battery_soc(min=soc_min, target=soc_target),
        )

    async def start_hvac(self, vin: str, temperature: float) -> None:
        """Start the air conditioning, aiming at ``temperature`` °C."""
        vehicle = self._car(vin).vehicle
        await self._call(
            vehicle, CAP_HVAC_START, lambda: vehicle.set_ac_start(temperature)
        )

    async def stop_hvac(self, vin: str) -> None:
        """Stop the air conditioning."""
        vehicle = self._car(vin).vehicle
        await self._call(vehicle, CAP_HVAC_STOP, vehicle.set_ac_stop)

    async def horn(self, vin: str) -> None:
        """Sound the horn."""
        vehicle = self._car(vin).vehicle
        await self._call(vehicle, CAP_HORN, vehicle.start_horn)

    async def lights(self, vin: str) -> None:
        """Flash the lights."""
        vehicle = self._car(vin).vehicle
        await self._call(vehicle, CAP_LIGHTS, vehicle.start_lights)

    # --- error mapping ---------------------------------------------------------------

    async def _call[T](
        self,
        vehicle: RenaultVehicle,
        capability: str,
        operation: Callable[[], Awaitable[T]],
    ) -> T:
        """Run one car operation, unless its endpoint is known to be missing."""
        key = (vehicle.vin, _ENDPOINTS[capability])
        if key in self._unsupported:
            raise NotSupportedError(f"{capability} is not available on this model")
        try:
            return await self._run(operation)
        except NotSupportedError:
            self._unsupported.add(key)
            _LOGGER.debug("%s not supported on car ...%s", capability, vehicle.vin[-4:])
            raise

    async def _run[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run a renault-api call and turn its errors into driver errors."""
        try:
            async with asyncio.timeout(self._timeout):
                return await operation()
        except DriverError:
            raise
        except PendingTwoFactorAuthenticationException as err:
            raise _PendingTwoFactor("two-factor authentication pending") from err
        except InvalidVerificationCodeException as err:
            raise TwoFactorRequiredError("the code is wrong or has expired") from err
        except (InvalidCredentialsException, NotAuthenticatedException) as err:
            raise AuthError("the account refused the credentials") from err
        except GigyaResponseException as err:
            if err.error_code in _GIGYA_EXPIRED:
                raise AuthError("the stored sign-in has expired") from err
            raise DeviceProtocolError(f"Gigya error {err.error_code}") from err
        except GigyaException as err:
            raise DeviceProtocolError(f"Gigya answered badly: {err}") from err
        except QuotaLimitException as err:
            raise QuotaExceededError(
                "the Renault cloud says the call quota is spent"
            ) from err
        except (NotSupportedException, EndpointNotAvailableError) as err:
            raise NotSupportedError("this model has no such endpoint") from err
        except (AccessDeniedException, UnauthorizedException) as err:
            raise AuthError("the Renault cloud denied access") from err
        except PrivacyModeOnException as err:
            raise CommandRejectedError("privacy mode is on in the car") from err
        except InsufficientBatteryLevelException as err:
            raise CommandRejectedError("the battery is too low for this") from err
        except ChargeModeInProgressException as err:
            raise CommandRejectedError(
                "a charge mode change is still in progress"
            ) from err
        except KamereonResponseException as err:
            raise DeviceProtocolError(
                f"Kamereon error {err.error_code}: {err.error_details}"
            ) from err
        except aiohttp.ClientResponseError as err:
            raise DeviceProtocolError(
                f"HTTP {err.status} from the Renault cloud"
            ) from err
        except (aiohttp.ClientConnectionError, TimeoutError) as err:
            raise DeviceUnreachableError("the Renault cloud did not answer") from err
        except aiohttp.ClientError as err:
            raise DeviceProtocolError(f"HTTP error: {err}") from err
        except (RenaultException, ValidationError, ValueError) as err:
            raise DeviceProtocolError(f"unexpected answer: {err}") from err


class _PendingTwoFactor(DriverError):
    """Internal: login hit the second factor; login() turns it into the public error."""


def _fields(
    now: datetime, stamp: object, values: Mapping[str, object]
) -> dict[str, Reading[Any]]:
    """Wrap the values the cloud sent in Readings; absent values are left out."""
    as_of = _parse_time(stamp) or now
    return {
        name: Reading(value=value, as_of=as_of)
        for name, value in values.items()
        if value is not None
    }


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)
