"""Tests of the shared battery model and the manual clock."""

from __future__ import annotations

import math

import pytest

from simulators.battery import TRICKLE_FRACTION, Battery
from simulators.clock import Clock, ManualClock, WallClock


def test_charging_below_taper_stores_wall_energy_times_efficiency() -> None:
    """One hour at 3.68 kW stores 3.68 kWh x 0.92 and reports the wall energy."""
    battery = Battery(52.0, 40.0)
    moved = battery.apply(3680.0, 3600.0)
    assert moved == pytest.approx(3680.0)
    assert battery.energy_kwh == pytest.approx(52.0 * 0.40 + 3.68 * 0.92)
    assert battery.soc_pct == pytest.approx(40.0 + 100 * 3.68 * 0.92 / 52.0)


def test_power_is_clamped_to_the_cars_on_board_charger() -> None:
    """Asking for 11 kW from a 7.4 kW car moves 7.4 kWh in an hour."""
    battery = Battery(60.0, 20.0, max_ac_power_w=7400.0)
    assert battery.apply(11000.0, 3600.0) == pytest.approx(7400.0)


def test_discharging_applies_efficiency_the_other_way() -> None:
    """The wall receives less than the battery gives: battery loss = wall / eff."""
    battery = Battery(52.0, 50.0, charge_efficiency=0.9)
    moved = battery.apply(-1800.0, 3600.0)
    assert moved == pytest.approx(-1800.0)
    assert battery.energy_kwh == pytest.approx(26.0 - 1.8 / 0.9)


def test_discharge_stops_at_the_reserve() -> None:
    """Below min_discharge_soc_pct the car gives nothing back."""
    battery = Battery(40.0, 12.0, min_discharge_soc_pct=10.0, charge_efficiency=0.8)
    moved = battery.apply(-7400.0, 3600.0)
    # 2 % of 40 kWh = 800 Wh leaves the battery, 640 Wh reach the wall.
    assert moved == pytest.approx(-640.0)
    assert battery.soc_pct == pytest.approx(10.0)
    assert battery.max_discharge_power_w() == 0
    assert battery.apply(-7400.0, 60.0) == 0


def test_acceptance_tapers_above_threshold() -> None:
    """Full power below the taper, falling linearly towards a trickle, 0 when full."""
    battery = Battery(50.0, 50.0, max_ac_power_w=7000.0, taper_from_pct=80.0)
    assert battery.max_charge_power_w() == 7000.0
    battery.soc_pct = 80.0
    assert battery.max_charge_power_w() == pytest.approx(7000.0)
    battery.soc_pct = 90.0
    trickle = TRICKLE_FRACTION * 7000.0
    assert battery.max_charge_power_w() == pytest.approx((7000.0 + trickle) / 2)
    battery.soc_pct = 99.99
    assert battery.max_charge_power_w() == pytest.approx(trickle, rel=0.01)
    battery.soc_pct = 100.0
    assert battery.full
    assert battery.max_charge_power_w() == 0
    assert battery.apply(7000.0, 3600.0) == 0


def test_charge_reaches_exactly_full_and_stops() -> None:
    """A long charge ends at exactly 100 % with wall energy = stored / efficiency."""
    battery = Battery(52.0, 60.0, charge_efficiency=0.92)
    moved = battery.apply(7400.0, 24 * 3600.0)
    assert battery.full
    assert battery.soc_pct == 100.0
    assert moved == pytest.approx(52000.0 * 0.40 / 0.92)


def test_taper_slows_the_charge() -> None:
    """Past the taper an hour at 7.4 kW stores less than 7.4 kWh x efficiency."""
    tapered = Battery(52.0, 85.0)
    moved = tapered.apply(7400.0, 3600.0)
    assert 0 < moved < 7400.0 * 0.9
    assert tapered.max_charge_power_w() < 7400.0 * 0.5


def test_result_does_not_depend_on_how_time_is_sliced() -> None:
    """Lazy integration: one call of an hour equals 3,600 calls of a second."""
    one_call = Battery(52.0, 75.0)
    many_calls = Battery(52.0, 75.0)
    wall_one = one_call.apply(7400.0, 3600.0)
    wall_many = math.fsum(many_calls.apply(7400.0, 1.0) for _ in range(3600))
    assert one_call.soc_pct == pytest.approx(many_calls.soc_pct, abs=1e-9)
    assert wall_one == pytest.approx(wall_many, rel=1e-9)
    # The charge crossed the taper start, so both phases were exercised.
    assert one_call.soc_pct > 80.0


def test_lower_request_than_taper_keeps_constant_power_longer() -> None:
    """A 1 kW request is not limited until the taper drops below 1 kW."""
    battery = Battery(52.0, 90.0)
    assert battery.apply(1000.0, 600.0) == pytest.approx(1000.0 * 600 / 3600)


def test_zero_time_or_power_moves_nothing() -> None:
    """apply(…, 0) and apply(0, …) leave the battery alone."""
    battery = Battery(52.0, 40.0)
    assert battery.apply(7400.0, 0.0) == 0
    assert battery.apply(0.0, 3600.0) == 0
    assert battery.soc_pct == 40.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"capacity_kwh": 0.0, "soc_pct": 50.0},
        {"capacity_kwh": 50.0, "soc_pct": 101.0},
        {"capacity_kwh": 50.0, "soc_pct": -1.0},
        {"capacity_kwh": 50.0, "soc_pct": math.nan},
        {"capacity_kwh": 50.0, "soc_pct": 50.0, "charge_efficiency": 1.5},
        {"capacity_kwh": 50.0, "soc_pct": 50.0, "max_ac_power_w": 0.0},
        {"capacity_kwh": 50.0, "soc_pct": 50.0, "taper_from_pct": 120.0},
        {"capacity_kwh": 50.0, "soc_pct": 50.0, "min_discharge_soc_pct": 100.0},
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, float]) -> None:
    """A bad fixture fails at construction, not as a wrong number later."""
    with pytest.raises(ValueError, match=r"\w"):
        Battery(**kwargs)


def test_negative_time_is_refused() -> None:
    """Negative time would un-charge a battery silently."""
    with pytest.raises(ValueError, match="negative"):
        Battery(52.0, 40.0).apply(1000.0, -1.0)


def test_manual_clock_moves_only_forward() -> None:
    """ManualClock advances and sets, never backwards."""
    clock = ManualClock(10.0)
    assert isinstance(clock, Clock)
    clock.advance(5.0)
    assert clock.now() == 15.0
    clock.set(100.0)
    assert clock.now() == 100.0
    with pytest.raises(ValueError, match="negative"):
        clock.advance(-1.0)
    with pytest.raises(ValueError, match="back"):
        clock.set(99.0)


def test_wall_clock_is_monotonic() -> None:
    """WallClock never goes backwards."""
    clock = WallClock()
    first = clock.now()
    assert clock.now() >= first
    assert isinstance(clock, Clock)
