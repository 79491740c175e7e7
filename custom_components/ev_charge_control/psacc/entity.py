"""The base entity of a car behind a psa_car_controller server."""

from __future__ import annotations

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

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
        self._attr_unique_id = f"{coordinator.info.vin}_{description.key}"
        self._attr_device_info = coordinator.device_info
