"""Give the demo's Home Assistant a config entry for each simulator, once.

Run by scripts/develop before Home Assistant starts. The entries are built with Home
Assistant's own ConfigEntry class, so the stored form is whatever this version of Home
Assistant writes itself. An entry already there (or one the user removed and re-added)
is left as it is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import (
    SOURCE_USER,
    STORAGE_KEY,
    STORAGE_VERSION,
    STORAGE_VERSION_MINOR,
    ConfigEntry,
)
from homeassistant.helpers.json import JSONEncoder

from custom_components.ev_charge_control.const import (
    CONF_KIND,
    CONF_UNIT_ID,
    DOMAIN,
    DeviceKind,
)
from scripts.demo_renault import refresh_token, renault_data, renault_entry
from simulators.psacc import OPEL_CORSA_E, PEUGEOT_E208
from simulators.quasar import DEFAULT_SERIAL


def _quasar_entry(port: int) -> ConfigEntry:
    return ConfigEntry(
        data={
            CONF_KIND: DeviceKind.QUASAR.value,
            "host": "127.0.0.1",
            "port": port,
            CONF_UNIT_ID: 1,
        },
        discovery_keys=MappingProxyType({}),
        domain=DOMAIN,
        minor_version=1,
        options={},
        source=SOURCE_USER,
        subentries_data=None,
        title=f"Wallbox Quasar {DEFAULT_SERIAL}",
        unique_id=DEFAULT_SERIAL,
        version=1,
    )


def _psacc_entry(port: int) -> ConfigEntry:
    url = f"http://127.0.0.1:{port}"
    return ConfigEntry(
        data={
            CONF_KIND: DeviceKind.PSACC.value,
            "url": url,
            "vins": [PEUGEOT_E208.vin, OPEL_CORSA_E.vin],
        },
        discovery_keys=MappingProxyType({}),
        domain=DOMAIN,
        minor_version=1,
        options={},
        source=SOURCE_USER,
        subentries_data=None,
        title=f"psa_car_controller 127.0.0.1:{port}",
        unique_id=url,
        version=1,
    )


def main() -> None:
    """Write the missing demo entries into <config>/.storage/core.config_entries."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path, help="Home Assistant's config directory")
    parser.add_argument("--quasar-port", type=int, required=True)
    parser.add_argument("--psacc-port", type=int)
    parser.add_argument("--renault-port", type=int)
    args = parser.parse_args()

    path: Path = args.config / ".storage" / STORAGE_KEY
    stored: dict[str, Any] = (
        json.loads(path.read_text())
        if path.exists()
        else {
            "version": STORAGE_VERSION,
            "minor_version": STORAGE_VERSION_MINOR,
            "key": STORAGE_KEY,
            "data": {"entries": []},
        }
    )
    entries: list[dict[str, Any]] = stored["data"]["entries"]
    known = {(entry["domain"], entry["unique_id"]) for entry in entries}
    wanted = [_quasar_entry(args.quasar_port)]
    if args.psacc_port is not None:
        wanted.append(_psacc_entry(args.psacc_port))
    refreshed = False
    if args.renault_port is not None:
        # The simulated cloud forgets its sign-ins when it stops: sign in afresh.
        renault = renault_data(args.renault_port)
        refreshed = refresh_token(entries, renault)
        wanted.append(renault_entry(renault))
    added = [entry for entry in wanted if (entry.domain, entry.unique_id) not in known]
    if not added and not refreshed:
        return
    entries.extend(entry.as_dict() for entry in added)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=2, cls=JSONEncoder))
    for entry in added:
        print(f"Added the demo entry {entry.title}")


if __name__ == "__main__":
    main()
