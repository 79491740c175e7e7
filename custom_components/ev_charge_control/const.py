"""Constants for EV Charge Control."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "ev_charge_control"
LOGGER = logging.getLogger(__package__)

CONF_KIND: Final = "kind"
CONF_UNIT_ID: Final = "unit_id"
CONF_SCAN_INTERVAL: Final = "scan_interval"


class DeviceKind(StrEnum):
    """The kinds of config entry; each is one account or one device."""

    QUASAR = "quasar"
    PSACC = "psacc"
    RENAULT = "renault"


QUASAR_DEFAULT_PORT: Final = 502
QUASAR_DEFAULT_UNIT_ID: Final = 1
QUASAR_DEFAULT_SCAN_INTERVAL: Final = 10
# Below five seconds the charger spends its time answering us; the Wallbox app itself
# refreshes no faster.
QUASAR_MIN_SCAN_INTERVAL: Final = 5
QUASAR_MAX_SCAN_INTERVAL: Final = 300
# The charger falls back to the Wallbox app when it hears nothing for this long; it must
# outlast a few missed polls, or a slow Home Assistant would lose control every minute.
QUASAR_MIN_IDLE_TIMEOUT: Final = 60
QUASAR_IDLE_TIMEOUT_POLLS: Final = 4
# A reboot drops every session; never more often than this, whatever asks for it.
QUASAR_REBOOT_COOLDOWN: Final = timedelta(minutes=10)
QUASAR_MAX_CURRENT: Final = 32
QUASAR_MIN_CURRENT: Final = 6

STORAGE_VERSION: Final = 1

CONF_LOCALE: Final = "locale"
CONF_LOGIN_TOKEN: Final = "login_token"
CONF_DEVICE_IDS: Final = "device_ids"
CONF_ACCOUNT_ID: Final = "account_id"
# Where Gigya and Kamereon answer, as renault-api's locale_details (JSON). Only the demo
# and the benches set it, to reach the simulated cloud; people never need it.
RENAULT_CLOUD_ENV: Final = "EVCC_RENAULT_CLOUD"
RENAULT_DEFAULT_LOCALE: Final = "fr_FR"
# A budget per account, shared by its cars: Kamereon locks out accounts that call more.
RENAULT_BUDGET_PER_HOUR: Final = 30
RENAULT_BUDGET_BURST: Final = 12
# After "quota spent", nothing is asked for this long (or as long as the cloud says).
RENAULT_QUOTA_PAUSE: Final = timedelta(hours=1)
# A lockout that lasts this long becomes a repair issue.
RENAULT_QUOTA_ISSUE_AFTER: Final = timedelta(hours=2)
# The car reports about a minute after a command; look a little after that.
RENAULT_AFTER_COMMAND: Final = timedelta(seconds=90)
RENAULT_DEFAULT_HVAC_TEMPERATURE: Final = 21.0


def quasar_idle_timeout(scan_interval_s: int) -> int:
    """Return the Modbus idle timeout that goes with a poll interval."""
    return max(QUASAR_MIN_IDLE_TIMEOUT, scan_interval_s * QUASAR_IDLE_TIMEOUT_POLLS)


# psa_car_controller: a server the user runs for Peugeot, Citroën, DS, Opel, Vauxhall.
CONF_VINS: Final = "vins"
PSACC_DEFAULT_URL: Final = "http://localhost:5000"
# Reading the server's cache costs nothing; how often the car reports is what limits
# how fresh the values are.
PSACC_SCAN_INTERVAL: Final = timedelta(seconds=60)
# The server's own wake-up limit (RemoteClient.wakeup), shared by all of its cars.
PSACC_WAKEUP_LIMIT: Final = 6
PSACC_WAKEUP_WINDOW: Final = timedelta(minutes=20)
# A charging car whose report is older than this is woken (within the budget), and
# never more often than this per car.
PSACC_STALE_REPORT: Final = timedelta(minutes=30)
PSACC_AUTO_WAKEUP_INTERVAL: Final = timedelta(minutes=30)
# A command is shown as asked until the car reports after it, or for this long.
PSACC_PENDING_TIMEOUT: Final = timedelta(minutes=15)
