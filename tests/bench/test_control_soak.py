"""The control soak's checker cannot pass blind: each invariant, broken on purpose, is reported.

The checker is fed plain facts first (no Home Assistant), then the real soak runs a
short scripted world twice over: clean, where nothing may be reported, and once per
invariant with one thing broken (the world, or the integration patched), where that
invariant must be. A sabotage test and the clean run share one script, so removing
a sabotage leaves the clean run, which reports nothing: the test then fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest

from bench.control_soak import (
    GRACE_I1_S,
    GRACE_I2_S,
    GRACE_I3_S,
    QUASAR_ENTRY_ID,
    START,
    Ask,
    BehaviourResult,
    Checker,
    Reading,
    Scripted,
    World,
    soak,
)
from custom_components.ev_charge_control.control.failsafe import FailSafe
from custom_components.ev_charge_control.control.owner import DeviceOwner
from custom_components.ev_charge_control.quasar.coordinator import QuasarCoordinator
from custom_components.ev_charge_control.smart.settings import CarSettings
from simulators.quasar import IdleBehaviour, QuasarStatus


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Start no Home Assistant of the plugin's: the soak starts (and restarts) its own."""


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Leave the loop's debug mode off.

    A soak turns the loop over some hundred thousand times, and debug mode's
    bookkeeping makes that four times slower; an exception out of a task is seen
    without it (the soak's own I4).
    """


# --- the checker alone ---------------------------------------------------------------


def _reading(at_s: float, **changes: Any) -> Reading:
    values: dict[str, Any] = {
        "at": START + timedelta(seconds=at_s),
        "answering": True,
        "remote": True,
        "setpoint_a": 16,
        "status": QuasarStatus.CHARGING,
        "power_w": 3680,
        "car": True,
        "handed_back": False,
    }
    values.update(changes)
    return Reading(**values)


def _at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_checker_discharge_needs_a_live_request() -> None:
    """A discharge nobody asked for is I1 at once; an asked one until a grace after its end."""
    checker = Checker()
    discharging = {
        "setpoint_a": -10,
        "power_w": -2300,
        "status": QuasarStatus.DISCHARGING,
    }
    checker.observe(_reading(0, **discharging))
    assert checker.violations["I1"] == 1
    # Counted once while it lasts.
    checker.observe(_reading(30, **discharging))
    assert checker.violations["I1"] == 1

    checker = Checker()
    ask = Ask(
        what="discharge", since=_at(0), until=_at(600), setpoint_a=-10, running=True
    )
    checker.asked(_at(0), ask, ok=True)
    for second in range(0, 600 + int(GRACE_I1_S), 30):
        checker.observe(_reading(second, **discharging))
    assert checker.violations["I1"] == 0
    checker.observe(_reading(600 + GRACE_I1_S + 30, **discharging))
    assert checker.violations["I1"] == 1


def test_checker_untimed_discharge_does_not_outlive_a_gap() -> None:
    """After a restart, outage or reboot, only a timed discharge still asks."""
    discharging = {
        "setpoint_a": -10,
        "power_w": -2300,
        "status": QuasarStatus.DISCHARGING,
    }
    for until, reported in ((None, 1), (_at(3600), 0)):
        checker = Checker()
        ask = Ask(
            what="discharge", since=_at(0), until=until, setpoint_a=-10, running=True
        )
        checker.asked(_at(0), ask, ok=True)
        checker.gap(_at(60))
        for second in range(60, 400, 30):
            checker.observe(_reading(second, **discharging))
        assert checker.violations["I1"] == reported


def test_checker_hand_back_is_due_at_the_end() -> None:
    """A timed command's end owes a hand-back within the grace; a write of 0x51 = 0 pays it."""
    for handed_back_at, reported in ((630, 0), (None, 1)):
        checker = Checker()
        ask = Ask(
            what="hold", since=_at(0), until=_at(600), setpoint_a=16, running=True
        )
        checker.asked(_at(0), ask, ok=True)
        for second in range(0, 600 + int(GRACE_I2_S) * 2, 30):
            checker.observe(_reading(second, handed_back=second == handed_back_at))
        assert checker.violations["I2"] == reported


def test_checker_person_s_command_is_kept_after_a_grace() -> None:
    """A stop of a person's 16 A is I3 once the grace passed; not during a fault."""
    checker = Checker()
    ask = Ask(what="hold", since=_at(0), until=_at(3600), setpoint_a=16, running=True)
    checker.asked(_at(0), ask, ok=True)
    paused = {"status": QuasarStatus.PAUSED, "power_w": 0}
    # The charger is away: nothing is judged, and the grace starts again after.
    for second in range(0, 600, 30):
        checker.observe(_reading(second, answering=False, **paused))
    for second in range(600, 600 + int(GRACE_I3_S), 30):
        checker.observe(_reading(second, **paused))
    assert checker.violations["I3"] == 0
    checker.observe(_reading(600 + GRACE_I3_S + 30, **paused))
    assert checker.violations["I3"] == 1


def test_checker_failed_command_leaves_the_earlier_one_stopped() -> None:
    """A command that failed: the person's earlier command holds, stopped at 0 A."""
    checker = Checker()
    ask = Ask(what="hold", since=_at(0), until=_at(3600), setpoint_a=16, running=True)
    checker.asked(_at(0), ask, ok=True)
    checker.asked(
        _at(60),
        Ask(what="discharge", since=_at(60), setpoint_a=-10, running=True),
        ok=False,
    )
    assert checker.ask is not None
    assert (checker.ask.setpoint_a, checker.ask.running, checker.ask.until) == (
        0,
        False,
        _at(3600),
    )
    # Charging on is now what overrides it.
    for second in range(60, 300, 30):
        checker.observe(_reading(second))
    assert checker.violations["I3"] == 1


def test_checker_settings_must_survive() -> None:
    """A setting that differs after a restart is I5, once per setting."""
    checker = Checker()
    checker.compare(
        _at(0),
        "a restart",
        {"limit": 60.0, "floor": 20.0},
        {"limit": 80.0, "floor": 20.0},
    )
    assert checker.violations["I5"] == 1
    assert checker.checks["I5"] == 2


# --- the real soak, scripted -----------------------------------------------------


async def _hold_16_a(world: World) -> None:
    await world.set_current(16, 40)


async def _limit_below_the_car(world: World) -> None:
    # Smart charging now wants the charge stopped: it must step back from the hold.
    await world.set_limits(60, 20)


async def _outage(world: World) -> None:
    world.outage(200)


async def _discharge_for_a_while(world: World) -> None:
    await world.set_current(-10, 15)


async def _restart(world: World) -> None:
    await world.restart(30)


async def _reload(world: World) -> None:
    await world.reload(QUASAR_ENTRY_ID)


async def _pause(world: World) -> None:
    await world.pause(10)


async def _charge_until_changed(world: World) -> None:
    await world.set_current(12)


async def _unplug(world: World) -> None:
    world.unplug()


async def _plug(world: World) -> None:
    world.plug()


async def _rogue_discharge(world: World) -> None:
    world.rogue_discharge()


# Two hours that touch every invariant: a person's hold that smart charging must not
# stop, an outage under it, its end, a timed discharge through a restart, a reload, a
# pause, an untimed command that ends as the car leaves.
SCRIPT = (
    Scripted(at_s=5 * 60, name="hold 16 A for 40 min", action=_hold_16_a),
    Scripted(at_s=10 * 60, name="limit 60 %", action=_limit_below_the_car),
    Scripted(at_s=20 * 60, name="outage", action=_outage),
    Scripted(at_s=55 * 60, name="discharge for 15 min", action=_discharge_for_a_while),
    Scripted(at_s=60 * 60, name="restart", action=_restart),
    Scripted(at_s=75 * 60, name="reload", action=_reload),
    Scripted(at_s=80 * 60, name="pause 10 min", action=_pause),
    Scripted(at_s=95 * 60, name="charge until changed", action=_charge_until_changed),
    Scripted(at_s=100 * 60, name="car leaves", action=_unplug),
    Scripted(at_s=110 * 60, name="car is back", action=_plug),
)
HOURS = 2.0


async def _run(
    freezer: FrozenDateTimeFactory,
    *,
    behaviour: IdleBehaviour = IdleBehaviour.HAND_BACK,
    extra: tuple[Scripted, ...] = (),
) -> BehaviourResult:
    return await soak(
        freezer,
        behaviour=behaviour,
        hours=HOURS,
        random_world=False,
        script=SCRIPT + extra,
        start_soc_pct=70.0,
    )


def _reported(result: BehaviourResult) -> dict[str, int]:
    return {key: count for key, count in result.checker.violations.items() if count}


@pytest.mark.parametrize("behaviour", list(IdleBehaviour))
async def test_a_clean_run_reports_nothing(
    freezer: FrozenDateTimeFactory, socket_enabled: None, behaviour: IdleBehaviour
) -> None:
    """The scripted world, nothing broken: every invariant judged, none violated."""
    result = await _run(freezer, behaviour=behaviour)
    assert _reported(result) == {}, result.checker.examples
    checks = result.checker.checks
    assert all(checks[key] > 0 for key in ("I1", "I2", "I3", "I4", "I5")), checks
    assert result.faults == {"outage": 1, "restart": 1, "reload": 1}


@contextlib.contextmanager
def _no_hand_back() -> Iterator[None]:
    async def run(self: FailSafe, what: str, action: object) -> bool:
        """Take a hand-back (or a stop) as done without sending it."""
        return True

    with patch.object(FailSafe, "async_run", run):
        yield


@contextlib.contextmanager
def _smart_charging_ignores_people() -> Iterator[None]:
    with (
        patch(
            "custom_components.ev_charge_control.smart.controller.stronger_claim",
            return_value=None,
        ),
        patch.object(DeviceOwner, "may", return_value=True),
    ):
        yield


@contextlib.contextmanager
def _action_raises() -> Iterator[None]:
    async def hold(self: QuasarCoordinator, *args: object, **kwargs: object) -> int:
        raise RuntimeError("sabotage")

    with patch.object(QuasarCoordinator, "async_hold", hold):
        yield


@contextlib.contextmanager
def _limit_forgotten_on_restart() -> Iterator[None]:
    original: Callable[[dict[str, Any]], CarSettings] = CarSettings.from_dict

    def from_dict(data: dict[str, Any]) -> CarSettings:
        settings = original(data)
        settings.limit_pct = 80
        return settings

    with patch.object(CarSettings, "from_dict", from_dict):
        yield


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


@pytest.mark.parametrize(
    ("invariant", "sabotage", "extra"),
    [
        pytest.param(
            "I1",
            _nothing,
            (Scripted(at_s=115 * 60, name="rogue discharge", action=_rogue_discharge),),
            id="I1-a-discharge-nobody-asked-for",
        ),
        pytest.param("I2", _no_hand_back, (), id="I2-no-hand-back-at-the-end"),
        pytest.param(
            "I3", _smart_charging_ignores_people, (), id="I3-smart-charging-overrides"
        ),
        pytest.param("I4", _action_raises, (), id="I4-an-action-raises"),
        pytest.param("I5", _limit_forgotten_on_restart, (), id="I5-limit-lost"),
    ],
)
async def test_a_sabotage_is_reported(
    freezer: FrozenDateTimeFactory,
    socket_enabled: None,
    invariant: str,
    sabotage: Callable[[], contextlib.AbstractContextManager[None]],
    extra: tuple[Scripted, ...],
) -> None:
    """The clean script with one thing broken: that invariant is reported."""
    with sabotage():
        result = await _run(freezer, extra=extra)
    assert result.checker.violations[invariant] >= 1, _reported(result)
    assert result.checker.examples[invariant]
