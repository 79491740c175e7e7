"""Diagnostics of EV Charge Control, with what identifies a person or a device hidden."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant

from .coordinator import QuasarConfigEntry

TO_REDACT = {CONF_HOST, "serial", "serial_number", "unique_id", "title"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: QuasarConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    data = coordinator.data
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "identity": asdict(runtime.identity),
            "state": asdict(data.state),
            "energy": {
                "charged_kwh": data.charged_kwh,
                "discharged_kwh": data.discharged_kwh,
            },
            "intent": coordinator.intent.as_dict() if coordinator.intent else None,
            "controlled_by": (
                None
                if coordinator.owner.claim is None
                else coordinator.owner.claim.as_dict()
            ),
            "fail_safe": {
                "pending": coordinator.failsafe.pending,
                "failures": coordinator.failsafe.failures,
                "last_error": coordinator.failsafe.last_error,
            },
            "idle_timeout_s": runtime.client.idle_timeout_s,
            "last_update_success": coordinator.last_update_success,
        },
        TO_REDACT,
    )
