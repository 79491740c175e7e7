"""The switch platform: each kind of entry brings its own."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, PlatformSetup, async_setup_platform
from .psacc import switch as psacc_switch
from .quasar import switch as quasar_switch
from .smart import switch as smart_switch

# One connection per device: commands go one at a time.
PARALLEL_UPDATES = 1

SETUPS: dict[DeviceKind, PlatformSetup] = {
    DeviceKind.PSACC: psacc_switch.async_setup_entry,
    DeviceKind.QUASAR: quasar_switch.async_setup_entry,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's switch entities."""
    await async_setup_platform(
        SETUPS, hass, entry, async_add_entities, smart=smart_switch.async_setup_entry
    )
