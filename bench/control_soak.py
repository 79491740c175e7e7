"""Whether the charger obeys whoever commands it, through two days of faults: a soak.

The world, seeded, run once per behaviour of the Quasar's Modbus idle timeout (what
the register does is not settled: the charger hands control back to the Wallbox app,
or it pauses and keeps it; both must be safe):

* A real Home Assistant runs this integration with two entries: a Wallbox Quasar (the
  simulator over Modbus TCP on 127.0.0.1, polled every 30 s, so its idle timeout is
  120 s) and a psa_car_controller server (the simulator over HTTP) with a Peugeot
  e-208, whose smart charging is on (limit 80 %, floor 20 %) and linked to the Quasar.
  The car's battery is the one the Quasar charges and discharges.
* The car leaves every morning (unplugged, then driven 30-150 km) and is back in the
  late afternoon; now and then it is unplugged for a few minutes and plugged again.
* A person acts every 25 minutes on average, as people do: a current for a while or
  until changed (negative: a discharge), a pause, the charging switch, the charge and
  discharge numbers, the control select, "charge now" on the car, its limit and floor,
  smart charging off and on again, the Wallbox app taking the charger. One ask in
  twenty is a mistake (3 A, zero minutes) and is refused.
* Faults at random times, each kind 14 times a day: connections dropped (half of them
  under a command), exception replies for 5-60 s, a reply slower than the client
  waits, writes refused for 10-120 s (the start/stop, the setpoint or the control
  register), reboots, outages of 150-400 s (longer than the idle timeout), and Home
  Assistant reloading an entry or restarting on the same stored data, whatever was
  asked at the time.

Measured after every step, from the bench's own ledger of what the person asked and
what of it still holds, and from the simulator itself (its registers and its power
flow, never through Home Assistant):

* I1 never discharging without a live request: a person's discharge that nothing
  replaced and whose time has not run out; an untimed one does not outlive a gap (a
  reload, a restart, a reboot, an outage), a timed one does while its time remains;
* I2 a hand-back (control to the app) within 60 s of the end of a person's command:
  its time ran out, or its session did (an untimed command ends when the car leaves,
  at once if none was plugged in);
* I3 no person's command overridden before its end: the charger keeps the control,
  the setpoint and the start or stop that were asked (a command that failed leaves
  the charger stopped, and a person's earlier command still theirs), and nothing
  goes around it (the car's cloud told to charge while the person holds its charger
  stopped or discharging);
* I4 no exception escapes: from an action (a refused or failed command raises
  HomeAssistantError, which is what it should do), into the log with a traceback, or
  out of a task;
* I5 nothing set is lost across reloads and restarts: smart charging's settings, who
  holds the charger, and a person's standing command.

Every grace (60 s for I1 and I2, 90 s for I3: a poll, a retry and some slack) counts
only time in which the charger answers and Home Assistant runs; a fault, a reboot,
an outage or a restart stops that clock, and its end starts the grace again. Also
counted: the Modbus requests per simulated hour, and the steps after which Home
Assistant had not settled within a second of real time (an integration that keeps
commanding itself, which no invariant names).

Time is simulated: freezegun jumps from one timer of the integration to the next
(its polls, a command's end, a fail-safe retry), and while Home Assistant only
waits (a reply that does not come within the client's 5 s, pymodbus's pause after a
connect) to the event loop's next timer, so two days take well under a minute and
nothing in the shipped code is changed.

Run: ``python -m bench.control_soak`` (a minute and a half; ``--hours``, ``--seed``);
writes bench/results/control_soak.json.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
import functools
import gc
import heapq
import itertools
import json
import logging
import math
from pathlib import Path
import random
import tempfile
import time
import traceback
from typing import Any, Final, Protocol

import freezegun
from freezegun import freeze_time
from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_URL
from homeassistant.core import HassJob, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, frame
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
from pytest_homeassistant_custom_component import patch_time  # type: ignore[import-untyped]
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
    mock_storage,
)

import custom_components.ev_charge_control  # noqa: F401 - this repository's copy
from custom_components.ev_charge_control.const import (
    CONF_KIND,
    CONF_SCAN_INTERVAL,
    CONF_UNIT_ID,
    CONF_VINS,
    DOMAIN,
    DeviceKind,
    quasar_idle_timeout,
)
from custom_components.ev_charge_control.quasar.coordinator import (
    QuasarCoordinator,
    RemoteIntent,
)
from simulators.psacc import PEUGEOT_E208, PsaccSimulator
from simulators.quasar import IdleBehaviour, QuasarSimulator, QuasarStatus

RESULTS = Path(__file__).parent / "results" / "control_soak.json"

START: Final = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 02:00 in Paris
HOURS: Final = 48.0
SEED: Final = 20260601
TIME_ZONE: Final = "Europe/Paris"

SCAN_INTERVAL_S: Final = 30
IDLE_TIMEOUT_S: Final = quasar_idle_timeout(SCAN_INTERVAL_S)
# The Quasar client waits 5 s for a reply; a slow one comes half a second later.
SLOW_REPLY_S: Final = 5.5

GRACE_I1_S: Final = 60.0
GRACE_I2_S: Final = 60.0
GRACE_I3_S: Final = 90.0

# Time jumps to the next timer that drives the world (a poll, a hold's end, a
# fail-safe retry), taking along those due within COALESCE_S after it, and a little
# past them; at least MIN_STEP_S, at most MAX_STEP_S.
MIN_STEP_S: Final = 0.1
STEP_SLACK_S: Final = 0.05
MAX_STEP_S: Final = 60.0
COALESCE_S: Final = 5.0
# Settings are compared this long after a reload or restart has set both entries up.
SURVIVORS_AFTER_S: Final = 60.0
# Real seconds Home Assistant gets to finish what a step started.
SETTLE_REAL_S: Final = 1.0
# While Home Assistant only waits (a reply that is late, a pause after a connect),
# time jumps to the loop's next timer once the loop has been idle this many turns,
# by at most this much per wait.
IDLE_TURNS: Final = 3
MAX_JUMP_S: Final = 6.0

SERIAL: Final = "123456"
CHARGER_TITLE: Final = f"Wallbox Quasar {SERIAL}"
QUASAR_ENTRY_ID: Final = "01JQUASARSOAK0000000000000"
PSACC_ENTRY_ID: Final = "01JPSACCSOAK00000000000000"
VIN: Final = PEUGEOT_E208.vin

CHARGING_SWITCH: Final = "switch.wallbox_quasar_charging"
CHARGE_CURRENT: Final = "number.wallbox_quasar_charge_current"
DISCHARGE_CURRENT: Final = "number.wallbox_quasar_discharge_current"
CONTROL_SELECT: Final = "select.wallbox_quasar_control"
SMART_SWITCH: Final = "switch.peugeot_e_208_smart_charging"
LIMIT: Final = "number.peugeot_e_208_charge_limit"
FLOOR: Final = "number.peugeot_e_208_charge_floor"
LINKED: Final = "select.peugeot_e_208_linked_charger"

REG_CONTROL: Final = 0x0051
REG_AUTOSTART: Final = 0x0052
REG_ACTION: Final = 0x0101
REG_CURRENT_SETPOINT: Final = 0x0102
REG_AC_POWER: Final = 0x020E

INVARIANTS: Final = ("I1", "I2", "I3", "I4", "I5")
EXAMPLES_KEPT: Final = 3

# Faults per simulated day, each kind: 14 a day is 28 in each behaviour's two days,
# 56 over the run.
FAULTS_PER_DAY: Final[Mapping[str, float]] = {
    "dropped_connection": 14,
    "exception_reply": 14,
    "slow_reply": 14,
    "refused_write": 14,
    "reboot": 14,
    "outage": 14,
    "reload": 14,
    "restart": 14,
}
# Faults that take the whole charger or Home Assistant away: one at a time.
WHOLE_FAULTS: Final = frozenset({"reboot", "outage", "reload", "restart"})
ASK_EVERY_MIN: Final = 25.0
SHORT_UNPLUGS_PER_DAY: Final = 2.0

RUNNING_STATUSES: Final = frozenset(
    {
        QuasarStatus.CHARGING,
        QuasarStatus.DISCHARGING,
        QuasarStatus.WAITING_FOR_DEMAND,
    }
)

_LOGGER = logging.getLogger(__name__)


# --- the checker: plain inputs, no Home Assistant -------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Ask:
    """A person's command to the charger, as the bench asked it, and what it holds to.

    None in ``setpoint_a``, ``running`` or ``remote`` means the command leaves that to
    what was there before, so it is not judged.
    """

    what: str
    since: datetime
    until: datetime | None = None
    setpoint_a: int | None = None
    running: bool | None = None
    remote: bool | None = True

    @property
    def discharging(self) -> bool:
        """Return whether the command asks for a discharge."""
        return self.running is True and (self.setpoint_a or 0) < 0

    def holds(self, at: datetime) -> bool:
        """Return whether the command's time has not run out at ``at``."""
        return self.until is None or at < self.until

    def survives_gap(self, at: datetime) -> bool:
        """Return whether the command outlives a gap (restart, outage, reboot) at ``at``.

        A timed one does while its time remains; an untimed discharge does not:
        nothing discharges after a gap unless a live request asks for it.
        """
        return self.holds(at) and not (self.discharging and self.until is None)


@dataclass(frozen=True, kw_only=True, slots=True)
class Reading:
    """What the charger really does, read from the simulator after a step."""

    at: datetime
    # Whether the charger answers and Home Assistant runs: the graces' clock runs.
    answering: bool
    remote: bool
    setpoint_a: int
    status: QuasarStatus
    power_w: int
    car: bool
    # Whether a write of 0x51 = 0 (control to the app) was accepted since the last one.
    handed_back: bool
    # Whether the car's cloud was told to start charging since the last reading.
    cloud_started: bool = False

    @property
    def running(self) -> bool:
        """Return whether a session runs (a full or empty battery draws nothing)."""
        return self.status in RUNNING_STATUSES

    @property
    def discharging(self) -> bool:
        """Return whether energy leaves the car."""
        return self.power_w < 0 or self.status is QuasarStatus.DISCHARGING


@dataclass(slots=True)
class _Due:
    """A hand-back owed since ``at``; ``started`` is the graces' clock then."""

    what: str
    at: datetime
    started: float | None = None


class Checker:
    """Judges the charger against what was asked; fed plain facts, it knows no Home Assistant.

    The world tells it what the person asked (and whether the command went through),
    what happened that ends a command (the app took over, the car left, a gap), and
    after every step what the charger does (a :class:`Reading`). A violation that
    lasts is counted once, when it starts.
    """

    def __init__(self) -> None:
        """Start with nothing asked and nothing seen."""
        self.violations: Counter[str] = Counter(dict.fromkeys(INVARIANTS, 0))
        self.checks: Counter[str] = Counter(dict.fromkeys(INVARIANTS, 0))
        self.examples: dict[str, list[str]] = {key: [] for key in INVARIANTS}
        self.ask: Ask | None = None
        # Seconds in which the charger answered and Home Assistant ran.
        self.clock_s = 0.0
        self._last: Reading | None = None
        # The clock when the last disturbance ended (a fault, a gap, a new command):
        # a person's command is judged once it has had a grace since.
        self._settled_s = 0.0
        # The clock when the last asked-for discharge stopped being asked for.
        self._discharge_ended_s: float | None = None
        self._dues: list[_Due] = []
        self._open: set[str] = set()

    # What the world tells it.

    def asked(self, at: datetime, ask: Ask, *, ok: bool, car: bool = True) -> None:
        """Take a person's command; ``ok`` False: it raised HomeAssistantError.

        A command that failed rolls back to stopped at 0 A, and stays the person's
        (with their earlier command's end) only if an earlier command of theirs held.
        An untimed command lasts as long as the car's session: given with no car
        plugged in, it has none, and ends at once (handed back).
        """
        self._expire(at)
        previous = self.ask
        if ok:
            self._replace(ask)
            if not car and ask.until is None:
                self.unplugged(at)
        elif previous is not None:
            first = previous.what.split(", stopped as ")[0]
            self._replace(
                replace(
                    previous,
                    what=f"{first}, stopped as {ask.what} failed",
                    setpoint_a=0,
                    running=False,
                    remote=True,
                )
            )
        else:
            self._replace(None)

    def app_took_over(self, at: datetime) -> None:
        """Someone took the charger in the Wallbox app: the person's command is over."""
        self._expire(at)
        self._replace(None)

    def gap(self, at: datetime) -> None:
        """A reload, a restart, a reboot or an outage began: an untimed discharge ends."""
        self._expire(at)
        if self.ask is not None and not self.ask.survives_gap(at):
            self._replace(None)
        self._disturbed()

    def unplugged(self, at: datetime) -> None:
        """The car left: an untimed command ends with its session, handed back."""
        self._expire(at)
        if self.ask is not None and self.ask.until is None:
            self._dues.append(
                _Due(what=f"hand-back once unplugged ({self.ask.what})", at=at)
            )
            self._replace(None)
        self._disturbed()

    def plugged(self, at: datetime) -> None:
        """A car came: give the charger a grace to act on it."""
        self._expire(at)
        self._disturbed()

    def unexpected(self, at: datetime, message: str) -> None:
        """Count an exception that escaped (I4)."""
        self._violate("I4", at, message)

    def counted(self, invariant: str, checks: int = 1) -> None:
        """Count checks made for the world (I4: actions called)."""
        self.checks[invariant] += checks

    def compare(
        self,
        at: datetime,
        where: str,
        expected: Mapping[str, object],
        seen: Mapping[str, object],
    ) -> None:
        """Compare what must have survived a reload or restart with what did (I5)."""
        for key, value in expected.items():
            self.checks["I5"] += 1
            if seen.get(key) != value:
                self._violate(
                    "I5", at, f"{key} after {where}: {seen.get(key)!r}, set {value!r}"
                )

    # What the charger does.

    def observe(self, reading: Reading) -> None:
        """Judge the charger after a step."""
        last = self._last
        if last is not None and last.answering and reading.answering:
            self.clock_s += max(0.0, (reading.at - last.at).total_seconds())
        if not reading.answering:
            self._disturbed()
        self._last = reading
        self._expire(reading.at)
        self._check_discharge(reading)
        self._check_dues(reading)
        self._check_ask(reading)

    # The invariants.

    def _check_discharge(self, reading: Reading) -> None:
        self.checks["I1"] += 1
        asked = self.ask is not None and self.ask.discharging
        ended = self._discharge_ended_s
        if (
            not reading.discharging
            or asked
            or (ended is not None and self.clock_s - ended <= GRACE_I1_S)
        ):
            self._open.discard("I1")
            return
        if "I1" not in self._open:
            self._open.add("I1")
            self._violate(
                "I1",
                reading.at,
                f"discharging at {reading.power_w} W (setpoint {reading.setpoint_a} A, "
                f"{'remote' if reading.remote else 'app'} control) with no live request"
                + (f"; asked: {self.ask.what}" if self.ask else ""),
            )

    def _check_dues(self, reading: Reading) -> None:
        for due in list(self._dues):
            if reading.at < due.at:
                continue
            self.checks["I2"] += 1
            if due.started is None:
                due.started = self.clock_s
            if reading.handed_back or not reading.remote:
                self._dues.remove(due)
            elif self.clock_s - due.started > GRACE_I2_S:
                self._dues.remove(due)
                self._violate(
                    "I2",
                    reading.at,
                    f"no {due.what} {self.clock_s - due.started:.0f} s after "
                    f"{due.at:%H:%M:%S} (setpoint {reading.setpoint_a} A, "
                    f"{reading.status.name})",
                )

    def _check_ask(self, reading: Reading) -> None:
        ask = self.ask
        if ask is None:
            self._open.discard("I3")
            return
        if (
            reading.cloud_started
            and reading.car
            and (ask.running is False or ask.discharging)
        ):
            # Going around the charger is an act, not a state to recover from: no
            # grace. The car itself was told to charge while the person holds the
            # charger it is plugged into stopped, or discharging.
            self.checks["I3"] += 1
            self._violate(
                "I3",
                reading.at,
                f"{ask.what} (since {ask.since:%H:%M:%S}) gone around: the car's "
                "cloud told to start charging",
            )
        if not reading.answering or self.clock_s - self._settled_s < GRACE_I3_S:
            return
        self.checks["I3"] += 1
        wrong = []
        if ask.remote is not None and reading.remote != ask.remote:
            wrong.append(f"{'remote' if reading.remote else 'app'} control")
        if (
            ask.setpoint_a is not None
            and reading.remote
            and reading.setpoint_a != ask.setpoint_a
        ):
            wrong.append(f"setpoint {reading.setpoint_a} A")
        if ask.running is not None and reading.car and reading.running != ask.running:
            wrong.append(reading.status.name)
        if not wrong:
            self._open.discard("I3")
            return
        if "I3" not in self._open:
            self._open.add("I3")
            self._violate(
                "I3",
                reading.at,
                f"{ask.what} (since {ask.since:%H:%M:%S}) overridden: "
                + ", ".join(wrong),
            )

    # Bookkeeping.

    def _expire(self, at: datetime) -> None:
        """End the command whose time ran out: a hand-back is owed from its end."""
        ask = self.ask
        if ask is not None and not ask.holds(at):
            assert ask.until is not None
            self._dues.append(
                _Due(what=f"hand-back at the end of {ask.what}", at=ask.until)
            )
            self._replace(None)

    def _replace(self, ask: Ask | None) -> None:
        previous = self.ask
        if (
            previous is not None
            and previous.discharging
            and not (ask and ask.discharging)
        ):
            self._discharge_ended_s = self.clock_s
        self.ask = ask
        self._open.discard("I3")
        self._disturbed()

    def _disturbed(self) -> None:
        self._settled_s = self.clock_s

    def _violate(self, invariant: str, at: datetime, message: str) -> None:
        self.violations[invariant] += 1
        if len(self.examples[invariant]) < EXAMPLES_KEPT:
            self.examples[invariant].append(f"{at:%Y-%m-%d %H:%M:%S} {message}")
        _LOGGER.debug("%s violated: %s", invariant, message)


# --- the world: Home Assistant, the simulators, the person, the faults ---------------


class Freezer(Protocol):
    """freezegun's factory (the ``freezer`` fixture, or ``freeze_time(...)``)."""

    def tick(self, delta: timedelta, /) -> object:
        """Move time on."""

    def move_to(self, target: datetime, /) -> object:
        """Move time to ``target``."""


class _Clock:
    """The simulators' clock: the frozen time Home Assistant also lives in."""

    def now(self) -> float:
        return time.time()


type Action = Callable[[World], Awaitable[None]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Scripted:
    """An event a scenario adds to the world, ``at_s`` seconds after the start."""

    at_s: float
    name: str
    action: Action


@dataclass(order=True, slots=True)
class _Event:
    at_s: float
    seq: int
    name: str = field(compare=False)
    action: Action = field(compare=False)


class _ErrorLog(logging.Handler):
    """Collects the error records with a traceback: an exception escaped (I4)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # An error without a traceback is a device fault said once (a coordinator's
        # "Error fetching"), which is how it should be said.
        if record.exc_info:
            self.records.append(record)


@dataclass(kw_only=True, slots=True)
class BehaviourResult:
    """What one behaviour's soak measured."""

    behaviour: str
    simulated_hours: float
    checker: Checker
    faults: Counter[str]
    outcomes: Counter[str]
    requests: int
    unsettled: int
    unsettled_at: list[str]
    real_s: float

    def as_dict(self) -> dict[str, Any]:
        """Return it as the JSON holds it."""
        return {
            "simulated_hours": round(self.simulated_hours, 2),
            "violations": {key: self.checker.violations[key] for key in INVARIANTS},
            "examples": {
                key: examples
                for key, examples in self.checker.examples.items()
                if examples
            },
            "faults": dict(sorted(self.faults.items())),
            "checks": self.checker.checks.total(),
            "checks_by_invariant": {
                key: self.checker.checks[key] for key in INVARIANTS
            },
            "requests": self.requests,
            "requests_per_hour": round(self.requests / self.simulated_hours, 1),
            "unsettled_steps": self.unsettled,
            "unsettled_examples": self.unsettled_at,
            "actions": dict(sorted(self.outcomes.items())),
            "real_s": round(self.real_s, 1),
        }


@dataclass(kw_only=True, slots=True)
class _Survivors:
    """What must be the same after a reload or restart (I5), and when to look."""

    where: str
    # "you" when a person held the charger with a command that outlives the gap.
    holder: str | None
    # A person's standing command that outlives the gap, as the coordinator held it.
    command: tuple[object, ...] | None
    compare_at_s: float | None = None


def _standing(intent: RemoteIntent) -> tuple[object, ...]:
    """Return what a standing command is, without when it was made."""
    return (
        intent.setpoint_a,
        intent.running,
        intent.controller.value,
        intent.reason,
        intent.until,
    )


def _job_of(handle: asyncio.TimerHandle) -> HassJob[..., Any] | None:
    """Return the Home Assistant job a timer runs, if it runs one."""
    # Home Assistant's timers are plain loop timers; what they run is only in them.
    callback = handle._callback  # type: ignore[attr-defined]  # noqa: SLF001
    job = getattr(callback, "job", None)
    if isinstance(job, HassJob):
        return job
    for arg in handle._args or ():  # noqa: SLF001
        if isinstance(arg, HassJob):
            return arg
    return None


def _drives_the_world(handle: asyncio.TimerHandle) -> bool:
    """Return whether a timer is one the soak must step to on time.

    The integration's own (hold ends, fail-safe retries, smart charging's wake-ups),
    its coordinators' polls and Home Assistant's setup retries; not the device
    tracker's five-second tick nor a delayed write, which may run a little late.
    """
    if handle.cancelled() or (job := _job_of(handle)) is None:
        return False
    target: Any = job.target
    while isinstance(target, functools.partial):
        target = target.func
    module = str(getattr(target, "__module__", ""))
    return (
        module.startswith("custom_components.")
        or module == "homeassistant.config_entries"
        or (job.name or "").endswith("refresh interval")
    )


def _belongs_to_home_assistant(handle: asyncio.TimerHandle) -> bool:
    """Return whether a timer was left by a Home Assistant (or its zeroconf)."""
    if _job_of(handle) is not None:
        return True
    callback: Any = handle._callback  # type: ignore[attr-defined]  # noqa: SLF001
    owner = getattr(callback, "__self__", callback)
    return type(owner).__module__.startswith(("homeassistant", "zeroconf"))


class World:
    """One behaviour's soak: Home Assistant, the simulators, the person and the faults."""

    def __init__(
        self,
        freezer: Freezer,
        *,
        behaviour: IdleBehaviour,
        hours: float,
        seed: int,
        random_world: bool,
        script: Sequence[Scripted],
        config_dir: str,
        start_soc_pct: float | None = None,
    ) -> None:
        """Prepare the world; nothing runs until :meth:`run`."""
        self.freezer = freezer
        self.behaviour = behaviour
        self.hours = hours
        self.rng = random.Random(seed)
        self.random_world = random_world
        self.config_dir = config_dir
        self.checker = Checker()
        self.faults: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.unsettled = 0
        self.unsettled_at: list[str] = []
        self.started = dt_util.utcnow()
        self.psacc = PsaccSimulator(
            (PEUGEOT_E208,), clock=_Clock(), start_at=START, report_minutes=10
        )
        self.car = self.psacc.car(VIN)
        if start_soc_pct is not None:
            self.car.battery.soc_pct = start_soc_pct
            # Its cloud says so too: the first report was made before.
            self.psacc.report_now(VIN)
        self.sim = QuasarSimulator(
            serial=SERIAL,
            battery=self.car.battery,
            clock=_Clock(),
            idle_behaviour=behaviour,
        )
        self.hass: HomeAssistant | None = None
        self._hass_stack: AsyncExitStack | None = None
        self._queue: list[_Event] = []
        self._seq = itertools.count()
        # Faults in progress: kind -> elapsed seconds when it ends.
        self._active: dict[str, float] = {}
        self._slow_after: int | None = None
        self._writes_seen = 0
        self._cloud_charging = False
        # What the person set on smart charging (I5).
        self.settings: dict[str, object] = {
            "smart_charging": "on",
            "limit": 80.0,
            "floor": 20.0,
            "linked_charger": CHARGER_TITLE,
        }
        # What must be the same after the last reload or restart (I5).
        self._survivors: _Survivors | None = None
        self._errors = _ErrorLog()
        for item in script:
            self._push(item.at_s, item.name, item.action)

    # Time.

    def elapsed_s(self) -> float:
        """Return the simulated seconds since the soak started."""
        return (dt_util.utcnow() - self.started).total_seconds()

    def _push(self, at_s: float, name: str, action: Action) -> None:
        heapq.heappush(self._queue, _Event(at_s, next(self._seq), name, action))

    def _until_next_timer_s(self) -> float:
        hass = self.hass
        if hass is None:
            return MAX_STEP_S
        now = hass.loop.time()
        dues = sorted(
            handle.when() - now
            for handle in get_scheduled_timer_handles(hass.loop)
            if _drives_the_world(handle)
        )
        if not dues:
            return MAX_STEP_S
        first = dues[0]
        # A little past the last one, so that none is left due a moment later.
        return max(due for due in dues if due <= first + COALESCE_S) + STEP_SLACK_S

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, firing every timer due."""
        self.freezer.tick(timedelta(seconds=seconds))
        self.sim.step()
        if self.hass is not None:
            # The event loop's clock is frozen time too: what fell due runs at its
            # next turn, as it would have on time.
            await asyncio.sleep(0)
            await self.settle()

    async def settle(self) -> None:
        """Let Home Assistant finish what it is doing, or say that it did not.

        Bounded in real time: an integration that keeps itself busy (a command that
        triggers the next at once, for ever) would otherwise hold the soak still.
        Simulated time goes on after; what was still running keeps running.
        """
        if self.hass is None:
            return
        waiter = asyncio.ensure_future(
            self.hass.async_block_till_done(wait_background_tasks=True)
        )
        if not await self.drive(waiter, real_limit_s=SETTLE_REAL_S):
            waiter.cancel()
            self.unsettled += 1
            if len(self.unsettled_at) < EXAMPLES_KEPT:
                self.unsettled_at.append(
                    f"{dt_util.utcnow():%Y-%m-%d %H:%M:%S} "
                    f"({self.sim.requests} Modbus requests so far)"
                )

    async def drive(
        self, future: asyncio.Future[Any], *, real_limit_s: float | None = None
    ) -> bool:
        """Wait for ``future``, moving time on whenever all that is left is waiting.

        A client waiting 5 s for a reply that will not come, or pymodbus pausing
        0.1 s after each connect, would cost real seconds; once the event loop has
        nothing to run for a few turns (no callback ready, no reply in flight on
        127.0.0.1), time jumps to its next timer instead, up to MAX_JUMP_S. Return
        whether ``future`` finished within ``real_limit_s`` real seconds.
        """
        loop = asyncio.get_running_loop()
        started = _real_s()
        jumped = 0.0
        idle = 0
        while not future.done():
            await asyncio.sleep(0)
            self._end_slow_reply()
            if real_limit_s is not None and _real_s() - started > real_limit_s:
                return False
            # The loop's queue of callbacks ready to run: empty for a few turns in a
            # row, nothing is on its way (a reply written on 127.0.0.1 is read at the
            # next turn).
            idle = idle + 1 if not loop._ready else 0  # type: ignore[attr-defined]  # noqa: SLF001
            if idle < IDLE_TURNS:
                continue
            idle = 0
            due = min(
                (
                    handle.when()
                    for handle in get_scheduled_timer_handles(loop)
                    if not handle.cancelled()
                ),
                default=None,
            )
            wait = None if due is None else max(0.0, due - loop.time()) + 0.001
            if wait is None or jumped + wait > MAX_JUMP_S:
                # Waiting on a thread, or on more than a jump: real time passes.
                await asyncio.sleep(0.001)
                continue
            self.freezer.tick(timedelta(seconds=wait))
            jumped += wait
        return True

    async def driven[T](self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` to its end, moving time on while it only waits (see drive)."""
        task = asyncio.ensure_future(work)
        await self.drive(task)
        return task.result()

    # Home Assistant.

    def _entries(self) -> tuple[MockConfigEntry, MockConfigEntry]:
        quasar = MockConfigEntry(
            domain=DOMAIN,
            title=CHARGER_TITLE,
            unique_id=SERIAL,
            entry_id=QUASAR_ENTRY_ID,
            data={
                CONF_KIND: DeviceKind.QUASAR.value,
                CONF_HOST: "127.0.0.1",
                CONF_PORT: self.sim.port,
                CONF_UNIT_ID: 1,
            },
            options={CONF_SCAN_INTERVAL: SCAN_INTERVAL_S},
        )
        url = f"http://127.0.0.1:{self.psacc.port}"
        psacc = MockConfigEntry(
            domain=DOMAIN,
            title="psa_car_controller 127.0.0.1",
            unique_id=url,
            entry_id=PSACC_ENTRY_ID,
            data={
                CONF_KIND: DeviceKind.PSACC.value,
                CONF_URL: url,
                CONF_VINS: [VIN],
            },
        )
        return quasar, psacc

    async def start_hass(self) -> None:
        """Start Home Assistant on the stored data, with both entries."""
        stack = AsyncExitStack()
        hass: HomeAssistant = await stack.enter_async_context(
            async_test_home_assistant(config_dir=self.config_dir)
        )
        # What the test plugin's enable_custom_integrations fixture does: forget the
        # (empty) list of custom integrations, so the loader looks for them again.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        # As the plugin's hass fixture does: deprecation reports need it.
        frame.async_setup(hass)
        await hass.config.async_set_time_zone(TIME_ZONE)
        # The web session's resolver asks the network integration for adapters.
        await async_setup_component(hass, "network", {})
        self.hass, self._hass_stack = hass, stack
        for entry in self._entries():
            entry.add_to_hass(hass)
            # A charger that does not answer now is retried by Home Assistant.
            await self.driven(hass.config_entries.async_setup(entry.entry_id))
        await self.settle()

    async def stop_hass(self) -> None:
        """Stop Home Assistant as a restart does, and drop what its process held."""
        hass, stack = self.hass, self._hass_stack
        if hass is None or stack is None:
            return
        await self.driven(hass.async_stop(force=True))
        # The process would end here: its timers (a hold's end, a fail-safe retry)
        # die with it instead of firing into the next Home Assistant.
        for handle in get_scheduled_timer_handles(hass.loop):
            if not handle.cancelled() and _belongs_to_home_assistant(handle):
                handle.cancel()
        await stack.aclose()
        self.hass = self._hass_stack = None

    def _loaded(self) -> bool:
        hass = self.hass
        if hass is None:
            return False
        entries = [
            hass.config_entries.async_get_entry(entry_id)
            for entry_id in (QUASAR_ENTRY_ID, PSACC_ENTRY_ID)
        ]
        return all(
            entry is not None and entry.state is ConfigEntryState.LOADED
            for entry in entries
        )

    def coordinator(self) -> QuasarCoordinator | None:
        """Return the charger's coordinator while its entry is loaded."""
        hass = self.hass
        if hass is None:
            return None
        entry = hass.config_entries.async_get_entry(QUASAR_ENTRY_ID)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        coordinator: QuasarCoordinator = entry.runtime_data.coordinator
        return coordinator

    def _device_id(self, identifier: str) -> str:
        assert self.hass is not None
        devices = dr.async_get(self.hass).async_get_devices(
            identifiers={(DOMAIN, identifier)}
        )
        return devices[0].id if devices else ""

    def _state(self, entity_id: str) -> str | None:
        assert self.hass is not None
        state = self.hass.states.get(entity_id)
        return None if state is None else state.state

    async def call(
        self,
        domain: str,
        service: str,
        data: dict[str, Any],
        *,
        label: str | None = None,
    ) -> str:
        """Call an action as a person does; return ok, refused, failed or unexpected.

        A refused one (ServiceValidationError) changed nothing; a failed one
        (HomeAssistantError) is a device fault, said as it should be. Anything else
        escaped (I4).
        """
        label = label or f"{domain}.{service}"
        hass = self.hass
        if hass is None:
            return "refused"
        entity_id = data.get("entity_id")
        if entity_id is not None and self._state(entity_id) in (None, "unavailable"):
            # A person cannot press what is unavailable; Home Assistant would skip it
            # silently, and the bench must not take it as done.
            self.outcomes[f"{label}: unavailable"] += 1
            return "unavailable"
        self.checker.counted("I4")
        try:
            await self.driven(
                hass.services.async_call(domain, service, data, blocking=True)
            )
        except ServiceValidationError as err:
            outcome = "refused"
            self.outcomes[f"{label}: refused ({err.translation_key})"] += 1
        except HomeAssistantError as err:
            outcome = "failed"
            self.outcomes[f"{label}: failed ({err.translation_key})"] += 1
        except Exception as err:  # noqa: BLE001 - what I4 is about
            outcome = "unexpected"
            self.outcomes[f"{label}: unexpected"] += 1
            self.checker.unexpected(
                dt_util.utcnow(),
                f"{label} raised {type(err).__name__}: {err} at "
                + " <- ".join(
                    f"{summary.name}:{summary.lineno}"
                    for summary in reversed(
                        traceback.extract_tb(err.__traceback__)[-3:]
                    )
                ),
            )
        else:
            outcome = "ok"
            self.outcomes[f"{label}: ok"] += 1
        _LOGGER.debug("%s %s: %s", label, data, outcome)
        await self.settle()
        return outcome

    # The person, on the charger.

    async def ask(self, ask: Ask, call: Callable[[], Awaitable[str]]) -> str:
        """Make a person's command and tell the checker what became of it."""
        at = dt_util.utcnow()
        ask = replace(ask, since=at)
        self._forget_survivors()
        car = self.sim.battery is not None
        outcome = await call()
        if outcome in ("ok", "failed"):
            self.checker.asked(at, ask, ok=outcome == "ok", car=car)
        return outcome

    async def set_current(self, amps: int, minutes: int | None = None) -> str:
        """Ask for a current (negative: discharge), for a while or until changed."""
        at = dt_util.utcnow()
        data: dict[str, Any] = {
            "device_id": self._device_id(SERIAL),
            "current": amps,
        }
        if minutes is not None:
            data["minutes"] = minutes
        what = f"set_charger_current {amps} A" + (
            f" for {minutes} min" if minutes else ""
        )
        return await self.ask(
            Ask(
                what=what,
                since=at,
                until=at + timedelta(minutes=minutes) if minutes else None,
                setpoint_a=amps,
                running=amps != 0,
            ),
            lambda: self.call(
                DOMAIN, "set_charger_current", data, label="set_charger_current"
            ),
        )

    async def pause(self, minutes: int) -> str:
        """Pause the charger for a while."""
        at = dt_util.utcnow()
        data = {"device_id": self._device_id(SERIAL), "minutes": minutes}
        return await self.ask(
            Ask(
                what=f"pause_charger {minutes} min",
                since=at,
                until=at + timedelta(minutes=minutes),
                setpoint_a=0,
                running=False,
            ),
            lambda: self.call(DOMAIN, "pause_charger", data, label="pause_charger"),
        )

    async def charging_switch(self, on: bool) -> str:
        """Turn the charging switch on or off."""
        service = "turn_on" if on else "turn_off"
        return await self.ask(
            Ask(what=f"charging switch {service}", since=START, running=on),
            lambda: self.call(
                "switch",
                service,
                {"entity_id": CHARGING_SWITCH},
                label=f"switch {service}",
            ),
        )

    async def charge_current(self, amps: int) -> str:
        """Set the charge current number."""
        return await self.ask(
            Ask(what=f"charge current {amps} A", since=START, setpoint_a=amps),
            lambda: self.call(
                "number",
                "set_value",
                {"entity_id": CHARGE_CURRENT, "value": amps},
                label="charge current number",
            ),
        )

    async def discharge_current(self, amps: int) -> str:
        """Set the discharge current number (above 0: discharge now, until changed)."""
        return await self.ask(
            Ask(
                what=f"discharge current {amps} A",
                since=START,
                setpoint_a=-amps,
                running=True,
            ),
            lambda: self.call(
                "number",
                "set_value",
                {"entity_id": DISCHARGE_CURRENT, "value": amps},
                label="discharge current number",
            ),
        )

    async def control(self, option: str) -> str:
        """Choose who controls the charger: home_assistant or wallbox_app."""
        current = self.checker.ask
        at = dt_util.utcnow()
        if (
            option == "home_assistant"
            and current is not None
            and current.holds(at)
            and current.remote
        ):
            # Already a person's command under Home Assistant: nothing changes.
            ask = current
        else:
            ask = Ask(
                what=f"control {option}", since=START, remote=option == "home_assistant"
            )
        return await self.ask(
            ask,
            lambda: self.call(
                "select",
                "select_option",
                {"entity_id": CONTROL_SELECT, "option": option},
                label=f"control {option}",
            ),
        )

    def app_takes_over(self) -> None:
        """Someone takes the charger in the Wallbox app (0x51 = 0 from elsewhere)."""
        if self.sim.read_register(REG_CONTROL) == 1:
            self.sim.poke(REG_CONTROL, 0)
            self._forget_survivors()
            self.outcomes["Wallbox app takes over"] += 1
            self.checker.app_took_over(dt_util.utcnow())

    def rogue_discharge(self, amps: int = 10) -> None:
        """Another Modbus client starts a discharge nobody asked for (a sabotage)."""
        for address, value in (
            (REG_CONTROL, 1),
            (REG_AUTOSTART, 0),
            (REG_CURRENT_SETPOINT, -amps),
            (REG_ACTION, 1),
        ):
            self.sim.poke(address, value)

    # The person, on the car.

    async def charge_now(self, minutes: int | None) -> str:
        """Ask the car to charge now (for some minutes, or up to its limit)."""
        data: dict[str, Any] = {"device_id": self._device_id(VIN)}
        if minutes is not None:
            data["minutes"] = minutes
        return await self.call(DOMAIN, "charge_now", data, label="charge_now")

    async def set_limits(self, limit: int, floor: int) -> str:
        """Set the car's limit and floor, by the action or by the two numbers."""
        if self.rng.random() < 0.5:
            outcome = await self.call(
                DOMAIN,
                "set_charge_limits",
                {"device_id": self._device_id(VIN), "limit": limit, "floor": floor},
                label="set_charge_limits",
            )
            if outcome == "ok":
                self.settings.update(limit=float(limit), floor=float(floor))
            return outcome
        # One number at a time, in the order that keeps the floor under the limit.
        order = [(LIMIT, "limit", limit), (FLOOR, "floor", floor)]
        if floor >= float(str(self.settings["limit"])):
            order.reverse()
        outcome = "ok"
        for entity_id, key, value in order:
            outcome = await self.call(
                "number",
                "set_value",
                {"entity_id": entity_id, "value": value},
                label=f"{key} number",
            )
            if outcome == "ok":
                self.settings[key] = float(value)
        return outcome

    async def smart_charging(self, on: bool) -> str:
        """Turn the car's smart charging on or off."""
        service = "turn_on" if on else "turn_off"
        outcome = await self.call(
            "switch",
            service,
            {"entity_id": SMART_SWITCH},
            label=f"smart charging {service}",
        )
        if outcome == "ok":
            self.settings["smart_charging"] = "on" if on else "off"
        return outcome

    # The car.

    def unplug(self) -> None:
        """The car leaves the charger."""
        if self.sim.battery is None:
            return
        self.sim.unplug()
        self.psacc.unplug(VIN)
        self._forget_survivors()
        self.checker.unplugged(dt_util.utcnow())

    def plug(self, drive_km: float = 0.0) -> None:
        """The car comes back (after a drive) and is plugged in."""
        if self.sim.battery is not None:
            return
        if drive_km:
            self.psacc.drive(drive_km, VIN)
        self.psacc.plug(VIN, charge=False)
        self.sim.plug(self.car.battery)
        self.checker.plugged(dt_util.utcnow())

    # Faults.

    def fault(self, kind: str, seconds: float) -> None:
        """Count a fault and stop the graces' clock while it lasts."""
        self.faults[kind] += 1
        self._active[kind] = max(
            self._active.get(kind, 0.0), self.elapsed_s() + seconds
        )

    def _end_slow_reply(self) -> None:
        """End a slow reply once one request got it (the simulator counts on arrival)."""
        if self._slow_after is not None and self.sim.requests > self._slow_after:
            self.sim.delay_s = 0.0
            self._slow_after = None
            self._active.pop("slow_reply", None)

    def _end_faults(self) -> None:
        now = self.elapsed_s()
        self._end_slow_reply()
        for kind, end in list(self._active.items()):
            if kind == "slow_reply" or end > now:
                continue
            del self._active[kind]
            if kind == "exception_reply":
                self.sim.fail_with_exception = None
            elif kind == "refused_write":
                self.sim.fail_writes = {}
            elif kind == "outage":
                self.sim.refuse_connections = False

    def busy(self, *kinds: str) -> float | None:
        """Return when the first of these faults in progress ends, if one is."""
        ends = [self._active[kind] for kind in kinds if kind in self._active]
        return max(ends) if ends else None

    def reboot(self, seconds: float) -> None:
        """Reboot the charger; it is away for ``seconds``."""
        self.sim.reboot_seconds = seconds
        self.fault("reboot", seconds)
        self.checker.gap(dt_util.utcnow())
        self.sim.reboot()

    def outage(self, seconds: float) -> None:
        """Cut the charger off the network for ``seconds``."""
        self.fault("outage", seconds)
        self.checker.gap(dt_util.utcnow())
        self.sim.refuse_connections = True
        self.sim.drop_connections()

    async def reload(self, entry_id: str) -> None:
        """Reload an entry, whatever it is doing (I5 compared after)."""
        hass = self.hass
        if hass is None:
            return
        self.fault("reload", 0.0)
        charger = entry_id == QUASAR_ENTRY_ID
        self._remember("a reload of the " + ("charger" if charger else "car"))
        if charger:
            # The car's reload leaves the charger's command where it is.
            self.checker.gap(dt_util.utcnow())
        try:
            await self.driven(hass.config_entries.async_reload(entry_id))
        except Exception as err:  # noqa: BLE001 - what I4 is about
            self.checker.unexpected(dt_util.utcnow(), f"reload raised {err!r}")
        await self.settle()

    async def restart(self, down_s: float) -> None:
        """Stop Home Assistant, stay down ``down_s``, start it on the same data."""
        self.fault("restart", down_s)
        self._remember("a restart")
        self.checker.gap(dt_util.utcnow())
        await self.stop_hass()
        await self.advance(down_s)
        await self.start_hass()

    def _remember(self, where: str) -> None:
        """Keep what must survive a reload or restart, to compare after (I5).

        Only a person's command that outlives the gap must: then the person still
        holds the charger, and the integration's standing command is the same.
        """
        at = dt_util.utcnow()
        ask = self.checker.ask
        coordinator = self.coordinator()
        holder = command = None
        if ask is not None and ask.survives_gap(at) and coordinator is not None:
            if coordinator.owner.controller.value == "you":
                holder = "you"
            intent = coordinator.intent
            if intent is not None and intent.controller.value == "you":
                command = _standing(intent)
        self._survivors = _Survivors(where=where, holder=holder, command=command)

    def _compare_survivors(self) -> None:
        survivors = self._survivors
        if survivors is None or not self._loaded():
            return
        if survivors.compare_at_s is None:
            # Once a car poll has passed: what an entity shows right at setup (a
            # linked charger still loading) is not what was kept.
            survivors.compare_at_s = self.elapsed_s() + SURVIVORS_AFTER_S
        if self.elapsed_s() < survivors.compare_at_s:
            return
        self._survivors = None
        at = dt_util.utcnow()
        seen: dict[str, object] = {
            "smart_charging": self._state(SMART_SWITCH),
            "limit": _float(self._state(LIMIT)),
            "floor": _float(self._state(FLOOR)),
            "linked_charger": self._state(LINKED),
        }
        expected = dict(self.settings)
        ask = self.checker.ask
        coordinator = self.coordinator()
        if (
            survivors.holder is not None
            and ask is not None
            and ask.survives_gap(at)
            and coordinator is not None
        ):
            # From the owner, not its sensor: a sensor unavailable for a failed poll
            # has lost nothing.
            seen["controlled_by"] = coordinator.owner.controller.value
            expected["controlled_by"] = survivors.holder
        command = survivors.command
        if command is not None and coordinator is not None:
            until = command[-1]
            if not isinstance(until, datetime) or until > at:
                intent = coordinator.intent
                seen["command"] = None if intent is None else _standing(intent)
                expected["command"] = command
        self.checker.compare(at, survivors.where, expected, seen)

    def _forget_survivors(self) -> None:
        """A new command or event replaced what was there: nothing left to compare."""
        if self._survivors is not None:
            self._survivors.holder = self._survivors.command = None

    # Readings.

    def answering(self) -> bool:
        """Return whether the charger answers and Home Assistant runs."""
        return (
            self.hass is not None
            and self._loaded()
            and not self._active
            and not self.sim.rebooting
            and not self.sim.refuse_connections
        )

    def read(self) -> Reading:
        """Read what the charger does, from the simulator itself."""
        sim = self.sim
        writes = sim.writes[self._writes_seen :]
        self._writes_seen = len(sim.writes)
        self.psacc.step()
        cloud_started = self.car.charging and not self._cloud_charging
        self._cloud_charging = self.car.charging
        return Reading(
            at=dt_util.utcnow(),
            answering=self.answering(),
            remote=sim.read_register(REG_CONTROL) == 1,
            setpoint_a=sim.read_register(REG_CURRENT_SETPOINT),
            status=sim.status,
            power_w=sim.read_register(REG_AC_POWER),
            car=sim.battery is not None,
            handed_back=(REG_CONTROL, 0) in writes,
            cloud_started=cloud_started,
        )

    def observe(self) -> None:
        """Check everything once (after a step or an event)."""
        self._end_faults()
        self._compare_survivors()
        self.checker.observe(self.read())
        self._flush_errors()

    def _flush_errors(self) -> None:
        for record in self._errors.records:
            self.checker.unexpected(
                datetime.fromtimestamp(record.created, UTC),
                f"logged by {record.name}: {record.getMessage()}"
                + (
                    f" ({record.exc_info[0].__name__})"
                    if record.exc_info and record.exc_info[0]
                    else ""
                ),
            )
        self._errors.records.clear()

    def _loop_exception(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        error = context.get("exception")
        self.checker.unexpected(
            dt_util.utcnow(),
            f"unhandled in the event loop: {context.get('message')}"
            + (f" ({type(error).__name__}: {error})" if error else ""),
        )

    # The run.

    async def run(self) -> BehaviourResult:
        """Run the soak and return what it measured."""
        real_start = _real_s()
        self.started = dt_util.utcnow()
        loop = asyncio.get_running_loop()
        previous_handler = loop.get_exception_handler()
        loop.set_exception_handler(self._loop_exception)
        logging.getLogger().addHandler(self._errors)
        await self.psacc.start("127.0.0.1", 0)
        await self.sim.start("127.0.0.1", 0)
        try:
            await self._set_up()
            if self.random_world:
                self._schedule()
            await self._loop()
        finally:
            await self.stop_hass()
            await self.sim.stop()
            await self.psacc.stop()
            # A task's exception nobody retrieved is only reported when the task is
            # collected: collect now, so it counts for this run and not the next.
            gc.collect()
            await asyncio.sleep(0)
            self._flush_errors()
            logging.getLogger().removeHandler(self._errors)
            loop.set_exception_handler(previous_handler)
        return BehaviourResult(
            behaviour=self.behaviour.value,
            simulated_hours=self.elapsed_s() / 3600,
            checker=self.checker,
            faults=self.faults,
            outcomes=self.outcomes,
            requests=self.sim.requests,
            unsettled=self.unsettled,
            unsettled_at=self.unsettled_at,
            real_s=_real_s() - real_start,
        )

    async def _set_up(self) -> None:
        self.psacc.plug(VIN, charge=False)
        await self.start_hass()
        # Let the car report once, so smart charging knows it.
        await self.advance(SCAN_INTERVAL_S)
        await self.call(
            "select",
            "select_option",
            {"entity_id": LINKED, "option": CHARGER_TITLE},
            label="link the charger",
        )
        await self.call(
            DOMAIN,
            "set_charge_limits",
            {"device_id": self._device_id(VIN), "limit": 80, "floor": 20},
            label="set_charge_limits",
        )
        await self.smart_charging(True)
        self.outcomes.clear()

    async def _loop(self) -> None:
        end_s = self.hours * 3600
        self.observe()
        while (now_s := self.elapsed_s()) < end_s:
            next_s = min(self._queue[0].at_s, end_s) if self._queue else end_s
            step = max(self._until_next_timer_s(), MIN_STEP_S)
            step = min(step, MAX_STEP_S, next_s - now_s)
            if step > 0:
                await self.advance(step)
                self.observe()
            while self._queue and self._queue[0].at_s <= self.elapsed_s():
                event = heapq.heappop(self._queue)
                _LOGGER.debug(
                    "%s: %s", dt_util.utcnow().strftime("%H:%M:%S"), event.name
                )
                await event.action(self)
                await self.settle()
                self.observe()

    # The random world.

    def _schedule(self) -> None:
        rng = self.rng
        end_s = self.hours * 3600
        margin = 10 * 60
        for kind, per_day in FAULTS_PER_DAY.items():
            count = math.ceil(per_day * self.hours / 24)
            for _ in range(count):
                self._push(rng.uniform(margin, end_s - margin), kind, _FAULTS[kind])
        at = rng.expovariate(1 / (ASK_EVERY_MIN * 60))
        while at < end_s:
            self._push(at, "person", _person)
            at += rng.expovariate(1 / (ASK_EVERY_MIN * 60))
        for day in range(math.ceil(self.hours / 24)):
            day_s = day * 86400
            leave = day_s + 5.5 * 3600 + rng.uniform(0, 3600)
            back = day_s + 15.5 * 3600 + rng.uniform(0, 5400)
            km = rng.uniform(30, 150)
            self._push(leave, "car leaves", _leave)
            self._push(back, "car is back", functools.partial(_come_back, km=km))
        for _ in range(math.ceil(SHORT_UNPLUGS_PER_DAY * self.hours / 24)):
            self._push(
                rng.uniform(margin, end_s - margin), "short unplug", _short_unplug
            )


def _real_s() -> float:
    """Return the wall clock, which freezegun leaves alone."""
    real: Callable[[], float] = freezegun.api.real_perf_counter
    return real()


def _float(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


# Events of the random world: each takes the world it acts on.


async def _leave(world: World) -> None:
    world.unplug()


async def _come_back(world: World, *, km: float) -> None:
    world.plug(km)


async def _short_unplug(world: World) -> None:
    if world.sim.battery is None:
        return
    world.unplug()
    world._push(  # noqa: SLF001 - the world's own queue
        world.elapsed_s() + world.rng.uniform(3 * 60, 20 * 60),
        "plugged again",
        lambda w: _come_back(w, km=0.0),
    )


async def _person(world: World) -> None:
    """One thing a person does, picked as people do."""
    rng = world.rng
    pick = rng.choices(
        (
            "charge for a while",
            "charge until changed",
            "discharge for a while",
            "discharge until changed",
            "pause",
            "switch on",
            "switch off",
            "charge current",
            "discharge current",
            "control home_assistant",
            "control wallbox_app",
            "charge now",
            "cancel charge now",
            "limits",
            "smart charging off and on",
            "Wallbox app",
            "mistake",
        ),
        weights=(14, 4, 12, 5, 8, 5, 5, 4, 4, 3, 3, 8, 2, 6, 2, 5, 5),
    )[0]
    match pick:
        case "charge for a while":
            await world.set_current(rng.randint(6, 32), rng.randint(3, 30))
        case "charge until changed":
            await world.set_current(rng.randint(6, 32))
        case "discharge for a while":
            await world.set_current(-rng.randint(6, 16), rng.randint(3, 30))
        case "discharge until changed":
            await world.set_current(-rng.randint(6, 16))
        case "pause":
            await world.pause(rng.randint(3, 20))
        case "switch on" | "switch off":
            await world.charging_switch(pick == "switch on")
        case "charge current":
            await world.charge_current(rng.randint(6, 32))
        case "discharge current":
            await world.discharge_current(rng.randint(6, 16))
        case "control home_assistant" | "control wallbox_app":
            await world.control(pick.removeprefix("control "))
        case "charge now":
            await world.charge_now(rng.choice((None, 15, 30, 60, 90)))
        case "cancel charge now":
            await world.call(
                DOMAIN,
                "cancel_charge_now",
                {"device_id": world._device_id(VIN)},  # noqa: SLF001
                label="cancel_charge_now",
            )
        case "limits":
            limit = rng.randint(60, 95)
            await world.set_limits(limit, rng.randint(10, min(40, limit - 10)))
        case "smart charging off and on":
            if await world.smart_charging(False) == "ok":
                world._push(  # noqa: SLF001 - the world's own queue
                    world.elapsed_s() + rng.uniform(10 * 60, 60 * 60),
                    "smart charging on again",
                    _smart_on,
                )
        case "Wallbox app":
            world.app_takes_over()
        case _:
            # Mistakes a person makes: refused, and nothing changes.
            if rng.random() < 0.5:
                await world.set_current(3, 30)
            else:
                await world.set_current(16, 0)


async def _smart_on(world: World) -> None:
    await world.smart_charging(True)


def _postponed(world: World, kinds: Sequence[str], name: str, action: Action) -> bool:
    """Put an event back after a fault of these kinds in progress; return whether."""
    end = world.busy(*kinds)
    if end is None:
        return False
    world._push(end + 30, name, action)  # noqa: SLF001 - the world's own queue
    return True


async def _maybe_ask(world: World, chance: float) -> None:
    """Sometimes a person acts right as a fault begins."""
    if world.rng.random() < chance:
        await _person(world)


async def _dropped_connection(world: World) -> None:
    world.fault("dropped_connection", 2.0)
    if world.hass is not None and world.rng.random() < 0.5:
        # Under a command: the link goes as its first request is on the way.
        world.hass.loop.call_soon(world.sim.drop_connections)
        await _person(world)
    else:
        world.sim.drop_connections()


async def _exception_reply(world: World) -> None:
    if _postponed(world, ("exception_reply",), "exception_reply", _exception_reply):
        return
    # DEVICE_FAILURE or DEVICE_BUSY, to every request, for a while.
    world.sim.fail_with_exception = world.rng.choice((4, 6))
    world.fault("exception_reply", world.rng.uniform(5, 60))
    await _maybe_ask(world, 0.3)


async def _slow_reply(world: World) -> None:
    if _postponed(world, ("slow_reply",), "slow_reply", _slow_reply):
        return
    # Until one request has been answered late: the next poll, or a command.
    world.sim.delay_s = SLOW_REPLY_S
    world._slow_after = world.sim.requests  # noqa: SLF001 - the world's own state
    world.fault("slow_reply", math.inf)
    await _maybe_ask(world, 0.3)


async def _refused_write(world: World) -> None:
    if _postponed(world, ("refused_write",), "refused_write", _refused_write):
        return
    address = world.rng.choice((REG_ACTION, REG_CURRENT_SETPOINT, REG_CONTROL))
    world.sim.fail_writes = {address: 4}
    world.fault("refused_write", world.rng.uniform(10, 120))
    await _maybe_ask(world, 0.5)


async def _reboot(world: World) -> None:
    if _postponed(world, tuple(WHOLE_FAULTS), "reboot", _reboot):
        return
    # Some reboots fall between two polls, some are seen by a few failed ones.
    world.reboot(world.rng.uniform(15, 90))


async def _outage(world: World) -> None:
    if _postponed(world, tuple(WHOLE_FAULTS), "outage", _outage):
        return
    world.outage(world.rng.uniform(IDLE_TIMEOUT_S + 30, 400))


async def _reload(world: World) -> None:
    if _postponed(world, tuple(WHOLE_FAULTS), "reload", _reload):
        return
    entry_id = QUASAR_ENTRY_ID if world.rng.random() < 0.75 else PSACC_ENTRY_ID
    await world.reload(entry_id)


async def _restart(world: World) -> None:
    if _postponed(world, tuple(WHOLE_FAULTS), "restart", _restart):
        return
    await world.restart(world.rng.uniform(5, 120))


_FAULTS: Final[Mapping[str, Action]] = {
    "dropped_connection": _dropped_connection,
    "exception_reply": _exception_reply,
    "slow_reply": _slow_reply,
    "refused_write": _refused_write,
    "reboot": _reboot,
    "outage": _outage,
    "reload": _reload,
    "restart": _restart,
}


# --- running it ------------------------------------------------------------------


async def soak(
    freezer: Freezer,
    *,
    behaviour: IdleBehaviour,
    hours: float = HOURS,
    seed: int = SEED,
    random_world: bool = True,
    script: Sequence[Scripted] = (),
    start_soc_pct: float | None = None,
) -> BehaviourResult:
    """Run one behaviour's soak: ``hours`` of simulated time, the world of ``seed``.

    ``random_world`` False leaves only ``script`` (and a car plugged in from the
    start, at ``start_soc_pct``): the bench's tests use it to break one thing at a
    time.
    """
    # Before the simulators exist: their clocks must never go back.
    freezer.move_to(START)
    with tempfile.TemporaryDirectory() as config_dir, mock_storage():
        world = World(
            freezer,
            behaviour=behaviour,
            hours=hours,
            seed=seed,
            random_world=random_world,
            script=script,
            config_dir=config_dir,
            start_soc_pct=start_soc_pct,
        )
        return await world.run()


async def soak_all(freezer: Freezer, *, hours: float, seed: int) -> dict[str, Any]:
    """Run the soak once per idle-timeout behaviour; return the JSON's content."""
    results = [
        await soak(freezer, behaviour=behaviour, hours=hours, seed=seed)
        for behaviour in IdleBehaviour
    ]
    faults: Counter[str] = Counter()
    violations: Counter[str] = Counter(dict.fromkeys(INVARIANTS, 0))
    examples: dict[str, list[str]] = {}
    checks = 0
    requests = 0
    unsettled = 0
    for result in results:
        unsettled += result.unsettled
        faults.update(result.faults)
        violations.update(result.checker.violations)
        checks += result.checker.checks.total()
        requests += result.requests
        for key, found in result.checker.examples.items():
            kept = examples.setdefault(key, [])
            kept.extend(f"{result.behaviour}: {example}" for example in found)
    simulated = sum(result.simulated_hours for result in results)
    return {
        "simulated_hours": round(simulated, 2),
        "seed": seed,
        "behaviours": {result.behaviour: result.as_dict() for result in results},
        "violations": {key: violations[key] for key in INVARIANTS},
        "examples": {
            key: kept[:EXAMPLES_KEPT] for key, kept in examples.items() if kept
        },
        "faults": dict(sorted(faults.items())),
        "checks": checks,
        "requests": round(requests / simulated, 1),
        "requests_total": requests,
        "unsettled_steps": unsettled,
        "scenario": {
            "scan_interval_s": SCAN_INTERVAL_S,
            "idle_timeout_s": IDLE_TIMEOUT_S,
            "slow_reply_s": SLOW_REPLY_S,
            "graces_s": {"I1": GRACE_I1_S, "I2": GRACE_I2_S, "I3": GRACE_I3_S},
            "faults_per_day": dict(FAULTS_PER_DAY),
            "person_acts_every_min": ASK_EVERY_MIN,
        },
    }


def _patch_freezegun() -> None:
    """Make freezegun move Home Assistant's clock, as its test plugin does."""
    api: Any = freezegun.api
    api.FakeDate = patch_time.HAFakeDate
    api.datetime_to_fakedatetime = patch_time.ha_datetime_to_fakedatetime
    api.FakeDatetime = patch_time.HAFakeDatetime
    api._get_module_attributes = patch_time.ha_get_module_attributes  # noqa: SLF001
    api._get_module_attributes_hash = patch_time.ha_get_module_attributes_hash  # noqa: SLF001
    api._should_use_real_time = patch_time.ha_should_use_real_time  # noqa: SLF001
    api.get_current_time = patch_time.ha_get_current_time


def _print(result: dict[str, Any], real_s: float) -> None:
    print(
        f"{'behaviour':<11}{'hours':>7}{'checks':>9}"
        + "".join(f"{key:>5}" for key in INVARIANTS)
        + f"{'requests/h':>12}{'unsettled':>11}{'real s':>8}"
    )
    for name, behaviour in result["behaviours"].items():
        print(
            f"{name:<11}{behaviour['simulated_hours']:>7.1f}{behaviour['checks']:>9}"
            + "".join(f"{behaviour['violations'][key]:>5}" for key in INVARIANTS)
            + f"{behaviour['requests_per_hour']:>12}"
            + f"{behaviour['unsettled_steps']:>11}{behaviour['real_s']:>8}"
        )
    print(
        f"{'total':<11}{result['simulated_hours']:>7.1f}{result['checks']:>9}"
        + "".join(f"{result['violations'][key]:>5}" for key in INVARIANTS)
        + f"{result['requests']:>12}{result['unsettled_steps']:>11}"
    )
    print("faults: " + ", ".join(f"{k} {v}" for k, v in result["faults"].items()))
    for key, examples in result["examples"].items():
        for example in examples:
            print(f"  {key} {example}")
    print(f"ran in {real_s:.0f} s")


def main(argv: list[str] | None = None) -> None:
    """Run both behaviours' soaks, print the table and write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.control_soak")
    parser.add_argument("--hours", type=float, default=HOURS, help="per behaviour")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    # Errors reach the soak's own handler (I4); nothing is printed but the table.
    logging.getLogger().setLevel(logging.ERROR)
    logging.getLogger().addHandler(logging.NullHandler())
    started = _real_s()
    _patch_freezegun()
    with freeze_time(START, tick=True) as freezer:
        result = asyncio.run(soak_all(freezer, hours=args.hours, seed=args.seed))
    real_s = _real_s() - started
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _print(result, real_s)


if __name__ == "__main__":
    main()
