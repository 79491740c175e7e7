"""The Renault / Dacia cloud (Gigya + Kamereon) over HTTP, for tests, benches and demos.

renault-api 0.6.2 reaches it unchanged through
``RenaultClient(websession=..., locale="fr_FR", country="FR",
locale_details=sim.locale_details)``: Gigya answers under ``/gigya``, Kamereon under
``/kamereon``, both on one loopback port.

What it does, and where it had to choose:

* Gigya answers HTTP 200 with an ``errorCode`` in the body, as the real service does:
  403042 for an unknown login or a wrong password, 403101 (with a ``regToken``) when an
  account asks for a second factor and the device (``gmid`` cookie) is not remembered,
  400006 for a wrong e-mailed code, 403005 for a revoked login token. The two-factor
  dance is the one renault-api 0.6.2 makes: ``accounts.webSdkBootstrap`` (sets the
  ``gmid``/``ucid`` cookies), ``accounts.tfa.initTFA``, ``accounts.tfa.email.getEmails``,
  ``accounts.tfa.email.sendVerificationCode``, ``accounts.tfa.email.completeVerification``
  and ``accounts.tfa.finalizeTFA``. The code that would be e-mailed is kept in
  :attr:`RenaultCloudSimulator.sent_codes`. ``tempDevice=false`` remembers the device
  for 30 days; ``tempDevice=true`` only for the login that follows (five minutes).
* ``accounts.getJWT`` returns an HS256 JWT whose ``exp`` is on the wall (or frozen)
  clock, because renault-api compares it with ``time.time()``.
* Kamereon errors are JSON bodies ``{"errors": [{"errorCode", "errorMessage"}]}`` with a
  4xx/5xx status: ``err.func.wired.overloaded`` (429) once an account has made
  ``quota_per_hour`` calls within the last hour (calls refused that way do not count),
  ``err.tech.501`` (501) for an endpoint or command the model lacks, ``err.func.403``
  for another person's account, ``err.func.wired.unauthorized`` for a bad token,
  ``err.func.privacy.on`` for any vehicle request while privacy mode is on,
  ``err.func.wired.low.battery.level`` for air conditioning below 20 % unplugged,
  ``err.func.400`` for soc-levels out of range, ``err.func.wired.notFound`` otherwise.
* A car reports only every ``report_charging_s`` (default 10 min) while charging and
  ``report_parked_s`` (60 min) otherwise, and 60 s after a command or a plug event. All
  of a car's readings (battery, cockpit, hvac, location, lock) change only at those
  report times; the battery itself is integrated lazily from the clock.
* ``soc-levels`` GET answers a flat body (``socMin``, ``socTarget``,
  ``lastEnergyUpdateTimestamp``): that is where renault-api 0.6.2's ``get_battery_soc``
  reads them. ``ev/settings`` GET is flat too, with ``programs`` at the top, because
  0.6.2's R5 charge start edits ``programs`` in the body it read.
* Fault injection: :meth:`RenaultCloudSimulator.fail` makes the next call(s) to an
  endpoint answer a server error, a non-JSON page or a Kamereon error code;
  :attr:`RenaultCloudSimulator.delay_s` slows every answer. :attr:`calls` counts every
  request per endpoint.

Run standalone with ``python -m simulators.renault_cloud --port 8081``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, deque
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import itertools
import json
import logging
import secrets
import time
from typing import Any, Final, Self

from aiohttp import web
import jwt

from .battery import Battery
from .clock import Clock, WallClock

_LOGGER = logging.getLogger(__name__)

GIGYA_API_KEY: Final = "3_simulated-gigya-api-key"
KAMEREON_API_KEY: Final = "simulated-kamereon-api-key"
DEFAULT_EMAIL: Final = "driver@example.com"
DEFAULT_PASSWORD: Final = "correct-horse-battery"

JWT_LIFETIME_S: Final = 900
REMEMBER_DEVICE_S: Final = 30 * 86400
TEMP_DEVICE_S: Final = 300
COMMAND_REPORT_DELAY_S: Final = 60.0
HVAC_RUN_S: Final = 15 * 60
HVAC_MIN_SOC_PCT: Final = 20.0
_STEP_S: Final = 60.0

# Gigya error codes.
GIGYA_INVALID_PARAMETER: Final = 400006
GIGYA_INVALID_API_KEY: Final = 400093
GIGYA_INVALID_LOGIN: Final = 403042
GIGYA_UNAUTHORIZED_USER: Final = 403005
GIGYA_PENDING_TFA: Final = 403101

# Kamereon error codes and the HTTP status they come with.
ERR_QUOTA: Final = "err.func.wired.overloaded"
ERR_NOT_SUPPORTED: Final = "err.tech.501"
ERR_ACCESS_DENIED: Final = "err.func.403"
ERR_UNAUTHORIZED: Final = "err.func.wired.unauthorized"
ERR_NOT_FOUND: Final = "err.func.wired.notFound"
ERR_INVALID_INPUT: Final = "err.func.400"
ERR_PRIVACY: Final = "err.func.privacy.on"
ERR_LOW_BATTERY: Final = "err.func.wired.low.battery.level"
ERR_CHARGE_MODE_IN_PROGRESS: Final = "409001"
_ERROR_STATUS: Final = {
    ERR_QUOTA: 429,
    ERR_NOT_SUPPORTED: 501,
    ERR_ACCESS_DENIED: 403,
    ERR_UNAUTHORIZED: 401,
    ERR_NOT_FOUND: 404,
    ERR_INVALID_INPUT: 400,
    ERR_PRIVACY: 409,
    ERR_LOW_BATTERY: 409,
    ERR_CHARGE_MODE_IN_PROGRESS: 409,
}
_ERROR_MESSAGES: Final = {
    ERR_QUOTA: "You have reached your quota limit",
    ERR_NOT_SUPPORTED: json.dumps(
        {
            "errors": [
                {
                    "status": "501",
                    "code": "error.internal",
                    "detail": "This feature is not technically supported by this gateway",
                }
            ]
        }
    ),
    ERR_ACCESS_DENIED: "Access is denied for this resource",
    ERR_UNAUTHORIZED: "The access is unauthorized",
    ERR_NOT_FOUND: "Not Found",
    ERR_INVALID_INPUT: "Invalid input",
    ERR_PRIVACY: "Privacy mode is on",
    ERR_LOW_BATTERY: "The battery level is too low",
    ERR_CHARGE_MODE_IN_PROGRESS: "A charge mode change is already in progress",
}

# Kamereon endpoint names used for counters, support lists and faults. GETs are named
# after their path; actions add what they do (``actions/charging-start:stop``); KCM
# paths start with ``kcm:``.
BATTERY_STATUS: Final = "battery-status"
COCKPIT: Final = "cockpit"
HVAC_STATUS: Final = "hvac-status"
LOCATION: Final = "location"
CHARGE_MODE: Final = "charge-mode"
CHARGING_SETTINGS: Final = "charging-settings"
RES_STATE: Final = "res-state"
LOCK_STATUS: Final = "lock-status"
HVAC_SETTINGS: Final = "hvac-settings"
SOC_LEVELS: Final = "kcm:ev/soc-levels"
EV_SETTINGS: Final = "kcm:ev/settings"
SET_CHARGE_MODE: Final = "actions/charge-mode"
SET_CHARGE_SCHEDULE: Final = "actions/charge-schedule"
CHARGE_START: Final = "actions/charging-start:start"
CHARGE_STOP: Final = "actions/charging-start:stop"
KCM_CHARGE_START: Final = "kcm:charge/start"
KCM_PAUSE: Final = "kcm:charge/pause-resume:pause"
KCM_RESUME: Final = "kcm:charge/pause-resume:resume"
HVAC_START: Final = "actions/hvac-start:start"
HVAC_CANCEL: Final = "actions/hvac-start:cancel"
HVAC_STOP: Final = "actions/hvac-start:stop"
HORN: Final = "actions/horn-lights:horn"
LIGHTS: Final = "actions/horn-lights:lights"

_KCA_GET: Final = {
    BATTERY_STATUS: 2,
    COCKPIT: 1,
    HVAC_STATUS: 1,
    LOCATION: 1,
    CHARGE_MODE: 1,
    CHARGING_SETTINGS: 1,
    RES_STATE: 1,
    LOCK_STATUS: 1,
    HVAC_SETTINGS: 1,
}
_KCA_ACTIONS: Final = {
    "actions/charge-mode",
    "actions/charge-schedule",
    "actions/charging-start",
    "actions/hvac-start",
    "actions/horn-lights",
}

_COMMON: Final = frozenset({BATTERY_STATUS, COCKPIT, HVAC_STATUS})


@dataclass(frozen=True, kw_only=True, slots=True)
class ModelProfile:
    """What a model is and which of the cloud's endpoints it answers."""

    code: str
    label: str
    brand: str
    capacity_kwh: float
    max_ac_power_w: float
    km_per_kwh: float
    endpoints: frozenset[str]
    # ZOE phase 1 reports chargingInstantaneousPower in W, every other model in kW.
    power_in_watts: bool = False
    # Optional battery-status fields this model sends.
    battery_fields: frozenset[str] = frozenset({"temperature", "energy", "power"})


ZOE_PH1: Final = ModelProfile(
    code="X101VE",
    label="ZOE",
    brand="RENAULT",
    capacity_kwh=41.0,
    max_ac_power_w=22000.0,
    km_per_kwh=7.3,
    power_in_watts=True,
    endpoints=_COMMON
    | {CHARGE_MODE, CHARGING_SETTINGS, SET_CHARGE_MODE, CHARGE_START, CHARGE_STOP}
    | {HVAC_START, HVAC_CANCEL},
)
ZOE_PH2: Final = ModelProfile(
    code="X102VE",
    label="ZOE",
    brand="RENAULT",
    capacity_kwh=52.0,
    max_ac_power_w=22000.0,
    km_per_kwh=7.4,
    endpoints=_COMMON
    | {LOCATION, CHARGING_SETTINGS, HVAC_SETTINGS, CHARGE_START, KCM_PAUSE, KCM_RESUME}
    | {HVAC_START, HVAC_CANCEL},
)
MEGANE_E_TECH: Final = ModelProfile(
    code="XCB1VE",
    label="MEGANE E-TECH",
    brand="RENAULT",
    capacity_kwh=60.0,
    max_ac_power_w=22000.0,
    km_per_kwh=7.0,
    battery_fields=frozenset({"energy", "power"}),
    endpoints=_COMMON
    | {LOCATION, CHARGING_SETTINGS, HVAC_SETTINGS, SOC_LEVELS, KCM_CHARGE_START}
    | {HVAC_START, HVAC_STOP, HORN, LIGHTS},
)
R5_E_TECH: Final = ModelProfile(
    code="R5E1VE",
    label="R5 E-TECH",
    brand="RENAULT",
    capacity_kwh=52.0,
    max_ac_power_w=11000.0,
    km_per_kwh=7.8,
    battery_fields=frozenset(),
    endpoints=_COMMON
    | {LOCATION, HVAC_SETTINGS, SOC_LEVELS, EV_SETTINGS}
    | {HVAC_START, HVAC_STOP, HORN, LIGHTS},
)
SPRING: Final = ModelProfile(
    code="XBG1VE",
    label="SPRING",
    brand="DACIA",
    capacity_kwh=26.8,
    max_ac_power_w=6600.0,
    km_per_kwh=8.5,
    endpoints=_COMMON | {LOCATION, KCM_PAUSE, KCM_RESUME, HVAC_START, HVAC_STOP},
)
TWINGO_ELECTRIC: Final = ModelProfile(
    code="X071VE",
    label="TWINGO III",
    brand="RENAULT",
    capacity_kwh=22.0,
    max_ac_power_w=22000.0,
    km_per_kwh=8.2,
    # No stop and no levels of its own: only its charge schedule can hold a charge.
    endpoints=_COMMON
    | {LOCATION, CHARGING_SETTINGS, HVAC_SETTINGS, CHARGE_START}
    | {SET_CHARGE_MODE, SET_CHARGE_SCHEDULE}
    | {HVAC_START, HVAC_CANCEL},
)
PROFILES: Final = (ZOE_PH1, ZOE_PH2, MEGANE_E_TECH, R5_E_TECH, SPRING, TWINGO_ELECTRIC)


class KamereonError(Exception):
    """Raised inside a handler to answer a Kamereon error body."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message or _ERROR_MESSAGES.get(code, code)


@dataclass(slots=True)
class _Fault:
    endpoint: str
    kind: str
    times: int


@dataclass(slots=True)
class SimUser:
    """A Gigya identity: what the user types, and the Kamereon person behind it."""

    email: str
    password: str
    person_id: str
    two_factor: bool = False
    tfa_emails: tuple[str, ...] = ()
    account_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SimAccount:
    """A Kamereon account (MyRenault, MyDacia) and its cars."""

    account_id: str
    account_type: str
    person_id: str
    vins: list[str] = field(default_factory=list)
    recent_calls: deque[float] = field(default_factory=deque)


class SimVehicle:
    """One car: its battery, what it is doing, and what it last reported."""

    def __init__(
        self,
        sim: RenaultCloudSimulator,
        *,
        vin: str,
        profile: ModelProfile,
        battery: Battery,
        integrate: bool,
    ) -> None:
        self._sim = sim
        self.vin = vin
        self.profile = profile
        self.battery = battery
        # False when another simulator (the Quasar) drives this battery: the cloud
        # then only reports its SoC.
        self.integrate = integrate
        self.plugged = False
        self.wants_charge = False
        self.started_now = False
        self.charge_mode = "always"
        # Kamereon charge schedules, as the app writes them: in "schedule_mode" the car
        # charges only inside an activated schedule's window (times in UTC).
        self.schedules: list[dict[str, Any]] = []
        # "Charge now" from the app overrides the schedule until the cable or the
        # settings change.
        self.started_now = False
        self.evse_power_w = 7400.0
        self.soc_min = 20
        self.soc_target = 80
        self.hvac_on = False
        self.hvac_until = 0.0
        self.hvac_target_c = 21.0
        self.outside_c = 12.0
        self.latitude = 48.8566
        self.longitude = 2.3522
        self.mileage_km = 12345.0
        self.locked = True
        self.privacy = False
        self.programs_active = True
        self.power_w = 0.0
        now = sim.clock.now()
        self._integrated_at = now
        self._last_report = now
        self._pending_report: float | None = None
        self.report: dict[str, Any] = {}
        self.report_at = sim.wall(now)
        self._take_report(now)

    # --- physics ---------------------------------------------------------------------

    @property
    def target_reached(self) -> bool:
        """Whether the car's own limit stops the charge (models with soc-levels)."""
        return (
            SOC_LEVELS in self.profile.endpoints
            and self.battery.soc_pct >= self.soc_target - 1e-9
        )

    @property
    def charging(self) -> bool:
        """Whether energy flows into the car right now."""
        return (
            self.plugged
            and self.wants_charge
            and self.evse_power_w > 0
            and not self.battery.full
            and not self.target_reached
            and self.schedule_allows(self._integrated_at)
        )

    def schedule_allows(self, t: float) -> bool:
        """Whether the charge mode lets the car charge at ``t`` (a clock time)."""
        if self.charge_mode != "schedule_mode" or self.started_now:
            return True
        at = self._sim.wall(t)
        for schedule in self.schedules:
            if not schedule.get("activated"):
                continue
            # A window may start the day before and run past midnight.
            for days_back in (0, 1):
                day = at - timedelta(days=days_back)
                window = schedule.get(_WEEKDAYS[day.weekday()])
                if not window:
                    continue
                hour, minute = _schedule_time(str(window["startTime"]))
                start = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
                if start <= at < start + timedelta(minutes=int(window["duration"])):
                    return True
        return False

    def _integrate_to(self, t: float) -> None:
        if t <= self._integrated_at:
            return
        if self.hvac_on and t >= self.hvac_until:
            self.hvac_on = False
        if not self.integrate:
            self._integrated_at = t
            return
        while self._integrated_at < t:
            dt = min(_STEP_S, t - self._integrated_at)
            if self.charging:
                self.power_w = min(self.evse_power_w, self.battery.max_charge_power_w())
                self.battery.apply(self.power_w, dt)
                if self.target_reached:
                    self.battery.soc_pct = max(
                        float(self.soc_target), min(self.battery.soc_pct, 100.0)
                    )
            else:
                self.power_w = 0.0
            self._integrated_at += dt
        if not self.charging:
            self.power_w = 0.0

    def advance(self, now: float) -> None:
        """Integrate up to ``now``, taking every report that fell due on the way."""
        while True:
            interval = (
                self._sim.report_charging_s
                if self.charging
                else self._sim.report_parked_s
            )
            due = self._last_report + interval
            if self._pending_report is not None:
                due = min(due, self._pending_report)
            if due > now:
                break
            self._integrate_to(due)
            self._take_report(due)
        self._integrate_to(now)

    def report_soon(self) -> None:
        """Make the car send a report a minute from now (after a command or a plug)."""
        self._pending_report = self._sim.clock.now() + COMMAND_REPORT_DELAY_S

    def _charging_status(self) -> float:
        if not self.plugged:
            return 0.0
        if self.charging:
            return 1.0
        if self.battery.full or self.target_reached:
            return 0.2
        if self.wants_charge and self.evse_power_w <= 0:
            return 0.3
        if self.charge_mode == "schedule_mode" and not self.schedule_allows(
            self._integrated_at
        ):
            return 0.1
        return 0.0

    def _take_report(self, t: float) -> None:
        self._last_report = t
        self._pending_report = None
        at = self._sim.wall(t)
        self.report_at = at
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        soc = self.battery.soc_pct
        charging = self.charging
        power_w = (
            min(self.evse_power_w, self.battery.max_charge_power_w())
            if charging
            else 0.0
        )
        battery: dict[str, Any] = {
            "timestamp": stamp,
            "batteryLevel": round(soc),
            "batteryAutonomy": round(
                soc / 100 * self.profile.capacity_kwh * self.profile.km_per_kwh
            ),
            "plugStatus": 1 if self.plugged else 0,
            "chargingStatus": self._charging_status(),
            "chargingRemainingTime": self._remaining_min(power_w) if charging else 0,
        }
        fields = self.profile.battery_fields
        if "temperature" in fields:
            battery["batteryTemperature"] = 20
        if "energy" in fields:
            battery["batteryCapacity"] = 0
            battery["batteryAvailableEnergy"] = round(self.battery.energy_kwh)
        if "power" in fields:
            battery["chargingInstantaneousPower"] = (
                round(power_w)
                if self.profile.power_in_watts
                else round(power_w / 1000, 1)
            )
        self.report = {
            BATTERY_STATUS: battery,
            COCKPIT: {"totalMileage": self.mileage_km},
            HVAC_STATUS: {
                "externalTemperature": self.outside_c,
                "hvacStatus": "on" if self.hvac_on else "off",
                "socThreshold": 40.0,
                "lastUpdateTime": stamp,
            },
            LOCATION: {
                "gpsLatitude": self.latitude,
                "gpsLongitude": self.longitude,
                "lastUpdateTime": stamp,
            },
            LOCK_STATUS: {
                "lockStatus": "locked" if self.locked else "unlocked",
                "doorStatusDriver": "closed",
                "doorStatusPassenger": "closed",
                "doorStatusRearLeft": "closed",
                "doorStatusRearRight": "closed",
                "hatchStatus": "closed",
                "lastUpdateTime": stamp,
            },
        }

    def _remaining_min(self, power_w: float) -> int:
        if power_w <= 0:
            return 0
        limit = self.soc_target if SOC_LEVELS in self.profile.endpoints else 100
        missing_kwh = max(0.0, (limit - self.battery.soc_pct) / 100) * (
            self.battery.capacity_kwh
        )
        hours = missing_kwh / (power_w * self.battery.charge_efficiency / 1000)
        return round(hours * 60)

    # --- test hooks ------------------------------------------------------------------

    def plug(self) -> None:
        """Plug the cable in: the car charges at once, or in its schedule's windows."""
        self.advance(self._sim.clock.now())
        self.plugged = True
        self.wants_charge = True
        self.started_now = False
        self._restart_cadence()
        self.report_soon()

    def unplug(self) -> None:
        """Pull the cable out."""
        self.advance(self._sim.clock.now())
        self.plugged = False
        self.wants_charge = False
        self._restart_cadence()
        self.report_soon()

    def _restart_cadence(self) -> None:
        # A car counts its reporting cadence from the report it sends after the cable
        # moves; counted from the last parked report, a report stamped before the
        # plug-in would already say "charging".
        self._last_report = self._sim.clock.now()


class RenaultCloudSimulator:
    """Gigya and Kamereon on one loopback port; see the module docstring."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        start_time: datetime | None = None,
        quota_per_hour: int | None = 60,
        report_charging_s: float = 600.0,
        report_parked_s: float = 3600.0,
    ) -> None:
        self.clock: Clock = clock or WallClock()
        self._clock_origin = self.clock.now()
        self._time_origin = (start_time or datetime.now(UTC)).replace(microsecond=0)
        self.quota_per_hour = quota_per_hour
        self.report_charging_s = report_charging_s
        self.report_parked_s = report_parked_s
        self.delay_s = 0.0
        self.calls: Counter[str] = Counter()
        self.sent_codes: list[str] = []
        self.users: dict[str, SimUser] = {}
        self.accounts: dict[str, SimAccount] = {}
        self.vehicles: dict[str, SimVehicle] = {}
        self._faults: list[_Fault] = []
        self._ids = itertools.count(1)
        self._secret = secrets.token_hex(16)
        self._login_tokens: dict[str, str] = {}  # token -> person id
        self._reg_tokens: dict[str, str] = {}  # regToken -> email
        self._assertions: dict[str, str] = {}  # gigyaAssertion -> regToken
        self._phv: dict[str, tuple[str, str]] = {}  # phvToken -> (assertion, code)
        self._providers: dict[str, str] = {}  # providerAssertion -> assertion
        self._devices: dict[tuple[str, str], float] = {}  # (email, gmid) -> until
        self._revoked_before = 0.0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- set-up ----------------------------------------------------------------------

    def wall(self, t: float) -> datetime:
        """Return the datetime (UTC) of a clock reading."""
        return self._time_origin + timedelta(seconds=t - self._clock_origin)

    def now(self) -> datetime:
        """Return the simulator's current time as a datetime (UTC)."""
        return self.wall(self.clock.now())

    def add_user(
        self,
        email: str,
        password: str,
        *,
        two_factor: bool = False,
        tfa_emails: tuple[str, ...] | None = None,
    ) -> SimUser:
        """Create a Gigya login and its Kamereon person."""
        user = SimUser(
            email=email,
            password=password,
            person_id=f"person-{next(self._ids)}",
            two_factor=two_factor,
            tfa_emails=tfa_emails if tfa_emails is not None else (email,),
        )
        self.users[email] = user
        return user

    def add_account(
        self, user: SimUser, *, account_type: str = "MYRENAULT", account_id: str = ""
    ) -> SimAccount:
        """Give a person another Kamereon account."""
        account = SimAccount(
            account_id=account_id or f"account-{next(self._ids)}",
            account_type=account_type,
            person_id=user.person_id,
        )
        self.accounts[account.account_id] = account
        user.account_ids.append(account.account_id)
        return account

    def add_vehicle(
        self,
        account: SimAccount,
        profile: ModelProfile,
        *,
        vin: str = "",
        soc_pct: float = 50.0,
        battery: Battery | None = None,
        integrate: bool = True,
    ) -> SimVehicle:
        """Put a car in an account; pass ``battery`` to share one with the Quasar."""
        vin = vin or f"VF1{profile.code}{next(self._ids):08d}"[:17]
        vehicle = SimVehicle(
            self,
            vin=vin,
            profile=profile,
            battery=battery
            or Battery(
                profile.capacity_kwh, soc_pct, max_ac_power_w=profile.max_ac_power_w
            ),
            integrate=integrate,
        )
        self.vehicles[vin] = vehicle
        account.vins.append(vin)
        return vehicle

    def add_default_fleet(self) -> SimUser:
        """One user, a MyRenault and a MyDacia account, one car of every profile."""
        user = self.add_user(DEFAULT_EMAIL, DEFAULT_PASSWORD)
        renault = self.add_account(user, account_type="MYRENAULT")
        dacia = self.add_account(user, account_type="MYDACIA")
        for profile in PROFILES:
            self.add_vehicle(dacia if profile.brand == "DACIA" else renault, profile)
        return user

    def fail(self, endpoint: str, kind: str, *, times: int = 1) -> None:
        """Make the next ``times`` calls to ``endpoint`` fail.

        ``kind`` is ``"server_error"`` (HTTP 500 with an empty JSON-less body),
        ``"non_json"`` (HTTP 502 with an HTML page), or a Kamereon error code such as
        ``"err.func.privacy.on"``. ``endpoint`` is a counter name (``"battery-status"``,
        ``"accounts.login"``, ``"actions/charging-start:stop"``...) or ``"*"``.
        """
        self._faults.append(_Fault(endpoint, kind, times))

    def revoke_tokens(self) -> None:
        """Invalidate every login token and JWT issued so far (a password change)."""
        self._login_tokens.clear()
        self._revoked_before = time.time() + 1

    def step(self) -> None:
        """Bring every car up to the clock (reports due are taken)."""
        now = self.clock.now()
        for vehicle in self.vehicles.values():
            vehicle.advance(now)

    @property
    def total_calls(self) -> int:
        """How many requests the simulator answered, all endpoints together."""
        return sum(self.calls.values())

    # --- server ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the simulator listens on (after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("simulator not started")
        return self._port

    @property
    def gigya_url(self) -> str:
        """Gigya's root URL."""
        return f"http://127.0.0.1:{self.port}/gigya"

    @property
    def kamereon_url(self) -> str:
        """Kamereon's root URL."""
        return f"http://127.0.0.1:{self.port}/kamereon"

    @property
    def locale_details(self) -> dict[str, str]:
        """What renault-api's ``locale_details`` needs to reach this simulator."""
        return {
            "gigya-root-url": self.gigya_url,
            "gigya-api-key": GIGYA_API_KEY,
            "kamereon-root-url": self.kamereon_url,
            "kamereon-api-key": KAMEREON_API_KEY,
        }

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (0 picks a free port); return the port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp exposes no public accessor
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self._port = int(sockets[0].getsockname()[1])
        return self._port

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start on an ephemeral loopback port."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop."""
        await self.stop()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.delay_s > 0:
            await asyncio.sleep(self.delay_s)
        path = request.path
        if path.startswith("/gigya/"):
            name = path.removeprefix("/gigya/")
            return await self._gigya(name, request)
        if path.startswith("/kamereon/"):
            return await self._kamereon(path.removeprefix("/kamereon/"), request)
        return web.Response(status=404, text="not found")

    def _take_fault(self, endpoint: str) -> web.Response | None:
        for fault in self._faults:
            if fault.endpoint in (endpoint, "*") and fault.times > 0:
                fault.times -= 1
                if fault.kind == "server_error":
                    return web.Response(status=500, text="Internal Server Error")
                if fault.kind == "non_json":
                    return web.Response(
                        status=502,
                        text="<html><body><h1>502 Bad Gateway</h1></body></html>",
                        content_type="text/html",
                    )
                return _kamereon_error(KamereonError(fault.kind))
        return None

    # --- Gigya -----------------------------------------------------------------------

    async def _gigya(self, name: str, request: web.Request) -> web.Response:
        self.calls[name] += 1
        if (fault := self._take_fault(name)) is not None:
            return fault
        params: dict[str, str] = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        api_key = params.get("ApiKey") or params.get("APIKey")
        if api_key != GIGYA_API_KEY:
            return _gigya_error(GIGYA_INVALID_API_KEY, "Invalid ApiKey parameter")
        handler = {
            "accounts.login": self._gigya_login,
            "accounts.getAccountInfo": self._gigya_account_info,
            "accounts.getJWT": self._gigya_jwt,
            "accounts.webSdkBootstrap": self._gigya_bootstrap,
            "accounts.tfa.initTFA": self._gigya_tfa_init,
            "accounts.tfa.email.getEmails": self._gigya_tfa_emails,
            "accounts.tfa.email.sendVerificationCode": self._gigya_tfa_send,
            "accounts.tfa.email.completeVerification": self._gigya_tfa_verify,
            "accounts.tfa.finalizeTFA": self._gigya_tfa_finalize,
        }.get(name)
        if handler is None:
            return _gigya_error(400001, f"Unknown method {name}")
        return handler(params, request.cookies)

    def _gigya_login(self, params: dict[str, str], cookies: Any) -> web.Response:
        user = self.users.get(params.get("loginID", ""))
        if user is None or user.password != params.get("password"):
            return _gigya_error(GIGYA_INVALID_LOGIN, "Invalid LoginID")
        if user.two_factor:
            until = self._devices.get((user.email, cookies.get("gmid", "")), 0.0)
            if until <= self.clock.now():
                reg_token = secrets.token_hex(12)
                self._reg_tokens[reg_token] = user.email
                return _gigya_error(
                    GIGYA_PENDING_TFA,
                    "Pending Two-Factor Authentication",
                    regToken=reg_token,
                )
        token = f"glt-{secrets.token_hex(16)}"
        self._login_tokens[token] = user.person_id
        return _gigya_ok(sessionInfo={"cookieName": "glt_sim", "cookieValue": token})

    def _person_of(self, params: dict[str, str]) -> str | None:
        return self._login_tokens.get(params.get("login_token", ""))

    def _gigya_account_info(self, params: dict[str, str], cookies: Any) -> web.Response:
        person_id = self._person_of(params)
        if person_id is None:
            return _gigya_error(GIGYA_UNAUTHORIZED_USER, "Unauthorized user")
        return _gigya_ok(data={"personId": person_id, "gigyaDataCenter": "eu1"})

    def _gigya_jwt(self, params: dict[str, str], cookies: Any) -> web.Response:
        person_id = self._person_of(params)
        if person_id is None:
            return _gigya_error(GIGYA_UNAUTHORIZED_USER, "Unauthorized user")
        issued = time.time()
        token = jwt.encode(
            {
                "iss": "simulated-gigya",
                "sub": person_id,
                "iat": int(issued),
                "exp": int(issued) + JWT_LIFETIME_S,
                "data.personId": person_id,
            },
            self._secret,
            algorithm="HS256",
        )
        return _gigya_ok(id_token=token)

    def _gigya_bootstrap(self, params: dict[str, str], cookies: Any) -> web.Response:
        response = _gigya_ok()
        response.set_cookie("gmid", f"gmid.{secrets.token_hex(8)}")
        response.set_cookie("ucid", f"ucid.{secrets.token_hex(8)}")
        return response

    def _gigya_tfa_init(self, params: dict[str, str], cookies: Any) -> web.Response:
        reg_token = params.get("regToken", "")
        if reg_token not in self._reg_tokens or params.get("provider") != "gigyaEmail":
            return _gigya_error(GIGYA_INVALID_PARAMETER, "Invalid regToken")
        assertion = f"assertion-{secrets.token_hex(8)}"
        self._assertions[assertion] = reg_token
        return _gigya_ok(gigyaAssertion=assertion)

    def _tfa_user(self, params: dict[str, str]) -> SimUser | None:
        reg_token = self._assertions.get(params.get("gigyaAssertion", ""))
        email = self._reg_tokens.get(reg_token or "")
        return self.users.get(email or "")

    def _gigya_tfa_emails(self, params: dict[str, str], cookies: Any) -> web.Response:
        user = self._tfa_user(params)
        if user is None:
            return _gigya_error(GIGYA_INVALID_PARAMETER, "Invalid gigyaAssertion")
        emails = [
            {"id": f"email-{i}", "obfuscated": _obfuscate(address)}
            for i, address in enumerate(user.tfa_emails)
        ]
        return _gigya_ok(emails=emails)

    def _gigya_tfa_send(self, params: dict[str, str], cookies: Any) -> web.Response:
        user = self._tfa_user(params)
        if user is None or not params.get("emailID", "").startswith("email-"):
            return _gigya_error(GIGYA_INVALID_PARAMETER, "Invalid parameter")
        code = f"{secrets.randbelow(1_000_000):06d}"
        self.sent_codes.append(code)
        phv = f"phv-{secrets.token_hex(8)}"
        self._phv[phv] = (params["gigyaAssertion"], code)
        return _gigya_ok(phvToken=phv)

    def _gigya_tfa_verify(self, params: dict[str, str], cookies: Any) -> web.Response:
        assertion, code = self._phv.get(params.get("phvToken", ""), ("", ""))
        if not code or assertion != params.get("gigyaAssertion"):
            return _gigya_error(GIGYA_INVALID_PARAMETER, "Invalid phvToken")
        if params.get("code") != code:
            return _gigya_error(GIGYA_INVALID_PARAMETER, "Invalid parameter value")
        provider = f"provider-{secrets.token_hex(8)}"
        self._providers[provider] = assertion
        return _gigya_ok(providerAssertion=provider)

    def _gigya_tfa_finalize(self, params: dict[str, str], cookies: Any) -> web.Response:
        assertion = self._providers.get(params.get("providerAssertion", ""))
        reg_token = params.get("regToken", "")
        if assertion is None or self._assertions.get(assertion) != reg_token:
            return _gigya_error(GIGYA_INVALID_PARAMETER, "Invalid providerAssertion")
        gmid = cookies.get("gmid", "")
        email = self._reg_tokens.pop(reg_token)
        remember = params.get("tempDevice") == "false"
        span = REMEMBER_DEVICE_S if remember else TEMP_DEVICE_S
        self._devices[(email, gmid)] = self.clock.now() + span
        return _gigya_ok()

    # --- Kamereon --------------------------------------------------------------------

    async def _kamereon(self, path: str, request: web.Request) -> web.Response:
        parts = [p for p in path.split("/") if p]
        endpoint = "unknown"
        try:
            body: dict[str, Any] = {}
            if request.method == "POST":
                body = await request.json()
            endpoint, account_id, vin = _route(parts, request.method, body)
            self.calls[endpoint] += 1
            if (fault := self._take_fault(endpoint)) is not None:
                return fault
            person_id = self._check_token(request)
            if endpoint == "persons":
                return self._persons(person_id, parts[-1])
            account = self._check_account(person_id, account_id)
            self._spend_quota(account)
            if endpoint == "vehicles":
                return _json(self._vehicles_body(account))
            return self._vehicle_call(endpoint, account, vin, request.method, body)
        except KamereonError as err:
            if endpoint == "unknown":
                self.calls[endpoint] += 1
            return _kamereon_error(err)

    def _check_token(self, request: web.Request) -> str:
        if request.headers.get("apikey") != KAMEREON_API_KEY:
            raise KamereonError(ERR_UNAUTHORIZED, "Invalid apikey")
        try:
            claims = jwt.decode(
                request.headers.get("x-gigya-id_token", ""),
                self._secret,
                algorithms=["HS256"],
            )
        except jwt.PyJWTError as err:
            raise KamereonError(ERR_UNAUTHORIZED) from err
        if claims.get("iat", 0) < self._revoked_before:
            raise KamereonError(ERR_UNAUTHORIZED)
        return str(claims["sub"])

    def _check_account(self, person_id: str, account_id: str) -> SimAccount:
        account = self.accounts.get(account_id)
        if account is None or account.person_id != person_id:
            raise KamereonError(ERR_ACCESS_DENIED)
        return account

    def _spend_quota(self, account: SimAccount) -> None:
        if self.quota_per_hour is None:
            return
        now = self.clock.now()
        recent = account.recent_calls
        while recent and recent[0] <= now - 3600:
            recent.popleft()
        if len(recent) >= self.quota_per_hour:
            raise KamereonError(ERR_QUOTA)
        recent.append(now)

    def _persons(self, person_id: str, asked: str) -> web.Response:
        if asked != person_id:
            raise KamereonError(ERR_ACCESS_DENIED)
        user = next(u for u in self.users.values() if u.person_id == person_id)
        return _json(
            {
                "personId": person_id,
                "type": "I",
                "country": "FR",
                "firstName": "Sim",
                "lastName": "Driver",
                "accounts": [
                    {
                        "accountId": a,
                        "accountType": self.accounts[a].account_type,
                        "accountStatus": "ACTIVE",
                        "country": "FR",
                        "personId": person_id,
                        "relationType": "OWNER",
                    }
                    for a in user.account_ids
                ],
            }
        )

    def _vehicles_body(self, account: SimAccount) -> dict[str, Any]:
        return {
            "accountId": account.account_id,
            "country": "FR",
            "vehicleLinks": [
                {
                    "brand": self.vehicles[vin].profile.brand,
                    "vin": vin,
                    "status": "ACTIVE",
                    "linkType": "OWNER",
                    "vehicleDetails": self._details(self.vehicles[vin]),
                }
                for vin in account.vins
            ],
        }

    @staticmethod
    def _details(vehicle: SimVehicle) -> dict[str, Any]:
        profile = vehicle.profile
        return {
            "vin": vehicle.vin,
            "registrationNumber": f"SIM-{vehicle.vin[-3:]}",
            "brand": {"label": profile.brand},
            "model": {"code": profile.code, "label": profile.label, "group": "971"},
            "energy": {"code": "ELEC", "label": "ELECTRIQUE", "group": "019"},
            "battery": {"code": f"{round(profile.capacity_kwh):03d}KWH"},
            "engineEnergyType": "ELEC",
            "assets": [],
        }

    def _vehicle_call(
        self,
        endpoint: str,
        account: SimAccount,
        vin: str,
        method: str,
        body: dict[str, Any],
    ) -> web.Response:
        if vin not in account.vins:
            raise KamereonError(ERR_ACCESS_DENIED)
        vehicle = self.vehicles[vin]
        if endpoint == "details":
            return _json(self._details(vehicle))
        vehicle.advance(self.clock.now())
        if endpoint not in vehicle.profile.endpoints:
            raise KamereonError(ERR_NOT_SUPPORTED)
        if vehicle.privacy:
            raise KamereonError(ERR_PRIVACY)
        if endpoint in vehicle.report:
            return _data(vin, vehicle.report[endpoint])
        getter = _GETTERS.get(endpoint)
        if getter is not None and method == "GET":
            return getter(self, vehicle)
        return self._action(endpoint, vehicle, body)

    def _charge_mode(self, vehicle: SimVehicle) -> web.Response:
        return _data(vehicle.vin, {"chargeMode": vehicle.charge_mode})

    def _charging_settings(self, vehicle: SimVehicle) -> web.Response:
        mode = "always" if vehicle.charge_mode == "always" else "scheduled"
        return _data(vehicle.vin, {"mode": mode, "schedules": vehicle.schedules})

    def _res_state(self, vehicle: SimVehicle) -> web.Response:
        return _data(vehicle.vin, {"details": "-", "code": "0"})

    def _hvac_settings(self, vehicle: SimVehicle) -> web.Response:
        return _data(vehicle.vin, {"mode": "scheduled", "schedules": []})

    def _soc_levels(self, vehicle: SimVehicle) -> web.Response:
        stamp = vehicle.report_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return _json(
            {
                "lastEnergyUpdateTimestamp": stamp,
                "socMin": vehicle.soc_min,
                "socTarget": vehicle.soc_target,
            }
        )

    def _ev_settings(self, vehicle: SimVehicle) -> web.Response:
        return _json(
            {
                "lastSettingsUpdateTimestamp": self.now().strftime("%Y-%m-%dT%H:%M:%S"),
                "delegatedActivated": False,
                "chargeModeRq": "SCHEDULED" if vehicle.programs_active else "ALWAYS",
                "chargeTimeStart": "22:00",
                "chargeDuration": 480,
                "programs": [
                    {
                        "programActivationStatus": vehicle.programs_active,
                        "programType": "CHARGE",
                        "programDepartureTime": "07:00",
                    }
                ],
            }
        )

    def _action(
        self, endpoint: str, vehicle: SimVehicle, body: dict[str, Any]
    ) -> web.Response:
        attributes = (body.get("data") or {}).get("attributes") or {}
        if endpoint == SOC_LEVELS:  # POST: flat body
            soc_min, target = body.get("socMin"), body.get("socTarget")
            if not (
                isinstance(soc_min, int)
                and isinstance(target, int)
                and 15 <= soc_min <= 45
                and 55 <= target <= 100
                and soc_min % 5 == 0
                and target % 5 == 0
            ):
                raise KamereonError(ERR_INVALID_INPUT, "socMin/socTarget out of range")
            vehicle.soc_min, vehicle.soc_target = soc_min, target
            vehicle.report_soon()
            return _json(
                {
                    "commandId": f"cmd-{next(self._ids)}",
                    "type": "SOC_SYNCH",
                    "status": "CREATED",
                }
            )
        if endpoint == EV_SETTINGS:  # POST: the settings the app read, edited
            programs = body.get("programs") or []
            vehicle.programs_active = any(
                p.get("programActivationStatus") for p in programs
            )
            if not vehicle.programs_active:
                vehicle.wants_charge = True
                vehicle.started_now = True
            vehicle.report_soon()
            return _json(body)
        if endpoint == SET_CHARGE_MODE:
            mode = attributes.get("action")
            if mode in ("always", "always_charging"):
                vehicle.charge_mode = "always"
            elif mode in ("schedule_mode", "scheduled"):
                vehicle.charge_mode = "schedule_mode"
            else:
                raise KamereonError(ERR_INVALID_INPUT, f"unknown charge mode {mode}")
            # In either mode a plugged car wants its charge: at once, or in a window.
            vehicle.wants_charge = vehicle.plugged
            vehicle.started_now = False
        elif endpoint == SET_CHARGE_SCHEDULE:
            vehicle.schedules = _checked_schedules(attributes.get("schedules"))
            vehicle.started_now = False
        elif endpoint in (CHARGE_START, KCM_CHARGE_START, KCM_RESUME):
            vehicle.wants_charge = True
            vehicle.started_now = True
        elif endpoint in (CHARGE_STOP, KCM_PAUSE):
            vehicle.wants_charge = False
        elif endpoint == HVAC_START:
            if not vehicle.plugged and vehicle.battery.soc_pct < HVAC_MIN_SOC_PCT:
                raise KamereonError(ERR_LOW_BATTERY)
            vehicle.hvac_on = True
            vehicle.hvac_until = self.clock.now() + HVAC_RUN_S
            vehicle.hvac_target_c = float(attributes.get("targetTemperature", 21.0))
        elif endpoint in (HVAC_CANCEL, HVAC_STOP):
            vehicle.hvac_on = False
        # Horn and lights change nothing we report.
        vehicle.report_soon()
        return _data(
            vehicle.vin, attributes, type_=(body.get("data") or {}).get("type")
        )


_GETTERS: Final = {
    CHARGE_MODE: RenaultCloudSimulator._charge_mode,  # noqa: SLF001
    CHARGING_SETTINGS: RenaultCloudSimulator._charging_settings,  # noqa: SLF001
    RES_STATE: RenaultCloudSimulator._res_state,  # noqa: SLF001
    HVAC_SETTINGS: RenaultCloudSimulator._hvac_settings,  # noqa: SLF001
    SOC_LEVELS: RenaultCloudSimulator._soc_levels,  # noqa: SLF001
    EV_SETTINGS: RenaultCloudSimulator._ev_settings,  # noqa: SLF001
}


def _route(parts: list[str], method: str, body: dict[str, Any]) -> tuple[str, str, str]:
    """Name a Kamereon path; return (endpoint, account id, vin)."""
    match parts:
        case ["commerce", "v1", *rest]:
            parts = rest
        case _:
            raise KamereonError(ERR_NOT_FOUND)
    match parts:
        case ["persons", _] if method == "GET":
            return "persons", "", ""
        case ["accounts", account_id, "vehicles"] if method == "GET":
            return "vehicles", account_id, ""
        case ["accounts", account_id, "vehicles", vin, "details"] if method == "GET":
            return "details", account_id, vin
        case [
            "accounts",
            account_id,
            "kamereon",
            "kca",
            "car-adapter",
            v,
            "cars",
            vin,
            *rest,
        ]:
            name = "/".join(rest)
            if method == "GET" and _KCA_GET.get(name) == _version(v):
                return name, account_id, vin
            if method == "POST" and name == SET_CHARGE_SCHEDULE and _version(v) == 2:
                return name, account_id, vin
            if method == "POST" and name in _KCA_ACTIONS and _version(v) == 1:
                action = str(
                    ((body.get("data") or {}).get("attributes") or {}).get(
                        "target" if name == "actions/horn-lights" else "action", ""
                    )
                )
                if name == "actions/charge-mode":
                    return name, account_id, vin
                return f"{name}:{action}", account_id, vin
        case ["accounts", account_id, "kamereon", "kcm", "v1", "vehicles", vin, *rest]:
            name = "kcm:" + "/".join(rest)
            if name in (SOC_LEVELS, EV_SETTINGS):
                return name, account_id, vin
            if method == "POST" and name == "kcm:charge/start":
                return name, account_id, vin
            if method == "POST" and name == "kcm:charge/pause-resume":
                what = ((body.get("data") or {}).get("attributes") or {}).get("action")
                return f"{name}:{what}", account_id, vin
    raise KamereonError(ERR_NOT_FOUND)


_WEEKDAYS: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


def _schedule_time(value: str) -> tuple[int, int]:
    """Read Kamereon's "THH:MMZ"; raise KamereonError on anything else."""
    if len(value) != 7 or value[0] != "T" or value[3] != ":" or value[6] != "Z":
        raise KamereonError(ERR_INVALID_INPUT, f"bad startTime {value!r}")
    hour, minute = int(value[1:3]), int(value[4:6])
    if hour > 23 or minute % 15:
        raise KamereonError(ERR_INVALID_INPUT, f"bad startTime {value!r}")
    return hour, minute


def _checked_schedules(raw: object) -> list[dict[str, Any]]:
    """Check schedules the way the car does: quarter hours, 15 min to a day."""
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise KamereonError(ERR_INVALID_INPUT, "schedules must be a list")
    for schedule in raw:
        for day in _WEEKDAYS:
            window = schedule.get(day)
            if window is None:
                continue
            _schedule_time(str(window.get("startTime")))
            duration = window.get("duration")
            if not isinstance(duration, int) or not 15 <= duration <= 1440:
                raise KamereonError(ERR_INVALID_INPUT, f"bad duration {duration!r}")
    return [dict(schedule) for schedule in raw]


def _version(v: str) -> int:
    return int(v[1:]) if v.startswith("v") and v[1:].isdigit() else -1


def _obfuscate(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def _data(
    vin: str, attributes: dict[str, Any], type_: str | None = None
) -> web.Response:
    return _json(
        {"data": {"type": type_ or "Car", "id": vin, "attributes": attributes}}
    )


def _kamereon_error(err: KamereonError) -> web.Response:
    functional = err.code.startswith("err.func") or err.code.isdigit()
    return _json(
        {
            "type": "FUNCTIONAL" if functional else "TECHNICAL",
            "messages": [{"code": err.code, "message": err.message}],
            "errors": [{"errorCode": err.code, "errorMessage": err.message}],
        },
        status=_ERROR_STATUS.get(err.code, 400),
    )


def _gigya_ok(**fields: Any) -> web.Response:
    body = {
        "callId": secrets.token_hex(8),
        "errorCode": 0,
        "apiVersion": 2,
        "statusCode": 200,
        "statusReason": "OK",
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        **fields,
    }
    return _json(body)


def _gigya_error(code: int, details: str, **fields: Any) -> web.Response:
    # Gigya answers HTTP 200 and puts the failure in the body.
    return _json(
        {
            "callId": secrets.token_hex(8),
            "errorCode": code,
            "errorDetails": details,
            "errorMessage": details,
            "apiVersion": 2,
            "statusCode": code // 1000,
            "statusReason": "Forbidden" if code // 1000 == 403 else "Bad Request",
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            **fields,
        }
    )


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.renault_cloud",
        description="Serve a simulated Renault cloud (Gigya + Kamereon) over HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--quota", type=int, default=60, help="calls/hour/account")
    parser.add_argument("--two-factor", action="store_true", help="ask for a code")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    sim = RenaultCloudSimulator(quota_per_hour=args.quota)
    user = sim.add_default_fleet()
    user.two_factor = args.two_factor
    port = await sim.start(args.host, args.port)
    _LOGGER.info("Renault cloud on %s:%d", args.host, port)
    _LOGGER.info("account %s / %s", user.email, user.password)
    _LOGGER.info("locale_details %s", json.dumps(sim.locale_details))
    for vehicle in sim.vehicles.values():
        _LOGGER.info(
            "  %s %s %s", vehicle.vin, vehicle.profile.brand, vehicle.profile.label
        )
    sent = 0
    try:
        while True:
            await asyncio.sleep(1.0)
            sim.step()
            for code in sim.sent_codes[sent:]:
                _LOGGER.info("two-factor code e-mailed: %s", code)
            sent = len(sim.sent_codes)
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
