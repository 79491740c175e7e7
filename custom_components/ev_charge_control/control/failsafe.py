"""A safety action (a stop, a hand-back) retried until the device confirms it.

Our own polls are Modbus traffic, so a charger's idle timeout never hands it back
while Home Assistant runs: a hand-back that failed once must be tried again, for as
long as the device answers. Each try is confirmed by reading the device back. One
that is still not confirmed after a few tries raises a repair issue, which goes away
by itself once a try succeeds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from ..const import DOMAIN, LOGGER
from ..drivers.models import DriverError

# Seconds between tries: quick at first (a dropped connection is back at once), then
# every half minute, so a hand-back is confirmed within a minute of the charger
# answering again.
BACKOFF_S: Final = (2.0, 4.0, 8.0, 16.0, 30.0)
# Tries before the person is told in a repair issue.
ISSUE_AFTER_TRIES: Final = 3


def backoff_s(failures: int) -> float:
    """Return how long to wait after the ``failures``-th failed try (1-based)."""
    return BACKOFF_S[min(failures, len(BACKOFF_S)) - 1]


class FailSafe:
    """One pending safety action of one device, retried with backoff."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        device: str,
        issue_id: str,
        guard: Callable[[], AbstractAsyncContextManager[None]],
    ) -> None:
        """Prepare the retries of a device; nothing is pending yet.

        ``guard`` is the device's command lock: a retry runs alone, as a command does.
        A try made at once (``async_run``) runs under the caller's own hold of it.
        """
        self._hass = hass
        self._guard = guard
        self._entry = entry
        self._device = device
        self._issue_id = issue_id
        self._action: Callable[[], Awaitable[object]] | None = None
        self._what = ""
        self._timer: CALLBACK_TYPE | None = None
        self.failures = 0
        self.last_error: str | None = None

    @property
    def pending(self) -> str | None:
        """Return what is still to be confirmed, or None."""
        return self._what if self._action is not None else None

    async def async_run(
        self, what: str, action: Callable[[], Awaitable[object]]
    ) -> bool:
        """Try ``action`` now; if it fails, keep trying it. Return whether it held."""
        self.cancel()
        self._action = action
        self._what = what
        return await self._async_try()

    def cancel(self) -> None:
        """Forget the pending action (a newer command replaced it)."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        self._action = None
        self.failures = 0

    async def _async_try(self) -> bool:
        action = self._action
        if action is None:
            return True
        try:
            await action()
        except (DriverError, HomeAssistantError) as err:
            self.failures += 1
            self.last_error = str(err)
            delay = backoff_s(self.failures)
            LOGGER.warning(
                "%s: %s not confirmed (try %d): %s; trying again in %.0f s",
                self._device,
                self._what,
                self.failures,
                err,
                delay,
            )
            if self.failures == ISSUE_AFTER_TRIES:
                ir.async_create_issue(
                    self._hass,
                    DOMAIN,
                    self._issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.ERROR,
                    translation_key="hand_back_not_confirmed",
                    translation_placeholders={
                        "device": self._device,
                        "what": self._what,
                        "error": str(err),
                    },
                )
            if self._action is action:
                self._schedule(delay)
            return False
        if self.failures:
            LOGGER.info(
                "%s: %s confirmed after %d failed tries",
                self._device,
                self._what,
                self.failures,
            )
        if self._action is action:
            self._action = None
            self.failures = 0
        ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
        return True

    async def _async_retry(self) -> None:
        action = self._action
        async with self._guard():
            # A command that ran while this try waited for the lock replaced it.
            if action is not None and self._action is action:
                await self._async_try()

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer()

        @callback
        def retry(_now: datetime) -> None:
            self._timer = None
            self._entry.async_create_background_task(
                self._hass, self._async_retry(), f"{DOMAIN} {self._device} fail-safe"
            )

        self._timer = async_call_later(self._hass, delay, retry)
