"""The demo's Renault account: a config entry signed in to the simulated Renault cloud.

The simulated cloud keeps its sign-ins in memory, so the demo entry's login token is
renewed every time the demo starts (a stored token would otherwise ask for reauth).

``python -m scripts.demo_renault --env PORT`` prints the value of the environment
variable that points the integration at the simulated cloud.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from types import MappingProxyType
from typing import Any

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigEntry

from custom_components.ev_charge_control.const import (
    CONF_ACCOUNT_ID,
    CONF_DEVICE_IDS,
    CONF_KIND,
    CONF_LOCALE,
    CONF_LOGIN_TOKEN,
    DOMAIN,
    DeviceKind,
)
from custom_components.ev_charge_control.drivers.models import DeviceUnreachableError
from custom_components.ev_charge_control.drivers.renault import RenaultAccountClient
from simulators.renault_cloud import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    GIGYA_API_KEY,
    KAMEREON_API_KEY,
)

LOCALE = "fr_FR"


def locale_details(port: int) -> dict[str, str]:
    """Return where the simulated cloud on a loopback port answers."""
    root = f"http://127.0.0.1:{port}"
    return {
        "gigya-root-url": f"{root}/gigya",
        "gigya-api-key": GIGYA_API_KEY,
        "kamereon-root-url": f"{root}/kamereon",
        "kamereon-api-key": KAMEREON_API_KEY,
    }


async def _sign_in(port: int) -> tuple[str, dict[str, str], str]:
    """Sign in to the simulated cloud (waiting for it to start); return what to store."""
    async with aiohttp.ClientSession() as session:
        client = RenaultAccountClient(
            session, locale=LOCALE, locale_details=locale_details(port)
        )
        for _ in range(50):
            try:
                await client.login(DEFAULT_EMAIL, DEFAULT_PASSWORD)
                break
            except DeviceUnreachableError:
                await asyncio.sleep(0.2)
        else:
            raise SystemExit("the simulated Renault cloud did not start")
        accounts = {name: account_id for account_id, name in await client.accounts()}
        token = client.login_token
        assert token is not None
        return token, client.device_ids, accounts["MyRenault"]


def renault_data(port: int) -> dict[str, Any]:
    """Return the data of the demo's MyRenault entry, freshly signed in."""
    token, device_ids, account_id = asyncio.run(_sign_in(port))
    return {
        CONF_KIND: DeviceKind.RENAULT.value,
        CONF_LOCALE: LOCALE,
        "email": DEFAULT_EMAIL,
        CONF_LOGIN_TOKEN: token,
        CONF_DEVICE_IDS: device_ids,
        CONF_ACCOUNT_ID: account_id,
    }


def renault_entry(data: dict[str, Any]) -> ConfigEntry:
    """Return the demo's MyRenault entry."""
    return ConfigEntry(
        data=data,
        discovery_keys=MappingProxyType({}),
        domain=DOMAIN,
        minor_version=1,
        options={},
        source=SOURCE_USER,
        subentries_data=None,
        title=f"MyRenault {DEFAULT_EMAIL}",
        unique_id=data[CONF_ACCOUNT_ID],
        version=1,
    )


def refresh_token(entries: list[dict[str, Any]], data: dict[str, Any]) -> bool:
    """Give a stored demo entry of the account the new sign-in; return if one was."""
    refreshed = False
    for entry in entries:
        if entry["domain"] == DOMAIN and entry["unique_id"] == data[CONF_ACCOUNT_ID]:
            entry["data"] = {**entry["data"], **data}
            refreshed = True
    return refreshed


def main() -> None:
    """Print the environment variable's value for a simulated cloud's port."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env", type=int, required=True, metavar="PORT")
    args = parser.parse_args()
    print(json.dumps(locale_details(args.env)))


if __name__ == "__main__":
    main()
