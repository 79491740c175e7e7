"""What a car's charge should do now: the limit, the floor, the plan, in that order.

One pure function, :func:`decide`, takes what is known (settings, the newest SoC with
its time, the plug, the power) and returns a :class:`Decision`: the plan's state, whether
the charge should run (or be left alone), and when to look again. The caller applies
it through the most precise layer it has and calls again on every new reading.

Order of precedence, each a promise to the owner:

1. Smart charging off: we never touch the charge.
2. No car plugged, or data too old to trust: we do not act (a decision resting on a
   stale SoC is how limits are overshot or cars left empty).
3. The limit: a charge is stopped ahead of the limit, allowing for the command's
   latency; an owner's limit of 100 % is left to the car (its balancing trickle at a
   reported 100 % is not a reason to stop).
4. The floor: below it the car charges at once, whatever the plan says.
5. "Charge now": for some minutes or up to the limit, then back to the plan.
6. The plan: off-peak windows, the cheapest priced slots, or any time; ready by the
   owner's departure.

Every datetime a :class:`Decision` holds is in UTC, as the planner's are: Python adds
and compares two datetimes that share a tzinfo by their wall clocks, so local times
in the repeated hour of an autumn night would put ``wake_at`` an hour late.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from .limiter import (
    CAR_STALE_AFTER_S,
    charge_duration_s,
    estimate_soc,
    is_fresh,
    stop_at,
)
from .planner import (
    ChargePlan,
    OffPeakWindow,
    PriceSlot,
    _instant,
    _zone,
    plan_prices,
    plan_windows,
)

# A car stopped at its limit is not restarted for a point or two of drift: each start
# costs a cloud call and wakes the car for a few minutes of charge.
RESTART_BELOW_LIMIT_PTS = 2.0
# When the car does not say its capacity and none has been learned yet, plan as if the
# battery were large: the plan then books more time than needed, and the limit still
# stops the charge where the owner wants it. Erring the other way would miss ready-by.
ASSUMED_CAPACITY_KWH = 100.0
# Likewise a car never seen charging is assumed to charge slowly (a 16 A single phase).
ASSUMED_POWER_KW = 3.7
# Nothing is decided further ahead than this: a new reading normally comes first, but a
# plan whose inputs do not change must still be looked at again.
MAX_WAIT = timedelta(minutes=15)


class PlanState(StrEnum):
    """What the plan is doing for a car, as the plan-state sensor shows it."""

    SMART_CHARGING_OFF = "smart_charging_off"
    NOT_PLUGGED = "not_plugged"
    DATA_TOO_OLD = "data_too_old"
    BELOW_FLOOR_CHARGING = "below_floor_charging"
    CHARGING_NOW = "charging_now"
    WAITING_FOR_OFF_PEAK = "waiting_for_off_peak"
    CHARGING_IN_WINDOW = "charging_in_window"
    LIMIT_REACHED = "limit_reached"
    # A person's own command holds the car or its charger: the plan waits for it.
    HELD_BY_YOU = "held_by_you"


class OffPeakSource(StrEnum):
    """Where cheap hours come from."""

    ANY_TIME = "any_time"
    WINDOWS = "windows"
    PRICES = "prices"


@dataclass(frozen=True, kw_only=True, slots=True)
class ChargeNow:
    """An owner's "charge now": until a time, or (``until`` None) up to the limit."""

    until: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SmartSettings:
    """What the owner chose for one car."""

    enabled: bool
    limit_pct: float
    floor_pct: float
    ready_by: time
    source: OffPeakSource
    windows: tuple[OffPeakWindow, ...] = ()
    charge_now: ChargeNow | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SocReading:
    """The newest state of charge and how it is moving, with the time it is true for.

    ``power_kw`` is the power flowing into the car at ``as_of`` (None: unknown);
    ``charging`` whether a charge is running now as far as we know.
    """

    soc_pct: float
    as_of: datetime
    stale_after_s: float = CAR_STALE_AFTER_S
    power_kw: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CarSituation:
    """What is known about a car when a decision is taken."""

    now: datetime
    plugged: bool | None
    charging: bool
    soc: SocReading | None
    capacity_kwh: float | None
    # The wall power this car charges at when it charges (the last one seen).
    charge_power_kw: float | None
    # How long a stop takes to bite through the layer that will carry it.
    latency_s: float
    # When a stop we sent after the reading took effect: the SoC rose until then.
    stopped_at: datetime | None = None
    # The car enforces the limit itself (its own target is set to ours).
    car_enforces_limit: bool = False
    prices: Sequence[PriceSlot] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """What to do now, and what the sensors show.

    ``charge`` is True to start or keep charging, False to stop or keep stopped, None
    to leave the charge as it is.
    """

    state: PlanState
    charge: bool | None
    wake_at: datetime
    estimated_soc_pct: float | None = None
    estimated_at: datetime | None = None
    stop_at: datetime | None = None
    plan: ChargePlan | None = None
    needed_s: float | None = None

    @property
    def next_start(self) -> datetime | None:
        """Return when charging starts next by the plan (or is running since)."""
        if self.plan is None:
            return None
        return self.plan.next_start(self.estimated_at or self.wake_at)

    @property
    def expected_end(self) -> datetime | None:
        """Return when the plan expects the charge to end."""
        return None if self.plan is None else self.plan.expected_end


def next_ready_by(now: datetime, ready_by: time) -> datetime:
    """Return (in UTC) when the car must next be ready, ``ready_by`` on ``now``'s clock.

    Read as the planner reads a window's start: a time the clock skips on a spring
    night is the moment of the jump (the first moment the clock is past it), a time
    it shows twice on an autumn night is its first showing.
    """
    tz = _zone(now)
    wall = ready_by.replace(microsecond=0)
    today = now.astimezone(tz).date()
    at = _instant(today, wall, tz, last=False)
    if at <= now:
        at = _instant(today + timedelta(days=1), wall, tz, last=False)
    return at


def decide(settings: SmartSettings, car: CarSituation) -> Decision:
    """Return what the charge of one car should do now."""
    now = car.now.astimezone(UTC)
    later = now + MAX_WAIT
    soc = car.soc
    fresh = soc is not None and is_fresh(
        soc.as_of.timestamp(), now.timestamp(), soc.stale_after_s
    )
    if soc is None or not fresh:
        base = Decision(state=PlanState.DATA_TOO_OLD, charge=None, wake_at=later)
    else:
        base = _estimate(car, soc, later)
    # The estimate is shown whatever the plan does; only acting on it needs the rest.
    if not settings.enabled:
        return replace(base, state=PlanState.SMART_CHARGING_OFF, charge=None)
    if car.plugged is False:
        return replace(base, state=PlanState.NOT_PLUGGED, charge=None)
    if soc is None or not fresh or car.plugged is None:
        return replace(base, state=PlanState.DATA_TOO_OLD, charge=None)
    estimated = base.estimated_soc_pct
    assert estimated is not None
    capacity = car.capacity_kwh
    power = soc.power_kw if car.charging else None
    limit = settings.limit_pct
    send_stop = None
    if limit < 100 and not car.car_enforces_limit:
        if car.charging:
            at = stop_at(
                soc_pct=soc.soc_pct,
                as_of=soc.as_of.timestamp(),
                power_kw=power,
                capacity_kwh=capacity,
                limit_pct=limit,
                latency_s=car.latency_s,
            )
            send_stop = None if at is None else datetime.fromtimestamp(at, UTC)
        if estimated >= limit or (send_stop is not None and send_stop <= now):
            return replace(base, charge=False)
    if estimated >= limit or (
        not car.charging and estimated >= limit - RESTART_BELOW_LIMIT_PTS
    ):
        # Reached: a running charge is the car's to end (its own limit, or a balancing
        # charge to 100 %); a stopped one is not restarted for a point or two.
        return replace(base, charge=None if car.charging else False)
    if send_stop is not None:
        base = replace(base, wake_at=min(base.wake_at, send_stop), stop_at=send_stop)

    if estimated < settings.floor_pct:
        return replace(base, state=PlanState.BELOW_FLOOR_CHARGING, charge=True)

    charge_now = settings.charge_now
    until = None
    if charge_now is not None and charge_now.until is not None:
        until = charge_now.until.astimezone(UTC)
    if charge_now is not None and (until is None or until > now):
        wake_at = base.wake_at
        if until is not None:
            wake_at = min(wake_at, until)
        return replace(base, state=PlanState.CHARGING_NOW, charge=True, wake_at=wake_at)

    needed_s = charge_duration_s(
        soc_pct=estimated,
        target_pct=limit,
        capacity_kwh=capacity or ASSUMED_CAPACITY_KWH,
        power_kw=car.charge_power_kw or ASSUMED_POWER_KW,
    )
    plan = _plan(settings, car, needed_s)
    charging_now = plan.charging_at(now)
    wake_at = base.wake_at
    for start, end in plan.intervals:
        # Wake at the next edge of the plan.
        edge = start if start > now else end
        if edge > now:
            wake_at = min(wake_at, edge)
            break
    return replace(
        base,
        state=(
            PlanState.CHARGING_IN_WINDOW
            if charging_now
            else PlanState.WAITING_FOR_OFF_PEAK
        ),
        charge=charging_now,
        wake_at=wake_at,
        plan=plan,
        needed_s=needed_s,
    )


def _estimate(car: CarSituation, soc: SocReading, later: datetime) -> Decision:
    """Return a decision that only holds the SoC estimated from a fresh reading."""
    now = car.now.astimezone(UTC)
    # The SoC rose from the reading until now, or until our stop took effect.
    until = now if car.charging else car.stopped_at
    estimated = estimate_soc(
        soc_pct=soc.soc_pct,
        as_of=soc.as_of.timestamp(),
        now=min(now, until or now).timestamp(),
        power_kw=soc.power_kw if until is not None else None,
        capacity_kwh=car.capacity_kwh,
    )
    # A stale reading can never be used later either: look again when it turns stale.
    return Decision(
        state=PlanState.LIMIT_REACHED,
        charge=None,
        wake_at=min(
            later, soc.as_of.astimezone(UTC) + timedelta(seconds=soc.stale_after_s)
        ),
        estimated_soc_pct=estimated,
        estimated_at=now,
    )


def _plan(settings: SmartSettings, car: CarSituation, needed_s: float) -> ChargePlan:
    now = car.now
    ready_by = next_ready_by(now, settings.ready_by)
    if settings.source is OffPeakSource.PRICES and car.prices:
        return plan_prices(
            now=now, needed_s=needed_s, slots=car.prices, ready_by=ready_by
        )
    # Without prices (the sensor is away), the windows still say when power is cheap.
    windows = settings.windows if settings.source is not OffPeakSource.ANY_TIME else ()
    return plan_windows(now=now, needed_s=needed_s, windows=windows, ready_by=ready_by)
