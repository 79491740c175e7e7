"""Tests of the Quasar driver's pure helpers (no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.ev_charge_control.drivers.models import (
    ChargerStatus,
    ControlMode,
)
from custom_components.ev_charge_control.drivers.quasar import (
    CONTROL_BLOCK,
    MEASURE_BLOCK,
    SETPOINT_BLOCK,
    QuasarClient,
    clamp_setpoint,
    decode_state,
    to_register,
    to_signed,
)

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "value"),
    [(0, 0), (1, 1), (0x7FFF, 32767), (0x8000, -32768), (0xFFFF, -1), (0xFFE0, -32)],
)
def test_signed_round_trip(raw: int, value: int) -> None:
    """Registers are int16 two's complement both ways."""
    assert to_signed(raw) == value
    assert to_register(value) == raw


@pytest.mark.parametrize("value", [32768, -32769])
def test_to_register_refuses_out_of_range(value: int) -> None:
    """A value that does not fit must not be silently wrapped."""
    with pytest.raises(ValueError):
        to_register(value)


@pytest.mark.parametrize(
    ("amps", "max_a", "expected"),
    [
        (16, 32, 16),
        (40, 32, 32),
        (-40, 32, -32),
        (-10, 6, -6),
        (10, 6, 6),
        (10, 0, 0),
        (-10, -5, 0),
        (50, 40, 32),
    ],
)
def test_clamp_setpoint(amps: int, max_a: int, expected: int) -> None:
    """Both directions are clamped to the reported maximum (and the map's 32 A)."""
    assert clamp_setpoint(amps, max_a) == expected


def _blocks(
    **overrides: int,
) -> tuple[list[int], list[int], list[int]]:
    """Return the three raw blocks, with register overrides by address (r0x...)."""
    regs: dict[int, int] = {}
    for key, value in overrides.items():
        regs[int(key[1:], 16)] = to_register(value)

    def block(start: int, count: int) -> list[int]:
        return [regs.get(start + i, 0) for i in range(count)]

    return block(*CONTROL_BLOCK), block(*SETPOINT_BLOCK), block(*MEASURE_BLOCK)


def test_block_layout() -> None:
    """Three blocks cover every register read_state decodes."""
    assert CONTROL_BLOCK == (0x51, 8)
    assert SETPOINT_BLOCK == (0x100, 5)
    assert MEASURE_BLOCK == (0x200, 31)


def test_decode_discharging_state() -> None:
    """Negative current, power and setpoint decode as negative numbers."""
    state = decode_state(
        *_blocks(
            r0051=1,
            r0052=0,
            r0053=0,
            r0058=60,
            r0100=1,
            r0102=-10,
            r0200=32,
            r0202=7400,
            r0207=-10,
            r020A=230,
            r020E=-2300,
            r0219=11,
            r021A=64,
            r021B=3,
            r021E=-2,
        ),
        AS_OF,
    )
    assert state.as_of == AS_OF
    assert state.status is ChargerStatus.DISCHARGING
    assert state.control is ControlMode.REMOTE
    assert state.autostart is False
    assert state.idle_timeout_s == 60
    assert state.locked is True
    assert state.current_setpoint_a == -10
    assert state.max_available_current_a == 32
    assert state.max_available_power_w == 7400
    assert state.current_a == -10
    assert state.voltage_v == 230
    assert state.power_w == -2300
    assert state.car_soc_pct == 64
    assert state.error_codes == (3, 0, 0, -2)
    assert state.car_connected


def test_decode_idle_state_has_no_soc() -> None:
    """SoC 0 with no power flowing means "unknown", not an empty battery."""
    state = decode_state(*_blocks(r0052=1, r0219=0, r021A=0), AS_OF)
    assert state.status is ChargerStatus.NO_CAR
    assert state.control is ControlMode.USER
    assert state.autostart is True
    assert state.locked is False
    assert state.car_soc_pct is None
    assert not state.car_connected


def test_decode_unknown_status_is_unknown() -> None:
    """A state from newer firmware is unknown, never guessed; the rest still reads."""
    state = decode_state(*_blocks(r0219=42, r0052=1), AS_OF)
    assert state.status is None
    assert state.status_code == 42
    assert state.car_connected is None
    assert state.control is ControlMode.USER


@pytest.mark.parametrize("value", [0, -1, 32768])
def test_idle_timeout_must_be_writable_and_nonzero(value: int) -> None:
    """0 would switch the charger's dead-man's switch off."""
    with pytest.raises(ValueError):
        QuasarClient("127.0.0.1", idle_timeout_s=value)
    client = QuasarClient("127.0.0.1")
    with pytest.raises(ValueError):
        client.idle_timeout_s = value
    client.idle_timeout_s = 15
    assert client.idle_timeout_s == 15


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_timeout_must_be_positive(timeout: float) -> None:
    """A zero timeout would fail every request."""
    with pytest.raises(ValueError):
        QuasarClient("127.0.0.1", timeout=timeout)


def test_properties() -> None:
    """The client reports what it was built with."""
    client = QuasarClient("192.0.2.7", 1502, 3)
    assert (client.host, client.port, client.unit_id) == ("192.0.2.7", 1502, 3)
    assert client.idle_timeout_s == 60
    assert not client.connected
