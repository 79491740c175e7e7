"""The Wallbox Quasar: a bidirectional charger over Modbus TCP."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir

from ..const import (
    CONF_SCAN_INTERVAL,
    CONF_UNIT_ID,
    DOMAIN,
    QUASAR_DEFAULT_SCAN_INTERVAL,
    quasar_idle_timeout,
)
from ..drivers.models import DriverError
from ..drivers.quasar import QuasarClient
from ..smart.link import register_charger
from .coordinator import (
    QuasarConfigEntry,
    QuasarCoordinator,
    QuasarRuntimeData,
    quasar_store,
)
from .link import QuasarChargerLink

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup_entry(hass: HomeAssistant, entry: QuasarConfigEntry) -> bool:
    """Connect to a Wallbox Quasar and set up its entities."""
    scan_interval = entry.options.get(CONF_SCAN_INTERVAL, QUASAR_DEFAULT_SCAN_INTERVAL)
    client = QuasarClient(
        entry.data[CONF_HOST],
        entry.data[CONF_PORT],
        entry.data[CONF_UNIT_ID],
        idle_timeout_s=quasar_idle_timeout(scan_interval),
    )
    try:
        await client.connect()
        identity = await client.read_identity()
    except DriverError as err:
        await client.close()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={
                "host": entry.data[CONF_HOST],
                "error": str(err),
            },
        ) from err
    wrong_device_issue = f"wrong_device_{entry.entry_id}"
    if identity.serial != entry.unique_id:
        # Another charger answers at this address (a new DHCP lease, a swapped unit):
        # commanding it under this one's name would be wrong. Retrying alone will not
        # fix it, so the user is told where to look.
        await client.close()
        ir.async_create_issue(
            hass,
            DOMAIN,
            wrong_device_issue,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="wrong_device",
            translation_placeholders={
                "host": entry.data[CONF_HOST],
                "serial": identity.serial,
                "title": entry.title,
            },
        )
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="wrong_device",
            translation_placeholders={
                "host": entry.data[CONF_HOST],
                "serial": identity.serial,
            },
        )

    ir.async_delete_issue(hass, DOMAIN, wrong_device_issue)
    coordinator = QuasarCoordinator(hass, entry, client)
    entry.runtime_data = QuasarRuntimeData(
        client=client, identity=identity, coordinator=coordinator
    )
    try:
        await coordinator.async_config_entry_first_refresh()
    except Exception:
        await client.close()
        raise

    async def _release_on_stop(_event: Event) -> None:
        # Nobody is left to command the charger: it goes back to the Wallbox app idle,
        # and the stored intent puts it back when Home Assistant returns.
        await coordinator.async_release_idle()
        await client.close()

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _release_on_stop)
    )
    entry.async_on_unload(
        register_charger(hass, entry.entry_id, QuasarChargerLink(coordinator))
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: QuasarConfigEntry) -> bool:
    """Unload an entry, leaving the charger idle and the Wallbox app's."""
    if unload_ok := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.coordinator.async_release_idle()
        await entry.runtime_data.client.close()
    return unload_ok


async def async_remove_entry(hass: HomeAssistant, entry: QuasarConfigEntry) -> None:
    """Forget the stored energy totals and standing command of a removed charger."""
    await quasar_store(hass, entry.entry_id).async_remove()
