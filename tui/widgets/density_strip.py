"""A two-line chart of events over time: what the filters show, and where that sits.

The first line holds the bars of the *shown* events, scaled to their own peak (a filtered
set of 40 events among 50,000 is not drawn flat), and, where nothing shown falls, the
whole timeline as a faint backdrop, so the shape of the story stays in view. The second
line is the axis: a tick and the year where each year begins, and the date filter's
from/to window underlined. The cursor's month (or week) is marked; a click moves the
cursor to the first shown event of the month clicked.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ..model.density import Density

__all__ = ["DensityStrip"]

_LEVELS = "▁▂▃▄▅▆▇█"


def _level(value: int, peak: int, levels: str = _LEVELS) -> str:
    if not value:
        return " "
    return levels[min(len(levels) - 1, (value * len(levels) - 1) // max(peak, 1))]


class DensityStrip(Widget):
    """Renders ``Density`` counts scaled to the widget's width."""

    DEFAULT_CSS = """
    DensityStrip { height: 2; padding: 0 1; color: $text-muted; }
    """

    current: reactive[int | None] = reactive(None, repaint=False)
    """Position of the highlighted event (bound to the screen's cursor). The strip is drawn
    again only when the cursor's bucket changes (``watch_current``): most keys stay in it."""
    counts: reactive[tuple[int, ...]] = reactive(())
    """Shown events per bucket."""
    window: reactive[tuple[int, int] | None] = reactive(None)
    """First and last bucket of the date filter (None: no date filter)."""

    @dataclass
    class Jump(Message):
        """A click on the strip: go to the first shown event on or after ``second``."""

        second: int

    def __init__(self, density: Density, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.density = density
        self.tooltip = ("Events over time: bright = shown (scaled to their own peak), faint = the "
                        "whole timeline; underlined = the date filter. Click to go there (Ctrl+G: to a date typed).")
        self._columns: list[tuple[int, int]] = []
        """Bucket range [a, b) drawn in each column of the bars."""
        self._bars_from = 0
        """Cell where the first bar is drawn (after the left label)."""

    def watch_current(self, old: int | None, new: int | None) -> None:
        d = self.density
        if d.size and d.bucket_of(old) != d.bucket_of(new):
            self.refresh()

    def _layout(self) -> tuple[str, str, int]:
        d = self.density
        left, right = d.label(0), d.label(d.size - 1)
        width = self.content_region.width - cell_len(left) - cell_len(right) - 2
        if width < 8:
            left = right = ""
            width = self.content_region.width
        return left, right, max(1, width)

    def render(self) -> Content:
        d = self.density
        if not d.size:
            return Content("")
        left, right, cells = self._layout()
        total, shown = d.total, self.counts or tuple(d.total)
        filtered = list(shown) != list(total)
        cursor = d.bucket_of(self.current)
        self._columns = []
        sums = []
        for c in range(cells):
            a = c * d.size // cells
            b = max(a + 1, (c + 1) * d.size // cells)
            self._columns.append((a, b))
            sums.append((sum(total[a:b]), sum(shown[a:b]), cursor is not None and a <= cursor < b))
        peak_total = max((t for t, _, _ in sums), default=1)
        peak_shown = max((s for _, s, _ in sums), default=0)
        self._bars_from = cell_len(left) + 1 if left else 0
        bars: list = [(left + " ", "dim")] if left else []
        for t, s, here in sums:
            if s:
                char, style = _level(s, peak_shown), "$text-accent"
            else:  # the backdrop: the whole timeline, faint (and lower, so shown bars stand out)
                char, style = _level(t, peak_total, _LEVELS[:4] if filtered else _LEVELS), "$panel-lighten-3"
            if here:
                style = "reverse bold $text-warning"
                char = char if char != " " else "▏"
            bars.append((char, style))
        if right:
            bars.append((" " + right, "dim"))
        return Content("\n").join([Content.assemble(*bars), self._axis(left, right, cells)])

    def _axis(self, left: str, right: str, cells: int) -> Content:
        """Year ticks under the bars, and the date filter's window underlined."""
        d = self.density
        axis = [" "] * cells
        taken, labelled = 0, None
        for c, (a, b) in enumerate(self._columns):
            year = next((d.year_starting(k) for k in range(a, b) if d.year_starting(k)), None)
            if year is None or c < taken or year == labelled:
                continue  # (wider than the buckets, several columns draw one January: one label)
            labelled = year
            label, start = f"╵{year}", c
            if c + len(label) > cells:  # no room after the tick: the year goes before it
                label = f"{year}╵"
                start = c + 1 - len(label)
                if start < taken:
                    break
            axis[start:start + len(label)] = label
            taken = start + len(label) + 1
        window = self.window
        parts: list = [(" " * (cell_len(left) + 1), "")] if left else []
        for c, char in enumerate(axis):
            a, b = self._columns[c]
            inside = window is not None and a <= window[1] and b - 1 >= window[0]
            parts.append((char if char != " " or not inside else "▔", "bold $text-accent" if inside else "dim"))
        if right:
            parts.append((" " * (cell_len(right) + 1), ""))
        return Content.assemble(*parts)

    def on_click(self, event: events.Click) -> None:
        column = event.x - self.styles.padding.left - self._bars_from
        if 0 <= column < len(self._columns):
            self.post_message(self.Jump(self.density.bucket_start(self._columns[column][0])))
