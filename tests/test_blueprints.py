"""The shipped blueprints: installed once, never overwriting, and working."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.blueprints import SHIPPED
from custom_components.ev_charge_control.const import DOMAIN
from simulators.quasar import QuasarSimulator

from .conftest import advance, charger_device_id

BLUEPRINT = Path(DOMAIN) / "pause_charger_during_peak.yaml"


async def test_blueprints_installed(hass: HomeAssistant) -> None:
    """Every shipped blueprint lands in <config>/blueprints/automation."""
    assert await async_setup_component(hass, DOMAIN, {})
    installed = Path(hass.config.path("blueprints", "automation")) / BLUEPRINT
    shipped = SHIPPED / "automation" / BLUEPRINT
    assert installed.read_text() == shipped.read_text()


async def test_user_copy_is_kept(hass: HomeAssistant) -> None:
    """A blueprint the user edited is not overwritten."""
    installed = Path(hass.config.path("blueprints", "automation")) / BLUEPRINT
    installed.parent.mkdir(parents=True)
    installed.write_text("# mine\n")
    assert await async_setup_component(hass, DOMAIN, {})
    assert installed.read_text() == "# mine\n"


# The time trigger re-arms for tomorrow; that timer outlives the test by design.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_pause_during_peak_blueprint(
    hass: HomeAssistant,
    init_quasar: MockConfigEntry,
    quasar_sim: QuasarSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The automation pauses the charger at the peak and gives it back after."""
    start = dt_util.now() + timedelta(minutes=1)
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "use_blueprint": {
                    "path": str(BLUEPRINT),
                    "input": {
                        "charger": charger_device_id(hass),
                        "peak_start": start.strftime("%H:%M:%S"),
                        "peak_minutes": 30,
                    },
                }
            }
        },
    )
    assert hass.states.get("sensor.wallbox_quasar_status").state == "charging"
    await advance(hass, freezer, 70)
    assert hass.states.get("sensor.wallbox_quasar_status").state == "paused"
    assert quasar_sim.read_register(0x51) == 1
    await advance(hass, freezer, 30 * 60)
    assert quasar_sim.read_register(0x51) == 0
