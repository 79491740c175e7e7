"""Where a car's cheap hours come from, and the charger it is linked to."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import (
    EventStateChangedData,
    async_track_state_added_domain,
)

from ..policy.planner import parse_price_forecast
from ..policy.smart_charging import OffPeakSource
from . import smart_chargers
from .entity import SmartEntity

NO_CHARGER = "none"

OFF_PEAK_SOURCE = SelectEntityDescription(
    key="off_peak_source",
    translation_key="smart_off_peak_source",
    entity_category=EntityCategory.CONFIG,
    # The fixed sources; the price sensors found are added by the entity.
    options=[OffPeakSource.ANY_TIME.value, OffPeakSource.WINDOWS.value],
)
LINKED_CHARGER = SelectEntityDescription(
    key="linked_charger",
    translation_key="smart_linked_charger",
    entity_category=EntityCategory.CONFIG,
    # "none"; the chargers found are added by the entity.
    options=[NO_CHARGER],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry[object],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up each car's off-peak source and linked charger."""
    entities: list[SelectEntity] = []
    for smart in smart_chargers(entry):
        entities.append(OffPeakSourceSelect(smart, OFF_PEAK_SOURCE))
        entities.append(LinkedChargerSelect(smart, LINKED_CHARGER))
    async_add_entities(entities)


class OffPeakSourceSelect(SmartEntity, SelectEntity):
    """Any time, the off-peak windows, or one of the price sensors Home Assistant has."""

    async def async_added_to_hass(self) -> None:
        """Offer a price sensor as soon as it appears, not at the next plan change."""
        await super().async_added_to_hass()

        @callback
        def sensor_added(event: Event[EventStateChangedData]) -> None:
            state = event.data["new_state"]
            if state is not None and parse_price_forecast(state.attributes):
                self.async_write_ha_state()

        self.async_on_remove(
            async_track_state_added_domain(self.hass, SENSOR_DOMAIN, sensor_added)
        )

    @property
    def options(self) -> list[str]:
        """Return the sources: the two fixed ones, then each price sensor found."""
        options = [OffPeakSource.ANY_TIME.value, OffPeakSource.WINDOWS.value]
        options += self.smart.price_sensors()
        chosen = self.smart.settings.price_entity_id
        if chosen and chosen not in options:
            # A sensor that went away stays chosen (and the plan falls back to windows).
            options.append(chosen)
        return options

    @property
    def current_option(self) -> str | None:
        """Return the source in use."""
        settings = self.smart.settings
        if settings.source is OffPeakSource.PRICES:
            return settings.price_entity_id
        return settings.source.value

    async def async_select_option(self, option: str) -> None:
        """Use another source."""
        await self.smart.async_set_source(option)


class LinkedChargerSelect(SmartEntity, SelectEntity):
    """The Quasar this car charges at: its readings and start/stop serve the plan."""

    @property
    def options(self) -> list[str]:
        """Return "none" and the name of each charger we manage."""
        return [NO_CHARGER, *sorted(self.smart.chargers().values())]

    @property
    def current_option(self) -> str | None:
        """Return the linked charger's name, "none", or unknown if it went away."""
        linked = self.smart.settings.linked_charger
        if linked is None:
            return NO_CHARGER
        return self.smart.chargers().get(linked)

    async def async_select_option(self, option: str) -> None:
        """Link the car to another charger, or to none."""
        if option == NO_CHARGER:
            await self.smart.async_link_charger(None)
            return
        by_title = {
            title: entry_id for entry_id, title in self.smart.chargers().items()
        }
        await self.smart.async_link_charger(by_title.get(option, option))
