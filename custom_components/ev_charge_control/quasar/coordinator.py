"""The coordinator of a Wallbox Quasar: one poll, and every command to the charger."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
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
from ..drivers.energy import EnergyCounter
from ..drivers.models import (
    ChargerIdentity,
    ChargerState,
    ChargerStatus,
    ControlMode,
    DriverError,
)
from ..drivers.quasar import QuasarClient
from ..errors import QUASAR_COMMAND_ERRORS, QUASAR_UPDATE_ERRORS

type QuasarConfigEntry = ConfigEntry[QuasarRuntimeData]


def quasar_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return where a Quasar's energy totals and standing command are kept."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.quasar.{entry_id}")


@dataclass(frozen=True, kw_only=True, slots=True)
class RemoteIntent:
    """What Home Assistant holds the charger to while it has remote control.

    It is stored, so a restart puts the charger back where the user asked, and a timed
    command (``until``) still ends on time.
    """

    setpoint_a: int
    running: bool
    until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the intent as stored data."""
        return {
            "setpoint_a": self.setpoint_a,
            "running": self.running,
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build an intent from stored data."""
        until = data.get("until")
        return cls(
            setpoint_a=int(data["setpoint_a"]),
            running=bool(data["running"]),
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

    Every command ends with a refresh, so what the entities show is what the charger
    did, whether the command worked or not. The refresh is immediate, not debounced:
    a local charger answers in milliseconds, and a state shown ten seconds late after
    a second command would look like the command failed.
    """

    async def handler(self: CoordinatorT, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(self, *args, **kwargs)
        except DriverError as err:
            raise QUASAR_COMMAND_ERRORS.translate(
                err, host=self.config_entry.data[CONF_HOST]
            ) from err
        finally:
            await self.async_refresh()

    return handler


class QuasarCoordinator(DataUpdateCoordinator[QuasarData]):
    """Polls one Quasar, keeps its energy totals and carries out every command."""

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
        self._store = quasar_store(hass, entry.entry_id)
        self._energy = EnergyCounter()
        self._unknown_states: set[int] = set()
        self._hold_timer: CALLBACK_TYPE | None = None
        self._last_reboot: datetime | None = None

    async def _async_setup(self) -> None:
        """Load the energy totals and put back what the user last asked for."""
        stored = await self._store.async_load() or {}
        self._energy = EnergyCounter(
            charged_kwh=float(stored.get("charged_kwh", 0.0)),
            discharged_kwh=float(stored.get("discharged_kwh", 0.0)),
        )
        if (intent_data := stored.get("intent")) is None:
            return
        intent = RemoteIntent.from_dict(intent_data)
        if intent.until is not None and intent.until <= dt_util.utcnow():
            LOGGER.info("A timed command on %s ended while it was down", self.name)
            self.intent = None
            await self._async_save()
            return
        try:
            await self._apply(intent)
        except DriverError as err:
            raise QUASAR_UPDATE_ERRORS.translate(err) from err

    async def _async_update_data(self) -> QuasarData:
        """Read the charger and keep our hold on it alive."""
        try:
            state = await self.client.read_state()
            if (
                self.intent is not None
                and state.control is ControlMode.REMOTE
                and state.idle_timeout_s != self.client.idle_timeout_s
            ):
                await self.client.ensure_idle_timeout()
        except DriverError as err:
            raise QUASAR_UPDATE_ERRORS.translate(err) from err
        if self.intent is not None and state.control is ControlMode.USER:
            # The charger handed itself back (idle timeout, reboot, the Wallbox app).
            # It cannot tell us who did it, so the safe reading is that the user
            # has it now; we do not fight over it.
            LOGGER.warning("%s went back to the Wallbox app", self.name)
            await self._set_intent(None)
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
        return QuasarData(
            state=state,
            charged_kwh=self._energy.charged_kwh,
            discharged_kwh=self._energy.discharged_kwh,
        )

    def _stored_data(self) -> dict[str, Any]:
        return {
            "charged_kwh": self._energy.charged_kwh,
            "discharged_kwh": self._energy.discharged_kwh,
            "intent": self.intent.as_dict() if self.intent else None,
        }

    async def _async_save(self) -> None:
        await self._store.async_save(self._stored_data())

    async def _apply(self, intent: RemoteIntent) -> None:
        """Drive the charger to an intent, in the order that is safe."""
        await self.client.take_control()
        if intent.running:
            # The setpoint first: starting on an old negative setpoint would discharge.
            applied = await self.client.set_current(intent.setpoint_a)
            await self.client.start()
        else:
            await self.client.stop()
            applied = await self.client.set_current(intent.setpoint_a)
        await self._set_intent(replace(intent, setpoint_a=applied))

    async def _set_intent(self, intent: RemoteIntent | None) -> None:
        if self._hold_timer is not None:
            self._hold_timer()
            self._hold_timer = None
        self.intent = intent
        if intent is not None and intent.until is not None:
            self._hold_timer = async_track_point_in_utc_time(
                self.hass, self._hold_expired, intent.until
            )
        await self._async_save()

    @callback
    def _hold_expired(self, _now: datetime) -> None:
        self._hold_timer = None
        self.config_entry.async_create_background_task(
            self.hass, self._async_end_hold(), f"{DOMAIN} end of hold"
        )

    async def _async_end_hold(self) -> None:
        LOGGER.info("The timed command on %s ended; the Wallbox app has it", self.name)
        try:
            await self.async_give_back()
        except HomeAssistantError as err:
            # The idle timeout hands the charger back by itself if we cannot.
            LOGGER.warning("Could not give %s back: %s", self.name, err)

    def _base_intent(self) -> RemoteIntent:
        """Return the intent a new command starts from."""
        if self.intent is not None:
            return replace(self.intent, until=None)
        state = self.data.state
        return RemoteIntent(
            setpoint_a=state.max_available_current_a,
            running=state.status is ChargerStatus.CHARGING,
        )

    @translate_driver_errors
    async def async_hold(
        self, setpoint_a: int, *, running: bool, minutes: int | None = None
    ) -> int:
        """Take control and hold the charger to a setpoint; return what was applied."""
        check_current(setpoint_a)
        until = dt_util.utcnow() + timedelta(minutes=minutes) if minutes else None
        await self._apply(
            RemoteIntent(setpoint_a=setpoint_a, running=running, until=until)
        )
        assert self.intent is not None
        return self.intent.setpoint_a

    @translate_driver_errors
    async def async_set_charging(self, charging: bool) -> None:
        """Start charging, or pause whatever the charger is doing."""
        base = self._base_intent()
        if charging:
            # A switch called "charging" must never start a discharge.
            setpoint = (
                base.setpoint_a
                if base.setpoint_a > 0
                else self.data.state.max_available_current_a
            )
            await self._apply(RemoteIntent(setpoint_a=setpoint, running=True))
        else:
            await self._apply(replace(base, running=False))

    @translate_driver_errors
    async def async_set_charge_current(self, amps: int) -> None:
        """Set the charge current; a running session follows it at once."""
        check_current(amps)
        base = self._base_intent()
        if amps == 0 and base.setpoint_a < 0:
            return
        await self._apply(replace(base, setpoint_a=amps))

    @translate_driver_errors
    async def async_set_discharge_current(self, amps: int) -> None:
        """Discharge the car at this current; 0 stops a discharge."""
        check_current(amps)
        base = self._base_intent()
        if amps > 0:
            await self._apply(RemoteIntent(setpoint_a=-amps, running=True))
        elif base.setpoint_a < 0:
            await self._apply(RemoteIntent(setpoint_a=0, running=False))

    @translate_driver_errors
    async def async_set_control(self, remote: bool) -> None:
        """Take control for Home Assistant, or give it back to the Wallbox app."""
        if not remote:
            await self.client.release_control()
            await self._set_intent(None)
        elif self.intent is None:
            await self._apply(self._base_intent())

    async def async_give_back(self) -> None:
        """Give control back to the Wallbox app, as it is."""
        await self.async_set_control(False)

    async def async_release_idle(self) -> None:
        """Leave the charger idle and the Wallbox app's (unload, shutdown).

        The stored intent is kept, so a restart or reload puts it back.
        """
        if self.intent is None:
            return
        if self._hold_timer is not None:
            self._hold_timer()
            self._hold_timer = None
        try:
            await self.client.stop()
            await self.client.release_control()
        except DriverError as err:
            # The charger's idle timeout gives it back within a minute regardless.
            LOGGER.warning("Could not give %s back on unload: %s", self.name, err)

    @translate_driver_errors
    async def async_set_lock(self, locked: bool) -> None:
        """Lock or unlock the charger; control is borrowed only for the write."""
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
        await self.client.reboot()
