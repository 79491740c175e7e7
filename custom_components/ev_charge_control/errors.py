"""Driver errors as the translated errors Home Assistant shows a person.

The drivers stay free of Home Assistant and raise ``DriverError`` and its kinds; here
each kind of device gets a table from those classes to a translation key, and
``ErrorTable.translate`` turns an error into the exception to raise. What a coordinator
does besides (start a reauth, pause for a quota, refresh) stays in the coordinator, in
plain sight around the call.

Each row spells out ``translation_domain``, ``translation_key`` and the placeholder names
as every raise in the integration does, so tests/test_metadata.py checks the rows
against strings.json like any other raise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Any

from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN
from .drivers.models import (
    AuthError,
    CommandNotVerifiedError,
    CommandRejectedError,
    DeviceUnreachableError,
    DriverError,
    NotSupportedError,
    QuotaExceededError,
)


class Placeholder(Enum):
    """Where the value of a message's placeholder comes from."""

    # The driver error's own words: str(err).
    ERROR = auto()
    # A value the caller passes under the placeholder's name (a host, a URL, a name).
    GIVEN = auto()


@dataclass(frozen=True, kw_only=True, slots=True)
class ErrorTranslation:
    """How one class of driver error is shown: which exception, which message."""

    error: type[DriverError]
    translation_domain: str
    translation_key: str
    translation_placeholders: Mapping[str, Placeholder] = field(default_factory=dict)
    raise_as: type[HomeAssistantError] = HomeAssistantError


class ErrorTable:
    """The translations of one kind of call, the most specific error class first.

    The first row whose class the error is an instance of wins. The order is checked
    when the table is built: a row behind one that already catches its class could
    never be used, and the last row must be DriverError, so that no driver error
    goes out untranslated.
    """

    def __init__(self, *rows: ErrorTranslation) -> None:
        """Check the order of the rows and keep them."""
        for index, row in enumerate(rows):
            for earlier in rows[:index]:
                if issubclass(row.error, earlier.error):
                    raise TypeError(
                        f"{row.error.__name__} comes after {earlier.error.__name__}, "
                        "which already catches it"
                    )
        if not rows or rows[-1].error is not DriverError:
            raise TypeError("the last row must be DriverError")
        self.rows = rows
        # The names a caller must give: all the table's, so a forgotten one fails in
        # whichever error a test meets, not only in the one that needs it.
        self.given = frozenset(
            name
            for row in rows
            for name, source in row.translation_placeholders.items()
            if source is Placeholder.GIVEN
        )

    def row_for(self, err: DriverError) -> ErrorTranslation:
        """Return the row that translates an error: the first that catches it."""
        return next(row for row in self.rows if isinstance(err, row.error))

    def translate(self, err: DriverError, /, **given: str) -> HomeAssistantError:
        """Return the translated exception to raise (``from err``) for a driver error.

        ``given`` holds the values of the GIVEN placeholders; a caller passes every
        one its table's rows name, whichever row this error meets.
        """
        if given.keys() != self.given:
            raise TypeError(
                f"given {sorted(given)}, the table takes {sorted(self.given)}"
            )
        row = self.row_for(err)
        placeholders = {
            name: str(err) if source is Placeholder.ERROR else given[name]
            for name, source in row.translation_placeholders.items()
        }
        # Unpacked from a dict: test_metadata wants a literal key in every call that
        # names translation_domain, and the literal keys are in the rows.
        arguments: dict[str, Any] = {
            "translation_domain": row.translation_domain,
            "translation_key": row.translation_key,
            # None, not {}, for a message without placeholders: Home Assistant's default.
            "translation_placeholders": placeholders or None,
        }
        return row.raise_as(**arguments)


# --- Quasar ----------------------------------------------------------------------------

QUASAR_COMMAND_ERRORS = ErrorTable(
    ErrorTranslation(
        error=CommandNotVerifiedError,
        translation_domain=DOMAIN,
        translation_key="command_not_verified",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
    ErrorTranslation(
        error=DeviceUnreachableError,
        translation_domain=DOMAIN,
        translation_key="charger_unreachable",
        translation_placeholders={"host": Placeholder.GIVEN},
    ),
    ErrorTranslation(
        error=DriverError,
        translation_domain=DOMAIN,
        translation_key="charger_error",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
)

# A failed poll, or putting back the stored command when the coordinator starts.
QUASAR_UPDATE_ERRORS = ErrorTable(
    ErrorTranslation(
        error=DriverError,
        raise_as=UpdateFailed,
        translation_domain=DOMAIN,
        translation_key="communication_error",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
)

# --- psa_car_controller ----------------------------------------------------------------

PSACC_COMMAND_ERRORS = ErrorTable(
    ErrorTranslation(
        error=QuotaExceededError,
        translation_domain=DOMAIN,
        translation_key="psacc_rate_limited",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
    ErrorTranslation(
        error=CommandRejectedError,
        translation_domain=DOMAIN,
        translation_key="psacc_command_rejected",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
    ErrorTranslation(
        error=DeviceUnreachableError,
        translation_domain=DOMAIN,
        translation_key="psacc_unreachable",
        translation_placeholders={"url": Placeholder.GIVEN},
    ),
    ErrorTranslation(
        error=DriverError,
        translation_domain=DOMAIN,
        translation_key="psacc_server_error",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
)

PSACC_UPDATE_ERRORS = ErrorTable(
    ErrorTranslation(
        error=DriverError,
        raise_as=UpdateFailed,
        translation_domain=DOMAIN,
        translation_key="psacc_update_failed",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
)

# --- Renault ---------------------------------------------------------------------------

RENAULT_COMMAND_ERRORS = ErrorTable(
    ErrorTranslation(
        error=QuotaExceededError,
        translation_domain=DOMAIN,
        translation_key="renault_quota_exceeded",
    ),
    ErrorTranslation(
        error=NotSupportedError,
        translation_domain=DOMAIN,
        translation_key="renault_not_supported",
        translation_placeholders={"name": Placeholder.GIVEN},
    ),
    ErrorTranslation(
        error=CommandRejectedError,
        translation_domain=DOMAIN,
        translation_key="renault_command_rejected",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
    ErrorTranslation(
        error=AuthError,
        translation_domain=DOMAIN,
        translation_key="renault_auth_failed",
    ),
    ErrorTranslation(
        error=DriverError,
        translation_domain=DOMAIN,
        translation_key="renault_cloud_error",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
)

# A quota error in a poll is not here: the poll keeps the last values instead.
RENAULT_UPDATE_ERRORS = ErrorTable(
    ErrorTranslation(
        error=AuthError,
        raise_as=ConfigEntryAuthFailed,
        translation_domain=DOMAIN,
        translation_key="renault_auth_failed",
    ),
    ErrorTranslation(
        error=DriverError,
        raise_as=UpdateFailed,
        translation_domain=DOMAIN,
        translation_key="renault_cloud_error",
        translation_placeholders={"error": Placeholder.ERROR},
    ),
)
