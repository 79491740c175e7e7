"""The traction battery every simulator shares.

A car plugged into the Quasar simulator and the same car in its cloud simulator hold
the same :class:`Battery` object, so the charger's power and the cloud's reported SoC
agree the way they do in a real house.

The model is deliberately simple, deterministic and independent of how time is sliced:
integrating one hour in a single call gives the same result as 3,600 calls of a second
(up to float rounding), because the simulators integrate lazily, whenever a request
happens to arrive. That is why the taper is solved in closed form below rather than
stepped.

Power is always measured at the wall (AC side):

* charging, the battery stores ``wall energy x charge_efficiency``;
* discharging (V2G), the wall receives ``battery energy x charge_efficiency``.
"""

from __future__ import annotations

import math

# Near full a real car keeps accepting a small trickle until it stops outright at 100 %.
# 5 % of its AC maximum (about 370 W for a 7.4 kW car) is a typical balancing current.
TRICKLE_FRACTION = 0.05

# Below this many Wh from a boundary we treat the boundary as reached: it absorbs float
# rounding so that ``full`` becomes true exactly when the charge ends.
_SNAP_WH = 1e-6

_SECONDS_PER_HOUR = 3600.0


class Battery:
    """A car battery seen from the wall socket.

    ``max_ac_power_w`` is the car's on-board charger limit, applied in both directions.
    Above ``taper_from_pct`` the power the car accepts falls linearly from that limit to
    a trickle near 100 %, then to zero once full. Below ``min_discharge_soc_pct`` the
    car refuses to give energy back (cars keep a reserve for driving).
    """

    def __init__(  # noqa: PLR0917 - the shared contract allows positional use
        self,
        capacity_kwh: float,
        soc_pct: float,
        charge_efficiency: float = 0.92,
        max_ac_power_w: float = 7400.0,
        taper_from_pct: float = 80.0,
        min_discharge_soc_pct: float = 10.0,
    ) -> None:
        """Create a battery; arguments are validated so a bad fixture fails early."""
        # Written as "not (a < x)" so that NaN is rejected too.
        if not capacity_kwh > 0:
            raise ValueError(f"capacity_kwh must be positive, got {capacity_kwh}")
        if not 0 < charge_efficiency <= 1:
            raise ValueError(
                f"charge_efficiency must be in (0, 1], got {charge_efficiency}"
            )
        if not max_ac_power_w > 0:
            raise ValueError(f"max_ac_power_w must be positive, got {max_ac_power_w}")
        if not 0 <= taper_from_pct <= 100:
            raise ValueError(
                f"taper_from_pct must be in [0, 100], got {taper_from_pct}"
            )
        if not 0 <= min_discharge_soc_pct < 100:
            msg = f"min_discharge_soc_pct not in [0, 100): {min_discharge_soc_pct}"
            raise ValueError(msg)
        self._capacity_wh = float(capacity_kwh) * 1000.0
        self.charge_efficiency = float(charge_efficiency)
        self.max_ac_power_w = float(max_ac_power_w)
        self.taper_from_pct = float(taper_from_pct)
        self.min_discharge_soc_pct = float(min_discharge_soc_pct)
        self._energy_wh = 0.0
        self.soc_pct = soc_pct

    def __repr__(self) -> str:
        """Show what a failing test needs to see."""
        return (
            f"Battery(capacity_kwh={self.capacity_kwh}, soc_pct={self.soc_pct:.3f}, "
            f"charge_efficiency={self.charge_efficiency}, "
            f"max_ac_power_w={self.max_ac_power_w}, "
            f"taper_from_pct={self.taper_from_pct}, "
            f"min_discharge_soc_pct={self.min_discharge_soc_pct})"
        )

    @property
    def capacity_kwh(self) -> float:
        """Usable capacity in kWh."""
        return self._capacity_wh / 1000.0

    @property
    def soc_pct(self) -> float:
        """State of charge in percent (0..100, not rounded)."""
        return 100.0 * self._energy_wh / self._capacity_wh

    @soc_pct.setter
    def soc_pct(self, value: float) -> None:
        """Set the state of charge, e.g. when a test drives the car somewhere."""
        if not 0 <= value <= 100:
            raise ValueError(f"soc_pct must be in [0, 100], got {value}")
        self._energy_wh = self._capacity_wh * float(value) / 100.0

    @property
    def energy_kwh(self) -> float:
        """Energy stored in the battery in kWh."""
        return self._energy_wh / 1000.0

    @property
    def full(self) -> bool:
        """Whether the car has stopped accepting charge."""
        return self._energy_wh >= self._capacity_wh - _SNAP_WH

    @property
    def _trickle_w(self) -> float:
        return TRICKLE_FRACTION * self.max_ac_power_w

    @property
    def _taper_slope_w_per_pct(self) -> float:
        """How many watts the acceptance drops per percent above the taper start."""
        span = 100.0 - self.taper_from_pct
        if span <= 0:
            return 0.0
        return (self.max_ac_power_w - self._trickle_w) / span

    def max_charge_power_w(self) -> float:
        """Return the wall power the car accepts now (W, >= 0)."""
        if self.full:
            return 0.0
        soc = self.soc_pct
        if soc < self.taper_from_pct:
            return self.max_ac_power_w
        return self._trickle_w + self._taper_slope_w_per_pct * (100.0 - soc)

    def max_discharge_power_w(self) -> float:
        """Return the wall power the car can give back now (W, >= 0)."""
        if self._energy_wh <= self._min_energy_wh + _SNAP_WH:
            return 0.0
        return self.max_ac_power_w

    @property
    def _min_energy_wh(self) -> float:
        return self._capacity_wh * self.min_discharge_soc_pct / 100.0

    def apply(self, power_w: float, seconds: float) -> float:
        """Run ``power_w`` (signed, at the wall) for ``seconds``.

        Positive charges, negative discharges. The power is clamped to what the car
        accepts or supplies at every instant, so asking for too much is safe. Returns
        the wall energy actually moved in Wh, signed like ``power_w``.
        """
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        if seconds == 0 or power_w == 0:
            return 0.0
        if power_w > 0:
            return self._charge(min(power_w, self.max_ac_power_w), seconds)
        return -self._discharge(min(-power_w, self.max_ac_power_w), seconds)

    def _charge(self, power_w: float, seconds: float) -> float:
        """Charge at up to ``power_w``; return the wall energy in Wh (>= 0)."""
        if self.full:
            return 0.0
        eff = self.charge_efficiency
        slope = self._taper_slope_w_per_pct
        trickle = self._trickle_w
        # Up to this SoC the car takes all of ``power_w``; past it the taper binds.
        if slope == 0 or power_w <= trickle:
            bind_soc = 100.0
        else:
            bind_soc = 100.0 - (power_w - trickle) / slope
        wall_wh = 0.0
        remaining = seconds

        # Phase 1: constant power, a straight line in energy.
        if self.soc_pct < bind_soc:
            target_wh = self._capacity_wh * bind_soc / 100.0
            stored_per_s = power_w * eff / _SECONDS_PER_HOUR
            needed_s = (target_wh - self._energy_wh) / stored_per_s
            if remaining >= needed_s:
                self._energy_wh = target_wh
                wall_wh += power_w * needed_s / _SECONDS_PER_HOUR
                remaining -= needed_s
            else:
                self._energy_wh += stored_per_s * remaining
                return power_w * remaining / _SECONDS_PER_HOUR
            if self.full or remaining <= 0:
                self._snap_full()
                return wall_wh

        # Phase 2: the taper binds. With u = 100 - SoC the accepted power is
        # P = trickle + slope * u and du/dt = -rate * P, whose solution is
        # P(t) = P0 * exp(-rate * slope * t): exact whatever the step length.
        rate = 100.0 * eff / (self._capacity_wh * _SECONDS_PER_HOUR)  # %/s per W
        u0 = 100.0 - self.soc_pct
        p0 = trickle + slope * u0
        decay = rate * slope
        full_after_s = math.log(p0 / trickle) / decay
        if remaining >= full_after_s:
            u1 = 0.0
        else:
            u1 = (p0 * math.exp(-decay * remaining) - trickle) / slope
        stored_wh = self._capacity_wh * (u0 - u1) / 100.0
        self._energy_wh += stored_wh
        self._snap_full()
        return wall_wh + stored_wh / eff

    def _snap_full(self) -> None:
        if self._energy_wh >= self._capacity_wh - _SNAP_WH:
            self._energy_wh = self._capacity_wh

    def _discharge(self, power_w: float, seconds: float) -> float:
        """Discharge at up to ``power_w``; return the wall energy in Wh (>= 0)."""
        if self.max_discharge_power_w() == 0:
            return 0.0
        drawn_per_s = power_w / self.charge_efficiency / _SECONDS_PER_HOUR
        available_wh = self._energy_wh - self._min_energy_wh
        run_s = min(seconds, available_wh / drawn_per_s)
        if run_s == seconds:
            self._energy_wh -= drawn_per_s * run_s
        else:
            self._energy_wh = self._min_energy_wh
        return power_w * run_s / _SECONDS_PER_HOUR
