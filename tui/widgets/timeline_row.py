"""How one timeline row is laid out, so that the title gets the room.

A row is ``▶`` (the cursor), the date, one cell per marker column, the optional columns
(the file an event came from, the analyst's marks, D±n from an anchor), the title, the actors
and one blank before the border. Every width is measured on the whole timeline (once, on a
sample for a big file), so the columns stay put whatever the filter shows; a marker column
that no event of the timeline would fill takes no room; the title takes everything else.

Row markers are a list (``MARKERS``): a new one-cell flag is one ``Marker`` appended there;
the row, its width budget and the help screen all read the list.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from rich.cells import cell_len, set_cell_size

from ..model.dates import short_date
from ..model.clock import relative
from ..model.known import first_report, report_mark
from ..model.sourcing_report import shared
from ..model.text import clip, one_line
from ..model.timeline import Timeline
from .lens import Lens

__all__ = ["MARKERS", "Marker", "Columns", "measure", "measured", "measure_rows", "measure_grown", "relative_width",
           "fit", "fit_names", "TITLE_MIN"]

TITLE_MIN = 33
"""Cells the title keeps before the actor column gets any (at 120x40 a typical title shows
at least this much)."""
ACTORS_MIN = 12
"""Below this an actor column says too little to be worth the room it takes from the title."""
ACTORS_WANTED = 16
"""An actor column this wide shows a typical name and its "+N"."""
ACTORS_MAX = 30
DATE_MAX = 24
SAMPLE = 20_000
"""Events measured for the column widths of a big timeline (evenly spread)."""
MARKER_SCAN = 5_000
"""Up to this many events, every one is asked whether a sourcing marker would show; a
bigger timeline keeps those columns (asking would cost a sourcing pass on the first frame)."""


@dataclass(frozen=True)
class Marker:
    """A one-cell column of the row."""

    name: str
    mark: Callable[[object, int], tuple[str, str] | None]
    """(character, component class of TimelineView) for the event at a position, or None;
    called with the TimelineView (its ``timeline``, its ``lens``) and the position."""
    legend: tuple[tuple[str, str], ...]
    """(character, what it means) for the help screen."""
    present: Callable[[Timeline], bool] | None = None
    """Whether any event of the timeline gets the mark (None: ask ``mark`` of each event)."""


def _confidence(view, position: int) -> tuple[str, str] | None:
    confidence = view.timeline.events[position].confidence
    flag = {"disputed": "!", "reported": "?"}.get(confidence)
    return (flag, f"timeline--{confidence}") if flag else None


def _single_source(view, position: int) -> tuple[str, str] | None:
    event = view.timeline.events[position]
    if event.sources and len(shared(view.timeline).event(event).independent) == 1:
        return "¹", "timeline--single-source"
    return None


def _report(view, position: int) -> tuple[str, str] | None:
    """When it was reported (as of the lens's day): "‼" before it happened, "»" late."""
    mark = report_mark(first_report(view.timeline, position, upper=view.lens.upper))
    return (mark, "timeline--reported") if mark != " " else None


def _any_unconfirmed(timeline: Timeline) -> bool:
    return any(len(timeline.confidence_positions(c)) for c in ("disputed", "reported"))


MARKERS: list[Marker] = [
    Marker("single-source", _single_source, (("¹", "resting on one independent source"),)),
    Marker("confidence", _confidence, (("?", "reported: one source, not confirmed"),
                                       ("!", "disputed: sources disagree")), _any_unconfirmed),
    Marker("report", _report, (("‼", "reported before it happened"), ("»", "reported late"))),
]


def present_markers(timeline: Timeline) -> tuple[Marker, ...]:
    """The markers some event of the timeline gets (as of no day: a day later on, as-of
    only takes marks away)."""
    shown = []
    for marker in MARKERS:
        if marker.present is not None:
            found = marker.present(timeline)
        elif len(timeline) > MARKER_SCAN:
            found = bool(timeline.sources)
        else:
            found = _marks_any(marker, timeline, range(len(timeline)))
        if found:
            shown.append(marker)
    return tuple(shown)


def _marks_any(marker: Marker, timeline: Timeline, positions: Sequence[int]) -> bool:
    probe = SimpleNamespace(timeline=timeline, lens=Lens())
    return any(marker.mark(probe, p) for p in positions)


@dataclass(frozen=True)
class Columns:
    """Content widths of the date and actor columns, and the marker columns the timeline
    fills (before fitting to a pane)."""

    date: int
    actors: int
    markers: tuple[Marker, ...] = tuple(MARKERS)

    @property
    def marker_cells(self) -> int:
        """The marker columns and the gap after them (none when no marker shows)."""
        return len(self.markers) + 1 if self.markers else 0

    def widths(self, width: int, extra: int = 0) -> tuple[int, int, int]:
        """(date, title, actors) cells for a row ``width`` cells wide, of which ``extra``
        go to optional columns (file, marks, D±n); the marker columns are counted here."""
        date_w = min(self.date, max(6, width // 4))
        fixed = 2 + date_w + 1 + 1  # cursor, date, gap, last blank
        avail = max(4, width - fixed - self.marker_cells)
        actors_w = 0
        if self.actors and avail >= TITLE_MIN // 2 + ACTORS_MIN:
            # the title keeps TITLE_MIN; the actors take at most ~30% of the rest (the free
            # space goes to the title, as in Toolong and VisiData)
            share = max(ACTORS_WANTED, (avail - 1) * 3 // 10)
            actors_w = min(self.actors, avail - 1 - TITLE_MIN, share)
            if actors_w < ACTORS_MIN:
                actors_w = min(self.actors, max(ACTORS_MIN, (avail - 1) * 3 // 10))
        # optional columns come out of the title, and out of the actors once the title is
        # down to TITLE_MIN: turning one on never moves the actor column further than that
        title_w = avail - extra - (actors_w + 1 if actors_w else 0)
        if title_w < TITLE_MIN and actors_w > ACTORS_MIN:
            give = min(TITLE_MIN - title_w, actors_w - ACTORS_MIN)
            actors_w, title_w = actors_w - give, title_w + give
        return date_w, max(title_w, 1), actors_w


def relative_width(timeline: Timeline, anchor: int) -> int:
    """Cells of the longest D±n label from ``anchor`` (over a sample of the timeline and
    its two ends: the farthest dates give the longest counts)."""
    n = len(timeline)
    step = max(1, n // 2000)
    positions = {*range(0, n, step), n - 1}
    anchor_date = timeline.dates[anchor]
    return max((cell_len(relative(anchor_date, timeline.dates[p])) for p in positions), default=1)


_MEASURED: weakref.WeakKeyDictionary[Timeline, Columns] = weakref.WeakKeyDictionary()
"""Each timeline's columns, once measured (a new screen on the same timeline reads them)."""


def measure(timeline: Timeline) -> Columns:
    """The longest date and first-actor label among the timeline's events (a sample of
    ``SAMPLE`` evenly spread, for a big one: each is read back from the file), and the
    marker columns some event fills."""
    columns = _MEASURED.get(timeline)
    if columns is None:
        n = len(timeline)
        widest = _widest(timeline, range(0, n, max(1, n // SAMPLE)))
        columns = _MEASURED[timeline] = Columns(widest.date, widest.actors, present_markers(timeline))
    return columns


def measured(timeline: Timeline) -> Columns | None:
    """The timeline's columns if ``measure`` has found them already, else None."""
    return _MEASURED.get(timeline)


def measure_rows(timeline: Timeline, positions: Sequence[int]) -> Columns:
    """Columns for these events only (the rows on screen), not kept: what a big file's
    first frame draws with while ``measure`` reads its sample back from the file."""
    widest = _widest(timeline, positions)
    return Columns(widest.date, widest.actors, present_markers(timeline))


def measure_grown(old: Timeline, new: Timeline, added: Sequence[int]) -> None:
    """``new`` is ``old`` with events put in at ``added`` (a JSON Lines file that grew): its
    columns are the old ones, widened for the new events if need be. Only those are read,
    not another sample of the file (at a million events, 20,000 reads from disk)."""
    columns = _MEASURED.get(old)
    if columns is not None and new not in _MEASURED:
        more = _widest(new, added)
        markers = tuple(m for m in MARKERS if m in columns.markers or _marks_any(m, new, added))
        _MEASURED[new] = Columns(max(columns.date, more.date), max(columns.actors, more.actors), markers)


def _widest(timeline: Timeline, positions: Sequence[int]) -> Columns:
    date_w = actors_w = 0
    for position in positions:
        date_w = max(date_w, cell_len(short_date(timeline.dates[position])))
        ids = timeline.events[position].actor_ids()
        if ids:
            first = cell_len(one_line(clip(timeline.actor_name(ids[0]), 200)))
            actors_w = max(actors_w, first + (len(f" +{len(ids) - 1}") if len(ids) > 1 else 0))
    return Columns(min(max(date_w, 1), DATE_MAX), min(actors_w, ACTORS_MAX), ())


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(set_cell_size(text, width - 1).rstrip() + "…", width)


def fit_names(names: list[str], width: int) -> str:
    """As many whole names as fit, then "+N" for the ones not shown; when not even the
    first fits, it is cut with "…" (the count still only counts the others)."""
    total = len(names)
    if not total:
        return " " * max(width, 0)
    for shown in range(min(total, 50), 0, -1):
        text = ", ".join(names[:shown]) + (f" +{total - shown}" if shown < total else "")
        if cell_len(text) <= width:
            return set_cell_size(text, width)
    more = f" +{total - 1}" if total > 1 else ""
    room = width - cell_len(more)
    if room < 3:
        return fit(f"+{total}", width)  # no room for any name: the count of all of them
    return set_cell_size(fit(names[0], room).rstrip() + more, width)
