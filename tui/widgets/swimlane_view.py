"""The swimlane grid: one row per actor, one column per time bin, a cursor over the cells.

A ``VirtualList``: only the rows on screen are drawn, each computed when first shown
(``Lanes.row``) and kept in a small cache, so fifty thousand actors scroll as quickly as
ten. The actor's name column stays put; the grid never scrolls sideways (the bins are chosen
to fit the width).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from ..model.swimlane import Cell, Lanes
from ..model.text import clip, one_line
from .timeline_row import fit
from .virtual_list import VirtualList

__all__ = ["SwimlaneView", "NAME_WIDTH", "cell_width", "name_width", "axis", "SURE", "MAYBE"]

NAME_WIDTH = 24
SURE, MAYBE, NONE = "█", "░", "·"
"""Certainly in the bin; only possibly (a date less precise than the bin, or a long span); absent."""


def cell_width(lanes: Lanes, width: int) -> int:
    """Cells per bin: as wide as fits, up to 4."""
    return max(1, min(4, (width - NAME_WIDTH - 1) // max(1, lanes.count)))


def name_width(lanes: Lanes, width: int) -> int:
    """The name column: NAME_WIDTH, widened into the cells the grid leaves unused as far as
    the longest label needs (so no name is cut while room is left at the right)."""
    spare = width - NAME_WIDTH - 1 - lanes.count * cell_width(lanes, width)
    return NAME_WIDTH + max(0, min(spare, _longest_label(lanes) - NAME_WIDTH))


_LABELS: weakref.WeakKeyDictionary[Lanes, int] = weakref.WeakKeyDictionary()
_SAMPLE = 2000
"""Lanes measured for the name column (the most present come first: those on screen)."""


def _longest_label(lanes: Lanes) -> int:
    """Cells of the widest "name total" among the first lanes (measured once per Lanes)."""
    found = _LABELS.get(lanes)
    if found is None:
        name = lanes.timeline.actor_name
        found = _LABELS[lanes] = max((cell_len(one_line(clip(name(a), 200))) + 1 + len(str(n))
                                      for a, n in zip(lanes.actors[:_SAMPLE], lanes.totals[:_SAMPLE])), default=0)
    return found


class SwimlaneView(VirtualList, can_focus=True):
    """Actors × time bins."""

    BINDINGS = [
        Binding("up,k", "move(-1, 0)", "Up", show=False),
        Binding("down,j", "move(1, 0)", "Down", show=False),
        Binding("left,h", "move(0, -1)", "Left", show=False),
        Binding("right,l", "move(0, 1)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "edge(-1)", "First actor", show=False),
        Binding("end,G", "edge(1)", "Last actor", show=False),
    ]

    COMPONENT_CLASSES = {"swimlane--name", "swimlane--sure", "swimlane--maybe", "swimlane--none",
                         "swimlane--cursor", "swimlane--row"}

    DEFAULT_CSS = """
    SwimlaneView {
        background: $surface;
        overflow-x: hidden;
        & > .swimlane--name { color: $text; }
        & > .swimlane--sure { color: $accent; }
        & > .swimlane--maybe { color: $text-warning; }
        & > .swimlane--none { color: $text-disabled; }
        & > .swimlane--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .swimlane--row { background: $boost; }
    }
    """

    row: reactive[int] = reactive(0, repaint=False)
    column: reactive[int] = reactive(0, repaint=False)

    @dataclass
    class Moved(Message):
        """The cursor is on another cell (collapses: only the latest matters)."""

        row: int
        column: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, SwimlaneView.Moved)

    class Chosen(Message):
        """Enter on a cell: filter the timeline to that actor and period."""

    def __init__(self, lanes: Lanes, *, id: str | None = None) -> None:
        super().__init__(id=id, cache_size=512)
        self.lanes = lanes
        self._rows: LRUCache[int, dict[int, Cell]] = LRUCache(512)
        self.virtual_size = Size(1, len(lanes))

    def set_lanes(self, lanes: Lanes, width: int) -> None:
        """Show other lanes (the bins rebuilt for a new width)."""
        self.lanes = lanes
        self._rows.clear()
        self.virtual_size = Size(width, len(lanes))
        self.redraw()

    def cells(self, row: int) -> dict[int, Cell]:
        found = self._rows.get(row)
        if found is None:
            found = self._rows[row] = self.lanes.row(row)
        return found

    # --- cursor ------------------------------------------------------------------------------

    def validate_row(self, value: int) -> int:
        return max(0, min(value, len(self.lanes) - 1))

    def validate_column(self, value: int) -> int:
        return max(0, min(value, self.lanes.count - 1))

    def watch_row(self, old: int, new: int) -> None:
        self.refresh_line(old)  # ScrollView.refresh_line takes the row, not its place on screen
        self.refresh_line(new)
        self.show_row(new)
        self.post_message(self.Moved(self.row, self.column))

    def watch_column(self) -> None:
        self.refresh_line(self.row)
        self.post_message(self.Moved(self.row, self.column))

    def action_move(self, rows: int, columns: int) -> None:
        self.row += rows
        self.column += columns

    def action_page(self, direction: int) -> None:
        self.row += direction * self.page_rows()

    def action_edge(self, direction: int) -> None:
        self.row = 0 if direction < 0 else len(self.lanes) - 1

    def key_enter(self) -> None:
        if len(self.lanes) and self.lanes.count:
            self.post_message(self.Chosen())

    def on_click(self, event) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self.row = offset.y + int(self.scroll_offset.y)
        full = self.scrollable_content_region.width
        width, names = cell_width(self.lanes, full), name_width(self.lanes, full)
        if offset.x >= names + 1:
            self.column = (offset.x - names - 1) // width

    # --- drawing -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = y + int(self.scroll_offset.y)
        base = self.rich_style
        if row >= len(self.lanes):
            return Strip.blank(width, base)
        cursor = self.column if row == self.row else None
        return self.strip((row, cursor, self.has_focus, width), lambda: self._draw(row, cursor, width, base))

    def _draw(self, row: int, cursor: int | None, width: int, base: Style) -> Strip:
        style = self.get_component_rich_style
        row_style = base + style("swimlane--row") if row == self.row else base
        name = one_line(clip(self.lanes.timeline.actor_name(self.lanes.actors[row]), 200))
        total = f" {self.lanes.totals[row]}"
        label = fit(name, name_width(self.lanes, width) - cell_len(total)) + total  # a cut name ends in …
        segments = [Segment(label + " ", row_style + style("swimlane--name"))]
        cells = self.cells(row)
        w = cell_width(self.lanes, width)
        looks = {SURE: row_style + style("swimlane--sure"), MAYBE: row_style + style("swimlane--maybe"),
                 NONE: row_style + style("swimlane--none")}
        cursor_style = style("swimlane--cursor") if self.has_focus else Style(reverse=True)
        for c in range(self.lanes.count):
            cell = cells.get(c)
            glyph = SURE if cell and cell.sure else MAYBE if cell else NONE
            text = glyph * (w - 1 if w > 2 else w) + (" " if w > 2 else "")
            segments.append(Segment(text, looks[glyph] + cursor_style if c == cursor else looks[glyph]))
        return Strip(segments).adjust_cell_length(width, base)


def axis(lanes: Lanes, width: int) -> str:
    """The header over the grid: a bin's label wherever one fits, left-aligned on its column."""
    w = cell_width(lanes, width)
    line = [" "] * max(0, width)
    start = name_width(lanes, width) + 1
    column = 0
    while column < lanes.count:
        text = lanes.label(column).replace("week of ", "")
        at = start + column * w
        if at + len(text) > width:
            break
        line[at:at + len(text)] = list(text)
        column += max(1, -(-(len(text) + 1) // w))
    head = "actor (events)"
    line[0:len(head)] = list(head)
    return "".join(line)[:width]
