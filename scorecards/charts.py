"""A KPI's chart as a small, self-contained SVG: values, target and forecast, with text for all.

`kpi_chart` returns the SVG with what goes beside it as HTML: the unit and the key (value,
target, forecast). Only the axis labels are drawn as SVG text, because WeasyPrint lays out SVG
text one letter at a time (docs/performance.md has the cost): the unit
and key in HTML took a third off the time a pack spends on its charts.

Hand-written rather than matplotlib: a polyline, a target line and a few labels cost little to
draw and little for WeasyPrint to lay out, so a 100-chart pack is not held back by its charts.
Everything is drawn with presentation attributes (stroke=, fill=, font-size=), never style= or
classes, because the app's CSP (style-src 'self') blocks style attributes inside inline
SVG and a PDF pack has no stylesheet. Every piece of text is XML-escaped here; the result is then
safe to mark safe.

Colour is never the only signal: the target is dashed, the forecast dotted with a hollow marker,
and the key names each line the same way.
"""

from __future__ import annotations

import base64
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from pmf.formatting import PLAIN, UnitStyle, format_value, number_text

Number = Decimal | float | int

WIDTH, HEIGHT = 640, 232
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 40
FONT = 'font-family="Arial, sans-serif"'
INK = "#0b0c0c"
VALUE_COLOUR = "#1d70b8"
TARGET_COLOUR = "#0b0c0c"
FORECAST_COLOUR = "#4c2c92"
GRID_COLOUR = "#b1b4b6"
MIN_LABEL_GAP = 130  # pixels between x-axis labels
# Label every n-th period, n from these, so labels fall on the same quarter or month each year.
# WeasyPrint lays out SVG text a letter at a time: fewer labels make a pack markedly faster.
LABEL_EVERY = (1, 2, 3, 4, 6, 12)
SVG_DATA_URI = "data:image/svg+xml;base64,"


def _text(value: object) -> str:
    """XML-escape text for an element or a double-quoted attribute."""
    return escape(str(value), {'"': "&quot;"})


def _finite(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


@dataclass(frozen=True)
class KeyItem:
    kind: str  # "value", "target" or "forecast": how the line is drawn
    label: str


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    description: str
    unit_label: str
    key: tuple[KeyItem, ...]

    @property
    def data_uri(self) -> str:
        """The SVG as an <img> source: packs use it so the layout engine parses the chart as
        an image rather than as HTML, and the published HTML stays one self-contained file."""
        return SVG_DATA_URI + base64.b64encode(self.svg.encode()).decode()

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.description}"


def kpi_chart(
    points: Sequence[tuple[str, Number | None]],
    *,
    target: Number | Sequence[Number | None] | None = None,
    forecast: tuple[str, Number] | None = None,
    unit_label: str,
    title: str,
    description: str | None = None,
    style: UnitStyle = PLAIN,
) -> Chart:
    """An SVG line chart of (period label, value) points, oldest first, and its key.

    target: one number (a dashed line), or one per point (dashed steps; None where there is none).
    forecast: (period label, value) drawn after the last point, dotted, with a hollow marker.
    description: the <desc> text; by default a sentence summarising the values, target and
    forecast, its figures written in the unit's `style` like everywhere else. The chart is
    role="img" with <title> and <desc>; pages still give a data table.
    """
    labels = [str(label) for label, _ in points]
    values = [_finite(value) for _, value in points]
    per_point = target is not None and not isinstance(target, Decimal | float | int)
    targets = (
        [_finite(t) for t in target]  # type: ignore[union-attr]
        if per_point
        else [_finite(target)] * len(points)
    )
    targets = (targets + [None] * len(points))[: len(points)]
    forecast_value = _finite(forecast[1]) if forecast else None
    if description is None:
        description = _describe(points, target, per_point, forecast, style)
    key = [KeyItem("value", "Value")]
    if any(t is not None for t in targets):
        key.append(KeyItem("target", "Target"))
    if forecast_value is not None:
        forecast_text = format_value(forecast[1], style)
        key.append(KeyItem("forecast", f"Forecast for {forecast[0]}: {forecast_text}"))
    svg = _svg(labels, values, targets, per_point, forecast, forecast_value, title, description)
    return Chart(svg, title, description, unit_label, tuple(key))


def _svg(
    labels: list[str],
    values: list[float | None],
    targets: list[float | None],
    per_point: bool,
    forecast: tuple[str, Number] | None,
    forecast_value: float | None,
    title: str,
    description: str,
) -> SafeString:
    slots = len(labels) + (1 if forecast_value is not None else 0)
    uid = f"chart-{zlib.crc32((title + '|' + '|'.join(labels)).encode()):08x}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" {FONT} font-size="12" fill="{INK}">',
        f'<title id="{uid}-title">{_text(title)}</title>',
        f'<desc id="{uid}-desc">{_text(description)}</desc>',
    ]
    known = [v for v in values if v is not None] + [t for t in targets if t is not None]
    if forecast_value is not None:
        known.append(forecast_value)
    if not known or not slots:
        out.append(
            f'<text x="{WIDTH / 2:.1f}" y="{TOP + _Plot.height() / 2:.1f}" '
            'text-anchor="middle">No values to show yet</text></svg>'
        )
        return mark_safe("".join(out))  # noqa: S308 – every text above is escaped
    plot = _Plot.around(known, slots)
    axis_labels = labels + ([forecast[0]] if slots > len(labels) else [])
    out += _axes(plot, axis_labels)
    out += _target_marks(plot, targets, per_point)
    out += _value_marks(plot, values)
    if forecast_value is not None:
        out += _forecast_marks(plot, values, len(labels), forecast_value)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 – every text above is escaped


@dataclass(frozen=True)
class _Plot:
    """The plotting area's scale: `low` to `high` in steps of `step`, `slots` periods across."""

    low: float
    high: float
    step: float
    slots: int

    @staticmethod
    def height() -> float:
        return HEIGHT - TOP - BOTTOM

    @classmethod
    def around(cls, known: list[float], slots: int) -> _Plot:
        low, high = min(known), max(known)
        if low == high:
            pad = abs(low) * 0.1 or 1.0
            low, high = low - pad, high + pad
        step = _nice_step(high - low)
        return cls(math.floor(low / step) * step, math.ceil(high / step) * step, step, slots)

    @property
    def slot_width(self) -> float:
        return (WIDTH - LEFT - RIGHT) / self.slots

    def x(self, i: int) -> float:
        return LEFT + self.slot_width * (i + 0.5)

    def y(self, v: float) -> float:
        return TOP + self.height() * (self.high - v) / (self.high - self.low)


def _axes(plot: _Plot, axis_labels: list[str]) -> list[str]:
    """Grid, tick labels and period labels. The grid is one path (and the markers another):
    WeasyPrint styles and draws every SVG element on its own, so fewer make a pack faster."""
    grid, out = [], []
    tick = plot.low
    while tick <= plot.high + plot.step / 1000:
        ty = plot.y(tick)
        grid.append(f"M{LEFT} {ty:.1f}H{WIDTH - RIGHT}")
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{_text(number_text(tick))}</text>"
        )
        tick += plot.step
    bottom = TOP + plot.height()
    out.insert(
        0, f'<path d="{"".join(grid)}" fill="none" stroke="{GRID_COLOUR}" stroke-width="1"/>'
    )
    out.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    every = next((n for n in LABEL_EVERY if n * plot.slot_width >= MIN_LABEL_GAP), LABEL_EVERY[-1])
    last = len(axis_labels) - 1
    for i, label in enumerate(axis_labels):
        if not (last - i) % every:
            out.append(
                f'<text x="{plot.x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                f"{_text(label)}</text>"
            )
    return out


def _target_marks(plot: _Plot, targets: list[float | None], per_point: bool) -> list[str]:
    """A dashed line, or dashed steps where the target changes from period to period."""
    dashes = f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"'
    if not per_point:
        if not targets or targets[0] is None:
            return []
        ty = plot.y(targets[0])
        return [f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" {dashes}/>']
    d, previous = [], None
    half = plot.slot_width / 2
    for i, t in enumerate(targets):
        if t is not None:
            move = "L" if previous is not None else "M"
            d.append(f"{move}{plot.x(i) - half:.1f} {plot.y(t):.1f}H{plot.x(i) + half:.1f}")
        previous = t
    return [f'<path d="{"".join(d)}" fill="none" {dashes}/>'] if d else []


def _value_marks(plot: _Plot, values: list[float | None]) -> list[str]:
    """A polyline per unbroken run of values, and a marker on every value."""
    out, run = [], []
    for i, v in enumerate([*values, None]):
        if v is not None:
            run.append(f"{plot.x(i):.1f},{plot.y(v):.1f}")
            continue
        if len(run) > 1:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{VALUE_COLOUR}" '
                f'stroke-width="3" stroke-linejoin="round"/>'
            )
        run = []
    # A round-capped line of no length is a dot: every marker in one path.
    markers = "".join(
        f"M{plot.x(i):.1f} {plot.y(v):.1f}h0" for i, v in enumerate(values) if v is not None
    )
    if markers:
        out.append(
            f'<path d="{markers}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="8" '
            f'stroke-linecap="round"/>'
        )
    return out


def _forecast_marks(
    plot: _Plot, values: list[float | None], at: int, forecast_value: float
) -> list[str]:
    """Dotted from the last value to a hollow marker."""
    fx, fy = plot.x(at), plot.y(forecast_value)
    out = []
    last_known = next(((i, v) for i, v in reversed(list(enumerate(values))) if v is not None), None)
    if last_known is not None:
        out.append(
            f'<line x1="{plot.x(last_known[0]):.1f}" y1="{plot.y(last_known[1]):.1f}" '
            f'x2="{fx:.1f}" y2="{fy:.1f}" stroke="{FORECAST_COLOUR}" stroke-width="3" '
            f'stroke-dasharray="2 4" stroke-linecap="round"/>'
        )
    out.append(
        f'<circle cx="{fx:.1f}" cy="{fy:.1f}" r="5" fill="#ffffff" '
        f'stroke="{FORECAST_COLOUR}" stroke-width="2"/>'
    )
    return out


def _describe(points, target, per_point: bool, forecast, style: UnitStyle) -> str:
    """A sentence of the values, target and forecast, each figure as the pages write it."""
    reported = [(str(label), v) for label, v in points if _finite(v) is not None]
    if not reported:
        sentence = "No values reported yet."
    else:
        lowest = min(reported, key=lambda point: _finite(point[1]))[1]
        highest = max(reported, key=lambda point: _finite(point[1]))[1]
        sentence = (
            f"Values from {points[0][0]} to {points[-1][0]}: "
            f"lowest {format_value(lowest, style)}, "
            f"highest {format_value(highest, style)}, "
            f"latest {format_value(reported[-1][1], style)} in {reported[-1][0]}."
        )
    targets = list(target) if per_point else [target]
    known = [t for t in targets if _finite(t) is not None]
    if known:
        if per_point and len({_finite(t) for t in known}) > 1:
            sentence += f" The target changes over time; latest {format_value(known[-1], style)}."
        else:
            sentence += f" Target {format_value(known[-1], style)}."
    if forecast is not None and _finite(forecast[1]) is not None:
        sentence += f" Forecast for {forecast[0]}: {format_value(forecast[1], style)} (not data)."
    return sentence
