"""When a car is asked again, with plain numbers."""

from __future__ import annotations

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
        "parked_since": now,
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


def test_parked_plugged_and_idle() -> None:
    """Plugged or parked: every 10 min; unplugged for six hours: every 15 min."""
    long_ago = -10 * H  # no hourly report due soon
    assert _poll(0, plugged=True, last_report=long_ago) == 600
    assert _poll(5 * H, parked_since=0, last_report=long_ago) == 600
    assert _poll(6 * H, parked_since=0, last_report=long_ago) == 900
    assert _poll(6 * H, parked_since=None, last_report=long_ago) == 600


def test_parked_poll_lands_just_after_the_hourly_report() -> None:
    """A report due in five minutes is fetched 30 s after it, not 10 min later."""
    assert _poll(0, parked_since=0, last_report=300 - H) == pytest.approx(330)


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
