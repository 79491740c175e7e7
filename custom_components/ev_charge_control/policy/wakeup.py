"""How many times a car may be woken: a sliding-window budget.

Waking a car makes it report at once, but it costs the car's 12 V battery, and
psa_car_controller refuses more than 6 wake-ups in 20 minutes. Its limit
(``@rate_limit(6, 60 * 20)`` on ``RemoteClient.wakeup``) is one semaphore for the
decorated method, so one server shares it across all of its cars; and the server
also spends from it by itself (a daily wake-up that keeps its MQTT session alive).
One budget per server, kept here, lets Home Assistant know before asking whether a
wake-up can still be had.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta


class WakeupBudget:
    """At most ``limit`` wake-ups in any ``window``."""

    def __init__(
        self, limit: int = 6, window: timedelta = timedelta(minutes=20)
    ) -> None:
        """Start with the whole budget available."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        if window <= timedelta(0):
            raise ValueError(f"window must be positive, got {window}")
        self.limit = limit
        self.window = window
        self._taken: deque[datetime] = deque()

    def _expire(self, now: datetime) -> None:
        while self._taken and self._taken[0] <= now - self.window:
            self._taken.popleft()

    def available(self, now: datetime) -> int:
        """Return how many wake-ups can be had at ``now``."""
        self._expire(now)
        return self.limit - len(self._taken)

    def try_take(self, now: datetime) -> bool:
        """Spend one wake-up at ``now`` if there is one; return whether it was."""
        if self.available(now) <= 0:
            return False
        self._taken.append(now)
        return True

    def next_available_at(self, now: datetime) -> datetime:
        """Return when the next wake-up can be had (``now`` if one can already)."""
        if self.available(now) > 0:
            return now
        return self._taken[0] + self.window
