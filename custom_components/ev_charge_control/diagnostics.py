"""Diagnostics of EV Charge Control, with what identifies a person or a device hidden."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.core import HomeAssistant

from .const import DeviceKind
from .kinds import EvChargeControlConfigEntry, entry_kind
from .psacc import diagnostics as psacc_diagnostics
from .quasar import diagnostics as quasar_diagnostics
from .renault import diagnostics as renault_diagnostics

DIAGNOSTICS: dict[
    DeviceKind, Callable[[HomeAssistant, Any], Awaitable[dict[str, Any]]]
] = {
    DeviceKind.PSACC: psacc_diagnostics.async_get_config_entry_diagnostics,
    DeviceKind.RENAULT: renault_diagnostics.async_get_config_entry_diagnostics,
    DeviceKind.QUASAR: quasar_diagnostics.async_get_config_entry_diagnostics,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EvChargeControlConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    return await DIAGNOSTICS[entry_kind(entry)](hass, entry)
