"""The account's call budget, with plain numbers."""

from __future__ import annotations

import pytest

from custom_components.ev_charge_control.policy.budget import CallBudget


def test_starts_full_and_refills_at_its_rate() -> None:
    """A burst is allowed at once; then calls come back at per_hour."""
    budget = CallBudget(per_hour=36, burst=3)
    assert budget.available(0) == 3
    budget.spend(0, 3)
    assert not budget.can_spend(0)
    assert budget.wait_s(0) == pytest.approx(100)
    assert budget.can_spend(100)
    assert budget.available(10_000) == 3  # never above the burst


def test_a_poll_may_overspend_and_then_waits_longer() -> None:
    """Calls are counted after they are made, so the bucket goes below zero."""
    budget = CallBudget(per_hour=36, burst=2)
    budget.spend(0, 4)
    assert budget.available(0) == 0
    assert budget.wait_s(0) == pytest.approx(300)
    budget.spend(0, 0)
    assert budget.wait_s(0) == pytest.approx(300)


def test_calls_in_last_hour_slide() -> None:
    """Calls older than an hour are forgotten."""
    budget = CallBudget(per_hour=60, burst=10)
    budget.spend(0, 2)
    budget.spend(1800, 3)
    assert budget.calls_in_last_hour(1800) == 5
    assert budget.calls_in_last_hour(3600) == 3
    assert budget.calls_in_last_hour(5400) == 0


def test_throttle_blocks_then_recovers() -> None:
    """A quota error empties the bucket and blocks it for the pause."""
    budget = CallBudget(per_hour=60, burst=10)
    budget.throttle(100, 3600)
    assert budget.blocked(100)
    assert budget.available(200) == 0
    assert budget.wait_s(100) == pytest.approx(3600)
    assert budget.throttled_for_s(1900) == 1800
    budget.throttle(3700, 3600)  # still refused after the pause
    assert budget.throttled_for_s(3700) == 3600
    assert not budget.blocked(7300)
    assert budget.can_spend(7300)
    budget.recovered()
    assert budget.throttled_for_s(7300) == 0
    assert not budget.blocked(7300)


def test_wait_while_blocked_counts_the_refill_during_the_pause() -> None:
    """After a long pause the bucket has refilled: no extra wait."""
    budget = CallBudget(per_hour=60, burst=10)
    budget.spend(0, 20)
    budget.throttle(0, 600)
    # 600 s at 1/min: -10 + 10 = 0 tokens, one more minute for a call.
    assert budget.wait_s(0) == pytest.approx(660)


@pytest.mark.parametrize(("per_hour", "burst"), [(0, 5), (10, 0.5)])
def test_rejects_nonsense(per_hour: float, burst: float) -> None:
    """A budget that could never allow a call is a mistake."""
    with pytest.raises(ValueError):
        CallBudget(per_hour=per_hour, burst=burst)
