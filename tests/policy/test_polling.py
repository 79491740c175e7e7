"""When a car is asked again, with plain numbers."""

from __future__ import annotations

from itertools import pairwise

import pytest

from custom_components.ev_charge_control.policy.polling import (
    DEFAULT_POLLING,
    next_poll_s,
    parts_due,
)

H = 3600.0


def _poll(now: float, **kwargs: object) -> float:
    values: dict[str, object] = {
        "charging": False,
        "plugged": False,
        "last_report": now,
        "budget_wait_s": 0.0,
    }
    values.update(kwargs)
    return next_poll_s(now, **values)  # type: ignore[arg-type]


def test_charging_polls_just_after_the_next_report() -> None:
    """A car that reported 4 minutes ago is asked 6.5 minutes from now."""
    assert _poll(1000, charging=True, plugged=True, last_report=760) == pytest.approx(
        600 + 30 - 240
    )


def test_charging_report_late_is_looked_for_again_soon() -> None:
    """A report overdue by a minute is looked for three minutes later, not at once."""
    wait = _poll(10_000, charging=True, plugged=True, last_report=10_000 - 690)
    assert wait == pytest.approx(DEFAULT_POLLING.late_retry_s - 60)
    very_late = _poll(100_000, charging=True, plugged=True, last_report=0)
    assert very_late == pytest.approx(DEFAULT_POLLING.min_s)


def test_parked_and_plugged() -> None:
    """Unplugged: every 5 min, however long parked; plugged, not charging: 10 min."""
    long_ago = -10 * H  # no hourly report due soon
    assert _poll(0, last_report=long_ago) == 300
    assert _poll(20 * H, last_report=long_ago) == 300
    assert _poll(0, plugged=True, last_report=long_ago) == 600


def test_parked_poll_lands_just_after_the_hourly_report() -> None:
    """A report due in two minutes is fetched 30 s after it, not 5 min later."""
    assert _poll(0, last_report=120 - H) == pytest.approx(150)
    assert _poll(0, plugged=True, last_report=300 - H) == pytest.approx(330)


def test_parked_hour_is_twelve_polls_and_sees_a_plug_within_five_minutes() -> None:
    """From one hourly report to the next: polls 5 min apart, the last just after it."""
    report = 0.0
    now = report + DEFAULT_POLLING.report_margin_s  # the hourly report was fetched
    polls = [now]
    while now < report + H:
        now += _poll(now, last_report=report)
        polls.append(now)
    assert len(polls) == 13  # 12 in the hour, then the next hourly report's
    assert polls[-1] == pytest.approx(report + H + DEFAULT_POLLING.report_margin_s)
    assert max(b - a for a, b in pairwise(polls)) <= 300


def test_no_data_yet_asks_soon_and_budget_wins() -> None:
    """Without data: soon; with the budget spent: not before it refills."""
    assert _poll(0, last_report=None) == DEFAULT_POLLING.min_s
    assert _poll(0, charging=True, last_report=0, budget_wait_s=2 * H) == 2 * H


def test_parts_due() -> None:
    """The battery always; other parts when stale and supported."""
    supported = frozenset({"battery", "cockpit", "location"})
    assert parts_due(0, {}, supported) == {"battery", "cockpit", "location"}
    fetched = {"cockpit": 0.0, "location": 0.0}
    assert parts_due(H, fetched, supported) == {"battery"}
    assert parts_due(3 * H, fetched, supported) == {"battery", "location"}
    assert parts_due(6 * H, fetched, supported) == {"battery", "cockpit", "location"}
