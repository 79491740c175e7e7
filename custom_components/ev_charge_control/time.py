"""The time platform: each kind of entry brings its own."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, PlatformSetup, async_setup_platform
from .psacc import time as psacc_time
from .smart import time as smart_time

# Coordinators poll; commands go one at a time to each device.
PARALLEL_UPDATES = 1

SETUPS: dict[DeviceKind, PlatformSetup] = {
    DeviceKind.PSACC: psacc_time.async_setup_entry,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's time entities."""
    await async_setup_platform(
        SETUPS, hass, entry, async_add_entities, smart=smart_time.async_setup_entry
    )
