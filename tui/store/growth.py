"""A JSON Lines file that only grew, read like ``tail -f``: only the new lines.

A live story is often a script appending events to a ``.jsonl`` file. Reading the whole
file again for ten new lines would take as long as opening it (15-60 s at a million
events); here only the bytes after where the last read ended are read and decoded, and the
new timeline is the old one with the new records added:

* records held in memory (files up to 64 MB): a ``Timeline`` built from the old records and
  the new ones (sorting and indexing them takes milliseconds at that size);
* a big file, whose records are read back from disk when shown: the new events (and actors
  and sources) are put where a full read would put them, and every index is the old one
  with them spliced in. New events are usually dated last and go at the end; one dated
  earlier goes in its place, and the positions after it move up. What this costs is the
  new records, plus copies at C speed (``memcpy`` of the index arrays, a dict copy, and
  where positions moved, ``map`` over the postings after the first new event): the old
  timeline stays on screen, unchanged, until the new one replaces it.

A new line that does not decode is refused here, with its line number (the loader's own
words for it), and the last good version stays on screen. Anything else this cannot take
(the bytes before the old end changed, a new quote, a source known "via" an unknown one,
an id used again, a reference to no known record) returns None, and the caller reads the
whole file: that also names every problem with its line. So this is only ever a faster way
to the same timeline, which ``tests/test_growth.py`` checks against a full read.
"""

from __future__ import annotations

import gc
import hashlib
import os
import typing
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, MutableSequence, Sequence, ValuesView
from dataclasses import dataclass, replace

import msgspec

from ..model.dates import DateError, parse_edtf
from ..model.entities import CONFIDENCES, KINDS, STANCES, Actor, Event
from ..model.problems import LoadError, Problem
from ..model.source_refs import spliced
from ..model.timeline import Timeline, group_key, is_long, sort_key
from .columns import ids_valid, people_valid, via_loops
from .jsonl import line_problem
from .loader import JSONL_SUFFIXES
from .records import FileRecords, LazyDates, Origin, Spans
from .reading import take_fingerprint
from .extended import Extended
from .grown_text import GrownText
from .text import FileText, MemoryText

__all__ = ["Tail", "Grown", "Appended", "WordsBefore", "tail_of", "grow"]

_CHECKED = 4096
"""Bytes just before the old end that must be unchanged for the file to count as grown."""
_LINE = msgspec.json.Decoder(typing.Union[tuple(KINDS.values())])
_WIDTH = (1 << 40) - 1


@dataclass(frozen=True, slots=True)
class Tail:
    """Where the last read of a JSON Lines file ended, and what came just before."""

    path: str
    device: int
    inode: int
    end: int
    """Bytes read (the file's size when it was read, at a line's end)."""
    before: bytes
    """A digest of the ``_CHECKED`` bytes before ``end``."""
    lines: int | None = None
    """Lines before ``end``, once counted (a new line's number is needed only for a problem
    or a warning: counted then, at C speed, and carried on from there)."""


@dataclass(frozen=True, slots=True)
class Grown:
    """What ``grow`` read: the new timeline, where the next read starts, and the new events."""

    timeline: Timeline
    tail: Tail
    added: list[str]
    """Ids of the new events, in the file's order."""
    positions: Sequence[int]
    """Where the new events are in ``timeline``, ascending (``Density.grown`` takes them)."""


def _digest(fd: int, end: int) -> bytes:
    start = max(0, end - _CHECKED)
    return hashlib.blake2b(os.pread(fd, end - start, start), digest_size=16).digest()


def tail_of(paths: list[str], size: int | None) -> Tail | None:
    """The tail of one JSON Lines file read up to ``size`` bytes (its size as stat'ed
    *before* it was read, so that nothing appended meanwhile is skipped: lines read twice
    repeat their ids, which sends the next read to the whole file). None for anything else."""
    if len(paths) != 1 or size is None or not str(paths[0]).lower().endswith(JSONL_SUFFIXES):
        return None
    path = str(paths[0])
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_size < size or (size and os.pread(fd, 1, size - 1) != b"\n"):
            return None  # shrunk, or read while a line was half written
        return Tail(path, st.st_dev, st.st_ino, size, _digest(fd, size))
    except OSError:
        return None
    finally:
        os.close(fd)


def grow(old: Timeline, tail: Tail) -> Grown | None:
    """The timeline with the lines appended since ``tail``; None when the file did not just
    grow by whole lines this can take (read it all). Raises ``LoadError`` naming the line
    when a new line does not decode: the file is broken from there on, whatever reads it."""
    try:
        fd = os.open(tail.path, os.O_RDONLY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (tail.device, tail.inode) or st.st_size < tail.end \
                or _digest(fd, tail.end) != tail.before:
            return None
        data = os.pread(fd, st.st_size - tail.end, tail.end)
        complete = data.rfind(b"\n") + 1  # a last line still being written waits for the next poll
        data = data[:complete]
        end = tail.end + complete
        new_tail = Tail(tail.path, tail.device, tail.inode, end, _digest(fd, end),
                        None if tail.lines is None else tail.lines + data.count(b"\n"))
    except OSError:
        return None
    finally:
        os.close(fd)
    enabled = gc.isenabled()
    gc.disable()  # as while loading: the new lists hold no cycles, and a pass over a million records costs
    try:
        return _grown(old, tail, new_tail, data)
    finally:
        if enabled:
            gc.enable()


def _grown(old: Timeline, tail: Tail, new_tail: Tail, data: bytes) -> Grown | None:
    lines = data.split(b"\n")[:-1]
    decoded = _decode(lines, tail.end)
    if decoded is None:
        return None
    if isinstance(decoded, _Broken):
        if not isinstance(old.events, FileRecords):
            return None  # a small file: read whole in a moment, every problem named in the strict reader's words
        raise LoadError([line_problem(tail.path, decoded.line, _lines_before(tail) + decoded.index + 1,
                                       decoded.error)])
    actors, sources, events, spans, numbers = decoded
    if not events and not actors and not sources:
        return Grown(old, new_tail, [], array("I"))  # blank lines only
    dates = _checked(old, actors, sources, events)
    if dates is None:
        return None
    uncited = [i for i, e in enumerate(events) if not e.sources]
    if uncited:  # a warning each, as a full read gives (with the line)
        first = _lines_before(tail)
        new_tail = replace(new_tail, lines=first + len(lines))
        warnings = [Problem(tail.path, (f"event '{events[i].id}'",), f"event '{events[i].id}' cites no source",
                            True, first + numbers[i] + 1) for i in uncited]
    else:
        warnings = []
    if isinstance(old.events, FileRecords):
        new, positions = _spliced(old, actors, sources, events, dates, spans, warnings)
    else:
        new = _rebuilt(old, actors, sources, events, dates, warnings)
        where = new.position
        positions = array("I", sorted(where[e.id] for e in events))
    return Grown(new, new_tail, [e.id for e in events], positions)


def _lines_before(tail: Tail) -> int:
    """How many lines the file has before ``tail.end`` (counted now if never counted)."""
    if tail.lines is not None:
        return tail.lines
    count = 0
    with open(tail.path, "rb") as f:
        left = tail.end
        while left > 0:
            block = f.read(min(left, 1 << 24))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


@dataclass(frozen=True, slots=True)
class _Broken:
    """The first new line that does not decode: its index among the new lines, and why."""

    index: int
    line: bytes
    error: Exception


def _decode(lines: list[bytes], base: int):
    """The new lines' records, each event's byte span and the index of each event's line;
    ``_Broken`` for the first line that does not decode; None for a record this cannot add
    (a quote: it would be grouped among the old ones), which sends the caller to a full read."""
    actors, sources, events, numbers = [], [], [], []
    starts, ends = array("q"), array("q")
    offset = 0
    for index, raw in enumerate(lines):
        start, offset = offset, offset + len(raw) + 1
        if not raw.strip():
            continue
        try:
            record = _LINE.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError) as exc:
            return _Broken(index, raw, exc)
        if isinstance(record, Event):
            events.append(record)
            numbers.append(index)
            starts.append(base + start)
            ends.append(base + start + len(raw))
        elif isinstance(record, Actor):
            actors.append(record)
        elif type(record).__struct_config__.tag == "source":
            sources.append(record)
        else:
            return None  # a quote: read it all
    return actors, sources, events, Spans(starts, ends), numbers


def _checked(old: Timeline, actors: list, sources: list, events: list) -> list | None:
    """The new events' dates, if the new records check out against the old ones (the
    loader's bulk checks, on the new records only); None sends the caller to a full read."""
    actor_ids = [a.id for a in actors]
    source_ids = [s.id for s in sources]
    event_ids = [e.id for e in events]
    for ids, known in ((actor_ids, old.actors), (source_ids, old.sources), (event_ids, old.position)):
        if len(set(ids)) != len(ids) or not ids_valid(ids) or any(i in known for i in ids):
            return None
    every_actor, every_source = _Either(old.actors, set(actor_ids)), _Either(old.sources, set(source_ids))
    if not people_valid(actors, sources, every_actor, every_source):
        return None
    via = {s.id: s.via for s in sources if s.via}
    if via_loops(via):  # an old source never names a new one: a loop is among the new
        return None
    if ({e.confidence for e in events} - set(CONFIDENCES) or any(not e.title.strip() for e in events)
            or any(t != t.strip() or not t for e in events for t in e.tags)
            or {s.stance for e in events for s in e.sources if s.__class__ is not str} - set(STANCES)
            or {r if isinstance(r, str) else r.actor for e in events for r in e.actors} - every_actor
            or {s if s.__class__ is str else s.source for e in events for s in e.sources} - every_source):
        return None
    try:
        for s in sources:
            if s.published is not None:
                parse_edtf(s.published)
        return [parse_edtf(e.date) for e in events]
    except DateError:
        return None


class _Either:
    """The old ids or the new, for the bulk checks (``known - ids``), without copying a
    million old ids into a set."""

    def __init__(self, old, new: set[str]) -> None:
        self.old, self.new = old, new

    def __contains__(self, key) -> bool:
        return key in self.old or key in self.new

    def __rsub__(self, other) -> set:
        return {k for k in other if k not in self}


def _rebuilt(old: Timeline, actors, sources, events, dates, warnings) -> Timeline:
    """Records held in memory: one timeline of the old records and the new."""
    return Timeline(
        title=old.title, description=old.description,
        actors=[*old.actors.values(), *actors], sources=[*old.sources.values(), *sources],
        events=[*old.events, *events], dates=[*old.dates, *dates], quotes=list(old.quotes),
        warnings=[*old.warnings, *warnings], files=list(old.files), origin=None, text_source=MemoryText())


# --- a big file: the new events spliced into the old indexes ---------------------------------

def _cut(lower: array, upper: array, key: int) -> int:
    """Where an event with this sort key goes among the old ones: after every event that
    sorts before it or equal (a full read sorts stably, and the new lines come last)."""
    at = key >> 40
    lo = bisect_left(lower, at)
    hi = bisect_right(lower, at, lo)
    if lo == hi:
        return lo
    return lo + bisect_right(range(lo, hi), key,
                             key=lambda p: (lower[p] << 40) | (_WIDTH - min(upper[p] - lower[p], _WIDTH)))


def _spliced_seq(seq, cuts: Sequence[int], values: Sequence) -> MutableSequence:
    """A copy of ``seq`` (an array or a list) with ``values[j]`` put before old index
    ``cuts[j]`` (ascending): a few slices copied at C speed."""
    out = seq[:cuts[0]]
    for j, cut in enumerate(cuts):
        out.append(values[j])
        out += seq[cut:cuts[j + 1] if j + 1 < len(cuts) else len(seq)]
    return out


def _grown_column(seq: Sequence[str], cuts: Sequence[int], values: list[str]) -> Sequence[str]:
    """The event ids or date texts with the new ones in: a list is copied with them spliced
    in (at C speed); the cache's packed column (a reopened timeline's, or one grown from it)
    is kept as it is with the new ones after it when they all go at the end (``Extended``),
    not decoded whole into a list (0.27 s a column at a million events)."""
    if cuts[0] >= len(seq) and not isinstance(seq, list):
        return Extended.of(seq, values)
    return _spliced_seq(seq, cuts, values)


def _steps(cuts: Sequence[int]) -> list[tuple[int, int]]:
    """(old position, how far it and those after it move), one per distinct cut."""
    steps: list[tuple[int, int]] = []
    for moved, cut in enumerate(cuts, 1):
        if steps and steps[-1][0] == cut:
            steps[-1] = (cut, moved)
        else:
            steps.append((cut, moved))
    return steps


def _renumbered(postings: array, steps: list[tuple[int, int]]) -> array:
    """Old positions as they are once the new events are in (shared when none moves)."""
    if not postings or postings[-1] < steps[0][0]:
        return postings  # never changed in place: old and new timelines share it
    lo = bisect_left(postings, steps[0][0])
    out = postings[:lo]
    for i, (_, moved) in enumerate(steps):
        hi = bisect_left(postings, steps[i + 1][0], lo) if i + 1 < len(steps) else len(postings)
        out.extend(map(moved.__add__, postings[lo:hi]))
        lo = hi
    return out


def _spliced(old: Timeline, actors, sources, events, dates, spans: Spans, warnings) -> tuple[Timeline, array]:
    """A big file's timeline with the new events where a full read would put them, and
    their positions."""
    order = sorted(range(len(events)), key=lambda i: sort_key(dates[i]))
    events = [events[i] for i in order]
    dates = [dates[i] for i in order]
    spans = spans.permuted(order)
    cuts = [_cut(old.lower, old.upper, sort_key(d)) for d in dates]
    positions = array("I", [cut + j for j, cut in enumerate(cuts)])
    steps = _steps(cuts)
    n = len(old)

    def renumbered(index: dict[str, array]) -> dict[str, array]:
        return {key: _renumbered(postings, steps) for key, postings in index.items()} if cuts[0] < n \
            else dict(index)

    by_actor = renumbered(old._by_actor)
    by_actor.update((a.id, array("I")) for a in actors)
    by_tag = renumbered(old._by_tag)
    by_confidence = renumbered(old._by_confidence)
    long = _renumbered(old._long, steps)
    copied: set[int] = set()  # postings already copied for this growth (the rest are shared)

    def add(index: dict, key: str, position: int) -> None:
        postings = index.get(key)
        if postings is None:
            postings = index[key] = array("I")
        elif id(postings) not in copied:
            postings = index[key] = array("I", postings)
        copied.add(id(postings))
        at = bisect_left(postings, position)
        if at == len(postings) or postings[at] != position:  # an actor named twice counts once
            postings.insert(at, position)

    for p, event in zip(positions, events):
        for ref in event.actors:
            add(by_actor, ref if isinstance(ref, str) else ref.actor, p)
        for tag in event.tags:
            add(by_tag, tag, p)
        if event.confidence != "confirmed":
            add(by_confidence, event.confidence, p)
    long_new = [p for p, d in zip(positions, dates) if is_long(d)]
    if long_new:
        long = array("I", sorted([*long, *long_new]))
    qstart = old._qstart  # the new events have no quotes: each starts where the event after it does
    qstart = _spliced_seq(qstart, cuts, [qstart[c] for c in cuts])
    ids = _grown_column(old.events.ids, cuts, [e.id for e in events])
    texts = _grown_column(old.dates.texts, cuts, [e.date for e in events])
    event_spans = Spans(_spliced_seq(old.origin.events.starts, cuts, spans.starts),
                        _spliced_seq(old.origin.events.ends, cuts, spans.ends))
    file = old.origin.file
    origin = Origin(old.origin.path, event_spans, old.origin.quotes, file=file,
                    fingerprint=take_fingerprint(old.origin.path, file))
    new = Timeline.indexed(
        title=old.title, description=old.description, files=list(old.files), warnings=[*old.warnings, *warnings],
        actors=Appended.of(old.actors, {a.id: a for a in actors}),
        sources=Appended.of(old.sources, {s.id: s for s in sources}),
        events=FileRecords(file, Event, event_spans, ids, texts), dates=LazyDates(texts),
        quotes=old.quotes, origin=origin, text_source=_text_source(old, cuts),
        lower=_spliced_seq(old.lower, cuts, [d.lower for d in dates]),
        upper=_spliced_seq(old.upper, cuts, [d.upper for d in dates]),
        group_keys=_spliced_seq(old.group_keys, cuts, [group_key(d) for d in dates]),
        long=long, qstart=qstart, by_actor=by_actor, by_tag=by_tag, by_confidence=by_confidence,
        quotes_by_speaker=old._quotes_by_speaker,  # no new quotes (those send the reload to a full read): shared
        source_refs=spliced(old.source_refs, cuts, events, [s.id for s in sources]))
    new.__dict__["position"] = _position(old, ids, steps, positions)
    if cuts[0] >= n and old.words is not None:  # the old events' text unchanged: their index still answers
        new.words = WordsBefore.of(old.words, n)
    if not actors:
        new._members = old._members  # who is a member of what: the same actors (built when first asked)
    return new, positions


def _text_source(old: Timeline, cuts: Sequence[int]) -> FileText:
    """The old search text with the new events' put in where they go (appended to its
    scratch file, or after its pages in the cache file, when they all went at the end), when
    the old text is built; else a text built anew (``grown_text.py``)."""
    if old.text_ready and old._text is not None:
        source = old.text_source
        return GrownText(old._text, getattr(source, "scratch", None), cuts, getattr(source, "mapped_from", None))
    return FileText()


def _position(old: Timeline, ids: list[str], steps: list[tuple[int, int]], positions: Sequence[int]):
    """Event id -> position for the grown timeline (``Timeline.position``, set ahead). All
    new events at the end: the old map (a dict, or a reopened timeline's packed lookup) and
    the new ids after it (``Appended``). Some earlier:
    the old positions moved past each cut, looked up through the old map (``Renumbered``),
    rather than a million entries renumbered."""
    known = old.position
    added = {ids[p]: p for p in positions}
    base = known._base if isinstance(known, Appended) else known
    if steps[0][0] >= len(old) and not isinstance(base, Renumbered):  # a dict, or the cache's lookup
        return Appended.of(known, added)
    return Renumbered(known, steps if steps[0][0] < len(old) else [], added, ids)


class WordsBefore:
    """An older version's word index, for a version grown at its end from it: it answers
    for the first ``cover`` events, whose text did not change, and ``Timeline._from_words``
    looks through the new events' own text (a scan of the whole text was 0.18 s at a
    million events). The cache written for the grown version gets an index of its own
    (``app._save_cache``), which then replaces this."""

    __slots__ = ("_words", "cover")

    def __init__(self, words, cover: int) -> None:
        self._words, self.cover = words, cover

    @classmethod
    def of(cls, words, cover: int) -> WordsBefore:
        """``words`` for the first ``cover`` events (a grown version's: the same, as it is)."""
        return words if isinstance(words, WordsBefore) else cls(words, cover)

    def lookup(self, piece: bytes, limit: int):
        return self._words.lookup(piece, limit)


class Appended(Mapping):
    """A mapping that is another one (never changed, shared) and a few more keys after it:
    the old timeline's ids -> actors, sources or positions, and those the new lines added,
    without copying a million entries per append. A growth of a grown one adds to its few
    keys (a copy of those only), so a lookup is two dict probes however often it grew."""

    __slots__ = ("_base", "_added")

    def __init__(self, base: Mapping, added: dict) -> None:
        self._base, self._added = base, added

    @classmethod
    def of(cls, old: Mapping, added: dict) -> Mapping:
        """``old`` and then ``added`` (whose keys ``old`` does not have): ``old`` itself when
        nothing is added."""
        if not added:
            return old
        if isinstance(old, Appended):
            return cls(old._base, {**old._added, **added})
        return cls(old, added)

    def __getitem__(self, key):
        try:
            return self._base[key]
        except KeyError:
            return self._added[key]

    def get(self, key, default=None):
        found = self._base.get(key, self)
        return self._added.get(key, default) if found is self else found

    def __contains__(self, key) -> bool:
        return key in self._base or key in self._added

    def __iter__(self):
        yield from self._base
        yield from self._added

    def __len__(self) -> int:
        return len(self._base) + len(self._added)

    def values(self):
        return _Values(self)


class _Values(ValuesView):
    def __iter__(self):
        yield from self._mapping._base.values()
        yield from self._mapping._added.values()


class Renumbered(Mapping):
    """Event id -> position, once events went in among the old ones: an old position p
    moves up by how many new events went in at or before it. Built as a dict again after
    a few growths, so that a lookup never walks a long chain."""

    _DEPTH = 8

    def __init__(self, old: Mapping[str, int], steps: list[tuple[int, int]], added: dict[str, int],
                 ids: list[str]) -> None:
        depth = old._depth + 1 if isinstance(old, Renumbered) else 1
        if depth > self._DEPTH:
            # a comprehension, not dict(zip()): as fast, and it lets the UI thread in meanwhile
            old, steps, added, depth = {event_id: p for p, event_id in enumerate(ids)}, [], {}, 0
        self._old, self._added, self._depth, self._ids = old, added, depth, ids
        self._cuts = [cut for cut, _ in steps]
        self._moved = [moved for _, moved in steps]

    def __getitem__(self, key: str) -> int:
        p = self._added.get(key)
        if p is not None:
            return p
        p = self._old[key]
        i = bisect_right(self._cuts, p)
        return p + self._moved[i - 1] if i else p

    def __contains__(self, key) -> bool:
        return key in self._added or key in self._old

    def __iter__(self):
        return iter(self._ids)  # in position order, as the dict's

    def __len__(self) -> int:
        return len(self._old) + len(self._added)
