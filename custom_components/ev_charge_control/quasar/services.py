"""Actions of EV Charge Control, registered once for every entry."""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import probatio

from ..const import CONF_KIND, DOMAIN, QUASAR_MAX_CURRENT, DeviceKind
from .coordinator import QuasarConfigEntry, QuasarCoordinator

ATTR_DEVICE_ID: Final = "device_id"
ATTR_CURRENT: Final = "current"
ATTR_MINUTES: Final = "minutes"

SERVICE_SET_CHARGER_CURRENT: Final = "set_charger_current"
SERVICE_PAUSE_CHARGER: Final = "pause_charger"

# A week: longer than any trip someone unplugs for, short enough to catch a typo.
MAX_HOLD_MINUTES: Final = 7 * 24 * 60

# Ranges are checked in the handlers, not here, so the caller gets a sentence that
# says what to do rather than a schema message.
SET_CHARGER_CURRENT_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Required(ATTR_CURRENT): probatio.Coerce(int),
        probatio.Optional(ATTR_MINUTES): probatio.Coerce(int),
    }
)
PAUSE_CHARGER_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Required(ATTR_MINUTES): probatio.Coerce(int),
    }
)


def _charger_coordinator(hass: HomeAssistant, device_id: str) -> QuasarCoordinator:
    """Return the coordinator of the charger a device id names."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_found",
            translation_placeholders={"device_id": device_id},
        )
    # A device belongs to exactly one config entry (Home Assistant 2026.10 on).
    entry: QuasarConfigEntry | None = hass.config_entries.async_get_entry(
        device.config_entry_id
    )
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.data.get(CONF_KIND) != DeviceKind.QUASAR
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_charger",
            translation_placeholders={"device": device.name or device_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"device": device.name or device_id},
        )
    return entry.runtime_data.coordinator


def _check_minutes(minutes: int) -> None:
    if not 1 <= minutes <= MAX_HOLD_MINUTES:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="minutes_out_of_range",
            translation_placeholders={
                "minutes": str(minutes),
                "max": str(MAX_HOLD_MINUTES),
            },
        )


async def _async_set_charger_current(call: ServiceCall) -> ServiceResponse:
    """Hold the charger to a current, for a while or until told otherwise."""
    current: int = call.data[ATTR_CURRENT]
    minutes: int | None = call.data.get(ATTR_MINUTES)
    if not -QUASAR_MAX_CURRENT <= current <= QUASAR_MAX_CURRENT:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="current_out_of_range",
            translation_placeholders={
                "current": str(current),
                "max": str(QUASAR_MAX_CURRENT),
            },
        )
    if minutes is not None:
        _check_minutes(minutes)
    coordinator = _charger_coordinator(call.hass, call.data[ATTR_DEVICE_ID])
    applied = await coordinator.async_hold(
        current, running=current != 0, minutes=minutes
    )
    return {"current": applied}


async def _async_pause_charger(call: ServiceCall) -> None:
    """Hold the charger idle for a number of minutes, then give it back."""
    minutes: int = call.data[ATTR_MINUTES]
    _check_minutes(minutes)
    coordinator = _charger_coordinator(call.hass, call.data[ATTR_DEVICE_ID])
    await coordinator.async_hold(
        0, running=False, minutes=minutes, reason=SERVICE_PAUSE_CHARGER
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_CHARGER_CURRENT,
        _async_set_charger_current,
        schema=SET_CHARGER_CURRENT_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_PAUSE_CHARGER,
        _async_pause_charger,
        schema=PAUSE_CHARGER_SCHEMA,
    )
