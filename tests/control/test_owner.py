"""The owner's precedence and its lock, with plain values (no Home Assistant)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import itertools

import pytest

from custom_components.ev_charge_control.control.failsafe import BACKOFF_S, backoff_s
from custom_components.ev_charge_control.control.owner import (
    PRECEDENCE,
    Claim,
    Controller,
    DeviceOwner,
    HeldError,
    outranks,
)

# A real timestamp, not 0: the claims compare aware datetimes.
T0 = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _claim(controller: Controller, minutes: float | None = None) -> Claim:
    return Claim(
        controller=controller,
        reason=controller.value,
        since=T0,
        until=None if minutes is None else T0 + timedelta(minutes=minutes),
    )


def test_the_person_outranks_everyone_and_the_app_no_one() -> None:
    """The order is the design's: you > charge now > smart > energy > app."""
    assert PRECEDENCE == (
        Controller.YOU,
        Controller.CHARGE_NOW,
        Controller.SMART_CHARGING,
        Controller.ENERGY_MODE,
        Controller.APP,
    )
    for stronger, weaker in itertools.pairwise(PRECEDENCE):
        assert outranks(stronger, weaker)
        assert not outranks(weaker, stronger)
    assert not outranks(Controller.YOU, Controller.YOU)


@pytest.mark.parametrize("holder", PRECEDENCE[:-1])
def test_only_an_equal_or_stronger_writer_may_command(holder: Controller) -> None:
    """Whoever holds is replaced by its equals and betters, never by the weaker."""
    owner = DeviceOwner("charger", now=Clock())
    owner.hold(_claim(holder))
    for asker in PRECEDENCE:
        assert owner.may(asker) is not outranks(holder, asker), asker


def test_a_timed_claim_holds_until_its_end_and_not_a_second_longer() -> None:
    """At the end the app has the device again, whoever held it."""
    clock = Clock()
    owner = DeviceOwner("charger", now=clock)
    owner.hold(_claim(Controller.YOU, minutes=60))
    clock.now = T0 + timedelta(minutes=60) - timedelta(seconds=1)
    assert owner.controller is Controller.YOU
    assert not owner.may(Controller.SMART_CHARGING)
    clock.now = T0 + timedelta(minutes=60)
    assert owner.controller is Controller.APP
    assert owner.claim is None
    assert owner.may(Controller.ENERGY_MODE)


def test_release_counts_only_for_the_holder() -> None:
    """Smart charging letting go does not end a person's command."""
    owner = DeviceOwner("car", now=Clock())
    owner.hold(_claim(Controller.YOU))
    assert not owner.release(Controller.SMART_CHARGING)
    assert owner.controller is Controller.YOU
    assert owner.release(Controller.YOU)
    assert owner.controller is Controller.APP
    assert not owner.release()


def test_charge_now_hands_over_to_smart_charging_as_it_is() -> None:
    """The claim keeps its reason and times; only who holds it changes."""
    owner = DeviceOwner("car", now=Clock())
    claim = _claim(Controller.CHARGE_NOW, minutes=30)
    owner.hold(claim)
    assert not owner.hand_over(Controller.SMART_CHARGING, Controller.ENERGY_MODE)
    assert owner.hand_over(Controller.CHARGE_NOW, Controller.SMART_CHARGING)
    held = owner.claim
    assert held is not None
    assert held.controller is Controller.SMART_CHARGING
    assert (held.reason, held.since, held.until) == (
        claim.reason,
        claim.since,
        claim.until,
    )


def test_listeners_hear_every_change_of_holder() -> None:
    """The Controlled by sensor and smart charging follow the owner."""
    owner = DeviceOwner("car", now=Clock())
    heard: list[Controller] = []
    remove = owner.add_listener(lambda: heard.append(owner.controller))
    owner.hold(_claim(Controller.SMART_CHARGING))
    owner.hold(_claim(Controller.YOU))
    owner.release(Controller.YOU)
    remove()
    owner.hold(_claim(Controller.YOU))
    assert heard == [Controller.SMART_CHARGING, Controller.YOU, Controller.APP]


def test_claims_round_trip_through_storage() -> None:
    """A stored claim comes back the same, times included."""
    claim = _claim(Controller.YOU, minutes=90)
    assert Claim.from_dict(claim.as_dict()) == claim
    untimed = _claim(Controller.SMART_CHARGING)
    assert Claim.from_dict(untimed.as_dict()) == untimed


async def test_a_weaker_writer_is_refused_before_anything_is_sent() -> None:
    """HeldError names the holder; the command's body never runs."""
    owner = DeviceOwner("charger", now=Clock())
    owner.hold(_claim(Controller.YOU, minutes=60))
    ran = False
    with pytest.raises(HeldError) as err:
        async with owner.command(Controller.SMART_CHARGING):
            ran = True
    assert not ran
    assert err.value.holder.controller is Controller.YOU
    assert "smart_charging steps back" in str(err.value)


async def test_the_holder_is_checked_again_once_the_lock_is_ours() -> None:
    """A person who takes over while smart charging waits for the lock wins."""
    owner = DeviceOwner("charger", now=Clock())
    order: list[str] = []
    smart_waits = asyncio.Event()

    async def person() -> None:
        async with owner.command(Controller.YOU):
            order.append("person starts")
            await smart_waits.wait()
            # The person's claim lands while smart charging waits for the lock.
            owner.hold(_claim(Controller.YOU))
            order.append("person ends")

    async def attempt() -> None:
        async with owner.command(Controller.SMART_CHARGING):
            order.append("smart ran")

    async def smart() -> None:
        # Nobody holds the charger yet: the first check lets it wait for the lock.
        assert owner.may(Controller.SMART_CHARGING)
        waiting = asyncio.ensure_future(attempt())
        await asyncio.sleep(0)
        smart_waits.set()
        with pytest.raises(HeldError):
            await waiting

    await asyncio.gather(person(), smart())
    assert order == ["person starts", "person ends"]


async def test_sequences_never_interleave() -> None:
    """Two commands of equal rank run one after the other, whole."""
    owner = DeviceOwner("charger", now=Clock())
    steps: list[str] = []

    async def command(name: str) -> None:
        async with owner.command(Controller.YOU):
            steps.append(f"{name} 1")
            await asyncio.sleep(0)
            steps.append(f"{name} 2")

    await asyncio.gather(command("a"), command("b"))
    assert steps in (["a 1", "a 2", "b 1", "b 2"], ["b 1", "b 2", "a 1", "a 2"])


def test_the_fail_safe_backs_off_to_half_a_minute() -> None:
    """Quick at first, then every 30 s: a confirmation within a minute of an answer."""
    assert [backoff_s(n) for n in range(1, 8)] == [2, 4, 8, 16, 30, 30, 30]
    assert max(BACKOFF_S) <= 30
    assert sum(BACKOFF_S[:4]) < 60
