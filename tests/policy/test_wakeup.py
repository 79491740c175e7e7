"""The wake-up budget, with plain datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ev_charge_control.policy.wakeup import WakeupBudget

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def test_six_in_twenty_minutes() -> None:
    """Six are granted, the seventh is refused, and nothing is spent by a refusal."""
    budget = WakeupBudget(limit=6, window=timedelta(minutes=20))
    assert budget.available(T0) == 6
    assert [budget.try_take(T0 + i * MIN) for i in range(7)] == [True] * 6 + [False]
    assert budget.available(T0 + 6 * MIN) == 0
    assert budget.next_available_at(T0 + 6 * MIN) == T0 + 20 * MIN


def test_window_slides() -> None:
    """Each wake-up comes back exactly one window after it was spent."""
    budget = WakeupBudget(limit=2, window=timedelta(minutes=20))
    assert budget.try_take(T0)
    assert budget.try_take(T0 + 5 * MIN)
    assert not budget.try_take(T0 + 19 * MIN)
    assert budget.available(T0 + 20 * MIN) == 1
    assert budget.try_take(T0 + 20 * MIN)
    assert not budget.try_take(T0 + 24 * MIN)
    assert budget.available(T0 + 25 * MIN) == 1
    assert budget.next_available_at(T0 + 25 * MIN) == T0 + 25 * MIN


def test_defaults_are_the_servers() -> None:
    """The defaults are psa_car_controller's own limit."""
    budget = WakeupBudget()
    assert (budget.limit, budget.window) == (6, timedelta(minutes=20))


@pytest.mark.parametrize(
    ("limit", "window"), [(0, timedelta(minutes=1)), (1, timedelta(0))]
)
def test_invalid(limit: int, window: timedelta) -> None:
    """A budget that could never grant anything is a mistake."""
    with pytest.raises(ValueError):
        WakeupBudget(limit=limit, window=window)
