"""Tests of the energy counter that turns Quasar power readings into kWh totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ev_charge_control.drivers.energy import EnergyCounter

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """Return T0 plus some seconds."""
    return T0 + timedelta(seconds=seconds)


def test_constant_charging_power_integrates() -> None:
    """7.2 kW for an hour, read every minute, is 7.2 kWh charged."""
    counter = EnergyCounter()
    for minute in range(61):
        counter.add(at(minute * 60), 7200.0)
    assert counter.charged_kwh == pytest.approx(7.2)
    assert counter.discharged_kwh == 0.0


def test_trapezoid_between_readings() -> None:
    """A ramp from 0 to 3600 W over an hour is 1.8 kWh, not 0 or 3.6."""
    counter = EnergyCounter(max_gap_s=3600)
    counter.add(at(0), 0.0)
    counter.add(at(3600), 3600.0)
    assert counter.charged_kwh == pytest.approx(1.8)


def test_discharge_goes_to_its_own_total() -> None:
    """Negative power adds to discharged_kwh; charged_kwh does not go down."""
    counter = EnergyCounter(charged_kwh=5.0, max_gap_s=3600)
    counter.add(at(0), -3600.0)
    counter.add(at(1800), -3600.0)
    assert counter.discharged_kwh == pytest.approx(1.8)
    assert counter.charged_kwh == pytest.approx(5.0)


def test_sign_change_is_split_at_the_zero_crossing() -> None:
    """+3600 W to -3600 W over an hour crosses zero half way: 0.9 kWh each way."""
    counter = EnergyCounter(max_gap_s=3600)
    counter.add(at(0), 3600.0)
    counter.add(at(3600), -3600.0)
    assert counter.charged_kwh == pytest.approx(0.9)
    assert counter.discharged_kwh == pytest.approx(0.9)


def test_uneven_sign_change() -> None:
    """-1000 W to +3000 W over 400 s crosses zero at 100 s."""
    counter = EnergyCounter(max_gap_s=400)
    counter.add(at(0), -1000.0)
    counter.add(at(400), 3000.0)
    assert counter.discharged_kwh == pytest.approx(1000 / 2 * 100 / 3.6e6)
    assert counter.charged_kwh == pytest.approx(3000 / 2 * 300 / 3.6e6)


def test_gap_longer_than_max_is_not_integrated() -> None:
    """Nothing is invented across a gap; integration resumes after it."""
    counter = EnergyCounter(max_gap_s=300)
    counter.add(at(0), 7200.0)
    counter.add(at(301), 7200.0)
    assert counter.charged_kwh == 0.0
    counter.add(at(361), 7200.0)
    assert counter.charged_kwh == pytest.approx(7200 * 60 / 3.6e6)


def test_gap_of_exactly_max_is_integrated() -> None:
    """The bound itself still counts."""
    counter = EnergyCounter(max_gap_s=300)
    counter.add(at(0), 3600.0)
    counter.add(at(300), 3600.0)
    assert counter.charged_kwh == pytest.approx(0.3)


def test_restored_totals_continue_and_first_reading_is_a_baseline() -> None:
    """After a restart the saved totals grow from the second reading on."""
    counter = EnergyCounter(12.5, 3.25)
    assert (counter.charged_kwh, counter.discharged_kwh) == (12.5, 3.25)
    counter.add(at(0), 3600.0)
    assert (counter.charged_kwh, counter.discharged_kwh) == (12.5, 3.25)
    counter.add(at(60), 3600.0)
    assert counter.charged_kwh == pytest.approx(12.56)
    assert counter.discharged_kwh == 3.25


def test_out_of_order_and_invalid_readings_are_ignored() -> None:
    """A late, older reading or a NaN never changes (or lowers) the totals."""
    counter = EnergyCounter()
    counter.add(at(0), 3600.0)
    counter.add(at(60), 3600.0)
    before = counter.charged_kwh
    counter.add(at(30), -99999.0)
    counter.add(at(90), float("nan"))
    assert counter.charged_kwh == before
    assert counter.discharged_kwh == 0.0
    # The last good reading (t=60, 3600 W) is still the starting point.
    counter.add(at(120), 3600.0)
    assert counter.charged_kwh == pytest.approx(before + 0.06)


def test_totals_are_monotonic_over_a_mixed_day() -> None:
    """Neither total ever decreases, whatever the power does."""
    counter = EnergyCounter()
    powers = [0, 7400, 7400, -3000, -7400, 0, 2000, -100, 5000, 0]
    last = (0.0, 0.0)
    for i, power in enumerate(powers):
        counter.add(at(i * 30), float(power))
        now = (counter.charged_kwh, counter.discharged_kwh)
        assert now[0] >= last[0]
        assert now[1] >= last[1]
        last = now
    assert counter.charged_kwh > 0
    assert counter.discharged_kwh > 0


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((-1.0, 0.0), {}), ((0.0, -1.0), {}), ((), {"max_gap_s": 0})],
)
def test_bad_construction_is_refused(
    args: tuple[float, ...], kwargs: dict[str, float]
) -> None:
    """Negative totals or a non-positive gap make no sense."""
    with pytest.raises(ValueError):
        EnergyCounter(*args, **kwargs)
