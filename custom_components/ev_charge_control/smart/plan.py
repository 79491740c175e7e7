"""The plan of one car as the get_plan action answers it, and who holds the car now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..control.owner import Claim, Controller, DeviceOwner
from ..policy.smart_charging import Decision
from .settings import CarSettings


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def controlled_by(
    owner: DeviceOwner, idle: Controller = Controller.APP
) -> dict[str, Any]:
    """Return who commands a device, why and until when (``idle``: when nobody holds)."""
    claim: Claim | None = owner.claim
    return {
        "controller": idle.value if claim is None else claim.controller.value,
        "reason": None if claim is None else claim.reason,
        "until": None if claim is None else _iso(claim.until),
    }


def plan_payload(
    settings: CarSettings,
    decision: Decision | None,
    *,
    capacity_kwh: float | None,
    car: DeviceOwner,
    car_idle: Controller,
    charger: DeviceOwner | None,
) -> dict[str, Any]:
    """Return the plan, its settings and who holds the car and its charger.

    ``car_idle`` is who commands the car when nobody holds it.
    """
    data: dict[str, Any] = {
        "smart_charging": settings.enabled,
        "limit": settings.limit_pct,
        "floor": settings.floor_pct,
        "ready_by": settings.ready_by.isoformat(),
        "off_peak_source": settings.source.value,
        "price_sensor": settings.price_entity_id,
        "windows": [window.as_dict() for window in settings.windows],
        "linked_charger": settings.linked_charger,
        "capacity_kwh": capacity_kwh,
        "controlled_by": controlled_by(car, car_idle),
        "charger_controlled_by": None if charger is None else controlled_by(charger),
        "state": None,
        "estimated_soc": None,
        "estimated_at": None,
        "next_start": None,
        "expected_end": None,
        "ready_by_met": None,
        "charging_intervals": [],
        "last_command": (
            None if settings.last_command is None else settings.last_command.as_dict()
        ),
    }
    if decision is None:
        return data
    data["state"] = decision.state.value
    data["estimated_soc"] = (
        None
        if decision.estimated_soc_pct is None
        else round(decision.estimated_soc_pct, 1)
    )
    data["estimated_at"] = _iso(
        None
        if decision.estimated_at is None
        else decision.estimated_at.replace(microsecond=0)
    )
    data["next_start"] = _iso(decision.next_start)
    data["expected_end"] = _iso(decision.expected_end)
    if decision.plan is not None:
        data["ready_by_met"] = decision.plan.ready_by_met
        data["charging_intervals"] = [
            {"start": start.isoformat(), "end": end.isoformat()}
            for start, end in decision.plan.intervals
        ]
    return data
