"""The blueprints shipped with the integration, installed into the user's config."""

from __future__ import annotations

from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant

from .const import LOGGER

SHIPPED = Path(__file__).parent / "blueprints"


def copy_missing_blueprints(source: Path, destination: Path) -> list[Path]:
    """Copy each shipped blueprint the user does not have yet; return the copies.

    A blueprint already there is never overwritten: the user may have edited it,
    and what the user set is not ours to lose.
    """
    copied: list[Path] = []
    for blueprint in sorted(source.rglob("*.yaml")):
        target = destination / blueprint.relative_to(source)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(blueprint, target)
        copied.append(target)
    return copied


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Install the shipped blueprints into <config>/blueprints."""
    copied = await hass.async_add_executor_job(
        copy_missing_blueprints, SHIPPED, Path(hass.config.path("blueprints"))
    )
    for path in copied:
        LOGGER.info("Installed the blueprint %s", path.name)
