"""The charging planner: windows, their validation, price forecasts and plans."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.ev_charge_control.policy.planner import (
    WEEKDAY_KEYS,
    ChargePlan,
    OffPeakWindow,
    PriceSlot,
    WindowError,
    next_window,
    parse_price_forecast,
    plan_prices,
    plan_windows,
    validate_windows,
    window_occurrences,
)

PARIS = ZoneInfo("Europe/Paris")
H = 3600.0
NIGHT = OffPeakWindow(start=time(22), end=time(6))


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a Paris wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a UTC time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(intervals: list[tuple[datetime, datetime]]) -> float:
    """Return the total length of intervals in hours."""
    return sum((end - start).total_seconds() for start, end in intervals) / H


# --- windows: form and validation -------------------------------------------------


def test_window_dict_round_trip() -> None:
    """as_dict is JSON-safe and from_dict reads it back."""
    window = OffPeakWindow(start=time(22), end=time(6, 30), weekdays=frozenset({4, 0}))
    data = window.as_dict()
    assert data == {"start": "22:00:00", "end": "06:30:00", "weekdays": ["mon", "fri"]}
    assert OffPeakWindow.from_dict(data) == window
    assert WEEKDAY_KEYS[6] == "sun"


def test_window_from_dict_accepts_short_forms() -> None:
    """Times as 'HH:MM' or time objects, weekdays as numbers or names; none = every day."""
    assert OffPeakWindow.from_dict({"start": "01:15", "end": time(5)}) == OffPeakWindow(
        start=time(1, 15), end=time(5)
    )
    window = OffPeakWindow.from_dict(
        {"start": "01:00", "end": "05:00", "weekdays": [0, "Saturday"]}
    )
    assert window.weekdays == frozenset({0, 5})


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"start": "22:00"}, "needs a start and an end"),
        ({"start": "25:00", "end": "06:00"}, "not a time of day"),
        ({"start": 22, "end": "06:00"}, "not a time of day"),
        ({"start": "22:00", "end": "06:00", "weekdays": ["someday"]}, "not a weekday"),
        ({"start": "22:00", "end": "06:00", "weekdays": [7]}, "not a weekday"),
        ({"start": "22:00", "end": "06:00", "weekdays": [True]}, "not a weekday"),
        ({"start": "22:00", "end": "06:00", "weekdays": 3}, "must be a list"),
    ],
)
def test_window_from_dict_refuses_junk(data: dict[str, Any], words: str) -> None:
    """Stored data that makes no sense raises ValueError with the reason."""
    with pytest.raises(ValueError, match=words):
        OffPeakWindow.from_dict(data)


def test_window_refuses_impossible_weekday_numbers() -> None:
    """A weekday number outside 0-6 is a programming error."""
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        OffPeakWindow(start=time(1), end=time(2), weekdays=frozenset({7}))


def test_window_describe_and_duration() -> None:
    """A window's words and nominal length, across midnight or not."""
    assert NIGHT.describe() == "22:00–06:00 every day"
    assert NIGHT.spans_midnight
    assert NIGHT.duration_s == 8 * H
    short = OffPeakWindow(start=time(1, 0, 30), end=time(2), weekdays=frozenset({1, 2}))
    assert short.describe() == "01:00:30–02:00 on Tuesday, Wednesday"
    assert not short.spans_midnight
    assert short.duration_s == H - 30


def test_validate_accepts_touching_windows() -> None:
    """One window ending when the next starts is not an overlap."""
    validate_windows(
        [
            NIGHT,
            OffPeakWindow(start=time(6), end=time(7)),
            OffPeakWindow(start=time(12), end=time(14), weekdays=frozenset({5, 6})),
        ]
    )
    validate_windows([])


def test_validate_empty_weekdays() -> None:
    """A window on no day is refused and says so."""
    with pytest.raises(WindowError, match="no weekday") as err:
        validate_windows(
            [OffPeakWindow(start=time(1), end=time(2), weekdays=frozenset())]
        )
    assert err.value.reason == "empty_weekdays"
    assert isinstance(err.value, ValueError)


def test_validate_zero_length() -> None:
    """start == end is refused, not read as 24 hours."""
    with pytest.raises(WindowError, match="same time") as err:
        validate_windows([OffPeakWindow(start=time(3), end=time(3))])
    assert err.value.reason == "zero_length"


def test_validate_overlap_same_day() -> None:
    """Two windows sharing an hour on a day they both run."""
    with pytest.raises(WindowError, match="overlaps") as err:
        validate_windows(
            [
                OffPeakWindow(start=time(12), end=time(15), weekdays=frozenset({2})),
                OffPeakWindow(start=time(14), end=time(16), weekdays=frozenset({2, 3})),
            ]
        )
    assert err.value.reason == "overlap"
    assert "Wednesday" in str(err.value)


def test_validate_overlap_across_midnight() -> None:
    """A night window runs into the next morning's window."""
    with pytest.raises(WindowError) as err:
        validate_windows(
            [
                OffPeakWindow(start=time(22), end=time(6), weekdays=frozenset({0})),
                OffPeakWindow(start=time(5), end=time(7), weekdays=frozenset({1})),
            ]
        )
    assert err.value.reason == "overlap"
    assert str(err.value) == (
        "The window 22:00–06:00 starting on Monday overlaps the window 05:00–07:00 starting on Tuesday."
    )


def test_validate_overlap_sunday_into_monday() -> None:
    """Sunday night's window runs into Monday morning, across the end of the week."""
    sunday = OffPeakWindow(start=time(22), end=time(6), weekdays=frozenset({6}))
    monday = OffPeakWindow(start=time(5), end=time(7), weekdays=frozenset({0}))
    with pytest.raises(WindowError) as err:
        validate_windows([sunday, monday])
    assert err.value.reason == "overlap"
    assert "Sunday" in str(err.value)
    assert "Monday" in str(err.value)
    # Not on the same days, no overlap.
    validate_windows(
        [sunday, OffPeakWindow(start=time(5), end=time(7), weekdays=frozenset({1}))]
    )


# --- windows in time ---------------------------------------------------------------


def test_occurrences_across_midnight_clipped_and_in_utc() -> None:
    """A night window seen from the afternoon: last night's tail, tonight's start."""
    found = window_occurrences([NIGHT], paris(2026, 1, 14, 4), paris(2026, 1, 15, 2))
    assert found == [
        (utc(2026, 1, 14, 3), utc(2026, 1, 14, 5)),
        (utc(2026, 1, 14, 21), utc(2026, 1, 15, 1)),
    ]
    assert all(start.tzinfo is UTC for start, _ in found)


def test_occurrences_follow_weekdays_and_merge_touching() -> None:
    """Weekday windows appear on their days only; touching windows become one."""
    windows = [
        OffPeakWindow(
            start=time(22), end=time(6), weekdays=frozenset({4})
        ),  # Friday night
        OffPeakWindow(
            start=time(6), end=time(8), weekdays=frozenset({5})
        ),  # Saturday morning
        OffPeakWindow(start=time(12), end=time(13), weekdays=frozenset({6})),
    ]
    # Wednesday 14 Jan 2026 to Monday 19 Jan.
    found = window_occurrences(windows, paris(2026, 1, 14), paris(2026, 1, 19))
    assert found == [
        (utc(2026, 1, 16, 21), utc(2026, 1, 17, 7)),
        (utc(2026, 1, 18, 11), utc(2026, 1, 18, 12)),
    ]


def test_occurrences_skip_invalid_windows() -> None:
    """A zero-length window never opens (validate_windows would have refused it)."""
    assert (
        window_occurrences(
            [OffPeakWindow(start=time(3), end=time(3))],
            paris(2026, 1, 14),
            paris(2026, 1, 16),
        )
        == []
    )


def test_occurrences_spring_forward() -> None:
    """29 March 2026 in Paris: 02:00-03:00 does not exist."""
    day = (paris(2026, 3, 29), paris(2026, 3, 30))
    assert window_occurrences([OffPeakWindow(start=time(2), end=time(3))], *day) == []
    # Half the window is skipped: it runs from the jump (03:00 CEST) to 04:00 CEST.
    assert window_occurrences(
        [OffPeakWindow(start=time(2, 30), end=time(4))], *day
    ) == [(utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))]
    # The night window is an hour shorter: 22:00 CET to 06:00 CEST is 7 hours.
    night = window_occurrences([NIGHT], paris(2026, 3, 28, 12), paris(2026, 3, 29, 12))
    assert hours(night) == 7
    # A window ending in the skipped hour ends at the jump.
    assert window_occurrences(
        [OffPeakWindow(start=time(1), end=time(2, 30))], *day
    ) == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 1))]


def test_occurrences_fall_back() -> None:
    """25 October 2026 in Paris: 02:00-03:00 happens twice and the window covers both."""
    day = (paris(2026, 10, 25), paris(2026, 10, 26))
    assert window_occurrences([OffPeakWindow(start=time(2), end=time(3))], *day) == [
        (utc(2026, 10, 25, 0), utc(2026, 10, 25, 2))
    ]
    night = window_occurrences(
        [NIGHT], paris(2026, 10, 24, 12), paris(2026, 10, 25, 12)
    )
    assert hours(night) == 9


def test_next_window_in_progress_and_ahead() -> None:
    """In a window: its real start; outside: the next one; none at all: None."""
    inside = paris(2026, 1, 15, 1)
    assert next_window([NIGHT], inside) == (utc(2026, 1, 14, 21), utc(2026, 1, 15, 5))
    assert next_window([NIGHT], paris(2026, 1, 15, 12)) == (
        utc(2026, 1, 15, 21),
        utc(2026, 1, 16, 5),
    )
    assert next_window([], inside) is None
    # At its very end the window is over.
    assert next_window([NIGHT], paris(2026, 1, 15, 6)) == (
        utc(2026, 1, 15, 21),
        utc(2026, 1, 16, 5),
    )


def test_next_window_a_week_ahead_or_never() -> None:
    """A weekly window is found 6 days ahead; a window with no weekday never."""
    sunday = OffPeakWindow(start=time(10), end=time(11), weekdays=frozenset({6}))
    assert next_window([sunday], paris(2026, 1, 12, 12)) == (
        utc(2026, 1, 18, 9),
        utc(2026, 1, 18, 10),
    )
    never = OffPeakWindow(start=time(10), end=time(11), weekdays=frozenset())
    assert next_window([never], paris(2026, 1, 12, 12)) is None


def test_naive_now_is_refused() -> None:
    """Wall-clock windows need a time zone."""
    with pytest.raises(ValueError, match="aware"):
        next_window([NIGHT], datetime(2026, 1, 1))


# --- price forecasts ---------------------------------------------------------------


def test_nord_pool_raw_today_and_tomorrow() -> None:
    """Nord Pool: start/end/value, datetimes or strings; None values skipped."""
    attributes = {
        "raw_today": [
            {
                "start": "2026-01-14T00:00:00+01:00",
                "end": "2026-01-14T01:00:00+01:00",
                "value": 0.12,
            },
            {
                "start": paris(2026, 1, 14, 1),
                "end": paris(2026, 1, 14, 2),
                "value": 0.10,
            },
        ],
        "raw_tomorrow": [
            {
                "start": "2026-01-15T00:00:00+01:00",
                "end": "2026-01-15T01:00:00+01:00",
                "value": None,
            }
        ],
    }
    assert parse_price_forecast(attributes) == [
        PriceSlot(start=utc(2026, 1, 13, 23), end=utc(2026, 1, 14, 0), price=0.12),
        PriceSlot(start=utc(2026, 1, 14, 0), end=utc(2026, 1, 14, 1), price=0.10),
    ]


def test_entsoe_points_take_the_gap_to_the_next() -> None:
    """ENTSO-e: time/price; quarter-hour gaps give quarter-hour slots, the last as long."""
    attributes = {
        "prices_today": [
            {"time": "2026-01-14T00:15:00+00:00", "price": 2},
            {"time": "2026-01-14T00:00:00+00:00", "price": 1},
            {"time": "2026-01-14T00:30:00+00:00", "price": "3.5"},
        ],
        # "prices" repeats today: duplicates collapse.
        "prices": [{"time": "2026-01-14T00:00:00+00:00", "price": 1}],
    }
    assert parse_price_forecast(attributes) == [
        PriceSlot(start=utc(2026, 1, 14, 0, 0), end=utc(2026, 1, 14, 0, 15), price=1),
        PriceSlot(start=utc(2026, 1, 14, 0, 15), end=utc(2026, 1, 14, 0, 30), price=2),
        PriceSlot(
            start=utc(2026, 1, 14, 0, 30), end=utc(2026, 1, 14, 0, 45), price=3.5
        ),
    ]
    single = parse_price_forecast(
        {"prices": [{"time": "2026-01-14T05:00:00+00:00", "price": 4}]}
    )
    assert single == [
        PriceSlot(start=utc(2026, 1, 14, 5), end=utc(2026, 1, 14, 6), price=4)
    ]


def test_generic_forecast_and_data() -> None:
    """Generic lists: start_time/end_time/price, or start/price without an end."""
    assert parse_price_forecast(
        {
            "forecast": [
                {
                    "start_time": "2026-01-14T10:00:00Z",
                    "end_time": "2026-01-14T10:15:00Z",
                    "price": -0.01,
                }
            ]
        }
    ) == [
        PriceSlot(start=utc(2026, 1, 14, 10), end=utc(2026, 1, 14, 10, 15), price=-0.01)
    ]
    assert parse_price_forecast(
        {
            "data": [
                {"start": "2026-01-14T10:00:00Z", "value": 5},
                {"start": "2026-01-14T11:00:00Z", "value": 6},
            ]
        }
    ) == [
        PriceSlot(start=utc(2026, 1, 14, 10), end=utc(2026, 1, 14, 11), price=5),
        PriceSlot(start=utc(2026, 1, 14, 11), end=utc(2026, 1, 14, 12), price=6),
    ]


def test_overlapping_slots_keep_the_earlier() -> None:
    """Two sources for the same hour: one slot."""
    hour = {"start": "2026-01-14T10:00:00Z", "end": "2026-01-14T11:00:00Z"}
    quarter = {"start": "2026-01-14T10:30:00Z", "end": "2026-01-14T10:45:00Z"}
    slots = parse_price_forecast(
        {"raw_today": [{**hour, "value": 1}], "forecast": [{**quarter, "price": 9}]}
    )
    assert slots == [
        PriceSlot(start=utc(2026, 1, 14, 10), end=utc(2026, 1, 14, 11), price=1)
    ]


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"raw_today": None, "prices": "soon", "forecast": 3},
        {"raw_today": ["x", 3, None]},
        {
            "raw_today": [
                {"start": "yesterday", "end": "2026-01-14T11:00:00Z", "value": 1}
            ]
        },
        {
            "raw_today": [
                {
                    "start": "2026-01-14T10:00:00",
                    "end": "2026-01-14T11:00:00",
                    "value": 1,
                }
            ]
        },
        {
            "raw_today": [
                {
                    "start": "2026-01-14T10:00:00Z",
                    "end": "2026-01-14T11:00:00Z",
                    "value": "n/a",
                }
            ]
        },
        {
            "raw_today": [
                {
                    "start": "2026-01-14T10:00:00Z",
                    "end": "2026-01-14T11:00:00Z",
                    "value": True,
                }
            ]
        },
        {
            "raw_today": [
                {
                    "start": "2026-01-14T10:00:00Z",
                    "end": "2026-01-14T11:00:00Z",
                    "value": [1],
                }
            ]
        },
        {
            "raw_today": [
                {
                    "start": "2026-01-14T10:00:00Z",
                    "end": "2026-01-14T11:00:00Z",
                    "value": "nan",
                }
            ]
        },
        {
            "raw_today": [
                {
                    "start": "2026-01-14T11:00:00Z",
                    "end": "2026-01-14T10:00:00Z",
                    "value": 1,
                }
            ]
        },
        {"prices": [{"time": 12, "price": 1}, {"time": "2026-01-14T11:00:00Z"}]},
    ],
)
def test_junk_gives_no_slots(attributes: dict[str, Any]) -> None:
    """Unrecognised or broken attributes give an empty list, never an error."""
    assert parse_price_forecast(attributes) == []


# --- the plan object -----------------------------------------------------------------


def test_charge_plan_queries_and_dict() -> None:
    """charging_at, next_start, expected_end and the JSON form."""
    plan = ChargePlan(
        intervals=(
            (utc(2026, 1, 14, 1), utc(2026, 1, 14, 2)),
            (utc(2026, 1, 14, 4), utc(2026, 1, 14, 5)),
        ),
        ready_by=utc(2026, 1, 14, 6),
        ready_by_met=True,
    )
    assert plan.charging_at(paris(2026, 1, 14, 2, 30))  # 01:30 UTC
    assert not plan.charging_at(utc(2026, 1, 14, 2))
    assert plan.next_start(utc(2026, 1, 14, 1, 30)) == utc(2026, 1, 14, 1)
    assert plan.next_start(utc(2026, 1, 14, 3)) == utc(2026, 1, 14, 4)
    assert plan.next_start(utc(2026, 1, 14, 5)) is None
    assert plan.expected_end == utc(2026, 1, 14, 5)
    assert plan.charge_s == 2 * H
    assert plan.as_dict() == {
        "intervals": [
            ["2026-01-14T01:00:00+00:00", "2026-01-14T02:00:00+00:00"],
            ["2026-01-14T04:00:00+00:00", "2026-01-14T05:00:00+00:00"],
        ],
        "ready_by": "2026-01-14T06:00:00+00:00",
        "ready_by_met": True,
        "expected_end": "2026-01-14T05:00:00+00:00",
        "charge_s": 7200.0,
    }
    empty = ChargePlan(intervals=(), ready_by=None, ready_by_met=True)
    assert empty.expected_end is None
    assert empty.as_dict()["expected_end"] is None
    assert empty.as_dict()["ready_by"] is None


# --- planning in windows -------------------------------------------------------------


def test_windows_enough_before_ready_by() -> None:
    """Tonight's window covers the charge: earliest first, nothing outside it."""
    plan = plan_windows(
        now=paris(2026, 1, 14, 18),
        needed_s=3 * H,
        windows=[NIGHT],
        ready_by=paris(2026, 1, 15, 7),
    )
    assert plan.intervals == ((utc(2026, 1, 14, 21), utc(2026, 1, 15, 0)),)
    assert plan.ready_by_met
    assert plan.ready_by == utc(2026, 1, 15, 6)


def test_windows_not_enough_tops_up_at_once() -> None:
    """10 h needed, 8 h of window before 07:00: the 2 h missing start now."""
    plan = plan_windows(
        now=paris(2026, 1, 14, 18),
        needed_s=10 * H,
        windows=[NIGHT],
        ready_by=paris(2026, 1, 15, 7),
    )
    assert plan.intervals == (
        (utc(2026, 1, 14, 17), utc(2026, 1, 14, 19)),
        (utc(2026, 1, 14, 21), utc(2026, 1, 15, 5)),
    )
    assert plan.ready_by_met


def test_windows_top_up_fills_gaps_between_windows() -> None:
    """Free time is used earliest first even when windows split it."""
    windows = [OffPeakWindow(start=time(19), end=time(20)), NIGHT]
    plan = plan_windows(
        now=paris(2026, 1, 14, 18),
        needed_s=11 * H,
        windows=windows,
        ready_by=paris(2026, 1, 15, 7),
    )
    # 9 h of windows + 2 h outside, the earliest free: 18:00-19:00 and 20:00-21:00.
    assert plan.intervals == (
        (utc(2026, 1, 14, 17), utc(2026, 1, 14, 20)),
        (utc(2026, 1, 14, 21), utc(2026, 1, 15, 5)),
    )
    assert plan.ready_by_met


def test_windows_not_enough_time_at_all() -> None:
    """More needed than there is before ready_by: all of it, ready_by not met."""
    plan = plan_windows(
        now=paris(2026, 1, 14, 22),
        needed_s=10 * H,
        windows=[NIGHT],
        ready_by=paris(2026, 1, 15, 7),
    )
    assert plan.intervals == ((utc(2026, 1, 14, 21), utc(2026, 1, 15, 6)),)
    assert not plan.ready_by_met


def test_windows_without_ready_by_use_later_nights() -> None:
    """No ready-by: as many nights as it takes; beyond the horizon it is not met."""
    plan = plan_windows(
        now=paris(2026, 1, 14, 12), needed_s=10 * H, windows=[NIGHT], ready_by=None
    )
    assert plan.intervals == (
        (utc(2026, 1, 14, 21), utc(2026, 1, 15, 5)),
        (utc(2026, 1, 15, 21), utc(2026, 1, 15, 23)),
    )
    assert plan.ready_by_met
    assert plan.ready_by is None
    rare = [OffPeakWindow(start=time(1), end=time(2), weekdays=frozenset({0}))]
    short = plan_windows(
        now=paris(2026, 1, 14, 12), needed_s=3 * H, windows=rare, ready_by=None
    )
    assert hours(list(short.intervals)) == 2  # two Mondays in 14 days
    assert not short.ready_by_met


def test_windows_ready_by_already_past() -> None:
    """A ready-by in the past is reported as missed; windows are used as without it."""
    plan = plan_windows(
        now=paris(2026, 1, 14, 12),
        needed_s=H,
        windows=[NIGHT],
        ready_by=paris(2026, 1, 14, 7),
    )
    assert plan.intervals == ((utc(2026, 1, 14, 21), utc(2026, 1, 14, 22)),)
    assert not plan.ready_by_met


def test_no_windows_charges_at_once() -> None:
    """No windows: now, for as long as needed."""
    now = paris(2026, 1, 14, 18)
    plan = plan_windows(
        now=now, needed_s=1.5 * H, windows=[], ready_by=paris(2026, 1, 15, 7)
    )
    assert plan.intervals == ((utc(2026, 1, 14, 17), utc(2026, 1, 14, 18, 30)),)
    assert plan.ready_by_met
    assert plan.charging_at(now)
    late = plan_windows(
        now=now, needed_s=2 * H, windows=[], ready_by=paris(2026, 1, 14, 19)
    )
    assert not late.ready_by_met


def test_nothing_needed_is_an_empty_plan() -> None:
    """At or above the limit: no charging, ready-by trivially met."""
    for needed in (0.0, -5.0):
        plan = plan_windows(
            now=paris(2026, 1, 14, 18), needed_s=needed, windows=[NIGHT], ready_by=None
        )
        assert plan.intervals == ()
        assert plan.ready_by_met
        prices = plan_prices(
            now=paris(2026, 1, 14, 18), needed_s=needed, slots=[], ready_by=None
        )
        assert prices.intervals == ()
        assert prices.ready_by_met


def test_windows_dst_night_is_shorter() -> None:
    """On the spring-forward night the 8 h window holds 7 h: the 8th is topped up first."""
    plan = plan_windows(
        now=paris(2026, 3, 28, 21),
        needed_s=8 * H,
        windows=[NIGHT],
        ready_by=paris(2026, 3, 29, 7),
    )
    assert plan.intervals == ((utc(2026, 3, 28, 20), utc(2026, 3, 29, 4)),)
    assert plan.ready_by_met


# --- planning on prices --------------------------------------------------------------


def hourly(start: datetime, prices: list[float]) -> list[PriceSlot]:
    """Return hourly slots from start."""
    return [
        PriceSlot(
            start=start + timedelta(hours=i),
            end=start + timedelta(hours=i + 1),
            price=price,
        )
        for i, price in enumerate(prices)
    ]


def test_prices_cheapest_hours_chosen() -> None:
    """Three cheapest hours before ready-by, merged where they touch."""
    slots = hourly(utc(2026, 1, 14, 0), [5, 1, 2, 9, 0.5, 8, 3])
    plan = plan_prices(
        now=utc(2026, 1, 14, 0),
        needed_s=3 * H,
        slots=slots,
        ready_by=utc(2026, 1, 14, 7),
    )
    assert plan.intervals == (
        (utc(2026, 1, 14, 1), utc(2026, 1, 14, 3)),
        (utc(2026, 1, 14, 4), utc(2026, 1, 14, 5)),
    )
    assert plan.ready_by_met


def test_prices_partial_slot_from_its_start() -> None:
    """2.5 h: the dearest chosen slot is used for half an hour, from its start."""
    slots = hourly(utc(2026, 1, 14, 0), [5, 1, 2, 9, 0.5, 8, 3])
    plan = plan_prices(
        now=utc(2026, 1, 14, 0), needed_s=2.5 * H, slots=slots, ready_by=None
    )
    assert plan.intervals == (
        (utc(2026, 1, 14, 1), utc(2026, 1, 14, 2, 30)),
        (utc(2026, 1, 14, 4), utc(2026, 1, 14, 5)),
    )
    assert plan.ready_by_met


def test_prices_slot_in_progress_counts_from_now() -> None:
    """At 01:40 the cheap 01:00 slot has 20 min left; the rest comes from the next cheapest."""
    slots = hourly(utc(2026, 1, 14, 0), [5, 1, 2, 9])
    plan = plan_prices(
        now=utc(2026, 1, 14, 1, 40),
        needed_s=H,
        slots=slots,
        ready_by=utc(2026, 1, 14, 4),
    )
    assert plan.intervals == ((utc(2026, 1, 14, 1, 40), utc(2026, 1, 14, 2, 40)),)
    assert plan.charging_at(utc(2026, 1, 14, 1, 40))


def test_prices_ties_go_earlier() -> None:
    """Equal prices: the earlier hour."""
    slots = hourly(utc(2026, 1, 14, 0), [3, 2, 7, 2, 2])
    plan = plan_prices(
        now=utc(2026, 1, 14, 0), needed_s=2 * H, slots=slots, ready_by=None
    )
    assert plan.intervals == (
        (utc(2026, 1, 14, 1), utc(2026, 1, 14, 2)),
        (utc(2026, 1, 14, 3), utc(2026, 1, 14, 4)),
    )


def test_prices_negative_are_cheapest() -> None:
    """Being paid to charge beats any positive price."""
    slots = hourly(utc(2026, 1, 14, 10), [0.1, -0.05, 0.0, -0.02])
    plan = plan_prices(
        now=utc(2026, 1, 14, 10), needed_s=2 * H, slots=slots, ready_by=None
    )
    assert plan.intervals == (
        (utc(2026, 1, 14, 11), utc(2026, 1, 14, 12)),
        (utc(2026, 1, 14, 13), utc(2026, 1, 14, 14)),
    )


def test_prices_unknown_time_only_when_needed() -> None:
    """A gap without prices is used last, earliest first; time after the prices too."""
    slots = [*hourly(utc(2026, 1, 14, 0), [9, 8]), *hourly(utc(2026, 1, 14, 3), [7])]
    ready_by = utc(2026, 1, 14, 6)
    enough = plan_prices(
        now=utc(2026, 1, 14, 0), needed_s=2 * H, slots=slots, ready_by=ready_by
    )
    assert enough.intervals == (
        (utc(2026, 1, 14, 1), utc(2026, 1, 14, 2)),
        (utc(2026, 1, 14, 3), utc(2026, 1, 14, 4)),
    )
    more = plan_prices(
        now=utc(2026, 1, 14, 0), needed_s=4.5 * H, slots=slots, ready_by=ready_by
    )
    # 3 h of prices, then the 02:00 gap, then half an hour after 04:00.
    assert more.intervals == ((utc(2026, 1, 14, 0), utc(2026, 1, 14, 4, 30)),)
    assert more.ready_by_met


def test_prices_not_enough_time() -> None:
    """More needed than time before ready-by: all of it, not met."""
    slots = hourly(utc(2026, 1, 14, 0), [1, 2, 3])
    plan = plan_prices(
        now=utc(2026, 1, 14, 0),
        needed_s=5 * H,
        slots=slots,
        ready_by=utc(2026, 1, 14, 2),
    )
    assert plan.intervals == ((utc(2026, 1, 14, 0), utc(2026, 1, 14, 2)),)
    assert not plan.ready_by_met
    # Without ready-by the known prices are the horizon.
    open_ended = plan_prices(
        now=utc(2026, 1, 14, 0), needed_s=5 * H, slots=slots, ready_by=None
    )
    assert open_ended.intervals == ((utc(2026, 1, 14, 0), utc(2026, 1, 14, 3)),)
    assert not open_ended.ready_by_met


def test_prices_ready_by_past_uses_the_known_prices() -> None:
    """A past ready-by: missed, and the cheapest known time is still planned."""
    slots = hourly(utc(2026, 1, 14, 0), [4, 1])
    plan = plan_prices(
        now=utc(2026, 1, 14, 0), needed_s=H, slots=slots, ready_by=utc(2026, 1, 13, 7)
    )
    assert plan.intervals == ((utc(2026, 1, 14, 1), utc(2026, 1, 14, 2)),)
    assert not plan.ready_by_met


def test_prices_none_known() -> None:
    """No prices: at once without ready-by; with one, earliest time before it."""
    now = utc(2026, 1, 14, 0)
    assert plan_prices(now=now, needed_s=H, slots=[], ready_by=None).intervals == (
        (now, utc(2026, 1, 14, 1)),
    )
    plan = plan_prices(now=now, needed_s=H, slots=[], ready_by=utc(2026, 1, 14, 6))
    assert plan.intervals == ((now, utc(2026, 1, 14, 1)),)
    assert plan.ready_by_met


def test_prices_from_a_parsed_quarter_hour_forecast() -> None:
    """End to end: ENTSO-e quarter hours in, the cheapest 30 minutes out."""
    points = [
        {"time": f"2026-01-14T10:{minute:02d}:00+00:00", "price": price}
        for minute, price in zip((0, 15, 30, 45), (0.3, 0.1, 0.2, 0.1), strict=True)
    ]
    slots = parse_price_forecast({"prices_today": points})
    plan = plan_prices(
        now=utc(2026, 1, 14, 10), needed_s=1800, slots=slots, ready_by=None
    )
    assert plan.intervals == (
        (utc(2026, 1, 14, 10, 15), utc(2026, 1, 14, 10, 30)),
        (utc(2026, 1, 14, 10, 45), utc(2026, 1, 14, 11)),
    )
