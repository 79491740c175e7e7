"""Time sources for the simulators.

Simulators never call ``time`` directly: a test or a bench hands them a
:class:`ManualClock` and moves it forward, so an hour of charging takes no real time and
the outcome does not depend on how fast the machine is. Standalone they use
:class:`WallClock`.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Anything that tells the time in seconds, never going backwards."""

    def now(self) -> float:
        """Return the current time in seconds (only differences are meaningful)."""
        ...


class WallClock:
    """The real monotonic clock: immune to NTP steps and daylight-saving changes."""

    def now(self) -> float:
        """Return :func:`time.monotonic`."""
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to.

    It refuses to go backwards: the simulators integrate energy over elapsed time, and a
    negative interval would silently un-charge a battery, hiding a bug in the test.
    """

    def __init__(self, start: float = 0.0) -> None:
        """Start the clock at ``start`` seconds."""
        self._now = float(start)

    def now(self) -> float:
        """Return the time the clock was last set or advanced to."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (must not be negative)."""
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by a negative time ({seconds} s)")
        self._now += seconds

    def set(self, t: float) -> None:
        """Move the clock to the absolute time ``t`` (must not be in the past)."""
        if t < self._now:
            raise ValueError(f"cannot set a clock back from {self._now} to {t}")
        self._now = float(t)
