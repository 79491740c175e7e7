"""When to ask a car's cloud again, and for which parts of its state.

A Renault car reports on its own cadence (every 10-15 minutes while charging, about
hourly when parked); asking in between returns the same report and spends a call of
the account's budget. So a charging car is asked once per report, just after it is
due; a parked one hourly; one unplugged and parked for long, every few hours; and
nothing is asked while the budget is spent.

Times are plain seconds (any epoch), so the policy can be tested with numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MINUTE_S = 60.0
HOUR_S = 3600.0


@dataclass(frozen=True, kw_only=True, slots=True)
class PollingConfig:
    """The cadences, in seconds."""

    # How often a charging car reports, and how long a report takes to reach the cloud.
    report_charging_s: float = 10 * MINUTE_S
    report_parked_s: float = HOUR_S
    report_margin_s: float = 30.0
    # A report that is late is looked for again this often (a car is often late).
    late_retry_s: float = 3 * MINUTE_S
    # Parked, a poll is mostly there to see the cable go in (the car then reports
    # within a minute, out of its hourly cadence): every quarter of an hour, and every
    # half hour once the car has been left unplugged for long.
    plugged_s: float = 10 * MINUTE_S
    parked_s: float = 10 * MINUTE_S
    idle_after_s: float = 6 * HOUR_S
    idle_s: float = 15 * MINUTE_S
    min_s: float = 30.0


DEFAULT_POLLING = PollingConfig()

# How often the rarely changing parts are fetched; the battery is fetched every poll.
PART_INTERVALS_S: Mapping[str, float] = {
    "cockpit": 6 * HOUR_S,
    "location": 3 * HOUR_S,
    "hvac": 3 * HOUR_S,
    "charge_mode": 6 * HOUR_S,
    "soc_levels": 6 * HOUR_S,
}


def next_poll_s(
    now: float,
    *,
    charging: bool,
    plugged: bool,
    last_report: float | None,
    parked_since: float | None,
    budget_wait_s: float,
    config: PollingConfig = DEFAULT_POLLING,
) -> float:
    """Return how many seconds from ``now`` the car should be asked again.

    ``last_report`` is when the car measured the battery data we have (None: we have
    none); ``parked_since`` is since when it has been neither charging nor plugged in
    as far as we know; ``budget_wait_s`` is how long until the budget affords a call.
    """
    if last_report is None:
        interval = config.min_s
    elif charging:
        # The next report is due a cadence after the last; ask just after it lands.
        due = last_report + config.report_charging_s + config.report_margin_s
        while due <= now:
            # Late, or more than one report missed: look again soon, not at once.
            due = max(due + config.late_retry_s, now + config.min_s)
        interval = due - now
    else:
        if plugged:
            interval = config.plugged_s
        elif parked_since is not None and now - parked_since >= config.idle_after_s:
            interval = config.idle_s
        else:
            interval = config.parked_s
        # A parked car still reports hourly: be there just after, so what is shown
        # is never more than a report old.
        due = last_report + config.report_parked_s + config.report_margin_s
        if due > now:
            interval = min(interval, due - now)
    return max(interval, budget_wait_s, config.min_s)


def parts_due(
    now: float,
    last_fetched: Mapping[str, float],
    supported: frozenset[str],
    *,
    intervals: Mapping[str, float] = PART_INTERVALS_S,
) -> frozenset[str]:
    """Return the parts to fetch now: the battery always, the others when stale."""
    parts = {"battery"}
    for part, interval in intervals.items():
        if part not in supported:
            continue
        fetched = last_fetched.get(part)
        if fetched is None or now - fetched >= interval:
            parts.add(part)
    return frozenset(parts)
