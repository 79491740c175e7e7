"""Smart charging's side of the owner: its commands to a car and its charger.

Smart charging is an automatic writer: every command it sends goes through the owner of
the device (control/), as "charge now" or as smart charging, and steps back from a
stronger claim (a person's command). It sends through the most precise layer at hand
(the linked charger, the car's cloud, the charge schedule as a last resort), verifies
what it sent, and when it lets go it gives back only what it took.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.exceptions import HomeAssistantError

from ..const import LOGGER
from ..control.owner import Claim, Controller, HeldError, outranks
from ..drivers.models import ChargeState, PlugState, VehicleState
from ..policy.smart_charging import CarSituation, Decision
from .link import CarLink, ChargerLink, OwnLimit, ScheduleHold
from .settings import CarSettings, CommandKind, CommandOutcome, LastCommand
from .situation import VERIFY_TIMEOUT

# A command that failed is not repeated sooner than this (a refused cloud call costs
# budget and the cloud's patience).
RETRY_AFTER_FAILURE = timedelta(minutes=5)
# How long after a charger command the opposite one waits (see _recently_sent).
CHARGER_SETTLE = timedelta(minutes=1)
CHARGER_COMMANDS = frozenset({CommandKind.START_CHARGER, CommandKind.STOP_CHARGER})
# The reason a command of ours shows once what it did was given back.
GIVEN_BACK = "given_back"
# The commands that started a charge: a charge running after one of them is ours.
STARTS = frozenset(
    {CommandKind.START_CHARGER, CommandKind.START_CLOUD, CommandKind.RELEASE_SCHEDULE}
)
# A car in these states is not waiting for a start of ours: it charges by its own
# schedule, or is full.
NOT_TO_START = frozenset({ChargeState.WAITING_FOR_SCHEDULE, ChargeState.CHARGE_ENDED})

# The writers that are smart charging's own: what it lets go of, it lets go of both.
OWN_CONTROLLERS = (Controller.CHARGE_NOW, Controller.SMART_CHARGING)

type Command = Callable[[], Awaitable[Any]]


def stronger_claim(
    controller: Controller, car: CarLink, charger: ChargerLink | None
) -> Claim | None:
    """Return the claim on the car or its charger that ``controller`` steps back from."""
    owners = [car.owner] if charger is None else [car.owner, charger.owner]
    for owner in owners:
        claim = owner.claim
        if claim is not None and outranks(claim.controller, controller):
            return claim
    return None


class SmartCommands:
    """The commands of one car's smart charging, sent through the devices' owners."""

    def __init__(
        self, car: CarLink, settings: CarSettings, save: Callable[[], None]
    ) -> None:
        """Command a car, keeping what was sent in its settings."""
        self.car = car
        self.settings = settings
        self._save = save
        self._warned_no_layer = False

    async def async_apply(
        self,
        decision: Decision,
        situation: CarSituation,
        charger: ChargerLink | None,
        controller: Controller,
    ) -> None:
        """Start or stop the charge as decided, by the most precise layer at hand."""
        want = decision.charge
        if want is None or want == situation.charging:
            return
        now = situation.now
        last = self.settings.last_command
        took = (
            not want
            and situation.charging
            and not (
                last is not None
                and last.kind in STARTS
                and last.outcome is not CommandOutcome.FAILED
            )
        )
        reason = decision.state.value
        tried: set[CommandKind] = set()
        while (
            layer := self._layer(want, charger, now, controller, reason)
        ) is not None:
            kind, command = layer
            if kind in tried or self._recently_sent(kind, now):
                return
            tried.add(kind)
            await self.async_send(kind, command, reason, now, took_charge=took)
            last = self.settings.last_command
            if last is None or last.outcome is not CommandOutcome.FAILED:
                return
            # A layer found missing on its first use (a cloud stop the model turns
            # out not to have) hands over to the next one at once.

    def _layer(
        self,
        want: bool,
        charger: ChargerLink | None,
        now: datetime,
        controller: Controller,
        reason: str,
    ) -> tuple[CommandKind, Command] | None:
        """Return the most precise way at hand to start or stop the charge."""
        if charger is not None:
            return (
                CommandKind.START_CHARGER if want else CommandKind.STOP_CHARGER,
                lambda: charger.async_set_charging(
                    want, controller=controller, reason=reason
                ),
            )
        if self.car.can_start_stop():
            return (
                CommandKind.START_CLOUD if want else CommandKind.STOP_CLOUD,
                lambda: self.car.async_set_charging(
                    want, controller=controller, reason=reason
                ),
            )
        if (hold := self.car.schedule_hold()) is not None:
            return (
                CommandKind.RELEASE_SCHEDULE if want else CommandKind.HOLD_SCHEDULE,
                lambda: self.async_owned(
                    controller,
                    reason,
                    lambda: self._async_hold_by_schedule(hold, want, now),
                ),
            )
        if not self._warned_no_layer:
            self._warned_no_layer = True
            LOGGER.warning(
                "%s: neither a linked charger nor the car's cloud can %s the charge",
                self.car.info.name,
                "start" if want else "stop",
            )
        return None

    async def async_owned(
        self, controller: Controller, reason: str | None, command: Command
    ) -> None:
        """Run a command on the car through its owner; ``reason`` None claims nothing."""
        async with self.car.owner.command(controller, claim=reason):
            await command()

    def _recently_sent(self, kind: CommandKind, now: datetime) -> bool:
        """Return whether the same command is still on its way, or failed just now.

        A charger command is never reversed within a minute of the last one: the
        readings that decided it settle first, and a disagreement between two
        sources of the SoC cannot turn into a start/stop loop.
        """
        last = self.settings.last_command
        if (
            last is not None
            and kind in CHARGER_COMMANDS
            and last.kind in CHARGER_COMMANDS
            and last.outcome is not CommandOutcome.FAILED
            and now - last.sent_at < CHARGER_SETTLE
        ):
            return True
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
            self._save()
        await (hold.async_release() if charge else hold.async_hold(now))

    async def async_apply_own_limit(
        self,
        now: datetime,
        wanted: tuple[OwnLimit, tuple[int, int]] | None,
        controller: Controller,
    ) -> None:
        """Set the car's own floor and limit where they are how the limit is kept."""
        state = self.car.vehicle_state()
        if wanted is None or state is None or state.soc_target_pct is None:
            return
        own, (floor, limit) = wanted
        current_floor = state.soc_min_pct.value if state.soc_min_pct else None
        if state.soc_target_pct.value == limit and current_floor in (None, floor):
            return
        last = self.settings.last_command
        if (
            last is not None
            and last.kind is CommandKind.SET_CAR_LIMIT
            and now - last.sent_at < VERIFY_TIMEOUT
        ):
            return
        await self.async_send(
            CommandKind.SET_CAR_LIMIT,
            lambda: self.async_owned(
                controller, None, lambda: own.async_set(floor, limit)
            ),
            "limit",
            now,
        )

    async def async_send(
        self,
        kind: CommandKind,
        command: Command,
        reason: str,
        now: datetime,
        *,
        took_charge: bool = False,
    ) -> None:
        """Send a command and keep what became of it; a stronger claim sends nothing."""
        outcome = (
            CommandOutcome.VERIFIED
            if kind in (CommandKind.START_CHARGER, CommandKind.STOP_CHARGER)
            else CommandOutcome.SENT
        )
        try:
            await command()
        except HeldError as err:
            # A person commanded the device while we decided: theirs holds.
            LOGGER.info("%s: %s", self.car.info.name, err)
            return
        except HomeAssistantError as err:
            outcome = CommandOutcome.FAILED
            LOGGER.warning("%s: %s failed: %s", self.car.info.name, kind.value, err)
        else:
            LOGGER.info("%s: %s (%s)", self.car.info.name, kind.value, reason)
        self.settings.last_command = LastCommand(
            kind=kind,
            sent_at=now,
            outcome=outcome,
            reason=reason,
            took_charge=took_charge and outcome is not CommandOutcome.FAILED,
        )
        self._save()

    def verify(self, state: VehicleState) -> None:
        """Take a cloud command as carried out, or not, once the car reports after it."""
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
        self._save()

    async def async_give_back_charger(self, charger: ChargerLink | None) -> None:
        """Hand a charger we hold back to its app (a person's hold stays theirs)."""
        if charger is None:
            return
        for controller in OWN_CONTROLLERS:
            await charger.async_release(controller)
        last = self.settings.last_command
        if last is not None and last.kind is CommandKind.STOP_CHARGER:
            self.settings.last_command = replace(last, reason=GIVEN_BACK)

    async def async_give_back_car(self) -> None:
        """Undo what smart charging did to the car itself, now that it is turned off.

        The owner's charge mode and schedules come back. A charge is started again
        only if our stop ended one the car was running by itself, and the car still
        waits plugged in, not for a schedule of its own: a charge we started (charge
        now, the plan) and then stopped is not ours to start again, nor is a car
        waiting for its own delayed charge. (Only when turned off: a restart keeps
        the hold, and the plan resumes.)
        """
        try:
            await self._async_give_back_car()
        finally:
            for controller in OWN_CONTROLLERS:
                self.car.owner.release(controller)

    async def _async_give_back_car(self) -> None:
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
            or not last.took_charge
            or state is None
            or state.plug is None
            or state.plug.value is not PlugState.PLUGGED
            or (state.charge is not None and state.charge.value in NOT_TO_START)
            or not self.car.owner.may(Controller.SMART_CHARGING)
        ):
            return
        try:
            await self.car.async_set_charging(
                True, controller=Controller.SMART_CHARGING, reason=GIVEN_BACK
            )
        except HomeAssistantError as err:
            LOGGER.warning(
                "%s: could not let the car charge again: %s", self.car.info.name, err
            )
            return
        settings.last_command = replace(last, reason=GIVEN_BACK)
