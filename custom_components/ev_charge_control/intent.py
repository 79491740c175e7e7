"""Assist intents: set a car's charge limit, charge it now, ask how its charge goes.

Home Assistant's intent integration loads this platform. The English sentences that
lead here ship in sentences/en/ and are copied into the user's custom_sentences at
setup; an LLM agent or another integration may call the intents directly.

A car is named as its device is (the name the owner gave it, or the car's own),
whatever the case, the spacing or the punctuation: speech-to-text writes "Peugeot
e 208" as readily as "Peugeot e-208".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, override

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, intent
from homeassistant.util import dt as dt_util
import probatio

from .const import DOMAIN
from .policy.planner import WEEKDAY_NAMES
from .policy.smart_charging import PlanState
from .smart import smart_chargers
from .smart.controller import SmartCharger
from .smart.services import check_charge_now_minutes, check_smart_charging_on

INTENT_SET_CHARGE_LIMIT: Final = "EvChargeControlSetChargeLimit"
INTENT_CHARGE_NOW: Final = "EvChargeControlChargeNow"
INTENT_CAR_STATUS: Final = "EvChargeControlCarStatus"

SLOT_NAME: Final = "name"
SLOT_LIMIT: Final = "limit"
SLOT_MINUTES: Final = "minutes"

# Spoken before a name, not part of it: "charge the Peugeot", "how is my Corsa".
ARTICLES: Final = ("the ", "my ", "our ")
# "set the Peugeot e-208's charge limit": the wildcard takes the possessive with the name.
POSSESSIVES: Final = ("'s", "’s")
# What a household with one car calls it.
GENERIC_NAMES: Final = frozenset({"car", "electric car", "ev"})


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents of EV Charge Control."""
    intent.async_register(hass, SetChargeLimitIntent())
    intent.async_register(hass, ChargeNowIntent())
    intent.async_register(hass, CarStatusIntent())


@dataclass(frozen=True, slots=True)
class Car:
    """A car smart charging drives, with the names its owner may call it by."""

    smart: SmartCharger
    name: str
    names: frozenset[str]
    device_id: str | None

    def target(self) -> intent.IntentResponseTarget:
        """Return the car as the target of an intent's answer."""
        return intent.IntentResponseTarget(
            type=intent.IntentResponseTargetType.DEVICE,
            name=self.name,
            id=self.device_id,
        )


def without_article(name: str) -> str:
    """Return a name as said, without extra spaces, article or possessive."""
    text = " ".join(name.split())
    for article in ARTICLES:
        if text.casefold().startswith(article):
            text = text[len(article) :]
            break
    for possessive in POSSESSIVES:
        text = text.removesuffix(possessive)
    return text


def normalize(name: str) -> str:
    """Return a spoken or written name without case, extra spaces or article."""
    return without_article(name).casefold()


def squeeze(name: str) -> str:
    """Return only the letters and digits of a name: "e 208", "e-208" and "E208" agree."""
    return "".join(char for char in normalize(name) if char.isalnum())


def known_cars(hass: HomeAssistant) -> list[Car]:
    """Return every car of a loaded entry, named as its device is."""
    registry = dr.async_get(hass)
    cars: list[Car] = []
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        for smart in smart_chargers(entry):
            own = smart.car.info.name
            device = registry.async_get_device_by_identifier(
                (DOMAIN, smart.vin), entry.entry_id
            )
            names = (
                set()
                if device is None
                else {name for name in (device.name_by_user, device.name) if name}
            )
            cars.append(
                Car(
                    smart=smart,
                    name=(
                        own
                        if device is None
                        else device.name_by_user or device.name or own
                    ),
                    names=frozenset(names or {own}),
                    device_id=None if device is None else device.id,
                )
            )
    return cars


class CarNotMatchedError(intent.MatchFailedError, intent.IntentHandleError):
    """No one car answers to the name said.

    To whoever calls the intent it is an IntentHandleError with a sentence that says
    which cars there are. To the default conversation agent it is a failed match: the
    agent then answers in the user's language with the name that was said, and does
    not log a traceback as it does for other handling errors.
    """

    def __init__(
        self, message: str, reason: intent.MatchFailedReason, name: str
    ) -> None:
        """Say why ``name`` reaches no car."""
        super().__init__(
            result=intent.MatchTargetsResult(
                is_match=False, no_match_reason=reason, no_match_name=name
            ),
            constraints=intent.MatchTargetsConstraints(name=name),
        )
        self.message = message

    @override
    def __str__(self) -> str:
        """Return the sentence."""
        return self.message


def find_car(hass: HomeAssistant, spoken: str, assistant: str | None) -> Car:
    """Return the one car a name means, or say plainly why there is none."""
    cars = known_cars(hass)
    said = without_article(spoken)
    found: list[Car] = []
    # Exact words first; a looser match only when they name no car, so that
    # "Zoe" and "Zoé 2" stay apart when both exist.
    for key in (normalize, squeeze):
        wanted = key(spoken)
        found = [car for car in cars if wanted in {key(name) for name in car.names}]
        if found:
            break
    else:
        if normalize(spoken) in GENERIC_NAMES:
            found = cars
    if not found:
        known = ", ".join(sorted(car.name for car in cars)) or "none"
        raise CarNotMatchedError(
            f"No car of EV Charge Control is called {said}; its cars: {known}",
            intent.MatchFailedReason.NAME,
            said,
        )
    if len(found) > 1:
        raise CarNotMatchedError(
            f"{len(found)} cars could be called {said} "
            f"({', '.join(sorted(car.name for car in found))}): "
            "say the whole name, or rename one of them",
            intent.MatchFailedReason.DUPLICATE_NAME,
            said,
        )
    car = found[0]
    if assistant is not None and not is_exposed(hass, car, assistant):
        raise CarNotMatchedError(
            f"{car.name} is not exposed to {assistant}: expose one of its entities "
            "(its Smart charging switch, for example) to let voice reach it",
            intent.MatchFailedReason.ASSISTANT,
            car.name,
        )
    return car


def is_exposed(hass: HomeAssistant, car: Car, assistant: str) -> bool:
    """Return whether the owner lets the assistant reach the car.

    Assist reaches what is exposed to it; a car whose every entity the owner kept
    from it is not for voice to change either.
    """
    if car.device_id is None:
        return False
    return any(
        async_should_expose(hass, assistant, entry.entity_id)
        for entry in er.async_entries_for_device(er.async_get(hass), car.device_id)
    )


def refused(
    intent_obj: intent.Intent, err: ServiceValidationError
) -> intent.IntentResponse:
    """Answer with the words the action would have refused with; nothing changed.

    An error answer keeps its speech through the conversation agent, where a raised
    error would be replaced by a generic sentence.
    """
    response = intent_obj.create_response()
    response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, str(err))
    return response


def when(moment: datetime, now: datetime) -> str:
    """Say a time of day, with its day when it is not today."""
    local = dt_util.as_local(moment)
    clock = local.strftime("%H:%M")
    days = (local.date() - dt_util.as_local(now).date()).days
    if days == 0:
        return clock
    if days == 1:
        return f"{clock} tomorrow"
    if days == -1:
        return f"{clock} yesterday"
    if 1 < days < 7:
        return f"{clock} on {WEEKDAY_NAMES[local.weekday()]}"
    return f"{clock} on {local.date().isoformat()}"


class CarIntent(intent.IntentHandler):
    """An intent about one car, named in the ``name`` slot."""

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        """Return the slots this intent takes."""
        return {probatio.Required(SLOT_NAME): intent.non_empty_string}

    def car(self, intent_obj: intent.Intent) -> tuple[Car, dict[str, Any]]:
        """Return the car the intent names, and its validated slots."""
        slots = self.async_validate_slots(intent_obj.slots)
        return (
            find_car(intent_obj.hass, slots[SLOT_NAME]["value"], intent_obj.assistant),
            slots,
        )


class SetChargeLimitIntent(CarIntent):
    """Set the percentage a car's charge stops at."""

    intent_type = INTENT_SET_CHARGE_LIMIT
    description = "Sets the battery percentage an electric car's charge stops at"

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        """Return the car and the limit, a whole percentage."""
        return {
            **super().slot_schema,
            probatio.Required(SLOT_LIMIT): probatio.Coerce(int),
        }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Set the limit, or say why it cannot be."""
        car, slots = self.car(intent_obj)
        limit: int = slots[SLOT_LIMIT]["value"]
        try:
            await car.smart.async_set_limits(limit_pct=limit)
        except ServiceValidationError as err:
            return refused(intent_obj, err)
        response = intent_obj.create_response()
        response.async_set_results([car.target()])
        response.async_set_speech(f"{car.name} will charge up to {limit} %.")
        return response


class ChargeNowIntent(CarIntent):
    """Charge a car at once, up to its limit or for some minutes."""

    intent_type = INTENT_CHARGE_NOW
    description = (
        "Charges an electric car at once, up to its charge limit or for some minutes,"
        " then lets its charging plan take over again"
    )

    @property
    @override
    def slot_schema(self) -> dict[Any, Any]:
        """Return the car and, optionally, for how many minutes to charge it."""
        return {
            **super().slot_schema,
            probatio.Optional(SLOT_MINUTES): probatio.Coerce(int),
        }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Start the charge now, or say why it will not run."""
        car, slots = self.car(intent_obj)
        minutes: int | None = slots.get(SLOT_MINUTES, {}).get("value")
        smart = car.smart
        try:
            check_charge_now_minutes(minutes)
            check_smart_charging_on(smart)
            # Refused, with the reason, when it could not charge (unplugged, at its
            # limit, its charger held by a person): saying "charging" would be a lie.
            await smart.async_charge_now(minutes)
        except ServiceValidationError as err:
            return refused(intent_obj, err)
        response = intent_obj.create_response()
        limit = smart.settings.limit_pct
        state = None if smart.decision is None else smart.decision.state
        response.async_set_results([car.target()])
        duration = "" if minutes is None else f" for {minutes} minutes"
        if state is PlanState.DATA_TOO_OLD or state is None:
            response.async_set_speech(
                f"{car.name} will charge{duration} up to {limit} % as soon as it "
                "reports again: its last report is too old to act on."
            )
            return response
        response.async_set_speech(
            f"Charging {car.name} now{duration}, up to {limit} %."
        )
        return response


class CarStatusIntent(CarIntent):
    """Tell how charged a car is and what its charge will do."""

    intent_type = INTENT_CAR_STATUS
    description = (
        "Tells an electric car's estimated battery level, whether it charges, up to"
        " what limit and until when"
    )

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Answer from the car's plan."""
        car, _ = self.car(intent_obj)
        response = intent_obj.create_response()
        response.response_type = intent.IntentResponseType.QUERY_ANSWER
        response.async_set_results([car.target()])
        response.async_set_speech(status_speech(car))
        return response


def status_speech(car: Car) -> str:
    """Say where the car's charge stands, from its plan."""
    smart = car.smart
    name = car.name
    settings = smart.settings
    limit = settings.limit_pct
    decision = smart.decision
    now = dt_util.utcnow()
    estimate = None if decision is None else decision.estimated_soc_pct
    if decision is None or decision.state is PlanState.DATA_TOO_OLD:
        return f"{name}: {no_fresh_battery(smart, now)}"
    about = "" if estimate is None else f"; it is at about {round(estimate)} %"
    # Neither of these needs a fresh battery level, nor waits for one.
    if decision.state is PlanState.SMART_CHARGING_OFF:
        return f"Smart charging is off for {name}{about}."
    if decision.state is PlanState.NOT_PLUGGED:
        return f"{name} is not plugged in{about}."
    if estimate is None:
        return f"{name}: {no_fresh_battery(smart, now)}"
    soc = f"{name} is at about {round(estimate)} %"
    if settings.enabled and (held := smart.held_by) is not None:
        # A person's own command holds the car or its charger: the plan waits.
        until = (
            "until it is unplugged or you change it"
            if held.until is None
            else f"until {when(held.until, now)}"
        )
        return (
            f"{soc}. You took over its charging yourself, so smart charging "
            f"waits {until}."
        )
    done = decision.expected_end or decision.stop_at
    done_at = "" if done is None else f", done around {when(done, now)}"
    match decision.state:
        case PlanState.LIMIT_REACHED:
            return f"{soc}: its limit of {limit} % is reached."
        case PlanState.BELOW_FLOOR_CHARGING:
            return (
                f"{soc}, below its floor of {settings.floor_pct} %: "
                f"charging until {limit} %{done_at}."
            )
        case PlanState.CHARGING_NOW:
            charge_now = settings.charge_now
            until = (
                ""
                if charge_now is None or charge_now.until is None
                else f" until {when(charge_now.until, now)} or"
            )
            return f"{soc}, charging now{until} until {limit} %{done_at}."
        case PlanState.WAITING_FOR_OFF_PEAK:
            start = decision.next_start
            starts = "" if start is None else f" from {when(start, now)}"
            return (
                f"{soc}, waiting for off-peak hours: charging{starts} "
                f"until {limit} %{done_at}."
            )
        case _:
            return f"{soc}, charging until {limit} %{done_at}."


def no_fresh_battery(smart: SmartCharger, now: datetime) -> str:
    """Say that the car's battery level is not known well enough, and since when."""
    state = smart.car.vehicle_state()
    reading = None if state is None else state.battery_level_pct
    if reading is None:
        return "its battery level has not been reported yet."
    return (
        "its last report is too old to say how charged it is "
        f"(it said {round(reading.value)} % at {when(reading.as_of, now)})."
    )
