"""The coordinators of a psa_car_controller server: one per car, and its commands."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any, Concatenate

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    DOMAIN,
    LOGGER,
    PSACC_AUTO_WAKEUP_INTERVAL,
    PSACC_PENDING_TIMEOUT,
    PSACC_SCAN_INTERVAL,
    PSACC_STALE_REPORT,
)
from ..control.owner import Controller, DeviceOwner
from ..drivers.models import (
    ChargeState,
    DriverError,
    PlugState,
    Reading,
    VehicleInfo,
    VehicleState,
)
from ..drivers.psacc import ChargeControl, PsaccClient
from ..errors import PSACC_COMMAND_ERRORS, PSACC_UPDATE_ERRORS
from ..policy.wakeup import WakeupBudget
from ..smart.controller import SmartCharger
from ..vehicle import vehicle_device_info

type PsaccConfigEntry = ConfigEntry[PsaccRuntimeData]


@dataclass(frozen=True, kw_only=True, slots=True)
class PsaccData:
    """What one car's entities show."""

    state: VehicleState
    charge_control: ChargeControl | None
    battery_health_pct: float | None
    wakeups_available: int

    @property
    def last_report(self) -> datetime | None:
        """Return the time of the newest value the car reported."""
        times = [
            reading.as_of
            for reading in (getattr(self.state, name) for name in _READINGS)
            if isinstance(reading, Reading)
        ]
        return max(times, default=None)


_READINGS = tuple(name for name in VehicleState.__dataclass_fields__ if name != "vin")


@dataclass(kw_only=True, slots=True)
class PsaccRuntimeData:
    """What a psa_car_controller entry holds while it is loaded."""

    client: PsaccClient
    budget: WakeupBudget
    coordinators: dict[str, PsaccCoordinator] = field(default_factory=dict)
    # Each car's smart charging (its limit, floor and plan).
    smart: dict[str, SmartCharger] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Pending:
    """A command the car has not reported on yet."""

    value: bool
    since: datetime


def translate_driver_errors[CoordinatorT: PsaccCoordinator, **P, R](
    func: Callable[Concatenate[CoordinatorT, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[CoordinatorT, P], Coroutine[Any, Any, R]]:
    """Turn a driver error in a command into a sentence that says what happened."""

    async def handler(self: CoordinatorT, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(self, *args, **kwargs)
        except DriverError as err:
            raise PSACC_COMMAND_ERRORS.translate(err, url=self.client.url) from err

    return handler


class PsaccCoordinator(DataUpdateCoordinator[PsaccData]):
    """Reads one car from the server's cache and carries out its commands."""

    config_entry: PsaccConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PsaccConfigEntry,
        client: PsaccClient,
        budget: WakeupBudget,
        info: VehicleInfo,
    ) -> None:
        """Set up the coordinator of one car; nothing is read until the first refresh."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{info.name} ({entry.data[CONF_URL]})",
            update_interval=PSACC_SCAN_INTERVAL,
        )
        self.client = client
        self.budget = budget
        self.info = info
        self.vin = info.vin
        self.last_auto_wakeup: datetime | None = None
        self.pending: dict[str, Pending] = {}
        # Every entity of the car, its own and smart charging's, names the whole device:
        # whichever platform comes first creates it, and it must not come out unnamed.
        self.device_info = vehicle_device_info(info, configuration_url=client.url)
        # Every command to the car, a person's or smart charging's, goes through it.
        self.owner = DeviceOwner(info.name, now=dt_util.utcnow)

    def has(self, capability: str) -> bool:
        """Return whether the car supports something."""
        return capability in self.info.capabilities

    async def _async_update_data(self) -> PsaccData:
        """Read the server's cache; wake the car only when its data is too old."""
        try:
            state = await self.client.get_state(self.vin, from_cache=True)
            control = (
                await self.client.get_charge_control(self.vin)
                if self.has("charge_control")
                else None
            )
            health = (
                await self.client.battery_health(self.vin)
                if self.has("battery_health")
                else None
            )
        except DriverError as err:
            raise PSACC_UPDATE_ERRORS.translate(err) from err
        now = dt_util.utcnow()
        self._settle_pending(state, now)
        if self._needs_wakeup(state, now):
            await self._auto_wakeup(now)
        return PsaccData(
            state=state,
            charge_control=control,
            battery_health_pct=health,
            wakeups_available=self.budget.available(now),
        )

    def _needs_wakeup(self, state: VehicleState, now: datetime) -> bool:
        """Whether a charge is running on data too old to decide on.

        Before the charging policy exists, a running charge is the one thing whose
        stale value matters: its end (the limit, the stop hour) is what the user waits
        for. A parked car is never woken.
        """
        if state.plug is None or state.plug.value is not PlugState.PLUGGED:
            return False
        if state.charge is None or state.charge.value is not ChargeState.CHARGING:
            return False
        if now - state.charge.as_of <= PSACC_STALE_REPORT:
            return False
        return (
            self.last_auto_wakeup is None
            or now - self.last_auto_wakeup >= PSACC_AUTO_WAKEUP_INTERVAL
        )

    async def _auto_wakeup(self, now: datetime) -> None:
        if not self.budget.try_take(now):
            LOGGER.debug("%s: data is old but no wake-up is left", self.name)
            return
        self.last_auto_wakeup = now
        try:
            await self.client.wakeup(self.vin)
        except DriverError as err:
            # The values stay as old as they are, and their age is shown; the next
            # try comes after the interval.
            LOGGER.warning("Could not wake %s: %s", self.info.name, err)
        else:
            LOGGER.info("Woke %s: its last charging report was old", self.info.name)

    def _settle_pending(self, state: VehicleState, now: datetime) -> None:
        """Forget commands the car has reported on, or that were never seen."""
        for key, pending in list(self.pending.items()):
            reading = getattr(state, key)
            reported = isinstance(reading, Reading) and reading.as_of > pending.since
            if reported or now - pending.since > PSACC_PENDING_TIMEOUT:
                del self.pending[key]

    def expected(self, key: str, reported: bool | None) -> bool | None:
        """Return what a command asked for until the car reports, else the report."""
        if (pending := self.pending.get(key)) is not None:
            return pending.value
        return reported

    def _asked(self, key: str, value: bool) -> None:
        self.pending[key] = Pending(value=value, since=dt_util.utcnow())
        self.async_update_listeners()

    # ------------------------------------------------------------------ commands

    @translate_driver_errors
    async def async_set_charging(
        self,
        on: bool,
        *,
        controller: Controller = Controller.YOU,
        reason: str = "charging switch",
    ) -> None:
        """Start or stop the charge now, for whoever asks (a person, by default)."""
        plug = self.data.state.plug
        if on and plug is not None and plug.value is PlugState.UNPLUGGED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="psacc_not_plugged",
                translation_placeholders={"name": self.info.name},
            )
        async with self.owner.command(controller, claim=reason):
            await self.client.charge_now(self.vin, on)
        self._asked("charge", on)

    @translate_driver_errors
    async def async_set_preconditioning(self, on: bool) -> None:
        """Start or stop heating or cooling the cabin."""
        await self.client.set_preconditioning(self.vin, on)
        self._asked("hvac_on", on)

    @translate_driver_errors
    async def async_set_locked(self, locked: bool) -> None:
        """Lock or unlock the doors."""
        await self.client.lock(self.vin, locked)
        self._asked("locked", locked)

    @translate_driver_errors
    async def async_set_threshold(self, pct: int) -> None:
        """Make the server stop the charge at this level."""
        control = await self.client.set_charge_threshold(self.vin, pct)
        self.async_set_updated_data(replace(self.data, charge_control=control))

    @translate_driver_errors
    async def async_set_stop_hour(self, stop: time) -> None:
        """Make the server stop the charge daily at this time; 00:00 is never."""
        control = await self.client.set_stop_hour(
            self.vin, None if stop == time(0, 0) else stop
        )
        self.async_set_updated_data(replace(self.data, charge_control=control))

    @translate_driver_errors
    async def async_horn(self) -> None:
        """Sound the horn once."""
        await self.client.horn(self.vin, 1)

    @translate_driver_errors
    async def async_lights(self) -> None:
        """Flash the lights for ten seconds."""
        await self.client.lights(self.vin, 10)

    @translate_driver_errors
    async def async_wakeup(self) -> None:
        """Ask the car to report now, if the server's budget allows it."""
        now = dt_util.utcnow()
        if not self.budget.try_take(now):
            wait = self.budget.next_available_at(now) - now
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="psacc_wakeup_budget_spent",
                translation_placeholders={
                    "limit": str(self.budget.limit),
                    "window": str(int(self.budget.window.total_seconds() // 60)),
                    "wait": str(max(1, round(wait.total_seconds() / 60))),
                },
            )
        await self.client.wakeup(self.vin)
        # The server replaces its cache when the car reports; look soon after.
        await self.async_request_refresh()
