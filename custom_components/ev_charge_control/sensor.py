"""The sensor platform: each kind of entry brings its own."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, PlatformSetup, async_setup_platform
from .psacc import sensor as psacc_sensor
from .quasar import sensor as quasar_sensor
from .renault import sensor as renault_sensor
from .smart import sensor as smart_sensor

# Coordinators poll; the entities only read what they have.
PARALLEL_UPDATES = 0

SETUPS: dict[DeviceKind, PlatformSetup] = {
    DeviceKind.PSACC: psacc_sensor.async_setup_entry,
    DeviceKind.RENAULT: renault_sensor.async_setup_entry,
    DeviceKind.QUASAR: quasar_sensor.async_setup_entry,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's sensor entities."""
    await async_setup_platform(
        SETUPS, hass, entry, async_add_entities, smart=smart_sensor.async_setup_entry
    )
