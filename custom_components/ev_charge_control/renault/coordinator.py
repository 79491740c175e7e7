"""A Renault account (client, call budget, command lock) and one coordinator per car.

Every call to Kamereon spends from the account's budget, whichever car it is for.
Each car's coordinator chooses its next poll itself (policy.polling): just after the
car's next report while it charges, just after its hourly report and every few minutes
in between when parked (to see the cable go in), and not at all while the budget is
spent or the cloud refuses us.
A quota error never makes entities unavailable: they keep their last values, whose
age the last-report sensor shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import time

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    DOMAIN,
    LOGGER,
    RENAULT_AFTER_COMMAND,
    RENAULT_DEFAULT_HVAC_TEMPERATURE,
    RENAULT_QUOTA_ISSUE_AFTER,
    RENAULT_QUOTA_PAUSE,
)
from ..control.owner import Controller, DeviceOwner
from ..drivers.models import (
    AuthError,
    ChargeState,
    DriverError,
    NotSupportedError,
    PlugState,
    QuotaExceededError,
    VehicleInfo,
    VehicleState,
)
from ..drivers.renault import PART_BATTERY, RenaultAccountClient
from ..errors import RENAULT_COMMAND_ERRORS, RENAULT_UPDATE_ERRORS
from ..policy.budget import CallBudget
from ..policy.polling import next_poll_s, parts_due
from ..smart.controller import SmartCharger
from ..vehicle import vehicle_device_info

type RenaultConfigEntry = ConfigEntry[RenaultAccount]


def quota_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue of an account's lasting lockout."""
    return f"renault_quota_{entry_id}"


@dataclass(kw_only=True, slots=True)
class RenaultAccount:
    """What a Renault config entry holds while it is loaded."""

    client: RenaultAccountClient
    budget: CallBudget
    account_id: str
    vehicles: dict[str, VehicleInfo] = field(default_factory=dict)
    coordinators: dict[str, RenaultVehicleCoordinator] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The preconditioning temperature of each car, set by its number entity.
    hvac_temperature: dict[str, float] = field(default_factory=dict)
    # False when setup had to use the stored car list: the client lists them first.
    listed: bool = True
    # Each car's smart charging (its limit, floor and plan).
    smart: dict[str, SmartCharger] = field(default_factory=dict)

    def throttled(self) -> bool:
        """Return whether the cloud refuses us at the moment."""
        return self.budget.throttled_since is not None

    def calls_in_last_hour(self) -> int:
        """Return the account's calls in the last hour."""
        return self.budget.calls_in_last_hour(time.time())


class RenaultVehicleCoordinator(DataUpdateCoordinator[VehicleState]):
    """Polls one car, as rarely as its state allows."""

    config_entry: RenaultConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: RenaultConfigEntry,
        account: RenaultAccount,
        info: VehicleInfo,
    ) -> None:
        """Prepare the coordinator of one car."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=info.name,
            update_interval=timedelta(seconds=30),
        )
        self.account = account
        self.info = info
        self.vin = info.vin
        self.last_fetched: dict[str, float] = {}
        self._poll_soon_at: float | None = None
        # Every entity of the car, its own and smart charging's, names the whole device:
        # whichever platform comes first creates it, and it must not come out unnamed.
        self.device_info = vehicle_device_info(info)
        # Every command to the car, a person's or smart charging's, goes through it.
        self.owner = DeviceOwner(info.name, now=dt_util.utcnow)

    # --- polling ---------------------------------------------------------------------

    def _last_state(self) -> VehicleState:
        return self.data if self.data is not None else VehicleState(vin=self.vin)

    async def _async_update_data(self) -> VehicleState:
        now = time.time()
        budget = self.account.budget
        state = self._last_state()
        if not budget.can_spend(now):
            # Nothing to spend: keep what we have and look again once it has refilled
            # (timers may fire a hair early, so a second later).
            self.update_interval = timedelta(seconds=budget.wait_s(now) + 1)
            return state
        parts = parts_due(now, self.last_fetched, self.capabilities)
        client = self.account.client
        before = client.calls
        try:
            async with self.account.lock:
                if not self.account.listed:
                    await client.vehicles(self.account.account_id)
                    self.account.listed = True
                state = await client.get_state(self.vin, parts=parts)
        except QuotaExceededError as err:
            budget.spend(now, client.calls - before)
            self.quota_error(now, err)
            state = client.last_state(self.vin) or state
            self._schedule(now, state)
            return state
        except AuthError as err:
            # A refused sign-in was still a call the account made.
            budget.spend(now, client.calls - before)
            raise RENAULT_UPDATE_ERRORS.translate(err) from err
        except DriverError as err:
            budget.spend(now, client.calls - before)
            self.update_interval = timedelta(minutes=5)
            raise RENAULT_UPDATE_ERRORS.translate(err) from err
        budget.spend(now, client.calls - before)
        self._recovered()
        for part in parts:
            self.last_fetched[part] = now
        self._schedule(now, state)
        return state

    def quota_error(self, now: float, err: QuotaExceededError) -> None:
        """Take the account's quota as spent: pause, say so, and in time raise an issue.

        The quota is the account's, so every car of it shows the pause.
        """
        budget = self.account.budget
        pause = err.retry_after_s or RENAULT_QUOTA_PAUSE.total_seconds()
        budget.throttle(now, pause)
        LOGGER.warning(
            "The Renault cloud says the account's call quota is spent; "
            "polling pauses for %d minutes",
            pause // 60,
        )
        if budget.throttled_for_s(now) >= RENAULT_QUOTA_ISSUE_AFTER.total_seconds():
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                quota_issue_id(self.config_entry.entry_id),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="renault_quota",
                translation_placeholders={"title": self.config_entry.title},
            )
        self._notify_account()

    def _recovered(self) -> None:
        if self.account.throttled():
            LOGGER.info("The Renault cloud answers again")
            self.account.budget.recovered()
            ir.async_delete_issue(
                self.hass, DOMAIN, quota_issue_id(self.config_entry.entry_id)
            )
            self._notify_account()

    def _notify_account(self) -> None:
        # Every car's diagnostic entities show the account's state.
        for coordinator in self.account.coordinators.values():
            if coordinator.data is not None:
                coordinator.async_update_listeners()

    def _schedule(self, now: float, state: VehicleState) -> None:
        charging = (
            state.charge is not None and state.charge.value is ChargeState.CHARGING
        )
        plugged = state.plug is not None and state.plug.value is PlugState.PLUGGED
        last_report = (
            state.battery_level_pct.as_of.timestamp()
            if state.battery_level_pct is not None
            else None
        )
        wait = next_poll_s(
            now,
            charging=charging,
            plugged=plugged,
            last_report=last_report,
            budget_wait_s=self.account.budget.wait_s(now),
        )
        if self._poll_soon_at is not None:
            if self._poll_soon_at > now:
                wait = min(wait, max(self._poll_soon_at - now, 1.0))
            else:
                self._poll_soon_at = None
        self.update_interval = timedelta(seconds=wait)

    @property
    def capabilities(self) -> frozenset[str]:
        """What this car can do: its model's list, less what the cloud refused."""
        return self.info.capabilities - self.account.client.unsupported(self.vin)

    # --- commands --------------------------------------------------------------------

    async def async_set_charging(
        self,
        on: bool,
        *,
        controller: Controller = Controller.YOU,
        reason: str = "charging button",
    ) -> None:
        """Start or stop the charge through the cloud, for whoever asks."""
        vin = self.vin
        async with self.owner.command(controller, claim=reason):
            await self.async_command(
                (lambda client: client.start_charge(vin))
                if on
                else (lambda client: client.stop_charge(vin)),
                refresh_parts=frozenset({PART_BATTERY}),
            )

    async def async_command[T](
        self,
        operation: Callable[[RenaultAccountClient], Awaitable[T]],
        *,
        refresh_parts: frozenset[str] = frozenset(),
    ) -> T:
        """Run a command, one at a time per account, and look again after the car reports.

        Returns what the operation returns (a read of the car's settings, say).
        """
        client = self.account.client
        budget = self.account.budget
        now = time.time()
        if budget.blocked(now):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="renault_quota_exceeded",
            )
        before = client.calls
        try:
            async with self.account.lock:
                result = await operation(client)
        except ValueError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="renault_invalid_value",
                translation_placeholders={"error": str(err)},
            ) from err
        except DriverError as err:
            if isinstance(err, QuotaExceededError):
                self.quota_error(now, err)
            elif isinstance(err, NotSupportedError):
                # The entity that needs it becomes unavailable.
                self.async_update_listeners()
            elif isinstance(err, AuthError):
                self.config_entry.async_start_reauth(self.hass)
            raise RENAULT_COMMAND_ERRORS.translate(err, name=self.info.name) from err
        finally:
            budget.spend(now, client.calls - before)
        for part in refresh_parts:
            self.last_fetched.pop(part, None)
        # The car reports about a minute after a command; asking sooner sees nothing.
        self._poll_soon_at = now + RENAULT_AFTER_COMMAND.total_seconds()
        self._schedule(now, self._last_state())
        self._schedule_refresh()
        return result

    def hvac_temperature(self) -> float:
        """Return the preconditioning temperature set for this car."""
        return self.account.hvac_temperature.get(
            self.vin, RENAULT_DEFAULT_HVAC_TEMPERATURE
        )
