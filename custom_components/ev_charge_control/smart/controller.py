"""Smart charging of one car: gathers what is known, asks the policy, applies the answer.

The policy (policy/smart_charging.py) decides; this class only assembles its inputs from
the car's cloud and the linked charger, sends the command through the most precise layer
at hand (the car's own limit, the charger, the cloud), verifies it and shows the outcome.
It looks again on every reading, on every change of a setting, and at the time the
decision names (a stop ahead of the limit, the start of a window).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..drivers.models import ChargeState, PlugState, VehicleState
from ..policy.limiter import DEFAULT_EFFICIENCY, SocTracker
from ..policy.planner import (
    OffPeakWindow,
    PriceSlot,
    WindowError,
    next_window,
    parse_price_forecast,
    validate_windows,
)
from ..policy.smart_charging import (
    CarSituation,
    ChargeNow,
    Decision,
    OffPeakSource,
    PlanState,
    SmartSettings,
    SocReading,
    decide,
)
from ..quasar.coordinator import QuasarCoordinator
from .link import CarLink, ChargerLink, OwnLimit, ScheduleHold, quasar_coordinators
from .settings import (
    CarSettings,
    CommandKind,
    CommandOutcome,
    LastCommand,
    SettingsStore,
)

# A cloud command is taken as carried out when a report after it says so; without a
# report for this long it is shown as not verified, and may be sent again.
VERIFY_TIMEOUT = timedelta(minutes=15)
# A command that failed is not repeated sooner than this (a refused cloud call costs
# budget and the cloud's patience).
RETRY_AFTER_FAILURE = timedelta(minutes=5)
# Powers under this are a trickle or a balancing charge: they say nothing about how
# fast the car charges.
MIN_LEARNED_POWER_KW = 1.0
# Above this SoC the car tapers: the power seen there is not its charging power.
LEARN_POWER_BELOW_PCT = 80.0
# A power is worked out from the SoC's rise only once it has risen this much.
MIN_RISE_FOR_POWER_PCT = 4.0
LIMIT_MIN_PCT = 50
# The reason a charger pause of ours shows once the charger went back to its app.
GIVEN_BACK = "given_back"
FLOOR_MAX_PCT = 95


class SmartCharger:
    """The plan of one car, kept true to its settings."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        car: CarLink,
        store: SettingsStore,
    ) -> None:
        """Prepare smart charging of one car."""
        self.hass = hass
        self.entry = entry
        self.car = car
        self.vin = car.info.vin
        self._store = store
        self.settings: CarSettings = store.car(self.vin)
        self.decision: Decision | None = None
        self._listeners: list[Callable[[], None]] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._charger_unsub: CALLBACK_TYPE | None = None
        self._followed: QuasarCoordinator | None = None
        self._price_unsub: CALLBACK_TYPE | None = None
        self._timer: CALLBACK_TYPE | None = None
        self._lock = asyncio.Lock()
        self._queued = False
        self._last_report: datetime | None = None
        self._previous_charging: tuple[float, datetime] | None = None
        self._derived_power_kw: float | None = None
        self._tracker = SocTracker()
        self._warned_no_layer = False

    # --- life cycle ---------------------------------------------------------------

    async def async_start(self) -> None:
        """Follow the car (and its charger) and decide once."""
        self._unsubs.append(self.car.add_listener(self._car_updated))
        self._follow_charger()
        self._follow_prices()
        self._car_updated()
        await self._async_evaluate()

    async def async_stop(self) -> None:
        """Stop following; hand a charger we paused back to its owner."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for cancel in (self._charger_unsub, self._price_unsub, self._timer):
            if cancel is not None:
                cancel()
        self._charger_unsub = self._price_unsub = self._timer = None
        self._followed = None
        await self._async_give_back_charger()
        await self._store.async_save()

    @callback
    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` whenever the plan or a setting changes."""
        self._listeners.append(update)

        def remove() -> None:
            self._listeners.remove(update)

        return remove

    # --- settings ---------------------------------------------------------------

    async def async_set_enabled(self, enabled: bool) -> None:
        """Turn smart charging on or off."""
        self.settings.enabled = enabled
        if not enabled:
            self.settings.charge_now = None
            await self._async_give_back_charger()
            await self._async_give_back_car()
        await self._async_changed()

    async def async_set_limits(
        self, *, limit_pct: int | None = None, floor_pct: int | None = None
    ) -> None:
        """Set the limit and the floor together; refuse a contradiction, change nothing."""
        limit = self.settings.limit_pct if limit_pct is None else limit_pct
        floor = self.settings.floor_pct if floor_pct is None else floor_pct
        if not LIMIT_MIN_PCT <= limit <= 100:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_limit_out_of_range",
                translation_placeholders={
                    "limit": str(limit),
                    "min": str(LIMIT_MIN_PCT),
                },
            )
        if not 0 <= floor <= FLOOR_MAX_PCT:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_floor_out_of_range",
                translation_placeholders={
                    "floor": str(floor),
                    "max": str(FLOOR_MAX_PCT),
                },
            )
        if floor >= limit:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_floor_above_limit",
                translation_placeholders={"floor": str(floor), "limit": str(limit)},
            )
        self.settings.limit_pct = limit
        self.settings.floor_pct = floor
        await self._async_changed()

    async def async_set_ready_by(self, ready_by: time) -> None:
        """Set when the car must be ready."""
        self.settings.ready_by = ready_by.replace(microsecond=0)
        await self._async_changed()

    async def async_set_source(self, option: str) -> None:
        """Choose where cheap hours come from: any time, the windows, or a price sensor."""
        if option in (OffPeakSource.ANY_TIME, OffPeakSource.WINDOWS):
            self.settings.source = OffPeakSource(option)
        elif option in self.price_sensors():
            self.settings.source = OffPeakSource.PRICES
            self.settings.price_entity_id = option
        else:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_unknown_price_sensor",
                translation_placeholders={"entity_id": option},
            )
        self._follow_prices()
        await self._async_changed()

    async def async_set_windows(self, windows: list[OffPeakWindow]) -> None:
        """Replace the off-peak windows; refuse a list that cannot be used."""
        try:
            validate_windows(windows)
        except WindowError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_windows_invalid",
                translation_placeholders={"error": str(err)},
            ) from err
        self.settings.windows = tuple(windows)
        await self._async_changed()

    async def async_link_charger(self, entry_id: str | None) -> None:
        """Link the car to a charger we manage, or to none."""
        if entry_id is not None and entry_id not in quasar_coordinators(self.hass):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_unknown_charger",
                translation_placeholders={"charger": entry_id},
            )
        if entry_id != self.settings.linked_charger:
            await self._async_give_back_charger()
        self.settings.linked_charger = entry_id
        self._follow_charger()
        await self._async_changed()

    async def async_charge_now(self, minutes: int | None) -> None:
        """Charge at once, for some minutes or up to the limit, then follow the plan."""
        until = (
            None if minutes is None else dt_util.utcnow() + timedelta(minutes=minutes)
        )
        self.settings.charge_now = ChargeNow(until=until)
        await self._async_changed()

    async def async_cancel_charge_now(self) -> None:
        """End a "charge now" early: the plan decides again (nothing to end is fine)."""
        if self.settings.charge_now is None:
            return
        self.settings.charge_now = None
        await self._async_changed()

    # --- what the entities and get_plan show -----------------------------------------

    def price_sensors(self) -> list[str]:
        """Return the sensors whose attributes hold a price forecast."""
        return sorted(
            state.entity_id
            for state in self.hass.states.async_all("sensor")
            if parse_price_forecast(state.attributes)
        )

    def chargers(self) -> dict[str, str]:
        """Return the chargers the car can be linked to: entry id -> title."""
        return {
            entry_id: title
            for entry_id, (title, _) in quasar_coordinators(self.hass).items()
        }

    def next_off_peak(self) -> tuple[datetime, datetime] | None:
        """Return the window in progress or the next one."""
        now = dt_util.now()
        return next_window(self.settings.windows, now)

    def plan_data(self) -> dict[str, Any]:
        """Return the plan, as the get_plan action answers it."""
        settings = self.settings
        decision = self.decision
        data: dict[str, Any] = {
            "smart_charging": settings.enabled,
            "limit": settings.limit_pct,
            "floor": settings.floor_pct,
            "ready_by": settings.ready_by.isoformat(),
            "off_peak_source": settings.source.value,
            "price_sensor": settings.price_entity_id,
            "windows": [window.as_dict() for window in settings.windows],
            "linked_charger": settings.linked_charger,
            "capacity_kwh": self.capacity_kwh(),
            "state": None,
            "estimated_soc": None,
            "estimated_at": None,
            "next_start": None,
            "expected_end": None,
            "ready_by_met": None,
            "charging_intervals": [],
            "last_command": (
                None
                if settings.last_command is None
                else settings.last_command.as_dict()
            ),
        }
        if decision is None:
            return data
        data["state"] = decision.state.value
        data["estimated_soc"] = (
            None
            if decision.estimated_soc_pct is None
            else round(decision.estimated_soc_pct, 1)
        )
        data["estimated_at"] = _iso(
            None
            if decision.estimated_at is None
            else decision.estimated_at.replace(microsecond=0)
        )
        data["next_start"] = _iso(decision.next_start)
        data["expected_end"] = _iso(decision.expected_end)
        if decision.plan is not None:
            data["ready_by_met"] = decision.plan.ready_by_met
            data["charging_intervals"] = [
                {"start": start.isoformat(), "end": end.isoformat()}
                for start, end in decision.plan.intervals
            ]
        return data

    def capacity_kwh(self) -> float | None:
        """Return the battery's capacity: the car's word, else what was learned."""
        return self.car.info.battery_capacity_kwh or self.settings.capacity.capacity_kwh

    # --- following the inputs ---------------------------------------------------------

    def _charger(self) -> ChargerLink | None:
        linked = self.settings.linked_charger
        if linked is None:
            return None
        found = quasar_coordinators(self.hass).get(linked)
        return None if found is None else ChargerLink(found[1])

    def _follow_charger(self) -> ChargerLink | None:
        """Listen to the linked charger's readings (again, once it has reloaded)."""
        charger = self._charger()
        followed = None if charger is None else charger.coordinator
        if followed is self._followed:
            return charger
        if self._charger_unsub is not None:
            self._charger_unsub()
            self._charger_unsub = None
        self._followed = followed
        if charger is not None:
            self._charger_unsub = charger.add_listener(self._request_evaluate)
        return charger

    def _follow_prices(self) -> None:
        if self._price_unsub is not None:
            self._price_unsub()
            self._price_unsub = None
        entity_id = self.settings.price_entity_id
        if self.settings.source is OffPeakSource.PRICES and entity_id:

            @callback
            def prices_changed(_event: Event[Any]) -> None:
                self._request_evaluate()

            self._price_unsub = async_track_state_change_event(
                self.hass, entity_id, prices_changed
            )

    @callback
    def _car_updated(self) -> None:
        state = self.car.vehicle_state()
        if state is not None:
            self._learn(state)
            self._verify_cloud_command(state)
        self._request_evaluate()

    def _learn(self, state: VehicleState) -> None:
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
            power = self._derived_power_kw if charging else None
        self.settings.capacity.observe(
            soc_pct=battery.value,
            as_of=battery.as_of.timestamp(),
            power_kw=power if charging else None,
            charging=charging,
        )
        self._tracker.observe(
            soc_pct=battery.value,
            as_of=battery.as_of.timestamp(),
            power_kw=power if charging else None,
            capacity_kwh=self.capacity_kwh(),
        )
        if (
            charging
            and power is not None
            and power >= MIN_LEARNED_POWER_KW
            and battery.value < LEARN_POWER_BELOW_PCT
        ):
            self.settings.charge_power_kw = power
        self._store.async_save_soon()

    def _derive_power(self, soc_pct: float, as_of: datetime, *, charging: bool) -> None:
        """Work out the charging power from two reports, for cars that do not say it.

        psa_car_controller gives no power; the rise of the SoC between two charging
        reports and the capacity give it (coarsely: the SoC is a whole percent, so
        only a rise of a few points over some minutes is used).
        """
        previous = self._previous_charging
        self._previous_charging = (soc_pct, as_of) if charging else None
        capacity = self.capacity_kwh()
        if not charging or previous is None or capacity is None:
            return
        risen = soc_pct - previous[0]
        hours = (as_of - previous[1]).total_seconds() / 3600
        if risen < MIN_RISE_FOR_POWER_PCT or hours <= 0:
            # Too little to tell: keep the last one and measure over a longer span.
            self._previous_charging = previous
            return
        self._derived_power_kw = risen / 100 * capacity / hours / DEFAULT_EFFICIENCY

    def _verify_cloud_command(self, state: VehicleState) -> None:
        last = self.settings.last_command
        if (
            last is None
            or last.outcome is not CommandOutcome.SENT
            or last.kind
            not in (
                CommandKind.START_CLOUD,
                CommandKind.STOP_CLOUD,
                CommandKind.HOLD_SCHEDULE,
                CommandKind.RELEASE_SCHEDULE,
            )
            or state.charge is None
            or state.charge.as_of <= last.sent_at
        ):
            return
        charging = state.charge.value is ChargeState.CHARGING
        last.outcome = (
            CommandOutcome.VERIFIED
            if charging == last.start
            else CommandOutcome.NOT_VERIFIED
        )
        if last.outcome is CommandOutcome.NOT_VERIFIED:
            LOGGER.warning(
                "%s: the car did not %s charging after it was asked to",
                self.car.info.name,
                "start" if last.start else "stop",
            )
        self._store.async_save_soon()

    # --- deciding -----------------------------------------------------------------

    @callback
    def _request_evaluate(self) -> None:
        if self._queued:
            return
        self._queued = True
        self.entry.async_create_background_task(
            self.hass, self._async_evaluate(), f"{DOMAIN} smart charging {self.vin}"
        )

    async def _async_changed(self) -> None:
        self._store.async_save_soon()
        await self._async_evaluate()

    async def _async_evaluate(self) -> None:
        self._queued = False
        async with self._lock:
            # A charger set up after the car (or reloaded) is picked up here.
            linked = self._follow_charger()
            now = dt_util.now()
            situation, charger = self._situation(now, linked)
            decision = decide(self._policy_settings(now), situation)
            if self.settings.charge_now is not None and decision.state in (
                PlanState.LIMIT_REACHED,
                PlanState.NOT_PLUGGED,
            ):
                # "Charge now" is done at the limit or once the cable is out: the
                # plan takes over again, also for the next plug-in.
                self.settings.charge_now = None
                self._store.async_save_soon()
            self.decision = decision
            if self.settings.enabled:
                await self._apply(decision, situation, charger, now)
                await self._apply_own_limit(now)
            self._schedule(decision.wake_at)
        for update in list(self._listeners):
            update()

    def _policy_settings(self, now: datetime) -> SmartSettings:
        settings = self.settings
        charge_now = settings.charge_now
        if (
            charge_now is not None
            and charge_now.until is not None
            and charge_now.until <= now
        ):
            # Done: back to the plan, and nothing stale kept for the next restart.
            settings.charge_now = charge_now = None
            self._store.async_save_soon()
        own = self._own_levels()
        return SmartSettings(
            enabled=settings.enabled,
            # The car's own step, when that is what keeps the limit.
            limit_pct=settings.limit_pct if own is None else own[1][1],
            floor_pct=settings.floor_pct,
            ready_by=settings.ready_by,
            source=settings.source,
            windows=settings.windows,
            charge_now=charge_now,
        )

    def _situation(
        self, now: datetime, charger: ChargerLink | None
    ) -> tuple[CarSituation, ChargerLink | None]:
        state = self.car.vehicle_state()
        connected = None if charger is None else charger.car_connected()
        at_charger = connected is True
        plugged: bool | None = None
        if state is not None and state.plug is not None:
            if state.plug.value is PlugState.PLUGGED:
                plugged = True
            elif state.plug.value is PlugState.UNPLUGGED:
                plugged = False
        if at_charger:
            plugged = True
        elif connected is False and plugged is None:
            plugged = False

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
                    else self._derived_power_kw
                )
            soc_pct = reading.value
            if self._tracker.as_of == reading.as_of.timestamp():
                # Whole-percent reports narrowed by the ones before (see SocTracker).
                soc_pct = self._tracker.soc_pct or soc_pct
            soc = SocReading(soc_pct=soc_pct, as_of=reading.as_of, power_kw=power)
        latency = self.car.latency_s
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
        last = self.settings.last_command
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
        power_kw = self.settings.charge_power_kw or self._derived_power_kw
        if at_charger and charger is not None and (live_power := charger.power_kw()):
            power_kw = power_kw or live_power
        situation = CarSituation(
            now=now,
            plugged=plugged,
            charging=charging,
            soc=soc,
            capacity_kwh=self.capacity_kwh(),
            charge_power_kw=power_kw,
            latency_s=latency,
            stopped_at=stopped_at,
            car_enforces_limit=self._car_enforces_limit(state),
            prices=self._prices(),
        )
        return situation, charger if at_charger else None

    def _prices(self) -> tuple[PriceSlot, ...]:
        entity_id = self.settings.price_entity_id
        if self.settings.source is not OffPeakSource.PRICES or not entity_id:
            return ()
        state = self.hass.states.get(entity_id)
        return () if state is None else tuple(parse_price_forecast(state.attributes))

    def _own_levels(self) -> tuple[OwnLimit, tuple[int, int]] | None:
        """Return the car's own levels to set, when they are how the limit is kept.

        Our limit itself when it is one of the car's steps. When it is not, and nothing
        else can stop the charge (no linked charger, no stop in the car's cloud), the
        car's highest step below it: stopping a little early beats never stopping.
        """
        own = self.car.own_limit()
        if own is None:
            return None
        settings = self.settings
        levels = own.levels_for(settings.limit_pct, settings.floor_pct)
        if levels is None or levels[1] == settings.limit_pct:
            return None if levels is None else (own, levels)
        if settings.linked_charger is not None or self.car.can_start_stop():
            return None
        return own, levels

    def _car_enforces_limit(self, state: VehicleState | None) -> bool:
        wanted = self._own_levels()
        return (
            wanted is not None
            and state is not None
            and state.soc_target_pct is not None
            and state.soc_target_pct.value == wanted[1][1]
        )

    def _schedule(self, when: datetime) -> None:
        if self._timer is not None:
            self._timer()

        @callback
        def wake(_now: datetime) -> None:
            self._timer = None
            self._request_evaluate()

        self._timer = async_track_point_in_utc_time(self.hass, wake, when)

    # --- acting -----------------------------------------------------------------------

    async def _apply(
        self,
        decision: Decision,
        situation: CarSituation,
        charger: ChargerLink | None,
        now: datetime,
    ) -> None:
        want = decision.charge
        if want is None or want == situation.charging:
            return
        tried: set[CommandKind] = set()
        while (layer := self._layer(want, charger, now)) is not None:
            kind, command = layer
            if kind in tried or self._recently_sent(kind, now):
                return
            tried.add(kind)
            await self._send(kind, command, decision.state.value, now)
            last = self.settings.last_command
            if last is None or last.outcome is not CommandOutcome.FAILED:
                return
            # A layer found missing on its first use (a cloud stop the model turns
            # out not to have) hands over to the next one at once.

    def _layer(
        self, want: bool, charger: ChargerLink | None, now: datetime
    ) -> tuple[CommandKind, Callable[[], Awaitable[Any]]] | None:
        """Return the most precise way at hand to start or stop the charge."""
        if charger is not None:
            return (
                CommandKind.START_CHARGER if want else CommandKind.STOP_CHARGER,
                lambda: charger.async_set_charging(want),
            )
        if self.car.can_start_stop():
            return (
                CommandKind.START_CLOUD if want else CommandKind.STOP_CLOUD,
                lambda: self.car.async_set_charging(want),
            )
        if (hold := self.car.schedule_hold()) is not None:
            return (
                CommandKind.RELEASE_SCHEDULE if want else CommandKind.HOLD_SCHEDULE,
                lambda: self._async_hold_by_schedule(hold, want, now),
            )
        if not self._warned_no_layer:
            self._warned_no_layer = True
            LOGGER.warning(
                "%s: neither a linked charger nor the car's cloud can %s the charge",
                self.car.info.name,
                "start" if want else "stop",
            )
        return None

    def _recently_sent(self, kind: CommandKind, now: datetime) -> bool:
        """Return whether the same command is still on its way, or failed just now."""
        last = self.settings.last_command
        if last is None or last.kind is not kind:
            return False
        if last.outcome is CommandOutcome.SENT:
            return now - last.sent_at < VERIFY_TIMEOUT
        if last.outcome is CommandOutcome.FAILED:
            return now - last.sent_at < RETRY_AFTER_FAILURE
        return False

    async def _async_hold_by_schedule(
        self, hold: ScheduleHold, charge: bool, now: datetime
    ) -> None:
        if self.settings.owner_schedule is None:
            # Kept before the first change, so that even a change that fails halfway
            # cannot leave the owner's settings unknown; later changes replace ours.
            self.settings.owner_schedule = await hold.async_read()
            self._store.async_save_soon()
        await (hold.async_release() if charge else hold.async_hold(now))

    async def _apply_own_limit(self, now: datetime) -> None:
        settings = self.settings
        wanted = self._own_levels()
        state = self.car.vehicle_state()
        if wanted is None or state is None or state.soc_target_pct is None:
            return
        own, (floor, limit) = wanted
        current_floor = state.soc_min_pct.value if state.soc_min_pct else None
        if state.soc_target_pct.value == limit and current_floor in (None, floor):
            return
        last = settings.last_command
        if (
            last is not None
            and last.kind is CommandKind.SET_CAR_LIMIT
            and now - last.sent_at < VERIFY_TIMEOUT
        ):
            return
        await self._send(
            CommandKind.SET_CAR_LIMIT,
            lambda: own.async_set(floor, limit),
            "limit",
            now,
        )

    async def _send(
        self,
        kind: CommandKind,
        command: Callable[[], Any],
        reason: str,
        now: datetime,
    ) -> None:
        outcome = (
            CommandOutcome.VERIFIED
            if kind in (CommandKind.START_CHARGER, CommandKind.STOP_CHARGER)
            else CommandOutcome.SENT
        )
        try:
            await command()
        except HomeAssistantError as err:
            outcome = CommandOutcome.FAILED
            LOGGER.warning("%s: %s failed: %s", self.car.info.name, kind.value, err)
        else:
            LOGGER.info("%s: %s (%s)", self.car.info.name, kind.value, reason)
        self.settings.last_command = LastCommand(
            kind=kind, sent_at=now, outcome=outcome, reason=reason
        )
        self._store.async_save_soon()

    async def _async_give_back_charger(self) -> None:
        """Undo a pause of ours: a charger is never left stopped by a plan that is gone."""
        last = self.settings.last_command
        if (
            last is None
            or last.kind is not CommandKind.STOP_CHARGER
            or last.reason == GIVEN_BACK
        ):
            return
        charger = self._charger()
        if charger is None:
            return
        try:
            await charger.async_give_back()
        except HomeAssistantError as err:
            LOGGER.warning(
                "%s: could not hand the charger back to the Wallbox app: %s",
                self.car.info.name,
                err,
            )
            return
        self.settings.last_command = replace(last, reason=GIVEN_BACK)

    async def _async_give_back_car(self) -> None:
        """Undo what smart charging did to the car itself, now that it is turned off.

        The owner's charge mode and schedules come back; a charge our cloud stop held
        runs again, as it would have without us. (Only when turned off: a restart
        keeps the hold, and the plan resumes.)
        """
        settings = self.settings
        hold = self.car.schedule_hold()
        if settings.owner_schedule is not None and hold is not None:
            try:
                await hold.async_restore(settings.owner_schedule)
            except HomeAssistantError as err:
                LOGGER.warning(
                    "%s: could not put back the car's own charge schedule: %s",
                    self.car.info.name,
                    err,
                )
                return
            settings.owner_schedule = None
            return
        last = settings.last_command
        state = self.car.vehicle_state()
        if (
            last is None
            or last.kind is not CommandKind.STOP_CLOUD
            or last.reason == GIVEN_BACK
            or state is None
            or state.plug is None
            or state.plug.value is not PlugState.PLUGGED
        ):
            return
        try:
            await self.car.async_set_charging(True)
        except HomeAssistantError as err:
            LOGGER.warning(
                "%s: could not let the car charge again: %s", self.car.info.name, err
            )
            return
        settings.last_command = replace(last, reason=GIVEN_BACK)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
