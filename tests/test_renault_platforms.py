"""Every model's entities, as a snapshot: only what each model supports."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from simulators.renault_cloud import PROFILES, ModelProfile

from .renault_fixtures import *  # noqa: F403 - the Renault fixtures
from .renault_fixtures import FROZEN


@pytest.mark.freeze_time(FROZEN, tick=True)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.DEVICE_TRACKER,
        Platform.NUMBER,
        Platform.SELECT,
        Platform.SENSOR,
    ],
)
@pytest.mark.parametrize(
    "renault_profiles",
    [(profile,) for profile in PROFILES],
    ids=[profile.code for profile in PROFILES],
)
async def test_model_snapshot(
    hass: HomeAssistant,
    renault_profiles: tuple[ModelProfile, ...],
    renault_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """A parked car of each model: its entities, and nothing it lacks."""
    renault_entry.add_to_hass(hass)
    with patch("custom_components.ev_charge_control.renault.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(renault_entry.entry_id)
        await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(entity_registry, renault_entry.entry_id)
    assert sorted(entry.entity_id for entry in entries) == snapshot(name="entity_ids")
    if entries:
        await snapshot_platform(hass, entity_registry, snapshot, renault_entry.entry_id)
