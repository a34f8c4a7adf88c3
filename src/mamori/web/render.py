"""Templates (Jinja2, autoescaped), the matched-span highlighter and server-rendered SVG bar charts.

Everything that builds markup in Python escapes each piece of text itself and returns `Markup`, so a prompt
like `<script>` is shown, never run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Each page passes its language's gettext/ngettext in the render context (see `Page.render`); these
    # null ones only serve a template rendered outside a page.
    env.install_null_translations()  # type: ignore[attr-defined]
    env.globals.update(highlight=highlight, bar_chart=bar_chart)
    return env


def merge_spans(spans: Sequence[Sequence[int]], length: int) -> list[tuple[int, int]]:
    """Spans clamped to the text, sorted, overlapping and touching ones merged; empty or malformed ones dropped."""
    clean: list[tuple[int, int]] = []
    for sp in spans:
        if len(sp) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in sp):
            continue
        start, end = max(0, sp[0]), min(length, sp[1])
        if start < end:
            clean.append((start, end))
    clean.sort()
    out: list[tuple[int, int]] = []
    for start, end in clean:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def highlight(text: str, spans: Sequence[Sequence[int]]) -> Markup:
    """The text, escaped, with each matched span wrapped in <mark>."""
    parts: list[str] = []
    pos = 0
    for start, end in merge_spans(spans, len(text)):
        parts.append(str(escape(text[pos:start])))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    parts.append(str(escape(text[pos:])))
    return Markup("".join(parts))


def nice_max(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... that is at least `value`: a round top for a chart's axis."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if magnitude * step >= value:
                return magnitude * step
        magnitude *= 10


TICK_CHAR_WIDTH = 7.0  # px per character of an 11px tick label (digits are ~6.1px): a safe upper bound


def tick_label(value: float) -> str:
    """An axis tick, short: 0, 2.5, 500, 5000, 20k, 1.5M."""
    for unit, suffix in ((1_000_000, "M"), (10_000, "k")):
        if value >= unit:
            scaled = value / (unit if suffix == "M" else 1000)
            return f"{scaled:g}{suffix}" if scaled == int(scaled) else f"{scaled:.1f}{suffix}"
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def bar_chart(bars: Sequence[tuple[str, int]], label: str, css: str = "", every: int = 1) -> Markup:
    """A vertical bar chart as inline SVG: one bar per (label, value); every `every`-th label is printed.
    Colours come from the stylesheet (class `css`), so the page needs no inline styles. The left margin is as
    wide as the widest tick label, so the y-axis labels are never cut off at the edge."""
    n = max(len(bars), 1)
    top_value = max([v for _, v in bars] + [1])
    axis_max = nice_max(top_value)
    ticks = [(frac, tick_label(axis_max * frac)) for frac in (0.0, 0.5, 1.0)]
    widest = max(len(text) for _, text in ticks)
    width, height, bottom, top = 400, 150, 20, 8
    left = round(6 + widest * TICK_CHAR_WIDTH)
    plot_w, plot_h = width - left - 6, height - bottom - top
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.7)
    out = [
        f'<svg class="chart {escape(css)}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for frac, tick in ticks:
        y = top + plot_h * (1 - frac)
        out.append(f'<line class="gridline" x1="{left}" x2="{width - 6}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, (name, value) in enumerate(bars):
        h = plot_h * value / axis_max
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        out.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
            f"<title>{escape(name)}: {value}</title></rect>"
        )
        if i % every == 0:
            out.append(
                f'<text class="label" x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(name)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))
