"""Stop a charge at its limit: SoC between reports, when to send the stop, capacity.

A car reports its SoC as a whole percent every 5-30 minutes; a linked charger shows the
same whole percent live. Between readings the SoC is extrapolated from the power the
car draws at the wall and the battery's capacity, with the typical taper above
:data:`TAPER_FROM_PCT`, and the stop is sent ahead of the limit by the time the command
takes to act. Whole-percent readings are narrowed by :class:`SocTracker`, which keeps
what successive readings agree on; the capacity, when the car does not say it, is
learned by :class:`CapacityLearner` from successive readings while charging.

A charge to 100 % is never stopped here: at a reported 100 % the car may still be
balancing its cells, which is a reason to let it finish, not to stop.

Times are epoch seconds (floats); powers are wall (AC) powers in kW.
"""

from __future__ import annotations

from collections.abc import Mapping
import math

# The on-board charger and the battery lose about 8 % between the wall and the cells at
# AC powers (measured values for current cars lie between 0.88 and 0.94).
DEFAULT_EFFICIENCY: float = 0.92
# Typical: acceptance falls linearly above this ...
TAPER_FROM_PCT: float = 80.0
# ... to this share of full power near 100 % (a balancing trickle).
TRICKLE_FRACTION: float = 0.05
# Cars report every 10-30 min while charging and are often one report late; data
# older than two missed half-hourly reports and a bit says nothing about now.
CAR_STALE_AFTER_S: float = 75 * 60
# A charger is read every few seconds: two minutes without a reading means it is gone.
CHARGER_STALE_AFTER_S: float = 120.0
# A cloud command reaches the car through the maker's servers and the car's modem:
# 30-120 s in practice; aim at the middle so either end misses by the least.
CLOUD_LATENCY_S: float = 75.0
# A Modbus write acts within a second; the car's contactor takes about another.
CHARGER_LATENCY_S: float = 2.0

# A report stamped this far in the future (a car's clock running ahead) is still used.
CLOCK_SKEW_S: float = 300.0
# Cars report the SoC rounded to the nearest whole percent (both simulators mirror it).
SOC_RESOLUTION_PCT: float = 1.0

_SECONDS_PER_HOUR = 3600.0


def is_fresh(as_of: float, now: float, stale_after_s: float) -> bool:
    """Whether a value measured at ``as_of`` may still be acted upon at ``now``."""
    age = now - as_of
    return -CLOCK_SKEW_S <= age <= stale_after_s


def soc_rate_pct_per_h(
    *,
    soc_pct: float,
    power_kw: float,
    capacity_kwh: float,
    efficiency: float = DEFAULT_EFFICIENCY,
) -> float:
    """How fast the SoC rises (percent per hour) at this wall power.

    ``power_kw`` is the power at ``soc_pct`` (a measured power is already tapered), so
    ``soc_pct`` only marks the end: a full battery takes nothing.
    """
    if capacity_kwh <= 0:
        raise ValueError(f"capacity_kwh must be positive, got {capacity_kwh}")
    if soc_pct >= 100 or power_kw <= 0:
        return 0.0
    return 100.0 * power_kw * efficiency / capacity_kwh


def _acceptance(soc_pct: float) -> float:
    """The share of its full power the car accepts at this SoC (the typical taper)."""
    if soc_pct < TAPER_FROM_PCT:
        return 1.0
    above = min(soc_pct, 100.0) - TAPER_FROM_PCT
    return 1.0 - (1.0 - TRICKLE_FRACTION) * above / (100.0 - TAPER_FROM_PCT)


def _full_power_kw(soc_pct: float, power_kw: float) -> float:
    """The untapered power behind a power measured at ``soc_pct``.

    A report taken at 85 % with 8 kW comes from a car that drew more below 80 %; one
    taken at 78 % with 11 kW will see less above 80 %. Either way the curve is the same.
    """
    return power_kw / _acceptance(soc_pct)


class _Curve:
    """The SoC over time of a car charging at ``full_kw`` with the typical taper.

    Below the taper the SoC rises linearly. Above it the accepted power is
    ``W = trickle + k * (100 - SoC)`` and ``d(100 - SoC)/dt = -rate * W``, hence
    ``W(t) = W0 * exp(-rate * k * t)``: closed forms, so no step size to tune.
    """

    __slots__ = ("_decay", "_full_kw", "_k", "_rate", "_trickle_kw")

    def __init__(self, full_kw: float, capacity_kwh: float, efficiency: float) -> None:
        self._full_kw = full_kw
        # Percent per second per kW.
        self._rate = 100.0 * efficiency / (capacity_kwh * _SECONDS_PER_HOUR)
        self._trickle_kw = TRICKLE_FRACTION * full_kw
        self._k = (full_kw - self._trickle_kw) / (100.0 - TAPER_FROM_PCT)
        self._decay = self._rate * self._k

    def _power(self, soc_pct: float) -> float:
        return self._full_kw * _acceptance(soc_pct)

    def advance(self, soc_pct: float, seconds: float) -> float:
        """The SoC ``seconds`` after ``soc_pct`` (never above 100)."""
        soc = soc_pct
        if soc < TAPER_FROM_PCT:
            linear_s = (TAPER_FROM_PCT - soc) / (self._rate * self._full_kw)
            if seconds <= linear_s:
                return soc + self._rate * self._full_kw * seconds
            seconds -= linear_s
            soc = TAPER_FROM_PCT
        if soc >= 100.0:
            return 100.0
        power = self._power(soc) * math.exp(-self._decay * seconds)
        return min(100.0, 100.0 - (power - self._trickle_kw) / self._k)

    def seconds_to(self, soc_pct: float, target_pct: float) -> float:
        """How long from ``soc_pct`` to ``target_pct`` (0 if already there)."""
        if target_pct <= soc_pct:
            return 0.0
        target = min(target_pct, 100.0)
        seconds = 0.0
        soc = soc_pct
        if soc < TAPER_FROM_PCT:
            upto = min(target, TAPER_FROM_PCT)
            seconds += (upto - soc) / (self._rate * self._full_kw)
            soc = upto
        if target > soc:
            seconds += math.log(self._power(soc) / self._power(target)) / self._decay
        return seconds


def _curve(
    soc_pct: float,
    power_kw: float | None,
    capacity_kwh: float | None,
    efficiency: float,
) -> _Curve | None:
    """The curve through a measured power, or None when it cannot be drawn."""
    if power_kw is None or capacity_kwh is None or power_kw <= 0 or capacity_kwh <= 0:
        return None
    return _Curve(_full_power_kw(soc_pct, power_kw), capacity_kwh, efficiency)


def estimate_soc(
    *,
    soc_pct: float,
    as_of: float,
    now: float,
    power_kw: float | None,
    capacity_kwh: float | None,
    efficiency: float = DEFAULT_EFFICIENCY,
) -> float:
    """Extrapolate a SoC measured at ``as_of`` with ``power_kw`` to ``now``.

    The measured power is taken as the car's draw at ``soc_pct`` and follows the
    typical taper from there. Unknown power or capacity, or ``now`` not after
    ``as_of``: the measured value unchanged.
    """
    curve = _curve(soc_pct, power_kw, capacity_kwh, efficiency)
    if curve is None or now <= as_of:
        return soc_pct
    return curve.advance(soc_pct, now - as_of)


def stop_at(
    *,
    soc_pct: float,
    as_of: float,
    power_kw: float | None,
    capacity_kwh: float | None,
    limit_pct: float,
    latency_s: float,
    efficiency: float = DEFAULT_EFFICIENCY,
) -> float | None:
    """When to send a stop so that the charge ends at ``limit_pct``.

    None when it cannot be told (power or capacity unknown, no power) or must not be
    (a limit of 100 %: the car ends that charge itself). The answer may lie in the
    past: then the stop is overdue and goes now.
    """
    if limit_pct >= 100:
        return None
    curve = _curve(soc_pct, power_kw, capacity_kwh, efficiency)
    if curve is None:
        return None
    return as_of + curve.seconds_to(soc_pct, limit_pct) - latency_s


def charge_duration_s(
    *,
    soc_pct: float,
    target_pct: float,
    capacity_kwh: float,
    power_kw: float,
    efficiency: float = DEFAULT_EFFICIENCY,
) -> float:
    """Seconds from ``soc_pct`` to ``target_pct`` at this full (untapered) wall power."""
    if capacity_kwh <= 0 or power_kw <= 0:
        raise ValueError(f"need a capacity and a power, got {capacity_kwh}, {power_kw}")
    return _Curve(power_kw, capacity_kwh, efficiency).seconds_to(soc_pct, target_pct)


class SocTracker:
    """Narrows whole-percent readings to what successive readings agree on.

    A reading of 79 means a SoC in [78.5, 79.5). Projected along the charge curve, the
    interval of an earlier reading overlaps the next reading's only in part; keeping
    the overlap shrinks the uncertainty, down to the SoC change between two readings
    when a charger is read every few seconds (the reading flips at x.5). The
    projection widens by :attr:`RATE_UNCERTAINTY` of the projected rise, so a capacity
    or efficiency that is a few percent off cannot pin the interval to a wrong edge;
    readings that cannot be reconciled (a drive, a gap, a model far off) start over.
    """

    # How far off the projected rise may be (capacity and efficiency errors).
    RATE_UNCERTAINTY = 0.05

    def __init__(self, *, resolution_pct: float = SOC_RESOLUTION_PCT) -> None:
        """Start with nothing known."""
        self._half = resolution_pct / 2.0
        self._low = 0.0
        self._high = 0.0
        self._as_of: float | None = None
        self._power_kw: float | None = None

    @property
    def as_of(self) -> float | None:
        """When the last reading was measured."""
        return self._as_of

    @property
    def power_kw(self) -> float | None:
        """The power of the last reading."""
        return self._power_kw

    @property
    def soc_pct(self) -> float | None:
        """The best SoC at :attr:`as_of`: the middle of what the readings allow."""
        if self._as_of is None:
            return None
        return (self._low + self._high) / 2.0

    @property
    def uncertainty_pct(self) -> float | None:
        """Half the width of what the readings allow."""
        if self._as_of is None:
            return None
        return (self._high - self._low) / 2.0

    def observe(
        self,
        *,
        soc_pct: float,
        as_of: float,
        power_kw: float | None,
        capacity_kwh: float | None,
        efficiency: float = DEFAULT_EFFICIENCY,
    ) -> None:
        """Take a reading; older or repeated readings are ignored."""
        if self._as_of is not None and as_of <= self._as_of:
            return
        low = max(0.0, soc_pct - self._half)
        high = min(100.0, soc_pct + self._half)
        projected = self._project(as_of, capacity_kwh, efficiency)
        if projected is not None:
            low, high = max(low, projected[0]), min(high, projected[1])
            if low > high:
                low, high = (
                    max(0.0, soc_pct - self._half),
                    min(100.0, soc_pct + self._half),
                )
        self._low, self._high = low, high
        self._as_of = as_of
        self._power_kw = power_kw

    def _project(
        self, as_of: float, capacity_kwh: float | None, efficiency: float
    ) -> tuple[float, float] | None:
        """The previous interval moved to ``as_of``, or None when that cannot be done."""
        if self._as_of is None or as_of - self._as_of > CAR_STALE_AFTER_S:
            return None
        seconds = as_of - self._as_of
        mid = (self._low + self._high) / 2.0
        curve = _curve(mid, self._power_kw, capacity_kwh, efficiency)
        if curve is None:
            # Not charging as far as we know: the SoC holds, unless the car moved,
            # which the next reading shows (no overlap: start over).
            return self._low, self._high
        low = curve.advance(self._low, seconds)
        high = curve.advance(self._high, seconds)
        slack = self.RATE_UNCERTAINTY * (curve.advance(mid, seconds) - mid)
        return low - slack, high + slack


# Capacity learning: a report that moved by less than this is mostly rounding.
MIN_LEARN_RISE_PCT: float = 5.0
# Estimates outside this range are a wrong reading, not a battery.
MIN_CAPACITY_KWH: float = 5.0
MAX_CAPACITY_KWH: float = 250.0
# No wall charger delivers more; a larger reading is garbage.
MAX_POWER_KW: float = 400.0
# A trapezoid over a longer gap guesses more than it measures.
MAX_LEARN_GAP_S: float = CAR_STALE_AFTER_S
# A capacity the car states counts as much as a charge over this many percent; the
# memory of past charges is capped so that an ageing battery is followed.
SEED_WEIGHT_PCT: float = 30.0
MAX_WEIGHT_PCT: float = 200.0


class CapacityLearner:
    """Learns usable capacity from successive reports while charging when the car does not say it.

    Within one charge the wall energy between reports (trapezoid of the two powers,
    times the assumed efficiency) is summed from the charge's first report; the
    estimate is that energy over the SoC rise since. Its error is one whole percent
    over the rise, so it improves as the charge goes on and weighs by the rise when
    merged with earlier charges. With the assumed efficiency off, the estimate is off
    by the same factor: exactly what makes extrapolations with that efficiency right.
    """

    def __init__(self, capacity_kwh: float | None = None) -> None:
        """Start from a capacity the car states, or from nothing."""
        self._prior_kwh = capacity_kwh
        self._prior_weight = 0.0 if capacity_kwh is None else SEED_WEIGHT_PCT
        self._anchor_soc: float | None = None
        self._last: tuple[float, float, float] | None = None  # soc, as_of, power
        self._energy_kwh = 0.0
        self._session: tuple[float, float] | None = None  # estimate, rise

    @property
    def capacity_kwh(self) -> float | None:
        """The best capacity so far, or None before anything is known."""
        merged = self._merged()
        return None if merged is None else merged[0]

    def _merged(self) -> tuple[float, float] | None:
        parts: list[tuple[float, float]] = []
        if self._prior_kwh is not None:
            parts.append((self._prior_kwh, self._prior_weight))
        if self._session is not None:
            parts.append(self._session)
        if not parts:
            return None
        weight = sum(w for _, w in parts)
        return sum(v * w for v, w in parts) / weight, min(weight, MAX_WEIGHT_PCT)

    def observe(
        self,
        *,
        soc_pct: float,
        as_of: float,
        power_kw: float | None,
        charging: bool,
        efficiency: float = DEFAULT_EFFICIENCY,
    ) -> None:
        """Take a report; a report that is not charging ends the current charge."""
        if not charging or power_kw is None:
            self._end_charge()
            return
        if not 0 <= power_kw <= MAX_POWER_KW or not 0 <= soc_pct <= 100:
            return
        last = self._last
        if last is not None and as_of <= last[1]:
            return
        if last is None or as_of - last[1] > MAX_LEARN_GAP_S or soc_pct < last[0]:
            self._end_charge()
            self._start_charge(soc_pct, as_of, power_kw)
            return
        hours = (as_of - last[1]) / _SECONDS_PER_HOUR
        self._energy_kwh += (last[2] + power_kw) / 2.0 * hours * efficiency
        self._last = (soc_pct, as_of, power_kw)
        assert self._anchor_soc is not None  # set with _last
        rise = soc_pct - self._anchor_soc
        if rise < MIN_LEARN_RISE_PCT:
            return
        estimate = self._energy_kwh / (rise / 100.0)
        if MIN_CAPACITY_KWH <= estimate <= MAX_CAPACITY_KWH:
            self._session = (estimate, rise)
        else:
            # Not a battery: the readings of this charge cannot be trusted.
            self._end_charge(keep=False)

    def _start_charge(self, soc_pct: float, as_of: float, power_kw: float) -> None:
        self._anchor_soc = soc_pct
        self._last = (soc_pct, as_of, power_kw)
        self._energy_kwh = 0.0

    def _end_charge(self, *, keep: bool = True) -> None:
        if keep and self._session is not None:
            merged = self._merged()
            assert merged is not None  # a session is something
            self._prior_kwh, self._prior_weight = merged
        self._session = None
        self._anchor_soc = None
        self._last = None
        self._energy_kwh = 0.0

    def as_dict(self) -> dict[str, float | None]:
        """What to store across restarts (the charge in progress is folded in)."""
        merged = self._merged()
        if merged is None:
            return {"capacity_kwh": None, "weight_pct": 0.0}
        return {"capacity_kwh": merged[0], "weight_pct": merged[1]}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CapacityLearner:
        """Rebuild from :meth:`as_dict`; anything unusable gives an empty learner."""
        learner = cls()
        capacity = data.get("capacity_kwh")
        weight = data.get("weight_pct")
        if (
            isinstance(capacity, int | float)
            and isinstance(weight, int | float)
            and MIN_CAPACITY_KWH <= capacity <= MAX_CAPACITY_KWH
            and weight > 0
        ):
            learner._prior_kwh = float(capacity)
            learner._prior_weight = min(float(weight), MAX_WEIGHT_PCT)
        return learner
