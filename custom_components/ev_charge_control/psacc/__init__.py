"""Peugeot, Citroën, DS, Opel and Vauxhall cars through a psa_car_controller server."""

from __future__ import annotations

from homeassistant.const import CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ..const import CONF_VINS, DOMAIN, LOGGER, PSACC_WAKEUP_LIMIT, PSACC_WAKEUP_WINDOW
from ..drivers.models import DriverError
from ..drivers.psacc import PsaccClient
from ..policy.wakeup import WakeupBudget
from ..smart import async_remove_smart, async_setup_smart, async_unload_smart
from ..vehicle import remove_car_devices_except
from .coordinator import PsaccConfigEntry, PsaccCoordinator, PsaccRuntimeData
from .smart import PsaccCarLink

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.DEVICE_TRACKER,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]


async def async_setup_entry(hass: HomeAssistant, entry: PsaccConfigEntry) -> bool:
    """Reach the server, find the chosen cars and start reading them."""
    url: str = entry.data[CONF_URL]
    client = PsaccClient(async_get_clientsession(hass), url)
    try:
        vehicles = {info.vin: info for info in await client.list_vehicles()}
    except DriverError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="psacc_cannot_connect",
            translation_placeholders={"url": url, "error": str(err)},
        ) from err
    # One budget for the whole server: its wake-up limit is not per car.
    budget = WakeupBudget(limit=PSACC_WAKEUP_LIMIT, window=PSACC_WAKEUP_WINDOW)
    runtime = PsaccRuntimeData(client=client, budget=budget)
    missing = 0
    for vin in entry.data[CONF_VINS]:
        if (info := vehicles.get(vin)) is None:
            # The server no longer lists it (removed from the Stellantis account);
            # the other cars still work, and reconfiguring drops it.
            missing += 1
            continue
        runtime.coordinators[vin] = PsaccCoordinator(hass, entry, client, budget, info)
    _report_missing_cars(hass, entry, missing)
    entry.runtime_data = runtime
    # Cars the user no longer chose (reconfigure) lose their devices; a car the server
    # stops listing keeps its own, for it may come back.
    remove_car_devices_except(hass, entry.entry_id, set(entry.data[CONF_VINS]))
    for coordinator in runtime.coordinators.values():
        await coordinator.async_config_entry_first_refresh()
    runtime.smart = await async_setup_smart(
        hass,
        entry,
        [PsaccCarLink(coordinator) for coordinator in runtime.coordinators.values()],
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


def missing_cars_issue_id(entry_id: str) -> str:
    """Return the id of an entry's "chosen cars missing" repair issue."""
    return f"psacc_cars_missing_{entry_id}"


def _report_missing_cars(
    hass: HomeAssistant, entry: PsaccConfigEntry, missing: int
) -> None:
    """Ask the user to reconfigure when chosen cars are gone from the server.

    Only the user knows whether a car is gone for good (sold) or for a while (the
    server's account being fixed), so it is a repair issue, not a guess; it goes away
    once every chosen car is listed again or the entry is reconfigured without it.
    """
    issue_id = missing_cars_issue_id(entry.entry_id)
    if not missing:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    LOGGER.warning(
        "%s no longer lists %d of the chosen cars; reconfigure the entry",
        entry.title,
        missing,
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="psacc_cars_missing",
        translation_placeholders={"title": entry.title, "count": str(missing)},
    )


async def async_unload_entry(hass: HomeAssistant, entry: PsaccConfigEntry) -> bool:
    """Unload an entry; its cars' smart charging stops, their settings are kept."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await async_unload_smart(entry.runtime_data.smart)
    return True


async def async_remove_entry(hass: HomeAssistant, entry: PsaccConfigEntry) -> None:
    """Forget the smart charging settings of the server's cars, and its repair issue."""
    ir.async_delete_issue(hass, DOMAIN, missing_cars_issue_id(entry.entry_id))
    await async_remove_smart(hass, entry.entry_id)
