"""A one-line chart of events over time: the whole dataset in grey, the filtered subset
bright, the cursor's month (or week) marked."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ..model.density import Density

__all__ = ["DensityStrip"]

_LEVELS = "▁▂▃▄▅▆▇█"


class DensityStrip(Widget):
    """Renders ``Density`` counts scaled to the widget's width."""

    DEFAULT_CSS = """
    DensityStrip { height: 1; padding: 0 1; color: $text-muted; }
    """

    current: reactive[int | None] = reactive(None)
    """Position of the highlighted event (bound to the screen's cursor)."""
    counts: reactive[tuple[int, ...]] = reactive(())
    """Filtered events per bucket."""

    def __init__(self, density: Density, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.density = density
        self.tooltip = "Events over time: grey = whole timeline, bright = shown by the filters"

    def render(self) -> Content:
        d = self.density
        if not d.size:
            return Content("")
        left, right = d.label(0), d.label(d.size - 1)
        width = self.content_region.width - cell_len(left) - cell_len(right) - 2
        if width < 8:
            left = right = ""
            width = self.content_region.width
        total, shown = d.total, self.counts or tuple(d.total)
        cells = max(1, width)
        cursor = d.bucket_of(self.current)
        peak = 0
        sums = []
        for c in range(cells):
            a = c * d.size // cells
            b = max(a + 1, (c + 1) * d.size // cells)
            t, s = sum(total[a:b]), sum(shown[a:b])
            sums.append((t, s, cursor is not None and a <= cursor < b))
            peak = max(peak, t)
        parts: list = [(left + " ", "dim")] if left else []
        for t, s, here in sums:
            value = s if s else t
            char = " " if not value else _LEVELS[min(len(_LEVELS) - 1, (value * len(_LEVELS) - 1) // max(peak, 1))]
            style = "$text-accent" if s else "$text-disabled"
            if here:
                style = "reverse bold $text-warning"
                char = char if char != " " else "▏"
            parts.append((char, style))
        if right:
            parts.append((" " + right, "dim"))
        return Content.assemble(*parts)
