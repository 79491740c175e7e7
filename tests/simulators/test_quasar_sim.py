"""Tests of the Wallbox Quasar simulator over real Modbus TCP on 127.0.0.1.

The simulator runs on a ManualClock, so an hour of charging is one ``clock.advance``.
Checks that must not count as Modbus traffic (the idle timeout) use the simulator's own
hooks (``step``, ``status``, ``read_register``) instead of a client read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
import socket
import subprocess
import sys
import time

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU
import pytest

from simulators.battery import Battery
from simulators.clock import ManualClock
from simulators.quasar import (
    REG_AC_CURRENT,
    REG_AC_POWER,
    REG_AC_VOLTAGE,
    REG_ACTION,
    REG_AUTOSTART,
    REG_CONTROL,
    REG_CURRENT_SETPOINT,
    REG_ERRORS,
    REG_FIRMWARE,
    REG_IDLE_TIMEOUT,
    REG_LOCK,
    REG_MAX_CURRENT,
    REG_MAX_POWER,
    REG_POWER_SETPOINT,
    REG_SERIAL_HI,
    REG_SETPOINT_TYPE,
    REG_SOC,
    REG_STATUS,
    IdleBehaviour,
    QuasarSimulator,
    QuasarStatus,
    _parse_args,
    _simulator,
)

# Every test here talks TCP over 127.0.0.1. Under Home Assistant's test plugin sockets
# are blocked unless the pytest-socket ``socket_enabled`` fixture is requested (see
# ``loopback``); the mark is for plain pytest-socket setups.
pytestmark = [pytest.mark.enable_socket, pytest.mark.usefixtures("loopback")]

ILLEGAL_FUNCTION = 1
ILLEGAL_ADDRESS = 2
ILLEGAL_VALUE = 3
DEVICE_FAILURE = 4
DEVICE_BUSY = 6
GATEWAY_NO_RESPONSE = 0x0B


@pytest.fixture
def loopback(request: pytest.FixtureRequest) -> None:
    """Allow sockets where pytest-socket is installed; nothing to do without it."""
    with contextlib.suppress(pytest.FixtureLookupError):
        request.getfixturevalue("socket_enabled")


@pytest.fixture
def clock() -> ManualClock:
    """Return the simulated time source."""
    return ManualClock(1000.0)


@pytest.fixture
def battery() -> Battery:
    """Return a 52 kWh car at 40 %."""
    return Battery(52.0, 40.0)


@pytest.fixture
def idle_behaviour() -> IdleBehaviour:
    """Return the default idle behaviour; a test parametrizes it to change it."""
    return IdleBehaviour.HAND_BACK


@pytest.fixture
async def sim(
    loopback: None, clock: ManualClock, battery: Battery, idle_behaviour: IdleBehaviour
) -> AsyncIterator[QuasarSimulator]:
    """Run a simulator with a car plugged on an ephemeral loopback port."""
    simulator = QuasarSimulator(
        clock=clock, battery=battery, idle_behaviour=idle_behaviour
    )
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def client(sim: QuasarSimulator) -> AsyncIterator[AsyncModbusTcpClient]:
    """Return a connected raw pymodbus client."""
    modbus = AsyncModbusTcpClient(
        "127.0.0.1", port=sim.port, timeout=1, retries=0, reconnect_delay=0
    )
    assert await modbus.connect()
    yield modbus
    modbus.close()


async def read(client: AsyncModbusTcpClient, address: int, count: int = 1) -> list[int]:
    """Read holding registers and decode them as int16."""
    response = await client.read_holding_registers(address, count=count)
    assert not response.isError(), response
    return [
        value - 0x10000 if value & 0x8000 else value for value in response.registers
    ]


async def read1(client: AsyncModbusTcpClient, address: int) -> int:
    """Read one register as int16."""
    return (await read(client, address))[0]


async def write(client: AsyncModbusTcpClient, address: int, value: int) -> ModbusPDU:
    """Write one register (FC6), encoding negative values as two's complement."""
    return await client.write_register(address, value & 0xFFFF)


async def write_ok(client: AsyncModbusTcpClient, address: int, value: int) -> None:
    """Write one register and insist that the charger accepted it."""
    response = await write(client, address, value)
    assert not response.isError(), (hex(address), value, response)


async def take_control(client: AsyncModbusTcpClient, timeout_s: int = 0) -> None:
    """Run the documented control sequence: remote, no autostart, current setpoints."""
    await write_ok(client, REG_CONTROL, 1)
    await write_ok(client, REG_AUTOSTART, 0)
    await write_ok(client, REG_SETPOINT_TYPE, 0)
    await write_ok(client, REG_IDLE_TIMEOUT, timeout_s)


def exception_code(response: ModbusPDU) -> int:
    """Return the Modbus exception code of an error response."""
    assert response.isError(), response
    return int(response.exception_code)


async def test_identity_and_capability_registers(client: AsyncModbusTcpClient) -> None:
    """Firmware, serial (hi/lo words), max current/power and voltage read back."""
    assert await read1(client, REG_FIRMWARE) == 604
    response = await client.read_holding_registers(REG_SERIAL_HI, count=2)
    hi, lo = response.registers
    assert (hi << 16) | lo == 123456
    assert await read1(client, REG_MAX_CURRENT) == 32
    assert await read1(client, REG_MAX_POWER) == 7360
    assert await read1(client, REG_AC_VOLTAGE) == 230


async def test_custom_identity_and_large_serial() -> None:
    """A serial above 16 bits and a lower max current are encoded as configured."""
    async with QuasarSimulator(
        serial="987654321", firmware=612, max_current_a=16, voltage_v=240
    ) as sim:
        modbus = AsyncModbusTcpClient("127.0.0.1", port=sim.port, retries=0)
        await modbus.connect()
        try:
            response = await modbus.read_holding_registers(1, count=3)
            firmware, hi, lo = response.registers
            assert firmware == 612
            assert (hi << 16) | lo == 987654321
            assert sim.read_register_raw(REG_SERIAL_HI) == 987654321 >> 16
            assert await read1(modbus, REG_MAX_POWER) == 16 * 240
        finally:
            modbus.close()


async def test_measurement_block_in_one_read(client: AsyncModbusTcpClient) -> None:
    """0x0200..0x021E reads in one request; gaps read 0."""
    values = await read(client, 0x0200, 0x1F)
    assert values[REG_MAX_CURRENT - 0x200] == 32
    assert values[REG_STATUS - 0x200] == QuasarStatus.CHARGING  # user mode, car in
    assert values[REG_AC_CURRENT - 0x200] == 32
    assert values[REG_AC_POWER - 0x200] == 32 * 230
    assert values[REG_SOC - 0x200] == 40
    assert values[0x0201 - 0x200] == 0  # unmapped gap


@pytest.mark.parametrize(
    ("address", "count"),
    [(0x0000, 1), (0x0000, 4), (0x0300, 1), (0x021E, 2), (0x00F0, 0x20), (0x9000, 5)],
)
async def test_reads_outside_the_map_are_illegal_address(
    client: AsyncModbusTcpClient, address: int, count: int
) -> None:
    """A read leaving the mapped areas gets ILLEGAL_DATA_ADDRESS."""
    response = await client.read_holding_registers(address, count=count)
    assert exception_code(response) == ILLEGAL_ADDRESS


async def test_writes_refused_without_remote_control(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """Under user control only 0x51 is writable; others get ILLEGAL_FUNCTION."""
    for address, value in [
        (REG_CURRENT_SETPOINT, 16),
        (REG_ACTION, 1),
        (REG_AUTOSTART, 0),
        (REG_LOCK, 1),
    ]:
        assert exception_code(await write(client, address, value)) == ILLEGAL_FUNCTION
    assert await read1(client, REG_CURRENT_SETPOINT) == 0
    assert await read1(client, REG_AUTOSTART) == 1
    assert sim.writes == []


async def test_read_only_and_unmapped_writes_are_illegal_address(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """Even under remote control, measurements and gaps cannot be written."""
    await take_control(client)
    for address in (REG_STATUS, REG_FIRMWARE, REG_MAX_CURRENT, 0x0054, 0x0103):
        assert exception_code(await write(client, address, 1)) == ILLEGAL_ADDRESS
    assert sim.status == QuasarStatus.PAUSED


@pytest.mark.parametrize(
    ("address", "value"),
    [
        (REG_CURRENT_SETPOINT, 33),
        (REG_CURRENT_SETPOINT, -33),
        (REG_POWER_SETPOINT, 7401),
        (REG_POWER_SETPOINT, -7401),
        (REG_CONTROL, 2),
        (REG_AUTOSTART, 2),
        (REG_ACTION, 0),
        (REG_ACTION, 5),
        (REG_IDLE_TIMEOUT, -1),
    ],
)
async def test_out_of_range_values_are_illegal_value(
    sim: QuasarSimulator, client: AsyncModbusTcpClient, address: int, value: int
) -> None:
    """Values outside a register's range get ILLEGAL_DATA_VALUE and change nothing."""
    await take_control(client)
    before = sim.read_register(address)
    assert exception_code(await write(client, address, value)) == ILLEGAL_VALUE
    assert sim.read_register(address) == before


async def test_take_control_then_pause(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """Taking control with autostart 0 stops the user-mode charge: PAUSED, no power."""
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    await take_control(client)
    assert await read1(client, REG_CONTROL) == 1
    assert await read1(client, REG_STATUS) == QuasarStatus.PAUSED
    assert await read1(client, REG_AC_POWER) == 0
    assert await read1(client, REG_SOC) == 0  # only known while power flows


async def test_start_at_16_amps_charges_and_soc_rises(
    sim: QuasarSimulator,
    client: AsyncModbusTcpClient,
    clock: ManualClock,
    battery: Battery,
) -> None:
    """Start with +16 A: CHARGING at 16 x 230 W; an hour later the SoC has risen."""
    await take_control(client)
    await write_ok(client, REG_CURRENT_SETPOINT, 16)
    await write_ok(client, REG_ACTION, 1)
    values = await read(client, 0x0200, 0x1F)
    assert values[REG_STATUS - 0x200] == QuasarStatus.CHARGING
    assert values[REG_AC_CURRENT - 0x200] == 16
    assert values[REG_AC_POWER - 0x200] == 16 * 230
    assert values[REG_SOC - 0x200] == 40
    charged_before = sim.energy_charged_wh

    clock.advance(3600)
    expected_soc = 40.0 + 100 * 3.68 * 0.92 / 52.0
    assert await read1(client, REG_SOC) == round(expected_soc)
    assert battery.soc_pct == pytest.approx(expected_soc)
    assert sim.energy_charged_wh - charged_before == pytest.approx(3680.0)
    assert await read1(client, REG_ACTION) == 1  # the last action reads back


async def test_setpoint_beyond_max_is_accepted_but_capped(
    clock: ManualClock, battery: Battery
) -> None:
    """On a 16 A charger a 32 A setpoint reads back as 32 but drives 16 A."""
    async with QuasarSimulator(clock=clock, battery=battery, max_current_a=16) as sim:
        modbus = AsyncModbusTcpClient("127.0.0.1", port=sim.port, retries=0)
        await modbus.connect()
        try:
            await take_control(modbus)
            await write_ok(modbus, REG_CURRENT_SETPOINT, 32)
            await write_ok(modbus, REG_ACTION, 1)
            assert await read1(modbus, REG_CURRENT_SETPOINT) == 32
            assert await read1(modbus, REG_AC_CURRENT) == 16
            assert await read1(modbus, REG_AC_POWER) == 16 * 230
        finally:
            modbus.close()


async def test_negative_setpoint_discharges(
    sim: QuasarSimulator,
    client: AsyncModbusTcpClient,
    clock: ManualClock,
    battery: Battery,
) -> None:
    """-10 A: DISCHARGING, negative current and power; the battery empties."""
    await take_control(client)
    await write_ok(client, REG_CURRENT_SETPOINT, -10)
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.DISCHARGING
    assert await read1(client, REG_CURRENT_SETPOINT) == -10
    assert await read1(client, REG_AC_CURRENT) == -10
    assert await read1(client, REG_AC_POWER) == -2300
    assert await read1(client, REG_SOC) == 40

    clock.advance(3600)
    assert await read1(client, REG_STATUS) == QuasarStatus.DISCHARGING
    assert battery.soc_pct == pytest.approx(40.0 - 100 * 2.3 / 0.92 / 52.0)
    assert sim.energy_discharged_wh == pytest.approx(2300.0)


async def test_sign_change_switches_direction_at_once(
    client: AsyncModbusTcpClient,
) -> None:
    """While running, a new setpoint takes effect without another start."""
    await take_control(client)
    await write_ok(client, REG_CURRENT_SETPOINT, 16)
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    await write_ok(client, REG_CURRENT_SETPOINT, -16)
    assert await read1(client, REG_STATUS) == QuasarStatus.DISCHARGING
    assert await read1(client, REG_AC_POWER) == -16 * 230
    await write_ok(client, REG_CURRENT_SETPOINT, 0)
    assert await read1(client, REG_STATUS) == QuasarStatus.WAITING_FOR_DEMAND
    assert await read1(client, REG_AC_POWER) == 0


async def test_stop_pauses_and_start_resumes(client: AsyncModbusTcpClient) -> None:
    """Action stop (2) gives PAUSED; start (1) resumes at the current setpoint."""
    await take_control(client)
    await write_ok(client, REG_CURRENT_SETPOINT, 8)
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    await write_ok(client, REG_ACTION, 2)
    assert await read1(client, REG_STATUS) == QuasarStatus.PAUSED
    assert await read1(client, REG_AC_POWER) == 0
    assert await read1(client, REG_ACTION) == 2
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_AC_POWER) == 8 * 230


async def test_power_setpoint_mode(client: AsyncModbusTcpClient) -> None:
    """Setpoint type 1 drives the power register 0x104 in watts."""
    await take_control(client)
    await write_ok(client, REG_SETPOINT_TYPE, 1)
    await write_ok(client, REG_POWER_SETPOINT, -3000)
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.DISCHARGING
    assert await read1(client, REG_AC_POWER) == -3000
    assert await read1(client, REG_AC_CURRENT) == round(-3000 / 230)


async def test_give_back_resets_autostart_timeout_and_setpoint(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """Writing 0x51 = 0 restores autostart 1, timeout 0, setpoint 0; user mode charges."""
    await take_control(client, timeout_s=60)
    await write_ok(client, REG_CURRENT_SETPOINT, -8)
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.DISCHARGING

    await write_ok(client, REG_CONTROL, 0)
    assert await read(client, REG_CONTROL, 8) == [0, 1, 0, 0, 0, 0, 0, 0]
    assert await read1(client, REG_CURRENT_SETPOINT) == 0
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    assert await read1(client, REG_AC_CURRENT) == 32
    assert sim.writes[-1] == (REG_CONTROL, 0)


async def test_multi_register_write_takes_control_in_one_request(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """FC16 over 0x51..0x53 is checked in address order, and is all or nothing."""
    refused = await client.write_registers(REG_AUTOSTART, [0, 0])
    assert exception_code(refused) == ILLEGAL_FUNCTION
    assert sim.read_register(REG_AUTOSTART) == 1

    response = await client.write_registers(REG_CONTROL, [1, 0, 1])
    assert not response.isError()
    assert await read(client, REG_CONTROL, 3) == [1, 0, 1]
    assert sim.writes == [(REG_CONTROL, 1), (REG_AUTOSTART, 0), (REG_SETPOINT_TYPE, 1)]

    bad_value = await client.write_registers(REG_LOCK, [1, 1, 99])
    assert exception_code(bad_value) == ILLEGAL_VALUE
    across_gap = await client.write_registers(REG_CURRENT_SETPOINT, [10, 0, 100])
    assert exception_code(across_gap) == ILLEGAL_ADDRESS
    assert [sim.read_register(a) for a in range(REG_LOCK, REG_LOCK + 3)] == [0, 0, 0]
    assert len(sim.writes) == 3


async def test_idle_timeout_stops_discharging(
    sim: QuasarSimulator,
    client: AsyncModbusTcpClient,
    clock: ManualClock,
    battery: Battery,
) -> None:
    """60 s without a request: back to user control, never left discharging."""
    await take_control(client, timeout_s=60)
    await write_ok(client, REG_CURRENT_SETPOINT, -16)
    await write_ok(client, REG_ACTION, 1)
    soc_before = battery.soc_pct

    clock.advance(59)
    sim.step()
    assert sim.read_register(REG_STATUS) == QuasarStatus.DISCHARGING
    assert sim.idle_timeout_fired == 0

    # An hour passes unnoticed; the timeout still fires at exactly 60 s.
    clock.advance(3600)
    sim.step()
    assert sim.idle_timeout_fired == 1
    assert sim.read_register(REG_CONTROL) == 0
    assert sim.read_register(REG_IDLE_TIMEOUT) == 0
    assert sim.read_register(REG_CURRENT_SETPOINT) == 0
    assert sim.status == QuasarStatus.CHARGING
    assert sim.energy_discharged_wh == pytest.approx(16 * 230 * 60 / 3600)
    assert battery.soc_pct > soc_before  # charging again since the timeout
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING


async def test_requests_keep_the_idle_timeout_at_bay(
    sim: QuasarSimulator, client: AsyncModbusTcpClient, clock: ManualClock
) -> None:
    """Any request, even a read, restarts the idle countdown."""
    await take_control(client, timeout_s=60)
    await write_ok(client, REG_CURRENT_SETPOINT, -16)
    await write_ok(client, REG_ACTION, 1)
    for _ in range(5):
        clock.advance(50)
        assert await read1(client, REG_STATUS) == QuasarStatus.DISCHARGING
    assert sim.idle_timeout_fired == 0
    clock.advance(60)
    assert await read1(client, REG_CONTROL) == 0
    assert sim.idle_timeout_fired == 1


@pytest.mark.parametrize("idle_behaviour", [IdleBehaviour.PAUSE])
async def test_idle_timeout_pause_keeps_remote_control(
    sim: QuasarSimulator, client: AsyncModbusTcpClient, clock: ManualClock
) -> None:
    """PAUSE: 60 s without a request stops the session and zeroes the setpoints.

    Remote control, autostart and the timeout stay as written, so the next client
    request may start again at once, at a setpoint it has to write again.
    """
    await take_control(client, timeout_s=60)
    await write_ok(client, REG_POWER_SETPOINT, 3000)  # not driven in current mode
    await write_ok(client, REG_CURRENT_SETPOINT, -16)
    await write_ok(client, REG_ACTION, 1)
    charged_before = sim.energy_charged_wh

    clock.advance(59)
    sim.step()
    assert sim.status == QuasarStatus.DISCHARGING
    assert sim.idle_timeout_fired == 0

    clock.advance(3600)
    sim.step()
    assert sim.idle_timeout_fired == 1
    assert sim.read_register(REG_CONTROL) == 1
    assert sim.read_register(REG_AUTOSTART) == 0
    assert sim.read_register(REG_IDLE_TIMEOUT) == 60
    assert sim.read_register(REG_CURRENT_SETPOINT) == 0
    assert sim.read_register(REG_POWER_SETPOINT) == 0
    assert sim.read_register(REG_ACTION) == 1  # the last value written
    assert sim.status == QuasarStatus.PAUSED
    assert sim.read_register(REG_AC_POWER) == 0
    assert sim.energy_discharged_wh == pytest.approx(16 * 230 * 60 / 3600)
    assert sim.energy_charged_wh == charged_before  # nothing flowed since

    # Still under remote control: a start is accepted, but the setpoint is gone.
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.WAITING_FOR_DEMAND
    await write_ok(client, REG_CURRENT_SETPOINT, 16)
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    assert await read1(client, REG_AC_POWER) == 16 * 230


@pytest.mark.parametrize("idle_behaviour", [IdleBehaviour.PAUSE])
async def test_idle_timeout_pause_fires_once_per_silence(
    sim: QuasarSimulator, client: AsyncModbusTcpClient, clock: ManualClock
) -> None:
    """PAUSE keeps the timeout armed: it fires again only after new traffic."""
    await take_control(client, timeout_s=60)
    await write_ok(client, REG_CURRENT_SETPOINT, 16)
    await write_ok(client, REG_ACTION, 1)
    clock.advance(600)
    sim.step()
    assert sim.idle_timeout_fired == 1  # ten minutes of silence, one timeout

    await write_ok(client, REG_CURRENT_SETPOINT, 10)
    await write_ok(client, REG_ACTION, 1)
    clock.advance(59)
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    clock.advance(60)
    sim.step()
    assert sim.idle_timeout_fired == 2
    assert sim.status == QuasarStatus.PAUSED
    assert sim.read_register(REG_CONTROL) == 1


@pytest.mark.parametrize("idle_behaviour", list(IdleBehaviour))
async def test_outage_lets_the_idle_timeout_fire(
    sim: QuasarSimulator,
    client: AsyncModbusTcpClient,
    clock: ManualClock,
    idle_behaviour: IdleBehaviour,
) -> None:
    """refuse_connections + drop_connections is an outage: no request, so it fires.

    A client that keeps trying during the outage carries no traffic either.
    """
    await take_control(client, timeout_s=60)
    await write_ok(client, REG_CURRENT_SETPOINT, -16)
    await write_ok(client, REG_ACTION, 1)
    sim.refuse_connections = True
    sim.drop_connections()
    await wait_for(lambda: sim.connections == 0)
    requests = sim.requests

    clock.advance(30)
    retry = AsyncModbusTcpClient(
        "127.0.0.1", port=sim.port, timeout=0.2, retries=0, reconnect_delay=0
    )
    try:
        await retry.connect()
        with pytest.raises(ModbusException):
            await retry.read_holding_registers(REG_STATUS)
    finally:
        retry.close()
    clock.advance(30)
    sim.step()
    assert sim.requests == requests
    assert sim.idle_timeout_fired == 1
    assert sim.energy_discharged_wh == pytest.approx(16 * 230 * 60 / 3600)

    sim.refuse_connections = False
    back = AsyncModbusTcpClient("127.0.0.1", port=sim.port, timeout=1, retries=0)
    try:
        assert await back.connect()
        if idle_behaviour is IdleBehaviour.HAND_BACK:
            assert await read(back, REG_CONTROL, 8) == [0, 1, 0, 0, 0, 0, 0, 0]
            assert await read1(back, REG_STATUS) == QuasarStatus.CHARGING
        else:
            assert await read(back, REG_CONTROL, 8) == [1, 0, 0, 0, 0, 0, 0, 60]
            assert await read1(back, REG_STATUS) == QuasarStatus.PAUSED
            assert await read1(back, REG_AC_POWER) == 0
        assert await read1(back, REG_CURRENT_SETPOINT) == 0
    finally:
        back.close()


async def test_fail_with_exception_answers_every_request(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """fail_with_exception makes every request an exception reply; requests count."""
    sim.fail_with_exception = DEVICE_FAILURE
    before = sim.requests
    read_reply = await client.read_holding_registers(REG_STATUS)
    write_reply = await write(client, REG_CONTROL, 1)
    assert exception_code(read_reply) == DEVICE_FAILURE
    assert exception_code(write_reply) == DEVICE_FAILURE
    assert sim.requests == before + 2
    assert sim.read_register(REG_CONTROL) == 0  # the write did not apply

    sim.fail_with_exception = None
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING


async def test_fail_writes_refuses_the_start(
    sim: QuasarSimulator, client: AsyncModbusTcpClient, clock: ManualClock
) -> None:
    """A start write gets the injected exception and does nothing; it is traffic."""
    await take_control(client, timeout_s=60)
    await write_ok(client, REG_CURRENT_SETPOINT, 16)
    sim.fail_writes[REG_ACTION] = DEVICE_FAILURE
    writes = list(sim.writes)
    requests = sim.requests

    clock.advance(50)
    assert exception_code(await write(client, REG_ACTION, 1)) == DEVICE_FAILURE
    clock.advance(50)
    sim.step()
    assert sim.idle_timeout_fired == 0  # the refused write restarted the countdown
    assert sim.requests == requests + 1
    assert sim.writes == writes
    assert sim.status == QuasarStatus.PAUSED
    assert await read(client, REG_LOCK, 3) == [0, 0, 16]  # reads still answered

    await write_ok(client, REG_CURRENT_SETPOINT, 10)  # other registers still writable
    del sim.fail_writes[REG_ACTION]
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    assert await read1(client, REG_AC_CURRENT) == 10


async def test_fail_writes_refuse_the_whole_request_first(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """An FC16 write touching the address fails whole; the code beats other checks."""
    sim.fail_writes[REG_ACTION] = DEVICE_BUSY
    await take_control(client)
    refused = await client.write_registers(REG_LOCK, [1, 1, 10])
    assert exception_code(refused) == DEVICE_BUSY
    assert [sim.read_register(a) for a in range(REG_LOCK, REG_LOCK + 3)] == [0, 0, 0]
    assert exception_code(await write(client, REG_ACTION, 99)) == DEVICE_BUSY

    await write_ok(client, REG_CONTROL, 0)
    assert exception_code(await write(client, REG_ACTION, 1)) == DEVICE_BUSY
    assert exception_code(await write(client, REG_LOCK, 1)) == ILLEGAL_FUNCTION
    assert not (await client.write_registers(REG_CONTROL, [1, 0])).isError()
    assert sim.writes[-2:] == [(REG_CONTROL, 1), (REG_AUTOSTART, 0)]


async def test_error_state(sim: QuasarSimulator, client: AsyncModbusTcpClient) -> None:
    """set_error: status ERROR, codes in 539..542, no power; clear_error resumes."""
    sim.set_error((11, 22, -3, 0))
    values = await read(client, 0x0200, 0x1F)
    assert values[REG_STATUS - 0x200] == QuasarStatus.ERROR
    assert values[REG_ERRORS[0] - 0x200 : REG_ERRORS[-1] - 0x200 + 1] == [11, 22, -3, 0]
    assert values[REG_AC_POWER - 0x200] == 0
    sim.clear_error()
    assert await read(client, REG_ERRORS[0], 4) == [0, 0, 0, 0]
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING


async def test_lock_blocks_start(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """Locked: a start is ignored (PAUSED); with no car the state is NO_CAR_LOCKED."""
    await take_control(client)
    await write_ok(client, REG_CURRENT_SETPOINT, 16)
    await write_ok(client, REG_LOCK, 1)
    await write_ok(client, REG_ACTION, 1)
    assert await read1(client, REG_STATUS) == QuasarStatus.PAUSED
    assert await read1(client, REG_AC_POWER) == 0
    sim.unplug()
    assert await read1(client, REG_STATUS) == QuasarStatus.NO_CAR_LOCKED
    await write_ok(client, REG_LOCK, 0)
    assert await read1(client, REG_STATUS) == QuasarStatus.NO_CAR


async def test_plug_and_unplug(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """No car: NO_CAR, nothing flows; plugging in under user control charges."""
    sim.unplug()
    assert await read1(client, REG_STATUS) == QuasarStatus.NO_CAR
    assert await read1(client, REG_AC_POWER) == 0
    sim.plug(Battery(40.0, 70.0))
    assert await read1(client, REG_STATUS) == QuasarStatus.CHARGING
    assert await read1(client, REG_SOC) == 70


async def test_full_car_waits_for_demand(clock: ManualClock) -> None:
    """User-mode charging ends at 100 %: WAITING_FOR_DEMAND, no power, SoC 0."""
    battery = Battery(40.0, 99.0)
    async with QuasarSimulator(clock=clock, battery=battery) as sim:
        modbus = AsyncModbusTcpClient("127.0.0.1", port=sim.port, retries=0)
        await modbus.connect()
        try:
            assert await read1(modbus, REG_STATUS) == QuasarStatus.CHARGING
            clock.advance(6 * 3600)
            assert await read1(modbus, REG_STATUS) == QuasarStatus.WAITING_FOR_DEMAND
            assert await read1(modbus, REG_AC_POWER) == 0
            assert await read1(modbus, REG_SOC) == 0
            assert battery.full
            assert sim.energy_charged_wh == pytest.approx(400.0 / 0.92)
        finally:
            modbus.close()


async def test_discharge_stops_at_the_cars_reserve(clock: ManualClock) -> None:
    """Discharging down to the car's minimum ends in WAITING_FOR_DEMAND."""
    battery = Battery(40.0, 11.0, min_discharge_soc_pct=10.0)
    async with QuasarSimulator(clock=clock, battery=battery) as sim:
        modbus = AsyncModbusTcpClient("127.0.0.1", port=sim.port, retries=0)
        await modbus.connect()
        try:
            await take_control(modbus)
            await write_ok(modbus, REG_CURRENT_SETPOINT, -32)
            await write_ok(modbus, REG_ACTION, 1)
            assert await read1(modbus, REG_STATUS) == QuasarStatus.DISCHARGING
            clock.advance(3600)
            assert await read1(modbus, REG_STATUS) == QuasarStatus.WAITING_FOR_DEMAND
            assert await read1(modbus, REG_AC_POWER) == 0
            assert battery.soc_pct == pytest.approx(10.0)
            assert sim.energy_discharged_wh == pytest.approx(400.0 * 0.92)
        finally:
            modbus.close()


async def test_reboot_drops_connections_until_it_is_back(
    sim: QuasarSimulator, client: AsyncModbusTcpClient, clock: ManualClock
) -> None:
    """Action 3 is answered, then the box is away for reboot_seconds of clock time."""
    await take_control(client, timeout_s=30)
    await write_ok(client, REG_ACTION, 3)
    assert sim.reboots == 1
    assert sim.refuses_connections()
    await wait_for(lambda: sim.connections == 0)

    other = AsyncModbusTcpClient(
        "127.0.0.1", port=sim.port, timeout=0.2, retries=0, reconnect_delay=0
    )
    try:
        await other.connect()
        with pytest.raises(ModbusException):
            await other.read_holding_registers(REG_STATUS)
    finally:
        other.close()

    clock.advance(20)
    assert not sim.refuses_connections()
    back = AsyncModbusTcpClient("127.0.0.1", port=sim.port, timeout=1, retries=0)
    try:
        assert await back.connect()
        assert await read(back, REG_CONTROL, 8) == [0, 1, 0, 0, 0, 0, 0, 0]
        assert await read1(back, REG_ACTION) == 3
        assert await read1(back, REG_STATUS) == QuasarStatus.CHARGING
    finally:
        back.close()


async def test_reboot_hook_reboots_without_a_request(
    sim: QuasarSimulator, client: AsyncModbusTcpClient, clock: ManualClock
) -> None:
    """reboot() from sync code on the loop: as action 3, but nothing was written."""
    await take_control(client, timeout_s=30)
    await write_ok(client, REG_CURRENT_SETPOINT, -16)
    await write_ok(client, REG_ACTION, 1)
    requests = sim.requests
    discharged = sim.energy_discharged_wh

    sim.reboot()
    assert sim.reboots == 1
    assert sim.requests == requests
    assert sim.refuses_connections()
    assert sim.status == QuasarStatus.PAUSED
    await wait_for(lambda: sim.connections == 0)
    clock.advance(19)
    sim.step()
    assert sim.rebooting
    assert sim.energy_discharged_wh == discharged  # nothing flows while away
    assert sim.energy_charged_wh == 0

    clock.advance(1)
    assert not sim.refuses_connections()
    back = AsyncModbusTcpClient("127.0.0.1", port=sim.port, timeout=1, retries=0)
    try:
        assert await back.connect()
        assert await read(back, REG_CONTROL, 8) == [0, 1, 0, 0, 0, 0, 0, 0]
        assert await read1(back, REG_ACTION) == 1  # the last value written
        assert await read1(back, REG_STATUS) == QuasarStatus.CHARGING
    finally:
        back.close()


async def test_reboot_hook_from_another_thread(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """A test's own thread may reboot the charger while the loop serves clients."""
    assert await read1(client, REG_FIRMWARE) == 604
    assert sim.connections == 1
    await asyncio.to_thread(sim.reboot)
    await wait_for(lambda: sim.connections == 0)
    assert sim.reboots == 1
    assert sim.rebooting


def test_reboot_hook_before_start(clock: ManualClock, battery: Battery) -> None:
    """With no server and no event loop, reboot() changes the state alone."""
    sim = QuasarSimulator(clock=clock, battery=battery)
    sim.poke(REG_CONTROL, 1)
    sim.reboot()
    assert sim.reboots == 1
    assert sim.read_register(REG_CONTROL) == 0
    assert sim.status == QuasarStatus.PAUSED
    clock.advance(20)
    sim.step()
    assert not sim.rebooting
    assert sim.status == QuasarStatus.CHARGING


async def test_drop_and_refuse_connections(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """drop_connections closes open clients; refuse_connections closes new ones."""
    assert await read1(client, REG_FIRMWARE) == 604
    assert sim.connections == 1
    sim.refuse_connections = True
    sim.drop_connections()
    await wait_for(lambda: sim.connections == 0)
    refused = AsyncModbusTcpClient(
        "127.0.0.1", port=sim.port, timeout=0.2, retries=0, reconnect_delay=0
    )
    try:
        await refused.connect()
        with pytest.raises(ModbusException):
            await refused.read_holding_registers(REG_FIRMWARE)
    finally:
        refused.close()

    sim.refuse_connections = False
    again = AsyncModbusTcpClient("127.0.0.1", port=sim.port, timeout=1, retries=0)
    try:
        assert await again.connect()
        assert await read1(again, REG_FIRMWARE) == 604
    finally:
        again.close()


async def test_delay_makes_a_short_timeout_expire(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """delay_s holds the answer back in real time, so a client times out."""
    impatient = AsyncModbusTcpClient(
        "127.0.0.1", port=sim.port, timeout=0.1, retries=0, reconnect_delay=0
    )
    try:
        assert await impatient.connect()
        sim.delay_s = 0.4
        with pytest.raises(ModbusException):
            await impatient.read_holding_registers(REG_FIRMWARE)
        sim.delay_s = 0.0
    finally:
        impatient.close()
    assert await read1(client, REG_FIRMWARE) == 604


async def test_other_unit_ids_get_gateway_no_response(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """Only the configured unit id answers; others are not counted as traffic."""
    before = sim.requests
    response = await client.read_holding_registers(REG_FIRMWARE, device_id=7)
    assert exception_code(response) == GATEWAY_NO_RESPONSE
    assert sim.requests == before


async def test_other_function_codes_are_illegal_function(
    client: AsyncModbusTcpClient,
) -> None:
    """The Quasar has holding registers only: input registers and coils are refused."""
    assert exception_code(await client.read_input_registers(REG_FIRMWARE)) == (
        ILLEGAL_FUNCTION
    )
    assert exception_code(await client.read_coils(REG_FIRMWARE)) == ILLEGAL_FUNCTION


async def test_counters_and_write_log(
    sim: QuasarSimulator, client: AsyncModbusTcpClient
) -> None:
    """requests counts every request once (FC6's internal read-back excluded)."""
    before = sim.requests
    await write_ok(client, REG_CONTROL, 1)
    await write_ok(client, REG_CURRENT_SETPOINT, -5)
    await read(client, 0x0200, 0x1F)
    await write(client, REG_STATUS, 1)  # refused: counted, not logged
    assert sim.requests == before + 4
    assert sim.writes == [(REG_CONTROL, 1), (REG_CURRENT_SETPOINT, -5)]


async def test_two_simulators_get_distinct_ephemeral_ports(clock: ManualClock) -> None:
    """Port 0 binds a free port and reports it; a stopped server stops listening."""
    first = QuasarSimulator(clock=clock)
    second = QuasarSimulator(clock=clock, serial="42")
    port_a = await first.start()
    port_b = await second.start()
    try:
        assert port_a > 0
        assert port_b > 0
        assert port_a != port_b
        assert (first.host, first.port) == ("127.0.0.1", port_a)
        with pytest.raises(RuntimeError):
            await first.start()
    finally:
        await first.stop()
        await second.stop()
    await second.stop()  # idempotent
    with pytest.raises(OSError):  # noqa: PT012 - connecting is what must fail
        _, writer = await asyncio.open_connection("127.0.0.1", port_a)
        writer.close()


def test_constructor_validates_arguments() -> None:
    """Nonsense configuration fails at once."""
    with pytest.raises(ValueError, match="serial"):
        QuasarSimulator(serial="ABC")
    with pytest.raises(ValueError, match="max_current_a"):
        QuasarSimulator(max_current_a=40)
    with pytest.raises(ValueError, match="nap"):
        QuasarSimulator(idle_behaviour="nap")  # type: ignore[arg-type]


def test_idle_behaviour_default_and_command_line() -> None:
    """Hand-back is the default; --idle-behaviour picks one of the two by name."""
    assert QuasarSimulator().idle_behaviour is IdleBehaviour.HAND_BACK
    assert _simulator(_parse_args([])).idle_behaviour is IdleBehaviour.HAND_BACK
    paused = _simulator(_parse_args(["--idle-behaviour", "pause"]))
    assert paused.idle_behaviour is IdleBehaviour.PAUSE
    with pytest.raises(SystemExit):
        _parse_args(["--idle-behaviour", "nap"])


def test_standalone_serves_modbus() -> None:
    """``python -m simulators.quasar --port N`` answers Modbus on 127.0.0.1:N."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.quasar", "--port", str(port), "--soc", "55"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        registers = _read_standalone(port, deadline=time.monotonic() + 20)
        assert registers == [604, 123456 >> 16, 123456 & 0xFFFF]
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "CHARGING" in stderr  # one log line per state change


def _read_standalone(port: int, deadline: float) -> list[int]:
    """Read firmware and serial from a server that may still be starting."""
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                # MBAP header (tid 1, protocol 0, length 6, unit 1), FC3 from 1, count 3.
                conn.sendall(bytes.fromhex("000100000006010300010003"))
                reply = conn.recv(64)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
            continue
        assert reply[7] == 3, reply.hex()
        data = reply[9:]
        return [int.from_bytes(data[i : i + 2], "big") for i in range(0, 6, 2)]


async def wait_for(condition: Callable[[], bool]) -> None:
    """Let the event loop run until ``condition`` holds (connections close async)."""
    async with asyncio.timeout(2):
        # pymodbus offers no event for "connection closed": poll briefly.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
