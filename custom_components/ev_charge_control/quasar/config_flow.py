"""The Wallbox Quasar's steps of the config flow, and its options."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import probatio

from ..const import (
    CONF_KIND,
    CONF_SCAN_INTERVAL,
    CONF_UNIT_ID,
    LOGGER,
    QUASAR_DEFAULT_PORT,
    QUASAR_DEFAULT_SCAN_INTERVAL,
    QUASAR_DEFAULT_UNIT_ID,
    QUASAR_MAX_SCAN_INTERVAL,
    QUASAR_MIN_SCAN_INTERVAL,
    DeviceKind,
)
from ..drivers.models import (
    ChargerIdentity,
    DeviceProtocolError,
    DeviceUnreachableError,
)
from ..drivers.quasar import QuasarClient

# Home Assistant 2026.10 validates forms with probatio, its successor to voluptuous.
QUASAR_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_HOST): TextSelector(),
        probatio.Required(CONF_PORT, default=QUASAR_DEFAULT_PORT): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)
        ),
        probatio.Required(CONF_UNIT_ID, default=QUASAR_DEFAULT_UNIT_ID): NumberSelector(
            NumberSelectorConfig(min=1, max=247, mode=NumberSelectorMode.BOX)
        ),
    }
)


async def _read_quasar(
    user_input: dict[str, Any],
) -> tuple[ChargerIdentity | None, dict[str, str]]:
    """Connect to a charger and read who it is; return it, or the errors per field."""
    client = QuasarClient(
        user_input[CONF_HOST], user_input[CONF_PORT], user_input[CONF_UNIT_ID]
    )
    try:
        await client.connect()
        return await client.read_identity(), {}
    except DeviceUnreachableError:
        return None, {CONF_HOST: "cannot_connect"}
    except DeviceProtocolError:
        # The host answers Modbus but refuses our reads: most often a wrong unit id.
        return None, {CONF_UNIT_ID: "modbus_error"}
    except Exception:  # noqa: BLE001 - a bug of ours must not kill the form
        LOGGER.exception("Unexpected error reading a Wallbox Quasar")
        return None, {"base": "unknown"}
    finally:
        await client.close()


def _clean(user_input: dict[str, Any]) -> dict[str, Any]:
    """Return the form's values with the types the entry stores."""
    return {
        CONF_HOST: str(user_input[CONF_HOST]).strip(),
        CONF_PORT: int(user_input[CONF_PORT]),
        CONF_UNIT_ID: int(user_input[CONF_UNIT_ID]),
    }


class QuasarFlow(ConfigFlow):
    """The steps that add or move a Wallbox Quasar."""

    async def async_step_quasar(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a Wallbox Quasar by its address."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            identity, errors = await _read_quasar(data)
            if identity is not None:
                await self.async_set_unique_id(identity.serial)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=f"Wallbox Quasar {identity.serial}",
                    data={CONF_KIND: DeviceKind.QUASAR.value, **data},
                )
        return self.async_show_form(
            step_id="quasar",
            data_schema=self.add_suggested_values_to_schema(QUASAR_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_reconfigure_quasar(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Point the entry at a new address of the same charger."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _clean(user_input)
            identity, errors = await _read_quasar(data)
            if identity is not None:
                await self.async_set_unique_id(identity.serial)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(entry, data_updates=data)
        return self.async_show_form(
            step_id="reconfigure_quasar",
            data_schema=self.add_suggested_values_to_schema(
                QUASAR_SCHEMA, user_input or dict(entry.data)
            ),
            errors=errors,
        )


class QuasarOptionsFlow(OptionsFlowWithReload):
    """Tune how often the charger is read."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the poll interval."""
        if user_input is not None:
            return self.async_create_entry(
                data={CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL])}
            )
        schema = probatio.Schema(
            {
                probatio.Required(
                    CONF_SCAN_INTERVAL,
                    default=self.config_entry.options.get(
                        CONF_SCAN_INTERVAL, QUASAR_DEFAULT_SCAN_INTERVAL
                    ),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=QUASAR_MIN_SCAN_INTERVAL,
                        max=QUASAR_MAX_SCAN_INTERVAL,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                )
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)
