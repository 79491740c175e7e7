"""The base entity of a Renault or Dacia car."""

from __future__ import annotations

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import RenaultVehicleCoordinator


class RenaultEntity(CoordinatorEntity[RenaultVehicleCoordinator]):
    """An entity of a car; it keeps its last value while the quota is spent."""

    _attr_has_entity_name = True
    # The capability the entity needs; once the cloud says the model lacks it, the
    # entity is unavailable rather than failing every time it is used.
    _capability: str | None = None

    @property
    def available(self) -> bool:
        """Return whether the car answers and still has the entity's capability."""
        return super().available and (
            self._capability is None
            or self._capability in self.coordinator.capabilities
        )

    def __init__(
        self, coordinator: RenaultVehicleCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the car's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.info.vin}_{description.key}"
        self._attr_device_info = coordinator.device_info
