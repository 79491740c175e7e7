"""Actions of smart charging: limits, charge now, off-peak windows, the plan."""

from __future__ import annotations

from datetime import time
from typing import Any, Final

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

from ..const import DOMAIN, LOGGER
from ..policy.planner import WEEKDAY_KEYS, OffPeakWindow
from . import smart_chargers
from .controller import SmartCharger

ATTR_DEVICE_ID: Final = "device_id"
ATTR_LIMIT: Final = "limit"
ATTR_FLOOR: Final = "floor"
ATTR_MINUTES: Final = "minutes"
ATTR_WINDOWS: Final = "windows"
ATTR_WHEN_POSSIBLE: Final = "when_possible"

SERVICE_SET_CHARGE_LIMITS: Final = "set_charge_limits"
SERVICE_CHARGE_NOW: Final = "charge_now"
SERVICE_CANCEL_CHARGE_NOW: Final = "cancel_charge_now"
SERVICE_SET_OFF_PEAK_WINDOWS: Final = "set_off_peak_windows"
SERVICE_GET_PLAN: Final = "get_plan"

# A day: "charge now" is for a trip soon, not a new plan.
MAX_CHARGE_NOW_MINUTES: Final = 24 * 60
MAX_WINDOWS: Final = 24

# Values are checked in the handlers, so the caller reads what is wrong and what to do
# rather than a schema message.
SET_CHARGE_LIMITS_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Optional(ATTR_LIMIT): probatio.Coerce(int),
        probatio.Optional(ATTR_FLOOR): probatio.Coerce(int),
    }
)
CHARGE_NOW_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Optional(ATTR_MINUTES): probatio.Coerce(int),
        probatio.Optional(ATTR_WHEN_POSSIBLE, default=False): cv.boolean,
    }
)
SET_OFF_PEAK_WINDOWS_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_DEVICE_ID): cv.string,
        probatio.Required(ATTR_WINDOWS): list,
    }
)
CAR_ONLY_SCHEMA = probatio.Schema({probatio.Required(ATTR_DEVICE_ID): cv.string})


def _smart(hass: HomeAssistant, device_id: str) -> SmartCharger:
    """Return the smart charging of the car a device id names."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="device_not_found",
            translation_placeholders={"device_id": device_id},
        )
    name = device.name_by_user or device.name or device_id
    # A device belongs to exactly one config entry (Home Assistant 2026.10 on).
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is not None and entry.domain == DOMAIN:
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"device": name},
            )
        for smart in smart_chargers(entry):
            if (DOMAIN, smart.vin) in device.identifiers:
                return smart
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_car",
        translation_placeholders={"device": name},
    )


def _window(index: int, raw: Any) -> OffPeakWindow:
    """Return one window of the call, or say which one is wrong and how."""
    try:
        return _parse_window(raw)
    except (KeyError, TypeError, ValueError, probatio.Invalid) as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="smart_window_invalid",
            translation_placeholders={"index": str(index + 1), "error": str(err)},
        ) from err


def _parse_window(raw: Any) -> OffPeakWindow:
    if not isinstance(raw, dict) or set(raw) - {"start", "end", "weekdays"}:
        raise ValueError("a window is {start, end, weekdays}")
    days = raw.get("weekdays", list(WEEKDAY_KEYS))
    if isinstance(days, str) or not all(day in WEEKDAY_KEYS for day in days):
        raise ValueError(f"weekdays are a list of {', '.join(WEEKDAY_KEYS)}")
    return OffPeakWindow(
        start=_time(raw["start"]),
        end=_time(raw["end"]),
        weekdays=frozenset(WEEKDAY_KEYS.index(day) for day in days),
    )


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    parsed = cv.time(value)
    assert isinstance(parsed, time)
    return parsed


async def _async_set_charge_limits(call: ServiceCall) -> None:
    smart = _smart(call.hass, call.data[ATTR_DEVICE_ID])
    await smart.async_set_limits(
        limit_pct=call.data.get(ATTR_LIMIT), floor_pct=call.data.get(ATTR_FLOOR)
    )


def check_charge_now_minutes(minutes: int | None) -> None:
    """Refuse a "charge now" of no time or of more than a day.

    The action and the Assist intent both ask for a charge now; they refuse the same
    things with the same words.
    """
    if minutes is not None and not 1 <= minutes <= MAX_CHARGE_NOW_MINUTES:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="smart_charge_now_minutes",
            translation_placeholders={
                "minutes": str(minutes),
                "max": str(MAX_CHARGE_NOW_MINUTES),
            },
        )


def check_smart_charging_on(smart: SmartCharger) -> None:
    """Refuse a "charge now" while smart charging is off: nothing would apply it."""
    if not smart.settings.enabled:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="smart_charging_off",
            translation_placeholders={"name": smart.car.info.name},
        )


async def _async_charge_now(call: ServiceCall) -> None:
    minutes: int | None = call.data.get(ATTR_MINUTES)
    check_charge_now_minutes(minutes)
    smart = _smart(call.hass, call.data[ATTR_DEVICE_ID])
    check_smart_charging_on(smart)
    try:
        await smart.async_charge_now(minutes)
    except ServiceValidationError as err:
        if not call.data[ATTR_WHEN_POSSIBLE]:
            raise
        # An automation asked for a charge only if one can run: nothing to do.
        LOGGER.info("%s", err)


async def _async_cancel_charge_now(call: ServiceCall) -> None:
    smart = _smart(call.hass, call.data[ATTR_DEVICE_ID])
    await smart.async_cancel_charge_now()


async def _async_set_off_peak_windows(call: ServiceCall) -> None:
    raw: list[Any] = call.data[ATTR_WINDOWS]
    if len(raw) > MAX_WINDOWS:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="smart_too_many_windows",
            translation_placeholders={"count": str(len(raw)), "max": str(MAX_WINDOWS)},
        )
    windows = [_window(index, window) for index, window in enumerate(raw)]
    smart = _smart(call.hass, call.data[ATTR_DEVICE_ID])
    await smart.async_set_windows(windows)


async def _async_get_plan(call: ServiceCall) -> ServiceResponse:
    return _smart(call.hass, call.data[ATTR_DEVICE_ID]).plan_data()


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_CHARGE_LIMITS,
        _async_set_charge_limits,
        schema=SET_CHARGE_LIMITS_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_CHARGE_NOW, _async_charge_now, schema=CHARGE_NOW_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CANCEL_CHARGE_NOW,
        _async_cancel_charge_now,
        schema=CAR_ONLY_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET_OFF_PEAK_WINDOWS,
        _async_set_off_peak_windows,
        schema=SET_OFF_PEAK_WINDOWS_SCHEMA,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_PLAN,
        _async_get_plan,
        schema=CAR_ONLY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
