"""What each kind of config entry brings: its platforms and how it is set up.

One entry is one account or one device, and each kind lives in its own package
(quasar/, and the car clouds beside it). The top-level modules Home Assistant loads
only dispatch on the entry's kind, so a new kind adds a package and a line per
platform, without touching the others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import psacc, quasar, renault
from .const import CONF_KIND, DeviceKind
from .psacc.coordinator import PsaccRuntimeData
from .quasar.coordinator import QuasarRuntimeData
from .renault.coordinator import RenaultAccount
from .vehicle import car_device_removable

# The runtime data's type depends on the kind; each kind's package narrows it.
type EvChargeControlConfigEntry = ConfigEntry[
    QuasarRuntimeData | PsaccRuntimeData | RenaultAccount
]

type PlatformSetup = Callable[
    [HomeAssistant, Any, AddConfigEntryEntitiesCallback], Awaitable[None]
]


@dataclass(frozen=True, kw_only=True, slots=True)
class Kind:
    """How one kind of entry is set up, unloaded and removed."""

    platforms: list[Platform]
    setup_entry: Callable[[HomeAssistant, Any], Awaitable[bool]]
    unload_entry: Callable[[HomeAssistant, Any], Awaitable[bool]]
    remove_entry: Callable[[HomeAssistant, Any], Awaitable[None]]
    # Whether the user may delete one of the entry's devices (only loaded entries ask).
    remove_device: Callable[[Any, DeviceEntry], bool]


KINDS: dict[DeviceKind, Kind] = {
    DeviceKind.PSACC: Kind(
        platforms=psacc.PLATFORMS,
        setup_entry=psacc.async_setup_entry,
        unload_entry=psacc.async_unload_entry,
        remove_entry=psacc.async_remove_entry,
        remove_device=lambda entry, device: car_device_removable(
            entry.runtime_data.coordinators, device
        ),
    ),
    DeviceKind.RENAULT: Kind(
        platforms=renault.PLATFORMS,
        setup_entry=renault.async_setup_entry,
        unload_entry=renault.async_unload_entry,
        remove_entry=renault.async_remove_entry,
        remove_device=lambda entry, device: car_device_removable(
            entry.runtime_data.coordinators, device
        ),
    ),
    DeviceKind.QUASAR: Kind(
        platforms=quasar.PLATFORMS,
        setup_entry=quasar.async_setup_entry,
        unload_entry=quasar.async_unload_entry,
        remove_entry=quasar.async_remove_entry,
        # The charger is the entry: it goes when the entry does.
        remove_device=lambda _entry, _device: False,
    ),
}


def entry_kind(entry: ConfigEntry[Any]) -> DeviceKind:
    """Return the kind of an entry."""
    return DeviceKind(entry.data[CONF_KIND])


async def async_setup_platform(
    setups: dict[DeviceKind, PlatformSetup],
    hass: HomeAssistant,
    entry: EvChargeControlConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    smart: PlatformSetup | None = None,
) -> None:
    """Set up one platform for an entry: its kind's own entities, then smart charging's."""
    if (setup := setups.get(entry_kind(entry))) is not None:
        await setup(hass, entry, async_add_entities)
    if smart is not None:
        await smart(hass, entry, async_add_entities)
