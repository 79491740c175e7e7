"""Tests of the Quasar Modbus driver against the Quasar simulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
import socket
import time
from typing import Any

import pytest

from custom_components.ev_charge_control.drivers.models import (
    ChargerStatus,
    CommandNotVerifiedError,
    ControlMode,
    DeviceProtocolError,
    DeviceUnreachableError,
)
from custom_components.ev_charge_control.drivers.quasar import (
    ChargerTarget,
    QuasarClient,
)
from simulators.battery import Battery
from simulators.clock import ManualClock
from simulators.quasar import QuasarSimulator

# Loopback only. The marker is what pytest-socket reads; the fixture is needed too
# because pytest-homeassistant-custom-component disables sockets again after it.
pytestmark = [pytest.mark.enable_socket, pytest.mark.usefixtures("socket_enabled")]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
IDLE_S = 45

# Longer than the client's timeout; short, since the simulator's handler sleeps it
# out even after the client gave up.
SLOW_REPLY_S = 0.6

TAKE_CONTROL_WRITES = [(0x51, 1), (0x52, 0), (0x53, 0), (0x58, IDLE_S)]


class CorruptingQuasar(QuasarSimulator):
    """A simulator whose registers can read back other than what was written."""

    corrupt: Callable[[int, int], int] | None = None
    # Drop the link before answering a reboot, as a quick-rebooting charger may.
    reboot_without_reply = False

    def _reboot(self) -> None:
        super()._reboot()
        if self.reboot_without_reply:
            self.drop_connections()

    def _register_values(self) -> dict[int, int]:
        values = super()._register_values()
        if self.corrupt is not None:
            for addr, raw in values.items():
                signed = raw - 0x10000 if raw & 0x8000 else raw
                values[addr] = self.corrupt(addr, signed) & 0xFFFF
        return values


def make_client(port: int, **kwargs: Any) -> QuasarClient:
    """Return a client for the simulator, with a short timeout and a fixed clock."""
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("idle_timeout_s", IDLE_S)
    return QuasarClient("127.0.0.1", port, now=lambda: NOW, **kwargs)


async def let_simulator_finish() -> None:
    """Wait until the simulator has answered the request the client abandoned.

    Its handler sleeps ``delay_s`` whatever happens to the connection; ending the
    test before it wakes would leave that task behind.
    """
    await asyncio.sleep(SLOW_REPLY_S)


@pytest.fixture
def clock() -> ManualClock:
    """Return the simulator's clock: simulated time only moves when told."""
    return ManualClock(1000.0)


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[CorruptingQuasar]:
    """Run a Quasar with a car at 60 % on an ephemeral loopback port."""
    simulator = CorruptingQuasar(battery=Battery(52.0, 60.0), clock=clock)
    await simulator.start("127.0.0.1", 0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def client(sim: QuasarSimulator) -> AsyncIterator[QuasarClient]:
    """Return a driver connected to the simulator."""
    quasar = make_client(sim.port)
    await quasar.connect()
    yield quasar
    await quasar.close()


async def test_identity() -> None:
    """The serial is hi << 16 | lo in decimal, the firmware is register 1."""
    async with QuasarSimulator(serial="4000000123", firmware=612) as sim:
        quasar = make_client(sim.port)
        identity = await quasar.read_identity()
        await quasar.close()
    assert identity.serial == "4000000123"
    assert identity.firmware == 612


async def test_read_state_idle_in_three_requests(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """A poll is three block reads and decodes the charger at rest."""
    before = sim.requests
    state = await client.read_state()
    assert sim.requests - before == 3
    assert state.as_of == NOW
    assert state.control is ControlMode.USER
    assert state.autostart is True
    assert state.idle_timeout_s == 0
    assert state.locked is False
    assert state.max_available_current_a == 32
    assert state.max_available_power_w == 7360
    assert state.voltage_v == 230
    assert state.error_codes == (0, 0, 0, 0)


async def test_as_of_defaults_to_utc_now(sim: QuasarSimulator) -> None:
    """Without an injected clock a snapshot is stamped with the UTC time."""
    quasar = QuasarClient("127.0.0.1", sim.port, timeout=1.0)
    before = datetime.now(UTC)
    state = await quasar.read_state()
    await quasar.close()
    assert before <= state.as_of <= datetime.now(UTC)
    assert state.as_of.tzinfo is UTC


async def test_read_state_while_discharging(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """Negative setpoint, current and power come out negative."""
    assert await client.set_current(-10) == -10
    await client.start()
    state = await client.read_state()
    assert state.status is ChargerStatus.DISCHARGING
    assert state.control is ControlMode.REMOTE
    assert state.autostart is False
    assert state.idle_timeout_s == IDLE_S
    assert state.current_setpoint_a == -10
    assert state.current_a == -10
    assert state.power_w == -2300
    assert state.car_soc_pct == 60
    assert state.car_connected


async def test_read_state_error_codes(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """Error codes are four signed registers; the status says ERROR."""
    sim.set_error((12, -3, 0, 32767))
    state = await client.read_state()
    assert state.status is ChargerStatus.ERROR
    assert state.error_codes == (12, -3, 0, 32767)


async def test_take_control_sequence(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """Control, no autostart, current setpoint, idle timeout: in that order."""
    await client.take_control()
    assert sim.writes == TAKE_CONTROL_WRITES
    assert sim.read_register(0x51) == 1
    assert sim.read_register(0x52) == 0
    assert sim.read_register(0x53) == 0
    assert sim.read_register(0x58) == IDLE_S


async def test_idle_timeout_is_the_dead_mans_switch(
    sim: QuasarSimulator, client: QuasarClient, clock: ManualClock
) -> None:
    """The timeout written makes the charger give control back when we go quiet."""
    await client.set_current(-16)
    await client.start()
    clock.advance(IDLE_S - 1)
    assert sim.read_register(0x51) == 1
    clock.advance(2)
    assert sim.read_register(0x51) == 0
    assert sim.read_register(0x102) == 0
    assert sim.idle_timeout_fired == 1


async def test_release_control(sim: QuasarSimulator, client: QuasarClient) -> None:
    """Setpoint 0 first, then control back to the user."""
    await client.set_current(-8)
    sim.writes.clear()
    await client.release_control()
    assert sim.writes == [(0x102, 0), (0x51, 0)]
    assert sim.read_register(0x51) == 0
    assert sim.read_register(0x102) == 0
    # Already the user's: nothing to write (the charger would refuse it anyway).
    sim.writes.clear()
    await client.release_control()
    assert sim.writes == []


async def test_release_control_keeps_control_if_setpoint_not_zeroed(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """Without a confirmed 0 we keep control, so the idle timeout still applies."""
    await client.set_current(-8)
    sim.corrupt = lambda addr, value: -8 if addr == 0x102 else value
    with pytest.raises(CommandNotVerifiedError) as err:
        await client.release_control()
    assert (err.value.what, err.value.wanted, err.value.got) == (
        "current setpoint",
        0,
        -8,
    )
    assert sim.read_register(0x51) == 1
    assert (0x51, 0) not in sim.writes


async def test_release_control_zeroes_a_power_setpoint(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """If the charger was switched to power setpoints, that one is zeroed too."""
    await client.take_control()
    other = make_client(sim.port)
    await other._run(lambda: other._write(0x53, 1, "setpoint type"))
    await other._run(lambda: other._write(0x104, -2000, "power setpoint"))
    await other.close()
    sim.writes.clear()
    await client.release_control()
    assert sim.writes == [(0x102, 0), (0x104, 0), (0x51, 0)]


async def test_ensure_idle_timeout(sim: QuasarSimulator, client: QuasarClient) -> None:
    """The timeout is rewritten only when we hold control and it differs."""
    await client.ensure_idle_timeout()
    assert sim.writes == []  # user control: not ours to change
    await client.take_control()
    sim.writes.clear()
    await client.ensure_idle_timeout()
    assert sim.writes == []  # already right
    client.idle_timeout_s = 90
    await client.ensure_idle_timeout()
    assert sim.writes == [(0x58, 90)]
    assert sim.read_register(0x58) == 90


async def test_commands_take_control_first(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """start/stop/lock work from user control, and do not retake it needlessly."""
    await client.start()
    assert sim.writes == [*TAKE_CONTROL_WRITES, (0x101, 1)]
    await client.stop()
    await client.set_lock(True)
    assert sim.writes[len(TAKE_CONTROL_WRITES) + 1 :] == [(0x101, 2), (0x100, 1)]
    assert sim.read_register(0x100) == 1
    state = await client.read_state()
    assert state.locked is True
    assert state.status is ChargerStatus.PAUSED
    await client.set_lock(False)
    assert sim.read_register(0x100) == 0


async def test_command_repairs_settings_changed_behind_our_back(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """If someone switched to power setpoints, a current setpoint switches back."""
    await client.take_control()
    other = make_client(sim.port)
    await other._run(lambda: other._write(0x53, 1, "setpoint type"))
    await other.close()
    sim.writes.clear()
    await client.set_current(6)
    assert sim.writes == [(0x53, 0), (0x102, 6)]


@pytest.mark.parametrize(
    ("max_a", "asked", "written"),
    [(16, 32, 16), (16, -40, -16), (16, 10, 10), (16, -10, -10)],
)
async def test_set_current_is_clamped(
    clock: ManualClock, max_a: int, asked: int, written: int
) -> None:
    """The setpoint never exceeds the charger's reported maximum, either way."""
    async with QuasarSimulator(max_current_a=max_a, clock=clock) as sim:
        quasar = make_client(sim.port)
        assert await quasar.set_current(asked) == written
        assert sim.read_register(0x102) == written
        await quasar.close()


async def test_clamp_reads_the_maximum_at_call_time(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """A maximum lowered by power sharing applies to the next setpoint."""
    assert await client.set_current(20) == 20
    sim.set_max_current(6)
    assert await client.set_current(20) == 6
    assert sim.read_register(0x102) == 6


async def test_set_current_mismatch_raises(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A setpoint that reads back otherwise is not reported as done."""
    sim.corrupt = lambda addr, value: value - 1 if addr == 0x102 else value
    with pytest.raises(CommandNotVerifiedError) as err:
        await client.set_current(10)
    assert (err.value.wanted, err.value.got) == (10, 9)
    # A charging setpoint is not undone: only discharge is made safe.
    assert sim.writes[-1] == (0x102, 10)


async def test_unverified_discharge_falls_back_to_zero(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A discharge setpoint that cannot be confirmed is replaced by 0."""
    sim.corrupt = lambda addr, value: (
        value + 1 if addr == 0x102 and value < 0 else value
    )
    with pytest.raises(CommandNotVerifiedError) as err:
        await client.set_current(-12)
    assert (err.value.wanted, err.value.got) == (-12, -11)
    assert sim.writes[-2:] == [(0x102, -12), (0x102, 0)]
    assert sim.read_register(0x102) == 0


async def test_failed_fallback_reports_the_original_error(
    sim: CorruptingQuasar, client: QuasarClient, caplog: pytest.LogCaptureFixture
) -> None:
    """If even 0 cannot be confirmed, the caller still learns what it asked for."""
    sim.corrupt = lambda addr, value: -7 if addr == 0x102 else value
    with pytest.raises(CommandNotVerifiedError) as err:
        await client.set_current(-12)
    assert (err.value.wanted, err.value.got) == (-12, -7)
    assert sim.writes[-2:] == [(0x102, -12), (0x102, 0)]
    assert "Could not reset the Quasar's setpoint to 0" in caplog.text


async def test_discharge_refused_falls_back_to_zero(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """A Modbus exception on the discharge write still leads to a 0 attempt."""
    await client.set_current(-5)
    real_write = client._write

    async def refuse_negative(address: int, value: int, what: str) -> None:
        if address == 0x102 and value < 0:
            await real_write(0x7777, 0, what)  # an unmapped register: exception 2
        await real_write(address, value, what)

    client._write = refuse_negative  # type: ignore[method-assign]
    with pytest.raises(DeviceProtocolError):
        await client.set_current(-10)
    assert sim.read_register(0x102) == 0


async def test_exception_reply_is_a_protocol_error(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """The message names the register and the exception code."""
    sim.fail_with_exception = 4
    with pytest.raises(DeviceProtocolError, match=r"0x0051.*exception 4"):
        await client.read_state()
    with pytest.raises(DeviceProtocolError, match=r"0x0051.*exception 4"):
        await client.take_control()
    # The link is still good: the next call needs no reconnect.
    sim.fail_with_exception = None
    assert client.connected
    assert (await client.read_state()).control is ControlMode.USER


async def test_connection_refused() -> None:
    """Nobody listening is DeviceUnreachableError, for connect and for any call."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    quasar = make_client(port)
    with pytest.raises(DeviceUnreachableError):
        await quasar.connect()
    with pytest.raises(DeviceUnreachableError):
        await quasar.read_state()
    assert not quasar.connected


async def test_connection_closed_at_once(sim: QuasarSimulator) -> None:
    """A charger that accepts and closes at once is unreachable too."""
    sim.refuse_connections = True
    quasar = make_client(sim.port)
    with pytest.raises(DeviceUnreachableError):
        await quasar.read_identity()
    sim.refuse_connections = False
    assert (await quasar.read_identity()).serial == "123456"
    await quasar.close()


@pytest.mark.parametrize("settle", [False, True])
async def test_reconnect_after_drop(
    sim: QuasarSimulator, client: QuasarClient, settle: bool
) -> None:
    """After the charger drops the link the next call reconnects by itself.

    Without settling, the call may find the link dead only when it sends: that
    request never reached the charger, so it is retried on a new link.
    """
    await client.take_control()
    sim.drop_connections()
    if settle:
        await asyncio.sleep(0.05)
    state = await client.read_state()
    assert state.control is ControlMode.REMOTE
    assert client.connected
    assert sim.connections == 1


async def test_timeout_then_recovery(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """A charger that does not answer in time is unreachable, quickly."""
    quasar = make_client(sim.port, timeout=0.2)
    sim.delay_s = SLOW_REPLY_S
    started = time.monotonic()
    with pytest.raises(DeviceUnreachableError, match="no reply"):
        await quasar.read_state()
    assert time.monotonic() - started < SLOW_REPLY_S
    assert not quasar.connected
    sim.delay_s = 0.0
    assert (await quasar.read_state()).voltage_v == 230
    await quasar.close()
    await let_simulator_finish()


async def test_close_fails_the_request_in_flight(
    sim: QuasarSimulator, client: QuasarClient
) -> None:
    """Closing (on unload) does not wait for a request stuck on a slow link."""
    sim.delay_s = SLOW_REPLY_S
    poll = asyncio.create_task(client.read_state())
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await client.close()
    # Not retried on a new link either: that would wait for the slow reply.
    with pytest.raises(DeviceUnreachableError, match="connection lost"):
        await poll
    assert time.monotonic() - started < SLOW_REPLY_S / 2
    await let_simulator_finish()


async def test_reboot(
    sim: QuasarSimulator, client: QuasarClient, clock: ManualClock
) -> None:
    """The dropped link after a reboot is expected; calls work once it is back."""
    sim.reboot_seconds = 20
    await client.reboot()
    assert sim.reboots == 1
    assert sim.writes[-1] == (0x101, 3)
    with pytest.raises(DeviceUnreachableError):
        await client.read_state()
    clock.advance(21)
    state = await client.read_state()
    assert state.control is ControlMode.USER


async def test_reboot_without_reply_is_not_an_error(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A charger that reboots before answering the write is what was asked for."""
    sim.reboot_without_reply = True
    await client.reboot()
    assert sim.reboots == 1
    assert not client.connected


async def test_calls_are_atomic(sim: QuasarSimulator, client: QuasarClient) -> None:
    """A poll never lands between the requests of a command, nor the reverse."""
    order: list[str] = []
    real_execute = client._execute

    async def traced(*args: Any) -> Any:
        task = asyncio.current_task()
        assert task is not None
        order.append(task.get_name())
        return await real_execute(*args)

    client._execute = traced  # type: ignore[method-assign]
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "control": client.take_control,
        "poll": client.read_state,
        "current": lambda: client.set_current(-4),
        "poll again": client.read_state,
    }
    await asyncio.gather(
        *(asyncio.create_task(call(), name=name) for name, call in calls.items())
    )
    # Each call's requests form one run: no name appears in two separate runs.
    runs = [name for i, name in enumerate(order) if i == 0 or order[i - 1] != name]
    assert sorted(runs) == sorted(calls), order


# --- apply and settle: only what differs, verified by one read --------------------


async def test_apply_takes_control_then_writes_only_what_differs(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """From the app: control, then setpoint and start; again: nothing is written."""
    target = ChargerTarget(setpoint_a=12, running=True)
    state = await client.apply(target)
    assert sim.writes == [*TAKE_CONTROL_WRITES, (0x102, 12), (0x101, 1)]
    assert state.status is ChargerStatus.CHARGING
    assert state.current_setpoint_a == 12
    requests = sim.requests
    await client.apply(target)
    assert sim.writes[len(TAKE_CONTROL_WRITES) + 2 :] == []
    assert sim.requests - requests == 6


async def test_apply_stops_before_it_sets_the_setpoint(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A pause stops the flow first, so no old setpoint drives a moment more."""
    await client.apply(ChargerTarget(setpoint_a=-10, running=True))
    writes = len(sim.writes)
    state = await client.apply(ChargerTarget(setpoint_a=0, running=False))
    assert sim.writes[writes:] == [(0x101, 2), (0x102, 0)]
    assert state.status is ChargerStatus.PAUSED


async def test_apply_clamps_to_what_the_charger_can_do(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A setpoint above the charger's maximum is written at the maximum."""
    sim.set_max_current(16)
    state = await client.apply(ChargerTarget(setpoint_a=-32, running=True))
    assert state.current_setpoint_a == -16
    assert (0x102, -16) in sim.writes


async def test_apply_not_verified_puts_a_discharge_back_to_zero(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A setpoint the charger does not keep is an error, and no discharge is left."""
    sim.stuck_registers = {0x102: -5}
    with pytest.raises(CommandNotVerifiedError, match="current setpoint"):
        await client.apply(ChargerTarget(setpoint_a=-10, running=True))
    sim.stuck_registers = {}
    assert sim.writes[-1] == (0x102, 0)


async def test_apply_a_stop_the_charger_ignores_is_not_verified(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A session still running after the stop is reported, not taken as stopped."""
    await client.apply(ChargerTarget(setpoint_a=10, running=True))
    sim.fail_writes = {0x101: 4}
    with pytest.raises(DeviceProtocolError):
        await client.apply(ChargerTarget(setpoint_a=10, running=False))
    sim.fail_writes = {}
    sim.stuck_registers = {0x0219: int(ChargerStatus.CHARGING)}
    with pytest.raises(CommandNotVerifiedError, match="stop"):
        await client.apply(ChargerTarget(setpoint_a=10, running=False))


async def test_settle_hands_back_and_confirms_it(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """Setpoint 0, then control to the app, read back; the app's charger is left be."""
    await client.apply(ChargerTarget(setpoint_a=-10, running=True))
    writes = len(sim.writes)
    state = await client.settle(stop=True, keep_control=False)
    assert sim.writes[writes:] == [(0x101, 2), (0x102, 0), (0x51, 0)]
    assert state.control is ControlMode.USER
    writes = len(sim.writes)
    await client.settle(stop=True, keep_control=False)
    assert sim.writes[writes:] == []


async def test_settle_keeping_control_stops_and_holds(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """Kept for a person: stopped at 0 A under our control, taken back if need be."""
    state = await client.settle(stop=True, keep_control=True)
    assert state.control is ControlMode.REMOTE
    assert state.current_setpoint_a == 0
    assert state.status is ChargerStatus.PAUSED


async def test_settle_not_confirmed_is_an_error(
    sim: CorruptingQuasar, client: QuasarClient
) -> None:
    """A charger that keeps remote control after the hand-back is not handed back."""
    await client.apply(ChargerTarget(setpoint_a=10, running=True))
    sim.stuck_registers = {0x51: 1}
    with pytest.raises(CommandNotVerifiedError, match="remote control"):
        await client.settle(stop=False, keep_control=False)
    sim.stuck_registers = {0x102: 7}
    with pytest.raises(CommandNotVerifiedError, match="current setpoint"):
        await client.settle(stop=True, keep_control=True)
