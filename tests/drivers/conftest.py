"""Let the driver tests run where Home Assistant (or pytest-socket) is not installed.

Drivers never import Home Assistant, but importing them as
``custom_components.ev_charge_control.drivers`` runs the integration's
``__init__``, which does. Without Home Assistant (a bare dev venv), the
integration package is registered as an empty package so only the drivers load;
with it (the project's real test run) nothing is changed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys
import types

import pytest

_INTEGRATION = "custom_components.ev_charge_control"

if (
    importlib.util.find_spec("homeassistant") is None
    and _INTEGRATION not in sys.modules
):
    _root = Path(__file__).resolve().parents[2] / "custom_components"
    for _name, _path in (
        ("custom_components", _root),
        (_INTEGRATION, _root / "ev_charge_control"),
    ):
        if _name not in sys.modules:
            _module = types.ModuleType(_name)
            _module.__path__ = [str(_path)]
            sys.modules[_name] = _module


if importlib.util.find_spec("pytest_socket") is None:

    @pytest.fixture
    def socket_enabled() -> None:
        """Stand in for pytest-socket's fixture where that plugin is absent."""

    def pytest_configure(config: pytest.Config) -> None:
        """Declare pytest-socket's marker where that plugin is absent."""
        config.addinivalue_line("markers", "enable_socket: allow sockets")
