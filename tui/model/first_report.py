"""When each event became known, and which events a source disputes: its first report,
worked out for every event at once from the cited sources the loader gathered
(``Timeline.source_refs``), kept per timeline.

An event's sources say when the story could be known: the earliest moment at which one of
them had certainly been published (``FirstReports.known_by``) answers "as of 7 Sep, was this
known?" for a million events with one array comparison. A source without a ``published``
date is dated by the source it is known through (``via``): an X post known only because an
article quoted it was known, at the latest, when that article appeared. A source with
neither is *undated*, counted as such and never given a made-up date.

The same pass notes the events with a disputing source (``is:disputed``). It is built on
first use (the explorer starts it in a worker after loading): a date per source, then a few
C-level passes over the refs' columns, with nothing read back from the file.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from functools import partial
from itertools import compress, islice

from .dates import DateError, EDate, parse_edtf
from .per_timeline import once_per_timeline
from .source_refs import DISPUTES
from .timeline import Timeline

__all__ = ["FirstReports", "first_reports", "source_date", "published_by", "NOT_DATED", "UNDATED", "DISPUTING"]

NOT_DATED = 1 << 62
"""``known_by`` of an event none of whose sources has a date (direct or via)."""
UNDATED, DISPUTING = 1, 2
"""Bits of ``FirstReports.flags``: the event cites an undated source; a disputing one."""

_EARLIEST = partial(min, default=NOT_DATED)
_ANY = partial(max, default=0)


def source_date(timeline: Timeline, source_id: str) -> tuple[EDate | None, str | None]:
    """A source's own published date, else that of the nearest source it is known through;
    with the id of that source when it is not this one (None, None: undated)."""
    for depth, source in enumerate(timeline.via_chain(source_id)):
        if source.published:
            try:
                return parse_edtf(source.published), (source.id if depth else None)
            except DateError:
                return None, None
    return None, None


def published_by(timeline: Timeline, source_id: str, upper: int) -> bool:
    """The source had certainly come out by second ``upper``, or has no date at all (an
    undated source is kept, never guessed out of the picture)."""
    edate, _ = source_date(timeline, source_id)
    return edate is None or edate.upper <= upper


class FirstReports:
    """Per event position: ``known_by`` (the earliest last second at which a cited source had
    certainly been published, or NOT_DATED) and ``flags`` (UNDATED, DISPUTING bits)."""

    def __init__(self, timeline: Timeline) -> None:
        self.lower = timeline.lower  # not the timeline: kept per timeline, weakly (``per_timeline``)
        refs = timeline.source_refs
        dated = array("q", [NOT_DATED]) * len(refs.ids)
        undated = bytearray(len(refs.ids))
        for k, sid in enumerate(refs.ids):
            edate, _ = source_date(timeline, sid)
            if edate is None:
                undated[k] = UNDATED
            else:
                dated[k] = edate.upper
        starts = refs.starts
        # per ref, then per event over its refs' slice: all in C, through map
        when = array("q", map(dated.__getitem__, refs.sources))
        known = array("q", map(_EARLIEST, map(when.__getitem__, map(slice, starts, islice(starts, 1, None)))))
        del when
        unknown = bytes(map(undated.__getitem__, refs.sources))
        flags = bytearray(map(_ANY, map(unknown.__getitem__, map(slice, starts, islice(starts, 1, None)))))
        del unknown
        disputing = []
        find, mark, k = refs.stances.find, bytes([DISPUTES]), -1
        while (k := find(mark, k + 1)) >= 0:
            p = bisect_right(starts, k) - 1
            if not disputing or disputing[-1] != p:
                disputing.append(p)
                flags[p] |= DISPUTING
        self.known_by = known
        self.flags = flags
        self.disputing = array("I", disputing)
        """Positions of events with at least one disputing source, in order."""
        self.undated_only = array("I", [p for p in compress(range(len(known)), flags)
                                        if known[p] == NOT_DATED and flags[p] & UNDATED])
        """Positions of events known only through undated sources."""

    def grown(self, timeline: Timeline, added: Sequence[int]) -> FirstReports:
        """These first reports, for ``timeline``: the one they were built for with events put
        in at ``added`` (their positions there, ascending), nothing else changed (a JSON
        Lines file that grew, ``store/growth.py``). An old event's sources are old ones,
        whose dates did not change: only the new events' refs are looked at."""
        refs = timeline.source_refs
        starts, ids, cited, stances = refs.starts, refs.ids, refs.sources, refs.stances
        dates: dict[int, int | None] = {}
        known, flags = [], []
        for p in added:
            best, flag = NOT_DATED, 0
            for k in range(starts[p], starts[p + 1]):
                code = cited[k]
                if code not in dates:
                    edate = source_date(timeline, ids[code])[0]
                    dates[code] = None if edate is None else edate.upper
                upper = dates[code]
                if upper is None:
                    flag |= UNDATED
                elif upper < best:
                    best = upper
                if stances[k] == DISPUTES:
                    flag |= DISPUTING
            known.append(best)
            flags.append(flag)
        cuts = [p - j for j, p in enumerate(added)]

        def moved(positions: array) -> list[int]:  # old positions, once the new events are in
            if not cuts or not positions or positions[-1] < cuts[0]:
                return list(positions)
            return [p + bisect_right(cuts, p) for p in positions]

        new = FirstReports.__new__(FirstReports)
        new.lower = timeline.lower
        new.known_by = _spliced(self.known_by, cuts, known)
        new.flags = _spliced(self.flags, cuts, flags)
        disputing = [p for p, f in zip(added, flags) if f & DISPUTING]
        new.disputing = array("I", sorted([*moved(self.disputing), *disputing]))
        undated = [p for p, k, f in zip(added, known, flags) if k == NOT_DATED and f & UNDATED]
        new.undated_only = array("I", sorted([*moved(self.undated_only), *undated]))
        return new

    def known_as_of(self, upper: int, candidates: Sequence[int] | None = None) -> Sequence[int]:
        """Positions (among ``candidates``, in order) known by second ``upper``: a source
        certainly published by then; or, for an event with only undated sources, one that
        had begun by then (it may have been known: shown, and counted, as undated)."""
        known, lower = self.known_by, self.lower
        undated = [p for p in self.undated_only if lower[p] <= upper]
        if candidates is None or isinstance(candidates, range) and len(candidates) == len(known):
            dated = compress(range(len(known)), map(upper.__ge__, known))
            return array("I", sorted([*dated, *undated]) if undated else dated)
        maybe = set(undated)
        return array("I", [p for p in candidates if known[p] <= upper or p in maybe])

    def count_undated(self, positions: Sequence[int]) -> int:
        """How many of these events are known only through undated sources."""
        if not self.undated_only:
            return 0
        undated = set(self.undated_only)
        return sum(1 for p in positions if p in undated)


def _spliced(seq, cuts: Sequence[int], values: Sequence):
    """A copy of ``seq`` with ``values[j]`` put before old index ``cuts[j]`` (ascending): a
    few slices copied at C speed."""
    if not cuts:
        return seq[:]
    out = seq[:cuts[0]]
    for j, cut in enumerate(cuts):
        out.append(values[j])
        out += seq[cut:cuts[j + 1] if j + 1 < len(cuts) else len(seq)]
    return out


@once_per_timeline
def first_reports(timeline: Timeline) -> FirstReports:
    """The timeline's FirstReports, built once (thread-safe: a worker may be building it)."""
    return FirstReports(timeline)
