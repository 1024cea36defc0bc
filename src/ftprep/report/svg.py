"""Plots as inline SVG: drawn here, so a report needs no script, no library and no network.

Every label goes through :func:`html.escape`: category names and reasons come from the data.
"""

from __future__ import annotations

from html import escape

_W, _H = 520, 180
_PAD_L, _PAD_B, _PAD_T = 48, 34, 12
_BAR = "#4c78a8"
_LIMIT = "#e45756"


def histogram(
    edges: list[float],
    counts: list[int],
    *,
    title: str,
    unit: str,
    limit: float | None = None,
) -> str:
    """Bars of ``counts`` over bins ``edges`` (the last bin holds everything beyond), with an
    optional vertical line at ``limit``."""
    top = max(counts) or 1
    width = (_W - _PAD_L - 8) / len(counts)
    span = edges[-1] - edges[0] or 1
    parts = [_frame(title)]
    for k, count in enumerate(counts):
        h = (_H - _PAD_B - _PAD_T) * count / top
        x = _PAD_L + k * width
        label = f"{edges[k]:,.0f}-{edges[k + 1]:,.0f} {unit}: {count:,}"
        parts.append(
            f'<rect x="{x:.1f}" y="{_H - _PAD_B - h:.1f}" width="{max(width - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="{_BAR}"><title>{escape(label)}</title></rect>'
        )
    parts.append(_axis_labels(f"0 {unit}", f"{edges[-1]:,.0f}+", f"{top:,}"))
    if limit is not None and limit <= edges[-1]:
        x = _PAD_L + (limit - edges[0]) / span * (_W - _PAD_L - 8)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_PAD_T}" y2="{_H - _PAD_B}" '
            f'stroke="{_LIMIT}" stroke-width="2"/><text x="{x + 3:.1f}" y="{_PAD_T + 10}" '
            f'font-size="10" fill="{_LIMIT}">limit {limit:,.0f}</text>'
        )
    return _svg(parts, title)


def bars(items: list[tuple[str, int]], *, title: str) -> str:
    """Horizontal bars, one per ``(label, count)``, largest first as given."""
    if not items:
        return ""
    top = max(c for _, c in items) or 1
    row = 18
    height = _PAD_T + row * len(items) + 8
    label_w = 170
    parts = [f'<text x="0" y="10" font-size="12" font-weight="bold">{escape(title)}</text>']
    for k, (label, count) in enumerate(items):
        y = _PAD_T + 6 + k * row
        w = (_W - label_w - 70) * count / top
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
            f"{escape(short)}<title>{escape(label)}</title></text>"
            f'<rect x="{label_w}" y="{y + 2}" width="{max(w, 1):.1f}" height="{row - 5}" '
            f'fill="{_BAR}"/><text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11">'
            f"{count:,}</text>"
        )
    return _svg(parts, title, height=height)


def _frame(title: str) -> str:
    return (
        f'<text x="0" y="10" font-size="12" font-weight="bold">{escape(title)}</text>'
        f'<line x1="{_PAD_L}" x2="{_W - 8}" y1="{_H - _PAD_B}" y2="{_H - _PAD_B}" stroke="#999"/>'
    )


def _axis_labels(left: str, right: str, top: str) -> str:
    return (
        f'<text x="{_PAD_L}" y="{_H - _PAD_B + 14}" font-size="10">{escape(left)}</text>'
        f'<text x="{_W - 8}" y="{_H - _PAD_B + 14}" font-size="10" text-anchor="end">'
        f"{escape(right)}</text>"
        f'<text x="{_PAD_L - 4}" y="{_PAD_T + 10}" font-size="10" text-anchor="end">'
        f"{escape(top)}</text>"
    )


def _svg(parts: list[str], title: str, *, height: int = _H) -> str:
    return (
        f'<svg class="plot" role="img" aria-label="{escape(title)}" width="{_W}" '
        f'height="{height}" viewBox="0 0 {_W} {height}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(parts)
        + "</svg>"
    )
