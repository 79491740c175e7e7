"""Config flow for EV Charge Control: a menu of the kinds that work, each with its steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult, OptionsFlow
from homeassistant.core import callback

from .const import CONF_KIND, DOMAIN, DeviceKind
from .psacc.config_flow import PsaccFlow
from .quasar.config_flow import QuasarFlow, QuasarOptionsFlow
from .renault.config_flow import RenaultFlow

OPTIONS_FLOWS: dict[DeviceKind, type[OptionsFlow]] = {
    DeviceKind.QUASAR: QuasarOptionsFlow,
}


class EvChargeControlConfigFlow(PsaccFlow, RenaultFlow, QuasarFlow, domain=DOMAIN):
    """Add a car account or a charger."""

    VERSION = 1
    MINOR_VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which kind of device to add; only kinds that work are offered."""
        return self.async_show_menu(
            step_id="user", menu_options=[kind.value for kind in DeviceKind]
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Sign in again with the entry's own kind's step."""
        kind = DeviceKind(entry_data[CONF_KIND])
        step: Any = getattr(self, f"async_step_reauth_{kind.value}")
        result: ConfigFlowResult = await step()
        return result

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure an entry with its own kind's step."""
        kind = DeviceKind(self._get_reconfigure_entry().data[CONF_KIND])
        step: Any = getattr(self, f"async_step_reconfigure_{kind.value}")
        result: ConfigFlowResult = await step(user_input)
        return result

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Return whether this kind of entry has options."""
        return DeviceKind(config_entry.data[CONF_KIND]) in OPTIONS_FLOWS

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow of the entry's kind."""
        return OPTIONS_FLOWS[DeviceKind(config_entry.data[CONF_KIND])]()
