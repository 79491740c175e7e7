"""Which translated error each driver error becomes, for every kind of call."""

from __future__ import annotations

from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest

from custom_components.ev_charge_control.const import DOMAIN
from custom_components.ev_charge_control.drivers import models
from custom_components.ev_charge_control.drivers.models import (
    AuthError,
    CommandNotVerifiedError,
    CommandRejectedError,
    DeviceProtocolError,
    DeviceUnreachableError,
    DriverError,
    NotSupportedError,
    QuotaExceededError,
    TwoFactorRequiredError,
)
from custom_components.ev_charge_control.errors import (
    PSACC_COMMAND_ERRORS,
    PSACC_UPDATE_ERRORS,
    QUASAR_COMMAND_ERRORS,
    QUASAR_UPDATE_ERRORS,
    RENAULT_COMMAND_ERRORS,
    RENAULT_UPDATE_ERRORS,
    ErrorTable,
    ErrorTranslation,
    Placeholder,
)

# One of each driver error class.
ERRORS: list[DriverError] = [
    DriverError("something else"),
    DeviceUnreachableError("did not answer"),
    DeviceProtocolError("exception reply 4"),
    CommandNotVerifiedError("setpoint", 16, 7),
    AuthError("token refused"),
    TwoFactorRequiredError("code sent"),
    QuotaExceededError("too many calls", retry_after_s=60),
    NotSupportedError("no such endpoint"),
    CommandRejectedError("privacy mode"),
]

GIVEN = {
    "quasar": {"host": "192.0.2.10"},
    "psacc": {"url": "http://psacc.local:5000"},
    "renault": {"name": "ZOE"},
}

type Expected = tuple[type[HomeAssistantError], str, tuple[str, ...]]

# Per table: the given values, what most errors become, and the classes that differ.
TABLES: dict[
    str, tuple[ErrorTable, dict[str, str], Expected, dict[type[DriverError], Expected]]
] = {
    "quasar command": (
        QUASAR_COMMAND_ERRORS,
        GIVEN["quasar"],
        (HomeAssistantError, "charger_error", ("error",)),
        {
            CommandNotVerifiedError: (
                HomeAssistantError,
                "command_not_verified",
                ("error",),
            ),
            DeviceUnreachableError: (
                HomeAssistantError,
                "charger_unreachable",
                ("host",),
            ),
        },
    ),
    "quasar update": (
        QUASAR_UPDATE_ERRORS,
        {},
        (UpdateFailed, "communication_error", ("error",)),
        {},
    ),
    "psacc command": (
        PSACC_COMMAND_ERRORS,
        GIVEN["psacc"],
        (HomeAssistantError, "psacc_server_error", ("error",)),
        {
            QuotaExceededError: (HomeAssistantError, "psacc_rate_limited", ("error",)),
            CommandRejectedError: (
                HomeAssistantError,
                "psacc_command_rejected",
                ("error",),
            ),
            DeviceUnreachableError: (HomeAssistantError, "psacc_unreachable", ("url",)),
        },
    ),
    "psacc update": (
        PSACC_UPDATE_ERRORS,
        {},
        (UpdateFailed, "psacc_update_failed", ("error",)),
        {},
    ),
    "renault command": (
        RENAULT_COMMAND_ERRORS,
        GIVEN["renault"],
        (HomeAssistantError, "renault_cloud_error", ("error",)),
        {
            QuotaExceededError: (HomeAssistantError, "renault_quota_exceeded", ()),
            NotSupportedError: (HomeAssistantError, "renault_not_supported", ("name",)),
            CommandRejectedError: (
                HomeAssistantError,
                "renault_command_rejected",
                ("error",),
            ),
            AuthError: (HomeAssistantError, "renault_auth_failed", ()),
            TwoFactorRequiredError: (HomeAssistantError, "renault_auth_failed", ()),
        },
    ),
    "renault update": (
        RENAULT_UPDATE_ERRORS,
        {},
        (UpdateFailed, "renault_cloud_error", ("error",)),
        {
            AuthError: (ConfigEntryAuthFailed, "renault_auth_failed", ()),
            TwoFactorRequiredError: (ConfigEntryAuthFailed, "renault_auth_failed", ()),
        },
    ),
}


def test_one_of_each_driver_error() -> None:
    """The cases below cover every driver error class there is."""
    classes = {
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, DriverError)
    }
    assert {type(err) for err in ERRORS} == classes


@pytest.mark.parametrize("err", ERRORS, ids=lambda err: type(err).__name__)
@pytest.mark.parametrize("table_name", TABLES)
def test_each_error_is_translated(table_name: str, err: DriverError) -> None:
    """Each table gives each driver error its exception, key and placeholders."""
    table, given, default, specific = TABLES[table_name]
    raise_as, key, names = specific.get(type(err), default)
    values = {"error": str(err), **given}
    translated = table.translate(err, **given)
    assert type(translated) is raise_as
    assert translated.translation_domain == DOMAIN
    assert translated.translation_key == key
    # A message without placeholders gets none at all (None), as raised before.
    assert translated.translation_placeholders == (
        {name: values[name] for name in names} or None
    )


def test_most_specific_class_wins() -> None:
    """A subclass with its own row gets it; one without gets its parent's."""
    assert (
        QUASAR_COMMAND_ERRORS.row_for(
            CommandNotVerifiedError("setpoint", 16, 7)
        ).translation_key
        == "command_not_verified"
    )
    assert (
        QUASAR_COMMAND_ERRORS.row_for(DeviceProtocolError("x")).translation_key
        == "charger_error"
    )
    assert (
        RENAULT_COMMAND_ERRORS.row_for(TwoFactorRequiredError("x")).error is AuthError
    )


def _row(error: type[DriverError], /, **placeholders: Placeholder) -> ErrorTranslation:
    return ErrorTranslation(
        error=error,
        translation_domain=DOMAIN,
        translation_key="charger_error",
        translation_placeholders=placeholders,
    )


def test_a_row_behind_its_parent_is_refused() -> None:
    """A row no error could reach is a mistake found when the table is built."""
    with pytest.raises(TypeError, match="AuthError comes after DriverError"):
        ErrorTable(_row(DriverError), _row(AuthError))
    with pytest.raises(TypeError, match="TwoFactorRequiredError comes after AuthError"):
        ErrorTable(_row(AuthError), _row(TwoFactorRequiredError), _row(DriverError))


def test_a_table_ends_with_driver_error() -> None:
    """Without a last DriverError row some driver error would have no message."""
    with pytest.raises(TypeError, match="last row"):
        ErrorTable(_row(AuthError))
    with pytest.raises(TypeError, match="last row"):
        ErrorTable()


def test_given_values_must_be_the_tables() -> None:
    """A caller gives every GIVEN name of its table, whichever row the error meets."""
    table = ErrorTable(
        _row(DeviceUnreachableError, host=Placeholder.GIVEN),
        _row(DriverError, error=Placeholder.ERROR),
    )
    assert table.given == {"host"}
    # Missing, though this error's row does not use it.
    with pytest.raises(TypeError, match="the table takes"):
        table.translate(DriverError("x"))
    with pytest.raises(TypeError, match="the table takes"):
        table.translate(DriverError("x"), host="h", url="u")
    assert table.translate(DriverError("x"), host="h").translation_placeholders == {
        "error": "x"
    }
