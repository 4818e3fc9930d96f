"""Small server-side SVG charts (no JavaScript, no CDN). Every label is escaped.

Colours come from a palette readable for common colour blindness (Okabe–Ito).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _fmt_int(value: float) -> str:
    return f"{value:.0f}"


def bars(labels: Sequence[str], series: dict[str, Sequence[float]], title: str, width: int = 640,
         height: int = 220, fmt: Callable[[float], str] = _fmt_int, max_value: float | None = None) -> Markup:
    """Vertical (stacked) bars: one bar per label, one colour per series, with a legend."""
    n = max(1, len(labels))
    left, right, top, bottom = 36, 8, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    peak = max_value or max(totals + [1])
    if fmt is _fmt_int:
        peak = max(2, peak + peak % 2)  # whole numbers on the three grid lines
    step = plot_w / n
    bar_w = max(2.0, step * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {FONT} fill="#555">'
                     f'{escape(fmt(peak * frac))}</text>')
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar_w) / 2
        base = top + plot_h
        for s, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / peak if peak else 0
            if h > 0:
                base -= h
                parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                             f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)} · {escape(name)}: '
                             f'{escape(fmt(values[i]))}</title></rect>')
        if n <= 16 or i % 2 == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" {FONT} '
                         f'fill="#555">{escape(label)}</text>')
    x = left
    for s, name in enumerate(series):
        if len(series) > 1:
            parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
                         f'<text x="{x + 14}" y="15" {FONT}>{escape(name)}</text>')
            x += 24 + 7 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def hbars(items: Sequence[tuple[str, float]], title: str, width: int = 640,
          fmt: Callable[[float], str] = _fmt_int) -> Markup:
    """Horizontal bars with the label on the left (for top-N lists such as intents)."""
    row_h, left, right = 22, 190, 50
    height = max(1, len(items)) * row_h + 10
    peak = max([v for _, v in items] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 5 + i * row_h
        w = (width - left - right) * value / peak
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" {FONT}>{escape(label)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{PALETTE[0]}"/>'
                     f'<text x="{left + w + 4:.1f}" y="{y + 14}" {FONT} fill="#333">{escape(fmt(value))}</text>')
    if not items:
        parts.append(f'<text x="10" y="20" {FONT}>Nog geen gegevens</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
