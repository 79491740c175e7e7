"""Fixtures of the Renault tests: the simulated Renault cloud on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
import json

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ev_charge_control.const import (
    CONF_ACCOUNT_ID,
    CONF_DEVICE_IDS,
    CONF_KIND,
    CONF_LOCALE,
    CONF_LOGIN_TOKEN,
    DOMAIN,
    RENAULT_CLOUD_ENV,
)
from custom_components.ev_charge_control.drivers.renault import RenaultAccountClient
from simulators.renault_cloud import (
    MEGANE_E_TECH,
    ModelProfile,
    RenaultCloudSimulator,
    SimAccount,
)

from .conftest import FrozenTimeClock

__all__ = [
    "RENAULT_ACCOUNT_ID",
    "RENAULT_DACIA_ACCOUNT_ID",
    "RENAULT_EMAIL",
    "RENAULT_ENTRY_ID",
    "RENAULT_PASSWORD",
    "RENAULT_START",
    "init_renault",
    "renault_account",
    "renault_entry",
    "renault_profiles",
    "renault_quota",
    "renault_sim",
    "renault_token",
]

RENAULT_EMAIL = "driver@example.com"
RENAULT_PASSWORD = "correct-horse-battery"
RENAULT_ACCOUNT_ID = "account-renault"
RENAULT_DACIA_ACCOUNT_ID = "account-dacia"
RENAULT_ENTRY_ID = "01JRENAULT0000000000000000"
# Snapshots show report times: the simulated cloud starts at a fixed hour.
RENAULT_START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FROZEN = "2026-06-01T12:00:00+00:00"


@pytest.fixture
def renault_profiles() -> tuple[ModelProfile, ...]:
    """Return the models of the account's cars."""
    return (MEGANE_E_TECH,)


@pytest.fixture
def renault_quota() -> int | None:
    """Return the simulated cloud's calls per hour per account."""
    return None


@pytest.fixture
async def renault_sim(
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
    renault_profiles: tuple[ModelProfile, ...],
    renault_quota: int | None,
) -> AsyncIterator[RenaultCloudSimulator]:
    """Run a Renault cloud with one person, a MyRenault account and its cars."""
    # The cloud's clock is Home Assistant's (frozen) one: report times and "now" agree.
    sim = RenaultCloudSimulator(
        clock=FrozenTimeClock(),
        start_time=dt_util.utcnow(),
        quota_per_hour=renault_quota,
    )
    user = sim.add_user(RENAULT_EMAIL, RENAULT_PASSWORD)
    account = sim.add_account(
        user, account_type="MYRENAULT", account_id=RENAULT_ACCOUNT_ID
    )
    for index, profile in enumerate(renault_profiles):
        sim.add_vehicle(account, profile, vin=f"VF1{profile.code}{index:08d}")
    await sim.start("127.0.0.1", 0)
    monkeypatch.setenv(RENAULT_CLOUD_ENV, json.dumps(sim.locale_details))
    yield sim
    await sim.stop()


@pytest.fixture
def renault_account(renault_sim: RenaultCloudSimulator) -> SimAccount:
    """Return the simulated MyRenault account."""
    return renault_sim.accounts[RENAULT_ACCOUNT_ID]


@pytest.fixture
async def renault_token(
    renault_sim: RenaultCloudSimulator,
) -> tuple[str, dict[str, str]]:
    """Sign in once, as the config flow did: the login token and device ids."""
    async with aiohttp.ClientSession() as session:
        client = RenaultAccountClient(
            session, locale="fr_FR", locale_details=renault_sim.locale_details
        )
        await client.login(RENAULT_EMAIL, RENAULT_PASSWORD)
        token = client.login_token
        assert token is not None
        return token, client.device_ids


@pytest.fixture
def renault_entry(renault_token: tuple[str, dict[str, str]]) -> MockConfigEntry:
    """Return the entry of the MyRenault account, as the config flow makes it."""
    token, device_ids = renault_token
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"MyRenault {RENAULT_EMAIL}",
        unique_id=RENAULT_ACCOUNT_ID,
        entry_id=RENAULT_ENTRY_ID,
        data={
            CONF_KIND: "renault",
            CONF_LOCALE: "fr_FR",
            "email": RENAULT_EMAIL,
            CONF_LOGIN_TOKEN: token,
            CONF_DEVICE_IDS: device_ids,
            CONF_ACCOUNT_ID: RENAULT_ACCOUNT_ID,
        },
    )


@pytest.fixture
async def init_renault(
    hass: HomeAssistant, renault_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration with the simulated account."""
    renault_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(renault_entry.entry_id)
    await hass.async_block_till_done()
    return renault_entry
