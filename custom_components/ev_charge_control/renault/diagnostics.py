"""Diagnostics of a Renault account: no token, e-mail, VIN or position in clear."""

from __future__ import annotations

from dataclasses import asdict
import time
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL
from homeassistant.core import HomeAssistant

from ..const import CONF_ACCOUNT_ID, CONF_DEVICE_IDS, CONF_LOGIN_TOKEN
from .coordinator import RenaultConfigEntry

TO_REDACT = {
    CONF_EMAIL,
    CONF_LOGIN_TOKEN,
    CONF_DEVICE_IDS,
    CONF_ACCOUNT_ID,
    "vin",
    "location",
    "latitude",
    "longitude",
    "unique_id",
    "title",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RenaultConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a Renault account."""
    account = entry.runtime_data
    now = time.time()
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
            },
            "budget": {
                "available": round(account.budget.available(now), 2),
                "calls_in_last_hour": account.budget.calls_in_last_hour(now),
                "throttled": account.throttled(),
                "calls_by_endpoint": dict(account.client.calls_by_endpoint),
            },
            "vehicles": [
                {
                    "info": {
                        **asdict(coordinator.info),
                        "capabilities": sorted(coordinator.info.capabilities),
                    },
                    "unsupported": sorted(account.client.unsupported(vin)),
                    "state": asdict(coordinator.data),
                    "poll_interval_s": coordinator.update_interval.total_seconds()
                    if coordinator.update_interval
                    else None,
                    "last_update_success": coordinator.last_update_success,
                    "smart_charging": (
                        smart.plan_data()
                        if (smart := account.smart.get(vin)) is not None
                        else None
                    ),
                }
                for vin, coordinator in account.coordinators.items()
            ],
        },
        TO_REDACT,
    )
