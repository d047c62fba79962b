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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .cooccur import actor_columns
from .dates import MAX_SECOND, MIN_SECOND, MONTH_ABBR
from .timeline import Timeline

__all__ = ["Lanes", "UNITS", "Cell"]

UNITS = ("day", "week", "month", "year")
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
        cols = actor_columns(timeline)
        whole = isinstance(positions, range) and len(positions) == len(timeline)
        counts = cols.presence(None if whole else positions)
        name = timeline.actor_name
        order = sorted(counts.items(), key=lambda kv: (-kv[1], name(cols.ids[kv[0]])))
        pinned = [a for a in dict.fromkeys(picked) if a in timeline.actors]
        index = cols.index
        skip = {index[a] for a in pinned}
        rest = [(k, c) for k, c in order if k not in skip]
        self.actors = pinned + [cols.ids[k] for k, _ in rest]
        """Row order: the picked actors first, then by presence in the shown events."""
        self.totals = [counts.get(index[a], 0) for a in pinned] + [c for _, c in rest]
        self._mask: set[int] | None = None if isinstance(positions, range) and len(positions) == len(timeline) \
            else set(positions)

    def __len__(self) -> int:
        return len(self.actors)

    def row(self, index: int) -> dict[int, Cell]:
        """Column -> Cell for the actor of row ``index`` (only the columns it appears in)."""
        t = self.timeline
        actor = self.actors[index]
        lower, upper, unit = t.lower, t.upper, self.unit
        sure: dict[int, int] = {}
        maybe: dict[int, int] = {}
        mask = self._mask
        last = self.count - 1
        for p in t.actor_positions(actor):
            if mask is not None and p not in mask:
                continue
            lo, hi = lower[p], upper[p]
            a = bin_of(unit, lo) - self.first if lo > MIN_SECOND else 0
            b = bin_of(unit, min(hi, MAX_SECOND - 1)) - self.first if hi < MAX_SECOND else last
            if a == b:
                if 0 <= a <= last:
                    sure[a] = sure.get(a, 0) + 1
                continue
            for c in range(max(a, 0), min(b, last) + 1):
                maybe[c] = maybe.get(c, 0) + 1
        return {c: Cell(sure.get(c, 0), maybe.get(c, 0)) for c in sure.keys() | maybe.keys()}

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
