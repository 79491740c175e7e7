"""API calls per car and day, and data freshness from the plug-in: ours against core's.

Six cars per side, a ZOE phase 2 at 30 % each, each alone in its own Renault account
and config entry (so every account's budget and quota are its own and calls per car
compare one to one). Each car is parked and unplugged, then plugged in and charges;
its day is the 24 hours from 20 hours before its plug-in to 4 hours after. The cars
are plugged at different points of their hourly parked cadence (3, 14, 25, 36, 47 and
58 minutes after a parked report): 11 minutes apart, so that the plug-ins meet a poll
grid of 5 or of 6 minutes (ours parked, core's) at a different point each, whatever
the grid's offset, instead of all at the same one. Home Assistant starts 150 s after
the cars' clocks (in life the two are unrelated): no poll of either side then falls
on a car's report to the second, so no result hangs on the order of two things at
one instant.

Twelve simulated Renault clouds (one per car and side) run on the same simulated
clock; this integration and Home Assistant core's own ``renault`` integration (shipped
in the homeassistant package, set up as a user would, with its own defaults) run in
the same Home Assistant.

For each car: every HTTP request its cloud answered in its day (Gigya and Kamereon;
setup excluded), the most in any hour of it, and, every 5 simulated seconds from its
plug-in to the end of its day, the age of the battery data shown in Home Assistant
(now minus the time the car measured them); also how long after the plug-in a report
from after it is first shown. Per side: the mean and the highest calls per car, the
worst age over the cars (the headline), the worst age once a report from after the
plug-in is shown, how soon the plug-in is seen (worst and mean), and each car's
details.

Core's integration is pointed at each simulated cloud by rewriting renault-api's
locale table for fr_FR just before that entry is set up (renault-api reads it once
per client); ours through its environment variable, the same way.

Run: ``python -m bench.renault_calls`` (about half a minute); writes
bench/results/renault_calls.json.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
import logging
import os
from pathlib import Path
import statistics
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
from custom_components.ev_charge_control.const import RENAULT_CLOUD_ENV
from scripts.demo_renault import renault_data
from simulators.renault_cloud import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    ZOE_PH2,
    RenaultCloudSimulator,
)

RESULTS = Path(__file__).parent / "results" / "renault_calls.json"
# The cars' clocks start here: each parked car reports on the hour after it.
CARS_START = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
# Not a whole number of minutes: see the module docstring.
HA_START_AFTER_S = 150
PARKED_H = 20
# Minutes after one of the car's hourly parked reports that its cable goes in.
PLUG_PHASES_MIN = (3, 14, 25, 36, 47, 58)
CHARGING_H = 4
# Fine enough that a 30 s margin or a 1-minute report delay shows in the ages.
STEP_S = 5
START_SOC = 30.0
SIDES = ("ours", "core")


class _Clock:
    def now(self) -> float:
        return time.time()


@dataclass(slots=True)
class _Car:
    """One car of one side: its cloud, its entry, and what was measured."""

    phase_min: int
    sim: RenaultCloudSimulator
    entry: MockConfigEntry | None = None
    shown: Callable[[], datetime | None] | None = None
    setup_calls: int = 0
    day_start: Counter[str] | None = None
    day_end: Counter[str] | None = None
    plugged_at: datetime | None = None
    worst_age_s: float = 0.0
    worst_seen_age_s: float = 0.0
    seen_after_s: float | None = None
    charging_at_end: bool = False
    # (time, calls so far) over the last hour, for the busiest hour of the day.
    recent: deque[tuple[datetime, int]] = field(default_factory=deque)
    busiest_hour: int = 0

    @property
    def plug_at(self) -> datetime:
        return CARS_START + timedelta(hours=PARKED_H, minutes=self.phase_min)

    @property
    def day_from(self) -> datetime:
        return self.plug_at - timedelta(hours=PARKED_H)

    @property
    def day_to(self) -> datetime:
        return self.plug_at + timedelta(hours=CHARGING_H)


async def _cloud(index: int) -> RenaultCloudSimulator:
    sim = RenaultCloudSimulator(
        clock=_Clock(), start_time=dt_util.utcnow(), quota_per_hour=None
    )
    user = sim.add_user(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    account = sim.add_account(
        user, account_type="MYRENAULT", account_id=f"account-{index}"
    )
    sim.add_vehicle(account, ZOE_PH2, vin=f"VF1X102VE{index:08d}", soc_pct=START_SOC)
    await sim.start("127.0.0.1", 0)
    return sim


def _vehicle(car: _Car) -> Any:
    return next(iter(car.sim.vehicles.values()))


def _plug(car: _Car) -> None:
    """Plug the car in; it reports a minute later, then every 10 minutes from there."""
    _vehicle(car).plug()


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


async def _set_up(hass: HomeAssistant, side: str, index: int, car: _Car) -> None:
    """Add a car's account as its user would, with the integration's defaults."""
    sim = car.sim
    if side == "ours":
        os.environ[RENAULT_CLOUD_ENV] = json.dumps(sim.locale_details)
        entry = MockConfigEntry(
            domain="ev_charge_control",
            title=f"MyRenault {index}",
            unique_id=f"account-{index}",
            data=await hass.async_add_executor_job(renault_data, sim.port),
        )
    else:
        AVAILABLE_LOCALES["fr_FR"] = sim.locale_details
        entry = MockConfigEntry(
            domain="renault",
            title=f"account-{index}",
            unique_id=f"account-{index}",
            data={
                "locale": "fr_FR",
                "username": DEFAULT_EMAIL,
                "password": DEFAULT_PASSWORD,
                "kamereon_account_id": f"account-{index}",
            },
        )
    entry.add_to_hass(hass)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError(f"{entry.domain} did not set up: {entry.state}")
    await hass.async_block_till_done()
    car.entry = entry
    car.setup_calls = sim.total_calls
    if side == "ours":
        car.shown = _battery_as_of(
            hass, _timestamp_entity(hass, entry.entry_id, "_last_report")
        )
    else:
        # Core's own "last battery activity" sensor is disabled by default: read the
        # same value from its battery coordinator.
        car.shown = _core_battery_as_of(entry)


def _observe(car: _Car, now: datetime) -> None:
    """Count the car's day and measure how old its shown battery data are."""
    if car.day_start is None and now >= car.day_from:
        car.day_start = Counter(car.sim.calls)
    if car.day_start is not None and car.day_end is None:
        total = car.sim.total_calls
        car.recent.append((now, total))
        while car.recent[0][0] < now - timedelta(hours=1):
            car.recent.popleft()
        car.busiest_hour = max(car.busiest_hour, total - car.recent[0][1])
    if car.plugged_at is None or car.day_end is not None:
        return
    if now >= car.day_to:
        car.day_end = Counter(car.sim.calls)
        car.charging_at_end = _vehicle(car).charging
        return
    assert car.shown is not None
    seen = car.shown()
    age = (now - seen).total_seconds() if seen else float("inf")
    car.worst_age_s = max(car.worst_age_s, age)
    if seen is not None and seen >= car.plugged_at:
        car.worst_seen_age_s = max(car.worst_seen_age_s, age)
        if car.seen_after_s is None:
            car.seen_after_s = (now - car.plugged_at).total_seconds()


def _car_result(car: _Car) -> dict[str, Any]:
    assert car.day_start is not None and car.day_end is not None
    calls = car.day_end - car.day_start
    return {
        "plug_phase_min": car.phase_min,
        "calls_per_day": calls.total(),
        "setup_calls": car.setup_calls,
        "busiest_hour_calls": car.busiest_hour,
        "max_data_age_charging_s": (
            round(car.worst_age_s) if car.worst_age_s != float("inf") else None
        ),
        "max_data_age_once_seen_charging_s": round(car.worst_seen_age_s),
        "plug_seen_after_s": (
            round(car.seen_after_s) if car.seen_after_s is not None else None
        ),
        "still_charging_at_end": car.charging_at_end,
        "calls_by_endpoint": dict(sorted(calls.items())),
    }


def _side_result(cars: list[_Car]) -> dict[str, Any]:
    per_car = [_car_result(car) for car in cars]
    calls = [car["calls_per_day"] for car in per_car]
    ages = [car["max_data_age_charging_s"] for car in per_car]
    seen_after = [car["plug_seen_after_s"] for car in per_car]
    endpoints: Counter[str] = Counter()
    for car in per_car:
        endpoints.update(car["calls_by_endpoint"])
    return {
        "calls_per_vehicle_day": round(statistics.mean(calls)),
        "calls_per_vehicle_day_max": max(calls),
        "max_data_age_charging_s": (None if None in ages else max(ages)),
        "max_data_age_once_seen_charging_s": max(
            car["max_data_age_once_seen_charging_s"] for car in per_car
        ),
        "plug_seen_after_max_s": (None if None in seen_after else max(seen_after)),
        "plug_seen_after_mean_s": (
            None if None in seen_after else round(statistics.mean(seen_after))
        ),
        "setup_calls": round(statistics.mean(car["setup_calls"] for car in per_car)),
        "busiest_hour_calls_max": max(car["busiest_hour_calls"] for car in per_car),
        "calls_by_endpoint_per_vehicle_day": {
            name: round(count / len(per_car), 1)
            for name, count in sorted(endpoints.items())
        },
        "cars": per_car,
    }


async def _run() -> dict[str, Any]:
    cars = {
        side: [
            _Car(phase_min=phase, sim=await _cloud(index + 1))
            for index, phase in enumerate(PLUG_PHASES_MIN)
        ]
        for side in SIDES
    }
    freezer = _FREEZER
    freezer.tick(timedelta(seconds=HA_START_AFTER_S))
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            # The web session's resolver asks the network integration for adapters.
            await async_setup_component(hass, "network", {})
            for index in range(len(PLUG_PHASES_MIN)):
                for side in SIDES:
                    await _set_up(hass, side, index + 1, cars[side][index])
            every = [car for side in SIDES for car in cars[side]]
            while any(car.day_end is None for car in every):
                now = dt_util.utcnow()
                for car in every:
                    if car.plugged_at is None and now >= car.plug_at:
                        car.plugged_at = now
                        _plug(car)
                        # The age at the plug-in itself counts too.
                        _observe(car, now)
                # Steps end on the plug-ins, so each goes in on its own minute.
                step = min(
                    [STEP_S]
                    + [
                        (car.plug_at - now).total_seconds()
                        for car in every
                        if car.plugged_at is None and car.plug_at > now
                    ]
                )
                freezer.tick(timedelta(seconds=step))
                async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
                await hass.async_block_till_done(wait_background_tasks=True)
                now = dt_util.utcnow()
                for car in every:
                    _observe(car, now)
            result: dict[str, Any] = {side: _side_result(cars[side]) for side in SIDES}
            for car in every:
                assert car.entry is not None
                await hass.config_entries.async_unload(car.entry.entry_id)
    for car in (car for side in SIDES for car in cars[side]):
        await car.sim.stop()
    result["scenario"] = {
        "car": "Renault ZOE (X102VE), one per account",
        "cars_per_side": len(PLUG_PHASES_MIN),
        "plug_phases_min": list(PLUG_PHASES_MIN),
        "ha_start_after_cars_s": HA_START_AFTER_S,
        "parked_h": PARKED_H,
        "charging_h": CHARGING_H,
        "step_s": STEP_S,
        "calls_counted": "per car, in the 24 h from 20 h before its plug-in",
        "core_renault_api": "0.6.2 (core pins 0.5.15)",
    }
    return result


_FREEZER: Any = None


def main() -> None:
    """Run the simulated day, print the table and write the JSON."""
    global _FREEZER  # noqa: PLW0603 - the freezer outlives the event loop's setup
    logging.basicConfig(level=logging.ERROR)
    started = time.monotonic()
    # Home Assistant's clock, as its test plugin makes freezegun move it.
    api: Any = freezegun.api
    api.FakeDate = patch_time.HAFakeDate
    api.datetime_to_fakedatetime = patch_time.ha_datetime_to_fakedatetime
    api.FakeDatetime = patch_time.HAFakeDatetime
    api._get_module_attributes = patch_time.ha_get_module_attributes  # noqa: SLF001
    api._get_module_attributes_hash = patch_time.ha_get_module_attributes_hash  # noqa: SLF001
    api._should_use_real_time = patch_time.ha_should_use_real_time  # noqa: SLF001
    api.get_current_time = patch_time.ha_get_current_time
    with freeze_time(CARS_START, tick=True) as freezer:
        _FREEZER = freezer
        result = asyncio.run(_run())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    ours, core = result["ours"], result["core"]
    print(f"{'':<36}{'ours':>10}{'core':>10}")
    keys = (
        "calls_per_vehicle_day",
        "calls_per_vehicle_day_max",
        "max_data_age_charging_s",
        "max_data_age_once_seen_charging_s",
        "plug_seen_after_max_s",
        "plug_seen_after_mean_s",
        "busiest_hour_calls_max",
        "setup_calls",
    )
    for key in keys:
        print(f"{key:<36}{ours[key]!s:>10}{core[key]!s:>10}")
    share = ours["calls_per_vehicle_day"] / max(1, core["calls_per_vehicle_day"])
    print(f"ours / core calls: {share:.1%}")
    print("per car, phase: worst age from the plug-in (ours / core) s")
    for mine, theirs in zip(ours["cars"], core["cars"], strict=True):
        print(
            f"  {mine['plug_phase_min']:>2} min: {mine['max_data_age_charging_s']!s:>6}"
            f" / {theirs['max_data_age_charging_s']!s:<6}"
            f" seen after {mine['plug_seen_after_s']!s:>4} / {theirs['plug_seen_after_s']!s:<4}"
            f" calls {mine['calls_per_day']} / {theirs['calls_per_day']}"
        )
    print(f"ran in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
