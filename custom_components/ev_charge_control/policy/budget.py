"""An account's call budget: a token bucket that every car of the account draws from.

Renault's cloud locks out an account that calls too often, whichever car the calls
are for, so the budget belongs to the account. Calls are spent after they are made
(a poll may take more than one), which lets the bucket go below zero: the next poll
then waits until it has refilled. A quota error from the cloud empties the bucket and
blocks it for the pause the cloud asks for.

Times are plain seconds (any epoch), so the policy can be tested with numbers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

HOUR_S = 3600.0


@dataclass(slots=True)
class CallBudget:
    """A token bucket of API calls, with the record of what was spent."""

    per_hour: float
    burst: float
    tokens: float = field(init=False)
    updated_at: float | None = field(default=None, init=False)
    blocked_until: float | None = field(default=None, init=False)
    throttled_since: float | None = field(default=None, init=False)
    _spent_at: deque[tuple[float, int]] = field(default_factory=deque, init=False)

    def __post_init__(self) -> None:
        """Start full."""
        if self.per_hour <= 0:
            raise ValueError(f"per_hour must be positive, got {self.per_hour}")
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst}")
        self.tokens = self.burst

    def _refill(self, now: float) -> None:
        if self.updated_at is not None and now > self.updated_at:
            gained = (now - self.updated_at) * self.per_hour / HOUR_S
            self.tokens = min(self.burst, self.tokens + gained)
        if self.updated_at is None or now > self.updated_at:
            self.updated_at = now

    def available(self, now: float) -> float:
        """Return how many calls may be made now (0 while blocked)."""
        self._refill(now)
        if self.blocked(now):
            return 0.0
        return max(0.0, self.tokens)

    def blocked(self, now: float) -> bool:
        """Return whether the cloud told us to stop and the pause is not over."""
        return self.blocked_until is not None and now < self.blocked_until

    def can_spend(self, now: float, calls: int = 1) -> bool:
        """Return whether ``calls`` calls fit in the budget now."""
        return self.available(now) >= calls

    def wait_s(self, now: float, calls: int = 1) -> float:
        """Return how long until ``calls`` calls fit (0 when they fit now)."""
        self._refill(now)
        wait = 0.0
        if self.blocked_until is not None and now < self.blocked_until:
            wait = self.blocked_until - now
        tokens_then = min(self.burst, self.tokens + wait * self.per_hour / HOUR_S)
        missing = calls - tokens_then
        if missing > 0:
            wait += missing * HOUR_S / self.per_hour
        return wait

    def spend(self, now: float, calls: int) -> None:
        """Record ``calls`` calls made now; the bucket may go below zero."""
        if calls <= 0:
            return
        self._refill(now)
        self.tokens -= calls
        self._spent_at.append((now, calls))

    def calls_in_last_hour(self, now: float) -> int:
        """Return how many calls were made in the hour before ``now``."""
        while self._spent_at and self._spent_at[0][0] <= now - HOUR_S:
            self._spent_at.popleft()
        return sum(calls for _, calls in self._spent_at)

    def throttle(self, now: float, pause_s: float) -> None:
        """The cloud said the quota is spent: spend nothing for ``pause_s``."""
        self._refill(now)
        self.tokens = min(self.tokens, 0.0)
        self.blocked_until = now + pause_s
        if self.throttled_since is None:
            self.throttled_since = now

    def recovered(self) -> None:
        """A call went through: the lockout, if any, is over."""
        self.throttled_since = None
        self.blocked_until = None

    def throttled_for_s(self, now: float) -> float:
        """Return how long the cloud has been refusing us (0 when it is not)."""
        if self.throttled_since is None:
            return 0.0
        return now - self.throttled_since
