"""What the integration ships into the user's config: blueprints and Assist sentences.

Home Assistant reads blueprints from <config>/blueprints and the conversation agent's
custom sentences from <config>/custom_sentences/<language>/; neither is read from an
integration's own folder, so both are copied there at setup.
"""

from __future__ import annotations

from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant

from .const import LOGGER

SHIPPED = Path(__file__).parent / "blueprints"
SHIPPED_SENTENCES = Path(__file__).parent / "sentences"
# The conversation integration's domain and its action that drops cached sentences.
CONVERSATION = "conversation"
CONVERSATION_RELOAD = "reload"


def copy_missing(source: Path, destination: Path) -> list[Path]:
    """Copy each shipped YAML file the user does not have yet; return the copies.

    A file already there is never overwritten: the user may have edited it, and
    what the user set is not ours to lose.
    """
    copied: list[Path] = []
    for shipped in sorted(source.rglob("*.yaml")):
        target = destination / shipped.relative_to(source)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shipped, target)
        copied.append(target)
    return copied


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Install the shipped blueprints into <config>/blueprints."""
    copied = await hass.async_add_executor_job(
        copy_missing, SHIPPED, Path(hass.config.path("blueprints"))
    )
    for path in copied:
        LOGGER.info("Installed the blueprint %s", path.name)


async def async_install_sentences(hass: HomeAssistant) -> None:
    """Install the shipped Assist sentences into <config>/custom_sentences.

    The conversation agent loads a language's sentences once and keeps them; if it
    already did (the integration was added while Home Assistant ran), it is asked to
    load them again so that the new ones are understood without a restart.
    """
    copied = await hass.async_add_executor_job(
        copy_missing, SHIPPED_SENTENCES, Path(hass.config.path("custom_sentences"))
    )
    for path in copied:
        LOGGER.info("Installed the Assist sentences %s", path)
    if not hass.services.has_service(CONVERSATION, CONVERSATION_RELOAD):
        return
    # A sentences file lies in the folder of its language.
    for language in sorted({path.parent.name for path in copied}):
        await hass.services.async_call(
            CONVERSATION, CONVERSATION_RELOAD, {"language": language}, blocking=True
        )
