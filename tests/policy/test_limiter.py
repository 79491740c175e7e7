"""The limiter with plain numbers: SoC estimate, when to stop, capacity learning."""

from __future__ import annotations

import pytest

from custom_components.ev_charge_control.policy.limiter import (
    CAR_STALE_AFTER_S,
    CHARGER_STALE_AFTER_S,
    CLOCK_SKEW_S,
    SEED_WEIGHT_PCT,
    CapacityLearner,
    SocTracker,
    charge_duration_s,
    estimate_soc,
    is_fresh,
    soc_rate_pct_per_h,
    stop_at,
)

H = 3600.0
# 11 kW into 50 kWh at 92 %: 20.24 points per hour below the taper.
RATE_11_50 = 100 * 11 * 0.92 / 50


def test_freshness_bounds() -> None:
    """Fresh up to the bound, stale after it; a car clock slightly ahead is tolerated."""
    assert is_fresh(0, CAR_STALE_AFTER_S, CAR_STALE_AFTER_S)
    assert not is_fresh(0, CAR_STALE_AFTER_S + 1, CAR_STALE_AFTER_S)
    assert not is_fresh(0, 121, CHARGER_STALE_AFTER_S)
    assert is_fresh(100, 100 - CLOCK_SKEW_S, CHARGER_STALE_AFTER_S)
    assert not is_fresh(100, 99 - CLOCK_SKEW_S, CHARGER_STALE_AFTER_S)


def test_rate() -> None:
    """Percent per hour from wall power, efficiency and capacity; nothing when full."""
    rate = soc_rate_pct_per_h(soc_pct=50, power_kw=11, capacity_kwh=50)
    assert rate == pytest.approx(RATE_11_50)
    assert soc_rate_pct_per_h(
        soc_pct=50, power_kw=11, capacity_kwh=50, efficiency=1.0
    ) == pytest.approx(22.0)
    assert soc_rate_pct_per_h(soc_pct=100, power_kw=11, capacity_kwh=50) == 0.0
    assert soc_rate_pct_per_h(soc_pct=50, power_kw=0, capacity_kwh=50) == 0.0
    with pytest.raises(ValueError, match="capacity"):
        soc_rate_pct_per_h(soc_pct=50, power_kw=11, capacity_kwh=0)


def test_estimate_below_taper_is_linear() -> None:
    """Half an hour at 11 kW into 50 kWh adds about ten points."""
    soc = estimate_soc(
        soc_pct=40, as_of=1000, now=1000 + H / 2, power_kw=11, capacity_kwh=50
    )
    assert soc == pytest.approx(40 + RATE_11_50 / 2)


def test_estimate_follows_the_taper() -> None:
    """Past 80 % the rise slows: less than linear, never above 100."""
    linear = 78 + RATE_11_50 * 1.0
    soc = estimate_soc(soc_pct=78, as_of=0, now=H, power_kw=11, capacity_kwh=50)
    assert 80 < soc < linear
    # A power measured in the taper is traced back to the same curve.
    later = estimate_soc(
        soc_pct=soc, as_of=H, now=2 * H, power_kw=_tapered(11, soc), capacity_kwh=50
    )
    direct = estimate_soc(soc_pct=78, as_of=0, now=2 * H, power_kw=11, capacity_kwh=50)
    assert later == pytest.approx(direct)
    assert estimate_soc(
        soc_pct=78, as_of=0, now=100 * H, power_kw=11, capacity_kwh=50
    ) == pytest.approx(100.0)
    assert (
        estimate_soc(soc_pct=100, as_of=0, now=H, power_kw=0.5, capacity_kwh=50) == 100
    )


def _tapered(full_kw: float, soc: float) -> float:
    return full_kw * (1 - 0.95 * (soc - 80) / 20) if soc > 80 else full_kw


@pytest.mark.parametrize(
    ("power_kw", "capacity_kwh", "now"),
    [
        (None, 50.0, H),
        (11.0, None, H),
        (0.0, 50.0, H),
        (11.0, 0.0, H),
        (11.0, 50.0, -5.0),
    ],
)
def test_estimate_unknown_gives_the_reading(
    power_kw: float | None, capacity_kwh: float | None, now: float
) -> None:
    """Without power, capacity, or time elapsed, the reading itself."""
    assert (
        estimate_soc(
            soc_pct=61, as_of=0, now=now, power_kw=power_kw, capacity_kwh=capacity_kwh
        )
        == 61
    )


def test_stop_at_is_ahead_by_the_latency() -> None:
    """From 70 % to 80 % at 20.24 points/h, minus 75 s for the command to act."""
    send = stop_at(
        soc_pct=70, as_of=5000, power_kw=11, capacity_kwh=50, limit_pct=80, latency_s=75
    )
    assert send == pytest.approx(5000 + 10 / RATE_11_50 * H - 75)
    # Consistent with the estimate: at the moment the stop acts, the SoC is the limit.
    assert send is not None
    assert estimate_soc(
        soc_pct=70, as_of=5000, now=send + 75, power_kw=11, capacity_kwh=50
    ) == pytest.approx(80)


def test_stop_at_into_the_taper_and_overdue() -> None:
    """A limit in the taper is reached later than linear; one passed is overdue."""
    send = stop_at(
        soc_pct=70, as_of=0, power_kw=11, capacity_kwh=50, limit_pct=90, latency_s=0
    )
    assert send is not None
    assert send > 20 / RATE_11_50 * H
    assert estimate_soc(
        soc_pct=70, as_of=0, now=send, power_kw=11, capacity_kwh=50
    ) == pytest.approx(90)
    overdue = stop_at(
        soc_pct=86, as_of=1000, power_kw=7, capacity_kwh=50, limit_pct=85, latency_s=75
    )
    assert overdue == pytest.approx(1000 - 75)


@pytest.mark.parametrize(
    ("power_kw", "capacity_kwh", "limit_pct"),
    [(None, 50.0, 80.0), (11.0, None, 80.0), (0.0, 50.0, 80.0), (11.0, 50.0, 100.0)],
)
def test_stop_at_none(
    power_kw: float | None, capacity_kwh: float | None, limit_pct: float
) -> None:
    """Unknown power or capacity: cannot tell; a limit of 100 %: the car finishes."""
    assert (
        stop_at(
            soc_pct=99,
            as_of=0,
            power_kw=power_kw,
            capacity_kwh=capacity_kwh,
            limit_pct=limit_pct,
            latency_s=75,
        )
        is None
    )


def test_charge_duration() -> None:
    """Linear below the taper, longer through it, finite to 100, zero when there."""
    below = charge_duration_s(soc_pct=20, target_pct=80, capacity_kwh=50, power_kw=11)
    assert below == pytest.approx(60 / RATE_11_50 * H)
    to_90 = charge_duration_s(soc_pct=20, target_pct=90, capacity_kwh=50, power_kw=11)
    assert to_90 > below + 10 / RATE_11_50 * H
    to_full = charge_duration_s(
        soc_pct=20, target_pct=100, capacity_kwh=50, power_kw=11
    )
    assert to_90 < to_full < 24 * H
    assert (
        charge_duration_s(soc_pct=85, target_pct=80, capacity_kwh=50, power_kw=11) == 0
    )
    with pytest.raises(ValueError, match="capacity"):
        charge_duration_s(soc_pct=20, target_pct=80, capacity_kwh=50, power_kw=0)


def test_tracker_narrows_whole_percent_readings() -> None:
    """A flip from 60 to 61 between two close readings pins the SoC near 60.5."""
    assert SocTracker().soc_pct is None
    assert SocTracker().uncertainty_pct is None
    tracker = SocTracker()
    tracker.observe(soc_pct=60, as_of=0, power_kw=11, capacity_kwh=50)
    assert tracker.soc_pct == 60
    assert tracker.uncertainty_pct == pytest.approx(0.5)
    # 10 s at 20.24 points/h is 0.056 points.
    tracker.observe(soc_pct=61, as_of=10, power_kw=11, capacity_kwh=50)
    assert tracker.as_of == 10
    assert tracker.power_kw == 11
    assert tracker.uncertainty_pct is not None
    assert tracker.uncertainty_pct < 0.05
    assert tracker.soc_pct == pytest.approx(60.53, abs=0.03)
    # A repeated or older reading changes nothing.
    tracker.observe(soc_pct=70, as_of=10, power_kw=11, capacity_kwh=50)
    tracker.observe(soc_pct=70, as_of=5, power_kw=11, capacity_kwh=50)
    assert tracker.soc_pct == pytest.approx(60.53, abs=0.03)


def test_tracker_starts_over_when_readings_disagree() -> None:
    """A reading the projection cannot reach (the car drove) is taken as it is."""
    tracker = SocTracker()
    tracker.observe(soc_pct=60, as_of=0, power_kw=None, capacity_kwh=50)
    tracker.observe(soc_pct=60, as_of=600, power_kw=None, capacity_kwh=50)
    assert tracker.soc_pct == 60
    tracker.observe(soc_pct=52, as_of=1200, power_kw=11, capacity_kwh=50)
    assert tracker.soc_pct == 52
    assert tracker.uncertainty_pct == pytest.approx(0.5)
    # After a gap beyond the staleness bound nothing is projected.
    tracker.observe(
        soc_pct=70, as_of=1200 + CAR_STALE_AFTER_S + 1, power_kw=11, capacity_kwh=50
    )
    assert tracker.soc_pct == 70


def test_learner_learns_a_capacity_from_reports() -> None:
    """Wall energy x efficiency over the SoC rise, from the charge's first report."""
    assert CapacityLearner().capacity_kwh is None
    learner = CapacityLearner()
    # 11 kW into 50 kWh: 20.24 points per hour; reports every 10 min, whole percent.
    for i in range(7):
        learner.observe(
            soc_pct=round(30 + RATE_11_50 * i / 6),
            as_of=i * 600.0,
            power_kw=11,
            charging=True,
        )
    capacity = learner.capacity_kwh
    assert capacity is not None
    assert capacity == pytest.approx(50, rel=0.05)


def test_learner_waits_for_a_rise_and_ignores_junk() -> None:
    """Under five points: nothing; duplicates, bad powers and gaps are not integrated."""
    learner = CapacityLearner()
    learner.observe(soc_pct=30, as_of=0, power_kw=11, charging=True)
    learner.observe(soc_pct=33, as_of=600, power_kw=11, charging=True)
    assert learner.capacity_kwh is None
    learner.observe(soc_pct=33, as_of=600, power_kw=50, charging=True)  # duplicate
    learner.observe(soc_pct=34, as_of=700, power_kw=-3, charging=True)  # garbage
    learner.observe(soc_pct=150, as_of=800, power_kw=11, charging=True)  # garbage
    learner.observe(soc_pct=37, as_of=1200, power_kw=11, charging=True)
    # 11 kW x 1200 s x 0.92 over 7 points.
    assert learner.capacity_kwh == pytest.approx(11 * 1200 / H * 0.92 / 0.07)


def test_learner_restarts_after_a_gap_or_a_drop() -> None:
    """A long gap or a falling SoC starts a new charge instead of integrating across."""
    learner = CapacityLearner()
    learner.observe(soc_pct=30, as_of=0, power_kw=11, charging=True)
    learner.observe(soc_pct=40, as_of=10 * H, power_kw=11, charging=True)  # gap
    learner.observe(soc_pct=35, as_of=10 * H + 600, power_kw=11, charging=True)  # drop
    assert learner.capacity_kwh is None
    learner.observe(soc_pct=42, as_of=10 * H + 1800, power_kw=11, charging=True)
    assert learner.capacity_kwh == pytest.approx(11 * 1200 / H * 0.92 / 0.07)


def test_learner_drops_absurd_estimates() -> None:
    """A rise that no battery explains (a huge SoC jump for little energy) is dropped."""
    learner = CapacityLearner()
    learner.observe(soc_pct=10, as_of=0, power_kw=1, charging=True)
    learner.observe(soc_pct=90, as_of=60, power_kw=1, charging=True)
    assert learner.capacity_kwh is None
    # The next report starts a fresh charge rather than continuing the bad one.
    learner.observe(soc_pct=91, as_of=120, power_kw=1, charging=True)
    assert learner.capacity_kwh is None


def test_learner_merges_charges_and_a_stated_capacity() -> None:
    """A stated capacity seeds; each charge weighs by its rise; a pause ends a charge."""
    learner = CapacityLearner(60.0)
    assert learner.capacity_kwh == 60.0
    # A 20-point charge that says 50 kWh: 10 kWh stored.
    learner.observe(soc_pct=40, as_of=0, power_kw=10 / 0.92, charging=True)
    learner.observe(soc_pct=60, as_of=H, power_kw=10 / 0.92, charging=True)
    expected = (60 * SEED_WEIGHT_PCT + 50 * 20) / (SEED_WEIGHT_PCT + 20)
    assert learner.capacity_kwh == pytest.approx(expected)
    learner.observe(soc_pct=60, as_of=H + 60, power_kw=0, charging=False)
    assert learner.capacity_kwh == pytest.approx(expected)
    # The next charge starts from the merged value and adds its own rise.
    learner.observe(soc_pct=60, as_of=2 * H, power_kw=10 / 0.92, charging=True)
    learner.observe(soc_pct=80, as_of=3 * H, power_kw=10 / 0.92, charging=True)
    merged = (expected * (SEED_WEIGHT_PCT + 20) + 50 * 20) / (SEED_WEIGHT_PCT + 40)
    assert learner.capacity_kwh == pytest.approx(merged)


def test_learner_round_trip() -> None:
    """What is stored comes back; nothing usable gives an empty learner."""
    learner = CapacityLearner()
    assert learner.as_dict() == {"capacity_kwh": None, "weight_pct": 0.0}
    learner.observe(soc_pct=20, as_of=0, power_kw=10 / 0.92, charging=True)
    learner.observe(soc_pct=45, as_of=1.25 * H, power_kw=10 / 0.92, charging=True)
    stored = learner.as_dict()
    assert stored["capacity_kwh"] == pytest.approx(50)
    assert stored["weight_pct"] == pytest.approx(25)
    again = CapacityLearner.from_dict(stored)
    assert again.capacity_kwh == pytest.approx(50)
    assert again.as_dict() == stored
    assert CapacityLearner.from_dict({}).capacity_kwh is None
    assert (
        CapacityLearner.from_dict({"capacity_kwh": 1e6, "weight_pct": 5}).capacity_kwh
        is None
    )
    assert (
        CapacityLearner.from_dict({"capacity_kwh": "50", "weight_pct": 5}).capacity_kwh
        is None
    )
    assert (
        CapacityLearner.from_dict({"capacity_kwh": 50, "weight_pct": 0}).capacity_kwh
        is None
    )
