"""The picture of two intervals on one number line, as SVG drawn on the server.

Closed ends are filled dots, open ends hollow ones, infinite ends arrows running off the line;
the gap between two disjoint intervals is shaded. Values that differ by orders of magnitude
are placed on a log scale, so that 12 and 12,000 both stay readable. Pure: numbers in, markup
out (escaped), no framework.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH = 640
MARGIN = 48  # room for the arrows and the end labels
ROW = 44  # height of one interval's row
TOP = 30
LOG_RATIO = 100.0  # from this ratio of the largest to the smallest value on, a log scale

# Colours that keep 4.5:1 contrast on white (checked with axe-core in the browser test).
COLOURS = ("#1d4ed8", "#b45309")
GAP_FILL = "#fecaca"
INK = "#1f2937"


@dataclass(frozen=True, slots=True)
class Bound:
    """One side of an interval: ``None`` is infinite."""

    value: float | None
    open: bool


@dataclass(frozen=True, slots=True)
class Band:
    """An interval to draw, with the label of its row (the outlet)."""

    label: str
    low: Bound
    high: Bound
    notation: str


@dataclass(frozen=True, slots=True)
class Scale:
    low: float
    high: float
    log: bool

    def x(self, value: float) -> float:
        """The horizontal position of a finite value."""
        if self.log:
            value, low, high = math.log10(value), math.log10(self.low), math.log10(self.high)
        else:
            low, high = self.low, self.high
        return MARGIN + (value - low) / (high - low) * (WIDTH - 2 * MARGIN)


def choose_scale(bands: tuple[Band, ...]) -> Scale:
    """Linear, or logarithmic when the finite values (all positive) span orders of magnitude;
    padded so that no end sits on the edge."""
    values = [b.value for band in bands for b in (band.low, band.high) if b.value is not None] or [
        0.0
    ]
    low, high = min(values), max(values)
    if low > 0 and high / low >= LOG_RATIO:
        pad = (math.log10(high) - math.log10(low)) * 0.12
        return Scale(low / 10**pad, high * 10**pad, log=True)
    pad = (high - low) * 0.12 or max(abs(high) * 0.1, 1.0)
    return Scale(low - pad, high + pad, log=False)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) and abs(value) < 1e15 else f"{value:,.6g}"


def _end(x: float, y: float, bound: Bound, colour: str, left: bool) -> str:
    if bound.value is None:  # an arrow off the line
        tip = x - 10 if left else x + 10
        back = x + 2 if left else x - 2
        return (
            f'<polygon points="{tip:.1f},{y:.1f} {back:.1f},{y - 7:.1f} {back:.1f},{y + 7:.1f}" '
            f'fill="{colour}"/>'
        )
    fill = "#ffffff" if bound.open else colour
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="{colour}" '
        'stroke-width="2.5"/>'
    )


def _x_of(bound: Bound, scale: Scale, left: bool) -> float:
    if bound.value is None:
        return MARGIN - 22 if left else WIDTH - MARGIN + 22
    return scale.x(bound.value)


def _label(x1: float, x2: float, colour: str, y: float) -> str:
    """The opening tag of a row's label: from the band's start when that is on the left half,
    else ending at the band's end, so that it stays inside the picture."""
    if x1 <= WIDTH / 2:
        x, anchor = max(x1, 4.0), "start"
    else:
        x, anchor = min(x2, WIDTH - 4.0), "end"
    return (
        f'<text class="notation" x="{x:.1f}" y="{y - 11:.1f}" text-anchor="{anchor}" '
        f'font-size="14" fill="{colour}" font-weight="bold">'
    )


def gap_between(a: Band, b: Band) -> tuple[float, float] | None:
    """The stretch of values between two disjoint intervals (``None`` when they touch or
    overlap, or the gap has no finite edge)."""
    first, second = (a, b) if _sort_key(a) <= _sort_key(b) else (b, a)
    if first.high.value is None or second.low.value is None:
        return None
    if first.high.value < second.low.value:
        return first.high.value, second.low.value
    return None


def _sort_key(band: Band) -> float:
    return -math.inf if band.low.value is None else band.low.value


def number_line(a: Band, b: Band, title: str) -> str:
    """Both intervals on one line, as an inline ``<svg>`` element with a text alternative."""
    bands = (a, b)
    scale = choose_scale(bands)
    height = TOP + ROW * 2 + 40
    axis_y = TOP + ROW * 2 + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="numberline" role="img" aria-labelledby="nl-title nl-desc">',
        f'<title id="nl-title">{escape(title)}</title>',
        f'<desc id="nl-desc">{escape(describe(a, b, scale))}</desc>',
    ]
    gap = gap_between(a, b)
    if gap is not None:
        left, right = scale.x(gap[0]), scale.x(gap[1])
        parts.append(
            f'<rect class="gap" x="{left:.1f}" y="{TOP - 14}" width="{right - left:.1f}" '
            f'height="{ROW * 2 + 18}" fill="{GAP_FILL}"/>'
        )
        parts.append(
            f'<text x="{(left + right) / 2:.1f}" y="{TOP - 18}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">gap</text>'
        )
    parts.append(
        f'<line x1="{MARGIN - 30}" y1="{axis_y}" x2="{WIDTH - MARGIN + 30}" y2="{axis_y}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    ticks = sorted(
        {
            bound.value
            for band in bands
            for bound in (band.low, band.high)
            if bound.value is not None
        }
    )
    for value in ticks:
        x = scale.x(value)
        parts.append(
            f'<line x1="{x:.1f}" y1="{axis_y - 4}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="{INK}"/>'
        )
    for i, value in enumerate(ticks):  # alternate rows so neighbouring labels do not collide
        parts.append(
            f'<text x="{scale.x(value):.1f}" y="{axis_y + 18 + 13 * (i % 2)}" '
            f'text-anchor="middle" font-size="12" fill="{INK}">{escape(_number(value))}</text>'
        )
    for row, (band, colour) in enumerate(zip(bands, COLOURS, strict=True)):
        y = TOP + ROW * row + ROW / 2
        x1, x2 = _x_of(band.low, scale, True), _x_of(band.high, scale, False)
        parts.append(
            f'<g class="band band-{"ab"[row]}">'
            f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="5"/>'
            f"{_end(x1, y, band.low, colour, left=True)}"
            f"{_end(x2, y, band.high, colour, left=False)}"
            f"{_label(x1, x2, colour, y)}"
            f"{escape(band.label)} {escape(band.notation)}</text></g>"
        )
    if scale.log:
        parts.append(
            f'<text x="{WIDTH - 4}" y="{height - 4}" text-anchor="end" font-size="11" '
            f'fill="{INK}">log scale</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def describe(a: Band, b: Band, scale: Scale) -> str:
    """The picture in words, for a screen reader."""
    gap = gap_between(a, b)
    words = f"{a.label}: {a.notation}; {b.label}: {b.notation}."
    if gap is not None:
        words += f" Gap from {_number(gap[0])} to {_number(gap[1])}."
    if scale.log:
        words += " Log scale."
    return words
