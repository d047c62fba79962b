"""A JSON Lines file that only grew, read like ``tail -f``: only the new lines.

A live story is often a script appending events to a ``.jsonl`` file. Reading the whole
file again for ten new lines would take as long as opening it (12-15 s at a million
events); here only the bytes after where the last read ended are read and decoded, and the
new timeline is the old one with the new records added:

* records held in memory (files up to 64 MB): a ``Timeline`` built from the old records and
  the new ones (sorting and indexing them takes milliseconds at that size);
* a big file, whose records are read back from disk when shown: when the new lines hold only
  events (and perhaps actors and sources) dated at or after the last event, every index is
  the old one with entries added at its end (copied, never changed in place: the old
  timeline stays on screen until the new one replaces it). Its search text is built again
  in the background, as after opening the file.

Anything else (the bytes before the old end changed, a new quote, an event dated earlier,
a new line that does not decode or does not check out) returns None, and the caller reads
the whole file: that is also what names every problem with its line. So this is only ever
a faster way to the same timeline.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections import Counter
from dataclasses import dataclass

import typing

import msgspec

from ..model.dates import DateError, parse_edtf
from ..model.entities import CONFIDENCES, KINDS, Actor, Event
from ..model.timeline import Timeline, group_key, is_long, sort_key
from .columns import ids_valid, people_valid
from .loader import JSONL_SUFFIXES
from .records import FileRecords, LazyDates, Origin, Spans
from .reading import take_fingerprint
from .text import FileText, MemoryText

__all__ = ["Tail", "tail_of", "grow"]

_CHECKED = 4096
"""Bytes just before the old end that must be unchanged for the file to count as grown."""
_LINE = msgspec.json.Decoder(typing.Union[tuple(KINDS.values())])


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


def grow(old: Timeline, tail: Tail) -> tuple[Timeline, Tail, list[str]] | None:
    """The timeline with the lines appended since ``tail``, the new tail and the ids of the
    new events; None when the file did not just grow by whole, valid lines (read it all)."""
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
        new_tail = Tail(tail.path, tail.device, tail.inode, end, _digest(fd, end))
    except OSError:
        return None
    finally:
        os.close(fd)
    added = _decode(data, tail.end)
    if added is None:
        return None
    actors, sources, events, spans = added
    if not events and not actors and not sources:
        return (old, new_tail, []) if not data.strip() else None
    dates = _checked(old, actors, sources, events)
    if dates is None:
        return None
    if isinstance(old.events, FileRecords):
        new = _extended(old, actors, sources, events, dates, spans)
    else:
        new = _rebuilt(old, actors, sources, events, dates)
    if new is None:
        return None
    return new, new_tail, [e.id for e in events]


def _decode(data: bytes, base: int):
    """The new lines' records and each event's byte span; None if any line is not an actor,
    a source or an event that decodes (a quote, a header, a broken line: read it all)."""
    actors, sources, events = [], [], []
    starts, ends = array("q"), array("q")
    offset = 0
    for raw in data.split(b"\n"):
        start, offset = offset, offset + len(raw) + 1
        if not raw.strip():
            continue
        try:
            record = _LINE.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            return None
        if isinstance(record, Event):
            events.append(record)
            starts.append(base + start)
            ends.append(base + start + len(raw))
        elif isinstance(record, Actor):
            actors.append(record)
        elif type(record).__struct_config__.tag == "source" and record.via is None:
            sources.append(record)
        else:
            return None  # a quote (it would be sorted among the old ones), or a source "via" another
    return actors, sources, events, Spans(starts, ends)


def _checked(old: Timeline, actors: list, sources: list, events: list) -> list | None:
    """The new events' dates, if the new records check out against the old ones (the
    loader's bulk checks, on the new records only); None sends the caller to a full read."""
    actor_ids = [a.id for a in actors]
    source_ids = [s.id for s in sources]
    event_ids = [e.id for e in events]
    for ids, known in ((actor_ids, old.actors), (source_ids, old.sources), (event_ids, old.position)):
        if len(set(ids)) != len(ids) or not ids_valid(ids) or any(i in known for i in ids):
            return None
    every_actor = set(old.actors) | set(actor_ids)
    every_source = set(old.sources) | set(source_ids)
    if not people_valid(actors, sources, every_actor, every_source):
        return None
    if ({e.confidence for e in events} - set(CONFIDENCES) or any(not e.title.strip() for e in events)
            or any(t != t.strip() or not t for e in events for t in e.tags)
            or {r if isinstance(r, str) else r.actor for e in events for r in e.actors} - every_actor
            or {sid for e in events for sid in e.sources} - every_source):
        return None
    try:
        for s in sources:
            if s.published is not None:
                parse_edtf(s.published)
        return [parse_edtf(e.date) for e in events]
    except DateError:
        return None


def _rebuilt(old: Timeline, actors, sources, events, dates) -> Timeline:
    """Records held in memory: one timeline of the old records and the new."""
    return Timeline(
        title=old.title, description=old.description,
        actors=[*old.actors.values(), *actors], sources=[*old.sources.values(), *sources],
        events=[*old.events, *events], dates=[*old.dates, *dates], quotes=list(old.quotes),
        warnings=list(old.warnings), files=list(old.files), origin=None, text_source=MemoryText())


def _extended(old: Timeline, actors, sources, events, dates, spans: Spans) -> Timeline | None:
    """A big file's timeline with events added at its end; None unless they all sort there."""
    n = len(old)
    order = sorted(range(len(events)), key=lambda i: sort_key(dates[i]))
    if events and n and sort_key(dates[order[0]]) < sort_key(old.dates[n - 1]):
        return None  # an earlier event: the positions after it would shift, read it all
    events = [events[i] for i in order]
    dates = [dates[i] for i in order]
    spans = spans.permuted(order)
    by_actor = dict(old._by_actor)
    by_actor.update((a.id, array("I")) for a in actors)
    by_tag = dict(old._by_tag)
    by_confidence = dict(old._by_confidence)
    grown: set[int] = set()  # postings already copied for this growth

    def add(index: dict, key: str, position: int) -> None:
        postings = index.get(key)
        if postings is None:
            postings = index[key] = array("I")
        elif id(postings) not in grown:
            postings = index[key] = array("I", postings)
        grown.add(id(postings))
        if not postings or postings[-1] != position:  # an actor named twice counts once
            postings.append(position)

    for p, event in enumerate(events, n):
        for ref in event.actors:
            add(by_actor, ref if isinstance(ref, str) else ref.actor, p)
        for tag in event.tags:
            add(by_tag, tag, p)
        if event.confidence != "confirmed":
            add(by_confidence, event.confidence, p)
    long = array("I", old._long)
    long.extend(p for p, d in enumerate(dates, n) if is_long(d))
    qstart = array("I", old._qstart)  # the new events have no quotes; those tied to no
    qstart.extend([qstart[-1]] * len(events))  # event stay after the last event's, where they were
    ids = [*old.events.ids, *(e.id for e in events)]
    texts = [*old.dates.texts, *(e.date for e in events)]
    event_spans = Spans(array("q", old.origin.events.starts), array("q", old.origin.events.ends))
    event_spans.starts.extend(spans.starts)
    event_spans.ends.extend(spans.ends)
    file = old.origin.file
    origin = Origin(old.origin.path, event_spans, old.origin.quotes, file=file,
                    fingerprint=take_fingerprint(old.origin.path, file))
    return Timeline.indexed(
        title=old.title, description=old.description, files=list(old.files), warnings=list(old.warnings),
        actors=[*old.actors.values(), *actors], sources=[*old.sources.values(), *sources],
        events=FileRecords(file, Event, event_spans, ids, texts), dates=LazyDates(texts),
        quotes=old.quotes, origin=origin, text_source=FileText(),
        lower=_extended_array(old.lower, (d.lower for d in dates)),
        upper=_extended_array(old.upper, (d.upper for d in dates)),
        group_keys=_extended_array(old.group_keys, (group_key(d) for d in dates)),
        long=long, qstart=qstart, by_actor=by_actor, by_tag=by_tag, by_confidence=by_confidence,
        quotes_by_speaker=Counter(old._quotes_by_speaker))


def _extended_array(old: array, more) -> array:
    copy = array(old.typecode, old)
    copy.extend(more)
    return copy
