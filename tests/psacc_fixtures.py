"""Fixtures of the psa_car_controller tests: the server simulator on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import CONF_KIND, CONF_VINS, DOMAIN
from simulators.psacc import OPEL_CORSA_E, PEUGEOT_E208, PsaccSimulator

from .conftest import FrozenTimeClock

PSACC_START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PSACC_ENTRY_ID = "01JPSACC000000000000000000"
E208 = PEUGEOT_E208.vin
CORSA = OPEL_CORSA_E.vin


@pytest.fixture
def psacc_report_minutes() -> float:
    """How often the simulated cars report by themselves."""
    return 10.0


@pytest.fixture
async def psacc_sim(
    socket_enabled: None, freezer: FrozenDateTimeFactory, psacc_report_minutes: float
) -> AsyncIterator[PsaccSimulator]:
    """Run a psa_car_controller server with an e-208 and a Corsa-e, from a fixed time."""
    freezer.move_to(PSACC_START)
    sim = PsaccSimulator(
        (PEUGEOT_E208, OPEL_CORSA_E),
        clock=FrozenTimeClock(),
        start_at=PSACC_START,
        report_minutes=psacc_report_minutes,
    )
    await sim.start("127.0.0.1", 0)
    yield sim
    await sim.stop()


def psacc_url(sim: PsaccSimulator) -> str:
    """Return the server's URL as the entry keeps it."""
    return f"http://127.0.0.1:{sim.port}"


@pytest.fixture
def psacc_entry(psacc_sim: PsaccSimulator) -> MockConfigEntry:
    """Return an entry for the simulated server with both cars."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="psa_car_controller 127.0.0.1",
        unique_id=psacc_url(psacc_sim),
        entry_id=PSACC_ENTRY_ID,
        data={
            CONF_KIND: "psacc",
            CONF_URL: psacc_url(psacc_sim),
            CONF_VINS: [E208, CORSA],
        },
    )


@pytest.fixture
async def init_psacc(
    hass: HomeAssistant, psacc_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration with the simulated server."""
    psacc_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(psacc_entry.entry_id)
    await hass.async_block_till_done()
    return psacc_entry


def car_device_id(hass: HomeAssistant, vin: str) -> str:
    """Return the device id of a car."""
    devices = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, vin)})
    assert len(devices) == 1
    return devices[0].id
