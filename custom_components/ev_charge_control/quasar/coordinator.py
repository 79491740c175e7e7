"""The coordinator of a Wallbox Quasar: one poll, and every command to the charger."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
import contextlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Concatenate, Self

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    QUASAR_DEFAULT_SCAN_INTERVAL,
    QUASAR_MIN_CURRENT,
    QUASAR_REBOOT_COOLDOWN,
    STORAGE_VERSION,
)
from ..control.failsafe import FailSafe
from ..control.owner import Claim, Controller, DeviceOwner
from ..drivers.energy import EnergyCounter
from ..drivers.models import (
    ChargerIdentity,
    ChargerState,
    ChargerStatus,
    ControlMode,
    DriverError,
)
from ..drivers.quasar import RUNNING_STATES, ChargerTarget, QuasarClient
from ..errors import QUASAR_COMMAND_ERRORS, QUASAR_UPDATE_ERRORS

type QuasarConfigEntry = ConfigEntry[QuasarRuntimeData]

# The states in which no car is plugged in: a person's untimed command ends with them.
NO_CAR_STATES = frozenset({ChargerStatus.NO_CAR, ChargerStatus.NO_CAR_LOCKED})


def quasar_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return where a Quasar's energy totals and standing command are kept."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.quasar.{entry_id}")


@dataclass(frozen=True, kw_only=True, slots=True)
class RemoteIntent:
    """What Home Assistant holds the charger to while it has remote control, and for whom.

    It is stored, so a restart puts the charger back where it was asked to be, and a
    timed command (``until``) still ends on time.
    """

    setpoint_a: int
    running: bool
    controller: Controller = Controller.YOU
    reason: str = ""
    since: datetime = field(default_factory=dt_util.utcnow)
    until: datetime | None = None

    @property
    def discharging(self) -> bool:
        """Return whether the intent takes energy out of the car."""
        return self.running and self.setpoint_a < 0

    @property
    def target(self) -> ChargerTarget:
        """Return what the charger is to do."""
        return ChargerTarget(setpoint_a=self.setpoint_a, running=self.running)

    @property
    def claim(self) -> Claim:
        """Return who holds the charger through this intent."""
        return Claim(
            controller=self.controller,
            reason=self.reason,
            since=self.since,
            until=self.until,
        )

    def not_resumable(self, now: datetime) -> str | None:
        """Return why the intent may not be put back after a gap, or None if it may.

        A timed command whose time remains is put back, discharges included (what
        people expect after a reboot). An untimed discharge is not: it was asked for
        before the gap, and nothing discharges unless a live request asks.
        """
        if self.until is not None and self.until <= now:
            return "its time ended"
        if self.discharging and self.until is None:
            return "a discharge resumes only while a timed command lasts"
        return None

    def as_dict(self) -> dict[str, Any]:
        """Return the intent as stored."""
        return {
            "setpoint_a": self.setpoint_a,
            "running": self.running,
            "controller": self.controller.value,
            "reason": self.reason,
            "since": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build an intent from stored data (older files hold no controller)."""
        until = data.get("until")
        since = data.get("since")
        return cls(
            setpoint_a=int(data["setpoint_a"]),
            running=bool(data["running"]),
            controller=Controller(data.get("controller", Controller.YOU)),
            reason=str(data.get("reason", "")),
            since=(dt_util.parse_datetime(since) if since else None)
            or dt_util.utcnow(),
            until=dt_util.parse_datetime(until) if until else None,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class QuasarData:
    """What the Quasar's entities show."""

    state: ChargerState
    charged_kwh: float
    discharged_kwh: float


@dataclass(kw_only=True, slots=True)
class QuasarRuntimeData:
    """What a Quasar config entry holds while it is loaded."""

    client: QuasarClient
    identity: ChargerIdentity
    coordinator: QuasarCoordinator


def check_current(amps: int) -> None:
    """Refuse a current the charger cannot hold.

    IEC 61851 signalling has no current below 6 A: a car asked for less stops or
    ignores it, so 1 to 5 A is a mistake, not a trickle.
    """
    if 0 < abs(amps) < QUASAR_MIN_CURRENT:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="current_below_minimum",
            translation_placeholders={
                "current": str(amps),
                "min": str(QUASAR_MIN_CURRENT),
            },
        )


def translate_driver_errors[CoordinatorT: QuasarCoordinator, **P, R](
    func: Callable[Concatenate[CoordinatorT, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[CoordinatorT, P], Coroutine[Any, Any, R]]:
    """Turn a driver error in a command into an error a person can read.

    Every command ends with the charger's state shown, so what the entities show is
    what the charger did, whether the command worked or not: the state the command
    read to verify itself, or else a refresh. Either is immediate, not debounced: a
    local charger answers in milliseconds, and a state shown ten seconds late after a
    second command would look like the command failed.
    """

    async def handler(self: CoordinatorT, /, *args: P.args, **kwargs: P.kwargs) -> R:
        published = self.published
        try:
            return await func(self, *args, **kwargs)
        except DriverError as err:
            raise QUASAR_COMMAND_ERRORS.translate(
                err, host=self.config_entry.data[CONF_HOST]
            ) from err
        finally:
            if self.published == published:
                await self.async_refresh()

    return handler


class QuasarCoordinator(DataUpdateCoordinator[QuasarData]):
    """Polls one Quasar, keeps its energy totals and carries out every command.

    Every command goes through ``owner``: one sequence at a time, by precedence (a
    person's command over "charge now" over smart charging over the energy modes
    over the Wallbox app). What the charger is held to is ``intent``; whatever
    happened to the charger meanwhile (a reboot, an idle timeout, the app taking
    over) is compared with it after each reading, and a hand-back or stop that
    could not be confirmed is retried by ``failsafe`` until the charger confirms it.
    """

    config_entry: QuasarConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: QuasarConfigEntry, client: QuasarClient
    ) -> None:
        """Set up the coordinator; nothing is read until the first refresh."""
        scan_interval = entry.options.get(
            CONF_SCAN_INTERVAL, QUASAR_DEFAULT_SCAN_INTERVAL
        )
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=entry.title,
            update_interval=timedelta(seconds=scan_interval),
        )
        self.client = client
        self.intent: RemoteIntent | None = None
        self.owner = DeviceOwner(entry.title, now=dt_util.utcnow)
        self.failsafe = FailSafe(
            hass,
            entry,
            device=entry.title,
            issue_id=f"hand_back_{entry.entry_id}",
            guard=self.owner.sequence,
        )
        self._store = quasar_store(hass, entry.entry_id)
        self._energy = EnergyCounter()
        self._unknown_states: set[int] = set()
        self._hold_timer: CALLBACK_TYPE | None = None
        self._last_reboot: datetime | None = None
        # When the charger last answered a reading, and whether our traffic stopped
        # since (a failed reading, or a gap longer than its idle timeout): after
        # that, what the charger did by itself is not the app's doing.
        self._last_contact: datetime | None = None
        self._went_quiet = False
        self._links_seen = client.links
        self._checking = False
        # How many states commands have shown from their own final reading.
        self.published = 0

    # --- life cycle ------------------------------------------------------------------

    async def _async_setup(self) -> None:
        """Load the energy totals and put back what was asked for, if it still holds."""
        stored = await self._store.async_load() or {}
        self._energy = EnergyCounter(
            charged_kwh=float(stored.get("charged_kwh", 0.0)),
            discharged_kwh=float(stored.get("discharged_kwh", 0.0)),
        )
        if (intent_data := stored.get("intent")) is None:
            if (claim_data := stored.get("claim")) is not None:
                claim = Claim.from_dict(claim_data)
                if claim.active(dt_util.utcnow()):
                    self.owner.hold(claim)
            return
        intent = RemoteIntent.from_dict(intent_data)
        async with self.owner.sequence():
            try:
                await self._async_resume(intent, "Home Assistant started")
            except DriverError as err:
                raise QUASAR_UPDATE_ERRORS.translate(err) from err

    async def _async_update_data(self) -> QuasarData:
        """Read the charger; what it did by itself is looked at after."""
        try:
            state = await self.client.read_state()
        except DriverError as err:
            self._went_quiet = True
            raise QUASAR_UPDATE_ERRORS.translate(err) from err
        now = dt_util.utcnow()
        if (
            self._last_contact is not None
            and (now - self._last_contact).total_seconds() > self.client.idle_timeout_s
        ) or self.client.links != self._links_seen:
            # A gap the idle timeout may have ended, or a new link (a reboot drops
            # every link, even one shorter than a poll).
            self._went_quiet = True
        self._links_seen = self.client.links
        self._last_contact = now
        if self.intent is None or not self._differs(state, self.intent):
            # Whatever happened meanwhile, the charger is where it is held (or
            # held to nothing): there is nothing to put back.
            self._went_quiet = False
        if state.status is None and state.status_code not in self._unknown_states:
            # Once per value: the state shows unknown meanwhile.
            self._unknown_states.add(state.status_code)
            LOGGER.warning(
                "%s reports the state %d, which this version does not know; "
                "its status shows as unknown",
                self.name,
                state.status_code,
            )
        self._energy.add(state.as_of, state.power_w)
        self._store.async_delay_save(self._stored_data, 60)
        if self._needs_check(state) and not self._checking:
            self._checking = True
            # Tracked, not in the background: a test or a shutdown that waits for
            # Home Assistant to settle waits for it too.
            self.config_entry.async_create_task(
                self.hass, self._async_check(state), f"{DOMAIN} {self.name} check"
            )
        return QuasarData(
            state=state,
            charged_kwh=self._energy.charged_kwh,
            discharged_kwh=self._energy.discharged_kwh,
        )

    def _publish(self, state: ChargerState) -> None:
        """Show the state a command read at its end, as a poll would, without a poll."""
        self._last_contact = dt_util.utcnow()
        self._energy.add(state.as_of, state.power_w)
        self.published += 1
        self.async_set_updated_data(
            QuasarData(
                state=state,
                charged_kwh=self._energy.charged_kwh,
                discharged_kwh=self._energy.discharged_kwh,
            )
        )

    def _needs_check(self, state: ChargerState) -> bool:
        """Return whether the charger differs from what it is held to."""
        if self.failsafe.pending is not None:
            return False
        if self._ended_session(state) is not None:
            return True
        intent = self.intent
        if intent is None:
            return False
        if intent.until is not None and intent.until <= dt_util.utcnow():
            return True
        return self._differs(state, intent)

    def _ended_session(self, state: ChargerState) -> Claim | None:
        """Return an untimed claim whose session ended: its car was unplugged.

        A person's untimed command, or smart charging's hold, was for the car that
        left; the next car (a guest's, say) starts with the app.
        """
        claim = self.owner.claim
        if claim is not None and claim.until is None and state.status in NO_CAR_STATES:
            return claim
        return None

    def _differs(self, state: ChargerState, intent: RemoteIntent) -> bool:
        """Return whether the charger is not where the intent holds it."""
        return (
            state.control is not ControlMode.REMOTE
            or state.current_setpoint_a != intent.setpoint_a
            or state.autostart
            or state.idle_timeout_s != self.client.idle_timeout_s
            or (not intent.running and state.status in RUNNING_STATES)
            # A session that ended under a timed command (unplugged and plugged
            # in again, or paused by the idle timeout) is started again.
            or (
                intent.running
                and state.status is ChargerStatus.PAUSED
                and not state.locked
            )
        )

    async def _async_check(self, read: ChargerState) -> None:
        """Bring the charger back to its intent, or let an intent go, and say which."""
        try:
            async with self.owner.sequence():
                # A command that ran meanwhile read the charger after this reading.
                newer = self.data.state if self.data is not None else read
                await self._async_check_locked(
                    newer if newer.as_of > read.as_of else read
                )
        except DriverError as err:
            # The next poll looks again; refreshing now would retry at once, in a
            # loop, for as long as the charger refuses.
            LOGGER.warning("%s: could not check the charger: %s", self.name, err)
            return
        finally:
            self._checking = False
        await self.async_refresh()

    async def _async_check_locked(self, state: ChargerState) -> None:
        if self.failsafe.pending is not None:
            return
        went_quiet, self._went_quiet = self._went_quiet, False
        intent = self.intent
        if (claim := self._ended_session(state)) is not None:
            LOGGER.info(
                "%s: the car was unplugged; the command of %s (%s) ends with its "
                "session",
                self.name,
                claim.controller.value,
                claim.reason,
            )
            await self._async_hand_back(stop=False, what="hand-back after unplug")
            return
        if intent is None:
            return
        now = dt_util.utcnow()
        if intent.until is not None and intent.until <= now:
            # The timer did not fire (the charger was away): end it now.
            await self._async_end(intent)
            return
        if not self._differs(state, intent):
            return
        if state.control is not ControlMode.REMOTE and not went_quiet:
            # Someone took the charger back while we kept talking to it: the Wallbox
            # app, which is a person's choice. We do not fight over it.
            LOGGER.warning(
                "%s went back to the Wallbox app; the command of %s (%s) is dropped",
                self.name,
                intent.controller.value,
                intent.reason,
            )
            await self._async_set_intent(None)
            return
        if went_quiet:
            what = (
                "went back to the Wallbox app by itself (a reboot or its idle timeout)"
                if state.control is not ControlMode.REMOTE
                else "was quiet longer than its idle timeout"
            )
            await self._async_resume(intent, what)
            return
        # Ours still, and something differs (a register someone else wrote): put our
        # intent back, writing only what differs.
        await self._async_apply(intent)

    async def _async_resume(self, intent: RemoteIntent, why: str) -> None:
        """After a gap: put a still valid intent back, or let an expired one go."""
        reason = intent.not_resumable(dt_util.utcnow())
        if reason is not None:
            LOGGER.info(
                "%s %s; the command of %s (%s) is dropped: %s",
                self.name,
                why,
                intent.controller.value,
                intent.reason,
                reason,
            )
            await self._async_hand_back(stop=True, what="stop and hand-back")
            return
        LOGGER.info(
            "%s %s; the command of %s (%s) is put back",
            self.name,
            why,
            intent.controller.value,
            intent.reason,
        )
        await self._async_apply(intent, resume=True)

    async def async_release_idle(self) -> None:
        """Leave the charger idle and the Wallbox app's (unload, shutdown).

        The stored intent is kept, so a restart or reload puts back what still holds.
        Our polls stop with us, so from here the charger's idle timeout is a real
        safety net; one try is all there is time for.
        """
        pending = self.failsafe.pending
        self.failsafe.cancel()
        self._cancel_hold_timer()
        if self.intent is None and pending is None:
            return
        try:
            async with self.owner.sequence():
                await self.client.settle(stop=True, keep_control=False)
        except DriverError as err:
            LOGGER.warning("Could not give %s back on unload: %s", self.name, err)

    # --- the intent --------------------------------------------------------------------

    def _stored_data(self) -> dict[str, Any]:
        return {
            "charged_kwh": self._energy.charged_kwh,
            "discharged_kwh": self._energy.discharged_kwh,
            "intent": self.intent.as_dict() if self.intent else None,
            # A hold without an intent: a person gave the charger to the app.
            "claim": (
                claim.as_dict()
                if self.intent is None and (claim := self.owner.claim) is not None
                else None
            ),
        }

    async def _async_set_intent(self, intent: RemoteIntent | None) -> None:
        """Hold the charger to an intent (None: nobody), and store it at once.

        Stored before anything else happens: a restart a moment later must find it.
        """
        self._set_intent(intent)
        await self._store.async_save(self._stored_data())

    def _set_intent(self, intent: RemoteIntent | None, *, claim: bool = True) -> None:
        self._cancel_hold_timer()
        self.intent = intent
        if intent is not None and intent.until is not None:
            self._hold_timer = async_track_point_in_utc_time(
                self.hass, self._hold_expired, intent.until
            )
        if claim:
            if intent is None:
                self.owner.release()
            else:
                self.owner.hold(intent.claim)
        self._store.async_delay_save(self._stored_data, 1)

    def _cancel_hold_timer(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer()
            self._hold_timer = None

    async def _async_apply(self, intent: RemoteIntent, *, resume: bool = False) -> None:
        """Drive the charger to an intent; on failure, roll back to a safe state.

        Callers hold the owner's lock. A sequence that failed halfway leaves the
        charger at setpoint 0 and stopped, and handed back unless a person's command
        holds it (then it stays ours, stopped, until that command ends).
        """
        before = self.owner.claim
        self.failsafe.cancel()
        try:
            state = await self.client.apply(intent.target)
        except DriverError as err:
            if resume:
                # Putting back what still holds failed: the charger is made safe
                # (stopped at 0 A, kept), the intent stays, and the next reading
                # tries again.
                LOGGER.warning(
                    "%s: putting back %s failed (%s); stopped at 0 A meanwhile",
                    self.name,
                    intent.reason,
                    err,
                )
                self._set_intent(intent)
                # The gap is not over until what it interrupted is back.
                self._went_quiet = True
                with contextlib.suppress(DriverError):
                    await self.client.settle(stop=True, keep_control=True)
                raise
            keep = before is not None and before.controller is Controller.YOU
            LOGGER.warning(
                "%s: %s failed (%s); rolling back to stopped at 0 A%s",
                self.name,
                intent.reason or "the command",
                err,
                ", yours still" if keep else ", handed back to the Wallbox app",
            )
            if keep and before is not None:
                await self._async_set_intent(
                    RemoteIntent(
                        setpoint_a=0,
                        running=False,
                        controller=Controller.YOU,
                        reason=before.reason,
                        since=before.since,
                        until=before.until,
                    )
                )
            else:
                await self._async_set_intent(None)
            await self._async_settle(stop=True, keep_control=keep, what="roll-back")
            raise
        await self._async_set_intent(
            replace(intent, setpoint_a=state.current_setpoint_a)
        )
        self._publish(state)

    async def _async_settle(self, *, stop: bool, keep_control: bool, what: str) -> None:
        """Settle the charger now, and keep trying until it is confirmed."""

        async def settle() -> None:
            self._publish(
                await self.client.settle(stop=stop, keep_control=keep_control)
            )

        await self.failsafe.async_run(what, settle)

    async def _async_hand_back(self, *, stop: bool, what: str) -> None:
        """Give the charger to the Wallbox app; retried until it is confirmed."""
        await self._async_set_intent(None)
        await self._async_settle(stop=stop, keep_control=False, what=what)

    @callback
    def _hold_expired(self, _now: datetime) -> None:
        self._hold_timer = None
        intent = self.intent
        if intent is None:
            return
        self.config_entry.async_create_background_task(
            self.hass, self._async_end_locked(intent), f"{DOMAIN} end of hold"
        )

    async def _async_end_locked(self, intent: RemoteIntent) -> None:
        async with self.owner.sequence():
            if self.intent is intent:
                await self._async_end(intent)
        await self.async_refresh()

    async def _async_end(self, intent: RemoteIntent) -> None:
        LOGGER.info(
            "The timed command on %s (%s) ended; the Wallbox app has it",
            self.name,
            intent.reason,
        )
        await self._async_hand_back(
            stop=False, what="hand-back at the end of a command"
        )

    def _base_intent(self, controller: Controller, reason: str) -> RemoteIntent:
        """Return the intent a new command starts from."""
        now = dt_util.utcnow()
        if self.intent is not None:
            return replace(
                self.intent, controller=controller, reason=reason, since=now, until=None
            )
        state = self.data.state
        return RemoteIntent(
            setpoint_a=state.max_available_current_a,
            running=state.status is ChargerStatus.CHARGING,
            controller=controller,
            reason=reason,
            since=now,
        )

    # --- commands ------------------------------------------------------------------

    @translate_driver_errors
    async def async_hold(
        self,
        setpoint_a: int,
        *,
        running: bool,
        minutes: int | None = None,
        controller: Controller = Controller.YOU,
        reason: str = "set_charger_current",
    ) -> int:
        """Hold the charger to a setpoint, for a while or until changed; return it."""
        check_current(setpoint_a)
        now = dt_util.utcnow()
        until = now + timedelta(minutes=minutes) if minutes else None
        async with self.owner.command(controller):
            await self._async_apply(
                RemoteIntent(
                    setpoint_a=setpoint_a,
                    running=running,
                    controller=controller,
                    reason=reason,
                    since=now,
                    until=until,
                )
            )
        assert self.intent is not None
        return self.intent.setpoint_a

    @translate_driver_errors
    async def async_set_charging(
        self,
        charging: bool,
        *,
        controller: Controller = Controller.YOU,
        reason: str = "charging switch",
    ) -> None:
        """Start charging, or pause whatever the charger is doing."""
        async with self.owner.command(controller):
            base = self._base_intent(controller, reason)
            if charging:
                # A switch called "charging" must never start a discharge.
                setpoint = (
                    base.setpoint_a
                    if base.setpoint_a > 0
                    else self.data.state.max_available_current_a
                )
                await self._async_apply(
                    replace(base, setpoint_a=setpoint, running=True)
                )
            else:
                await self._async_apply(replace(base, running=False))

    @translate_driver_errors
    async def async_set_charge_current(self, amps: int) -> None:
        """Set the charge current; a running session follows it at once."""
        check_current(amps)
        async with self.owner.command(Controller.YOU):
            base = self._base_intent(Controller.YOU, "charge current")
            if amps == 0 and base.setpoint_a < 0:
                return
            await self._async_apply(replace(base, setpoint_a=amps))

    @translate_driver_errors
    async def async_set_discharge_current(self, amps: int) -> None:
        """Discharge the car at this current; 0 stops a discharge."""
        check_current(amps)
        async with self.owner.command(Controller.YOU):
            base = self._base_intent(Controller.YOU, "discharge current")
            if amps > 0:
                await self._async_apply(
                    replace(base, setpoint_a=-amps, running=True, until=None)
                )
            elif base.setpoint_a < 0:
                await self._async_apply(replace(base, setpoint_a=0, running=False))

    @translate_driver_errors
    async def async_set_control(self, remote: bool) -> None:
        """Take control for Home Assistant, or give it back to the Wallbox app.

        Either way it is the person's choice, and automatic control steps back from
        it until they change it or the car is unplugged.
        """
        async with self.owner.command(Controller.YOU):
            if remote:
                if self.intent is None or self.intent.controller is not Controller.YOU:
                    await self._async_apply(
                        self._base_intent(Controller.YOU, "control select")
                    )
                return
            await self._async_hand_back(stop=False, what="hand-back")
            self.owner.hold(
                Claim(
                    controller=Controller.YOU,
                    reason="wallbox_app",
                    since=dt_util.utcnow(),
                )
            )
            # Kept across a reload or a restart, as any command of a person's.
            await self._store.async_save(self._stored_data())
            self.async_update_listeners()

    async def async_release(self, controller: Controller) -> None:
        """Let go of what ``controller`` holds: the Wallbox app has the charger again.

        Nothing happens if someone else holds it (a person's command stays).
        """
        async with self.owner.sequence():
            claim = self.owner.claim
            if claim is None or claim.controller is not controller:
                return
            await self._async_hand_back(stop=False, what="hand-back")
        await self.async_refresh()

    def hand_over(self, held_by: Controller, to: Controller) -> None:
        """Let ``to`` hold the intent ``held_by`` holds, as it is."""
        intent = self.intent
        if intent is not None and intent.controller is held_by:
            self._set_intent(replace(intent, controller=to))

    @translate_driver_errors
    async def async_set_lock(self, locked: bool) -> None:
        """Lock or unlock the charger; control is borrowed only for the write."""
        async with self.owner.command(Controller.YOU):
            await self.client.set_lock(locked)
            if self.intent is None:
                await self.client.release_control()

    @translate_driver_errors
    async def async_reboot(self) -> None:
        """Reboot the charger, at most once per cooldown."""
        now = dt_util.utcnow()
        if (
            self._last_reboot is not None
            and now - self._last_reboot < QUASAR_REBOOT_COOLDOWN
        ):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="reboot_cooldown",
                translation_placeholders={
                    "minutes": str(int(QUASAR_REBOOT_COOLDOWN.total_seconds() // 60))
                },
            )
        self._last_reboot = now
        async with self.owner.sequence():
            # The charger comes back under the app's control: what it was held to
            # is put back after (see _async_check).
            self._went_quiet = True
            await self.client.reboot()
