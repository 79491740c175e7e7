"""Actions of EV Charge Control, registered once for every entry."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .quasar import services as quasar_services
from .smart import services as smart_services


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every kind's actions."""
    quasar_services.async_setup_services(hass)
    smart_services.async_setup_services(hass)
