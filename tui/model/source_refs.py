"""Every event's cited sources gathered in the pass that reads the events, and walked from
there (``protocols.SourceRefs``).

The sourcing report, ``asof:`` and ``is:disputed`` all need each event's ``sources`` (which
source, with which stance). Reading a big file's events back for just that field took
seconds at 100k events; the loader's one pass over the records (into columns, or record by
record) hands each chunk of events to a ``Collector`` instead, and the cache keeps what it
gathered. ``refs_at`` is the one walk over an event's refs that every reader shares.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress, repeat
from operator import attrgetter, is_not

import msgspec

from .entities import STANCES, SourceRef
from .haystack import records_at
from .protocols import SourceRefs

__all__ = ["QuoteFacts", "Collector", "read_refs", "refs_at", "spliced", "SUPPORTS", "DISPUTES", "MENTIONS"]

SUPPORTS, DISPUTES, MENTIONS = (STANCES.index(s) for s in ("supports", "disputes", "mentions"))
_CODES = {s: k for k, s in enumerate(STANCES)}
_CHUNK = 8192
_NOTE, _SOURCES = attrgetter("note"), attrgetter("sources")
ARRAYED_FROM = 20_000
"""Events from which ``Collector.refs`` puts the refs in timeline order in numpy."""


class _Numbering(dict):
    """Source id -> a number, given in the order ids are first met (``__missing__`` runs
    only for a new id: every other lookup stays in C, through ``map``)."""

    def __missing__(self, key: str) -> int:
        code = self[key] = len(self)
        return code


class Collector:
    """The refs of events handed over a chunk at a time, in the order given (a file's order,
    or timeline order); ``refs`` puts them in timeline order with the timeline's source
    numbering. Object refs (stance, note) are rare: only they cost a Python step each."""

    def __init__(self) -> None:
        self.cited = _Numbering()
        """Every source id cited, numbered (its keys: what the loader checks exist)."""
        self.stances_ok = True
        """No stance outside ``entities.STANCES`` was met."""
        self._counts = array("I")
        self._sources = array("I")
        self._stances = bytearray()
        self._notes: dict[int, str] = {}
        self._event_notes: dict[int, str] = {}

    def add(self, events: Sequence) -> None:
        """The next events (anything with ``sources`` and ``note``: the loader's records,
        lighter structs). Every step over all of them is a C-level map; the object refs
        (a stance, a note), which are rare, cost a Python step each."""
        first = len(self._counts)
        notes = list(map(_NOTE, events))
        noted = list(map(is_not, notes, repeat(None)))
        self._event_notes.update(zip(compress(range(first, first + len(notes)), noted), compress(notes, noted)))
        lists = list(map(_SOURCES, events))
        self._counts.extend(map(len, lists))
        flat = list(chain.from_iterable(lists))
        if set(map(type, flat)) <= {str}:  # plain ids only: all "supports", no note
            self._sources.extend(map(self.cited.__getitem__, flat))
            self._stances += bytes(len(flat))
            return
        base = len(self._sources)
        self._sources.extend(map(self.cited.__getitem__, [r if r.__class__ is str else r.source for r in flat]))
        stances = bytearray(len(flat))
        for j in [j for j, r in enumerate(flat) if r.__class__ is not str]:
            ref = flat[j]
            code = _CODES.get(ref.stance)
            if code is None:
                self.stances_ok = False
                code = SUPPORTS
            stances[j] = code
            if ref.note is not None:
                self._notes[base + j] = ref.note
        self._stances += stances

    def refs(self, source_ids: list[str], order: Sequence[int] | None = None) -> SourceRefs:
        """What was gathered, numbered by ``source_ids`` (the timeline's sources in order; an
        unknown id, which only a timeline made by hand can cite, comes after them), in
        timeline order: ``order[p]`` is the index, in the order added, of the event at p."""
        index = {sid: k for k, sid in enumerate(source_ids)}
        ids = list(source_ids)
        renumber = array("I", bytes(4 * len(self.cited)))
        for sid, code in self.cited.items():
            k = index.get(sid)
            if k is None:
                k = index[sid] = len(ids)
                ids.append(sid)
            renumber[code] = k
        stances, notes, counts, event_notes = bytes(self._stances), self._notes, self._counts, self._event_notes
        if order is not None and len(order) >= ARRAYED_FROM:
            sources, stances, notes, counts, event_notes = _reordered(
                renumber, self._sources, stances, notes, counts, event_notes, order)
        elif order is not None:
            sources = array("I", map(renumber.__getitem__, self._sources))
            starts = array("I", accumulate(counts, initial=0))

            def taken():  # the old index of each ref, in the new order (ranges, all in C)
                return chain.from_iterable(map(range, map(starts.__getitem__, order),
                                               map(starts.__getitem__, map((1).__add__, order))))

            sources = array("I", map(sources.__getitem__, taken()))
            if stances.count(0) != len(stances):
                stances = bytes(map(stances.__getitem__, taken()))
            if notes:
                notes = {new: notes[old] for new, old in enumerate(taken()) if old in notes}
            counts = array("I", map(counts.__getitem__, order))
            if event_notes:
                event_notes = {p: event_notes[i] for p, i in enumerate(order) if i in event_notes}
        else:
            sources = array("I", map(renumber.__getitem__, self._sources))
        return SourceRefs(array("I", accumulate(counts, initial=0)), sources, stances, dict(notes), dict(event_notes),
                          ids)


def _reordered(renumber: array, sources: array, stances: bytes, notes: dict[int, str], counts: array,
               event_notes: dict[int, str], order: Sequence[int]):
    """``Collector.refs``'s move into timeline order for many events, in numpy: the old index
    of every ref in the new order is one ``repeat`` plus a range (at a million events the
    three million refs walked through ``map`` took over a second of a first open)."""
    import numpy as np  # a runtime dependency already (the cache's range checks)

    at = np.frombuffer(order, dtype=np.uint32).astype(np.intp) if isinstance(order, array) \
        else np.asarray(order, dtype=np.intp)
    old_counts = np.frombuffer(counts, dtype=np.uint32).astype(np.int64)
    old_starts = np.zeros(len(old_counts) + 1, dtype=np.int64)
    np.cumsum(old_counts, out=old_starts[1:])
    new_counts = old_counts[at]
    new_starts = np.zeros(len(at) + 1, dtype=np.int64)
    np.cumsum(new_counts, out=new_starts[1:])
    taken = np.repeat(old_starts[at] - new_starts[:-1], new_counts) + np.arange(new_starts[-1], dtype=np.int64)
    numbered = np.frombuffer(renumber, dtype=np.uint32)[np.frombuffer(sources, dtype=np.uint32)] \
        if len(sources) else np.zeros(0, dtype=np.uint32)
    moved = array("I")
    moved.frombytes(numbered[taken].tobytes())
    if stances.count(0) != len(stances):
        stances = np.frombuffer(stances, dtype=np.uint8)[taken].tobytes()
    if notes or event_notes:
        new_ref = np.empty(len(taken), dtype=np.int64)
        new_ref[taken] = np.arange(len(taken), dtype=np.int64)
        notes = dict(sorted(zip(new_ref[list(notes)].tolist(), notes.values()))) if notes else notes
        if event_notes:
            rank = np.empty(len(at), dtype=np.int64)
            rank[at] = np.arange(len(at), dtype=np.int64)
            event_notes = dict(sorted(zip(rank[list(event_notes)].tolist(), event_notes.values())))
    reordered = array("I")
    reordered.frombytes(new_counts.astype(np.uint32).tobytes())
    return moved, stances, notes, reordered, event_notes


@dataclass(slots=True)
class QuoteFacts:
    """What the sourcing report checks of every quote, in the timeline's quote order
    (``Timeline.quotes``), gathered by the reader of a big file while it decodes them (the
    loader's quotes child, ``store/aside.py``), so that no quote is read back for it."""

    ids: list[str]
    speakers: list[str]
    sources: list[str]
    languages: list[str | None]
    originals: bytes
    """1 where the quote has an ``original`` that is not blank."""

    def __len__(self) -> int:
        return len(self.ids)


class _EventSources(msgspec.Struct):
    """What ``read_refs`` needs of an event (the decoder skips every other field)."""

    sources: list[str | SourceRef] = []
    note: str | None = None


_DECODE = msgspec.json.Decoder(list[_EventSources]).decode


def read_refs(events: Sequence, source_ids: list[str]) -> SourceRefs:
    """The refs of events already in timeline order, read back a chunk at a time (a big
    file's for just their ``sources``): for a timeline whose reader did not gather them."""
    collector = Collector()
    n = len(events)
    for first in range(0, n, _CHUNK):
        collector.add(records_at(events, range(first, min(first + _CHUNK, n)), _DECODE))
    return collector.refs(source_ids)


def refs_at(refs: SourceRefs, position: int) -> list[SourceRef]:
    """The event's cited sources, in the order cited, each with its stance and note (a plain
    id reads as ``supports``, no note): what the claims, the report and exports walk."""
    ids, stances, notes = refs.ids, refs.stances, refs.notes
    a, b = refs.starts[position], refs.starts[position + 1]
    return [SourceRef(ids[refs.sources[k]], STANCES[stances[k]], notes.get(k)) for k in range(a, b)]


def spliced(refs: SourceRefs, cuts: Sequence[int], events: Sequence, new_ids: list[str]) -> SourceRefs:
    """These refs with those of ``events[j]`` put before old position ``cuts[j]`` (ascending;
    ``len(refs.starts) - 1`` for the end), and ``new_ids`` (the new sources) numbered after
    the old ``ids`` (a file that only grew, ``store/growth.py``). What this costs is the new
    refs and copies at C speed: the old events' refs move only after the first cut (not at
    all when every new event goes at the end), and no index of the old ids is built again."""
    old_ids, n = refs.ids, len(refs.starts) - 1
    base = len(old_ids)
    ids = old_ids[:base]  # a packed column's (a reopened timeline's) decoded in C, not one by one
    ids = ids if type(ids) is list else list(ids)
    known = _numbers(refs, ids)
    ids += new_ids
    fresh = {sid: base + j for j, sid in enumerate(new_ids)}

    def number(sid: str) -> int:
        k = fresh.get(sid)
        if k is None:
            k = known.get(sid)
            if k is None or k >= base or ids[k] != sid:  # another growth's entry: look it up
                try:
                    k = ids.index(sid, 0, base)
                except ValueError:
                    k = None
            if k is None:  # cited, never defined (a timeline made by hand): after the rest, as ``refs`` does
                k = fresh[sid] = len(ids)
                ids.append(sid)
        return k

    collector = Collector()
    collector.add(events)
    renumber = array("I", bytes(4 * len(collector.cited)))
    for sid, code in collector.cited.items():
        renumber[code] = number(sid)
    more = array("I", map(renumber.__getitem__, collector._sources))
    more_stances = bytes(collector._stances)
    new_starts = array("I", accumulate(collector._counts, initial=0))
    starts = refs.starts
    out, sources, stances = array("I"), array("I"), bytearray()
    done = shift = 0
    for j, cut in enumerate([*cuts, n]):
        a, b = starts[done], starts[cut]
        sources += refs.sources[a:b]
        stances += refs.stances[a:b]
        out += starts[done:cut] if not shift else array("I", map(shift.__add__, starts[done:cut]))
        done = cut
        if j < len(cuts):
            out.append(starts[cut] + shift)
            a, b = new_starts[j], new_starts[j + 1]
            sources += more[a:b]
            stances += more_stances[a:b]
            shift += b - a
    out.append(starts[n] + shift)
    new_positions = [cut + j for j, cut in enumerate(cuts)]
    if cuts[0] >= n:  # all at the end: the old refs keep their places
        notes, event_notes = dict(refs.notes), dict(refs.event_notes)
    else:
        first = starts[cuts[0]]
        notes = {k if k < first else k + new_starts[bisect_right(cuts, bisect_right(starts, k) - 1)]: v
                 for k, v in refs.notes.items()}
        event_notes = {p + bisect_right(cuts, p): v for p, v in refs.event_notes.items()}
    for k, v in collector._notes.items():
        j = bisect_right(new_starts, k) - 1
        notes[out[new_positions[j]] + k - new_starts[j]] = v
    event_notes.update((new_positions[j], v) for j, v in collector._event_notes.items())
    known.update(fresh)  # shared with the old refs: an entry is checked against ``ids`` before use
    return SourceRefs(out, sources, bytes(stances), notes, event_notes, ids, known)


def _numbers(refs: SourceRefs, ids: list[str]) -> dict[str, int]:
    """Source id -> index in ``refs.ids`` (``ids``, as a list), built once (in C) and handed
    on to the grown refs."""
    if refs.numbers is None:
        refs.numbers = dict(zip(ids, range(len(ids))))
    return refs.numbers

