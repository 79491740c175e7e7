"""API calls per car and day, and data freshness while charging: ours against core's.

One simulated day of one car (a ZOE phase 2 at 30 %): parked and unplugged for 20
hours, then plugged in and charging for 4 hours. Two simulated Renault clouds run side
by side on the same clock: this integration talks to one, Home Assistant core's own
``renault`` integration (shipped in the homeassistant package) to the other, both in
the same Home Assistant, with simulated time.

For each: every HTTP request the cloud answered (Gigya and Kamereon, setup excluded),
and, each minute while charging, how old the battery data shown in Home Assistant are
(now minus the time the car measured them).

Core's integration is pointed at its simulated cloud by rewriting renault-api's locale
table for fr_FR in this process; nothing else of it is changed.

Run: ``python -m bench.renault_calls`` (about a minute); writes
bench/results/renault_calls.json.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import json
import logging
import os
from pathlib import Path
import tempfile
import time
from typing import Any

import freezegun
from freezegun import freeze_time
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component import patch_time
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)
from renault_api.const import AVAILABLE_LOCALES

import custom_components.ev_charge_control  # noqa: F401 - this repository's copy
from scripts.demo_renault import renault_data
from simulators.renault_cloud import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    ZOE_PH2,
    RenaultCloudSimulator,
)

RESULTS = Path(__file__).parent / "results" / "renault_calls.json"
START = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
PARKED_H = 20
# The cable goes in this long after one of the car's hourly parked reports.
PLUG_PHASE_MIN = 25
CHARGING_H = 4
STEP_S = 60
START_SOC = 30.0


class _Clock:
    def now(self) -> float:
        return time.time()


async def _cloud() -> RenaultCloudSimulator:
    sim = RenaultCloudSimulator(
        clock=_Clock(), start_time=dt_util.utcnow(), quota_per_hour=None
    )
    user = sim.add_user(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    account = sim.add_account(user, account_type="MYRENAULT", account_id="account-1")
    sim.add_vehicle(account, ZOE_PH2, vin="VF1X102VE00000001", soc_pct=START_SOC)
    await sim.start("127.0.0.1", 0)
    return sim


def _battery_as_of(
    hass: HomeAssistant, entity_id: str
) -> Callable[[], datetime | None]:
    def as_of() -> datetime | None:
        state = hass.states.get(entity_id)
        if state is None:
            return None
        return dt_util.parse_datetime(state.state)

    return as_of


def _core_battery_as_of(entry: MockConfigEntry) -> Callable[[], datetime | None]:
    def as_of() -> datetime | None:
        vehicle = next(iter(entry.runtime_data.vehicles.values()))
        data = vehicle.coordinators["battery"].data
        if data is None or not data.timestamp:
            return None
        return dt_util.parse_datetime(data.timestamp)

    return as_of


def _timestamp_entity(hass: HomeAssistant, entry_id: str, key: str) -> str:
    for entry in er.async_entries_for_config_entry(er.async_get(hass), entry_id):
        if entry.unique_id.endswith(key):
            return entry.entity_id
    raise LookupError(f"no entity {key} in {entry_id}")


async def _run() -> dict[str, Any]:
    ours_sim = await _cloud()
    core_sim = await _cloud()
    AVAILABLE_LOCALES["fr_FR"] = core_sim.locale_details
    os.environ["EVCC_RENAULT_CLOUD"] = json.dumps(ours_sim.locale_details)
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            # The web session's resolver asks the network integration for adapters.
            await async_setup_component(hass, "network", {})
            ours = MockConfigEntry(
                domain="ev_charge_control",
                title="MyRenault",
                unique_id="account-1",
                data=await hass.async_add_executor_job(renault_data, ours_sim.port),
            )
            core = MockConfigEntry(
                domain="renault",
                title="account-1",
                unique_id="account-1",
                data={
                    "locale": "fr_FR",
                    "username": DEFAULT_EMAIL,
                    "password": DEFAULT_PASSWORD,
                    "kamereon_account_id": "account-1",
                },
            )
            for entry in (ours, core):
                entry.add_to_hass(hass)
                if not await hass.config_entries.async_setup(entry.entry_id):
                    raise RuntimeError(f"{entry.domain} did not set up: {entry.state}")
                await hass.async_block_till_done()
            shown = {
                "ours": _battery_as_of(
                    hass, _timestamp_entity(hass, ours.entry_id, "_last_report")
                ),
                # Core's own "last battery activity" sensor is disabled by default:
                # read the same value from its battery coordinator.
                "core": _core_battery_as_of(core),
            }
            sims = {"ours": ours_sim, "core": core_sim}
            setup_calls = {name: sim.total_calls for name, sim in sims.items()}
            worst_age = dict.fromkeys(sims, 0.0)
            # Once a report from after the plug is shown: freshness while it charges.
            worst_steady = dict.fromkeys(sims, 0.0)
            plugged_at = START
            freezer = _FREEZER
            for minute in range((PARKED_H + CHARGING_H) * 60 + PLUG_PHASE_MIN):
                if minute == PARKED_H * 60 + PLUG_PHASE_MIN:
                    plugged_at = dt_util.utcnow()
                    for sim in sims.values():
                        next(iter(sim.vehicles.values())).plug()
                freezer.tick(timedelta(seconds=STEP_S))
                async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
                await hass.async_block_till_done(wait_background_tasks=True)
                if minute >= PARKED_H * 60 + PLUG_PHASE_MIN:
                    now = dt_util.utcnow()
                    for name, as_of in shown.items():
                        seen = as_of()
                        age = (now - seen).total_seconds() if seen else float("inf")
                        worst_age[name] = max(worst_age[name], age)
                        if seen is not None and seen >= plugged_at:
                            worst_steady[name] = max(worst_steady[name], age)
            charging = all(
                next(iter(sim.vehicles.values())).charging for sim in sims.values()
            )
            result = {
                name: {
                    "calls_per_vehicle_day": sim.total_calls - setup_calls[name],
                    "setup_calls": setup_calls[name],
                    "max_data_age_charging_s": (
                        round(worst_age[name])
                        if worst_age[name] != float("inf")
                        else None
                    ),
                    "max_data_age_once_seen_charging_s": round(worst_steady[name]),
                    "calls_by_endpoint": dict(sorted(sim.calls.items())),
                }
                for name, sim in sims.items()
            }
            for name, as_of in shown.items():
                result[name]["last_shown_report"] = str(as_of())
            result["scenario"] = {
                "car": "Renault ZOE (X102VE)",
                "parked_h": PARKED_H,
                "charging_h": CHARGING_H,
                "still_charging_at_end": charging,
                "core_renault_api": "0.6.2 (core pins 0.5.15)",
            }
            for entry in (ours, core):
                await hass.config_entries.async_unload(entry.entry_id)
    await ours_sim.stop()
    await core_sim.stop()
    return result


_FREEZER: Any = None


def main() -> None:
    """Run the simulated day, print the table and write the JSON."""
    global _FREEZER  # noqa: PLW0603 - the freezer outlives the event loop's setup
    logging.basicConfig(level=logging.ERROR)
    # Home Assistant's clock, as its test plugin makes freezegun move it.
    api: Any = freezegun.api
    api.FakeDate = patch_time.HAFakeDate
    api.datetime_to_fakedatetime = patch_time.ha_datetime_to_fakedatetime
    api.FakeDatetime = patch_time.HAFakeDatetime
    api._get_module_attributes = patch_time.ha_get_module_attributes  # noqa: SLF001
    api._get_module_attributes_hash = patch_time.ha_get_module_attributes_hash  # noqa: SLF001
    api._should_use_real_time = patch_time.ha_should_use_real_time  # noqa: SLF001
    api.get_current_time = patch_time.ha_get_current_time
    with freeze_time(START, tick=True) as freezer:
        _FREEZER = freezer
        result = asyncio.run(_run())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    ours, core = result["ours"], result["core"]
    print(f"{'':<36}{'ours':>10}{'core':>10}")
    keys = (
        "calls_per_vehicle_day",
        "max_data_age_charging_s",
        "max_data_age_once_seen_charging_s",
        "setup_calls",
    )
    for key in keys:
        print(f"{key:<36}{ours[key]!s:>10}{core[key]!s:>10}")
    share = ours["calls_per_vehicle_day"] / max(1, core["calls_per_vehicle_day"])
    print(f"ours / core calls: {share:.0%}")


if __name__ == "__main__":
    main()
