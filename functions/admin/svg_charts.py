"""Small server-rendered SVG charts (bars, horizontal bars, lines): no JavaScript, readable on a phone.

Every label is escaped; the SVG scales to its container through its viewBox.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

Point = tuple[str, float]
PALETTE = ("#0f6fde", "#e07b00", "#127a3f", "#b42318", "#6941c6", "#667085")
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 18, 34


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step:
            return float(step)
    return float(int(value * 1.1) + 1)


def _frame(title: str, body: str, *, height: int = HEIGHT) -> Markup:
    safe = escape(title)
    return Markup(  # noqa: S704 - every label in body and title is escaped
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{safe}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{safe}</title>{body}</svg>'
    )


def _axis(top: float, unit: str) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    lines = []
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + plot_h * (1 - fraction)
        value = top * fraction
        label = f"{value:g}{escape(unit)}"
        lines.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ec"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    return "".join(lines)


def _x_labels(labels: Sequence[str], positions: Sequence[float]) -> str:
    every = max(1, len(labels) // 8)  # at most ~8 labels so a phone can read them
    return "".join(
        f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
        for index, (label, x) in enumerate(zip(labels, positions, strict=True))
        if index % every == 0
    )


def empty_chart(title: str, message: str = "No data in this period") -> Markup:
    body = f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">{escape(message)}</text>'
    return _frame(title, body)


def bar_chart(points: Sequence[Point], *, title: str, unit: str = "") -> Markup:
    if not points:
        return empty_chart(title)
    top = _nice_max(max(value for _, value in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(points)
    bars, centres = [], []
    for index, (label, value) in enumerate(points):
        bar_h = plot_h * value / top
        x = LEFT + index * slot + slot * 0.15
        centres.append(x + slot * 0.35)
        bars.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" '
            f'fill="{PALETTE[0]}" rx="2"><title>{escape(label)}: {value:g}{escape(unit)}</title></rect>'
        )
    return _frame(title, _axis(top, unit) + "".join(bars) + _x_labels([p[0] for p in points], centres))


def horizontal_bars(points: Sequence[Point], *, title: str) -> Markup:
    if not points:
        return empty_chart(title)
    row_h, label_w = 26, 130
    height = TOP + row_h * len(points) + 8
    top = max(value for _, value in points) or 1
    rows = []
    for index, (label, value) in enumerate(points):
        y = TOP + index * row_h
        bar_w = (WIDTH - label_w - 60) * value / top
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 10}" rx="2" '
            f'fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 16}">{value:g}</text>'
        )
    return _frame(title, "".join(rows), height=height)


def line_chart(series: dict[str, Sequence[Point]], *, title: str, unit: str = "") -> Markup:
    """Several named series over the same labels (e.g. p50 and p95 per day), with a legend."""
    labels = sorted({label for points in series.values() for label, _ in points})
    if not labels:
        return empty_chart(title)
    top = _nice_max(max(value for points in series.values() for _, value in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels) - 1)
    x_of = {label: LEFT + (index * step if len(labels) > 1 else plot_w / 2) for index, label in enumerate(labels)}
    parts = [_axis(top, unit)]
    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        coords = [(x_of[label], TOP + plot_h * (1 - value / top)) for label, value in sorted(points)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords)
        parts.append(
            f'<rect x="{LEFT + 8 + index * 90}" y="2" width="10" height="10" fill="{colour}"/>'
            f'<text x="{LEFT + 22 + index * 90}" y="11">{escape(name)}</text>'
        )
    parts.append(_x_labels(labels, [x_of[label] for label in labels]))
    return _frame(title, "".join(parts))
