"""When each event became known, and which events a source disputes: one pass over the
events' cited sources, kept per timeline.

An event's sources say when the story could be known: the earliest moment at which one of
them had certainly been published (``Sourcing.known_by``) answers "as of 7 Sep, was this
known?" for a million events with one array comparison. A source without a ``published``
date is dated by the source it is known through (``via``): an X post known only because an
article quoted it was known, at the latest, when that article appeared. A source with
neither is *undated*, counted as such and never given a made-up date.

The same pass notes the events with a disputing source (``is:disputed``). It is built on
first use (the explorer starts it in a worker after loading); a big file's events are read
back for just their ``sources`` field.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from collections.abc import Sequence
from itertools import compress

import msgspec

from .dates import DateError, EDate, parse_edtf
from .entities import SourceRef
from .timeline import Timeline, records_at

__all__ = ["Sourcing", "sourcing", "source_date", "published_by", "NOT_DATED", "UNDATED", "DISPUTING"]

NOT_DATED = 1 << 62
"""``known_by`` of an event none of whose sources has a date (direct or via)."""
UNDATED, DISPUTING = 1, 2
"""Bits of ``Sourcing.flags``: the event cites an undated source; a disputing one."""

_CHUNK = 8192


class _EventSources(msgspec.Struct):
    """What this pass needs of an event (the decoder skips every other field)."""

    sources: list[str | SourceRef] = []


_DECODE = msgspec.json.Decoder(list[_EventSources]).decode


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


class Sourcing:
    """Per event position: ``known_by`` (the earliest last second at which a cited source had
    certainly been published, or NOT_DATED) and ``flags`` (UNDATED, DISPUTING bits)."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        dated: dict[str, int] = {}
        for sid in timeline.sources:
            edate, _ = source_date(timeline, sid)
            if edate is not None:
                dated[sid] = edate.upper
        n = len(timeline)
        known = array("q", bytes(8 * n))
        flags = bytearray(n)
        disputing = array("I")
        events = timeline.events
        get = dated.get
        for first in range(0, n, _CHUNK):
            span = range(first, min(first + _CHUNK, n))
            chunk = records_at(events, span, _DECODE)  # a big file's: just their sources
            for p, e in zip(span, chunk):
                best = NOT_DATED
                bits = 0
                for ref in e.sources:
                    if ref.__class__ is str:
                        sid = ref
                    else:
                        sid = ref.source
                        if ref.stance == "disputes":
                            bits |= DISPUTING
                    when = get(sid)
                    if when is None:
                        bits |= UNDATED
                    elif when < best:
                        best = when
                known[p] = best
                if bits:
                    flags[p] = bits
                    if bits & DISPUTING:
                        disputing.append(p)
        self.known_by = known
        self.flags = flags
        self.disputing = disputing
        """Positions of events with at least one disputing source, in order."""
        self.undated_only = array("I", [p for p in compress(range(n), flags)
                                        if known[p] == NOT_DATED and flags[p] & UNDATED])
        """Positions of events known only through undated sources."""

    def known_as_of(self, upper: int, candidates: Sequence[int] | None = None) -> Sequence[int]:
        """Positions (among ``candidates``, in order) known by second ``upper``: a source
        certainly published by then; or, for an event with only undated sources, one that
        had begun by then (it may have been known: shown, and counted, as undated)."""
        known, lower = self.known_by, self.timeline.lower
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


_BUILT: weakref.WeakKeyDictionary[Timeline, Sourcing] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def sourcing(timeline: Timeline) -> Sourcing:
    """The timeline's Sourcing, built once (thread-safe: a worker may be building it)."""
    built = _BUILT.get(timeline)
    if built is None:
        with _LOCK:
            built = _BUILT.get(timeline)
            if built is None:
                built = _BUILT[timeline] = Sourcing(timeline)
    return built
