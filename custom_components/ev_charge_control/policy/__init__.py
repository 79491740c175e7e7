"""Pure decisions from plain values: no I/O and no Home Assistant imports."""
