"""Fixtures shared by the tests: real Home Assistant, the simulators on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
import time
from unittest.mock import PropertyMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

# Import the integration from this repository before the plugin's testing_config can
# shadow the custom_components package.
import custom_components.ev_charge_control  # noqa: F401
from custom_components.ev_charge_control.const import (
    CONF_KIND,
    CONF_UNIT_ID,
    DOMAIN,
    DeviceKind,
)
from simulators.battery import Battery
from simulators.quasar import IdleBehaviour, QuasarSimulator

QUASAR_SERIAL = "123456"
QUASAR_ENTRY_ID = "01JQUASAR00000000000000000"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Let frozen time tick with the wall clock in every test.

    pymodbus sleeps briefly while it connects and sends; under a clock frozen still
    those sleeps never end and every request would hang until the next tick. Time
    that moves on by itself, and jumps when a test ticks the freezer, keeps real
    sockets working and the tests in control of the hours that matter.
    """
    for item in items:
        item.add_marker(pytest.mark.freeze_time(tick=True))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load integrations from custom_components/."""


class FrozenTimeClock:
    """A simulator clock that follows time.time, which the freezer fixture moves.

    The simulators and Home Assistant then live in the same simulated time: a test
    that ticks the freezer by a minute sees the battery take a minute of charge.
    """

    def now(self) -> float:
        """Return the current (possibly frozen) time in seconds."""
        return time.time()


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Give every test its own config directory.

    The integration copies its blueprints into the config directory at setup; the
    plugin's shared testing_config must not collect them.
    """
    return hass_tmp_config_dir


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, so a snapshot shows the ones disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshot Home Assistant's states and registry entries the way core does.

    Without this, syrupy's own fixture wins and states are stored with the time
    they were written, so no snapshot would match twice.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def car_battery() -> Battery:
    """Return the battery of the car plugged into the simulated charger."""
    return Battery(capacity_kwh=52.0, soc_pct=40.0)


@pytest.fixture
def idle_behaviour() -> IdleBehaviour:
    """What the simulated charger does when its Modbus idle timeout fires.

    The real charger's behaviour is not documented: tests of what comes after an
    outage parametrize this to run against both.
    """
    return IdleBehaviour.HAND_BACK


@pytest.fixture
async def quasar_sim(
    socket_enabled: None, car_battery: Battery, idle_behaviour: IdleBehaviour
) -> AsyncIterator[QuasarSimulator]:
    """Run a Wallbox Quasar simulator on an ephemeral port of 127.0.0.1."""
    sim = QuasarSimulator(
        serial=QUASAR_SERIAL,
        battery=car_battery,
        clock=FrozenTimeClock(),
        idle_behaviour=idle_behaviour,
    )
    await sim.start("127.0.0.1", 0)
    yield sim
    await sim.stop()


@pytest.fixture
def quasar_entry(quasar_sim: QuasarSimulator) -> MockConfigEntry:
    """Return a config entry for the simulated charger."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Wallbox Quasar {QUASAR_SERIAL}",
        unique_id=QUASAR_SERIAL,
        entry_id=QUASAR_ENTRY_ID,
        data={
            CONF_KIND: DeviceKind.QUASAR.value,
            CONF_HOST: "127.0.0.1",
            CONF_PORT: quasar_sim.port,
            CONF_UNIT_ID: 1,
        },
    )


@pytest.fixture
async def init_quasar(
    hass: HomeAssistant, quasar_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration with the simulated charger."""
    quasar_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(quasar_entry.entry_id)
    await hass.async_block_till_done()
    return quasar_entry


def charger_device_id(hass: HomeAssistant, serial: str = QUASAR_SERIAL) -> str:
    """Return the device id of a set-up charger."""
    devices = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, serial)})
    assert len(devices) == 1
    return devices[0].id


async def advance(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    *,
    step: float = 10.0,
) -> None:
    """Let simulated time pass, one poll interval at a time.

    Jumping in one go would be a Home Assistant that did not poll for that long, and
    the charger's idle timeout would rightly hand it back to the Wallbox app.
    """
    remaining = seconds
    while remaining > 0:
        tick = min(step, remaining)
        freezer.tick(timedelta(seconds=tick))
        # A second of slack: frozen time still ticks with the wall clock, and a
        # refresh due at the very edge of the interval must not be missed.
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
        await hass.async_block_till_done(wait_background_tasks=True)
        remaining -= tick
