"""Diagnostics of a psa_car_controller server, with VINs, places and host hidden."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .coordinator import PsaccConfigEntry

TO_REDACT = {
    "url",
    "unique_id",
    "title",
    "vin",
    "vins",
    "name",
    "location",
    "latitude",
    "longitude",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PsaccConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry; cars are numbered, not named."""
    runtime = entry.runtime_data
    now = dt_util.utcnow()
    vehicles = []
    for coordinator in runtime.coordinators.values():
        data = coordinator.data
        info = coordinator.info
        vehicles.append(
            {
                "info": {
                    **asdict(info),
                    "capabilities": sorted(info.capabilities),
                },
                "state": asdict(data.state),
                "charge_control": (
                    asdict(data.charge_control) if data.charge_control else None
                ),
                "battery_health_pct": data.battery_health_pct,
                "last_report": data.last_report,
                "last_auto_wakeup": coordinator.last_auto_wakeup,
                "pending": sorted(coordinator.pending),
                "last_update_success": coordinator.last_update_success,
                "smart_charging": (
                    smart.plan_data()
                    if (smart := runtime.smart.get(coordinator.vin)) is not None
                    else None
                ),
            }
        )
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "wakeups_available": runtime.budget.available(now),
            "vehicles": vehicles,
        },
        TO_REDACT,
    )
