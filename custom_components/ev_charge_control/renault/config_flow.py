"""The Renault / Dacia steps of the config flow: sign in, second factor, account.

The password is used once, to get Gigya's login token; the entry keeps the token and
the device ids (so the next sign-in skips the e-mailed code), never the password.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio
from renault_api.const import AVAILABLE_LOCALES

from ..const import (
    CONF_ACCOUNT_ID,
    CONF_DEVICE_IDS,
    CONF_KIND,
    CONF_LOCALE,
    CONF_LOGIN_TOKEN,
    LOGGER,
    RENAULT_DEFAULT_LOCALE,
    DeviceKind,
)
from ..drivers.models import (
    AuthError,
    DeviceUnreachableError,
    DriverError,
    QuotaExceededError,
    TwoFactorRequiredError,
)
from ..drivers.renault import RenaultAccountClient, RenaultTwoFactorRequiredError

CONF_CODE = "code"
CONF_EMAIL_ID = "email_id"

LOCALE_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=sorted(AVAILABLE_LOCALES), mode=SelectSelectorMode.DROPDOWN
    )
)
PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))

LOGIN_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_LOCALE, default=RENAULT_DEFAULT_LOCALE): LOCALE_SELECTOR,
        probatio.Required(CONF_EMAIL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
        ),
        probatio.Required(CONF_PASSWORD): PASSWORD_SELECTOR,
    }
)
CODE_SCHEMA = probatio.Schema({probatio.Required(CONF_CODE): TextSelector()})
REAUTH_SCHEMA = probatio.Schema({probatio.Required(CONF_PASSWORD): PASSWORD_SELECTOR})


def _errors(err: Exception) -> dict[str, str]:
    """Return the form errors of a sign-in failure."""
    if isinstance(err, AuthError):
        return {"base": "renault_invalid_auth"}
    if isinstance(err, QuotaExceededError):
        return {"base": "renault_quota_exceeded"}
    if isinstance(err, DeviceUnreachableError):
        return {"base": "renault_cloud_unreachable"}
    if isinstance(err, DriverError):
        return {"base": "renault_cloud_error"}
    LOGGER.exception("Unexpected error signing in to the Renault cloud", exc_info=err)
    return {"base": "unknown"}


def _pick_one_schema(key: str, choices: dict[str, str]) -> probatio.Schema:
    """Return a form that picks one of ``choices`` (value: label) from a list."""
    options = [
        SelectOptionDict(value=value, label=label) for value, label in choices.items()
    ]
    return probatio.Schema(
        {
            probatio.Required(key): SelectSelector(
                SelectSelectorConfig(options=options, mode=SelectSelectorMode.LIST)
            )
        }
    )


class RenaultFlow(ConfigFlow):
    """The steps that add, re-authenticate or move a Renault / Dacia account."""

    _renault_client: RenaultAccountClient | None = None
    _renault_login: dict[str, Any] | None = None
    _renault_emails: dict[str, str] | None = None
    _renault_accounts: dict[str, str] | None = None

    def _new_renault_client(self, locale: str) -> RenaultAccountClient:
        # Imported here: the package's __init__ imports the platforms' dependencies.
        from . import new_client

        return new_client(self.hass, locale)

    # --- signing in ------------------------------------------------------------------

    async def _renault_sign_in(
        self, locale: str, email: str, password: str, device_ids: Any = None
    ) -> tuple[ConfigFlowResult | None, dict[str, str]]:
        """Sign in; go on to the second factor or the account, or return the errors."""
        client = self._new_renault_client(locale)
        if device_ids:
            client.restore_device_ids(device_ids)
        self._renault_client = client
        self._renault_login = {CONF_LOCALE: locale, CONF_EMAIL: email}
        try:
            await client.login(email, password)
        except RenaultTwoFactorRequiredError as err:
            if err.code_sent:
                return await self.async_step_renault_code(), {}
            self._renault_emails = {e.email_id: e.obfuscated for e in err.emails}
            return await self.async_step_renault_email(), {}
        except Exception as err:  # noqa: BLE001 - every failure is a form error
            return None, _errors(err)
        return await self._renault_signed_in(), {}

    async def _renault_signed_in(self) -> ConfigFlowResult:
        """Choose the Kamereon account, then create or update the entry."""
        assert self._renault_client is not None
        try:
            accounts = await self._renault_client.accounts()
        except Exception:  # noqa: BLE001 - signed in, but the cloud failed next
            LOGGER.debug("Listing the Renault accounts failed", exc_info=True)
            return self.async_abort(reason="renault_cloud_error")
        if self.source == SOURCE_REAUTH:
            entry = self._get_reauth_entry()
            if entry.data[CONF_ACCOUNT_ID] not in dict(accounts):
                return self.async_abort(reason="renault_wrong_account")
            return self.async_update_reload_and_abort(
                entry,
                data_updates=self._renault_data(entry.data[CONF_ACCOUNT_ID]),
                reason="renault_reauthenticated",
            )
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            if entry.data[CONF_ACCOUNT_ID] not in dict(accounts):
                return self.async_abort(reason="renault_wrong_account")
            return self.async_update_reload_and_abort(
                entry,
                data_updates=self._renault_data(entry.data[CONF_ACCOUNT_ID]),
                reason="renault_reconfigured",
            )
        configured = {
            entry.unique_id
            for entry in self._async_current_entries(include_ignore=False)
        }
        self._renault_accounts = {
            account_id: name
            for account_id, name in accounts
            if account_id not in configured
        }
        if not accounts:
            return self.async_abort(reason="renault_no_account")
        if not self._renault_accounts:
            return self.async_abort(reason="renault_already_configured")
        if len(self._renault_accounts) == 1:
            return await self._renault_create(next(iter(self._renault_accounts)))
        return await self.async_step_renault_account()

    def _renault_data(self, account_id: str) -> dict[str, Any]:
        assert self._renault_client is not None
        assert self._renault_login is not None
        return {
            CONF_KIND: DeviceKind.RENAULT.value,
            **self._renault_login,
            CONF_LOGIN_TOKEN: self._renault_client.login_token,
            CONF_DEVICE_IDS: self._renault_client.device_ids,
            CONF_ACCOUNT_ID: account_id,
        }

    async def _renault_create(self, account_id: str) -> ConfigFlowResult:
        assert self._renault_accounts is not None
        assert self._renault_login is not None
        # Configured accounts were left out of the choice already.
        await self.async_set_unique_id(account_id)
        return self.async_create_entry(
            title=f"{self._renault_accounts[account_id]} {self._renault_login[CONF_EMAIL]}",
            data=self._renault_data(account_id),
        )

    # --- the steps -------------------------------------------------------------------

    async def async_step_renault(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the MyRenault / MyDacia sign-in."""
        errors: dict[str, str] = {}
        if user_input is not None:
            result, errors = await self._renault_sign_in(
                user_input[CONF_LOCALE],
                str(user_input[CONF_EMAIL]).strip(),
                user_input[CONF_PASSWORD],
            )
            if result is not None:
                return result
        return self.async_show_form(
            step_id="renault",
            data_schema=self.add_suggested_values_to_schema(
                LOGIN_SCHEMA,
                {k: v for k, v in (user_input or {}).items() if k != CONF_PASSWORD},
            ),
            errors=errors,
        )

    async def async_step_renault_email(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask where the code should be sent, when the account has several addresses."""
        assert self._renault_emails is not None
        assert self._renault_client is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await self._renault_client.request_two_factor_code(
                    user_input[CONF_EMAIL_ID]
                )
            except Exception as err:  # noqa: BLE001 - every failure is a form error
                errors = _errors(err)
            else:
                return await self.async_step_renault_code()
        return self.async_show_form(
            step_id="renault_email",
            data_schema=_pick_one_schema(CONF_EMAIL_ID, self._renault_emails),
            errors=errors,
        )

    async def async_step_renault_code(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the code the account e-mailed."""
        assert self._renault_client is not None
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await self._renault_client.complete_two_factor(
                    str(user_input[CONF_CODE]).strip(), remember_device=True
                )
            except TwoFactorRequiredError:
                errors[CONF_CODE] = "renault_invalid_code"
            except Exception as err:  # noqa: BLE001 - every failure is a form error
                errors = _errors(err)
            else:
                return await self._renault_signed_in()
        return self.async_show_form(
            step_id="renault_code", data_schema=CODE_SCHEMA, errors=errors
        )

    async def async_step_renault_account(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which Kamereon account (MyRenault, MyDacia) to add."""
        assert self._renault_accounts is not None
        if user_input is not None:
            return await self._renault_create(user_input[CONF_ACCOUNT_ID])
        return self.async_show_form(
            step_id="renault_account",
            data_schema=_pick_one_schema(CONF_ACCOUNT_ID, self._renault_accounts),
        )

    async def async_step_reauth_renault(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password again when the stored sign-in stops working."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            result, errors = await self._renault_sign_in(
                entry.data[CONF_LOCALE],
                entry.data[CONF_EMAIL],
                user_input[CONF_PASSWORD],
                entry.data.get(CONF_DEVICE_IDS),
            )
            if result is not None:
                return result
        return self.async_show_form(
            step_id="reauth_renault",
            data_schema=REAUTH_SCHEMA,
            description_placeholders={"email": entry.data[CONF_EMAIL]},
            errors=errors,
        )

    async def async_step_reconfigure_renault(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the sign-in (e-mail, password, country) of the same account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            result, errors = await self._renault_sign_in(
                user_input[CONF_LOCALE],
                str(user_input[CONF_EMAIL]).strip(),
                user_input[CONF_PASSWORD],
                entry.data.get(CONF_DEVICE_IDS),
            )
            if result is not None:
                return result
        suggested = user_input or {
            CONF_LOCALE: entry.data[CONF_LOCALE],
            CONF_EMAIL: entry.data[CONF_EMAIL],
        }
        return self.async_show_form(
            step_id="reconfigure_renault",
            data_schema=self.add_suggested_values_to_schema(
                LOGIN_SCHEMA,
                {k: v for k, v in suggested.items() if k != CONF_PASSWORD},
            ),
            errors=errors,
        )
