"""What smart charging needs from a car's cloud and from the charger it is plugged into.

Each kind of car (renault/, psacc/) provides a :class:`CarLink` per car, and each kind
of charger (quasar/) registers a :class:`ChargerLink` per loaded entry. Smart charging
never imports a kind nor talks to a driver, so it works the same for every cloud and
every charger; every command goes through the device's owner (control/) and through
the coordinator that already translates errors, spends the call budget and refreshes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..control.owner import Controller, DeviceOwner
from ..drivers.models import VehicleInfo, VehicleState


class CarLink(Protocol):
    """One car, as the cloud that reaches it lets smart charging see and drive it."""

    @property
    def info(self) -> VehicleInfo:
        """Return what identifies the car."""

    @property
    def device_info(self) -> DeviceInfo:
        """Return the car's whole device, as the car's own entities give it."""

    @property
    def latency_s(self) -> float:
        """Return how long a cloud stop takes to stop the charge."""

    @property
    def owner(self) -> DeviceOwner:
        """Return the owner of the car's commands."""

    def vehicle_state(self) -> VehicleState | None:
        """Return the newest state the cloud gave, or None before the first."""

    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every poll; return what stops it."""

    def can_start_stop(self) -> bool:
        """Return whether the cloud can start and stop this car's charge."""

    async def async_set_charging(
        self, on: bool, *, controller: Controller, reason: str
    ) -> None:
        """Start or stop the charge through the cloud, for ``controller``."""

    def own_limit(self) -> OwnLimit | None:
        """Return the car's own charge levels, if it has them."""

    def schedule_hold(self) -> ScheduleHold | None:
        """Return the car's charge schedule as a way to hold a charge, if it has one."""


class OwnLimit(Protocol):
    """A car's own floor and limit, which the car holds without us."""

    def levels_for(self, limit_pct: int, floor_pct: int) -> tuple[int, int] | None:
        """Return the (floor, limit) the car can hold for ours, or None if it cannot."""

    async def async_set(self, floor_pct: int, limit_pct: int) -> None:
        """Set the car's own floor and limit."""


class ScheduleHold(Protocol):
    """The last resort: a charge schedule whose only window lies in the past.

    The car then waits for that window instead of charging. Holding and releasing
    overwrite the owner's charge mode and schedules: read them first, to put back.
    """

    async def async_read(self) -> dict[str, Any]:
        """Return the car's charge mode and schedules as they are."""

    async def async_hold(self, now: datetime) -> None:
        """Hold the charge."""

    async def async_release(self) -> None:
        """Let the car charge at once."""

    async def async_restore(self, saved: dict[str, Any]) -> None:
        """Put back charge settings returned earlier."""


class ChargerLink(Protocol):
    """A charger a car can be linked to: its live readings and its immediate start/stop.

    A kind of charger registers one per loaded entry (``register_charger``); smart
    charging finds it by the entry id the car is linked to, and never imports the
    kind. Its commands go through the charger's owner, whose precedence decides.
    """

    @property
    def title(self) -> str:
        """Return the charger's name, as the link select shows it."""

    @property
    def owner(self) -> DeviceOwner:
        """Return the owner of the charger's commands."""

    @property
    def latency_s(self) -> float:
        """Return how long a stop takes to stop the charge."""

    @property
    def stale_after_s(self) -> float:
        """Return how old a reading may be before it is not acted upon."""

    def car_connected(self) -> bool | None:
        """Return whether a car is plugged into the charger; None if unknown."""

    def charging(self) -> bool | None:
        """Return whether the charger is charging; None if unknown."""

    def soc(self) -> tuple[float, datetime, float | None] | None:
        """Return the car's SoC as the charger reads it, its time and the power now."""

    def power_kw(self) -> float | None:
        """Return the power flowing into the car now, if it charges."""

    async def async_set_charging(
        self, on: bool, *, controller: Controller, reason: str
    ) -> None:
        """Start or pause the charger for ``controller`` (read back by the charger)."""

    async def async_release(self, controller: Controller) -> None:
        """Hand the charger back to its app, if ``controller`` holds it."""

    def hand_over(self, held_by: Controller, to: Controller) -> None:
        """Let ``to`` hold what ``held_by`` holds, as it is (no command is sent)."""

    def add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every reading of the charger."""


CHARGER_LINKS: HassKey[dict[str, ChargerLink]] = HassKey(f"{DOMAIN}_charger_links")


@callback
def register_charger(
    hass: HomeAssistant, entry_id: str, link: ChargerLink
) -> CALLBACK_TYPE:
    """Offer a loaded charger to smart charging; return what withdraws it."""
    links = hass.data.setdefault(CHARGER_LINKS, {})
    links[entry_id] = link

    @callback
    def withdraw() -> None:
        if links.get(entry_id) is link:
            del links[entry_id]

    return withdraw


def linked_chargers(hass: HomeAssistant) -> dict[str, ChargerLink]:
    """Return the loaded chargers: entry id -> link."""
    found = hass.data.get(CHARGER_LINKS)
    return {} if found is None else dict(found)
