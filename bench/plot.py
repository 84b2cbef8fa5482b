"""A grid of small line charts as one SVG file, written by hand: no plotting library to pin.

Rows and columns name the panels (e.g. latency by command); in every panel each series is a
line through its (x, y) points, with a dot on each point so that a single size still shows. Each
panel has its own y scale from 0, so that a short command is not flattened by a long one. The
text is deterministic (fixed rounding, sorted input), so a regenerated plot diffs cleanly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

_PANEL_W, _PANEL_H = 230, 170
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 24, 34
_ROW_LABEL_W = 100
_LEGEND_H, _TITLE_H = 26, 30


@dataclass(frozen=True)
class Series:
    """One line: its name in the legend and how it is drawn."""

    name: str
    color: str
    dash: str = ""


Points = Sequence[tuple[float, float]]


def _nice_top(value: float) -> tuple[float, float]:
    """A round upper bound for an axis from 0 to `value`, and its tick step (four or five ticks)."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(value / step), step


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}".rstrip("0")


def grid(
    *,
    title: str,
    x_label: str,
    y_label: str,
    rows: Sequence[str],
    columns: Sequence[str],
    series: Sequence[Series],
    points: Mapping[tuple[str, str, str], Points],
) -> str:
    """The SVG text: one panel per (row, column), `points[row, column, series name]` in each."""
    width = _ROW_LABEL_W + len(columns) * _PANEL_W
    height = _TITLE_H + _LEGEND_H + len(rows) * _PANEL_H
    xs = sorted({x for line in points.values() for x, _ in line})
    x_low, x_high = (0.0, xs[-1] * 1.05) if xs else (0.0, 1.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2:.1f}" y="18" text-anchor="middle" font-size="14">'
        f"{escape(title)}</text>",
    ]
    legend_x = _ROW_LABEL_W
    for line in series:
        y = _TITLE_H + 12
        out.append(
            f'<line x1="{legend_x}" y1="{y}" x2="{legend_x + 24}" y2="{y}" stroke="{line.color}" '
            f'stroke-width="2"{_dash(line)}/>'
        )
        out.append(f'<text x="{legend_x + 30}" y="{y + 4}">{escape(line.name)}</text>')
        legend_x += 40 + 7 * len(line.name)
    for r, row in enumerate(rows):
        top = _TITLE_H + _LEGEND_H + r * _PANEL_H
        out.append(
            f'<text x="8" y="{top + _PANEL_H / 2:.1f}" font-size="12">{escape(row)}</text>'
        )
        for c, column in enumerate(columns):
            left = _ROW_LABEL_W + c * _PANEL_W
            lines = {s.name: points.get((row, column, s.name), ()) for s in series}
            out += _panel(left, top, column, lines, series, (x_low, x_high), xs, x_label, y_label)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _dash(line: Series) -> str:
    return f' stroke-dasharray="{line.dash}"' if line.dash else ""


def _panel(
    left: float,
    top: float,
    name: str,
    lines: Mapping[str, Points],
    series: Sequence[Series],
    x_range: tuple[float, float],
    xs: Sequence[float],
    x_label: str,
    y_label: str,
) -> list[str]:
    x0, x1 = left + _LEFT, left + _PANEL_W - _RIGHT
    y0, y1 = top + _PANEL_H - _BOTTOM, top + _TOP
    y_top, step = _nice_top(max((y for line in lines.values() for _, y in line), default=0.0))

    def at(x: float, y: float) -> tuple[float, float]:
        px = x0 + (x - x_range[0]) / (x_range[1] - x_range[0]) * (x1 - x0)
        return px, y0 - y / y_top * (y0 - y1)

    out = [
        f'<text x="{(x0 + x1) / 2:.1f}" y="{top + 14:.1f}" text-anchor="middle" '
        f'font-weight="bold">{escape(name)}</text>',
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#444"/>',
        f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#444"/>',
        f'<text x="{(x0 + x1) / 2:.1f}" y="{y0 + 28:.1f}" text-anchor="middle" fill="#444">'
        f"{escape(x_label)}</text>",
        f'<text x="{left + 10:.1f}" y="{(y0 + y1) / 2:.1f}" text-anchor="middle" fill="#444" '
        f'transform="rotate(-90 {left + 10:.1f} {(y0 + y1) / 2:.1f})">{escape(y_label)}</text>',
    ]
    tick = 0.0
    while tick <= y_top + step / 2:
        _, py = at(0, tick)
        out.append(
            f'<line x1="{x0}" y1="{py:.1f}" x2="{x1}" y2="{py:.1f}" stroke="#ddd"/>'
            f'<text x="{x0 - 4}" y="{py + 4:.1f}" text-anchor="end">{_number(tick)}</text>'
        )
        tick += step
    for x in xs:
        px, _ = at(x, 0)
        out.append(f'<text x="{px:.1f}" y="{y0 + 14:.1f}" text-anchor="middle">{_number(x)}</text>')
    for line in series:
        placed = [at(x, y) for x, y in sorted(lines[line.name])]
        if len(placed) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in placed)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{line.color}" '
                f'stroke-width="2"{_dash(line)}/>'
            )
        out += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{line.color}"/>' for px, py in placed
        ]
    return out
