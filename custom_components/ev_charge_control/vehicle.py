"""What every car's entities share, whichever cloud the car is reached through."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo

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
