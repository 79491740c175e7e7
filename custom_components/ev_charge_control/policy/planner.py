"""When to charge: off-peak windows, a ready-by time and the cheapest priced slots.

Windows are wall-clock times on weekdays, in the time zone of the ``now`` the caller
passes (Home Assistant's local zone). Prices come from a price sensor's forecast
attributes (Nord Pool, ENTSO-e and generic shapes).

Cost model: the charging power is constant over a plan (the caller turns SoC, limit,
battery capacity and power into ``needed_s``), so a plan's cost is the sum of
price x time over its intervals. Choosing the cheapest seconds first is then exact (a
fractional knapsack), which bench/planner.py checks against a brute optimum.

Every datetime this module returns is in UTC. Python compares and subtracts two
datetimes that share a tzinfo by their wall-clock fields, ignoring ``fold``, so two
local times in the repeated hour of an autumn night would compare wrongly; UTC has no
such hour, and a UTC datetime compares correctly with any aware datetime.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import datetime as dt
import itertools
import math
from typing import Any

UTC = dt.UTC
DAY = dt.timedelta(days=1)
WEEK_S = 7 * 86_400
WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
# How far next_window looks, and how far a plan without a ready-by looks for windows.
NEXT_WINDOW_HORIZON = dt.timedelta(days=8)
WINDOW_PLAN_HORIZON = dt.timedelta(days=14)
# Rounding to microseconds in timedelta must not make a plan look one tick short.
_EPS_S = 1e-3
# The open start of a clip that only has an end.
_DAWN = dt.datetime.min.replace(tzinfo=UTC)


class WindowError(ValueError):
    """A list of windows that cannot be used.

    ``reason`` is a short machine key ("empty_weekdays", "zero_length", "overlap");
    ``str(err)`` says what is wrong in words a user understands.
    """

    def __init__(self, reason: str, message: str) -> None:
        """Keep the machine key next to the message."""
        super().__init__(message)
        self.reason = reason


def _hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _time_s(value: dt.time) -> float:
    return (
        value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class OffPeakWindow:
    """A daily stretch of cheap time, on the weekdays it starts on (Monday = 0).

    ``end <= start`` means the window ends the next day; ``start == end`` is invalid
    (validate_windows says so) and never occurs.
    """

    start: dt.time
    end: dt.time
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(7)))

    def __post_init__(self) -> None:
        """Refuse weekday numbers no calendar has: a programming error, not input."""
        if not all(isinstance(day, int) and 0 <= day <= 6 for day in self.weekdays):
            raise ValueError(f"weekdays must be 0 (Monday) to 6, got {self.weekdays}")

    @property
    def spans_midnight(self) -> bool:
        """Return whether the window ends on the day after it starts."""
        return self.end <= self.start

    @property
    def duration_s(self) -> float:
        """Return the nominal length (a DST night may make it shorter or longer)."""
        length = _time_s(self.end) - _time_s(self.start)
        return length + 86_400 if length < 0 else length

    def describe(self) -> str:
        """Return e.g. '22:00–06:00 on Monday, Tuesday' for error messages."""
        if self.weekdays == frozenset(range(7)):
            days = "every day"
        else:
            days = "on " + ", ".join(
                WEEKDAY_NAMES[day] for day in sorted(self.weekdays)
            )
        return f"{_hhmm(self.start)}–{_hhmm(self.end)} {days}"

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-safe form, for storage and the get_plan answer."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weekdays": [WEEKDAY_KEYS[day] for day in sorted(self.weekdays)],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OffPeakWindow:
        """Build a window from as_dict's form; raise ValueError on anything else.

        Times may be strings ("22:00", "22:00:00") or time objects; weekdays keys
        ("mon") or numbers (0 = Monday); missing weekdays mean every day.
        """
        try:
            start = _parse_time(data["start"])
            end = _parse_time(data["end"])
        except KeyError as err:
            raise ValueError(f"a window needs a start and an end, got {data}") from err
        raw_days = data.get("weekdays")
        if raw_days is None:
            return cls(start=start, end=end)
        try:
            weekdays = frozenset(_parse_weekday(day) for day in raw_days)
        except TypeError as err:
            raise ValueError(f"weekdays must be a list, got {raw_days!r}") from err
        return cls(start=start, end=end, weekdays=weekdays)


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"not a time of day: {value!r}")


def _parse_weekday(value: Any) -> int:
    if isinstance(value, str) and value.lower()[:3] in WEEKDAY_KEYS:
        return WEEKDAY_KEYS.index(value.lower()[:3])
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    raise ValueError(f"not a weekday: {value!r}")


def validate_windows(windows: Sequence[OffPeakWindow]) -> None:
    """Raise WindowError if a window is empty or two windows share time in the week.

    Overlaps are checked on the whole week, midnight spans included: a Sunday
    22:00–06:00 window overlaps a Monday 05:00–07:00 one. Windows that only touch
    (one ends at 06:00, the next starts at 06:00) are fine.
    """
    spans: list[tuple[float, float, OffPeakWindow, int]] = []
    for window in windows:
        if not window.weekdays:
            raise WindowError(
                "empty_weekdays",
                f"The window {window.describe()} has no weekday: pick at least one.",
            )
        if window.start == window.end:
            raise WindowError(
                "zero_length",
                f"The window {_hhmm(window.start)}–{_hhmm(window.end)} starts and ends "
                "at the same time: it would never be open.",
            )
        for day in window.weekdays:
            begin = day * 86_400 + _time_s(window.start)
            finish = begin + window.duration_s
            spans.append((begin, min(finish, WEEK_S), window, day))
            if finish > WEEK_S:  # Sunday night runs into Monday morning
                spans.append((0.0, finish - WEEK_S, window, day))
    spans.sort(key=lambda span: (span[0], span[1]))
    for before, after in itertools.pairwise(spans):
        if after[0] < before[1]:
            raise WindowError(
                "overlap",
                f"The window {_hhmm(before[2].start)}–{_hhmm(before[2].end)} starting "
                f"on {WEEKDAY_NAMES[before[3]]} overlaps the window "
                f"{_hhmm(after[2].start)}–{_hhmm(after[2].end)} starting on "
                f"{WEEKDAY_NAMES[after[3]]}.",
            )


def _instant(day: dt.date, wall: dt.time, tz: dt.tzinfo, *, last: bool) -> dt.datetime:
    """Return the UTC instant a clock in ``tz`` shows ``wall`` on ``day``.

    A time the clock skips (spring forward) maps to the moment of the jump, so a
    window inside the skipped hour is empty. A time the clock shows twice (fall back)
    maps to its first showing for a start and its last for an end (``last``), so the
    window covers every moment the clock is inside it.
    """
    naive = dt.datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return second if last and second > first else first
    # Skipped: fold 0 uses the offset before the jump (a later instant), fold 1 the
    # offset after; the jump lies between, on a whole second.
    low = math.floor(min(first, second).timestamp())
    high = math.ceil(max(first, second).timestamp())
    before = dt.datetime.fromtimestamp(low, UTC).astimezone(tz).utcoffset()
    while high - low > 1:
        mid = (low + high) // 2
        if dt.datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == before:
            low = mid
        else:
            high = mid
    return dt.datetime.fromtimestamp(high, UTC)


def _occurrences(
    windows: Iterable[OffPeakWindow],
    start: dt.datetime,
    end: dt.datetime,
    tz: dt.tzinfo,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the windows' UTC intervals meeting [start, end), unclipped and merged."""
    first_day = start.astimezone(tz).date() - DAY  # last night's window may still run
    last_day = end.astimezone(tz).date()
    found: list[tuple[dt.datetime, dt.datetime]] = []
    for window in windows:
        if window.start == window.end:
            continue
        day = first_day
        while day <= last_day:
            if day.weekday() in window.weekdays:
                begin = _instant(day, window.start, tz, last=False)
                end_day = day + DAY if window.spans_midnight else day
                finish = _instant(end_day, window.end, tz, last=True)
                if begin < finish and begin < end and finish > start:
                    found.append((begin, finish))
            day += DAY
    return _merge(found)


def _merge(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Sort non-empty intervals and join those that touch or overlap."""
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def _clip(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
    start: dt.datetime,
    end: dt.datetime,
) -> list[tuple[dt.datetime, dt.datetime]]:
    clipped = [(max(begin, start), min(finish, end)) for begin, finish in intervals]
    return [(begin, finish) for begin, finish in clipped if begin < finish]


def _zone(now: dt.datetime) -> dt.tzinfo:
    if now.tzinfo is None:
        raise ValueError(f"an aware datetime is needed, got {now}")
    return now.tzinfo


def window_occurrences(
    windows: Sequence[OffPeakWindow], start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the windows' intervals in [start, end): clipped, sorted, merged, in UTC.

    Wall-clock times are read in ``start``'s time zone, so a window keeps its local
    hours across a DST change (and the night of the change is an hour shorter or
    longer, as the clock on the wall says).
    """
    tz = _zone(start)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return _clip(_occurrences(windows, start, end, tz), start, end)


def next_window(
    windows: Sequence[OffPeakWindow], now: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    """Return the window in progress (its start <= now) or the next one, in UTC.

    Touching windows count as one. None when no window opens in the next 8 days.
    """
    tz = _zone(now)
    now = now.astimezone(UTC)
    # Looking back as far as forward keeps a long merged window's true start.
    found = _occurrences(
        windows, now - NEXT_WINDOW_HORIZON, now + NEXT_WINDOW_HORIZON, tz
    )
    for begin, finish in found:
        if finish > now and begin < now + NEXT_WINDOW_HORIZON:
            return begin, finish
    return None


@dataclass(frozen=True, kw_only=True, slots=True)
class PriceSlot:
    """A price for [start, end), in the sensor's unit (per kWh or per MWh alike)."""

    start: dt.datetime
    end: dt.datetime
    price: float


def _parse_instant(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return None  # a naive time could be any zone's: not guessed


def _parse_price(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        price = float(value)
    except ValueError:
        return None
    return price if math.isfinite(price) else None


def _entries(
    attributes: Mapping[str, Any], keys: Iterable[str]
) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for key in keys:
        value = attributes.get(key)
        if isinstance(value, (list, tuple)):
            found.extend(entry for entry in value if isinstance(entry, Mapping))
    return found


def _first(entry: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if entry.get(key) is not None:
            return entry[key]
    return None


def _from_points(points: list[tuple[dt.datetime, float]]) -> list[PriceSlot]:
    """Turn start-only prices into slots: each lasts until the next one starts."""
    points = sorted(dict(points).items())
    slots: list[PriceSlot] = []
    step = dt.timedelta(hours=1)
    for index, (start, price) in enumerate(points):
        if index + 1 < len(points):
            step = points[index + 1][0] - start
        slots.append(PriceSlot(start=start, end=start + step, price=price))
    return slots


def parse_price_forecast(attributes: Mapping[str, Any]) -> list[PriceSlot]:
    """Return the price slots a price sensor's attributes hold, sorted and distinct.

    Understood shapes (entries that make no sense are skipped, nothing raises):
    - Nord Pool custom integration: ``raw_today`` / ``raw_tomorrow``, entries
      ``{"start", "end", "value"}`` (a ``None`` value is a price not yet known);
    - ENTSO-e custom integration: ``prices_today`` / ``prices_tomorrow`` / ``prices``,
      entries ``{"time", "price"}``: a slot lasts until the next entry (the last one as
      long as the one before it, one hour when alone);
    - generic forecasts: ``forecast`` / ``data``, entries with ``start``/``start_time``,
      ``end``/``end_time`` (optional, then as ENTSO-e) and ``price``/``value``.
    Slots may be 15 minutes or an hour long. Where slots overlap, the earlier wins.
    """
    slots: list[PriceSlot] = []
    points: list[tuple[dt.datetime, float]] = []
    ranged = _entries(attributes, ("raw_today", "raw_tomorrow", "forecast", "data"))
    for entry in ranged:
        start = _parse_instant(_first(entry, ("start", "start_time")))
        end = _parse_instant(_first(entry, ("end", "end_time")))
        price = _parse_price(_first(entry, ("value", "price")))
        if start is None or price is None:
            continue
        if end is None:
            points.append((start, price))
        elif end > start:
            slots.append(PriceSlot(start=start, end=end, price=price))
    for entry in _entries(attributes, ("prices_today", "prices_tomorrow", "prices")):
        start = _parse_instant(entry.get("time"))
        price = _parse_price(entry.get("price"))
        if start is not None and price is not None:
            points.append((start, price))
    slots.extend(_from_points(points))
    distinct: list[PriceSlot] = []
    for slot in sorted(slots, key=lambda slot: (slot.start, slot.end)):
        if not distinct or slot.start >= distinct[-1].end:
            distinct.append(slot)
    return distinct


@dataclass(frozen=True, kw_only=True, slots=True)
class ChargePlan:
    """When to charge: sorted, merged UTC intervals, and whether ready-by is met.

    ``ready_by_met`` is True when the intervals before ready_by (all of them when
    there is no ready_by) cover the time needed.
    """

    intervals: tuple[tuple[dt.datetime, dt.datetime], ...]
    ready_by: dt.datetime | None
    ready_by_met: bool

    def charging_at(self, now: dt.datetime) -> bool:
        """Return whether the plan charges at ``now``."""
        return any(begin <= now < finish for begin, finish in self.intervals)

    def next_start(self, now: dt.datetime) -> dt.datetime | None:
        """Return the start of the interval in progress or of the next one."""
        for begin, finish in self.intervals:
            if finish > now:
                return begin
        return None

    @property
    def expected_end(self) -> dt.datetime | None:
        """Return when the last interval ends."""
        return self.intervals[-1][1] if self.intervals else None

    @property
    def charge_s(self) -> float:
        """Return the total charging time of the plan."""
        return sum((finish - begin).total_seconds() for begin, finish in self.intervals)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-safe form (ISO 8601 strings)."""
        end = self.expected_end
        return {
            "intervals": [
                [begin.isoformat(), finish.isoformat()]
                for begin, finish in self.intervals
            ],
            "ready_by": self.ready_by.isoformat() if self.ready_by else None,
            "ready_by_met": self.ready_by_met,
            "expected_end": end.isoformat() if end else None,
            "charge_s": round(self.charge_s, 3),
        }


def _plan(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
    needed_s: float,
    ready_by: dt.datetime | None,
) -> ChargePlan:
    merged = tuple(_merge(intervals))
    if ready_by is None:
        covered = sum((finish - begin).total_seconds() for begin, finish in merged)
    else:
        covered = sum(
            (finish - begin).total_seconds()
            for begin, finish in _clip(merged, _DAWN, ready_by)
        )
    return ChargePlan(
        intervals=merged,
        ready_by=ready_by.astimezone(UTC) if ready_by else None,
        ready_by_met=covered >= needed_s - _EPS_S,
    )


def _take(
    pieces: Iterable[tuple[dt.datetime, dt.datetime]], needed_s: float
) -> tuple[list[tuple[dt.datetime, dt.datetime]], float]:
    """Take pieces in the given order until needed_s is covered; return them and the rest.

    A piece used partly is used from its start.
    """
    taken: list[tuple[dt.datetime, dt.datetime]] = []
    left = needed_s
    for begin, finish in pieces:
        if left <= _EPS_S:
            break
        length = (finish - begin).total_seconds()
        if length >= left:
            taken.append((begin, begin + dt.timedelta(seconds=left)))
            left = 0.0
        else:
            taken.append((begin, finish))
            left -= length
    return taken, max(left, 0.0)


def _gaps(
    taken: Sequence[tuple[dt.datetime, dt.datetime]],
    start: dt.datetime,
    end: dt.datetime,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the parts of [start, end) outside the sorted, merged ``taken``."""
    gaps: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = start
    for begin, finish in taken:
        if begin > cursor:
            gaps.append((cursor, min(begin, end)))
        cursor = max(cursor, finish)
    if cursor < end:
        gaps.append((cursor, end))
    return [(begin, finish) for begin, finish in gaps if begin < finish]


def plan_windows(
    *,
    now: dt.datetime,
    needed_s: float,
    windows: Sequence[OffPeakWindow],
    ready_by: dt.datetime | None,
) -> ChargePlan:
    """Charge in the off-peak windows from now on, earliest first, until needed_s.

    When the windows before ready_by cannot cover needed_s, the missing time is taken
    outside them, as early as possible: the departure is the hard requirement, the
    extra time costs the same whenever it falls (all of it is peak time), and starting
    at once leaves the later windows, and any time left before ready_by, to absorb an
    estimate that proves short (the taper near full comes last). If [now, ready_by)
    is too short, the plan is all of it and ready_by_met is False.
    No windows: charge at once. needed_s <= 0: an empty plan. A ready_by already past
    is kept (ready_by_met False) and the windows are used as without one.
    """
    tz = _zone(now)
    now = now.astimezone(UTC)
    if needed_s <= 0:
        return _plan((), 0.0, ready_by)
    if not windows:
        return _plan([(now, now + dt.timedelta(seconds=needed_s))], needed_s, ready_by)
    deadline = ready_by.astimezone(UTC) if ready_by and ready_by > now else None
    if deadline is None:
        found = _clip(
            _occurrences(windows, now, now + WINDOW_PLAN_HORIZON, tz),
            now,
            now + WINDOW_PLAN_HORIZON,
        )
        taken, _ = _take(found, needed_s)
        return _plan(taken, needed_s, ready_by)
    found = _clip(_occurrences(windows, now, deadline, tz), now, deadline)
    taken, left = _take(found, needed_s)
    if left > _EPS_S:
        extra, _ = _take(_gaps(taken, now, deadline), left)
        taken += extra
    return _plan(taken, needed_s, ready_by)


def plan_prices(
    *,
    now: dt.datetime,
    needed_s: float,
    slots: Sequence[PriceSlot],
    ready_by: dt.datetime | None,
) -> ChargePlan:
    """Charge in the cheapest time before ready_by that covers needed_s.

    The horizon is ready_by, or the end of the known prices without one (or when it
    is already past). The slot in progress counts from now. Slots are taken cheapest
    first, ties earliest first; the last one taken may be used partly, from its
    start, so the charge runs on at the cheapest price reached. Time before the
    horizon without a known price counts as dearer than any known price, so it is
    used only when needed, earliest first. If all the time before ready_by is not
    enough, the plan is all of it and ready_by_met is False.
    No prices and no ready_by: charge at once, as with no windows.
    """
    _zone(now)
    now = now.astimezone(UTC)
    if needed_s <= 0:
        return _plan((), 0.0, ready_by)
    known = sorted(slots, key=lambda slot: slot.start)
    deadline = ready_by.astimezone(UTC) if ready_by and ready_by > now else None
    horizon = deadline or (known[-1].end.astimezone(UTC) if known else None)
    if horizon is None:
        return _plan([(now, now + dt.timedelta(seconds=needed_s))], needed_s, ready_by)
    priced: list[tuple[float, dt.datetime, dt.datetime]] = []
    for slot in known:
        begin, finish = max(slot.start, now), min(slot.end, horizon)
        if begin < finish:
            priced.append((slot.price, begin.astimezone(UTC), finish.astimezone(UTC)))
    priced.sort(key=lambda piece: (piece[0], piece[1]))
    taken, left = _take(((begin, finish) for _, begin, finish in priced), needed_s)
    if left > _EPS_S:
        covered_by_prices = _merge((begin, finish) for _, begin, finish in priced)
        extra, _ = _take(_gaps(covered_by_prices, now, horizon), left)
        taken += extra
    return _plan(taken, needed_s, ready_by)
