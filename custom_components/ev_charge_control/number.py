"""The number platform: each kind of entry brings its own."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, PlatformSetup, async_setup_platform
from .psacc import number as psacc_number
from .quasar import number as quasar_number
from .renault import number as renault_number
from .smart import number as smart_number

# One connection per device: commands go one at a time.
PARALLEL_UPDATES = 1

SETUPS: dict[DeviceKind, PlatformSetup] = {
    DeviceKind.PSACC: psacc_number.async_setup_entry,
    DeviceKind.RENAULT: renault_number.async_setup_entry,
    DeviceKind.QUASAR: quasar_number.async_setup_entry,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's number entities."""
    await async_setup_platform(
        SETUPS, hass, entry, async_add_entities, smart=smart_number.async_setup_entry
    )
