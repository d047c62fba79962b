"""Swimlanes: actors as rows, time as columns binned to fit a width, a mark where an actor
appears.

The columns are days, weeks (Monday to Sunday), months or years, the finest unit whose
bins over the shown events' span fit the width. An event is *in* a bin when its whole date
lies inside it; an event less precise than a bin, or longer ("Sep 2024" in a week view, a
siege from 23 Nov still going), is only *possibly* in each bin it overlaps, and is marked so:
a day is never invented for it. Rows are computed one at a time, when shown, so fifty
thousand actors cost only the sorting of their counts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import compress, repeat
from operator import eq, itemgetter
from dataclasses import dataclass
from datetime import date

from .presence import actor_columns
from .dates import MIN_SECOND, MONTH_ABBR
from .timeline import Timeline

__all__ = ["Lanes", "UNITS", "Cell"]

UNITS = ("day", "week", "month", "year")
ARRAYED_FROM = 2_000
"""An actor's events from which its row is worked out in numpy (``Lanes._row_arrayed``)."""
MANY_ACTORS = 5_000
"""Actors from which their names are all decoded at once to order the lanes."""
_DAY = 86400


def _day(second: int) -> int:
    """The ordinal of the day a second falls on (``date.fromordinal``)."""
    return second // _DAY + 1


def bin_of(unit: str, second: int) -> int:
    d = _day(second)
    if unit == "day":
        return d
    if unit == "week":
        return (d - 1) // 7  # ordinal 1 (1 Jan 0001) was a Monday
    day = date.fromordinal(d)
    return day.year * 12 + day.month - 1 if unit == "month" else day.year


def _second(day: date) -> int:
    """The first second of a day, as ``dates`` counts them."""
    return (day.toordinal() - 1) * _DAY


def bin_start(unit: str, b: int) -> date:
    if unit == "day":
        return date.fromordinal(b)
    if unit == "week":
        return date.fromordinal(b * 7 + 1)
    if unit == "month":
        return date(b // 12, b % 12 + 1, 1)
    return date(b, 1, 1)


@dataclass(frozen=True)
class Cell:
    """One actor in one bin: events certainly in it, and events that possibly are."""

    sure: int
    maybe: int


class Lanes:
    """The swimlanes of some events (``positions``) within ``columns`` columns."""

    def __init__(self, timeline: Timeline, positions: Sequence[int], columns: int,
                 picked: Sequence[str] = ()) -> None:
        """``picked``: actors whose lanes come first (those the filters name)."""
        self.timeline = timeline
        self.positions = positions
        lower = timeline.lower
        first_dated = bisect_right(positions, MIN_SECOND, key=lower.__getitem__)  # open starts sort first
        dated = first_dated < len(positions)
        lo = lower[positions[first_dated]] if dated else 0
        hi = lower[positions[-1]] if dated else 0  # the latest start; longer spans are cut at it
        self.empty = not dated
        columns = max(1, columns)
        self.unit = UNITS[-1]
        for unit in UNITS:
            if bin_of(unit, hi) - bin_of(unit, lo) + 1 <= columns:
                self.unit = unit
                break
        self.first = bin_of(self.unit, lo)
        self.count = bin_of(self.unit, hi) - self.first + 1 if dated else 0
        whole = isinstance(positions, range) and len(positions) == len(timeline)
        if len(timeline.actors) > MANY_ACTORS:  # every name decoded in one call, not one lookup each
            names = {a: actor.name for a, actor in timeline.actors.items()}
            name = lambda a: names.get(a, a)  # noqa: E731
        else:
            name = timeline.actor_name
        if whole:  # every event: the postings' lengths say it, no columns needed
            counts = {a: n for a, n in timeline.actor_event_counts().items() if n}
        else:
            cols = actor_columns(timeline)
            counts = {cols.ids[k]: n for k, n in cols.presence(positions).items()}
        pinned = [a for a in dict.fromkeys(picked) if a in timeline.actors]
        skip = set(pinned)
        rest = sorted((item for item in counts.items() if item[0] not in skip), key=lambda kv: name(kv[0]))
        rest.sort(key=itemgetter(1), reverse=True)  # most present first; stable, so ties stay by name
        self.actors = pinned + [a for a, _ in rest]
        """Row order: the picked actors first, then by presence in the shown events."""
        self.totals = [counts.get(a, 0) for a in pinned] + [n for _, n in rest]
        self._filtered = not whole
        self.bounds = [_second(bin_start(self.unit, self.first + c)) for c in range(1, self.count)]
        """The first second of each column but the first: a date's column is a bisection."""

    def __len__(self) -> int:
        return len(self.actors)

    def row(self, index: int) -> dict[int, Cell]:
        """Column -> Cell for the actor of row ``index`` (only the columns it appears in).

        Each event's first and last column come from bisections done in C (``map``); only
        events spanning several columns (imprecise or long) are then walked one by one."""
        t = self.timeline
        postings = t.actor_positions(self.actors[index])
        if len(postings) >= ARRAYED_FROM:
            return self._row_arrayed(postings)
        if self._filtered:
            shown = self.__dict__.get("_shown_set")
            if shown is None:
                shown = self.__dict__["_shown_set"] = set(self.positions)
            postings = list(filter(shown.__contains__, postings))
        bounds = self.bounds
        first = list(map(bisect_right, repeat(bounds), map(t.lower.__getitem__, postings)))
        last = list(map(bisect_right, repeat(bounds), map(t.upper.__getitem__, postings)))
        opens = bisect_right(postings, MIN_SECOND, key=t.lower.__getitem__)  # open starts sort first
        same = list(map(eq, first, last))
        same[:opens] = [False] * opens  # "until March": possibly in every column up to its end
        sure = Counter(compress(first, same))
        maybe: Counter[int] = Counter()
        for a, b, one in zip(first, last, same):
            if not one:
                maybe.update(range(a, b + 1))
        return {c: Cell(sure.get(c, 0), maybe.get(c, 0)) for c in sure.keys() | maybe.keys()}

    def _row_arrayed(self, postings: Sequence[int]) -> dict[int, Cell]:
        """``row`` for an actor of many events, in numpy: the same bisections, as
        ``searchsorted`` over the event's bounds, and the spans' columns counted by a
        difference array (at a million events the most present actors have 100,000 events
        or more each, and a screen shows forty of them)."""
        import numpy as np  # a runtime dependency already (the cache's range checks)

        t = self.timeline
        at = np.asarray(postings, dtype=np.intp)
        if self._filtered:
            at = at[self._shown()[at]]
        bounds = np.asarray(self.bounds, dtype=np.int64)
        lower = np.asarray(t.lower, dtype=np.int64)[at]
        first = np.searchsorted(bounds, lower, side="right")
        last = np.searchsorted(bounds, np.asarray(t.upper, dtype=np.int64)[at], side="right")
        same = first == last
        same[:int(np.count_nonzero(lower <= MIN_SECOND))] = False  # open starts sort first
        columns = max(self.count, 1)
        sure = np.bincount(first[same], minlength=columns)
        spans = ~same
        edges = np.bincount(first[spans], minlength=columns + 1) - np.bincount(last[spans] + 1, minlength=columns + 1)
        maybe = np.cumsum(edges)[:columns]
        return {int(c): Cell(int(sure[c]), int(maybe[c])) for c in np.flatnonzero(sure + maybe)}

    def _shown(self):
        """The shown events as a mask over every position (built once, for ``_row_arrayed``)."""
        import numpy as np

        found = self.__dict__.get("_shown_mask")
        if found is None:
            found = np.zeros(len(self.timeline), dtype=np.bool_)
            found[np.asarray(self.positions, dtype=np.intp)] = True
            self.__dict__["_shown_mask"] = found
        return found

    def period(self, column: int) -> tuple[str, str]:
        """The column's first and last day as typed dates (``from:``/``to:`` values), at the
        unit's own precision: "2024-09"/"2024-09" for a month, days for a week."""
        b = self.first + column
        start = bin_start(self.unit, b)
        if self.unit == "year":
            return f"{start.year:04}", f"{start.year:04}"
        if self.unit == "month":
            text = f"{start.year:04}-{start.month:02}"
            return text, text
        end = start if self.unit == "day" else date.fromordinal(start.toordinal() + 6)
        return start.isoformat(), end.isoformat()

    def label(self, column: int) -> str:
        """A column's name for the header: "6 Sep 2024", "week of 2 Sep 2024", "Sep 2024", "2024"."""
        start = bin_start(self.unit, self.first + column)
        if self.unit == "year":
            return str(start.year)
        month = f"{MONTH_ABBR[start.month - 1]} {start.year}"
        if self.unit == "month":
            return month
        text = f"{start.day} {month}"
        return text if self.unit == "day" else f"week of {text}"
