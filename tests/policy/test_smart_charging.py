"""What one car's charge should do now, from plain values: no Home Assistant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.ev_charge_control.policy.limiter import (
    CAR_STALE_AFTER_S,
    CLOUD_LATENCY_S,
    charge_duration_s,
    estimate_soc,
)
from custom_components.ev_charge_control.policy.planner import OffPeakWindow, PriceSlot
from custom_components.ev_charge_control.policy.smart_charging import (
    ASSUMED_CAPACITY_KWH,
    ASSUMED_POWER_KW,
    MAX_WAIT,
    RESTART_BELOW_LIMIT_PTS,
    CarSituation,
    ChargeNow,
    Decision,
    OffPeakSource,
    PlanState,
    SmartSettings,
    SocReading,
    decide,
    next_ready_by,
)

PARIS = ZoneInfo("Europe/Paris")
NIGHT = OffPeakWindow(start=time(22), end=time(6))
# A Wednesday in winter (UTC+1), at noon: the night window is ahead.
NOON = datetime(2026, 1, 14, 12, tzinfo=PARIS)
CAPACITY_KWH = 50.0
POWER_KW = 7.4


def paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """Return a wall-clock time in Paris (fold=1: the second showing of an hour)."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS, fold=fold)


def seconds(later: datetime, earlier: datetime) -> float:
    """Return the real time between two instants (aware subtraction in one zone is wall-clock)."""
    return later.timestamp() - earlier.timestamp()


def settings(**changes: Any) -> SmartSettings:
    """Return an owner's usual choice: 20-80 %, ready at 07:00, a 22:00-06:00 window."""
    base = SmartSettings(
        enabled=True,
        limit_pct=80.0,
        floor_pct=20.0,
        ready_by=time(7),
        source=OffPeakSource.WINDOWS,
        windows=(NIGHT,),
    )
    return replace(base, **changes)


def car(
    *,
    now: datetime = NOON,
    soc_pct: float = 50.0,
    age: timedelta = timedelta(minutes=10),
    power_kw: float | None = None,
    **changes: Any,
) -> CarSituation:
    """Return a plugged, idle car with a reading ``age`` (real time) old, in Paris time."""
    as_of = (now.astimezone(UTC) - age).astimezone(PARIS)
    base = CarSituation(
        now=now,
        plugged=True,
        charging=False,
        soc=SocReading(soc_pct=soc_pct, as_of=as_of, power_kw=power_kw),
        capacity_kwh=CAPACITY_KWH,
        charge_power_kw=POWER_KW,
        latency_s=CLOUD_LATENCY_S,
    )
    return replace(base, **changes)


def charging(**kwargs: Any) -> CarSituation:
    """Return a car charging at 11 kW (the reading's power)."""
    kwargs.setdefault("power_kw", 11.0)
    return car(charging=True, **kwargs)


def assert_waits_within_bounds(decision: Decision, situation: CarSituation) -> None:
    """Never later than MAX_WAIT, never after the reading turns stale, never before now."""
    now = situation.now
    assert 0 <= seconds(decision.wake_at, now) <= MAX_WAIT.total_seconds()
    if situation.soc is not None:
        stale = situation.soc.as_of.timestamp() + situation.soc.stale_after_s
        if stale >= now.timestamp():
            assert decision.wake_at.timestamp() <= stale


# --- before acting: off, unplugged, data too old ---------------------------------------


def test_smart_charging_off_leaves_the_charge_but_shows_the_estimate() -> None:
    """Off: nothing is touched, even below the floor, and the estimate still moves."""
    situation = charging(soc_pct=10.0, age=timedelta(minutes=30))
    decision = decide(settings(enabled=False), situation)
    assert decision.state is PlanState.SMART_CHARGING_OFF
    assert decision.charge is None
    assert decision.plan is None
    assert decision.estimated_soc_pct is not None
    assert decision.estimated_soc_pct > 10.0
    assert decision.estimated_at == NOON
    # With nothing fresh, there is nothing to show.
    stale = car(age=timedelta(seconds=CAR_STALE_AFTER_S + 1))
    off = decide(settings(enabled=False), stale)
    assert off.state is PlanState.SMART_CHARGING_OFF
    assert off.estimated_soc_pct is None


def test_not_plugged_is_left_alone() -> None:
    """Unplugged: no command, even far below the floor; the estimate stays shown."""
    decision = decide(settings(), car(soc_pct=5.0, plugged=False))
    assert decision.state is PlanState.NOT_PLUGGED
    assert decision.charge is None
    assert decision.estimated_soc_pct == 5.0


@pytest.mark.parametrize(
    ("situation", "shows_estimate"),
    [
        pytest.param(car(soc_pct=5.0, soc=None), False, id="no reading"),
        pytest.param(
            car(soc_pct=5.0, age=timedelta(seconds=CAR_STALE_AFTER_S + 1)),
            False,
            id="stale reading",
        ),
        pytest.param(
            car(soc_pct=5.0, age=timedelta(minutes=-10)), False, id="from the future"
        ),
        pytest.param(car(soc_pct=5.0, plugged=None), True, id="plug unknown"),
    ],
)
def test_data_too_old_is_never_acted_upon(
    situation: CarSituation, shows_estimate: bool
) -> None:
    """A car reading 5 % is not started on data that cannot be trusted."""
    decision = decide(settings(), situation)
    assert decision.state is PlanState.DATA_TOO_OLD
    assert decision.charge is None
    assert decision.plan is None
    assert (decision.estimated_soc_pct == 5.0) is shows_estimate
    assert_waits_within_bounds(decision, situation)
    if not shows_estimate:
        assert decision.wake_at == NOON + MAX_WAIT


# --- the floor and "charge now" --------------------------------------------------------


def test_below_floor_charges_at_once() -> None:
    """Below the floor the car charges now, though the window is hours away."""
    decision = decide(settings(), car(soc_pct=15.0))
    assert decision.state is PlanState.BELOW_FLOOR_CHARGING
    assert decision.charge is True
    # No plan behind it: the sensors show no start or end.
    assert decision.plan is None
    assert decision.next_start is None
    assert decision.expected_end is None


def test_charge_now_until_a_time() -> None:
    """Charge now until a time: charging, and looked at again when it runs out."""
    until = NOON + timedelta(minutes=10)
    decision = decide(settings(charge_now=ChargeNow(until=until)), car())
    assert decision.state is PlanState.CHARGING_NOW
    assert decision.charge is True
    assert decision.wake_at == until


def test_charge_now_to_the_limit() -> None:
    """Charge now without an end: charging until the limit, then stopped."""
    chosen = settings(charge_now=ChargeNow())
    decision = decide(chosen, car())
    assert decision.state is PlanState.CHARGING_NOW
    assert decision.charge is True
    assert decision.wake_at == NOON + MAX_WAIT
    done = decide(chosen, charging(soc_pct=80.0))
    assert done.state is PlanState.LIMIT_REACHED
    assert done.charge is False


def test_expired_charge_now_falls_back_to_the_plan() -> None:
    """A charge-now that ended a minute ago no longer charges at noon."""
    expired = ChargeNow(until=NOON - timedelta(minutes=1))
    decision = decide(settings(charge_now=expired), car())
    assert decision.state is PlanState.WAITING_FOR_OFF_PEAK
    assert decision.charge is False


# --- the plan: windows, prices, any time ---------------------------------------------


def test_waiting_for_off_peak() -> None:
    """At noon the night window is ahead: stopped, next start at 22:00."""
    situation = car()
    decision = decide(settings(), situation)
    window_start = paris(2026, 1, 14, 22)
    assert decision.state is PlanState.WAITING_FOR_OFF_PEAK
    assert decision.charge is False
    assert decision.next_start == window_start
    assert decision.wake_at <= window_start
    assert decision.plan is not None
    assert decision.plan.ready_by_met
    assert decision.needed_s is not None
    assert decision.expected_end == window_start + timedelta(seconds=decision.needed_s)
    assert_waits_within_bounds(decision, situation)


def test_wakes_at_the_window_start() -> None:
    """Five minutes before the window opens, the next look is at its start."""
    situation = car(now=paris(2026, 1, 14, 21, 55))
    decision = decide(settings(), situation)
    assert decision.state is PlanState.WAITING_FOR_OFF_PEAK
    assert decision.wake_at == paris(2026, 1, 14, 22)


def test_charging_in_window() -> None:
    """At 23:00 the window is open: charging, and the wait ends with the plan's end."""
    now = paris(2026, 1, 14, 23)
    decision = decide(settings(), car(now=now, soc_pct=77.0))
    assert decision.state is PlanState.CHARGING_IN_WINDOW
    assert decision.charge is True
    assert decision.next_start == now
    assert decision.needed_s is not None
    # A few points need less than MAX_WAIT: wake when the plan ends.
    assert decision.needed_s < MAX_WAIT.total_seconds()
    assert decision.wake_at == now + timedelta(seconds=decision.needed_s)


def _prices() -> tuple[PriceSlot, ...]:
    """Hourly prices from noon to 07:00, cheapest from 03:00 to 04:00."""
    start = NOON.astimezone(UTC)
    slots = []
    for hour in range(19):
        begin = start + timedelta(hours=hour)
        cheap = begin == paris(2026, 1, 15, 3)
        slots.append(
            PriceSlot(
                start=begin, end=begin + timedelta(hours=1), price=1 if cheap else 10
            )
        )
    return tuple(slots)


def test_prices_choose_the_cheapest_slot() -> None:
    """With prices, the charge goes to the cheapest hour, not the window's start."""
    decision = decide(
        settings(source=OffPeakSource.PRICES), car(soc_pct=75.0, prices=_prices())
    )
    cheapest = paris(2026, 1, 15, 3)
    assert decision.state is PlanState.WAITING_FOR_OFF_PEAK
    assert decision.charge is False
    assert decision.next_start == cheapest
    assert decision.plan is not None
    assert decision.needed_s is not None
    assert decision.plan.intervals == (
        (cheapest, cheapest + timedelta(seconds=decision.needed_s)),
    )


def test_prices_without_slots_fall_back_to_the_windows() -> None:
    """The price sensor is away: the windows still say when power is cheap."""
    decision = decide(settings(source=OffPeakSource.PRICES), car(prices=()))
    assert decision.state is PlanState.WAITING_FOR_OFF_PEAK
    assert decision.next_start == paris(2026, 1, 14, 22)


def test_any_time_ignores_the_windows() -> None:
    """Any time: the charge starts at once although a window is set."""
    decision = decide(settings(source=OffPeakSource.ANY_TIME), car())
    assert decision.state is PlanState.CHARGING_IN_WINDOW
    assert decision.charge is True
    assert decision.next_start == NOON


# --- the limit ------------------------------------------------------------------------


def test_limit_reached_by_the_estimate_stops_the_charge() -> None:
    """A reading of 78 % twenty minutes ago at 11 kW is past 80 % now: stop."""
    situation = charging(soc_pct=78.0, age=timedelta(minutes=20))
    decision = decide(settings(), situation)
    assert decision.estimated_soc_pct is not None
    assert decision.estimated_soc_pct > 80.0
    assert decision.state is PlanState.LIMIT_REACHED
    assert decision.charge is False


def test_stop_is_sent_ahead_by_the_latency() -> None:
    """The stop is planned so that the SoC reaches the limit as it bites."""
    situation = charging(soc_pct=70.0, age=timedelta(minutes=5))
    decision = decide(settings(), situation)
    assert decision.charge is False  # still waiting for the window at noon
    assert decision.stop_at is not None
    assert decision.stop_at > NOON
    assert decision.wake_at <= decision.stop_at
    assert situation.soc is not None
    reached = estimate_soc(
        soc_pct=70.0,
        as_of=situation.soc.as_of.timestamp(),
        now=decision.stop_at.timestamp() + CLOUD_LATENCY_S,
        power_kw=11.0,
        capacity_kwh=CAPACITY_KWH,
    )
    assert reached == pytest.approx(80.0, abs=1e-6)

    # Once the stop is due, it goes although the estimate is still below the limit.
    at_stop = charging(
        now=decision.stop_at + timedelta(seconds=1),
        soc_pct=70.0,
        age=decision.stop_at + timedelta(seconds=1) - situation.soc.as_of,
    )
    due = decide(settings(), at_stop)
    assert due.estimated_soc_pct is not None
    assert due.estimated_soc_pct < 80.0
    assert due.state is PlanState.LIMIT_REACHED
    assert due.charge is False


def test_stop_ahead_wakes_the_plan_in_time() -> None:
    """Charging in the window close to the limit: the next look is the stop."""
    now = paris(2026, 1, 14, 23)
    situation = charging(now=now, soc_pct=78.0, age=timedelta(minutes=1))
    decision = decide(settings(), situation)
    assert decision.state is PlanState.CHARGING_IN_WINDOW
    assert decision.charge is True
    assert decision.stop_at is not None
    assert decision.wake_at == decision.stop_at
    assert seconds(decision.stop_at, now) < MAX_WAIT.total_seconds()


@pytest.mark.parametrize("soc_pct", [78.0, 79.0, 80.0])
def test_no_restart_for_a_point_or_two(soc_pct: float) -> None:
    """Stopped within RESTART_BELOW_LIMIT_PTS of the limit: not restarted, even in the window."""
    now = paris(2026, 1, 14, 23)
    assert soc_pct >= 80.0 - RESTART_BELOW_LIMIT_PTS
    decision = decide(settings(), car(now=now, soc_pct=soc_pct))
    assert decision.state is PlanState.LIMIT_REACHED
    assert decision.charge is False


def test_restart_below_the_drift() -> None:
    """Just under the restart margin, the window charges again."""
    now = paris(2026, 1, 14, 23)
    soc_pct = 80.0 - RESTART_BELOW_LIMIT_PTS - 0.1
    decision = decide(settings(), car(now=now, soc_pct=soc_pct))
    assert decision.state is PlanState.CHARGING_IN_WINDOW
    assert decision.charge is True


def test_limit_100_is_left_to_the_car() -> None:
    """A charge to 100 % is never stopped: the balancing trickle is the car's."""
    full = settings(limit_pct=100.0)
    decision = decide(full, charging(soc_pct=100.0))
    assert decision.state is PlanState.LIMIT_REACHED
    assert decision.charge is None
    assert decision.stop_at is None
    # Below 100 no stop is planned either.
    assert decide(full, charging(soc_pct=95.0)).stop_at is None
    # A car that stopped by itself at 100 is not restarted.
    stopped = decide(full, car(soc_pct=100.0))
    assert stopped.state is PlanState.LIMIT_REACHED
    assert stopped.charge is False


def test_car_enforcing_the_limit_is_left_alone() -> None:
    """The car's own target is set: it ends the charge, we send no stop."""
    situation = charging(soc_pct=80.0, car_enforces_limit=True)
    decision = decide(settings(), situation)
    assert decision.state is PlanState.LIMIT_REACHED
    assert decision.charge is None
    below = decide(settings(), charging(soc_pct=75.0, car_enforces_limit=True))
    assert below.stop_at is None


# --- the estimate ---------------------------------------------------------------------


def test_estimate_rises_while_charging() -> None:
    """Half an hour at 11 kW into 50 kWh: about ten points on a 40 % reading."""
    decision = decide(settings(), charging(soc_pct=40.0, age=timedelta(minutes=30)))
    expected = estimate_soc(
        soc_pct=40.0, as_of=0, now=1800, power_kw=11.0, capacity_kwh=CAPACITY_KWH
    )
    assert decision.estimated_soc_pct == pytest.approx(expected)
    assert decision.estimated_soc_pct == pytest.approx(40.0 + 100 * 11 * 0.92 / 50 / 2)
    assert decision.estimated_at == NOON


def test_estimate_stops_rising_when_our_stop_took_effect() -> None:
    """Stopped ten minutes after a reading taken thirty minutes ago: ten minutes of rise."""
    as_of = NOON - timedelta(minutes=30)
    stopped = car(
        soc_pct=40.0,
        age=timedelta(minutes=30),
        power_kw=11.0,
        stopped_at=as_of + timedelta(minutes=10),
    )
    decision = decide(settings(), stopped)
    expected = estimate_soc(
        soc_pct=40.0, as_of=0, now=600, power_kw=11.0, capacity_kwh=CAPACITY_KWH
    )
    assert decision.estimated_soc_pct == pytest.approx(expected)
    running = decide(settings(), charging(soc_pct=40.0, age=timedelta(minutes=30)))
    assert running.estimated_soc_pct is not None
    assert decision.estimated_soc_pct is not None
    assert decision.estimated_soc_pct < running.estimated_soc_pct


def test_estimate_is_not_extrapolated_when_not_charging() -> None:
    """Idle with a power in the reading and no stop of ours: the reading as it is."""
    decision = decide(settings(), car(soc_pct=40.0, power_kw=11.0))
    assert decision.estimated_soc_pct == 40.0


# --- unknown capacity and power ---------------------------------------------------------


def test_unknown_capacity_and_power_plan_conservatively() -> None:
    """Without the car's word, the plan books the time of a large, slow car."""
    known = decide(settings(), car())
    no_capacity = decide(settings(), car(capacity_kwh=None))
    no_power = decide(settings(), car(charge_power_kw=None))
    assert known.needed_s is not None
    assert no_capacity.needed_s is not None
    assert no_power.needed_s is not None
    assert no_capacity.needed_s > known.needed_s
    assert no_power.needed_s > known.needed_s
    assert no_capacity.needed_s == pytest.approx(
        charge_duration_s(
            soc_pct=50.0,
            target_pct=80.0,
            capacity_kwh=ASSUMED_CAPACITY_KWH,
            power_kw=POWER_KW,
        )
    )
    assert no_power.needed_s == pytest.approx(
        charge_duration_s(
            soc_pct=50.0,
            target_pct=80.0,
            capacity_kwh=CAPACITY_KWH,
            power_kw=ASSUMED_POWER_KW,
        )
    )


# --- ready-by and daylight saving time ------------------------------------------------


@pytest.mark.parametrize(
    ("now", "ready_by", "expected"),
    [
        pytest.param(
            paris(2026, 1, 14, 23, 30),
            time(7),
            paris(2026, 1, 15, 7),
            id="across midnight",
        ),
        pytest.param(
            paris(2026, 1, 14, 5), time(7), paris(2026, 1, 14, 7), id="later today"
        ),
        pytest.param(
            paris(2026, 1, 14, 7), time(7), paris(2026, 1, 15, 7), id="now is next day"
        ),
        pytest.param(
            paris(2026, 3, 28, 22),
            time(7),
            paris(2026, 3, 29, 7),
            id="spring forward",
        ),
        pytest.param(
            paris(2026, 10, 24, 22),
            time(7),
            paris(2026, 10, 25, 7),
            id="fall back",
        ),
        pytest.param(
            paris(2026, 3, 28, 23),
            time(2, 30),
            paris(2026, 3, 29, 3),
            id="skipped: the jump",
        ),
        pytest.param(
            paris(2026, 10, 24, 23),
            time(2, 30),
            paris(2026, 10, 25, 2, 30, fold=0),
            id="repeated: first showing",
        ),
    ],
)
def test_next_ready_by(now: datetime, ready_by: time, expected: datetime) -> None:
    """The next ready-by, at the same instant as the wall clock says, in UTC."""
    found = next_ready_by(now, ready_by)
    assert found.timestamp() == expected.timestamp()
    assert found.utcoffset() == timedelta(0)


def test_dst_nights_are_an_hour_shorter_or_longer() -> None:
    """22:00 to 07:00 is 8 real hours in spring and 10 in autumn."""
    spring = next_ready_by(paris(2026, 3, 28, 22), time(7))
    autumn = next_ready_by(paris(2026, 10, 24, 22), time(7))
    assert seconds(spring, paris(2026, 3, 28, 22)) == 8 * 3600
    assert seconds(autumn, paris(2026, 10, 24, 22)) == 10 * 3600


def test_plan_on_a_dst_night_is_ready_by_the_wall_clock() -> None:
    """On the spring night the plan's ready-by is 07:00 summer time."""
    now = paris(2026, 3, 28, 23)
    decision = decide(settings(), car(now=now))
    assert decision.plan is not None
    assert decision.plan.ready_by == paris(2026, 3, 29, 7)
    assert decision.plan.ready_by_met
    assert decision.charge is True


# --- when to look again ------------------------------------------------------------------


def test_wake_when_the_reading_turns_stale() -> None:
    """A reading 70 minutes old is looked at again when it turns stale, 5 minutes on."""
    situation = car(age=timedelta(minutes=70))
    decision = decide(settings(), situation)
    assert situation.soc is not None
    assert decision.wake_at == situation.soc.as_of + timedelta(
        seconds=CAR_STALE_AFTER_S
    )
    assert_waits_within_bounds(decision, situation)


def test_wake_in_the_repeated_autumn_hour() -> None:
    """At 02:50 summer time on 25 October the next look is 15 real minutes on, not 75."""
    now = paris(2026, 10, 25, 2, 50, fold=0)
    decision = decide(settings(), car(now=now))
    assert seconds(decision.wake_at, now) == MAX_WAIT.total_seconds()
    # At 02:55 summer time a reading from 01:50 turns stale at 02:05 winter time.
    later = paris(2026, 10, 25, 2, 55, fold=0)
    stale = car(now=later, age=timedelta(minutes=65))
    assert stale.soc is not None
    woken = decide(settings(), stale).wake_at
    assert seconds(woken, stale.soc.as_of) == CAR_STALE_AFTER_S
    # (An aware datetime in the repeated hour never compares equal across zones.)
    assert woken.timestamp() == paris(2026, 10, 25, 2, 5, fold=1).timestamp()


@pytest.mark.parametrize(
    "start",
    [
        pytest.param(paris(2026, 1, 14, 20), id="winter"),
        pytest.param(paris(2026, 3, 28, 20), id="spring forward"),
        pytest.param(paris(2026, 10, 24, 20), id="fall back"),
    ],
)
@pytest.mark.parametrize("age_min", [1, 30, 70])
@pytest.mark.parametrize("is_charging", [False, True])
def test_wake_is_bounded_through_the_night(
    start: datetime, age_min: int, is_charging: bool
) -> None:
    """Every 5 real minutes of a night, DST ones included, the wait stays bounded."""
    begin = start.astimezone(UTC)
    for step in range(12 * 12):
        now = (begin + timedelta(minutes=5 * step)).astimezone(PARIS)
        situation = car(
            now=now,
            soc_pct=60.0,
            age=timedelta(minutes=age_min),
            charging=is_charging,
            power_kw=11.0 if is_charging else None,
        )
        decision = decide(settings(), situation)
        assert decision.state is not PlanState.DATA_TOO_OLD
        assert_waits_within_bounds(decision, situation)
