"""The Renault config flow: sign-in, two-factor, account choice, reauth, reconfigure."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import (
    CONF_ACCOUNT_ID,
    CONF_DEVICE_IDS,
    CONF_KIND,
    CONF_LOCALE,
    CONF_LOGIN_TOKEN,
    DOMAIN,
)
from custom_components.ev_charge_control.drivers.models import (
    AuthError,
    DeviceProtocolError,
    DeviceUnreachableError,
    QuotaExceededError,
)
from custom_components.ev_charge_control.drivers.renault import RenaultAccountClient
from simulators.renault_cloud import RenaultCloudSimulator

from .renault_fixtures import *  # noqa: F403 - the Renault fixtures
from .renault_fixtures import (
    RENAULT_ACCOUNT_ID,
    RENAULT_DACIA_ACCOUNT_ID,
    RENAULT_EMAIL,
    RENAULT_PASSWORD,
)

SETUP = "custom_components.ev_charge_control.async_setup_entry"
LOGIN = {CONF_LOCALE: "fr_FR", "email": RENAULT_EMAIL, "password": RENAULT_PASSWORD}


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert "renault" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "renault"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "renault"
    return str(result["flow_id"])


async def test_sign_in_creates_entry_without_password(
    hass: HomeAssistant, renault_sim: RenaultCloudSimulator
) -> None:
    """A wrong password is said so; the right one gives an entry with the token."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**LOGIN, "password": "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "renault_invalid_auth"}
    with patch(SETUP, return_value=True) as setup:
        result = await hass.config_entries.flow.async_configure(
            flow_id, {**LOGIN, "email": f" {RENAULT_EMAIL} "}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"MyRenault {RENAULT_EMAIL}"
    assert result["result"].unique_id == RENAULT_ACCOUNT_ID
    data = result["data"]
    assert set(data) == {
        CONF_KIND,
        CONF_LOCALE,
        "email",
        CONF_LOGIN_TOKEN,
        CONF_DEVICE_IDS,
        CONF_ACCOUNT_ID,
    }
    assert data[CONF_KIND] == "renault"
    assert data["email"] == RENAULT_EMAIL
    assert data[CONF_LOGIN_TOKEN]
    assert RENAULT_PASSWORD not in str(data)
    assert len(setup.mock_calls) == 1


async def test_choose_among_accounts_and_skip_configured(
    hass: HomeAssistant, renault_sim: RenaultCloudSimulator
) -> None:
    """Several accounts: the user chooses; configured ones are not offered again."""
    user = renault_sim.users[RENAULT_EMAIL]
    renault_sim.add_account(
        user, account_type="MYDACIA", account_id=RENAULT_DACIA_ACCOUNT_ID
    )
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "renault_account"
    with patch(SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_ACCOUNT_ID: RENAULT_DACIA_ACCOUNT_ID}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"MyDacia {RENAULT_EMAIL}"
    assert result["result"].unique_id == RENAULT_DACIA_ACCOUNT_ID

    # The other account is now the only one left: no question asked.
    flow_id = await _start(hass)
    with patch(SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == RENAULT_ACCOUNT_ID

    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_already_configured"


async def test_no_account(
    hass: HomeAssistant, renault_sim: RenaultCloudSimulator
) -> None:
    """A sign-in without any Kamereon account cannot be added."""
    renault_sim.add_user("nobody@example.com", "secret-password")
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_LOCALE: "fr_FR",
            "email": "nobody@example.com",
            "password": "secret-password",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_no_account"


async def test_accounts_fail_after_sign_in(
    hass: HomeAssistant, renault_sim: RenaultCloudSimulator
) -> None:
    """Signed in, but the account list fails: the flow ends, saying so."""
    renault_sim.fail("persons", "server_error")
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_cloud_error"


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (AuthError("no"), "renault_invalid_auth"),
        (QuotaExceededError("spent"), "renault_quota_exceeded"),
        (DeviceUnreachableError("down"), "renault_cloud_unreachable"),
        (DeviceProtocolError("bad"), "renault_cloud_error"),
        (RuntimeError("bug"), "unknown"),
    ],
)
async def test_sign_in_errors_then_recovery(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    error: Exception,
    key: str,
) -> None:
    """Each failure is a form error; the next try goes through."""
    flow_id = await _start(hass)
    with patch.object(RenaultAccountClient, "login", side_effect=error):
        result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": key}
    with patch(SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_two_factor_single_address(
    hass: HomeAssistant, renault_sim: RenaultCloudSimulator
) -> None:
    """The code goes to the only address; a wrong code is said so; the device is kept."""
    renault_sim.users[RENAULT_EMAIL].two_factor = True
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "renault_code"
    assert len(renault_sim.sent_codes) == 1
    result = await hass.config_entries.flow.async_configure(flow_id, {"code": "000000"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"code": "renault_invalid_code"}
    with patch.object(
        RenaultAccountClient,
        "complete_two_factor",
        side_effect=DeviceUnreachableError("down"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"code": renault_sim.sent_codes[-1]}
        )
    assert result["errors"] == {"base": "renault_cloud_unreachable"}
    with patch(SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"code": f" {renault_sim.sent_codes[-1]} "}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DEVICE_IDS]


async def test_two_factor_choose_address(
    hass: HomeAssistant, renault_sim: RenaultCloudSimulator
) -> None:
    """Several addresses: the user picks one, then types the code sent there."""
    user = renault_sim.users[RENAULT_EMAIL]
    user.two_factor = True
    user.tfa_emails = (RENAULT_EMAIL, "other@example.com")
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, LOGIN)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "renault_email"
    assert renault_sim.sent_codes == []
    schema = result["data_schema"]
    assert schema is not None
    options = schema.schema["email_id"].config["options"]
    assert len(options) == 2
    assert all("@" in option["label"] for option in options)
    email_id = options[1]["value"]
    renault_sim.fail("accounts.tfa.email.sendVerificationCode", "server_error")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"email_id": email_id}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "renault_cloud_error"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"email_id": email_id}
    )
    assert result["step_id"] == "renault_code"
    with patch(SETUP, return_value=True):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"code": renault_sim.sent_codes[-1]}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """A revoked sign-in is renewed with the password (and the e-mailed code).

    The second time, the remembered device skips the code.
    """
    old_token = init_renault.data[CONF_LOGIN_TOKEN]
    renault_sim.revoke_tokens()
    renault_sim.users[RENAULT_EMAIL].two_factor = True
    freezer.tick(5)
    result = await init_renault.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_renault"
    assert result["description_placeholders"]["email"] == RENAULT_EMAIL
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "wrong"}
    )
    assert result["errors"] == {"base": "renault_invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": RENAULT_PASSWORD}
    )
    assert result["step_id"] == "renault_code"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"code": renault_sim.sent_codes[-1]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_reauthenticated"
    assert init_renault.data[CONF_LOGIN_TOKEN] != old_token
    assert init_renault.data[CONF_DEVICE_IDS]
    await hass.async_block_till_done()
    assert init_renault.state is ConfigEntryState.LOADED

    sent = len(renault_sim.sent_codes)
    result = await init_renault.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": RENAULT_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_reauthenticated"
    assert len(renault_sim.sent_codes) == sent
    await hass.async_block_till_done()


async def test_reauth_with_another_account(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """A password of a sign-in that does not reach this account is refused."""
    result = await init_renault.start_reauth_flow(hass)
    with patch.object(
        RenaultAccountClient, "accounts", return_value=[("elsewhere", "MyRenault")]
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"password": RENAULT_PASSWORD}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_wrong_account"


async def test_reconfigure(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """The sign-in can change, as long as it reaches the same account."""
    result = await init_renault.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_renault"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**LOGIN, "password": "wrong"}
    )
    assert result["errors"] == {"base": "renault_invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**LOGIN, CONF_LOCALE: "fr_BE"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_reconfigured"
    assert init_renault.data[CONF_LOCALE] == "fr_BE"


async def test_reconfigure_to_another_account(
    hass: HomeAssistant,
    renault_sim: RenaultCloudSimulator,
    init_renault: MockConfigEntry,
) -> None:
    """Another person's sign-in cannot take over this entry."""
    renault_sim.add_account(
        renault_sim.add_user("other@example.com", "other-password"),
        account_id="account-other",
    )
    result = await init_renault.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_LOCALE: "fr_FR",
            "email": "other@example.com",
            "password": "other-password",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "renault_wrong_account"
    assert init_renault.data["email"] == RENAULT_EMAIL
