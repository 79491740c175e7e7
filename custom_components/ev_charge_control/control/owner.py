"""The one owner of a device's commands: who commands it, until when, one at a time.

Every writer (a person through an entity, an action or Assist; "charge now"; smart
charging; the energy modes) goes through the owner of the device it drives. The
owner serializes whole command sequences (not single requests: a poll may still read
in between, a second command may not write in between) and keeps the claim of
whoever commands the device now. A writer that ranks below the holder steps back;
a writer that ranks at or above it takes over.

No Home Assistant here: the precedence is a plain rule, read and tested alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Self


class Controller(StrEnum):
    """Who commands a device, the strongest first."""

    YOU = "you"
    CHARGE_NOW = "charge_now"
    SMART_CHARGING = "smart_charging"
    ENERGY_MODE = "energy_mode"
    APP = "app"


# The person's word wins; the maker's app has whatever nobody else holds.
PRECEDENCE: Final = (
    Controller.YOU,
    Controller.CHARGE_NOW,
    Controller.SMART_CHARGING,
    Controller.ENERGY_MODE,
    Controller.APP,
)


def outranks(first: Controller, second: Controller) -> bool:
    """Return whether ``first`` wins over ``second``."""
    return PRECEDENCE.index(first) < PRECEDENCE.index(second)


@dataclass(frozen=True, kw_only=True, slots=True)
class Claim:
    """Who commands a device, why, since when and until when.

    ``until`` None holds until the holder changes it (or, for a person, until the
    session ends: see the owner's users).
    """

    controller: Controller
    reason: str
    since: datetime
    until: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Return whether the claim still holds at ``now``."""
        return self.until is None or self.until > now

    def as_dict(self) -> dict[str, Any]:
        """Return the claim as stored."""
        return {
            "controller": self.controller.value,
            "reason": self.reason,
            "since": self.since.isoformat(),
            "until": None if self.until is None else self.until.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Return a stored claim."""
        until = data.get("until")
        return cls(
            controller=Controller(data["controller"]),
            reason=str(data["reason"]),
            since=datetime.fromisoformat(data["since"]),
            until=None if until is None else datetime.fromisoformat(until),
        )


class HeldError(Exception):
    """A writer asked for a device that a stronger one holds: it steps back."""

    def __init__(self, device: str, asked: Controller, holder: Claim) -> None:
        """Say who holds what."""
        super().__init__(
            f"{device} is held by {holder.controller.value} ({holder.reason}); "
            f"{asked.value} steps back"
        )
        self.holder = holder


class DeviceOwner:
    """The commands of one charger or one car, by precedence, one sequence at a time."""

    def __init__(self, name: str, *, now: Callable[[], datetime]) -> None:
        """Own a device; nobody holds it yet (its app has it)."""
        self.name = name
        self._now = now
        self._lock = asyncio.Lock()
        self._claim: Claim | None = None
        self._listeners: list[Callable[[], None]] = []

    @property
    def claim(self) -> Claim | None:
        """Return the claim that holds now; an expired one holds nothing."""
        claim = self._claim
        if claim is not None and not claim.active(self._now()):
            return None
        return claim

    @property
    def controller(self) -> Controller:
        """Return who commands the device now."""
        claim = self.claim
        return Controller.APP if claim is None else claim.controller

    @property
    def busy(self) -> bool:
        """Return whether a command sequence runs now."""
        return self._lock.locked()

    def may(self, controller: Controller) -> bool:
        """Return whether ``controller`` may command the device now."""
        claim = self.claim
        return claim is None or not outranks(claim.controller, controller)

    @contextlib.asynccontextmanager
    async def command(
        self, controller: Controller, *, claim: str | None = None
    ) -> AsyncIterator[Claim | None]:
        """Run one command sequence alone, if ``controller`` may command now.

        Yields the claim that held before (None: the app's). Raises HeldError, before
        anything is sent, when a stronger writer holds the device; the check is made
        again once the lock is ours, since the holder may change while we wait. With
        ``claim`` (a reason), a sequence that ends without an error leaves
        ``controller`` holding the device, with no end.
        """
        if not self.may(controller):
            raise HeldError(self.name, controller, self._claim_or_raise())
        async with self._lock:
            if not self.may(controller):
                raise HeldError(self.name, controller, self._claim_or_raise())
            yield self.claim
            if claim is not None:
                self.hold(Claim(controller=controller, reason=claim, since=self._now()))

    @contextlib.asynccontextmanager
    async def sequence(self) -> AsyncIterator[None]:
        """Run a sequence of the owner's own (a hand-back, a re-apply) alone."""
        async with self._lock:
            yield

    def _claim_or_raise(self) -> Claim:
        claim = self.claim
        assert claim is not None  # may() is only False when someone holds
        return claim

    def hold(self, claim: Claim) -> None:
        """Record who commands the device now."""
        self._claim = claim
        self._notify()

    def hand_over(self, held_by: Controller, to: Controller) -> bool:
        """Let ``to`` hold what ``held_by`` holds, unchanged; return whether it did.

        "Charge now" ends as smart charging: the device stays where it is, and the
        weaker writer may change it from there.
        """
        claim = self._claim
        if claim is None or claim.controller is not held_by:
            return False
        self._claim = replace(claim, controller=to)
        self._notify()
        return True

    def release(self, controller: Controller | None = None) -> bool:
        """Let the app have the device; only the holder's own release counts.

        ``controller`` None releases whoever holds. Returns whether a claim went.
        """
        claim = self._claim
        if claim is None or (controller is not None and claim.controller != controller):
            return False
        self._claim = None
        self._notify()
        return True

    def add_listener(self, update: Callable[[], None]) -> Callable[[], None]:
        """Call ``update`` when the holder changes; return what stops it."""
        self._listeners.append(update)

        def remove() -> None:
            self._listeners.remove(update)

        return remove

    def _notify(self) -> None:
        for update in list(self._listeners):
            update()
