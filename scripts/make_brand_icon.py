"""Draw the brand icon of EV Charge Control: a white charging bolt on a rounded square.

Standard library only, so it runs anywhere Python does:

    python scripts/make_brand_icon.py

writes ``icon.png`` (256x256) and ``icon@2x.png`` (512x512) into
``custom_components/ev_charge_control/brand/``, where Home Assistant 2026.3 and later
serves a custom integration's brand images from. The images follow the rules of
home-assistant/brands: square, PNG, RGBA, transparent around the artwork, no padding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
import struct
import zlib

BRAND_DIR = (
    Path(__file__).resolve().parents[1]
    / "custom_components"
    / "ev_charge_control"
    / "brand"
)

# Shapes are drawn in a unit square: (0, 0) top left, (1, 1) bottom right.
CORNER_RADIUS = 0.22
BOLT: tuple[tuple[float, float], ...] = (
    (0.50, 0.13),
    (0.29, 0.56),
    (0.47, 0.56),
    (0.40, 0.88),
    (0.73, 0.42),
    (0.55, 0.42),
    (0.66, 0.13),
)
# A green that reads as "charging" at the top, a teal that reads as "electric" below.
TOP_RGB = (0x1F, 0xA8, 0x5C)
BOTTOM_RGB = (0x0B, 0x6E, 0x8C)
BOLT_RGB = (0xFF, 0xFF, 0xFF)

# Rows are sampled this many times per pixel; columns are covered exactly.
ROW_SAMPLES = 8

type Spans = Callable[[float], list[tuple[float, float]]]


def rounded_square_spans(size: int) -> Spans:
    """Return the horizontal spans a rounded square covers at a height, in pixels."""
    radius = CORNER_RADIUS * size

    def spans(y: float) -> list[tuple[float, float]]:
        if not 0.0 <= y <= size:
            return []
        inset = 0.0
        dy = max(radius - y, y - (size - radius), 0.0)
        if dy > 0.0:
            inset = radius - (radius * radius - dy * dy) ** 0.5
        return [(inset, size - inset)]

    return spans


def polygon_spans(points: Sequence[tuple[float, float]], size: int) -> Spans:
    """Return the spans a polygon covers at a height (even-odd rule), in pixels."""
    scaled = [(x * size, y * size) for x, y in points]
    edges = list(zip(scaled, scaled[1:] + scaled[:1], strict=True))

    def spans(y: float) -> list[tuple[float, float]]:
        crossings = sorted(
            x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            for (x0, y0), (x1, y1) in edges
            if (y0 <= y < y1) or (y1 <= y < y0)
        )
        return list(zip(crossings[::2], crossings[1::2], strict=True))

    return spans


def coverage(spans: Spans, size: int) -> list[list[float]]:
    """Return how much of each pixel a shape covers, from 0 to 1."""
    grid = [[0.0] * size for _ in range(size)]
    weight = 1.0 / ROW_SAMPLES
    for row in range(size):
        cells = grid[row]
        for sample in range(ROW_SAMPLES):
            y = row + (sample + 0.5) * weight
            for start, end in spans(y):
                x0, x1 = max(start, 0.0), min(end, float(size))
                first, last = int(x0), min(int(x1), size - 1)
                for column in range(first, last + 1):
                    overlap = min(x1, column + 1.0) - max(x0, float(column))
                    if overlap > 0.0:
                        cells[column] += overlap * weight
    return grid


def render(size: int) -> bytes:
    """Return the RGBA pixels of the icon, row by row."""
    square = coverage(rounded_square_spans(size), size)
    bolt = coverage(polygon_spans(BOLT, size), size)
    pixels = bytearray()
    for row in range(size):
        t = (row + 0.5) / size
        background = [
            top + (bottom - top) * t
            for top, bottom in zip(TOP_RGB, BOTTOM_RGB, strict=True)
        ]
        for column in range(size):
            alpha = min(square[row][column], 1.0)
            mark = min(bolt[row][column], 1.0)
            rgb = [
                round(base + (fore - base) * mark)
                for base, fore in zip(background, BOLT_RGB, strict=True)
            ]
            pixels.extend((*rgb, round(alpha * 255)))
    return bytes(pixels)


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def encode_png(size: int, rgba: bytes) -> bytes:
    """Return an 8-bit RGBA, non-interlaced PNG of a square image."""
    stride = size * 4
    # Filter type 0 (none) on every row: simple, and zlib still compresses it well.
    raw = b"".join(
        b"\x00" + rgba[row * stride : (row + 1) * stride] for row in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def main() -> None:
    """Write icon.png and icon@2x.png."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    for name, size in (("icon.png", 256), ("icon@2x.png", 512)):
        (BRAND_DIR / name).write_bytes(encode_png(size, render(size)))


if __name__ == "__main__":
    main()
