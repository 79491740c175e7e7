"""The sensor every charger and car has: who controls it, why, and until when."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntityDescription

from .owner import PRECEDENCE, DeviceOwner

CONTROLLED_BY = SensorEntityDescription(
    key="controlled_by",
    translation_key="controlled_by",
    device_class=SensorDeviceClass.ENUM,
    options=[controller.value for controller in PRECEDENCE],
)


def controlled_by_value(owner: DeviceOwner) -> str:
    """Return who controls the device now."""
    return owner.controller.value


def controlled_by_attributes(owner: DeviceOwner) -> dict[str, Any]:
    """Return why, and until when (None: until it is changed or the session ends)."""
    claim = owner.claim
    return {
        "reason": None if claim is None else claim.reason,
        "until": None if claim is None or claim.until is None else claim.until,
    }
