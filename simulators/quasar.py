"""A Wallbox Quasar (bidirectional charger) speaking Modbus TCP, for tests and demos.

The register map is the one in ``shared/PROTOCOLS.md``: holding registers only, read
with FC3 and written with FC6 (FC16 is accepted too), signed values as int16 two's
complement.

What the real charger's documentation leaves open, and what this simulator does:

* Reads: a read is answered when every address in it falls inside one of the mapped
  areas (0x0001-0x0003, 0x0051-0x0058, 0x0100-0x0104, 0x0200-0x021E); unmapped
  addresses inside an area read 0. Any other read gets ILLEGAL_DATA_ADDRESS (0x02).
* Writes: only 0x51, 0x52, 0x53, 0x58, 0x100, 0x101, 0x102 and 0x104 are writable;
  anything else gets ILLEGAL_DATA_ADDRESS (0x02). A value out of range gets
  ILLEGAL_DATA_VALUE (0x03). A write to anything but 0x51 while the charger is under
  user control gets ILLEGAL_FUNCTION (0x01): the Modbus spec uses that code for "the
  server is in the wrong state for this request", which is exactly the case, and it
  keeps DEVICE_FAILURE (0x04) for real faults. An FC16 write is checked whole before
  any of it applies, in address order, so ``write_registers(0x51, [1, 0, 0])`` takes
  control and then sets autostart and the setpoint type.
* A current setpoint within -32..32 A but beyond the charger's maximum is accepted and
  read back as written; the current actually driven is capped at the maximum.
* Function codes other than 3, 6 and 16 get ILLEGAL_FUNCTION. Requests to another unit
  id get GATEWAY_TARGET_NO_RESPONSE (0x0B) and do not count as traffic.
* Lock (0x100 = 1) stops any session and a start is ignored while locked; with no car
  the state reads NO_CAR_LOCKED (6), with a car PAUSED (4).
* Action (0x101) keeps the last value written. Reboot (3) and firmware update (4) both
  answer the write, then drop every connection, return to user control and refuse
  connections until ``reboot_seconds`` of clock time have passed; nothing flows
  meanwhile. :meth:`QuasarSimulator.reboot` does the same with no request, as a power
  blip or a firmware watchdog would.
* Idle timeout (0x58): under remote control with a timeout > 0, once that many clock
  seconds pass with no request the charger gives up on its Modbus client, so it never
  stays discharging. The documentation only says it "stops if no traffic", so what it
  does is the ``idle_behaviour`` argument (:class:`IdleBehaviour`):
  ``HAND_BACK`` (the default) returns to user control as if 0x51 = 0 had been written;
  ``PAUSE`` stops the session as action 2 would and sets both setpoints to 0, but keeps
  remote control, autostart and the timeout (0x101 keeps the last value written). It
  fires once per silence: under ``PAUSE`` it fires again only after a new request.
  The moment is computed exactly, even if it is noticed only later. Any request counts
  as traffic, whatever its answer; a connection refused or dropped carries none.

Physics is lazy: the battery is integrated from the clock whenever a request arrives, a
test hook is called, or :meth:`QuasarSimulator.step` runs, so a :class:`ManualClock`
can skip hours at once.

Run standalone with ``python -m simulators.quasar --port 5020``.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from enum import IntEnum, StrEnum
import logging
from types import TracebackType
from typing import Final, Self

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.server.requesthandler import ServerRequestHandler
from pymodbus.simulator import DataType, SimData, SimDevice
from pymodbus.transport import ModbusProtocol

from .battery import Battery
from .clock import Clock, WallClock

_LOGGER = logging.getLogger(__name__)

REG_FIRMWARE: Final = 0x0001
REG_SERIAL_HI: Final = 0x0002
REG_SERIAL_LO: Final = 0x0003
REG_CONTROL: Final = 0x0051
REG_AUTOSTART: Final = 0x0052
REG_SETPOINT_TYPE: Final = 0x0053
REG_IDLE_TIMEOUT: Final = 0x0058
REG_LOCK: Final = 0x0100
REG_ACTION: Final = 0x0101
REG_CURRENT_SETPOINT: Final = 0x0102
REG_POWER_SETPOINT: Final = 0x0104
REG_MAX_CURRENT: Final = 0x0200
REG_MAX_POWER: Final = 0x0202
REG_AC_CURRENT: Final = 0x0207
REG_AC_VOLTAGE: Final = 0x020A
REG_AC_POWER: Final = 0x020E
REG_STATUS: Final = 0x0219
REG_SOC: Final = 0x021A
REG_ERRORS: Final = (0x021B, 0x021C, 0x021D, 0x021E)

CONTROL_USER: Final = 0
CONTROL_REMOTE: Final = 1
ACTION_START: Final = 1
ACTION_STOP: Final = 2
ACTION_REBOOT: Final = 3
ACTION_FIRMWARE_UPDATE: Final = 4
SETPOINT_CURRENT: Final = 0
SETPOINT_POWER: Final = 1

# The Quasar 1 is a 7.4 kW single-phase charger: 32 A at 230 V is 7,360 W.
DEFAULT_SERIAL: Final = "123456"
MAX_POWER_W: Final = 7400
MAX_SETPOINT_A: Final = 32

# Inclusive address ranges a read may cover; gaps inside them read 0.
READ_AREAS: Final = (
    (0x0001, 0x0003),
    (0x0051, 0x0058),
    (0x0100, 0x0104),
    (0x0200, 0x021E),
)

# Writable register -> inclusive range of accepted (signed) values.
WRITABLE: Final[dict[int, tuple[int, int]]] = {
    REG_CONTROL: (0, 1),
    REG_AUTOSTART: (0, 1),
    REG_SETPOINT_TYPE: (0, 1),
    REG_IDLE_TIMEOUT: (0, 0x7FFF),
    REG_LOCK: (0, 1),
    REG_ACTION: (ACTION_START, ACTION_FIRMWARE_UPDATE),
    REG_CURRENT_SETPOINT: (-MAX_SETPOINT_A, MAX_SETPOINT_A),
    REG_POWER_SETPOINT: (-MAX_POWER_W, MAX_POWER_W),
}

# One register block spanning the whole address space, so that every request reaches
# our access hook and we, not pymodbus, decide which addresses exist.
_ADDRESS_SPACE: Final = 0x10000


class QuasarStatus(IntEnum):
    """The state register (0x0219)."""

    NO_CAR = 0
    CHARGING = 1
    WAITING_FOR_DEMAND = 2
    WAITING_FOR_SCHEDULE = 3
    PAUSED = 4
    END_OF_SCHEDULE = 5
    NO_CAR_LOCKED = 6
    ERROR = 7
    QUEUE_POWER_SHARING = 8
    POWER_SHARING_UNCONFIGURED = 9
    QUEUE_POWER_BOOST = 10
    DISCHARGING = 11


class IdleBehaviour(StrEnum):
    """What the charger does when the Modbus idle timeout (0x58) fires."""

    HAND_BACK = "hand_back"  # return to user control, as 0x51 = 0 does
    PAUSE = "pause"  # stop the session and zero the setpoints, keep remote control


def to_signed(raw: int) -> int:
    """Read a 16-bit register as int16 two's complement."""
    return raw - 0x10000 if raw & 0x8000 else raw


def to_raw(value: int) -> int:
    """Encode an int16 as the unsigned 16-bit word Modbus carries."""
    return value & 0xFFFF


class _Connection(ServerRequestHandler):
    """One client connection; it can be refused or dropped like a rebooting charger."""

    def __init__(self, owner: _QuasarTcpServer, sim: QuasarSimulator) -> None:
        # pymodbus leaves this constructor unannotated.
        super().__init__(owner, None, None, None)  # type: ignore[no-untyped-call]
        self._sim = sim

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Accept the connection, then close it at once if the charger is away."""
        super().connection_made(transport)
        if self._sim.refuses_connections():
            self.close()

    def callback_data(self, data: bytes, addr: tuple[str, int] | None = None) -> int:
        """Drop the connection instead of answering while the charger reboots."""
        if self._sim.rebooting:
            self.close()
            return len(data)
        return super().callback_data(data, addr)


class _QuasarTcpServer(ModbusTcpServer):
    """pymodbus' TCP server with our connection class."""

    def __init__(
        self, sim: QuasarSimulator, devices: list[SimDevice], address: tuple[str, int]
    ) -> None:
        super().__init__(devices, address=address)
        self._sim = sim

    def callback_new_connection(self) -> ModbusProtocol:
        """Build the handler for a new client."""
        return _Connection(self, self._sim)


class QuasarSimulator:
    """A Wallbox Quasar on Modbus TCP, with hooks to plug cars and inject faults.

    Public attributes tests may set: ``fail_with_exception`` (answer every request with
    this Modbus exception code), ``fail_writes`` (address -> exception code: a write
    touching that address gets it, before any other check, and none of it applies;
    reads are unaffected), ``stuck_registers``, ``delay_s`` (real seconds to wait
    before answering), ``refuse_connections`` (close new connections at once; with
    :meth:`drop_connections`, an outage), ``idle_behaviour``. Counters they may read:
    ``requests``, ``writes`` (accepted writes as (address, signed value)),
    ``energy_charged_wh``, ``energy_discharged_wh`` (at the wall, both >= 0),
    ``idle_timeout_fired``, ``reboots``.
    """

    def __init__(
        self,
        *,
        serial: str = DEFAULT_SERIAL,
        firmware: int = 604,
        max_current_a: int = 32,
        voltage_v: int = 230,
        battery: Battery | None = None,
        clock: Clock | None = None,
        unit_id: int = 1,
        reboot_seconds: float = 20.0,
        idle_behaviour: IdleBehaviour = IdleBehaviour.HAND_BACK,
    ) -> None:
        """Create a charger; it does not listen until :meth:`start`."""
        if not serial.isdigit() or int(serial) > 0xFFFFFFFF:
            raise ValueError(
                f"serial must be decimal digits below 2**32, got {serial!r}"
            )
        if not 0 <= firmware <= 0x7FFF:
            raise ValueError(f"firmware must fit an int16, got {firmware}")
        if not 1 <= max_current_a <= MAX_SETPOINT_A:
            raise ValueError(f"max_current_a must be 1..32, got {max_current_a}")
        if not 1 <= voltage_v <= 0x7FFF:
            raise ValueError(f"voltage_v must be positive, got {voltage_v}")
        if not 0 <= unit_id <= 255:
            raise ValueError(f"unit_id must be 0..255, got {unit_id}")
        if reboot_seconds < 0:
            raise ValueError(
                f"reboot_seconds must not be negative, got {reboot_seconds}"
            )
        self.serial = serial
        self.firmware = firmware
        self.unit_id = unit_id
        self.reboot_seconds = float(reboot_seconds)
        # Through the constructor so that a plain string (from a CLI) fails at once.
        self.idle_behaviour = IdleBehaviour(idle_behaviour)
        self.clock: Clock = clock if clock is not None else WallClock()
        self._max_current_a = max_current_a
        self._voltage_v = voltage_v
        self._battery = battery

        self.host = ""
        self.port = 0
        self._server: _QuasarTcpServer | None = None
        # The loop serving connections: a reboot hook called from another thread must
        # close them there, since asyncio transports are not thread-safe.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()
        self._in_flight = 0  # requests sleeping in delay_s
        self._none_delayed = asyncio.Event()
        self._none_delayed.set()

        # Fault injection and counters (see the class docstring).
        self.fail_with_exception: int | None = None
        # Registers that read this value whatever is written: a charger that
        # acknowledges a write and ignores it, so read-back checks can be tested.
        self.stuck_registers: dict[int, int] = {}
        # Addresses whose writes are refused with this exception code: a charger that
        # turns down one command (a start, say) while answering everything else.
        self.fail_writes: dict[int, int] = {}
        self.delay_s = 0.0
        self.refuse_connections = False
        self.requests = 0
        self.writes: list[tuple[int, int]] = []
        self.energy_charged_wh = 0.0
        self.energy_discharged_wh = 0.0
        self.idle_timeout_fired = 0
        self.reboots = 0

        # Writable registers, as signed values.
        self._control = CONTROL_USER
        self._autostart = 1
        self._setpoint_type = SETPOINT_CURRENT
        self._idle_timeout_s = 0
        self._lock = 0
        self._action = 0
        self._current_setpoint_a = 0
        self._power_setpoint_w = 0
        self._error_codes: tuple[int, int, int, int] | None = None
        # A state register value from newer firmware, shown instead of the real one.
        self._firmware_status: int | None = None
        # Under remote control: None until a start or stop arrives, meaning "follow
        # autostart"; True after a start, False after a stop (or a lock).
        self._started: bool | None = None

        now = self.clock.now()
        self._t = now  # the battery has been integrated up to here
        self._last_request_t = now
        # Whether the idle timeout has fired since the last request (PAUSE keeps remote
        # control, so without this the deadline would stay in the past and fire again).
        self._idle_fired = False
        self._reboot_until: float | None = None
        self._last_logged: tuple[QuasarStatus, int] | None = None
        self._note_state()

    # ------------------------------------------------------------------ server

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` and return the port; port 0 picks a free one."""
        if self._server is not None:
            raise RuntimeError("the simulator is already started")
        devices = [self._device(self.unit_id, self._on_access)]
        if self.unit_id != 0:
            # pymodbus sends unknown unit ids to device 0: answer them as a gateway
            # whose target is absent rather than crash with a KeyError inside pymodbus.
            devices.append(self._device(0, self._on_unknown_unit))
        server = _QuasarTcpServer(self, devices, (host, port))
        # Listening happens inside serve_forever; with background=True it returns once
        # the socket is bound, and the asyncio.Server behind it knows the real port.
        await server.serve_forever(background=True)
        listener = server.transport
        if not isinstance(listener, asyncio.Server) or not listener.sockets:
            await server.shutdown()  # type: ignore[no-untyped-call]
            raise RuntimeError("pymodbus did not expose its listening socket")
        self._server = server
        self._loop = asyncio.get_running_loop()
        self.host = host
        self.port = int(listener.sockets[0].getsockname()[1])
        _LOGGER.info("Quasar %s listening on %s:%d", self.serial, host, self.port)
        return self.port

    async def stop(self) -> None:
        """Close the listener and every connection; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        self._loop = None
        self._stopping.set()
        await server.shutdown()  # type: ignore[no-untyped-call]
        # Let delayed requests wake up and their pymodbus tasks finish, so that no task
        # outlives the simulator.
        async with asyncio.timeout(5):
            await self._none_delayed.wait()
        await asyncio.sleep(0)
        self._stopping.clear()

    async def __aenter__(self) -> Self:
        """Start on an ephemeral loopback port unless already started."""
        if self._server is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @staticmethod
    def _device(device_id: int, action: _Action) -> SimDevice:
        return SimDevice(
            id=device_id,
            simdata=SimData(0, count=_ADDRESS_SPACE, datatype=DataType.REGISTERS),
            action=action,
        )

    @property
    def connections(self) -> int:
        """How many client connections are open now."""
        return 0 if self._server is None else len(self._server.active_connections)

    def drop_connections(self) -> None:
        """Close every client connection now (the listener stays up)."""
        if self._server is None:
            return
        for connection in list(self._server.active_connections.values()):
            connection.close()

    def refuses_connections(self) -> bool:
        """Whether a new connection is closed at once (by request or by a reboot)."""
        return self.refuse_connections or self.rebooting

    # ----------------------------------------------------------- Modbus access

    async def _on_unknown_unit(  # noqa: PLR0917 - pymodbus calls it positionally
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        return ExcCodes.GATEWAY_NO_RESPONSE

    async def _on_access(  # noqa: PLR0917 - pymodbus calls it positionally
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        """Answer one datastore access from pymodbus.

        ``registers`` is the whole address space (``start_address`` is 0): for a read we
        fill the requested slice and pymodbus returns it; for a write pymodbus copies
        ``set_values`` in after we return, which is harmless because every read
        refills from the model. Returning an ``ExcCodes`` makes pymodbus answer with
        that exception.
        """
        if set_values is None and function_code == 6:
            # pymodbus reads the register back to build the FC6 echo: same request.
            self._fill(registers, address, count)
            return None
        self.requests += 1
        if self.delay_s > 0:
            self._in_flight += 1
            self._none_delayed.clear()
            try:
                await self._delay()
            finally:
                self._in_flight -= 1
                if not self._in_flight:
                    self._none_delayed.set()
        now = self.clock.now()
        self._advance(now)
        self._last_request_t = now
        self._idle_fired = False
        try:
            if self.fail_with_exception is not None:
                return ExcCodes(self.fail_with_exception)
            if function_code in (6, 16) and set_values is not None:
                for addr in range(address, address + len(set_values)):
                    if addr in self.fail_writes:
                        return ExcCodes(self.fail_writes[addr])
            if function_code == 3 and set_values is None:
                return self._read(address, count, registers)
            if function_code in (6, 16) and set_values is not None:
                return self._write(address, [int(v) for v in set_values])
            return ExcCodes.ILLEGAL_FUNCTION
        finally:
            self._note_state()

    async def _delay(self) -> None:
        """Wait ``delay_s`` real seconds, cut short by :meth:`stop`.

        Cutting it short matters: a request still sleeping after its test ended would
        be a lingering task, which Home Assistant's test harness treats as a failure.
        """
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.delay_s):
                await self._stopping.wait()

    def _read(self, address: int, count: int, registers: list[int]) -> ExcCodes | None:
        last = address + count - 1
        if not any(lo <= address and last <= hi for lo, hi in READ_AREAS):
            return ExcCodes.ILLEGAL_ADDRESS
        self._fill(registers, address, count)
        return None

    def _fill(self, registers: list[int], address: int, count: int) -> None:
        values = self._register_values()
        for addr in range(address, address + count):
            registers[addr] = values.get(addr, 0)

    def _write(self, address: int, raw_values: list[int]) -> ExcCodes | None:
        writes = [(address + i, to_signed(raw)) for i, raw in enumerate(raw_values)]
        for addr, value in writes:
            if addr not in WRITABLE:
                return ExcCodes.ILLEGAL_ADDRESS
            low, high = WRITABLE[addr]
            if not low <= value <= high:
                return ExcCodes.ILLEGAL_VALUE
        # Check the whole request before applying any of it, in address order, so a
        # multi-register write that starts by taking control is allowed.
        control = self._control
        for addr, value in writes:
            if addr == REG_CONTROL:
                control = value
            elif control != CONTROL_REMOTE:
                return ExcCodes.ILLEGAL_FUNCTION
        for addr, value in writes:
            self._apply_write(addr, value)
            self.writes.append((addr, value))
        return None

    def _apply_write(self, addr: int, value: int) -> None:
        if addr == REG_CONTROL:
            if value == CONTROL_USER:
                self._give_back()
            elif self._control != CONTROL_REMOTE:
                self._control = CONTROL_REMOTE
                self._started = None
        elif addr == REG_AUTOSTART:
            self._autostart = value
        elif addr == REG_SETPOINT_TYPE:
            self._setpoint_type = value
        elif addr == REG_IDLE_TIMEOUT:
            self._idle_timeout_s = value
        elif addr == REG_LOCK:
            self._lock = value
            if value:
                self._started = False
        elif addr == REG_ACTION:
            self._action = value
            if value == ACTION_START:
                if not self._lock:
                    self._started = True
            elif value == ACTION_STOP:
                self._started = False
            else:
                self._reboot()
        elif addr == REG_CURRENT_SETPOINT:
            self._current_setpoint_a = value
        elif addr == REG_POWER_SETPOINT:
            self._power_setpoint_w = value

    def _give_back(self) -> None:
        """Return to user control, as writing 0x51 = 0 does.

        A session that was stopped stays stopped: autostart acts when a car is
        plugged in, so only the Wallbox app or the next plug-in resumes it. A
        running session goes on at the app's current, and a discharge turns into
        that charge, since the app never discharges.
        """
        self._control = CONTROL_USER
        self._autostart = 1
        self._idle_timeout_s = 0
        self._current_setpoint_a = 0
        self._power_setpoint_w = 0

    def _pause_idle(self) -> None:
        """Stop the session as action 2 would and zero the setpoints, keeping control.

        Zeroing both setpoints means a client that only writes a start after an outage
        gets no power: it has to say again how much it wants.
        """
        self._started = False
        self._current_setpoint_a = 0
        self._power_setpoint_w = 0

    def _reboot(self) -> None:
        self._give_back()
        self._started = None
        self.reboots += 1
        self._reboot_until = self._t + self.reboot_seconds
        _LOGGER.info("Quasar %s rebooting for %.0f s", self.serial, self.reboot_seconds)
        loop = self._loop
        if self._server is None or loop is None or loop.is_closed():
            return  # not listening: no connection to drop
        # Later rather than now, so that pymodbus sends the answer to a written reboot
        # first, as the real box does. Thread-safe because reboot() may be called from
        # a test's own thread; from the loop's thread it is a plain call_soon.
        loop.call_soon_threadsafe(self.drop_connections)

    # ---------------------------------------------------------------- physics

    @property
    def battery(self) -> Battery | None:
        """The plugged car's battery, or None."""
        return self._battery

    @property
    def max_current_a(self) -> int:
        """The maximum current the charger can drive (register 0x200)."""
        return self._max_current_a

    @property
    def voltage_v(self) -> int:
        """The mains voltage (register 0x20A)."""
        return self._voltage_v

    @property
    def max_power_w(self) -> int:
        """The maximum power the charger can drive (register 0x202)."""
        return min(self._max_current_a * self._voltage_v, MAX_POWER_W)

    @property
    def rebooting(self) -> bool:
        """Whether the charger is away rebooting at the clock's current time."""
        return self._reboot_until is not None and self.clock.now() < self._reboot_until

    def _running(self) -> bool:
        if self._control == CONTROL_USER:
            return self._started is not False
        if self._started is not None:
            return self._started
        return self._autostart == 1

    def _drive_power_w(self) -> float:
        """Return the signed power the charger drives, before the car's limits."""
        if (
            self._battery is None
            or self._error_codes is not None
            or self._lock
            or (self._reboot_until is not None and self._t < self._reboot_until)
            or not self._running()
        ):
            return 0.0
        if self._control == CONTROL_USER:
            return float(self.max_power_w)
        if self._setpoint_type == SETPOINT_CURRENT:
            amps = max(
                -self._max_current_a, min(self._max_current_a, self._current_setpoint_a)
            )
            power = float(amps * self._voltage_v)
        else:
            power = float(self._power_setpoint_w)
        return max(-float(self.max_power_w), min(float(self.max_power_w), power))

    def _flow_w(self) -> float:
        """Return the signed power flowing now (positive into the car)."""
        power = self._drive_power_w()
        if self._battery is None or power == 0:
            return 0.0
        if power > 0:
            return min(power, self._battery.max_charge_power_w())
        return -min(-power, self._battery.max_discharge_power_w())

    def _integrate(self, seconds: float) -> None:
        power = self._drive_power_w()
        if self._battery is None or power == 0 or seconds <= 0:
            return
        wall_wh = self._battery.apply(power, seconds)
        if wall_wh > 0:
            self.energy_charged_wh += wall_wh
        else:
            self.energy_discharged_wh -= wall_wh

    def _idle_deadline(self) -> float | None:
        if (
            self._control != CONTROL_REMOTE
            or self._idle_timeout_s <= 0
            or self._idle_fired
        ):
            return None
        return self._last_request_t + self._idle_timeout_s

    def _advance(self, now: float) -> None:
        """Integrate up to ``now``, handling the idle timeout and reboot end on time."""
        while True:
            deadline = self._idle_deadline()
            if deadline is not None and deadline <= self._t:
                self.idle_timeout_fired += 1
                self._idle_fired = True
                pause = self.idle_behaviour is IdleBehaviour.PAUSE
                _LOGGER.warning(
                    "Quasar %s: no Modbus traffic for %d s, %s",
                    self.serial,
                    self._idle_timeout_s,
                    "session paused" if pause else "back to user control",
                )
                if pause:
                    self._pause_idle()
                else:
                    self._give_back()
                deadline = None
            if self._reboot_until is not None and self._reboot_until <= self._t:
                self._reboot_until = None
                _LOGGER.info("Quasar %s is back from its reboot", self.serial)
            if self._t >= now:
                return
            end = now
            if deadline is not None:
                end = min(end, deadline)
            if self._reboot_until is not None:
                end = min(end, self._reboot_until)
            self._integrate(end - self._t)
            self._t = end

    def step(self) -> None:
        """Bring the simulation up to the clock's time without a Modbus request."""
        self._advance(self.clock.now())
        self._note_state()

    # ------------------------------------------------------------------ hooks

    def reboot(self) -> None:
        """Reboot spontaneously (power blip, firmware watchdog), with no request.

        Same effect as writing action 3: back to user control, every connection
        dropped and new ones refused for ``reboot_seconds`` of clock time. Safe from the
        event loop's thread, from another thread, or before :meth:`start`.
        """
        self.step()
        self._reboot()
        self._note_state()

    def plug(self, battery: Battery) -> None:
        """Plug a car in; autostart decides whether it starts."""
        self.step()
        self._battery = battery
        self._started = None
        self._note_state()

    def unplug(self) -> None:
        """Unplug the car; the session ends."""
        self.step()
        self._battery = None
        self._started = None
        self._note_state()

    def set_max_current(self, amps: int) -> None:
        """Change the current the charger can drive (power sharing), from now on."""
        if not 1 <= amps <= MAX_SETPOINT_A:
            raise ValueError(f"max current must be 1..32, got {amps}")
        self.step()
        self._max_current_a = amps
        self._note_state()

    def set_error(self, codes: tuple[int, int, int, int]) -> None:
        """Put the charger in ERROR (7) with these codes in 0x21B-0x21E."""
        if len(codes) != 4 or not all(-0x8000 <= c <= 0x7FFF for c in codes):
            raise ValueError(f"need four int16 error codes, got {codes!r}")
        self.step()
        self._error_codes = (codes[0], codes[1], codes[2], codes[3])
        self._note_state()

    def report_unknown_status(self, value: int | None) -> None:
        """Show ``value`` in the state register, as newer firmware might; None stops."""
        self._firmware_status = value

    def clear_error(self) -> None:
        """Leave the ERROR state; the error registers read 0 again."""
        self.step()
        self._error_codes = None
        self._note_state()

    @property
    def status(self) -> QuasarStatus:
        """The state register, at the last integrated time."""
        if self._error_codes is not None:
            return QuasarStatus.ERROR
        if self._battery is None:
            return QuasarStatus.NO_CAR_LOCKED if self._lock else QuasarStatus.NO_CAR
        rebooting = self._reboot_until is not None and self._t < self._reboot_until
        if self._lock or rebooting or not self._running():
            return QuasarStatus.PAUSED
        power = self._drive_power_w()
        if power > 0 and self._battery.max_charge_power_w() > 0:
            return QuasarStatus.CHARGING
        if power < 0 and self._battery.max_discharge_power_w() > 0:
            return QuasarStatus.DISCHARGING
        return QuasarStatus.WAITING_FOR_DEMAND

    def _register_values(self) -> dict[int, int]:
        """Every mapped register as the raw 16-bit word a client receives."""
        serial = int(self.serial)
        flow = self._flow_w()
        soc = 0
        if flow != 0 and self._battery is not None:
            # The real charger only learns the SoC from the car while power flows.
            soc = round(self._battery.soc_pct)
        errors = self._error_codes or (0, 0, 0, 0)
        signed = {
            REG_FIRMWARE: self.firmware,
            REG_CONTROL: self._control,
            REG_AUTOSTART: self._autostart,
            REG_SETPOINT_TYPE: self._setpoint_type,
            REG_IDLE_TIMEOUT: self._idle_timeout_s,
            REG_LOCK: self._lock,
            REG_ACTION: self._action,
            REG_CURRENT_SETPOINT: self._current_setpoint_a,
            REG_POWER_SETPOINT: self._power_setpoint_w,
            REG_MAX_CURRENT: self._max_current_a,
            REG_MAX_POWER: self.max_power_w,
            REG_AC_CURRENT: round(flow / self._voltage_v),
            REG_AC_VOLTAGE: self._voltage_v,
            REG_AC_POWER: round(flow),
            REG_STATUS: (
                int(self.status)
                if self._firmware_status is None
                else self._firmware_status
            ),
            REG_SOC: soc,
        }
        signed.update(zip(REG_ERRORS, errors, strict=True))
        raw = {addr: to_raw(value) for addr, value in signed.items()}
        # The serial is an unsigned 32-bit number split in two words.
        raw[REG_SERIAL_HI] = serial >> 16
        raw[REG_SERIAL_LO] = serial & 0xFFFF
        for addr, value in self.stuck_registers.items():
            raw[addr] = to_raw(value)
        return raw

    def poke(self, addr: int, value: int) -> None:
        """Write a register as another Modbus client holding control would.

        For tests of what the integration does when someone else changes the
        charger behind its back; no control rule is checked.
        """
        self.step()
        self._apply_write(addr, value)
        self._note_state()

    def read_register_raw(self, addr: int) -> int:
        """Return a register as the unsigned word on the wire (0 in mapped gaps).

        Raises KeyError for an address a Modbus read would refuse.
        """
        if not any(lo <= addr <= hi for lo, hi in READ_AREAS):
            raise KeyError(f"register 0x{addr:04X} is not mapped")
        self.step()
        return self._register_values().get(addr, 0)

    def read_register(self, addr: int) -> int:
        """Return a register as int16, as a driver decodes signed values.

        The serial's low word can read negative this way: use
        :meth:`read_register_raw` for the serial words.
        """
        return to_signed(self.read_register_raw(addr))

    def _note_state(self) -> None:
        """Log one line whenever the state or the control mode changes."""
        current = (self.status, self._control)
        if current == self._last_logged:
            return
        self._last_logged = current
        soc = "-" if self._battery is None else f"{self._battery.soc_pct:.1f} %"
        _LOGGER.info(
            "Quasar %s: %s, %s control, setpoint %d A / %d W, flowing %.0f W, SoC %s",
            self.serial,
            current[0].name,
            "remote" if current[1] == CONTROL_REMOTE else "user",
            self._current_setpoint_a,
            self._power_setpoint_w,
            self._flow_w(),
            soc,
        )


type _Action = Callable[
    [int, int, int, int, list[int], list[int] | list[bool] | None],
    Awaitable[ExcCodes | None],
]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.quasar",
        description="Serve a simulated Wallbox Quasar over Modbus TCP.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5020)
    parser.add_argument("--serial", default="123456")
    parser.add_argument("--firmware", type=int, default=604)
    parser.add_argument("--unit-id", type=int, default=1)
    parser.add_argument("--max-current", type=int, default=32)
    parser.add_argument("--voltage", type=int, default=230)
    parser.add_argument("--soc", type=float, default=40.0, help="car SoC in percent")
    parser.add_argument("--capacity", type=float, default=52.0, help="battery in kWh")
    parser.add_argument("--no-car", action="store_true", help="start with no car")
    parser.add_argument(
        "--idle-behaviour",
        type=IdleBehaviour,
        choices=list(IdleBehaviour),
        default=IdleBehaviour.HAND_BACK,
        help="what the Modbus idle timeout (0x58) does (default: hand_back)",
    )
    return parser.parse_args(argv)


def _simulator(args: argparse.Namespace) -> QuasarSimulator:
    """Build the simulator the command line describes (not started)."""
    battery = None if args.no_car else Battery(args.capacity, args.soc)
    return QuasarSimulator(
        serial=args.serial,
        firmware=args.firmware,
        max_current_a=args.max_current,
        voltage_v=args.voltage,
        battery=battery,
        unit_id=args.unit_id,
        idle_behaviour=args.idle_behaviour,
    )


async def _serve(args: argparse.Namespace) -> None:
    sim = _simulator(args)
    await sim.start(args.host, args.port)
    try:
        while True:
            # Without traffic nothing would notice a full battery or an idle timeout.
            await asyncio.sleep(1.0)
            sim.step()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the simulator until interrupted."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    # pymodbus logs every connection at INFO; keep our one line per state change.
    logging.getLogger("pymodbus").setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
