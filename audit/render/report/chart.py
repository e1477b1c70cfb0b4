"""The volume-over-time chart: an inline SVG of messages per hour for the top accounts.

A pure function of the volume check's evidence (`hourly`: account → [[hour, messages]],
see checks/volume/evidence.py) and the burst hours its findings name. Hours a series does
not list sent nothing (the logs cover them), so they plot as 0. The SVG is built with
ElementTree and serialised by it, so every account name from a log is escaped; there is
no script and no external reference, and the same input gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

MAX_ACCOUNTS = 6
COLOURS = ("#0f766e", "#2563eb", "#9333ea", "#ea580c", "#0891b2", "#65a30d")
BURST_COLOUR = "#dc2626"
WIDTH, PLOT_HEIGHT = 720, 240
LEFT, RIGHT, TOP, AXIS_BELOW = 56, 16, 14, 40
# The legend is a column beside the plot, not rows under it: the chart fills the width
# of the page at the height the plot needs (under it, the legend made a 720 x 366 chart
# that a 48 mm print height drew at half the page's width).
LEGEND_ROW = 18
LEGEND_WIDTH = 250
HOUR = timedelta(hours=1)
TICK_STEPS = (1, 2, 3, 6, 12, 24, 48, 168)  # hours between x-axis labels
MAX_X_TICKS = 12
NAME_CHARS = 42


@dataclass(frozen=True)
class VolumeChart:
    svg: str  # serialised by ElementTree: safe to insert into the page as markup
    caption: str


def parse_hour(text: str) -> datetime:
    """'2025-03-11T08:00Z' or an ISO timestamp, as an aware UTC hour."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def burst_hours(findings: Sequence[Mapping[str, Any]]) -> set[datetime]:
    """The hours the volume check's findings flag as bursts (any account)."""
    return {
        parse_hour(str(hour["hour"]))
        for f in findings
        if f["check"] == "volume"
        for hour in f.get("evidence", {}).get("burst_hours", [])
    }


def nice_ceiling(value: float) -> tuple[int, int]:
    """(axis maximum, tick step) with a 1-2-5 step and at most five steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if value <= step * 5:
                return max(step * -(-int(value) // step), step), step
        magnitude *= 10


def tick_hours(first: datetime, last: datetime) -> list[datetime]:
    span = (last - first) // HOUR
    step = next((s for s in TICK_STEPS if span / s <= MAX_X_TICKS), TICK_STEPS[-1])
    midnight = first.replace(hour=0)
    ticks = [midnight + HOUR * n for n in range(0, span + 48, step)]
    return [t for t in ticks if first <= t <= last] or [first]


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    element.text = text
    return element


def _num(value: float) -> str:
    return f"{value:.1f}"


class _Frame:
    """Maps (hour, messages) to SVG coordinates."""

    def __init__(self, first: datetime, last: datetime, top: int) -> None:
        # One slot per hour, each point at its slot's centre: a burst band at either end
        # is as wide as any other.
        self.first, self.slots = first, (last - first) // HOUR + 1
        self.top = top
        self.width = WIDTH - LEFT - RIGHT
        self.slot = self.width / self.slots

    def x(self, hour: datetime) -> float:
        return LEFT + self.slot * (((hour - self.first) // HOUR) + 0.5)

    def y(self, messages: float) -> float:
        return TOP + PLOT_HEIGHT - PLOT_HEIGHT * messages / self.top


def _axes(svg: ET.Element, frame: _Frame, step: int, last: datetime) -> None:
    axis = _el(svg, "g", font_size=10, fill="#64748b")
    for value in range(0, frame.top + 1, step):
        y = _num(frame.y(value))
        _el(svg, "line", x1=LEFT, x2=WIDTH - RIGHT, y1=y, y2=y, stroke="#e2e8f0")
        _el(axis, "text", str(value), x=LEFT - 6, y=_num(frame.y(value) + 3), text_anchor="end")
    previous_day = None
    for tick in tick_hours(frame.first, last):
        x = _num(frame.x(tick))
        base = TOP + PLOT_HEIGHT
        _el(svg, "line", x1=x, x2=x, y1=base, y2=base + 4, stroke="#94a3b8")
        _el(axis, "text", f"{tick:%H:%M}", x=x, y=base + 15, text_anchor="middle")
        if tick.date() != previous_day:
            _el(axis, "text", f"{tick.day} {tick:%b %Y}", x=x, y=base + 27, text_anchor="middle")
            previous_day = tick.date()
    label = "messages per hour (UTC)"
    _el(axis, "text", label, x=LEFT, y=TOP - 4, text_anchor="start")


def _series(svg: ET.Element, frame: _Frame, points: list[tuple[datetime, int]], colour: str,
            bursts: set[datetime]) -> None:  # fmt: skip
    coords = " ".join(f"{_num(frame.x(h))},{_num(frame.y(m))}" for h, m in points)
    _el(svg, "polyline", points=coords, fill="none", stroke=colour, stroke_width=1.5)
    for hour, messages in points:
        if hour in bursts and messages:
            x, y = _num(frame.x(hour)), _num(frame.y(messages))
            _el(svg, "circle", cx=x, cy=y, r=4, fill=BURST_COLOUR, stroke="#fff")


def _legend(svg: ET.Element, entries: list[tuple[str, str]], top: float) -> None:
    x = WIDTH + 4
    for index, (colour, label) in enumerate(entries):
        y = top + LEGEND_ROW * index
        _el(svg, "rect", x=_num(x), y=_num(y), width=12, height=8, fill=colour)
        _el(svg, "text", label, x=_num(x + 18), y=_num(y + 8), font_size=10, fill="#334155")


def _filled(raw: Sequence[Sequence[Any]], hours: list[datetime]) -> list[tuple[datetime, int]]:
    counts = {parse_hour(str(hour)): int(messages) for hour, messages in raw}
    return [(hour, counts.get(hour, 0)) for hour in hours]


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def volume_chart_svg(evidence: Mapping[str, Any], bursts: set[datetime]) -> str | None:
    """The SVG for the volume evidence, or None when it holds no hourly series."""
    hourly: Mapping[str, Any] = evidence.get("hourly") or {}
    order = [a["account"] for a in evidence.get("top_accounts", []) if a["account"] in hourly]
    accounts = [a for a in order + sorted(hourly) if hourly.get(a)]
    accounts = list(dict.fromkeys(accounts))[:MAX_ACCOUNTS]
    if not accounts:
        return None
    seen = sorted({parse_hour(str(h)) for a in accounts for h, _ in hourly[a]})
    first, last = seen[0], seen[-1]
    hours = [first + HOUR * n for n in range((last - first) // HOUR + 1)]
    series = {a: _filled(hourly[a], hours) for a in accounts}
    peak = max(m for points in series.values() for _, m in points)
    top, step = nice_ceiling(max(peak, 1))
    frame = _Frame(first, last, top)
    legend_top = TOP + 8
    entries = [(COLOURS[i], _short(a)) for i, a in enumerate(accounts)]
    flagged = sorted(h for h in bursts if first <= h <= last)
    if flagged:
        entries.append((BURST_COLOUR, "burst hour flagged by the volume check"))
    height = max(TOP + PLOT_HEIGHT + AXIS_BELOW, legend_top + LEGEND_ROW * len(entries))
    width = WIDTH + LEGEND_WIDTH
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            # The PDF's bundled font first (audit/render/pdf.py), then the browser's.
            "font-family": "Report Sans, Arial, sans-serif",
        },
    )
    _el(svg, "title", f"Messages per hour, {first:%Y-%m-%d %H:00} to {last:%Y-%m-%d %H:00} UTC")
    for hour in flagged:
        x = _num(frame.x(hour) - frame.slot / 2)
        _el(svg, "rect", x=x, y=TOP, width=_num(frame.slot), height=PLOT_HEIGHT,
            fill=BURST_COLOUR, fill_opacity=0.15)  # fmt: skip
    _axes(svg, frame, step, last)
    for index, account in enumerate(accounts):
        _series(svg, frame, series[account], COLOURS[index], set(flagged))
    _legend(svg, entries, legend_top)
    return ET.tostring(svg, encoding="unicode")


def volume_chart(document: Mapping[str, Any]) -> VolumeChart | None:
    """The chart for the volume check of a result document, if it has hourly series."""
    check = next((c for c in document["checks"] if c["id"] == "volume"), None)
    if check is None:
        return None
    svg = volume_chart_svg(check.get("evidence") or {}, burst_hours(document["findings"]))
    if svg is None:
        return None
    shown = min(sum(1 for s in check["evidence"]["hourly"].values() if s), MAX_ACCOUNTS)
    accounts = "account" if shown == 1 else f"{shown} busiest accounts"
    caption = f"Messages per hour for the {accounts} in the logs (UTC)."
    if burst_hours(document["findings"]):
        caption += " Hours the volume check flags as bursts are shaded red."
    return VolumeChart(svg, caption)
