"""The select platform: each kind of entry brings its own."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, PlatformSetup, async_setup_platform
from .quasar import select as quasar_select
from .renault import select as renault_select
from .smart import select as smart_select

# One connection per device: commands go one at a time.
PARALLEL_UPDATES = 1

SETUPS: dict[DeviceKind, PlatformSetup] = {
    DeviceKind.RENAULT: renault_select.async_setup_entry,
    DeviceKind.QUASAR: quasar_select.async_setup_entry,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's select entities."""
    await async_setup_platform(
        SETUPS, hass, entry, async_add_entities, smart=smart_select.async_setup_entry
    )
