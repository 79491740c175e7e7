"""The button platform: each kind of entry brings its own."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, PlatformSetup, async_setup_platform
from .psacc import button as psacc_button
from .quasar import button as quasar_button
from .renault import button as renault_button

# One connection per device: commands go one at a time.
PARALLEL_UPDATES = 1

SETUPS: dict[DeviceKind, PlatformSetup] = {
    DeviceKind.PSACC: psacc_button.async_setup_entry,
    DeviceKind.RENAULT: renault_button.async_setup_entry,
    DeviceKind.QUASAR: quasar_button.async_setup_entry,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's button entities."""
    await async_setup_platform(SETUPS, hass, entry, async_add_entities)
