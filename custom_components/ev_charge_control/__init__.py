"""EV Charge Control: charge an electric car the way its owner chooses."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .blueprints import async_install_blueprints, async_install_sentences
from .const import DOMAIN
from .kinds import KINDS, EvChargeControlConfigEntry, entry_kind
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, install the blueprints and Assist sentences, once."""
    async_setup_services(hass)
    await async_install_blueprints(hass)
    await async_install_sentences(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: EvChargeControlConfigEntry
) -> bool:
    """Set up an account or a device."""
    return await KINDS[entry_kind(entry)].setup_entry(hass, entry)


async def async_unload_entry(
    hass: HomeAssistant, entry: EvChargeControlConfigEntry
) -> bool:
    """Unload an account or a device."""
    return await KINDS[entry_kind(entry)].unload_entry(hass, entry)


async def async_remove_entry(
    hass: HomeAssistant, entry: EvChargeControlConfigEntry
) -> None:
    """Forget what was stored for a removed account or device."""
    await KINDS[entry_kind(entry)].remove_entry(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: EvChargeControlConfigEntry, device: DeviceEntry
) -> bool:
    """Let the user delete the device of a car the entry no longer follows."""
    return KINDS[entry_kind(entry)].remove_device(entry, device)
