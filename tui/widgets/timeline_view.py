"""The timeline pane: a virtual list of events grouped under year/month headings.

Only the visible rows are ever rendered (a ``ScrollView`` with the Line API), so a million
events scroll as quickly as thirty. The pane holds the filtered positions (a sorted sequence
of event positions in the model) and a cursor that is an index into them; heading rows are
not stored, only the indexes where a new month begins, so the row <-> event mapping is a
bisection.
"""

from __future__ import annotations

import textwrap
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from operator import ne

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from ..model.clock import in_zone, relative
from ..model.dates import MONTH_NAMES, short_date
from ..model.matches import matched_elsewhere, title_spans
from ..model.runs import runs_of
from ..model.text import clip, one_line
from ..model.timeline import Timeline
from .lens import Lens
from .timeline_row import Columns, fit, fit_names, measure, measure_rows, measured, relative_width
from .virtual_list import VirtualList

__all__ = ["TimelineView", "group_label"]


def group_label(key: int) -> str:
    """Heading text for a group key from ``Timeline.group_keys``."""
    if key == 0:
        return "Open start"
    year, month = divmod(key, 13)
    return str(year) if month == 0 else f"{MONTH_NAMES[month - 1]} {year}"


@dataclass
class Layout:
    """Where headings fall for the current positions."""

    starts: list[int]
    """Index (into positions) of the first event of each group."""
    keys: list[int]
    """Group key of each group."""

    def row_of(self, index: int) -> int:
        return index + bisect_right(self.starts, index)

    def at_row(self, row: int) -> tuple[int | None, int | None]:
        """(group number, None) for a heading row, (None, index) for an event row."""
        k = self._bisect_heading(row)
        if k < 0:
            return None, None
        if self.starts[k] + k == row:
            return k, None
        return None, row - k - 1

    def group_above(self, row: int) -> int:
        """The group whose heading is at or above ``row``."""
        return max(0, self._bisect_heading(row))

    def _bisect_heading(self, row: int) -> int:
        lo, hi = 0, len(self.starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.starts[mid] + mid <= row:
                lo = mid + 1
            else:
                hi = mid
        return lo - 1


_WHOLE: weakref.WeakKeyDictionary[Timeline, Layout] = weakref.WeakKeyDictionary()
"""The layout of every event (no filter) of each timeline, once found."""


def compute_layout(timeline: Timeline, positions: Sequence[int]) -> Layout:
    """Find the group boundaries: by bisection over the months' runs (``model/runs.py``,
    microseconds for any result), else in C-speed passes (a million positions in ~0.1 s).
    The layout of every event is kept per timeline."""
    whole = isinstance(positions, range) and positions == range(len(timeline))
    if whole and timeline in _WHOLE:
        return _WHOLE[timeline]
    if not len(positions):
        return Layout([], [])
    keys = timeline.group_keys
    runs = runs_of(keys)
    if runs.worth_it(positions):
        layout = Layout(*runs.split(positions))
    else:
        group = list(map(keys.__getitem__, positions))
        starts = [0, *compress(range(1, len(group)), map(ne, group[1:], group))]
        layout = Layout(starts, [group[s] for s in starts])
    if whole:
        _WHOLE[timeline] = layout
    return layout


def layout_grown(old: Timeline, new: Timeline, added: Sequence[int]) -> None:
    """``new`` is ``old`` with events added at its end (a JSON Lines file that grew): the
    layout of every event is the old one with the new events' groups after it, found
    without a pass over the million before them."""
    known = _WHOLE.get(old)
    n = len(old)
    if known is None or new in _WHOLE or not added or added[0] != n or not known.keys:
        return
    keys, starts, groups = new.group_keys, list(known.starts), list(known.keys)
    for p in range(n, len(new)):
        if keys[p] != groups[-1]:
            starts.append(p)
            groups.append(keys[p])
    _WHOLE[new] = Layout(starts, groups)


class TimelineView(VirtualList, can_focus=True):
    """Events in date order; the cursor row is the highlighted event."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES = {
        "timeline--heading",
        "timeline--cursor",
        "timeline--cursor-blurred",
        "timeline--date",
        "timeline--actors",
        "timeline--disputed",
        "timeline--reported",
        "timeline--single-source",
        "timeline--empty",
        "timeline--marks",
        "timeline--match",
    }

    DEFAULT_CSS = """
    TimelineView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* a scrollbar coming or going never moves the columns */
        & > .timeline--heading { color: $accent; text-style: bold; }
        & > .timeline--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        & > .timeline--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .timeline--date { color: $text-muted; }
        & > .timeline--actors { color: $text-secondary; }
        & > .timeline--disputed { color: $text-error; text-style: bold; }
        & > .timeline--reported { color: $text-warning; }
        & > .timeline--single-source { color: $text-warning; }
        & > .timeline--empty { color: $text-muted; text-style: italic; }
        & > .timeline--marks { color: $text-warning; }
        & > .timeline--match { background: $warning-muted; text-style: bold underline; }
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False)
    """Index into ``positions`` of the highlighted event."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another event (collapses: only the latest matters)."""

        position: int | None

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, TimelineView.Highlighted)

    class Chosen(Message):
        """Enter on an event: look closer (the screen focuses the detail panes)."""

    class Measured(Message, bubble=False):
        """The columns measured over the timeline's sample, in a worker (a big file)."""

        def __init__(self, columns: Columns) -> None:
            super().__init__()
            self.columns = columns

    def __init__(self, timeline: Timeline, *, id: str | None = None, actor_label=None) -> None:
        super().__init__(id=id)
        self.timeline = timeline
        self.actor_label = actor_label or timeline.actor_name
        """An actor's name as rows show it (told apart from a namesake)."""
        self.positions: Sequence[int] = range(0)
        self.row_layout = Layout([], [])
        self.empty_message = "Loading…"
        self.border_title = "1 Timeline"
        self.marks = None
        """Event id -> two cells of marks (the analyst's star and note), set by the screen."""
        self.marks_shown = lambda: True
        """Whether the marks take a column (the screen says: once the analyst has any)."""
        self._relative: tuple[int, int] | None = None
        """(anchor, cells of its longest D±n label)."""
        self.lens = Lens()
        """As of when, and from which anchor, rows are drawn (set by the screen)."""
        self.columns: Columns | None = None
        """Widths of the date and actor columns, measured on the first row drawn."""
        self.needles: tuple[str, ...] = ()
        """The text search's words (folded), highlighted in the rows."""
        self.first_actors: set[str] = set()
        """Actors listed first in the rows (``set_first_actors``)."""

    def adopt(self, timeline: Timeline, actor_label) -> None:
        """Draw ``timeline`` (another version of the same files, a reload) from now on; the
        screen sets its positions right after (``set_positions``)."""
        self.timeline, self.actor_label = timeline, actor_label
        self.columns = measured(timeline)  # a grown timeline's, widened from the old ones (``measure_grown``)
        self._relative = None
        self._cache.clear()

    def set_needles(self, needles: tuple[str, ...]) -> None:
        if needles != self.needles:
            self.needles = needles
            self._cache.clear()
            self.refresh()

    def set_first_actors(self, actor_ids: set[str]) -> None:
        """Actors the filter names: a row lists them first (filtered by Omar González, his
        name is in the actor column, not the event's first actor's)."""
        if actor_ids != self.first_actors:
            self.first_actors = actor_ids
            self._cache.clear()
            self.refresh()

    def refresh_marks(self) -> None:
        """Redraw the rows after a star or a note changed."""
        self._cache.clear()
        self.refresh()

    def set_lens(self, lens: Lens) -> None:
        """Redraw the rows for another as-of day or anchor (their marks and D±n)."""
        if lens != self.lens:
            self.lens = lens
            zone = lens.zone.zone is not None
            self.border_subtitle = f"times in {lens.zone.name}" if zone else ""  # rows have no room to say it
            self._cache.clear()
            self.refresh()

    # --- data --------------------------------------------------------------------------

    def set_positions(self, positions: Sequence[int], layout: Layout, *, keep: int | None = None,
                      empty_message: str = "") -> None:
        """Show new positions; keep the cursor on event ``keep`` (or the next one after it)."""
        self.positions = positions
        self.row_layout = layout
        self.empty_message = empty_message
        self._cache.clear()
        rows = len(positions) + len(layout.starts)
        self.virtual_size = Size(self.size.width, rows)
        index = 0
        if keep is not None and len(positions):
            index = min(bisect_left(positions, keep), len(positions) - 1)
        self.set_reactive(TimelineView.cursor, index)
        self._scroll_cursor_into_view(center=True)
        # again once the new height is laid out: until then the scroll is held to the old
        # one (after x on a 2-event filter the cursor's event was left below the pane)
        self.call_after_refresh(self._scroll_cursor_into_view, True)
        self.refresh()
        self.post_message(self.Highlighted(self.current_position))

    @property
    def current_position(self) -> int | None:
        if not len(self.positions):
            return None
        return self.positions[min(self.cursor, len(self.positions) - 1)]

    def go_to_position(self, position: int) -> bool:
        """Move the cursor to an event (if it is shown); True when it is."""
        index = bisect_left(self.positions, position)
        if index < len(self.positions) and self.positions[index] == position:
            self.cursor = index
            self._scroll_cursor_into_view(center=True)
            return True
        return False

    def go_to_second(self, second: int) -> bool:
        """Cursor to the first shown event whose date starts at or after ``second``; False
        when there is none (the cursor then goes to the last event)."""
        lower = self.timeline.lower
        index = bisect_left(self.positions, second, key=lower.__getitem__)
        self.cursor = min(index, max(len(self.positions) - 1, 0))
        self._scroll_cursor_into_view(center=True)
        return index < len(self.positions)

    # --- cursor ----------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.positions) - 1)) if len(self.positions) else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(self.row_layout.row_of(old))
        self.refresh_line(self.row_layout.row_of(new))
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self.current_position))

    def _scroll_cursor_into_view(self, center: bool = False) -> None:
        if not len(self.positions):
            return
        row = self.row_layout.row_of(self.cursor)
        # The row above stays in view: it is the month heading when the cursor is the first
        # event of its group, and otherwise the top line is covered by the pinned heading.
        self.show_row(row, above=1, center=center)

    def action_move(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * self.page_rows(overlap=2)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.positions) - 1

    def key_enter(self) -> None:
        self.post_message(self.Chosen())

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return  # the border or the scrollbar
        group, index = self.row_layout.at_row(offset.y + int(self.scroll_offset.y))
        if offset.y == 0 and index is not None:  # the pinned heading over the top row
            group, index = self.row_layout.group_above(offset.y + int(self.scroll_offset.y)), None
        if index is not None and index < len(self.positions):
            self.cursor = index
        elif group is not None:
            self.cursor = self.row_layout.starts[group]

    def on_resize(self) -> None:  # VirtualList.on_resize empties the cache
        self.virtual_size = Size(self.size.width, self.virtual_size.height)

    def on_focus(self) -> None:
        self.refresh_line(self.row_layout.row_of(self.cursor))

    def on_blur(self) -> None:
        self.refresh_line(self.row_layout.row_of(self.cursor))

    # --- rendering ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = y + int(self.scroll_offset.y)
        base = self.rich_style
        if not len(self.positions):
            lines = textwrap.wrap(self.empty_message, max(10, width - 4))
            if 1 <= y <= len(lines):
                style = self.get_component_rich_style("timeline--empty")
                return Strip([Segment(set_cell_size("  " + lines[y - 1], width), base + style)])
            return Strip.blank(width, base)
        group, index = self.row_layout.at_row(row)
        if group is None and (index is None or index >= len(self.positions)):
            return Strip.blank(width, base)
        if y == 0 and index is not None and row:
            # The heading of the month at the top stays pinned there: after End on a big
            # file the year is still on screen.
            group, index = self.row_layout.group_above(row), None
        is_cursor = index == self.cursor
        key = (row, group, index, is_cursor, self.has_focus, width, self.needles)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if group is not None:
            style = base + self.get_component_rich_style("timeline--heading")
            label = group_label(self.row_layout.keys[group])
            strip = Strip([Segment(set_cell_size(f" {label}", width), style)])
        else:
            strip = self._event_strip(self.positions[index], width, base, is_cursor)
        self._cache[key] = strip
        return strip

    def _event_strip(self, position: int, width: int, base: Style, is_cursor: bool) -> Strip:
        timeline = self.timeline
        event = timeline.events[position]
        if is_cursor:
            name = "timeline--cursor" if self.has_focus else "timeline--cursor-blurred"
            base = base + self.get_component_rich_style(name)

        def muted(name: str) -> Style:
            return base + (Style() if is_cursor else self.get_component_rich_style(name))

        if self.columns is None:
            self.columns = self._first_columns()
        anchor = self.lens.anchor
        rel_w = self._relative_width() if anchor is not None and width >= 56 else 0  # D±n from the anchor
        marks_w = 3 if self.marks is not None and self.marks_shown() else 0  # the analyst's two marks and a space
        file_w = len(str(len(timeline.files))) + 1 if len(timeline.files) > 1 else 0  # which file
        date_w, title_w, actors_w = self.columns.widths(width, rel_w + marks_w + file_w)
        segments = [
            Segment("▶ " if is_cursor else "  ", base),
            Segment(fit(short_date(in_zone(timeline.dates[position], self.lens.zone)), date_w) + " ",
                    muted("timeline--date")),
        ]
        for marker in self.columns.markers:
            mark = marker.mark(self, position)
            if mark:  # the marker's colour only: the row keeps its own background
                style = self.get_component_rich_style(mark[1])
                segments.append(Segment(mark[0], base + Style(color=style.color, bold=style.bold)))
            else:
                segments.append(Segment(" ", base))
        if self.columns.markers:
            segments.append(Segment(" ", base))
        if file_w:  # the number of the file it came from (help lists them)
            number = timeline.event_files.get(event.id)
            label = str(number + 1) if number is not None else ""
            segments.append(Segment(label.rjust(file_w - 1) + " ", muted("timeline--date")))
        if marks_w:  # the analyst's star and note, after the data's own marks
            style = self.get_component_rich_style("timeline--marks")  # its colour: the row keeps its background
            segments.append(Segment(self.marks(event.id) + " ", base + Style(color=style.color, bold=style.bold)))
        if rel_w:
            label = relative(timeline.dates[anchor], timeline.dates[position])
            segments.append(Segment(fit(label, rel_w - 1) + " ", base + (Style() if is_cursor else Style(bold=True))))
        title = one_line(clip(event.title, 1000))  # a row shows a few hundred cells at most
        if event.confidence != "confirmed":
            title += f" ({event.confidence})"
        ids = event.actor_ids() if actors_w else []
        if self.first_actors and ids:
            ids = sorted(ids, key=lambda a: a not in self.first_actors)  # stable: the rest keep their order
        if actors_w and not ids:  # no actors: the title takes their column too
            title_w, actors_w = title_w + actors_w + 1, 0
        segments += self._title_segments(title, title_w, position, base)
        if actors_w:
            names = [one_line(clip(self.actor_label(a), 200)) for a in ids]
            segments.append(Segment(" " + fit_names(names, actors_w), muted("timeline--actors")))
        return Strip(segments).adjust_cell_length(width, base)

    def _first_columns(self) -> Columns:
        """The columns' widths, measured over a sample of the timeline (``measure``): at
        once for events held in memory. Those of a big file are read back from it (20,000
        reads at a million events, seconds on a cold disk), so its first frame is drawn with
        the rows on screen measured, and the sample is measured in a worker, the rows drawn
        again with its widths (issue 20: the first frame waits for nothing it does not show)."""
        timeline = self.timeline
        found = measured(timeline)
        if found is not None or timeline.origin is None:
            return found or measure(timeline)
        self.call_after_refresh(self._measure_sample)  # once this frame is on the screen
        top = int(self.scroll_offset.y)
        shown = []
        for row in range(top, top + max(self.size.height, 1)):
            index = self.row_layout.at_row(row)[1]
            if index is not None and index < len(self.positions):
                shown.append(self.positions[index])
        return measure_rows(timeline, shown)

    @work(thread=True, group="measure", exit_on_error=False)
    def _measure_sample(self) -> None:
        self.post_message(self.Measured(measure(self.timeline)))

    def on_timeline_view_measured(self, message: Measured) -> None:
        if message.columns != self.columns:
            self.columns = message.columns
            self.redraw()

    def _relative_width(self) -> int:
        """The D±n column: as wide as the longest label from this anchor over the whole
        timeline (a filter never moves it), and a space."""
        anchor = self.lens.anchor
        if self._relative is None or self._relative[0] != anchor:
            self._relative = (anchor, relative_width(self.timeline, anchor) + 1)
        return self._relative[1]

    def _title_segments(self, title: str, width: int, position: int, base: Style) -> list[Segment]:
        """The title in ``width`` cells, search matches highlighted; when the search matched
        another field, the row says which (``‹in quote›``)."""
        if not self.needles:
            return [Segment(fit(title, width), base)]
        spans = title_spans(title, self.needles)
        suffix = ""
        if not spans:
            where = matched_elsewhere(self.timeline.events[position], self.timeline.quotes_at(position),
                                      self.needles)
            suffix = f" ‹in {where}›" if where else ""
        shown = fit(title, max(1, width - cell_len(suffix)))
        cut = len(title) if cell_len(title) <= cell_len(shown) else len(shown.rstrip(" ")) - 1
        hit = base + self.get_component_rich_style("timeline--match")
        segments, at = [], 0
        for start, end in spans:
            start, end = max(start, at), min(end, cut)
            if start >= end:
                continue
            segments += [Segment(shown[at:start], base), Segment(shown[start:end], hit)]
            at = end
        segments.append(Segment(shown[at:], base))
        if suffix:
            segments.append(Segment(suffix, base + self.get_component_rich_style("timeline--empty")))
        return [s for s in segments if s.text]
