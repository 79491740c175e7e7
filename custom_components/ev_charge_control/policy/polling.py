"""When to ask a car's cloud again, and for which parts of its state.

A Renault car reports on its own cadence (every 10-15 minutes while charging, about
hourly when parked) and out of it a minute after its cable goes in. Asking in between
returns the same report and spends a call of the account's budget. So a charging car
is asked once per report, just after it is due; a parked one just after each hourly
report and, in between, often enough to see a plug-in soon (that report is the one
that matters: charging starts and the policy has to take over); and nothing is asked
while the budget is spent.

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
    # Plugged in but not charging (waiting for a window or the car's own schedule):
    # what changes is ours to command or the car's schedule, seen within this.
    plugged_s: float = 10 * MINUTE_S
    # Unplugged, a poll is there to see the cable go in (the car then reports within
    # a minute, out of its hourly cadence). Every 5 minutes sees it sooner than Home
    # Assistant core's integration, which spreads its 60 calls an hour over a ZOE's 6
    # endpoints (every 6 minutes, 6 calls each time). It costs 12 battery reads and 4
    # renewals of the 15-minute Gigya token in a parked hour (17 with the slow parts,
    # well inside the account budget of 30 an hour), under a quarter of core's calls
    # over a day (bench/renault_calls.py). It holds however long the car has stood:
    # a plug-in is as likely after 20 hours parked as after one.
    parked_s: float = 5 * MINUTE_S
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
    budget_wait_s: float,
    config: PollingConfig = DEFAULT_POLLING,
) -> float:
    """Return how many seconds from ``now`` the car should be asked again.

    ``last_report`` is when the car measured the battery data we have (None: we have
    none); ``budget_wait_s`` is how long until the budget affords a call.
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
        interval = config.plugged_s if plugged else config.parked_s
        # A parked car still reports hourly: be there just after, so what is shown
        # is never more than a report old (and the 5-minute grid restarts from it).
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
