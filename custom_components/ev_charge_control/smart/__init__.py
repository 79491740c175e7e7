"""Smart charging: each car's limit, floor, off-peak plan and ready-by, kept by us.

It is not a kind of entry: it rides on each car of a Renault account or of a
psa_car_controller server, with its settings as entities of the car's device, and it
drives the car through its cloud or through the Quasar it is linked to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .controller import SmartCharger
from .link import CarLink
from .settings import SettingsStore


async def async_setup_smart(
    hass: HomeAssistant, entry: ConfigEntry[Any], cars: Iterable[CarLink]
) -> dict[str, SmartCharger]:
    """Start smart charging for the cars of an entry, with their saved settings."""
    store = SettingsStore(hass, entry.entry_id)
    await store.async_load()
    chargers = {car.info.vin: SmartCharger(hass, entry, car, store) for car in cars}
    for charger in chargers.values():
        await charger.async_start()
    return chargers


async def async_unload_smart(chargers: dict[str, SmartCharger]) -> None:
    """Stop smart charging for the cars of an entry (their settings are kept)."""
    for charger in chargers.values():
        await charger.async_stop()


async def async_remove_smart(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the settings of a removed entry's cars."""
    await SettingsStore(hass, entry_id).async_remove()


@runtime_checkable
class WithSmartCharging(Protocol):
    """The runtime data of an entry whose cars smart charging rides on."""

    smart: dict[str, SmartCharger]


def smart_chargers(entry: ConfigEntry[object]) -> list[SmartCharger]:
    """Return the smart charging of each car of an entry (none for a charger)."""
    data = entry.runtime_data
    return list(data.smart.values()) if isinstance(data, WithSmartCharging) else []
