"""The charge mode of a Renault or Dacia car."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..drivers.renault import CAP_SET_CHARGE_MODE, CHARGE_MODES, PART_CHARGE_MODE
from .coordinator import RenaultConfigEntry
from .entity import RenaultEntity

CHARGE_MODE = SelectEntityDescription(
    key="charge_mode",
    translation_key="renault_charge_mode",
    options=sorted(CHARGE_MODES),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RenaultConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the charge mode of the cars that can read and set it."""
    async_add_entities(
        RenaultChargeModeSelect(coordinator, CHARGE_MODE)
        for coordinator in entry.runtime_data.coordinators.values()
        if {PART_CHARGE_MODE, CAP_SET_CHARGE_MODE} <= coordinator.capabilities
    )


class RenaultChargeModeSelect(RenaultEntity, SelectEntity):
    """The car's charge mode: at once, or on its schedule."""

    _capability = CAP_SET_CHARGE_MODE

    @property
    def current_option(self) -> str | None:
        """Return the mode the car last reported."""
        reading = self.coordinator.data.charge_mode
        if reading is None or reading.value not in CHARGE_MODES:
            return None
        return reading.value

    async def async_select_option(self, option: str) -> None:
        """Set the mode."""
        vin = self.coordinator.vin
        await self.coordinator.async_command(
            lambda client: client.set_charge_mode(vin, option),
            refresh_parts=frozenset({PART_CHARGE_MODE}),
        )
