"""Smart charging of one car: follows its inputs, asks the policy, has the answer applied.

The policy (policy/smart_charging.py) decides; this class keeps the car's settings,
follows the car's cloud, the linked charger and the price sensor, and looks again on
every reading, on every change of a setting, and at the time the decision names (a stop
ahead of the limit, the start of a window). What it knows of the car comes from
situation.py, its commands go out through commands.py and the devices' owners, and the
plan it shows is built by plan.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..control.owner import Claim, Controller
from ..drivers.models import PlugState, VehicleState
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
    decide,
)
from .commands import SmartCommands, stronger_claim
from .link import CarLink, ChargerLink, OwnLimit, linked_chargers
from .plan import plan_payload
from .settings import CarSettings, SettingsStore
from .situation import Inputs, Learning, car_situation

LIMIT_MIN_PCT = 50
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
        # The stronger claim smart charging stepped back from at its last look.
        self.held_by: Claim | None = None
        self.learning = Learning(
            self.settings, self.capacity_kwh, store.async_save_soon
        )
        self.commands = SmartCommands(car, self.settings, store.async_save_soon)
        self._listeners: list[Callable[[], None]] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._charger_unsub: CALLBACK_TYPE | None = None
        self._followed: ChargerLink | None = None
        self._price_unsub: CALLBACK_TYPE | None = None
        self._timer: CALLBACK_TYPE | None = None
        self._lock = asyncio.Lock()
        self._queued = False

    # --- life cycle ---------------------------------------------------------------

    async def async_start(self) -> None:
        """Follow the car (and its charger) and decide once."""
        self._unsubs.append(self.car.add_listener(self._car_updated))
        self._unsubs.append(self.car.owner.add_listener(self._owner_changed))
        self._follow_charger()
        self._follow_prices()
        self._car_updated()
        await self._async_evaluate()

    async def async_stop(self) -> None:
        """Stop following; hand a charger we hold back to its app."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for cancel in (self._charger_unsub, self._price_unsub, self._timer):
            if cancel is not None:
                cancel()
        self._charger_unsub = self._price_unsub = self._timer = None
        self._followed = None
        await self.commands.async_give_back_charger(self._charger())
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
        # Turning it on or off is the person's newest word about the car.
        self.car.owner.release(Controller.YOU)
        if not enabled:
            self.settings.charge_now = None
            await self.commands.async_give_back_charger(self._charger())
            await self.commands.async_give_back_car()
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
        if entry_id is not None and entry_id not in linked_chargers(self.hass):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_unknown_charger",
                translation_placeholders={"charger": entry_id},
            )
        if entry_id != self.settings.linked_charger:
            await self.commands.async_give_back_charger(self._charger())
        self.settings.linked_charger = entry_id
        self._follow_charger()
        await self._async_changed()

    async def async_charge_now(self, minutes: int | None) -> None:
        """Charge at once, for some minutes or up to the limit, then follow the plan.

        Refused, saying why, when it could not charge: the car is not plugged in, it
        is already at its limit, or a person's command holds its charger.
        """
        until = (
            None if minutes is None else dt_util.utcnow() + timedelta(minutes=minutes)
        )
        charge_now = ChargeNow(until=until)
        async with self._lock:
            self._check_can_charge_now(charge_now)
        # Asking to charge now is the person's newest word about the car.
        self.car.owner.release(Controller.YOU)
        self.settings.charge_now = charge_now
        await self._async_changed()

    def _check_can_charge_now(self, charge_now: ChargeNow) -> None:
        now = dt_util.now()
        situation, charger = self._situation(now, self._follow_charger())
        settings = replace(self._policy_settings(now), charge_now=charge_now)
        decision = decide(settings, situation)
        name = self.car.info.name
        if decision.state is PlanState.NOT_PLUGGED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_charge_now_not_plugged",
                translation_placeholders={"name": name},
            )
        if decision.state is PlanState.LIMIT_REACHED:
            estimated = decision.estimated_soc_pct
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="smart_charge_now_at_limit",
                translation_placeholders={
                    "name": name,
                    "soc": "?" if estimated is None else str(round(estimated)),
                    "limit": str(settings.limit_pct),
                },
            )
        if charger is not None and (held := charger.owner.claim) is not None:
            if held.controller is Controller.YOU:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="smart_charge_now_charger_held",
                    translation_placeholders={
                        "name": name,
                        "until": (
                            "you change it"
                            if held.until is None
                            else dt_util.as_local(held.until).strftime("%H:%M")
                        ),
                    },
                )

    async def async_cancel_charge_now(self) -> None:
        """End a "charge now" early: the plan decides again (nothing to end is fine)."""
        if self.settings.charge_now is None:
            return
        self.car.owner.release(Controller.YOU)
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
            entry_id: link.title
            for entry_id, link in linked_chargers(self.hass).items()
        }

    def next_off_peak(self) -> tuple[datetime, datetime] | None:
        """Return the window in progress or the next one."""
        now = dt_util.now()
        return next_window(self.settings.windows, now)

    def plan_data(self) -> dict[str, Any]:
        """Return the plan, as the get_plan action answers it."""
        charger = self._charger()
        return plan_payload(
            self.settings,
            self.decision,
            capacity_kwh=self.capacity_kwh(),
            car=self.car.owner,
            car_idle=self.idle_controller(),
            charger=None if charger is None else charger.owner,
        )

    def idle_controller(self) -> Controller:
        """Return who commands the car when nobody holds it: smart charging while on."""
        return Controller.SMART_CHARGING if self.settings.enabled else Controller.APP

    def controlled_by(self) -> Controller:
        """Return who commands the car: its holder, else the idle controller."""
        claim = self.car.owner.claim
        return self.idle_controller() if claim is None else claim.controller

    def capacity_kwh(self) -> float | None:
        """Return the battery's capacity: the car's word, else what was learned."""
        return self.car.info.battery_capacity_kwh or self.settings.capacity.capacity_kwh

    # --- following the inputs ---------------------------------------------------------

    def _charger(self) -> ChargerLink | None:
        linked = self.settings.linked_charger
        if linked is None:
            return None
        return linked_chargers(self.hass).get(linked)

    def _follow_charger(self) -> ChargerLink | None:
        """Listen to the linked charger's readings (again, once it has reloaded)."""
        charger = self._charger()
        if charger is self._followed:
            return charger
        if self._charger_unsub is not None:
            self._charger_unsub()
            self._charger_unsub = None
        self._followed = charger
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
            self.learning.observe(state)
            self.commands.verify(state)
            self._end_claims_when_unplugged(state)
        self._request_evaluate()

    def _end_claims_when_unplugged(self, state: VehicleState) -> None:
        """End the session's claims on the car once it reports unplugged after them.

        A person's stop or start was for this session; the next plug-in is the
        plan's again.
        """
        claim = self.car.owner.claim
        if (
            claim is not None
            and claim.until is None
            and state.plug is not None
            and state.plug.value is PlugState.UNPLUGGED
            and state.plug.as_of > claim.since
        ):
            self.car.owner.release()

    @callback
    def _owner_changed(self) -> None:
        claim = self.car.owner.claim
        if (
            claim is not None
            and claim.controller is Controller.YOU
            and self.settings.charge_now is not None
        ):
            # A person started or stopped the charge themselves: their word replaces
            # the "charge now" they had asked for.
            self.settings.charge_now = None
            self._store.async_save_soon()
        self._request_evaluate()

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
            if self.settings.charge_now is None:
                # What "charge now" holds, smart charging holds from here, as it is.
                self.car.owner.hand_over(
                    Controller.CHARGE_NOW, Controller.SMART_CHARGING
                )
                if linked is not None:
                    linked.hand_over(Controller.CHARGE_NOW, Controller.SMART_CHARGING)
            controller = (
                Controller.CHARGE_NOW
                if decision.state is PlanState.CHARGING_NOW
                else Controller.SMART_CHARGING
            )
            # A linked charger whose reading is stale may still have the car: a
            # person's hold on it counts unless it says no car is plugged in.
            held_charger = charger
            if (
                held_charger is None
                and linked is not None
                and linked.car_connected() is not False
            ):
                held_charger = linked
            self.held_by = stronger_claim(controller, self.car, held_charger)
            if self.settings.enabled and self.held_by is not None:
                # No plan runs while a person holds the charge: none is shown.
                decision = replace(
                    decision, state=PlanState.HELD_BY_YOU, charge=None, plan=None
                )
            self.decision = decision
            if self.settings.enabled and self.held_by is None:
                await self.commands.async_apply(
                    decision, situation, charger, controller
                )
                await self.commands.async_apply_own_limit(
                    now, self._own_levels(), controller
                )
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
        return car_situation(
            now,
            self.car,
            charger,
            Inputs(
                settings=self.settings,
                learning=self.learning,
                capacity_kwh=self.capacity_kwh(),
                car_enforces_limit=self._car_enforces_limit(state),
                prices=self._prices(),
            ),
        )

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
