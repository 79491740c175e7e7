"""Renault and Dacia cars through the Renault cloud, on a rationed call budget."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
import json
import os
import time
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store

from ..const import (
    CONF_ACCOUNT_ID,
    CONF_DEVICE_IDS,
    CONF_LOCALE,
    CONF_LOGIN_TOKEN,
    DOMAIN,
    LOGGER,
    RENAULT_BUDGET_BURST,
    RENAULT_BUDGET_PER_HOUR,
    RENAULT_CLOUD_ENV,
    RENAULT_QUOTA_PAUSE,
    STORAGE_VERSION,
)
from ..drivers.models import AuthError, DriverError, QuotaExceededError, VehicleInfo
from ..drivers.renault import RenaultAccountClient
from ..policy.budget import CallBudget
from ..smart import async_remove_smart, async_setup_smart, async_unload_smart
from ..vehicle import remove_car_devices_except
from .coordinator import (
    RenaultAccount,
    RenaultConfigEntry,
    RenaultVehicleCoordinator,
    quota_issue_id,
)
from .smart import RenaultCarLink

# A car added to the account, or gone from it, shows up within this long.
RELIST_INTERVAL = timedelta(hours=24)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.DEVICE_TRACKER,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]


def new_client(hass: HomeAssistant, locale: str) -> RenaultAccountClient:
    """Return a client of the Renault cloud (or of the simulated one, for the demo)."""
    override = os.environ.get(RENAULT_CLOUD_ENV)
    return RenaultAccountClient(
        async_get_clientsession(hass),
        locale=locale,
        locale_details=json.loads(override) if override else None,
    )


async def async_setup_entry(hass: HomeAssistant, entry: RenaultConfigEntry) -> bool:
    """Sign in from the stored token, list the account's cars and poll each."""
    client = new_client(hass, entry.data[CONF_LOCALE])
    client.restore(entry.data[CONF_LOGIN_TOKEN], entry.data.get(CONF_DEVICE_IDS))
    budget = CallBudget(per_hour=RENAULT_BUDGET_PER_HOUR, burst=RENAULT_BUDGET_BURST)
    account = RenaultAccount(
        client=client, budget=budget, account_id=entry.data[CONF_ACCOUNT_ID]
    )
    store = renault_store(hass, entry.entry_id)
    try:
        vehicles = await client.vehicles(account.account_id)
    except AuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="renault_auth_failed"
        ) from err
    except QuotaExceededError as err:
        # The cars are known from last time: they show up and wait for the quota.
        cached = await store.async_load()
        if not cached:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN, translation_key="renault_quota_exceeded"
            ) from err
        vehicles = [_info_from_dict(info) for info in cached]
        account.listed = False
        budget.throttle(
            time.time(), err.retry_after_s or RENAULT_QUOTA_PAUSE.total_seconds()
        )
    except DriverError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="renault_cloud_error",
            translation_placeholders={"error": str(err)},
        ) from err
    else:
        await store.async_save([_info_to_dict(info) for info in vehicles])
        # Cars the account no longer has (sold, given back) lose their devices.
        remove_car_devices_except(hass, entry.entry_id, {info.vin for info in vehicles})
    finally:
        budget.spend(time.time(), client.calls)
    account.vehicles = {info.vin: info for info in vehicles}
    entry.runtime_data = account
    for info in vehicles:
        coordinator = RenaultVehicleCoordinator(hass, entry, account, info)
        account.coordinators[info.vin] = coordinator
        # A quota error is not a failure here: the car shows up and waits.
        await coordinator.async_config_entry_first_refresh()
    account.smart = await async_setup_smart(
        hass,
        entry,
        [RenaultCarLink(coordinator) for coordinator in account.coordinators.values()],
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    _follow_the_account(hass, entry, account)
    return True


def _follow_the_account(
    hass: HomeAssistant, entry: RenaultConfigEntry, account: RenaultAccount
) -> None:
    """List the account's cars once a day; a car added or removed reloads the entry.

    One call a day, from the account's budget: a new car gets its device and entities,
    a car gone from the account loses them, without the user reloading anything.
    """

    async def relist(_now: datetime) -> None:
        now = time.time()
        budget = account.budget
        if not budget.can_spend(now):
            return  # the polls need the budget more; tomorrow is soon enough
        client = account.client
        before = client.calls
        try:
            async with account.lock:
                vehicles = await client.vehicles(account.account_id)
        except QuotaExceededError as err:
            if coordinator := next(iter(account.coordinators.values()), None):
                coordinator.quota_error(now, err)
            else:
                budget.throttle(
                    now, err.retry_after_s or RENAULT_QUOTA_PAUSE.total_seconds()
                )
            return
        except DriverError as err:
            # The polls report outages; this only looks again tomorrow.
            LOGGER.debug("Could not list the cars of %s: %s", entry.title, err)
            return
        finally:
            budget.spend(now, client.calls - before)
        if {info.vin for info in vehicles} != set(account.vehicles):
            LOGGER.info("The cars of %s changed; setting it up again", entry.title)
            hass.config_entries.async_schedule_reload(entry.entry_id)

    entry.async_on_unload(async_track_time_interval(hass, relist, RELIST_INTERVAL))


async def async_unload_entry(hass: HomeAssistant, entry: RenaultConfigEntry) -> bool:
    """Unload an account; its cars' smart charging stops, their settings are kept."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await async_unload_smart(entry.runtime_data.smart)
    return True


async def async_remove_entry(hass: HomeAssistant, entry: RenaultConfigEntry) -> None:
    """Forget the cars and the repair issue of a removed account."""
    ir.async_delete_issue(hass, DOMAIN, quota_issue_id(entry.entry_id))
    await renault_store(hass, entry.entry_id).async_remove()
    await async_remove_smart(hass, entry.entry_id)


def renault_store(hass: HomeAssistant, entry_id: str) -> Store[list[dict[str, Any]]]:
    """Return where an account's cars are kept, for a setup during a quota lockout."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.renault.{entry_id}")


def _info_to_dict(info: VehicleInfo) -> dict[str, Any]:
    return {**asdict(info), "capabilities": sorted(info.capabilities)}


def _info_from_dict(data: dict[str, Any]) -> VehicleInfo:
    return VehicleInfo(**{**data, "capabilities": frozenset(data["capabilities"])})
