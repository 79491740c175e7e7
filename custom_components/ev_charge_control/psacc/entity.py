"""The base entity of a car behind a psa_car_controller server."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from ..const import DOMAIN
from .coordinator import PsaccCoordinator


class PsaccEntity(CoordinatorEntity[PsaccCoordinator]):
    """An entity of one car; available while the server answers for it."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: PsaccCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the car's device."""
        super().__init__(coordinator)
        self.entity_description = description
        info = coordinator.info
        self._attr_unique_id = f"{info.vin}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, info.vin)},
            manufacturer=info.brand,
            model=info.model or None,
            name=info.name,
            serial_number=info.vin,
            configuration_url=coordinator.client.url,
        )
