"""Energy totals built from power readings.

The Wallbox Quasar has no energy register, so the Energy dashboard's totals are
integrated here from its signed power readings. Charging and discharging are kept
apart as two totals that only ever grow, which is what a ``total_increasing``
sensor needs.
"""

from __future__ import annotations

from datetime import datetime
import math

_JOULES_PER_KWH = 3_600_000.0


class EnergyCounter:
    """Integrate signed power (W; positive charges the car) into kWh totals.

    Between two consecutive readings power is taken to change linearly (the
    trapezoid rule). A gap longer than ``max_gap_s`` is skipped rather than
    guessed at: a missed poll, a restart or an unreachable charger says nothing
    about what flowed meanwhile, and an invented kWh can never be taken back from a
    total that only grows.
    """

    def __init__(
        self,
        charged_kwh: float = 0.0,
        discharged_kwh: float = 0.0,
        *,
        max_gap_s: float = 300.0,
    ) -> None:
        """Start from saved totals (zero for a new counter)."""
        if charged_kwh < 0 or discharged_kwh < 0:
            raise ValueError("energy totals cannot be negative")
        if max_gap_s <= 0:
            raise ValueError("max_gap_s must be positive")
        self._charged_kwh = float(charged_kwh)
        self._discharged_kwh = float(discharged_kwh)
        self._max_gap_s = float(max_gap_s)
        # A restored counter has no previous reading: the first one after a
        # restart is only a starting point, whatever happened while we were down.
        self._last: tuple[datetime, float] | None = None

    @property
    def charged_kwh(self) -> float:
        """Energy delivered into the car, in kWh."""
        return self._charged_kwh

    @property
    def discharged_kwh(self) -> float:
        """Energy taken from the car (vehicle-to-home), in kWh."""
        return self._discharged_kwh

    @property
    def max_gap_s(self) -> float:
        """The longest interval between readings that is still integrated."""
        return self._max_gap_s

    def add(self, when: datetime, power_w: float) -> None:
        """Add one power reading taken at ``when``."""
        if not math.isfinite(power_w):
            # A garbage reading must not poison totals that can never go down.
            return
        last = self._last
        if last is not None:
            last_when, last_power_w = last
            elapsed_s = (when - last_when).total_seconds()
            if elapsed_s < 0:
                # An older reading arriving late: the interval is already counted.
                return
            if elapsed_s <= self._max_gap_s:
                charged_j, discharged_j = _trapezoid(last_power_w, power_w, elapsed_s)
                self._charged_kwh += charged_j / _JOULES_PER_KWH
                self._discharged_kwh += discharged_j / _JOULES_PER_KWH
        self._last = (when, power_w)


def _trapezoid(p0_w: float, p1_w: float, elapsed_s: float) -> tuple[float, float]:
    """Split the energy of a linear ramp from p0 to p1 into (charged, discharged) J.

    When the ramp crosses zero, the part above zero is charging and the part below
    is discharging; adding them as one signed area would cancel energy that really
    flowed both ways.
    """
    if elapsed_s <= 0:
        return 0.0, 0.0
    if p0_w >= 0 and p1_w >= 0:
        return (p0_w + p1_w) / 2 * elapsed_s, 0.0
    if p0_w <= 0 and p1_w <= 0:
        return 0.0, -(p0_w + p1_w) / 2 * elapsed_s
    # Opposite signs: the line crosses zero at a fraction |p0| / (|p0| + |p1|).
    crossing_s = elapsed_s * abs(p0_w) / (abs(p0_w) + abs(p1_w))
    first_j = abs(p0_w) / 2 * crossing_s
    second_j = abs(p1_w) / 2 * (elapsed_s - crossing_s)
    if p0_w > 0:
        return first_j, second_j
    return second_j, first_j
