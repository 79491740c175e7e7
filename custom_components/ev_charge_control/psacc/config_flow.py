"""The psa_car_controller server's steps of the config flow."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_URL
from homeassistant.helpers.aiohttp_client import async_get_clientsession
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
from yarl import URL

from ..const import CONF_KIND, CONF_VINS, DOMAIN, LOGGER, PSACC_DEFAULT_URL, DeviceKind
from ..drivers.models import DeviceUnreachableError, DriverError, VehicleInfo
from ..drivers.psacc import PsaccClient

URL_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_URL, default=PSACC_DEFAULT_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
    }
)


def normalise_url(raw: str) -> str | None:
    """Return the server's URL as the entry keeps it, or None if it is not one.

    Lower-case scheme and host, an explicit port, no trailing slash: the same server
    typed two ways is one server.
    """
    try:
        url = URL(raw.strip())
    except ValueError:
        return None
    if url.scheme.lower() not in ("http", "https") or not url.host:
        return None
    path = url.path.rstrip("/")
    return f"{url.scheme.lower()}://{url.host.lower()}:{url.port}{path}"


def server_title(url: str) -> str:
    """Return the entry's title: the server's host and port."""
    parsed = URL(url)
    return f"psa_car_controller {parsed.host}:{parsed.port}"


async def _list_vehicles(
    client: PsaccClient,
) -> tuple[list[VehicleInfo] | None, dict[str, str]]:
    """Ask the server for its cars; return them, or the errors per field."""
    try:
        vehicles = await client.list_vehicles()
    except DeviceUnreachableError:
        return None, {CONF_URL: "psacc_cannot_connect"}
    except DriverError:
        # Something answered, but not as psa_car_controller does.
        return None, {CONF_URL: "psacc_invalid_response"}
    except Exception:  # noqa: BLE001 - a bug of ours must not kill the form
        LOGGER.exception("Unexpected error reading a psa_car_controller server")
        return None, {"base": "unknown"}
    if not vehicles:
        return None, {CONF_URL: "psacc_no_vehicles"}
    return vehicles, {}


class PsaccFlow(ConfigFlow):
    """The steps that add or change a psa_car_controller server."""

    _psacc_url: str = ""
    _psacc_vehicles: list[VehicleInfo]

    def _psacc_taken(self, url: str) -> bool:
        """Return whether an entry already has this server."""
        return (
            self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, url)
            is not None
        )

    async def _psacc_read(
        self, user_input: dict[str, Any]
    ) -> tuple[str | None, dict[str, str]]:
        """Check the URL and read the server's cars; return the URL or errors."""
        url = normalise_url(str(user_input[CONF_URL]))
        if url is None:
            return None, {CONF_URL: "psacc_invalid_url"}
        client = PsaccClient(async_get_clientsession(self.hass), url)
        vehicles, errors = await _list_vehicles(client)
        if vehicles is None:
            return None, errors
        self._psacc_url = url
        self._psacc_vehicles = vehicles
        return url, {}

    async def async_step_psacc(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask where the server is."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url, errors = await self._psacc_read(user_input)
            if url is not None:
                await self.async_set_unique_id(url)
                if self._psacc_taken(url):
                    return self.async_abort(reason="psacc_already_configured")
                return await self.async_step_psacc_vehicles()
        return self.async_show_form(
            step_id="psacc",
            data_schema=self.add_suggested_values_to_schema(URL_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_psacc_vehicles(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the server's cars to add."""
        errors: dict[str, str] = {}
        known = {info.vin for info in self._psacc_vehicles}
        if user_input is not None:
            vins = [vin for vin in user_input[CONF_VINS] if vin in known]
            if not vins:
                errors[CONF_VINS] = "psacc_no_vehicle_selected"
            else:
                data = {
                    CONF_KIND: DeviceKind.PSACC.value,
                    CONF_URL: self._psacc_url,
                    CONF_VINS: vins,
                }
                if self.source == SOURCE_RECONFIGURE:
                    return self.async_update_reload_and_abort(
                        self._get_reconfigure_entry(),
                        unique_id=self._psacc_url,
                        reason="psacc_reconfigured",
                        title=server_title(self._psacc_url),
                        data=data,
                    )
                return self.async_create_entry(
                    title=server_title(self._psacc_url), data=data
                )
        if self.source == SOURCE_RECONFIGURE:
            chosen = self._get_reconfigure_entry().data[CONF_VINS]
            default = [vin for vin in chosen if vin in known]
        else:
            default = sorted(known)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_VINS, default=default): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=info.vin, label=info.name)
                            for info in self._psacc_vehicles
                        ],
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                    )
                )
            }
        )
        return self.async_show_form(
            step_id="psacc_vehicles",
            data_schema=schema,
            errors=errors,
            description_placeholders={"url": self._psacc_url},
        )

    async def async_step_reconfigure_psacc(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Point the entry at the server's new address, or choose other cars."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            url, errors = await self._psacc_read(user_input)
            if url is not None:
                if url != entry.unique_id and self._psacc_taken(url):
                    return self.async_abort(reason="psacc_already_configured")
                return await self.async_step_psacc_vehicles()
        return self.async_show_form(
            step_id="reconfigure_psacc",
            data_schema=self.add_suggested_values_to_schema(
                URL_SCHEMA, user_input or {CONF_URL: entry.data[CONF_URL]}
            ),
            errors=errors,
        )
