"""Diagnostics, with the serial and address hidden."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from .conftest import QUASAR_SERIAL


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_quasar: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The diagnostics say what the charger reads, and nothing that identifies it."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_quasar)
    text = json.dumps(diagnostics)
    assert QUASAR_SERIAL not in text
    assert "127.0.0.1" not in text
    assert diagnostics["state"]["status"] == 1
    # The simulator's port changes every run.
    assert diagnostics == snapshot(exclude=props("port", "as_of"))
