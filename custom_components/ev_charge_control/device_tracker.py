"""The device tracker platform: each kind of entry brings its own."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, PlatformSetup, async_setup_platform
from .psacc import device_tracker as psacc_device_tracker
from .renault import device_tracker as renault_device_tracker

# Coordinators poll; the entities only read what they have.
PARALLEL_UPDATES = 0

SETUPS: dict[DeviceKind, PlatformSetup] = {
    DeviceKind.PSACC: psacc_device_tracker.async_setup_entry,
    DeviceKind.RENAULT: renault_device_tracker.async_setup_entry,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's device tracker entities."""
    await async_setup_platform(SETUPS, hass, entry, async_add_entities)
