"""What smart charging knows of a car: the situation it decides on, and what it learns.

The car's cloud reports every 10-15 minutes in whole percents; the linked charger reads
every few seconds but only while power flows. This module joins them into the plain
``CarSituation`` the policy decides on, and learns from the reports what the car does
not say: its charging power and its battery's capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..drivers.models import ChargeState, PlugState, VehicleState
from ..policy.limiter import CAR_STALE_AFTER_S, DEFAULT_EFFICIENCY, SocTracker
from ..policy.planner import PriceSlot
from ..policy.smart_charging import CarSituation, SocReading
from .link import CarLink, ChargerLink
from .settings import CarSettings, CommandKind, CommandOutcome

# A cloud command is taken as carried out when a report after it says so; without a
# report for this long it is shown as not verified, and may be sent again.
VERIFY_TIMEOUT = timedelta(minutes=15)
# Powers under this are a trickle or a balancing charge: they say nothing about how
# fast the car charges.
MIN_LEARNED_POWER_KW = 1.0
# Above this SoC the car tapers: the power seen there is not its charging power.
LEARN_POWER_BELOW_PCT = 80.0
# A power is worked out from the SoC's rise only once it has risen this much.
MIN_RISE_FOR_POWER_PCT = 4.0


class Learning:
    """What a car's reports teach: its power, its capacity, its SoC between percents."""

    def __init__(
        self,
        settings: CarSettings,
        capacity_kwh: Callable[[], float | None],
        save: Callable[[], None],
    ) -> None:
        """Learn into a car's settings (they keep what was learned across restarts)."""
        self._settings = settings
        self._capacity_kwh = capacity_kwh
        self._save = save
        self.tracker = SocTracker()
        self.derived_power_kw: float | None = None
        # The last SoC a linked charger read while power flowed. A paused charger
        # reads none, and the SoC cannot move while it is paused: this reading
        # then still holds, where the cloud's older one would restart the charge.
        self.last_live: SocReading | None = None
        self._last_report: datetime | None = None
        self._previous_charging: tuple[float, datetime] | None = None

    def observe(self, state: VehicleState) -> None:
        """Learn from a report, once per report."""
        battery = state.battery_level_pct
        if battery is None or battery.as_of == self._last_report:
            return
        self._last_report = battery.as_of
        charging = (
            state.charge is not None and state.charge.value is ChargeState.CHARGING
        )
        power = state.charging_power_kw.value if state.charging_power_kw else None
        if power is None:
            self._derive_power(battery.value, battery.as_of, charging=charging)
            power = self.derived_power_kw if charging else None
        self._settings.capacity.observe(
            soc_pct=battery.value,
            as_of=battery.as_of.timestamp(),
            power_kw=power if charging else None,
            charging=charging,
        )
        self.tracker.observe(
            soc_pct=battery.value,
            as_of=battery.as_of.timestamp(),
            power_kw=power if charging else None,
            capacity_kwh=self._capacity_kwh(),
        )
        if (
            charging
            and power is not None
            and power >= MIN_LEARNED_POWER_KW
            and battery.value < LEARN_POWER_BELOW_PCT
        ):
            self._settings.charge_power_kw = power
        self._save()

    def _derive_power(self, soc_pct: float, as_of: datetime, *, charging: bool) -> None:
        """Work out the charging power from two reports, for cars that do not say it.

        psa_car_controller gives no power; the rise of the SoC between two charging
        reports and the capacity give it (coarsely: the SoC is a whole percent, so
        only a rise of a few points over some minutes is used).
        """
        previous = self._previous_charging
        self._previous_charging = (soc_pct, as_of) if charging else None
        capacity = self._capacity_kwh()
        if not charging or previous is None or capacity is None:
            return
        risen = soc_pct - previous[0]
        hours = (as_of - previous[1]).total_seconds() / 3600
        if risen < MIN_RISE_FOR_POWER_PCT or hours <= 0:
            # Too little to tell: keep the last one and measure over a longer span.
            self._previous_charging = previous
            return
        self.derived_power_kw = risen / 100 * capacity / hours / DEFAULT_EFFICIENCY


@dataclass(frozen=True, kw_only=True, slots=True)
class Inputs:
    """What the situation is built from, besides the car's and the charger's readings."""

    settings: CarSettings
    learning: Learning
    capacity_kwh: float | None
    car_enforces_limit: bool
    prices: tuple[PriceSlot, ...]


def plugged_in(state: VehicleState | None, connected: bool | None) -> bool | None:
    """Return whether the car is plugged in: the charger's word first, then the car's."""
    if connected is True:
        return True
    plugged: bool | None = None
    if state is not None and state.plug is not None:
        if state.plug.value is PlugState.PLUGGED:
            plugged = True
        elif state.plug.value is PlugState.UNPLUGGED:
            plugged = False
    if connected is False and plugged is None:
        plugged = False
    return plugged


def car_situation(
    now: datetime, car: CarLink, charger: ChargerLink | None, inputs: Inputs
) -> tuple[CarSituation, ChargerLink | None]:
    """Return the car's situation, and the charger if the car is the one plugged into it.

    A linked charger's readings serve the car only while a car is known to be plugged
    into it; otherwise it is another car's (a guest's) session.
    """
    state = car.vehicle_state()
    connected = None if charger is None else charger.car_connected()
    at_charger = connected is True
    plugged = plugged_in(state, connected)
    settings = inputs.settings
    learning = inputs.learning

    charging = bool(
        state is not None
        and state.charge is not None
        and state.charge.value is ChargeState.CHARGING
    )
    soc: SocReading | None = None
    if state is not None and state.battery_level_pct is not None:
        reading = state.battery_level_pct
        power = None
        if charging:
            power = (
                state.charging_power_kw.value
                if state.charging_power_kw is not None
                else learning.derived_power_kw
            )
        soc_pct = reading.value
        if learning.tracker.as_of == reading.as_of.timestamp():
            # Whole-percent reports narrowed by the ones before (see SocTracker).
            soc_pct = learning.tracker.soc_pct or soc_pct
        soc = SocReading(soc_pct=soc_pct, as_of=reading.as_of, power_kw=power)
    latency = car.latency_s
    if at_charger and charger is not None:
        charging = bool(charger.charging())
        latency = charger.latency_s
        live = charger.soc()
        if live is not None:
            value, as_of, power = live
            soc = SocReading(
                soc_pct=value,
                as_of=as_of,
                stale_after_s=charger.stale_after_s,
                power_kw=power,
            )
            learning.last_live = soc
        elif (
            not charging
            and (last_live := learning.last_live) is not None
            and (soc is None or last_live.as_of > soc.as_of)
        ):
            # Paused at the charger: nothing flows, so the last live reading is
            # still the battery's level, as long as a cloud report would be.
            soc = SocReading(
                soc_pct=last_live.soc_pct,
                as_of=last_live.as_of,
                stale_after_s=CAR_STALE_AFTER_S,
                power_kw=None,
            )
    last = settings.last_command
    if (
        not at_charger
        and last is not None
        and last.outcome is CommandOutcome.SENT
        and now - last.sent_at < VERIFY_TIMEOUT
    ):
        # Until the car reports after our command, it is doing what we asked.
        charging = last.start
    stopped_at = None
    if (
        last is not None
        and not last.start
        and last.kind is not CommandKind.SET_CAR_LIMIT
        and soc is not None
        and last.sent_at > soc.as_of
    ):
        stopped_at = last.sent_at + timedelta(seconds=latency)
    power_kw = settings.charge_power_kw or learning.derived_power_kw
    if at_charger and charger is not None and (live_power := charger.power_kw()):
        power_kw = power_kw or live_power
    situation = CarSituation(
        now=now,
        plugged=plugged,
        charging=charging,
        soc=soc,
        capacity_kwh=inputs.capacity_kwh,
        charge_power_kw=power_kw,
        latency_s=latency,
        stopped_at=stopped_at,
        car_enforces_limit=inputs.car_enforces_limit,
        prices=inputs.prices,
    )
    return situation, charger if at_charger else None
