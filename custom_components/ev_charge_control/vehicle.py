"""What every car's entities share, whichever cloud the car is reached through."""

from __future__ import annotations

from collections.abc import Collection

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntry, DeviceInfo

from .const import DOMAIN
from .drivers.models import VehicleInfo


def vehicle_device_info(
    info: VehicleInfo, *, configuration_url: str | None = None
) -> DeviceInfo:
    """Return the device of a car, identified by its VIN."""
    return DeviceInfo(
        identifiers={(DOMAIN, info.vin)},
        manufacturer=info.brand,
        model=info.model or None,
        name=info.name,
        serial_number=info.vin,
        configuration_url=configuration_url,
    )


def car_device_removable(followed: Collection[str], device: DeviceEntry) -> bool:
    """Return whether a car's device may be deleted by hand: no car the entry follows.

    A car the server or account stopped listing keeps its device (it may come back);
    once the owner knows it will not, the device's Delete button removes it.
    """
    return not any(
        domain == DOMAIN and vin in followed for domain, vin in device.identifiers
    )


def remove_car_devices_except(
    hass: HomeAssistant, entry_id: str, vins: Collection[str]
) -> None:
    """Remove the entry's car devices whose VIN is not among ``vins``.

    Each device is its entry's alone (one entry per device since 2026.10), so it goes.
    """
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry_id):
        if car_device_removable(vins, device):
            registry.async_remove_device(device.id)
