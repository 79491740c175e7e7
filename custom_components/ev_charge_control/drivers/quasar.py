"""Async Modbus TCP client for the Wallbox Quasar bidirectional charger.

The Quasar is hardware that moves energy in and out of a car, so this client is
careful in ways a sensor client need not be:

* every request goes through one lock, so a multi-register command never
  interleaves with a poll;
* every setting it writes is read back, and a mismatch is an error;
* taking remote control also sets the charger's Modbus idle timeout, so the charger
  stops by itself if whoever drives it goes silent;
* a discharge setpoint that cannot be confirmed is replaced by 0 where the link
  still allows it, and control is only handed back once the setpoint is 0.

Register map and semantics: see the project's protocol notes (Wallbox Quasar 1,
holding registers, FC3 read / FC6 write, int16 two's complement).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
import logging
from typing import Final

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.constants import ExcCodes
from pymodbus.exceptions import ConnectionException, ModbusException, ModbusIOException
from pymodbus.pdu import ExceptionResponse, ModbusPDU

from .models import (
    ChargerIdentity,
    ChargerState,
    ChargerStatus,
    CommandNotVerifiedError,
    ControlMode,
    DeviceProtocolError,
    DeviceUnreachableError,
    DriverError,
)

_LOGGER = logging.getLogger(__name__)

# Identity.
REG_FIRMWARE: Final = 0x0001
REG_SERIAL_HIGH: Final = 0x0002
REG_SERIAL_LOW: Final = 0x0003
# Control block.
REG_CONTROL: Final = 0x0051
REG_AUTOSTART: Final = 0x0052
REG_SETPOINT_TYPE: Final = 0x0053
REG_IDLE_TIMEOUT: Final = 0x0058
# Commands and setpoints.
REG_LOCK: Final = 0x0100
REG_ACTION: Final = 0x0101
REG_CURRENT_SETPOINT: Final = 0x0102
REG_POWER_SETPOINT: Final = 0x0104
# Measurements.
REG_MAX_CURRENT: Final = 0x0200
REG_MAX_POWER: Final = 0x0202
REG_AC_CURRENT: Final = 0x0207
REG_AC_VOLTAGE: Final = 0x020A
REG_AC_POWER: Final = 0x020E
REG_STATUS: Final = 0x0219
REG_CAR_SOC: Final = 0x021A
REG_ERROR_CODES: Final = 0x021B

# The three contiguous blocks that hold everything read_state reports. Reading the
# gaps between scattered registers costs nothing, a request per register would.
CONTROL_BLOCK: Final = (REG_CONTROL, REG_IDLE_TIMEOUT - REG_CONTROL + 1)
SETPOINT_BLOCK: Final = (REG_LOCK, REG_POWER_SETPOINT - REG_LOCK + 1)
MEASURE_BLOCK: Final = (REG_MAX_CURRENT, REG_ERROR_CODES + 3 - REG_MAX_CURRENT + 1)

CONTROL_USER: Final = 0
CONTROL_REMOTE: Final = 1
SETPOINT_TYPE_CURRENT: Final = 0
SETPOINT_TYPE_POWER: Final = 1
ACTION_START: Final = 1
ACTION_STOP: Final = 2
ACTION_REBOOT: Final = 3

# The register map documents setpoints of -32..32 A. The charger's own "max
# available current" is usually the tighter bound; this one only guards against a
# nonsense reading of it.
SETPOINT_LIMIT_A: Final = 32

# A timeout of 0 would switch the charger's dead-man's switch off; the register is
# int16, so anything above 32767 cannot be written.
IDLE_TIMEOUT_RANGE_S: Final = range(1, 32768)

# pymodbus enforces `timeout` on connect and on each reply; this margin only covers
# its bookkeeping (it sleeps 0.1 s after connecting), so our own guard never fires
# first on a healthy link.
_GUARD_MARGIN_S: Final = 1.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


def to_signed(raw: int) -> int:
    """Decode one 16-bit register as a two's-complement integer."""
    raw &= 0xFFFF
    return raw - 0x10000 if raw & 0x8000 else raw


def to_register(value: int) -> int:
    """Encode a signed integer as one 16-bit register."""
    if not -0x8000 <= value <= 0x7FFF:
        raise ValueError(f"{value} does not fit in a 16-bit register")
    return value & 0xFFFF


def clamp_setpoint(amps: int, max_available_a: int) -> int:
    """Clamp a signed current setpoint to what the charger says it can do now."""
    limit = max(0, min(max_available_a, SETPOINT_LIMIT_A))
    return max(-limit, min(limit, amps))


# States in which a session runs (a start would change nothing), and states in which
# none does (a stop would change nothing). Anything else gets the write.
RUNNING_STATES: Final = frozenset(
    {
        ChargerStatus.CHARGING,
        ChargerStatus.DISCHARGING,
        ChargerStatus.WAITING_FOR_DEMAND,
    }
)
STOPPED_STATES: Final = frozenset(
    {ChargerStatus.PAUSED, ChargerStatus.NO_CAR, ChargerStatus.NO_CAR_LOCKED}
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ChargerTarget:
    """What the charger is to do under remote control: a signed current, running or not."""

    setpoint_a: int
    running: bool


def _exception_name(code: int) -> str:
    try:
        return ExcCodes(code).name
    except ValueError:
        return "unknown"


class _StaleLinkError(DeviceUnreachableError):
    """The link was found dead by the first request of a call that reused it."""


@dataclass(frozen=True, slots=True)
class _ControlSettings:
    """The control block (0x51-0x58) as the charger reports it."""

    control: int
    autostart: int
    setpoint_type: int
    idle_timeout_s: int

    @classmethod
    def decode(cls, regs: list[int]) -> _ControlSettings:
        return cls(
            control=to_signed(regs[REG_CONTROL - REG_CONTROL]),
            autostart=to_signed(regs[REG_AUTOSTART - REG_CONTROL]),
            setpoint_type=to_signed(regs[REG_SETPOINT_TYPE - REG_CONTROL]),
            idle_timeout_s=to_signed(regs[REG_IDLE_TIMEOUT - REG_CONTROL]),
        )


def decode_state(
    control_regs: list[int],
    setpoint_regs: list[int],
    measure_regs: list[int],
    as_of: datetime,
) -> ChargerState:
    """Build a snapshot from the three register blocks read by ``read_state``."""
    control = _ControlSettings.decode(control_regs)

    def setpoint(address: int) -> int:
        return to_signed(setpoint_regs[address - REG_LOCK])

    def measure(address: int) -> int:
        return to_signed(measure_regs[address - REG_MAX_CURRENT])

    raw_status = measure(REG_STATUS)
    try:
        status: ChargerStatus | None = ChargerStatus(raw_status)
    except ValueError:
        # Newer firmware may add states: the rest of the reading is still good, and
        # everything that depends on the state treats it as unknown.
        status = None
    power_w = measure(REG_AC_POWER)
    soc = measure(REG_CAR_SOC)
    error_codes = tuple(measure(REG_ERROR_CODES + i) for i in range(4))
    return ChargerState(
        as_of=as_of,
        status=status,
        status_code=raw_status,
        control=(
            ControlMode.REMOTE
            if control.control == CONTROL_REMOTE
            else ControlMode.USER
        ),
        autostart=control.autostart != 0,
        idle_timeout_s=control.idle_timeout_s,
        locked=setpoint(REG_LOCK) != 0,
        current_setpoint_a=setpoint(REG_CURRENT_SETPOINT),
        max_available_current_a=measure(REG_MAX_CURRENT),
        max_available_power_w=measure(REG_MAX_POWER),
        current_a=measure(REG_AC_CURRENT),
        voltage_v=measure(REG_AC_VOLTAGE),
        power_w=power_w,
        # The charger only learns the SoC from the car while power flows and
        # reports 0 otherwise, which is not the same as an empty battery.
        car_soc_pct=soc if power_w != 0 and 0 <= soc <= 100 else None,
        error_codes=(error_codes[0], error_codes[1], error_codes[2], error_codes[3]),
    )


class QuasarClient:
    """One Modbus TCP connection to one Wallbox Quasar.

    Every public call is atomic with respect to every other: a command made of
    several writes and read-backs never has a poll in the middle. A call made after
    the link was lost reconnects once, transparently; errors are the driver errors
    of ``models``, never pymodbus exceptions.
    """

    def __init__(
        self,
        host: str,
        port: int = 502,
        unit_id: int = 1,
        *,
        timeout: float = 5.0,
        idle_timeout_s: int = 60,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        """Describe the charger; nothing is sent until the first call."""
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._host = host
        self._port = port
        self._unit_id = unit_id
        self._timeout = timeout
        self._idle_timeout_s = self._checked_idle_timeout(idle_timeout_s)
        self._now = now
        self._lock = asyncio.Lock()
        self._modbus: AsyncModbusTcpClient | None = None
        # Resolved when the link drops or is closed under a request in flight, so
        # that request fails at once instead of waiting out the timeout.
        self._link_lost: asyncio.Future[None] | None = None
        # True until the first request of a call that reuses an open link. If
        # that request finds the link dead (the charger closed an idle link and
        # we had not noticed), the call reconnects and runs again. That is
        # harmless: every call starts with a read, except take_control, which
        # starts by writing 0x51 = 1, the same value again.
        self._may_retry_stale = False
        # Counts close() calls, so a request failing because we closed the link
        # is not mistaken for a stale link and retried.
        self._closes = 0
        # Counts the links opened: a new one means the charger may have rebooted
        # (a reboot drops every link) even if no call failed.
        self.links = 0

    @property
    def host(self) -> str:
        """The charger's host name or address."""
        return self._host

    @property
    def port(self) -> int:
        """The charger's Modbus TCP port."""
        return self._port

    @property
    def unit_id(self) -> int:
        """The Modbus unit (device) id."""
        return self._unit_id

    @property
    def connected(self) -> bool:
        """Whether a Modbus connection is currently open."""
        return self._modbus is not None and self._modbus.connected

    @property
    def idle_timeout_s(self) -> int:
        """The Modbus idle timeout written when taking control, in seconds."""
        return self._idle_timeout_s

    @idle_timeout_s.setter
    def idle_timeout_s(self, value: int) -> None:
        # Takes effect at the next take_control or ensure_idle_timeout.
        self._idle_timeout_s = self._checked_idle_timeout(value)

    @staticmethod
    def _checked_idle_timeout(value: int) -> int:
        if value not in IDLE_TIMEOUT_RANGE_S:
            raise ValueError(
                f"idle timeout must be {IDLE_TIMEOUT_RANGE_S.start}"
                f"..{IDLE_TIMEOUT_RANGE_S.stop - 1} s, not {value}"
            )
        return value

    # Connection management.

    async def connect(self) -> None:
        """Open the connection (again); raise DeviceUnreachableError if impossible."""
        async with self._lock:
            await self._connect()

    async def close(self) -> None:
        """Close the connection. A later call reconnects."""
        # Deliberately not under the lock: unloading must not wait for a request
        # stuck on a dead link. That request fails at once, and is not retried.
        self._closes += 1
        self._drop_link()

    async def _connect(self) -> None:
        self._drop_link()

        def on_connection_change(connected: bool) -> None:
            # Only the current link may fail the request in flight; a late
            # callback from a replaced one must not.
            if not connected and self._modbus is client:
                self._signal_link_lost()

        client = AsyncModbusTcpClient(
            self._host,
            port=self._port,
            timeout=self._timeout,
            # No retries and no background reconnect loop: either would make a
            # call outlast `timeout`, and a silent retry of a write is not ours to
            # make. The next call reconnects instead.
            retries=0,
            reconnect_delay=0,
            trace_connect=on_connection_change,
        )
        self._modbus = client
        try:
            async with asyncio.timeout(self._timeout + _GUARD_MARGIN_S):
                connected = await client.connect()
        except TimeoutError:
            connected = False
        if not connected or not client.connected:
            self._drop_link()
            raise DeviceUnreachableError(
                f"cannot connect to Quasar at {self._host}:{self._port}"
            )
        self.links += 1
        _LOGGER.debug("Connected to Quasar at %s:%s", self._host, self._port)

    def _drop_link(self) -> None:
        client, self._modbus = self._modbus, None
        if client is not None:
            client.close()
        self._signal_link_lost()

    def _signal_link_lost(self) -> None:
        lost = self._link_lost
        if lost is not None and not lost.done():
            lost.set_result(None)

    # Requests. Callers hold the lock.

    async def _execute(
        self,
        what: str,
        address: int,
        request: Callable[[AsyncModbusTcpClient], Awaitable[ModbusPDU]],
    ) -> ModbusPDU:
        """Send one request and return its (non-error) reply."""
        may_retry_stale, self._may_retry_stale = self._may_retry_stale, False
        closes = self._closes
        client = self._modbus
        if client is None or not client.connected:
            self._drop_link()
            raise (_StaleLinkError if may_retry_stale else DeviceUnreachableError)(
                f"{what}: not connected"
            )
        lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._link_lost = lost
        task = asyncio.ensure_future(request(client))
        # pymodbus turns its own cancellation into an exception; collect it so a
        # request abandoned below is not reported as never retrieved.
        task.add_done_callback(_consume_result)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._timeout + _GUARD_MARGIN_S):
                    await asyncio.wait(
                        (task, lost), return_when=asyncio.FIRST_COMPLETED
                    )
            response = self._outcome(
                what, task, lost, may_retry_stale and closes == self._closes
            )
        except DeviceUnreachableError:
            # A link that failed a request is not trusted with the next one: a
            # late reply could still be in flight. The next call reconnects.
            self._drop_link()
            raise
        finally:
            self._link_lost = None
            if not task.done():
                # Cancelled from outside: the reply, if any, is now unwanted.
                task.cancel()
                self._drop_link()
        if response.isError():
            code = response.exception_code
            kind = "exception" if isinstance(response, ExceptionResponse) else "error"
            raise DeviceProtocolError(
                f"{what}: register 0x{address:04X} ({address}) answered Modbus "
                f"{kind} {code} ({_exception_name(code)})"
            )
        return response

    @staticmethod
    def _outcome(
        what: str,
        task: asyncio.Future[ModbusPDU],
        lost: asyncio.Future[None],
        may_retry_stale: bool,
    ) -> ModbusPDU:
        """Turn a finished (or abandoned) request into a reply or a driver error."""
        if not task.done():
            if lost.done():
                unreachable = (
                    _StaleLinkError if may_retry_stale else DeviceUnreachableError
                )
                raise unreachable(f"{what}: connection lost")
            raise DeviceUnreachableError(f"{what}: no reply")
        try:
            return task.result()
        except ConnectionException as err:
            unreachable = _StaleLinkError if may_retry_stale else DeviceUnreachableError
            raise unreachable(f"{what}: {err}") from err
        except ModbusIOException as err:
            # pymodbus's word for "no reply within the timeout". Not retried: the
            # request may have reached the charger.
            raise DeviceUnreachableError(f"{what}: no reply ({err})") from err
        except ModbusException as err:
            raise DeviceProtocolError(f"{what}: {err}") from err

    async def _read(self, address: int, count: int, what: str) -> list[int]:
        """Read `count` holding registers as raw 16-bit values."""
        response = await self._execute(
            what,
            address,
            lambda client: client.read_holding_registers(
                address, count=count, device_id=self._unit_id
            ),
        )
        registers = list(response.registers)
        if len(registers) != count:
            raise DeviceProtocolError(
                f"{what}: register 0x{address:04X} gave {len(registers)} "
                f"registers, expected {count}"
            )
        return registers

    async def _write(self, address: int, value: int, what: str) -> None:
        """Write one holding register (signed value)."""
        raw = to_register(value)
        await self._execute(
            what,
            address,
            lambda client: client.write_register(address, raw, device_id=self._unit_id),
        )

    async def _write_verified(self, address: int, value: int, what: str) -> None:
        """Write one register and read it back.

        The write reply only echoes the request; reading back is what shows the
        charger kept the value.
        """
        await self._write(address, value, what)
        got = to_signed((await self._read(address, 1, what))[0])
        if got != value:
            raise CommandNotVerifiedError(what, value, got)

    async def _read_control(self) -> _ControlSettings:
        return _ControlSettings.decode(await self._read(*CONTROL_BLOCK, "control"))

    async def _take_control(self) -> None:
        # Control first: the charger refuses every other write without it.
        await self._write_verified(REG_CONTROL, CONTROL_REMOTE, "remote control")
        # No autostart: plugging in must not start a charge we did not decide.
        await self._write_verified(REG_AUTOSTART, 0, "autostart")
        await self._write_verified(
            REG_SETPOINT_TYPE, SETPOINT_TYPE_CURRENT, "setpoint type"
        )
        # The dead-man's switch: the charger stops if we stop talking to it.
        await self._write_verified(
            REG_IDLE_TIMEOUT, self._idle_timeout_s, "idle timeout"
        )

    async def _ensure_control(self) -> None:
        """Take control if we lost it; repair settings someone else changed."""
        settings = await self._read_control()
        if settings.control != CONTROL_REMOTE:
            await self._take_control()
            return
        if settings.autostart != 0:
            await self._write_verified(REG_AUTOSTART, 0, "autostart")
        if settings.setpoint_type != SETPOINT_TYPE_CURRENT:
            # A current setpoint is ignored while the charger follows power.
            await self._write_verified(
                REG_SETPOINT_TYPE, SETPOINT_TYPE_CURRENT, "setpoint type"
            )
        if settings.idle_timeout_s != self._idle_timeout_s:
            await self._write_verified(
                REG_IDLE_TIMEOUT, self._idle_timeout_s, "idle timeout"
            )

    async def _try_zero_setpoint(self) -> None:
        """Best effort after a failed discharge setpoint: stop the flow.

        If the link is gone this cannot reach the charger; its idle timeout, set
        when control was taken, is what stops it then.
        """
        try:
            await self._write_verified(REG_CURRENT_SETPOINT, 0, "current setpoint")
        except DriverError as err:
            _LOGGER.warning("Could not reset the Quasar's setpoint to 0: %s", err)

    # Public API. Each call runs one operation under the lock.

    async def _run[T](self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one public call atomically, reconnecting once if needed."""
        async with self._lock:
            reused = self.connected
            if not reused:
                await self._connect()
            self._may_retry_stale = reused
            try:
                return await operation()
            except _StaleLinkError as err:
                # The link died under the call's first request, which was a
                # read (or an idempotent write): safe to run the call again.
                _LOGGER.debug("Quasar link was stale (%s); reconnecting", err)
            finally:
                self._may_retry_stale = False
            await self._connect()
            return await operation()

    async def read_identity(self) -> ChargerIdentity:
        """Read the serial number and firmware version."""
        regs = await self._run(lambda: self._read(REG_FIRMWARE, 3, "identity"))
        high = regs[REG_SERIAL_HIGH - REG_FIRMWARE]
        low = regs[REG_SERIAL_LOW - REG_FIRMWARE]
        return ChargerIdentity(serial=str(high << 16 | low), firmware=regs[0])

    async def read_state(self) -> ChargerState:
        """Read everything the charger reports, in three requests."""
        return await self._run(self._read_state)

    async def _read_state(self) -> ChargerState:
        control = await self._read(*CONTROL_BLOCK, "control")
        setpoints = await self._read(*SETPOINT_BLOCK, "setpoints")
        measures = await self._read(*MEASURE_BLOCK, "measurements")
        return decode_state(control, setpoints, measures, self._now())

    async def take_control(self) -> None:
        """Take remote control: no autostart, current setpoint, idle timeout set."""
        await self._run(self._take_control)

    async def release_control(self) -> None:
        """Hand the charger back to the Wallbox app, with the setpoint at 0 first.

        If the setpoint cannot be confirmed at 0 control is kept and the error
        raised: in remote mode the idle timeout still stops the charger once we go
        quiet, while the charger resets that timeout when the user takes over.
        """
        await self._run(self._release_control)

    async def _release_control(self) -> None:
        settings = await self._read_control()
        if settings.control != CONTROL_REMOTE:
            # Already the user's; the charger refuses setpoint writes anyway.
            return
        await self._write_verified(REG_CURRENT_SETPOINT, 0, "current setpoint")
        if settings.setpoint_type == SETPOINT_TYPE_POWER:
            await self._write_verified(REG_POWER_SETPOINT, 0, "power setpoint")
        await self._write_verified(REG_CONTROL, CONTROL_USER, "remote control")

    async def apply(self, target: ChargerTarget) -> ChargerState:
        """Drive the charger to a target, writing only what differs from what it has.

        One read of the whole state first, then only the writes that change
        something, in the order that is safe, then one read that verifies them:
        with Home Assistant already in control, a new current costs three reads, one
        write and three reads, where a write with its own read-back per register
        cost seventeen requests. Returns the state read at the end.

        If anything fails after a discharge setpoint may have been written, the
        setpoint is put back to 0 where the link still allows it.
        """
        return await self._run(lambda: self._apply(target))

    async def _apply(self, target: ChargerTarget) -> ChargerState:
        state = await self._read_state()
        setpoint = clamp_setpoint(target.setpoint_a, state.max_available_current_a)
        # Taking control ends the app's session: the charger then follows autostart
        # (which we turn off), so the setpoint and the start or stop are written
        # whatever the state read under the app said.
        taking = state.control is not ControlMode.REMOTE
        set_setpoint = taking or state.current_setpoint_a != setpoint
        try:
            await self._control_from(state)
            if target.running:
                # The setpoint first: starting on an old negative setpoint would
                # discharge.
                if set_setpoint:
                    await self._write(
                        REG_CURRENT_SETPOINT, setpoint, "current setpoint"
                    )
                if taking or state.status not in RUNNING_STATES:
                    await self._write(REG_ACTION, ACTION_START, "start")
            else:
                if taking or state.status not in STOPPED_STATES:
                    await self._write(REG_ACTION, ACTION_STOP, "stop")
                if set_setpoint:
                    await self._write(
                        REG_CURRENT_SETPOINT, setpoint, "current setpoint"
                    )
            after = await self._read_state()
            self._verify_control(after)
            if after.current_setpoint_a != setpoint:
                raise CommandNotVerifiedError(
                    "current setpoint", setpoint, after.current_setpoint_a
                )
            if not target.running and after.status in RUNNING_STATES:
                raise CommandNotVerifiedError(
                    "stop", int(ChargerStatus.PAUSED), after.status_code
                )
        except DriverError:
            if setpoint < 0 or state.current_setpoint_a < 0:
                # Never leave a discharge running that we could not confirm.
                await self._try_zero_setpoint()
            raise
        return after

    async def settle(self, *, stop: bool, keep_control: bool) -> ChargerState:
        """Bring the charger to rest: setpoint 0, stopped if asked, control handed back.

        Only what differs is written, and the state read at the end must show it
        (control with the app unless ``keep_control``; setpoint 0 while we keep it;
        no session running if ``stop``), or CommandNotVerifiedError is raised: a
        hand-back is only done once the charger says so.
        """
        return await self._run(
            lambda: self._settle(stop=stop, keep_control=keep_control)
        )

    async def _settle(self, *, stop: bool, keep_control: bool) -> ChargerState:
        state = await self._read_state()
        if state.control is not ControlMode.REMOTE:
            # The app's already; the charger refuses every other write anyway.
            if keep_control:
                await self._control_from(state)
            else:
                return state
        if stop and state.status not in STOPPED_STATES:
            await self._write(REG_ACTION, ACTION_STOP, "stop")
        if state.current_setpoint_a != 0:
            await self._write(REG_CURRENT_SETPOINT, 0, "current setpoint")
        if not keep_control:
            await self._write(REG_CONTROL, CONTROL_USER, "remote control")
        after = await self._read_state()
        if keep_control:
            self._verify_control(after)
            if after.current_setpoint_a != 0:
                raise CommandNotVerifiedError(
                    "current setpoint", 0, after.current_setpoint_a
                )
        elif after.control is not ControlMode.USER:
            raise CommandNotVerifiedError(
                "remote control", CONTROL_USER, CONTROL_REMOTE
            )
        if stop and after.status in RUNNING_STATES and keep_control:
            raise CommandNotVerifiedError(
                "stop", int(ChargerStatus.PAUSED), after.status_code
            )
        return after

    async def _control_from(self, state: ChargerState) -> None:
        """Take control, or repair what someone changed, from a state already read."""
        if state.control is not ControlMode.REMOTE:
            # Control first: the charger refuses every other write without it, and
            # resets the others when it goes back to the app.
            await self._write(REG_CONTROL, CONTROL_REMOTE, "remote control")
            await self._write(REG_AUTOSTART, 0, "autostart")
            await self._write(REG_SETPOINT_TYPE, SETPOINT_TYPE_CURRENT, "setpoint type")
            await self._write(REG_IDLE_TIMEOUT, self._idle_timeout_s, "idle timeout")
            return
        if state.autostart:
            # Plugging in must not start a charge we did not decide.
            await self._write(REG_AUTOSTART, 0, "autostart")
        if state.idle_timeout_s != self._idle_timeout_s:
            await self._write(REG_IDLE_TIMEOUT, self._idle_timeout_s, "idle timeout")

    def _verify_control(self, state: ChargerState) -> None:
        if state.control is not ControlMode.REMOTE:
            raise CommandNotVerifiedError(
                "remote control", CONTROL_REMOTE, CONTROL_USER
            )
        if state.autostart:
            raise CommandNotVerifiedError("autostart", 0, 1)
        if state.idle_timeout_s != self._idle_timeout_s:
            raise CommandNotVerifiedError(
                "idle timeout", self._idle_timeout_s, state.idle_timeout_s
            )

    async def ensure_idle_timeout(self) -> None:
        """Rewrite the idle timeout if we hold control and it was changed."""
        await self._run(self._ensure_idle_timeout)

    async def _ensure_idle_timeout(self) -> None:
        settings = await self._read_control()
        if (
            settings.control == CONTROL_REMOTE
            and settings.idle_timeout_s != self._idle_timeout_s
        ):
            await self._write_verified(
                REG_IDLE_TIMEOUT, self._idle_timeout_s, "idle timeout"
            )

    async def start(self) -> None:
        """Start (or resume) charging, taking control first if needed."""
        await self._run(lambda: self._action(ACTION_START, "start"))

    async def stop(self) -> None:
        """Stop (pause) charging, taking control first if needed."""
        await self._run(lambda: self._action(ACTION_STOP, "stop"))

    async def _action(self, action: int, what: str) -> None:
        await self._ensure_control()
        # The action register is a trigger, not a setting: there is nothing to
        # read back. The state register shows the outcome at the next poll.
        await self._write(REG_ACTION, action, what)

    async def set_current(self, amps: int) -> int:
        """Set the signed current setpoint (negative discharges the car).

        The value is clamped to the maximum available current the charger reports
        at call time; the value actually written is returned.
        """
        return await self._run(lambda: self._set_current(amps))

    async def _set_current(self, amps: int) -> int:
        max_regs = await self._read(REG_MAX_CURRENT, 1, "max available current")
        target = clamp_setpoint(amps, to_signed(max_regs[0]))
        await self._ensure_control()
        try:
            await self._write_verified(REG_CURRENT_SETPOINT, target, "current setpoint")
        except DriverError:
            if target < 0:
                # Never leave a discharge running that we could not confirm.
                await self._try_zero_setpoint()
            raise
        return target

    async def set_lock(self, locked: bool) -> None:
        """Lock or unlock the charger."""
        await self._run(lambda: self._set_lock(locked))

    async def _set_lock(self, locked: bool) -> None:
        await self._ensure_control()
        await self._write_verified(REG_LOCK, 1 if locked else 0, "lock")

    async def reboot(self) -> None:
        """Reboot the charger. The link drops; the next call reconnects."""
        await self._run(self._reboot)

    async def _reboot(self) -> None:
        await self._ensure_control()
        try:
            await self._write(REG_ACTION, ACTION_REBOOT, "reboot")
        except DeviceUnreachableError:
            # A charger that reboots at once may never answer the write.
            _LOGGER.debug("Quasar dropped the link on reboot, as expected")
        finally:
            self._drop_link()


def _consume_result(task: asyncio.Future[ModbusPDU]) -> None:
    if not task.cancelled():
        task.exception()
