"""Let the driver tests run where Home Assistant is not installed.

Drivers never import Home Assistant, but importing them as
``custom_components.ev_charge_control.drivers`` runs the integration's
``__init__``, which does. Without Home Assistant (a bare dev venv), the
integration package is registered as an empty package so only the drivers load;
with it (the project's real test run) nothing is changed.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

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
