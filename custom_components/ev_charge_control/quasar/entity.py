"""The base entity of a Wallbox Quasar."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from .coordinator import QuasarConfigEntry, QuasarCoordinator


class QuasarEntity(CoordinatorEntity[QuasarCoordinator]):
    """An entity of a Wallbox Quasar; available while the charger answers."""

    _attr_has_entity_name = True

    def __init__(
        self, entry: QuasarConfigEntry, description: EntityDescription
    ) -> None:
        """Attach the entity to the charger's device."""
        super().__init__(entry.runtime_data.coordinator)
        self.entity_description = description
        identity = entry.runtime_data.identity
        self._attr_unique_id = f"{identity.serial}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, identity.serial)},
            manufacturer="Wallbox",
            model="Quasar",
            name="Wallbox Quasar",
            serial_number=identity.serial,
            sw_version=str(identity.firmware),
        )
