"""The price planner's cost against the exact optimum, on typical price days.

Each price day (flat; two-rate with 22:00-06:00 cheap; day-ahead hourly shapes: a
duck curve, negative prices at midday, a spiky evening, the spring-forward night;
and a day of 15-minute slots) is handed to the planner as a price sensor's
attributes (Nord Pool or ENTSO-e shape) and planned for several plug-ins: start
time, charging time needed and ready-by (one without a ready-by: the horizon is then
the end of the known prices).

The optimum is computed here independently, by dynamic programming over minutes:
cheapest[k] = the least cost of charging k of the minutes seen so far, updated minute
by minute, on this file's own price table (not the parsed slots). Plug-in times,
slot edges and charging times are whole minutes, so the minute optimum is the exact
optimum. Charging power is constant (7.4 kW), so cost = price x time x power.

Reported per day: cost_gap_pct = (ours - optimum) / |optimum| x 100 on the day's
total over its plug-ins (None when |optimum| < 1 cent: negative prices can make it
zero; cost_gap_eur, the absolute gap in euros, is always given), and ready_by_met:
every plug-in got its full charging time, all before its ready-by (checked here
from the intervals, not only from the plan's flag). Two naive baselines for
context, with the same definition of gap: charging at once on plug-in, and a fixed
22:00-06:00 window (topped up as the planner does when the night is too short).

Run: ``python -m bench.planner`` (a few seconds); writes bench/results/planner.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from custom_components.ev_charge_control.policy.planner import (
    ChargePlan,
    OffPeakWindow,
    parse_price_forecast,
    plan_prices,
    plan_windows,
)

RESULTS = Path(__file__).parent / "results" / "planner.json"
TZ = ZoneInfo("Europe/Paris")
POWER_KW = 7.4
MINUTE = timedelta(minutes=1)
FIXED_WINDOW = OffPeakWindow(start=time(22), end=time(6))

# A price table: (start, end, price in EUR/kWh), UTC, sorted, no gaps.
Table = list[tuple[datetime, datetime, float]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Case:
    """A plug-in: when (day offset, local time), how long to charge, ready by when."""

    name: str
    plug_in: time
    needed_min: int
    ready_by: tuple[int, time] | None  # (days after the price day, local time)


CASES = (
    Case(
        name="18:00, 3 h by 07:00",
        plug_in=time(18),
        needed_min=180,
        ready_by=(1, time(7)),
    ),
    Case(
        name="20:30, 6 h 30 by 07:00",
        plug_in=time(20, 30),
        needed_min=390,
        ready_by=(1, time(7)),
    ),
    Case(
        name="19:17, 9 h 40 by 06:00",
        plug_in=time(19, 17),
        needed_min=580,
        ready_by=(1, time(6)),
    ),
    Case(
        name="08:05, 2 h by 17:00",
        plug_in=time(8, 5),
        needed_min=120,
        ready_by=(0, time(17)),
    ),
    Case(
        name="12:00, 4 h, no ready-by", plug_in=time(12), needed_min=240, ready_by=None
    ),
)

# Hour-of-day shapes in EUR/kWh, energy and grid fees included.
DUCK = (
    0.19, 0.18, 0.17, 0.17, 0.17, 0.18, 0.22, 0.29, 0.31, 0.27, 0.21, 0.16,
    0.13, 0.12, 0.13, 0.16, 0.21, 0.28, 0.36, 0.38, 0.33, 0.27, 0.23, 0.21,
)  # fmt: skip
NEGATIVE_MIDDAY = (
    0.14, 0.13, 0.12, 0.12, 0.12, 0.13, 0.15, 0.16, 0.12, 0.07, 0.02, -0.01,
    -0.04, -0.06, -0.05, -0.02, 0.03, 0.10, 0.19, 0.24, 0.22, 0.18, 0.16, 0.15,
)  # fmt: skip
SPIKY = (
    0.21, 0.20, 0.19, 0.19, 0.20, 0.21, 0.25, 0.30, 0.28, 0.24, 0.22, 0.21,
    0.20, 0.20, 0.21, 0.23, 0.27, 0.34, 0.62, 1.18, 0.87, 0.33, 0.26, 0.22,
)  # fmt: skip
# Quarter-hour products wobble inside the hour: ramps make the first quarter dearer.
QUARTER_WOBBLE = (0.025, 0.005, -0.01, -0.02)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ).astimezone(UTC)


def _hourly(day: date, price_at: Callable[[int, int], float]) -> Table:
    """Two days of hourly prices from local midnight; price_at(day index, local hour)."""
    table: Table = []
    start = _local(day, time(0))
    end = _local(day + timedelta(days=2), time(0))
    while start < end:
        local = start.astimezone(TZ)
        index = (local.date() - day).days
        table.append((start, start + timedelta(hours=1), price_at(index, local.hour)))
        start += timedelta(hours=1)
    return table


def _quarters(day: date, shape: Sequence[float]) -> Table:
    table: Table = []
    for start, _, price in _hourly(
        day, lambda index, hour: shape[hour] * (1 - 0.05 * index)
    ):
        for quarter, wobble in enumerate(QUARTER_WOBBLE):
            begin = start + timedelta(minutes=15 * quarter)
            table.append(
                (begin, begin + timedelta(minutes=15), round(price + wobble, 4))
            )
    return table


@dataclass(frozen=True, kw_only=True, slots=True)
class PriceDay:
    """A price day, its table and the sensor shape it is offered in."""

    name: str
    day: date
    table: Table
    shape: str  # "nord_pool" or "entsoe"


def _two_rate(_: int, hour: int) -> float:
    return 0.2068 if hour >= 22 or hour < 6 else 0.2700


def price_days() -> list[PriceDay]:
    """Return the price days of the bench."""
    winter = date(2026, 1, 14)  # a Wednesday
    summer = date(2026, 6, 13)  # a Saturday: sunny weekend, low demand
    spring_forward = date(2026, 3, 28)  # the night of 29 March has 23 hours
    return [
        PriceDay(
            name="flat",
            day=winter,
            table=_hourly(winter, lambda _i, _h: 0.2516),
            shape="nord_pool",
        ),
        PriceDay(
            name="two-rate 22-06",
            day=winter,
            table=_hourly(winter, _two_rate),
            shape="entsoe",
        ),
        PriceDay(
            name="duck curve",
            day=winter,
            table=_hourly(winter, lambda index, hour: DUCK[hour] * (1 - 0.05 * index)),
            shape="nord_pool",
        ),
        PriceDay(
            name="negative midday",
            day=summer,
            table=_hourly(
                summer, lambda index, hour: NEGATIVE_MIDDAY[hour] + 0.01 * index
            ),
            shape="entsoe",
        ),
        PriceDay(
            name="spiky evening",
            day=winter,
            table=_hourly(winter, lambda index, hour: SPIKY[hour] * (1 + 0.03 * index)),
            shape="nord_pool",
        ),
        PriceDay(
            name="spring-forward night",
            day=spring_forward,
            table=_hourly(
                spring_forward, lambda index, hour: DUCK[hour] * (1 - 0.02 * index)
            ),
            shape="entsoe",
        ),
        PriceDay(
            name="15-minute duck",
            day=winter,
            table=_quarters(winter, DUCK),
            shape="entsoe",
        ),
    ]


def attributes(day: PriceDay) -> dict[str, Any]:
    """Return the price sensor's attributes for the day, in its integration's shape."""
    first_day = [row for row in day.table if row[0].astimezone(TZ).date() == day.day]
    second_day = [row for row in day.table if row[0].astimezone(TZ).date() != day.day]
    if day.shape == "nord_pool":
        return {
            "raw_today": [
                {
                    "start": s.astimezone(TZ).isoformat(),
                    "end": e.astimezone(TZ).isoformat(),
                    "value": p,
                }
                for s, e, p in first_day
            ],
            "raw_tomorrow": [
                {
                    "start": s.astimezone(TZ).isoformat(),
                    "end": e.astimezone(TZ).isoformat(),
                    "value": p,
                }
                for s, e, p in second_day
            ],
        }
    return {
        "prices_today": [{"time": s.isoformat(), "price": p} for s, _, p in first_day],
        "prices_tomorrow": [
            {"time": s.isoformat(), "price": p} for s, _, p in second_day
        ],
    }


def cost_eur(table: Table, intervals: Sequence[tuple[datetime, datetime]]) -> float:
    """Return what charging in intervals costs at POWER_KW on the table's prices."""
    total = 0.0
    for begin, finish in intervals:
        for start, end, price in table:
            overlap = (min(finish, end) - max(begin, start)).total_seconds()
            if overlap > 0:
                total += price * POWER_KW * overlap / 3600
    return total


def optimum_eur(
    table: Table, now: datetime, horizon: datetime, needed_min: int
) -> float:
    """Return the least cost of needed_min minutes in [now, horizon), by DP over minutes."""
    per_minute: list[float] = []
    for start, end, price in table:
        minute = max(start, now)
        while minute < min(end, horizon):
            per_minute.append(price * POWER_KW / 60)
            minute += MINUTE
    if len(per_minute) < needed_min:
        raise ValueError("a bench case must leave enough time before its ready-by")
    cheapest = np.full(needed_min + 1, np.inf)
    cheapest[0] = 0.0
    for price in per_minute:
        # Charging this minute: k-1 minutes before it plus this one.
        cheapest[1:] = np.minimum(cheapest[1:], cheapest[:-1] + price)
    return float(cheapest[needed_min])


def met(
    plan: ChargePlan, now: datetime, ready_by: datetime | None, needed_min: int
) -> bool:
    """Return whether the plan charges needed_min minutes, all in [now, ready_by)."""
    inside = all(
        begin >= now and (ready_by is None or finish <= ready_by)
        for begin, finish in plan.intervals
    )
    enough = abs(plan.charge_s - needed_min * 60) < 1
    return plan.ready_by_met and inside and enough


def gap_pct(ours: float, optimum: float) -> float | None:
    """Return the relative gap, None when the optimum is within a cent of zero."""
    if abs(optimum) < 0.01:
        return None
    return round(_noise_free(ours - optimum) / abs(optimum) * 100, 4)


def _noise_free(gap: float) -> float:
    """Return a cost gap with float summation noise (below a nano-euro) as zero."""
    return 0.0 if abs(gap) < 1e-9 else gap


@dataclass(slots=True)
class Costs:
    """Unrounded costs of one or more plug-ins, so gaps are not rounding artefacts."""

    optimum: float = 0.0
    ours: float = 0.0
    at_once: float = 0.0
    fixed: float = 0.0

    def add(self, other: Costs) -> None:
        """Add another plug-in's costs."""
        self.optimum += other.optimum
        self.ours += other.ours
        self.at_once += other.at_once
        self.fixed += other.fixed


def run_case(day: PriceDay, case: Case) -> tuple[dict[str, Any], Costs]:
    """Plan one plug-in on one price day with ours and the baselines."""
    slots = parse_price_forecast(attributes(day))
    now = _local(day.day, case.plug_in)
    ready_by = None
    if case.ready_by is not None:
        ready_by = _local(day.day + timedelta(days=case.ready_by[0]), case.ready_by[1])
    horizon = ready_by or day.table[-1][1]
    needed_s = case.needed_min * 60.0
    local_now = now.astimezone(TZ)
    ours = plan_prices(now=local_now, needed_s=needed_s, slots=slots, ready_by=ready_by)
    at_once = plan_windows(
        now=local_now, needed_s=needed_s, windows=[], ready_by=ready_by
    )
    fixed = plan_windows(
        now=local_now, needed_s=needed_s, windows=[FIXED_WINDOW], ready_by=horizon
    )
    costs = Costs(
        optimum=optimum_eur(day.table, now, horizon, case.needed_min),
        ours=cost_eur(day.table, ours.intervals),
        at_once=cost_eur(day.table, at_once.intervals),
        fixed=cost_eur(day.table, fixed.intervals),
    )
    record = {
        "case": case.name,
        "optimum_eur": round(costs.optimum, 4),
        "ours_eur": round(costs.ours, 4),
        "cost_gap_eur": round(_noise_free(costs.ours - costs.optimum), 6),
        "at_once_eur": round(costs.at_once, 4),
        "fixed_22_06_eur": round(costs.fixed, 4),
        "ready_by_met": met(ours, now, horizon, case.needed_min),
        "at_once_ready_by_met": met(at_once, now, horizon, case.needed_min),
        "fixed_22_06_ready_by_met": met(fixed, now, horizon, case.needed_min),
        "intervals": [
            [begin.astimezone(TZ).isoformat(), end.astimezone(TZ).isoformat()]
            for begin, end in ours.intervals
        ],
    }
    return record, costs


def run_day(day: PriceDay) -> dict[str, Any]:
    """Plan every plug-in on the day; sum the costs."""
    cases: list[dict[str, Any]] = []
    total = Costs()
    for case in CASES:
        record, costs = run_case(day, case)
        cases.append(record)
        total.add(costs)
    slot_min = int((day.table[0][1] - day.table[0][0]).total_seconds() // 60)
    return {
        "name": day.name,
        "date": day.day.isoformat(),
        "sensor_shape": day.shape,
        "slot_min": slot_min,
        "cost_gap_pct": gap_pct(total.ours, total.optimum),
        "cost_gap_eur": round(_noise_free(total.ours - total.optimum), 6),
        "ready_by_met": all(case["ready_by_met"] for case in cases),
        "optimum_eur": round(total.optimum, 4),
        "ours_eur": round(total.ours, 4),
        "at_once_gap_pct": gap_pct(total.at_once, total.optimum),
        "fixed_22_06_gap_pct": gap_pct(total.fixed, total.optimum),
        "at_once_ready_by_met": all(case["at_once_ready_by_met"] for case in cases),
        "fixed_22_06_ready_by_met": all(
            case["fixed_22_06_ready_by_met"] for case in cases
        ),
        "cases": cases,
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


def main() -> None:
    """Run every price day, print the table and write the JSON."""
    days = [run_day(day) for day in price_days()]
    result = {
        "power_kw": POWER_KW,
        "time_zone": str(TZ),
        "cases": [case.name for case in CASES],
        "days": days,
        "max_cost_gap_eur": max(day["cost_gap_eur"] for day in days),
        "all_ready_by_met": all(day["ready_by_met"] for day in days),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    header = f"{'price day':<22}{'optimum':>10}{'ours':>10}{'gap':>9}{'ready-by':>10}{'at once':>11}{'22-06':>11}"
    print(header)
    for day in days:
        print(
            f"{day['name']:<22}{day['optimum_eur']:>9.2f}€{day['ours_eur']:>9.2f}€"
            f"{_pct(day['cost_gap_pct']):>9}{'met' if day['ready_by_met'] else 'MISSED':>10}"
            f"{'+' + _pct(day['at_once_gap_pct']):>11}{'+' + _pct(day['fixed_22_06_gap_pct']):>11}"
        )
    print(
        f"{len(CASES)} plug-ins per day, {POWER_KW} kW; costs summed over the plug-ins."
    )


if __name__ == "__main__":
    main()
