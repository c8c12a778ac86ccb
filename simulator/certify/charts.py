"""Small inline SVG charts for the HTML report: no JavaScript, no network, no dependency.

Each function returns one ``<svg>`` element sized by its viewBox, so the report stays a single
self-contained file that prints and opens offline.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

FONT = "font-family='inherit' font-size='12'"
GRID = "#e3e6ea"
INK = "#2d3640"
MUTED = "#6b7682"


def _text(x: float, y: float, s: str, anchor: str = "middle", size: int = 12, color: str = INK,
          weight: str = "normal") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' font-size='{size}' fill='{color}' "
            f"font-weight='{weight}'>{escape(s)}</text>")


def _y_axis(x0: float, y0: float, h: float, w: float, ymax: float, step: float) -> list[str]:
    out = []
    v = 0.0
    while v <= ymax + 1e-9:
        y = y0 + h - h * v / ymax
        out.append(f"<line x1='{x0}' y1='{y:.1f}' x2='{x0 + w}' y2='{y:.1f}' stroke='{GRID}'/>")
        out.append(_text(x0 - 6, y + 4, f"{v:g}", "end", 11, MUTED))
        v += step
    return out


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]],
                 minimums: dict[str, float] | None = None, ymax: float = 100, title: str = "",
                 width: int = 560, height: int = 260) -> str:
    """Vertical bars per category and series; a dashed red tick marks each category's minimum."""
    x0, y0, top = 44, 28, 28
    w, h = width - x0 - 12, height - y0 - 48
    parts = [f"<svg viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}' {FONT}>"]
    if title:
        parts.append(_text(x0, 16, title, "start", 13, INK, "600"))
    parts += _y_axis(x0, top, h, w, ymax, ymax / 4)
    n = max(1, len(categories))
    group = w / n
    bw = min(38.0, (group - 16) / max(1, len(series)))
    for i, cat in enumerate(categories):
        gx = x0 + i * group + (group - bw * len(series)) / 2
        for j, (name, values, color) in enumerate(series):
            v = values[i]
            if v is None:
                continue
            bh = h * max(0.0, min(v, ymax)) / ymax
            x = gx + j * bw
            parts.append(f"<rect x='{x:.1f}' y='{top + h - bh:.1f}' width='{bw - 3:.1f}' height='{bh:.1f}' "
                         f"rx='2' fill='{color}'><title>{escape(name)} {escape(cat)}: {v:g}</title></rect>")
            parts.append(_text(x + (bw - 3) / 2, top + h - bh - 4, f"{v:g}", size=10, color=MUTED))
        if minimums and cat in minimums:
            my = top + h - h * minimums[cat] / ymax
            parts.append(f"<line x1='{x0 + i * group + 6:.1f}' y1='{my:.1f}' x2='{x0 + (i + 1) * group - 6:.1f}' "
                         f"y2='{my:.1f}' stroke='#c0392b' stroke-width='2' stroke-dasharray='5 3'>"
                         f"<title>minimum {minimums[cat]:g}</title></line>")
        parts.append(_text(x0 + (i + 0.5) * group, top + h + 16, cat))
    lx = x0
    for name, _, color in series:
        parts.append(f"<rect x='{lx}' y='{height - 18}' width='10' height='10' fill='{color}'/>")
        parts.append(_text(lx + 14, height - 9, name, "start", 11, MUTED))
        lx += 24 + 7 * len(name) + 8 * sum(1 for ch in name if ord(ch) > 0x2e80)
    if minimums:
        parts.append(f"<line x1='{lx}' y1='{height - 13}' x2='{lx + 16}' y2='{height - 13}' stroke='#c0392b' "
                     "stroke-width='2' stroke-dasharray='5 3'/>")
        parts.append(_text(lx + 20, height - 9, "minimum 最低分", "start", 11, MUTED))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]],
               hline: tuple[float, str] | None = None, ymax: float = 100, title: str = "",
               width: int = 560, height: int = 260) -> str:
    """Lines over ordered points (attempts); an optional dashed horizontal mark (the pass mark)."""
    x0, top = 44, 28
    w, h = width - x0 - 16, height - top - 48
    parts = [f"<svg viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}' {FONT}>"]
    if title:
        parts.append(_text(x0, 16, title, "start", 13, INK, "600"))
    parts += _y_axis(x0, top, h, w, ymax, ymax / 4)
    n = len(labels)
    xs = [x0 + (w * (i + 0.5) / n if n else 0) for i in range(n)]
    every = max(1, n // 12)
    for i, lab in enumerate(labels):
        if i % every == 0 or i == n - 1:
            parts.append(_text(xs[i], top + h + 16, lab, size=11, color=MUTED))
    if hline is not None:
        y = top + h - h * hline[0] / ymax
        parts.append(f"<line x1='{x0}' y1='{y:.1f}' x2='{x0 + w}' y2='{y:.1f}' stroke='#c0392b' stroke-width='2' "
                     f"stroke-dasharray='6 4'/>")
        parts.append(_text(x0 + w, y - 5, hline[1], "end", 11, "#c0392b"))
    for name, values, color in series:
        pts = [(xs[i], top + h - h * max(0.0, min(v, ymax)) / ymax, v) for i, v in enumerate(values) if v is not None]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts)
            parts.append(f"<polyline points='{path}' fill='none' stroke='{color}' stroke-width='2.5'/>")
        for x, y, v in pts:
            parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='4' fill='{color}'><title>{escape(name)}: {v:g}"
                         f"</title></circle>")
    lx = x0
    for name, _, color in series:
        parts.append(f"<rect x='{lx}' y='{height - 18}' width='10' height='10' fill='{color}'/>")
        parts.append(_text(lx + 14, height - 9, name, "start", 11, MUTED))
        lx += 24 + 7 * len(name) + 8 * sum(1 for ch in name if ord(ch) > 0x2e80)
    parts.append("</svg>")
    return "".join(parts)


def hbars(items: Sequence[tuple[str, float]], color: str = "#c0392b", title: str = "", width: int = 560,
          empty: str = "none") -> str:
    """Horizontal bars, one per label (red lines by rule)."""
    row, x0, top = 26, 250, 28
    height = top + max(1, len(items)) * row + 12
    parts = [f"<svg viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}' {FONT}>"]
    if title:
        parts.append(_text(8, 16, title, "start", 13, INK, "600"))
    if not items:
        parts.append(_text(8, top + 18, empty, "start", 12, MUTED))
    vmax = max([v for _, v in items] or [1]) or 1
    w = width - x0 - 50
    for i, (label, v) in enumerate(items):
        y = top + i * row
        bw = w * v / vmax
        parts.append(_text(x0 - 8, y + 16, label, "end", 12))
        parts.append(f"<rect x='{x0}' y='{y + 4}' width='{max(bw, 1):.1f}' height='{row - 9}' rx='2' fill='{color}'/>")
        parts.append(_text(x0 + bw + 6, y + 16, f"{v:g}", "start", 11, MUTED))
    parts.append("</svg>")
    return "".join(parts)


def donut(parts_in: Sequence[tuple[str, float, str]], center: str = "", title: str = "",
          width: int = 560, height: int = 220) -> str:
    """A ring split by share (passed / failed / incomplete), with a legend and a centre figure."""
    import math

    total = sum(v for _, v, _ in parts_in) or 1
    cx, cy, r, sw = 110, 120, 70, 28
    parts = [f"<svg viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}' {FONT}>"]
    if title:
        parts.append(_text(8, 16, title, "start", 13, INK, "600"))
    circ = 2 * math.pi * r
    offset = 0.0
    parts.append(f"<circle cx='{cx}' cy='{cy}' r='{r}' fill='none' stroke='{GRID}' stroke-width='{sw}'/>")
    for label, v, color in parts_in:
        if v <= 0:
            continue
        length = circ * v / total
        parts.append(f"<circle cx='{cx}' cy='{cy}' r='{r}' fill='none' stroke='{color}' stroke-width='{sw}' "
                     f"stroke-dasharray='{length:.2f} {circ - length:.2f}' stroke-dashoffset='{-offset:.2f}' "
                     f"transform='rotate(-90 {cx} {cy})'><title>{escape(label)}: {v:g}</title></circle>")
        offset += length
    parts.append(_text(cx, cy + 7, center, size=20, weight="700"))
    for i, (label, v, color) in enumerate(parts_in):
        y = 70 + i * 26
        parts.append(f"<rect x='230' y='{y - 11}' width='12' height='12' rx='2' fill='{color}'/>")
        share = f"{100 * v / total:.0f}%" if total else "-"
        parts.append(_text(250, y, f"{label}: {v:g} ({share})", "start", 13))
    parts.append("</svg>")
    return "".join(parts)
