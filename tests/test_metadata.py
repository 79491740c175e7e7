"""The checks hassfest and the HACS validator make on our metadata, as plain tests.

Neither tool is on PyPI, so what they check is re-implemented here from reading their
sources (home-assistant/core script/hassfest, hacs/integration, home-assistant/brands).
None of these tests start Home Assistant or open a socket: they read files, parse the
integration's Python with ``ast`` and, where that is simpler, import its modules.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
import importlib
import json
from pathlib import Path
import re
import struct
import subprocess
from typing import Any
from urllib.parse import urlparse
import zlib

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
import homeassistant
from homeassistant.const import Platform, __version__ as HA_VERSION
from homeassistant.helpers import selector
from homeassistant.util.yaml import load_yaml_dict
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = "ev_charge_control"
INTEGRATION = ROOT / "custom_components" / DOMAIN
PACKAGE = f"custom_components.{DOMAIN}"
HA_PACKAGE = Path(homeassistant.__file__).parent

# Built from pieces so that this file does not itself contain the names it looks for.
REGISTRY_HOSTS: tuple[str, ...] = (
    "deb" + ".debian.org",
    "pypi" + ".org",
    "files.pythonhosted" + ".org",
    "registry.npmjs" + ".org",
)

# hassfest (script/hassfest/manifest.py)
MANIFEST_KEYS_ALLOWED = frozenset(
    {
        "after_dependencies",
        "bluetooth",
        "codeowners",
        "config_flow",
        "dependencies",
        "dhcp",
        "disabled",
        "documentation",
        "domain",
        "homekit",
        "import_executor",
        "integration_type",
        "iot_class",
        "issue_tracker",
        "loggers",
        "mqtt",
        "name",
        "quality_scale",
        "requirements",
        "single_config_entry",
        "ssdp",
        "usb",
        "version",
        "zeroconf",
    }
)
# What hassfest and HACS together require of a custom integration, plus what we decided
# to always state (requirements, iot_class, config_flow, integration_type).
MANIFEST_KEYS_REQUIRED = (
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
)
IOT_CLASSES = frozenset(
    {
        "assumed_state",
        "calculated",
        "cloud_polling",
        "cloud_push",
        "local_polling",
        "local_push",
    }
)
INTEGRATION_TYPES = frozenset(
    {"device", "entity", "hardware", "helper", "hub", "service", "system"}
)
VERSION_STRATEGIES = [
    AwesomeVersionStrategy.CALVER,
    AwesomeVersionStrategy.SEMVER,
    AwesomeVersionStrategy.SIMPLEVER,
    AwesomeVersionStrategy.BUILDVER,
    AwesomeVersionStrategy.PEP440,
]
# Home Assistant's package constraints pin it; any other version cannot be installed.
PYMODBUS_REQUIREMENT = "pymodbus==3.13.1"
# Components any integration may import without declaring them (hassfest dependencies.py).
ALWAYS_IMPORTABLE_COMPONENTS = frozenset(
    {
        *(platform.value for platform in Platform),
        "alert",
        "automation",
        "conversation",
        "default_config",
        "device_automation",
        "frontend",
        "group",
        "homeassistant",
        "input_boolean",
        "input_button",
        "input_datetime",
        "input_number",
        "input_select",
        "input_text",
        "media_source",
        "onboarding",
        "panel_custom",
        "persistent_notification",
        "person",
        "script",
        "shopping_list",
        "sun",
        "system_health",
        "system_log",
        "timer",
        "webhook",
        "websocket_api",
        "zone",
    }
)

# HACS (custom_components/hacs/utils/validate.py): hacs.json refuses any other key.
HACS_JSON_KEYS: dict[str, type] = {
    "content_in_root": bool,
    "country": object,
    "filename": str,
    "hacs": str,
    "hide_default_branch": bool,
    "homeassistant": str,
    "persistent_directory": str,
    "render_readme": bool,
    "zip_release": bool,
    "name": str,
}
# Home Assistant serves brand images from custom_components/<domain>/brand/ since then.
BRAND_DIR_MIN_HA = "2026.3.0"

# hassfest (script/hassfest/translations.py)
STRINGS_TOP_LEVEL_KEYS = frozenset(
    {
        "application_credentials",
        "common",
        "conditions",
        "config",
        "config_panel",
        "config_subentries",
        "conversation",
        "device",
        "device_automation",
        "entity",
        "entity_component",
        "exceptions",
        "issues",
        "options",
        "selector",
        "services",
        "system_health",
        "title",
        "triggers",
    }
)
FLOW_KEYS = frozenset(
    {"abort", "create_entry", "error", "flow_title", "progress", "step"}
)
FLOW_STEP_KEYS = frozenset(
    {
        "data",
        "data_description",
        "description",
        "menu_option_descriptions",
        "menu_options",
        "sections",
        "submit",
        "title",
    }
)
ENTITY_STRING_KEYS = frozenset(
    {"name", "state", "state_attributes", "unit_of_measurement"}
)
SERVICE_STRING_KEYS = frozenset({"name", "description", "fields", "sections"})
SERVICE_FIELD_STRING_KEYS = frozenset({"name", "description", "example"})
# [a-z0-9], words joined by single "_" or "-", none at either end.
TRANSLATION_KEY_RE = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
SLUG_RE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
REFERENCE_RE = re.compile(r"\[%key:([^%\]]+)%\]")
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
HTML_RE = re.compile(r"<[a-zA-Z/!]")
SINGLE_QUOTED_PLACEHOLDER_RE = re.compile(r"'\{\w+\}'")
HOME_ASSISTANT_RE = re.compile(r"home[\s_-]*assistant", re.IGNORECASE)

# hassfest (script/hassfest/icons.py)
ICONS_TOP_LEVEL_KEYS = frozenset(
    {"conditions", "config", "entity", "issues", "options", "services", "triggers"}
)
ENTITY_ICON_KEYS = frozenset({"default", "range", "state", "state_attributes"})
MDI_ICON_RE = re.compile(r"mdi:[a-z0-9]+(?:-[a-z0-9]+)*")

# hassfest (script/hassfest/services.py)
SERVICE_KEYS = frozenset({"description", "fields", "name", "target"})
SERVICE_FIELD_KEYS = frozenset(
    {
        "advanced",
        "default",
        "description",
        "example",
        "filter",
        "name",
        "required",
        "selector",
    }
)
SERVICE_SECTION_KEYS = frozenset({"collapsed", "description", "fields", "name"})

# Exceptions Home Assistant translates from translation_domain + translation_key.
TRANSLATED_EXCEPTIONS = frozenset(
    {
        "ConfigEntryAuthFailed",
        "ConfigEntryError",
        "ConfigEntryNotReady",
        "HomeAssistantError",
        "ServiceNotSupported",
        "ServiceValidationError",
        "UpdateFailed",
    }
)

# hassfest (script/hassfest/quality_scale.py), every rule of every tier.
QUALITY_SCALE_RULES = frozenset(
    {
        # Bronze
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
        # Silver
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
        # Gold
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
        # Platinum
        "async-dependency",
        "inject-websession",
        "strict-typing",
    }
)
QUALITY_SCALE_STATUSES = frozenset({"done", "todo", "exempt"})

# home-assistant/brands: icons are squares of exactly these sizes.
BRAND_ICON_SIZES = {
    "icon.png": 256,
    "dark_icon.png": 256,
    "icon@2x.png": 512,
    "dark_icon@2x.png": 512,
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace the conftest's autouse fixture: these tests need no Home Assistant."""


# Loading


def load_json(path: Path) -> Any:
    """Return a JSON file's content."""
    return json.loads(path.read_text(encoding="utf-8"))


def manifest() -> dict[str, Any]:
    """Return manifest.json."""
    data: dict[str, Any] = load_json(INTEGRATION / "manifest.json")
    return data


def strings() -> dict[str, Any]:
    """Return strings.json."""
    data: dict[str, Any] = load_json(INTEGRATION / "strings.json")
    return data


def icons() -> dict[str, Any]:
    """Return icons.json."""
    data: dict[str, Any] = load_json(INTEGRATION / "icons.json")
    return data


def services_yaml() -> dict[str, Any]:
    """Return services.yaml (an empty file is no services)."""
    path = INTEGRATION / "services.yaml"
    if not path.is_file():
        return {}
    return load_yaml_dict(str(path))


def leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Yield every leaf of nested dicts with its dotted path."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from leaves(value, (*path, str(key)))
    else:
        yield ".".join(path), tree


def python_files() -> list[Path]:
    """Return the integration's Python files."""
    return sorted(INTEGRATION.rglob("*.py"))


def parse(path: Path) -> ast.Module:
    """Return a Python file's syntax tree."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_name(path: Path) -> str:
    """Return the import name of one of the integration's files."""
    parts = path.relative_to(INTEGRATION).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def call_name(node: ast.Call) -> str:
    """Return the name a call is made through: f() and x.f() both give f."""
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def keyword(node: ast.Call, name: str) -> ast.expr | None:
    """Return a call's keyword argument, if it is passed."""
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def constant_str(node: ast.expr | None) -> str | None:
    """Return a string literal's value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def where(path: Path, node: ast.AST) -> str:
    """Return file:line of a node, for messages."""
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def string_problems(value: Any) -> list[str]:
    """Return what is wrong with one translated string, by hassfest's rules and ours."""
    if not isinstance(value, str):
        return [f"is a {type(value).__name__}, not a string"]
    problems = []
    if not value.strip():
        problems.append("is empty")
    if value != value.strip():
        problems.append("has leading or trailing whitespace")
    if HTML_RE.search(value):
        problems.append("contains HTML")
    if REFERENCE_RE.search(value) and not REFERENCE_RE.fullmatch(value):
        problems.append("combines a [%key:...%] reference with other text")
    if SINGLE_QUOTED_PLACEHOLDER_RE.search(value):
        problems.append("puts a placeholder in single quotes")
    if "{" in PLACEHOLDER_RE.sub("", value) or "}" in PLACEHOLDER_RE.sub("", value):
        problems.append("has unbalanced or non-identifier {placeholders}")
    problems.extend(
        f"spells {match.group()!r} instead of 'Home Assistant'"
        for match in HOME_ASSISTANT_RE.finditer(value)
        if match.group() != "Home Assistant"
    )
    return problems


def placeholders(message: str) -> set[str]:
    """Return the {placeholders} of a message."""
    return set(PLACEHOLDER_RE.findall(message))


# manifest.json


def test_manifest_key_order() -> None:
    """Hassfest wants domain, then name, then the other keys in alphabetical order."""
    keys = list(manifest())
    expected = [
        "domain",
        "name",
        *sorted(k for k in keys if k not in {"domain", "name"}),
    ]
    assert keys == expected


def test_manifest_keys() -> None:
    """Every key a custom integration needs is there, and no key hassfest refuses."""
    data = manifest()
    assert [key for key in MANIFEST_KEYS_REQUIRED if key not in data] == []
    assert sorted(set(data) - MANIFEST_KEYS_ALLOWED) == []


def test_manifest_values() -> None:
    """The manifest's values are the kinds hassfest and HACS accept."""
    data = manifest()
    assert data["domain"] == INTEGRATION.name == DOMAIN
    assert isinstance(data["name"], str)
    assert data["name"].strip()
    assert data["iot_class"] in IOT_CLASSES
    assert data["integration_type"] in INTEGRATION_TYPES
    assert data["config_flow"] is True
    assert (INTEGRATION / "config_flow.py").is_file()
    codeowners = data["codeowners"]
    assert isinstance(codeowners, list)
    assert codeowners
    assert [owner for owner in codeowners if not str(owner).startswith("@")] == []
    for key in ("documentation", "issue_tracker"):
        url = urlparse(data[key])
        assert url.scheme == "https", key
        assert url.netloc, key
    version = data["version"]
    assert isinstance(version, str)
    # Raises when none of hassfest's strategies recognises the version.
    AwesomeVersion(version, ensure_strategy=VERSION_STRATEGIES)
    for key in ("dependencies", "after_dependencies", "loggers"):
        value = data.get(key, [])
        assert isinstance(value, list), key
        assert all(isinstance(item, str) for item in value), key
    both = set(data.get("dependencies", [])) & set(data.get("after_dependencies", []))
    assert both == set(), "in both dependencies and after_dependencies"
    missing = [
        dep
        for dep in (*data.get("dependencies", []), *data.get("after_dependencies", []))
        if not (HA_PACKAGE / "components" / dep).is_dir()
    ]
    assert missing == [], "dependencies that are not Home Assistant integrations"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if match := re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line):
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def test_manifest_requirements() -> None:
    """Requirements are pinned, agree with Home Assistant's constraints and ours."""
    requirements = manifest()["requirements"]
    assert isinstance(requirements, list)
    assert PYMODBUS_REQUIREMENT in requirements
    unpinned = [
        req
        for req in requirements
        if not re.fullmatch(
            r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+", req
        )
    ]
    assert unpinned == []
    constraints = _pins(
        (HA_PACKAGE / "package_constraints.txt").read_text().splitlines()
    )
    ours = _pins(requirements)
    conflicts = {
        name: (version, constraints[name])
        for name, version in ours.items()
        if name in constraints and constraints[name] != version
    }
    assert conflicts == {}, "(ours, Home Assistant's package constraints)"
    # requirements.txt mirrors the manifest for the development environment.
    mirrored = _pins((ROOT / "requirements.txt").read_text().splitlines())
    assert {name: mirrored.get(name) for name in ours} == ours


def test_imported_components_are_declared() -> None:
    """Hassfest: importing another integration needs it in (after_)dependencies."""
    data = manifest()
    allowed = (
        ALWAYS_IMPORTABLE_COMPONENTS
        | set(data.get("dependencies", []))
        | set(data.get("after_dependencies", []))
        | {path.stem for path in INTEGRATION.glob("*.py")}
        | {path.name for path in INTEGRATION.iterdir() if path.is_dir()}
    )
    undeclared = []
    for path in python_files():
        for node in ast.walk(parse(path)):
            modules: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "homeassistant.components":
                    modules = [f"{node.module}.{alias.name}" for alias in node.names]
                else:
                    modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[:2] == ["homeassistant", "components"] and len(parts) > 2:
                    if parts[2] not in allowed:
                        undeclared.append(f"{where(path, node)} {parts[2]}")
    assert undeclared == []


def test_config_schema() -> None:
    """Hassfest: an integration with async_setup must define CONFIG_SCHEMA."""
    tree = parse(INTEGRATION / "__init__.py")
    defines_setup = any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name in {"setup", "async_setup"}
        for node in tree.body
    )
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    schemas = {"CONFIG_SCHEMA", "PLATFORM_SCHEMA", "PLATFORM_SCHEMA_BASE"}
    if defines_setup:
        assert (assigned | imported) & schemas


# hacs.json and the repository


def test_hacs_json() -> None:
    """HACS refuses unknown keys in hacs.json and needs a name."""
    data = load_json(ROOT / "hacs.json")
    assert isinstance(data, dict)
    assert sorted(set(data) - set(HACS_JSON_KEYS)) == []
    assert isinstance(data.get("name"), str)
    assert data["name"].strip()
    wrong_types = [
        key
        for key, value in data.items()
        if key != "country" and not isinstance(value, HACS_JSON_KEYS[key])
    ]
    assert wrong_types == []
    if data.get("zip_release"):
        assert data.get("filename"), "zip_release needs a filename"


def test_hacs_json_homeassistant_version() -> None:
    """The minimum Home Assistant is a version, serves brand/, and is one we test."""
    minimum = load_json(ROOT / "hacs.json")["homeassistant"]
    assert isinstance(minimum, str)
    version = AwesomeVersion(minimum)
    assert version.valid
    assert version >= AwesomeVersion(BRAND_DIR_MIN_HA)
    assert version <= AwesomeVersion(HA_VERSION)


def test_repository_readme() -> None:
    """HACS shows README.md (render_readme) or else info.md."""
    assert (ROOT / "README.md").is_file()
    if not load_json(ROOT / "hacs.json").get("render_readme"):
        assert (ROOT / "info.md").is_file()


def test_one_integration_in_repository() -> None:
    """HACS manages only the first integration under custom_components/."""
    integrations = sorted(
        path.name
        for path in (ROOT / "custom_components").iterdir()
        if path.is_dir() and not path.name.startswith((".", "__"))
    )
    assert integrations == [DOMAIN]


# strings.json and translations/en.json


def _lookup(tree: dict[str, Any], parts: list[str]) -> Any:
    node: Any = tree
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _reference_source(parts: list[str]) -> tuple[dict[str, Any], list[str]] | None:
    """Return the strings a [%key:...%] reference points into, and the path in them."""
    if parts[0] == "common":
        return load_json(HA_PACKAGE / "strings.json"), parts
    if parts[0] == "component" and len(parts) > 2:
        if parts[1] == DOMAIN:
            return strings(), parts[2:]
        component = HA_PACKAGE / "components" / parts[1]
        for candidate in (
            component / "strings.json",
            component / "translations" / "en.json",
        ):
            if candidate.is_file():
                return load_json(candidate), parts[2:]
    return None


def resolve_references(tree: Any, problems: list[str], path: str = "") -> Any:
    """Return strings with every [%key:...%] reference replaced by its text."""
    if isinstance(tree, dict):
        return {
            key: resolve_references(value, problems, f"{path}.{key}".lstrip("."))
            for key, value in tree.items()
        }
    if not isinstance(tree, str) or not (match := REFERENCE_RE.fullmatch(tree)):
        return tree
    parts = match.group(1).split("::")
    source = _reference_source(parts)
    target = _lookup(*source) if source else None
    if not isinstance(target, str):
        problems.append(f"{path}: {tree} points at nothing")
        return tree
    if REFERENCE_RE.search(target):
        problems.append(f"{path}: {tree} points at another reference")
    return target


def test_strings_translated_to_english() -> None:
    """translations/en.json is strings.json with every reference resolved.

    Home Assistant reads a custom integration's translations/en.json as is: it does not
    resolve references, so a [%key:...%] left there would be shown to the user.
    """
    english_path = INTEGRATION / "translations" / "en.json"
    assert english_path.is_file()
    english = load_json(english_path)
    assert [
        path for path, value in leaves(english) if REFERENCE_RE.search(str(value))
    ] == []
    problems: list[str] = []
    resolved = resolve_references(strings(), problems)
    assert problems == []
    assert english == resolved


def test_strings_structure() -> None:
    """strings.json has only the sections and keys hassfest's schema allows."""
    data = strings()
    problems = [f"unknown section {key}" for key in set(data) - STRINGS_TOP_LEVEL_KEYS]
    for section in ("config", "options"):
        flow = data.get(section, {})
        problems.extend(f"{section}.{key}" for key in set(flow) - FLOW_KEYS)
        if section == "config" and "title" in flow:
            problems.append("config.title moved to the root of strings.json")
        for step_id, step in flow.get("step", {}).items():
            where_ = f"{section}.step.{step_id}"
            problems.extend(f"{where_}.{key}" for key in set(step) - FLOW_STEP_KEYS)
            problems.extend(
                f"{where_}.data_description.{key} describes no data field"
                for key in set(step.get("data_description", {}))
                - set(step.get("data", {}))
            )
            if not TRANSLATION_KEY_RE.fullmatch(step_id):
                problems.append(f"{where_}: step id is not a translation key")
        for kind in ("error", "abort"):
            problems.extend(
                f"{section}.{kind}.{key}: not a translation key"
                for key in flow.get(kind, {})
                if not TRANSLATION_KEY_RE.fullmatch(key)
            )
    for platform, entities in data.get("entity", {}).items():
        if platform not in {p.value for p in Platform}:
            problems.append(f"entity.{platform}: not a platform")
        for key, entity in entities.items():
            where_ = f"entity.{platform}.{key}"
            if not TRANSLATION_KEY_RE.fullmatch(key):
                problems.append(f"{where_}: not a translation key")
            problems.extend(f"{where_}.{k}" for k in set(entity) - ENTITY_STRING_KEYS)
            problems.extend(
                f"{where_}.state.{state}: not a translation key"
                for state in entity.get("state", {})
                if not TRANSLATION_KEY_RE.fullmatch(state)
            )
    for key, exception in data.get("exceptions", {}).items():
        if not SLUG_RE.fullmatch(key):
            problems.append(f"exceptions.{key}: not a slug")
        if set(exception) != {"message"}:
            problems.append(f"exceptions.{key}: needs exactly a message")
    for service, info in data.get("services", {}).items():
        if not TRANSLATION_KEY_RE.fullmatch(service):
            problems.append(f"services.{service}: not a translation key")
        problems.extend(
            f"services.{service}.{k}" for k in set(info) - SERVICE_STRING_KEYS
        )
        for field, text in info.get("fields", {}).items():
            if not TRANSLATION_KEY_RE.fullmatch(field):
                problems.append(f"services.{service}.fields.{field}: not a key")
            problems.extend(
                f"services.{service}.fields.{field}.{k}"
                for k in set(text) - SERVICE_FIELD_STRING_KEYS
            )
    assert problems == []


def test_strings_text() -> None:
    """Every string is text a person can read, by hassfest's rules and ours."""
    problems = [
        f"{path}: {problem}"
        for path, value in leaves(strings())
        for problem in string_problems(value)
    ]
    assert problems == []


# Config flow


@dataclass
class FlowUse:
    """What a flow's code asks strings.json for."""

    steps: set[str]
    errors: set[str]
    aborts: set[str]


_NOT_ERROR_DICTS = frozenset(
    {
        "data",
        "data_updates",
        "description_placeholders",
        "options",
        "title_placeholders",
        "translation_placeholders",
    }
)


def _error_dict_values(node: ast.Dict) -> set[str] | None:
    """Return the values of a dict that looks like a form's errors, or None."""
    if not node.keys:
        return None
    values: set[str] = set()
    for key, value in zip(node.keys, node.values, strict=True):
        key_ok = constant_str(key) == "base" or (
            isinstance(key, ast.Name) and key.id.startswith("CONF_")
        )
        text = constant_str(value)
        if not key_ok or text is None:
            return None
        values.add(text)
    return values


def _flow_use(nodes: list[ast.AST], use: FlowUse, method: str = "") -> None:
    excluded: set[int] = set()
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg in _NOT_ERROR_DICTS:
                        excluded.update(id(sub) for sub in ast.walk(kw.value))
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Dict) and id(node) not in excluded:
                use.errors |= _error_dict_values(node) or set()
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "errors"
                        and (text := constant_str(node.value)) is not None
                    ):
                        use.errors.add(text)
            elif isinstance(node, ast.Call):
                _flow_call(node, use, method)


def _flow_call(node: ast.Call, use: FlowUse, method: str) -> None:
    name = call_name(node)
    if (step_id := constant_str(keyword(node, "step_id"))) is not None:
        use.steps.add(step_id)
    reason = constant_str(keyword(node, "reason"))
    if reason is not None:
        use.aborts.add(reason)
    elif name in {"_abort_if_unique_id_configured", "_async_abort_entries_match"}:
        use.aborts.add("already_configured")
    elif name == "_abort_if_unique_id_mismatch":
        use.aborts.add("unique_id_mismatch")
    elif name == "async_update_reload_and_abort":
        # Home Assistant's own default; we still carry the text in our strings.
        use.aborts.add(
            "reauth_successful"
            if method.startswith("async_step_reauth")
            else "reconfigure_successful"
        )


def config_flow_use() -> dict[str, FlowUse]:
    """Return what the config and options flows use, by strings.json section.

    The flow class is composed of each kind's steps (quasar/config_flow.py, ...),
    so every config_flow.py of the integration is read.
    """
    use = {
        "config": FlowUse(set(), set(), set()),
        "options": FlowUse(set(), set(), set()),
    }
    nodes = [
        node
        for path in sorted(INTEGRATION.rglob("config_flow.py"))
        for node in parse(path).body
    ]
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            bases = {
                base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                for base in node.bases
            }
            if any("OptionsFlow" in base for base in bases):
                section = "options"
            elif any(base.endswith(("ConfigFlow", "Flow")) for base in bases):
                section = "config"
            else:
                continue
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    _flow_use([item], use[section], item.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # Module helpers serve the config flow's steps.
            _flow_use([node], use["config"], node.name)
    return use


def test_config_flow_strings() -> None:
    """Every step, error and abort of the flows has its text, and no text is stale."""
    data = strings()
    problems: list[str] = []
    for section, use in config_flow_use().items():
        flow = data.get(section, {})
        for kind, used, known in (
            ("step", use.steps, set(flow.get("step", {}))),
            ("error", use.errors, set(flow.get("error", {}))),
            ("abort", use.aborts, set(flow.get("abort", {}))),
        ):
            problems.extend(f"{section}.{kind}.{key} missing" for key in used - known)
            problems.extend(f"{section}.{kind}.{key} unused" for key in known - used)
    assert problems == []


# Actions


def _resolve_name(path: Path, node: ast.expr) -> str | None:
    if (text := constant_str(node)) is not None:
        return text
    if isinstance(node, ast.Name):
        value = getattr(importlib.import_module(module_name(path)), node.id, None)
        return value if isinstance(value, str) else None
    return None


def registered_services() -> set[str]:
    """Return the actions the integration's code registers."""
    found: set[str] = set()
    for path in python_files():
        for node in ast.walk(parse(path)):
            if not isinstance(node, ast.Call):
                continue
            name = call_name(node)
            arg: ast.expr | None = None
            if (
                name in {"async_register", "register"}
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "services"
                and len(node.args) >= 2
            ):
                arg = node.args[1]
            elif name == "async_register_entity_service" and node.args:
                arg = node.args[0]
            elif name == "async_register_platform_entity_service":
                arg = (
                    node.args[2]
                    if len(node.args) > 2
                    else keyword(node, "service_name")
                )
            if arg is not None:
                service = _resolve_name(path, arg)
                assert service is not None, f"{where(path, node)}: unresolved name"
                found.add(service)
    return found


def test_services_registered_are_described() -> None:
    """services.yaml describes exactly the actions the integration registers."""
    assert set(services_yaml()) == registered_services()


def test_services_yaml_schema() -> None:
    """services.yaml has hassfest's shape and valid selectors."""
    problems = []
    for service, info in services_yaml().items():
        if not SLUG_RE.fullmatch(service):
            problems.append(f"{service}: not a slug")
        if info is None:
            continue
        problems.extend(f"{service}.{key}" for key in set(info) - SERVICE_KEYS)
        fields = dict(info.get("fields", {}))
        for name, field in list(fields.items()):
            if isinstance(field, dict) and "fields" in field:
                problems.extend(
                    f"{service}.{name}.{key}"
                    for key in set(field) - SERVICE_SECTION_KEYS
                )
                del fields[name]
                fields.update(field["fields"])
        for name, field in fields.items():
            problems.extend(
                f"{service}.{name}.{key}" for key in set(field) - SERVICE_FIELD_KEYS
            )
            if "selector" in field:
                try:
                    selector.validate_selector(field["selector"])
                except Exception as err:  # noqa: BLE001 - report every bad selector
                    problems.append(f"{service}.{name}.selector: {err}")
            if "required" in field and not isinstance(field["required"], bool):
                problems.append(f"{service}.{name}.required is not a boolean")
    assert problems == []


def _service_fields(info: dict[str, Any] | None) -> set[str]:
    fields: set[str] = set()
    for name, field in (info or {}).get("fields", {}).items():
        if isinstance(field, dict) and "fields" in field:
            fields |= set(field["fields"])
        else:
            fields.add(name)
    return fields


def test_services_translated() -> None:
    """Every action and field has a name and description in strings.json, no more."""
    described = services_yaml()
    translated = strings().get("services", {})
    problems = [f"services.{s} missing" for s in set(described) - set(translated)]
    problems.extend(f"services.{s} unused" for s in set(translated) - set(described))
    for service in set(described) & set(translated):
        text = translated[service]
        problems.extend(
            f"services.{service}.{key} missing"
            for key in ("name", "description")
            if not text.get(key)
        )
        fields = _service_fields(described[service])
        texts = text.get("fields", {})
        problems.extend(f"{service}.fields.{f} missing" for f in fields - set(texts))
        problems.extend(f"{service}.fields.{f} unused" for f in set(texts) - fields)
        problems.extend(
            f"{service}.fields.{field}.{key} missing"
            for field in fields & set(texts)
            for key in ("name", "description")
            if not texts[field].get(key)
        )
    assert problems == []


# icons.json


def _icon_problem(path: str, value: Any) -> list[str]:
    if not isinstance(value, str) or not MDI_ICON_RE.fullmatch(value):
        return [f"{path}: {value!r} is not an mdi: icon"]
    return []


def test_icons_schema() -> None:
    """icons.json has hassfest's shape, and every icon is an mdi: icon."""
    data = icons()
    problems = [f"unknown section {key}" for key in set(data) - ICONS_TOP_LEVEL_KEYS]
    platforms = {p.value for p in Platform}
    for platform, entities in data.get("entity", {}).items():
        if platform not in platforms:
            problems.append(f"entity.{platform}: not a platform")
        for key, entry in entities.items():
            where_ = f"entity.{platform}.{key}"
            if not TRANSLATION_KEY_RE.fullmatch(key):
                problems.append(f"{where_}: not a translation key")
            problems.extend(f"{where_}.{k}" for k in set(entry) - ENTITY_ICON_KEYS)
            if "default" in entry:
                problems.extend(_icon_problem(f"{where_}.default", entry["default"]))
            for state, icon in entry.get("state", {}).items():
                problems.extend(_icon_problem(f"{where_}.state.{state}", icon))
                if not TRANSLATION_KEY_RE.fullmatch(state):
                    problems.append(f"{where_}.state.{state}: not a translation key")
                if icon == entry.get("default"):
                    problems.append(f"{where_}.state.{state}: same as the default")
            if "default" not in entry and "state" not in entry:
                problems.append(f"{where_}: neither a default nor state icons")
    for service, entry in data.get("services", {}).items():
        if not isinstance(entry, dict) or set(entry) - {"service", "sections"}:
            problems.append(f"services.{service}: needs a 'service' icon")
            continue
        problems.extend(_icon_problem(f"services.{service}.service", entry["service"]))
        for section, icon in entry.get("sections", {}).items():
            problems.extend(_icon_problem(f"services.{service}.{section}", icon))
    assert problems == []


def test_icons_match_strings_and_services() -> None:
    """Every entity icon has its entity in strings.json; every action has an icon."""
    data = icons()
    translated = strings().get("entity", {})
    orphans = [
        f"entity.{platform}.{key}"
        for platform, entities in data.get("entity", {}).items()
        for key in entities
        if key not in translated.get(platform, {})
    ]
    assert orphans == []
    assert set(data.get("services", {})) == set(services_yaml())


# Entities


def platform_modules() -> dict[str, Path]:
    """Return the integration's platform modules (the ones HA loads) by platform."""
    return {
        platform.value: INTEGRATION / f"{platform.value}.py"
        for platform in Platform
        if (INTEGRATION / f"{platform.value}.py").is_file()
    }


def platform_sources(platform: str) -> list[Path]:
    """Return the platform module and each kind's module for that platform."""
    return [
        INTEGRATION / f"{platform}.py",
        *sorted(INTEGRATION.glob(f"*/{platform}.py")),
    ]


def platform_module_names(platform: str) -> list[str]:
    """Return the importable names of a platform's modules."""
    return [
        ".".join((PACKAGE, *path.relative_to(INTEGRATION).with_suffix("").parts))
        for path in platform_sources(platform)
    ]


def used_translation_keys() -> dict[str, dict[str, str]]:
    """Return the entity translation keys each platform's code uses, with where."""
    used: dict[str, dict[str, str]] = {}
    for platform in platform_modules():
        keys = used.setdefault(platform, {})
        nodes = [
            (path, node)
            for path in platform_sources(platform)
            for node in ast.walk(parse(path))
        ]
        for path, node in nodes:
            value: ast.expr | None = None
            if isinstance(node, ast.Call) and call_name(node).endswith(
                "EntityDescription"
            ):
                value = keyword(node, "translation_key")
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                if any(
                    isinstance(t, ast.Name) and t.id == "_attr_translation_key"
                    for t in targets
                ):
                    value = node.value
            if (key := constant_str(value)) is not None:
                keys[key] = where(path, node)
    return used


def test_entity_translation_keys_have_names() -> None:
    """Every translation key the platforms use has a name in strings.json."""
    translated = strings().get("entity", {})
    missing = [
        f"{location}: entity.{platform}.{key}.name"
        for platform, keys in used_translation_keys().items()
        for key, location in keys.items()
        if not translated.get(platform, {}).get(key, {}).get("name")
    ]
    assert missing == []


def test_entity_strings_are_used() -> None:
    """Every entity in strings.json is one the platforms create."""
    used = used_translation_keys()
    stale = [
        f"entity.{platform}.{key}"
        for platform, entities in strings().get("entity", {}).items()
        for key in entities
        if key not in used.get(platform, {})
    ]
    assert stale == []


def _is_a(value: Any, class_name: str) -> bool:
    """Return whether an object's class is or derives from a class of that name.

    Home Assistant builds a separate class for a description created straight from a
    base class such as SelectEntityDescription, so isinstance() cannot be used.
    """
    return any(cls.__name__ == class_name for cls in type(value).__mro__)


def entity_descriptions(platform: str) -> list[Any]:
    """Return the entity descriptions a platform module defines at module level."""
    found: list[Any] = []
    for name in platform_module_names(platform):
        module = importlib.import_module(name)
        for value in vars(module).values():
            items = value if isinstance(value, (tuple, list)) else [value]
            found.extend(item for item in items if _is_a(item, "EntityDescription"))
    return found


def _has_states(description: Any) -> bool:
    """Return whether an entity's states are a set of options that need text."""
    from homeassistant.components.sensor import SensorDeviceClass

    if _is_a(description, "SensorEntityDescription"):
        return bool(description.device_class == SensorDeviceClass.ENUM)
    return _is_a(description, "SelectEntityDescription")


def test_entity_states_translated() -> None:
    """Enum sensors and selects have a translated state (and only those) per option."""
    translated = strings().get("entity", {})
    entity_icons = icons().get("entity", {})
    problems = []
    checked = 0
    for platform in ("sensor", "select"):
        if platform not in platform_modules():
            continue
        descriptions = [d for d in entity_descriptions(platform) if _has_states(d)]
        checked += len(descriptions)
        for description in descriptions:
            key = description.translation_key
            if key is None or not description.options:
                problems.append(f"{platform}.{description.key}: no key or options")
                continue
            options = set(description.options)
            states = set(translated.get(platform, {}).get(key, {}).get("state", {}))
            problems.extend(
                f"{platform}.{key}: {o} untranslated" for o in options - states
            )
            problems.extend(
                f"{platform}.{key}: {s} is no option" for s in states - options
            )
            state_icons = entity_icons.get(platform, {}).get(key, {}).get("state", {})
            problems.extend(
                f"icons {platform}.{key}: {s} is no option"
                for s in set(state_icons) - options
            )
    assert problems == []
    # The status sensor and the control select at least: the search itself works.
    assert checked >= 2


# Exceptions


@dataclass
class RaisedTranslation:
    """An exception raised with a translation key."""

    location: str
    exception: str
    key: str | None
    domain: ast.expr | None
    placeholders: set[str] | None


def raised_translations() -> list[RaisedTranslation]:
    """Return every translatable Home Assistant exception the integration creates."""
    found = []
    for path in python_files():
        for node in ast.walk(parse(path)):
            if not isinstance(node, ast.Call):
                continue
            name = call_name(node)
            # Entity descriptions take a translation_key too, but no translation_domain.
            if (
                name not in TRANSLATED_EXCEPTIONS
                and keyword(node, "translation_domain") is None
            ):
                continue
            passed = keyword(node, "translation_placeholders")
            keys: set[str] | None = None
            if passed is None:
                keys = set()
            elif isinstance(passed, ast.Dict) and all(
                constant_str(k) is not None for k in passed.keys
            ):
                keys = {str(constant_str(k)) for k in passed.keys}
            found.append(
                RaisedTranslation(
                    location=where(path, node),
                    exception=name,
                    key=constant_str(keyword(node, "translation_key")),
                    domain=keyword(node, "translation_domain"),
                    placeholders=keys,
                )
            )
    return found


def test_exceptions_translated() -> None:
    """Every raised exception has a translated message with the placeholders passed."""
    messages = {
        key: value.get("message", "")
        for key, value in strings().get("exceptions", {}).items()
    }
    problems = []
    for raised in raised_translations():
        if raised.key is None:
            problems.append(f"{raised.location}: {raised.exception} untranslated")
            continue
        domain = raised.domain
        if not (
            (isinstance(domain, ast.Name) and domain.id == "DOMAIN")
            or constant_str(domain) == DOMAIN
        ):
            problems.append(f"{raised.location}: translation_domain is not DOMAIN")
        if raised.key not in messages:
            problems.append(f"{raised.location}: exceptions.{raised.key} missing")
        elif raised.placeholders is not None:
            wanted = placeholders(messages[raised.key])
            if wanted != raised.placeholders:
                problems.append(
                    f"{raised.location}: {raised.key} wants {sorted(wanted)}, "
                    f"gets {sorted(raised.placeholders)}"
                )
    assert problems == []


def test_exception_strings_are_used() -> None:
    """Every message in strings.json exceptions is raised somewhere."""
    used = {raised.key for raised in raised_translations()}
    assert sorted(set(strings().get("exceptions", {})) - used) == []


# quality_scale.yaml


def _code_mentions(pattern: str, *files: str) -> bool:
    # A file name matches that module in every kind's package too (quasar/..., ...).
    paths = (
        [path for name in files for path in sorted(INTEGRATION.rglob(name))]
        if files
        else python_files()
    )
    return any(
        re.search(pattern, path.read_text(encoding="utf-8"))
        for path in paths
        if path.is_file()
    )


def _every_platform_sets_parallel_updates() -> bool:
    return all(
        any(
            isinstance(node, (ast.Assign, ast.AnnAssign))
            and any(
                isinstance(t, ast.Name) and t.id == "PARALLEL_UPDATES"
                for t in (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
            )
            for node in parse(path).body
        )
        for path in platform_modules().values()
    )


# What a "done" rule must at least show in the code (after hassfest's rule validators).
DONE_RULE_EVIDENCE: dict[str, Callable[[], bool]] = {
    "action-setup": lambda: _code_mentions(r"async def async_setup\(", "__init__.py"),
    "brands": (INTEGRATION / "brand" / "icon.png").is_file,
    "config-entry-unloading": lambda: _code_mentions(
        r"async def async_unload_entry\(", "__init__.py"
    ),
    "config-flow": lambda: manifest().get("config_flow") is True,
    "diagnostics": lambda: _code_mentions(
        r"def async_get_config_entry_diagnostics\(", "diagnostics.py"
    ),
    "discovery": lambda: bool(
        set(manifest())
        & {"bluetooth", "dhcp", "homekit", "mqtt", "ssdp", "usb", "zeroconf"}
    ),
    "has-entity-name": lambda: _code_mentions(r"_attr_has_entity_name = True"),
    "icon-translations": (INTEGRATION / "icons.json").is_file,
    "parallel-updates": _every_platform_sets_parallel_updates,
    "reauthentication-flow": lambda: _code_mentions(
        r"async def async_step_reauth\(", "config_flow.py"
    ),
    "reconfiguration-flow": lambda: _code_mentions(
        r"async def async_step_reconfigure\(", "config_flow.py"
    ),
    "runtime-data": lambda: _code_mentions(r"\.runtime_data\b", "__init__.py"),
    "test-before-setup": lambda: _code_mentions(
        r"ConfigEntryNotReady|ConfigEntryError|async_config_entry_first_refresh",
        "__init__.py",
    ),
    "unique-config-entry": lambda: (
        manifest().get("single_config_entry") is True
        or _code_mentions(r"async_set_unique_id\(", "config_flow.py")
    ),
}


def test_quality_scale() -> None:
    """quality_scale.yaml states every rule, each with a status and a reason."""
    data = load_yaml_dict(str(INTEGRATION / "quality_scale.yaml"))
    assert set(data) == {"rules"}
    rules = data["rules"]
    assert isinstance(rules, dict)
    assert sorted(QUALITY_SCALE_RULES - set(rules)) == [], "missing rules"
    assert sorted(set(rules) - QUALITY_SCALE_RULES) == [], "unknown rules"
    problems = []
    for rule, value in rules.items():
        entry = value if isinstance(value, dict) else {"status": value}
        status = entry.get("status")
        if set(entry) - {"status", "comment"}:
            problems.append(f"{rule}: only status and comment are allowed")
        if status not in QUALITY_SCALE_STATUSES:
            problems.append(f"{rule}: status {status!r}")
            continue
        comment = entry.get("comment")
        if status != "done" and not (isinstance(comment, str) and comment.strip()):
            problems.append(f"{rule}: {status} needs a comment saying why")
        if comment is not None and not isinstance(comment, str):
            problems.append(f"{rule}: the comment is not text")
        if status == "done" and rule.startswith("docs-"):
            if not (ROOT / "README.md").is_file():
                problems.append(f"{rule}: done, but there is no README.md")
        if status == "done" and (evidence := DONE_RULE_EVIDENCE.get(rule)):
            if not evidence():
                problems.append(f"{rule}: done, but the code does not show it")
    assert problems == []


# Brand images


@dataclass
class Png:
    """A decoded 8-bit RGBA PNG."""

    width: int
    height: int
    bit_depth: int
    color_type: int
    interlace: int
    rows: list[bytes]

    def alpha(self, x: int, y: int) -> int:
        """Return a pixel's alpha."""
        return self.rows[y][x * 4 + 3]


def _paeth(left: int, up: int, up_left: int) -> int:
    estimate = left + up - up_left
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - up_left))
    return (left, up, up_left)[distances.index(min(distances))]


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> list[bytes]:
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    offset = 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            predictor = (
                0,
                left,
                up,
                (left + up) // 2,
                _paeth(left, up, up_left),
            )[kind]
            line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    assert offset == len(raw), "trailing image data"
    return rows


def read_png(path: Path) -> Png:
    """Decode a PNG with the standard library, checking its structure on the way."""
    blob = path.read_bytes()
    assert blob.startswith(PNG_SIGNATURE), "not a PNG"
    offset = len(PNG_SIGNATURE)
    chunks: list[tuple[bytes, bytes]] = []
    while offset < len(blob):
        (length,) = struct.unpack_from(">I", blob, offset)
        kind = blob[offset + 4 : offset + 8]
        data = blob[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack_from(">I", blob, offset + 8 + length)
        assert zlib.crc32(kind + data) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, data))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert len(chunks[0][1]) == 13
    assert chunks[-1][0] == b"IEND"
    width, height, bit_depth, color_type, _, _, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    png = Png(width, height, bit_depth, color_type, interlace, [])
    if (bit_depth, color_type, interlace) == (8, 6, 0):
        raw = zlib.decompress(
            b"".join(data for kind, data in chunks if kind == b"IDAT")
        )
        png.rows = _unfilter(raw, width, height, 4)
    return png


def test_brand_images() -> None:
    """brand/ holds only images Home Assistant serves; icons follow the brands rules."""
    from homeassistant.components.brands.const import ALLOWED_IMAGES

    brand = INTEGRATION / "brand"
    assert (brand / "icon.png").is_file()
    files = sorted(path.name for path in brand.iterdir())
    assert [name for name in files if name not in ALLOWED_IMAGES] == []
    for name in files:
        png = read_png(brand / name)
        if name not in BRAND_ICON_SIZES:
            continue
        size = BRAND_ICON_SIZES[name]
        assert (png.width, png.height) == (size, size), name
        # 8-bit RGBA, not interlaced (the only kind this test decodes).
        assert (png.bit_depth, png.color_type, png.interlace) == (8, 6, 0), name
        last = size - 1
        corners = [png.alpha(x, y) for x in (0, last) for y in (0, last)]
        assert corners == [0, 0, 0, 0], f"{name}: background is not transparent"
        # Trimmed: the artwork reaches every edge, with no padding around it.
        edges = {
            "top": any(png.alpha(x, 0) for x in range(size)),
            "bottom": any(png.alpha(x, last) for x in range(size)),
            "left": any(png.alpha(0, y) for y in range(size)),
            "right": any(png.alpha(last, y) for y in range(size)),
        }
        assert [edge for edge, touched in edges.items() if not touched] == [], name
        assert png.alpha(size // 2, size // 2) == 255, f"{name}: nothing drawn"


# The repository


def tracked_text_files() -> Iterator[tuple[str, str]]:
    """Yield every text file git tracks, with its content."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if not path.is_file():
            continue
        blob = path.read_bytes()
        if b"\0" in blob[:8192]:
            continue
        yield name, blob.decode("utf-8", errors="replace")


def test_no_machine_paths_or_registry_hosts() -> None:
    """No tracked file names this machine's directories or a package registry host."""
    parent = str(ROOT.parent)
    patterns = [re.compile(re.escape(host)) for host in REGISTRY_HOSTS]
    if parent != ROOT.anchor:
        # A boundary after the path, so that e.g. ".github/workflows" is no match.
        patterns.append(re.compile(re.escape(parent) + r"(?![\w.-])"))
    found = [
        f"{name}: {match.group()}"
        for name, text in tracked_text_files()
        for pattern in patterns
        for match in pattern.finditer(text)
    ]
    assert found == []


# Blueprints


def _blueprint_schema(domain: str) -> Callable[[Any], Any]:
    if domain == "automation":
        from homeassistant.components.automation.config import (
            AUTOMATION_BLUEPRINT_SCHEMA,
        )

        return AUTOMATION_BLUEPRINT_SCHEMA
    if domain == "template":
        from homeassistant.components.template.config import TEMPLATE_BLUEPRINT_SCHEMA

        return TEMPLATE_BLUEPRINT_SCHEMA
    from homeassistant.components.blueprint.schemas import BLUEPRINT_SCHEMA

    return BLUEPRINT_SCHEMA


def test_blueprints() -> None:
    """Every blueprint we ship parses with Home Assistant's blueprint schema."""
    from homeassistant.components.blueprint.models import Blueprint

    root = INTEGRATION / "blueprints"
    assert root.is_dir()
    problems = []
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(root)
        # blueprints/<automation|script|template>/ev_charge_control/<name>.yaml
        if (
            len(relative.parts) != 3
            or relative.parts[0] not in {"automation", "script", "template"}
            or relative.parts[1] != DOMAIN
            or path.suffix != ".yaml"
        ):
            problems.append(f"{relative}: not <domain>/{DOMAIN}/<name>.yaml")
            continue
        domain = relative.parts[0]
        try:
            blueprint = Blueprint(
                load_yaml_dict(str(path)),
                path=str(relative),
                expected_domain=domain,
                schema=_blueprint_schema(domain),
            )
        except Exception as err:  # noqa: BLE001 - report every broken blueprint
            problems.append(f"{relative}: {err}")
            continue
        problems.extend(f"{relative}: {error}" for error in blueprint.validate() or [])
    assert problems == []
