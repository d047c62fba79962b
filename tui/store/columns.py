"""One big file read into columns: what a Timeline keeps of each record, never the records.

A million decoded events take 2.7 GB, and most of a first open used to go to walking them
again and again: sharing their strings, checking them, sorting them, indexing them, letting
them go. Here the loader hands over a few thousand freshly decoded records at a time; each
chunk gives up what the checks and indexes need (ids, date texts, references, tags, byte
spans) and is dropped. Every later pass runs over compact lists that fit in the caches, and
the timeline that comes out is the one a cache restore gives (events and quotes read back
from the file by span when shown).

Only a file with nothing wrong comes out of here: any doubt raises ``Broken`` and the loader
reads the file again record by record, which names every place (machine-written files are
rarely broken; then only the report costs a second read).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import ClassVar
from functools import partial
from itertools import repeat

from ..model.dates import DateError, EDate, parse_edtf
from ..model.entities import ACTOR_KINDS, CONFIDENCES, SOURCE_KINDS, Actor, Event, Quote, Source
from ..model.problems import Problem
from ..model.timeline import Timeline, group_key, is_long
from ..model.protocols import TextSource
from ..model.source_refs import Collector, QuoteFacts
from .records import DataFile, FileRecords, LazyDates, Origin, Spans

__all__ = ["Arrangement", "Broken", "Columns", "Fill", "ids_valid", "people_valid", "via_loop_from", "via_loops"]

_POSTINGS = partial(array, "I")
_IDS = re.compile(r"(?:[a-z0-9][a-z0-9-]*\n)*")


# --- bulk checks, shared with the loader's record-by-record path ----------------------------------

def ids_valid(ids: list[str]) -> bool:
    """Every id is well formed (one regex over all of them)."""
    return _IDS.fullmatch("".join(i + "\n" for i in ids)) is not None


def people_valid(actors: list[Actor], sources: list[Source], actor_ids: set[str], source_ids: set[str]) -> bool:
    """The bulk checks of actors and sources: kinds, names, and what they refer to."""
    A, S = actors, sources
    return not ({a.kind for a in A} - set(ACTOR_KINDS) or any(not a.name.strip() for a in A)
                or {g for a in A for g in a.affiliations} - actor_ids
                or any(a.id in a.affiliations for a in A if a.affiliations)
                or {s.kind for s in S} - set(SOURCE_KINDS) or {s.author for s in S if s.author is not None} - actor_ids
                or {s.via for s in S if s.via is not None} - source_ids)


def via_loops(via: dict[str, str]) -> list[list[str]]:
    """Every loop of ``via`` links (source id -> the source it is known through), each once,
    in the order its members are first met. One walk over all the links: each source is
    stepped on once (a chain of 5,000 sources took minutes when each was walked from every
    one of its members)."""
    done: set[str] = set()
    loops = []
    for start in via:
        if start in done:
            continue
        path: dict[str, int] = {}  # this walk's sources, in order (a dict: ordered, O(1) lookup)
        current: str | None = start
        while current is not None and current not in done and current not in path:
            path[current] = len(path)
            current = via.get(current)
        if current is not None and current in path:  # the walk came back to itself: a loop
            loops.append(list(path)[path[current]:])
        done.update(path)
    return loops


def via_loop_from(source_id: str, loop: list[str]) -> list[str]:
    """A loop as met from one of its members."""
    at = loop.index(source_id)
    return loop[at:] + loop[:at]


class Broken(Exception):
    """Something in the file is wrong (or may be): read it the detailed way instead."""


@dataclass(slots=True)
class Arrangement:
    """Where each event and quote goes in timeline order, and what the date indexes keep,
    worked out from the events' ids and dates and the quotes' events alone: so the child
    process that reads the quotes of a big file (``aside.py``) can work it out too, while
    this one reads the rest."""

    order: array | None
    """The file index of the event at each position ("I"); None if the file is in date order."""
    lower: array
    upper: array
    group_keys: array
    long: array
    """``Timeline``'s attributes of these names, by position."""
    qstart: array
    """Where each position's quotes start in ``quote_spans`` (``Timeline._qstart``)."""
    quote_spans: Spans
    """The quotes' byte spans, grouped by their event's position (quotes tied to no event last)."""
    untied: list[tuple[int, str]]
    """Quotes tied to no event: index in the file's list, id (a warning each)."""
    quote_order: list[int] | None = None
    """The file index of the quote at each place in ``quote_spans`` (where it was worked
    out: the child that did sends its quotes' facts in that order instead)."""


@dataclass(slots=True)
class Fill:
    """Where a reader puts the records of a big file read into columns (``reading.Keep`` says
    what a reader asks of it): those of ``kinds`` go to ``columns``; with ``keys``, the
    events' ids and dates only (what the child reading the quotes needs, ``aside.py``). All
    or nothing: columns are of use only if every record is right and placed, so the read
    stops at the first problem, and the loader reads the file again the detailed way."""

    columns: Columns
    kinds: tuple[str, ...] = ("actors", "sources", "events", "quotes")
    keys: bool = False
    all_or_nothing: ClassVar[bool] = True

    def take(self, kind: str, records: list, indexes) -> None:
        self.columns.add(kind, records)  # in file order: an index here is the index in the file

    def take_keys(self, events: list) -> None:
        self.columns.add_event_keys(events)


class Columns:
    """What the checks and indexes need of one file's records, gathered chunk by chunk, in
    file order (an event's index here is its index in the file's list)."""

    def __init__(self, *, quote_facts: bool = False) -> None:
        self.gather_facts = quote_facts
        """Whether to keep what the sourcing report checks of each quote (``QuoteFacts``):
        only ``validate --sourcing`` asks; at a million quotes they cost the first open
        about a quarter more (the child that reads the quotes is on its critical path)."""
        self.actors: list[Actor] = []
        self.sources: list[Source] = []
        self.event_ids: list[str] = []
        self.date_texts: list[str] = []
        self.by_actor: defaultdict[str, array] = defaultdict(_POSTINGS)
        self.by_tag: defaultdict[str, array] = defaultdict(_POSTINGS)
        self.by_confidence: defaultdict[str, array] = defaultdict(_POSTINGS)
        self.refs = Collector()
        """Every event's cited sources and stances (kept: ``Timeline.source_refs``), checked in bulk."""
        self.uncited: list[int] = []
        """Events citing no source (a warning each)."""
        self.titles_ok = True
        self.quote_ids: list[str] = []
        self.quote_events: list[str | None] = []
        self.speakers: Counter[str] = Counter()
        self.quote_sources: set[str] = set()
        self.said: set[str | None] = set()
        # what the sourcing report checks of each quote, in file order (``QuoteFacts``)
        self.quote_speakers: list[str] = []
        self.quote_source_ids: list[str] = []
        self.quote_languages: list[str | None] = []
        self.quote_originals = bytearray()
        self.quote_facts: QuoteFacts | None = None
        """Those facts in timeline order, as the child process that read the quotes sent them."""
        self._texts: dict[str, str] = {}
        self._actor_ids: set[str] = set()
        self._source_ids: set[str] = set()

    def add(self, kind: str, records: list) -> None:
        """The next records of one list of the file, in its order."""
        if kind == "events":
            self._events(records)
        elif kind == "quotes":
            self._quotes(records)
        elif kind == "actors":
            self.actors += records
        else:
            self.sources += records

    def add_event_keys(self, events: list) -> None:
        """Only the ids and dates of every event (``arrange`` needs no more): what the child
        process reading the quotes keeps of the events."""
        self.event_ids += [e.id for e in events]
        self._add_dates([e.date for e in events])

    def _add_dates(self, texts: list[str]) -> None:
        share = self._texts.setdefault  # a big file repeats its dates: keep each text once
        self.date_texts += [share(d, d) for d in texts]

    def _events(self, events: list[Event]) -> None:
        base = len(self.event_ids)
        self.event_ids += [e.id for e in events]
        self._add_dates([e.date for e in events])
        self.titles_ok = self.titles_ok and all([e.title.strip() for e in events])
        by_actor, by_tag, by_confidence, uncited = self.by_actor, self.by_tag, self.by_confidence, self.uncited
        for i, e in enumerate(events, base):
            for ref in e.actors:
                by_actor[ref if ref.__class__ is str else ref.actor].append(i)
            for tag in e.tags:
                by_tag[tag].append(i)
            if e.confidence != "confirmed":
                by_confidence[e.confidence].append(i)
            if not e.sources:
                uncited.append(i)
        self.refs.add(events)

    def _quotes(self, quotes: list[Quote]) -> None:
        self.quote_ids += [q.id for q in quotes]
        self.quote_events += [q.event for q in quotes]
        speakers = [q.speaker for q in quotes]
        sources = [q.source for q in quotes]
        self.speakers.update(speakers)
        self.quote_sources.update(sources)
        self.said.update([q.said for q in quotes])
        if not self.gather_facts:
            return
        self.quote_speakers += speakers
        self.quote_source_ids += sources
        self.quote_languages += [q.language for q in quotes]
        self.quote_originals += bytes([bool((q.original or "").strip()) for q in quotes])

    def add_quote_people(self, speakers: dict[str, int], sources: list[str]) -> None:
        """Who the quotes name (speakers, with how often, and sources), as the child process
        that read them found (``aside.py``)."""
        self.speakers.update(speakers)
        self.quote_sources.update(sources)

    # --- the checks --------------------------------------------------------------------------------

    def check(self) -> None:
        """Raise ``Broken`` unless actors, sources and events are right; what ``arrange``
        checks (ids of events and quotes, what quotes are tied to, dates of events and
        quotes) aside."""
        self._actor_ids = actors = _unique_ids("actors", [a.id for a in self.actors])
        self._source_ids = sources = _unique_ids("sources", [s.id for s in self.sources])
        if not people_valid(self.actors, self.sources, actors, sources):
            raise Broken("actors or sources")
        via = {s.id: s.via for s in self.sources if s.via}
        if via_loops(via):
            raise Broken("via")
        tags = self.by_tag.keys()
        if (not self.titles_ok or self.by_confidence.keys() - set(CONFIDENCES) or not self.refs.stances_ok
                or any(t != t.strip() or not t for t in tags)
                or self.by_actor.keys() - actors or self.refs.cited.keys() - sources):
            raise Broken("events")
        _parse_all({s.published for s in self.sources} - {None})

    def check_quotes(self) -> None:
        """Raise ``Broken`` unless the quotes name known actors and sources (after ``check``)."""
        if self.speakers.keys() - self._actor_ids or self.quote_sources - self._source_ids:
            raise Broken("quotes")

    # --- the order --------------------------------------------------------------------------------

    def arrange(self, quote_spans: Spans) -> Arrangement:
        """Check the ids of events and quotes, what each quote is tied to and every date of
        an event or quote (``Broken`` if anything is wrong), then put them in timeline order:
        events by date, quotes grouped by their event's position."""
        _unique_ids("quotes", self.quote_ids)
        if set(self.quote_events) - _unique_ids("events", self.event_ids) - {None}:
            raise Broken("quotes")
        # What the indexes keep of a date is worked out once per distinct date; the rest runs
        # over whole columns in numpy (``_arranged``): a million events have a few hundred
        # thousand dates, and the sorts, lookups and counts per event cost 4-5 s in Python.
        dated = _parse_all(self._texts)
        _parse_all(self.said - {None})
        return _arranged(self, dated, quote_spans)

    def facts_of_quotes(self, order: list[int]) -> QuoteFacts:
        """What the sourcing report checks of each quote, in this order (``Arrangement.quote_order``)."""
        return QuoteFacts(list(map(self.quote_ids.__getitem__, order)),
                          list(map(self.quote_speakers.__getitem__, order)),
                          list(map(self.quote_source_ids.__getitem__, order)),
                          list(map(self.quote_languages.__getitem__, order)),
                          bytes(map(self.quote_originals.__getitem__, order)))

    # --- the timeline -----------------------------------------------------------------------------

    def timeline(self, arrangement: Arrangement, *, title: str, description: str | None, name: str,
                 file: DataFile, event_spans: Spans, fingerprint: list | None, text_source: TextSource,
                 lines: dict[str, array] | None = None) -> Timeline:
        """The columns, once checked and arranged, as a Timeline. ``lines``: for JSON Lines,
        each event's and quote's line number (warnings name the record and its line);
        ``text_source``: how its search text is built (``text.FileText``)."""
        order = arrangement.order
        ids = self.event_ids if order is None else list(map(self.event_ids.__getitem__, order))
        texts = self.date_texts if order is None else list(map(self.date_texts.__getitem__, order))
        by_actor = dict(zip((a.id for a in self.actors),
                            _positions([self.by_actor.get(a.id, _NO_POSTINGS) for a in self.actors], order)))
        by_tag = dict(zip(self.by_tag, _positions(list(self.by_tag.values()), order)))
        by_confidence = dict(zip(self.by_confidence, _positions(list(self.by_confidence.values()), order)))
        warnings = self._warnings(name, lines, arrangement.untied)
        event_spans = event_spans if order is None else _taken(event_spans, _numpy().frombuffer(order, dtype='uint32'))
        quote_spans = arrangement.quote_spans
        timeline = Timeline.indexed(
            title=title, description=description, files=[name], warnings=warnings,
            actors=self.actors, sources=self.sources,
            events=FileRecords(file, Event, event_spans, ids, texts), dates=LazyDates(texts),
            quotes=FileRecords(file, Quote, quote_spans, [], []),
            origin=Origin(name, event_spans, quote_spans, file=file, fingerprint=fingerprint), text_source=text_source,
            lower=arrangement.lower, upper=arrangement.upper, group_keys=arrangement.group_keys,
            long=arrangement.long, qstart=arrangement.qstart, by_actor=by_actor, by_tag=by_tag,
            by_confidence=by_confidence, quotes_by_speaker=self.speakers,
            source_refs=self.refs.refs([s.id for s in self.sources], order),
        )
        facts = self.quote_facts
        if facts is None and self.gather_facts and arrangement.quote_order is not None:
            facts = self.facts_of_quotes(arrangement.quote_order)
        if facts is not None and len(facts) == len(quote_spans.starts):
            timeline.quote_facts = facts
        return timeline

    def _warnings(self, name: str, lines: dict[str, array] | None, untied: list[tuple[int, str]]) -> list[Problem]:
        """The loader's warnings, in its order: events citing no source, then quotes tied to
        no event (JSON Lines: by line, each naming its record)."""
        found = []
        for kind, i, record_id, message in [
                *(("events", i, self.event_ids[i], "cites no source") for i in self.uncited),
                *(("quotes", i, quote_id, "is not tied to an event") for i, quote_id in untied)]:
            said = f"{kind[:-1]} '{record_id}' {message}"
            if lines is None:
                found.append(Problem(name, (kind, i), said, True))
            else:
                found.append(Problem(name, (f"{kind[:-1]} '{record_id}'",), said, True, lines[kind][i]))
        if lines is not None:
            found.sort(key=lambda p: p.line)
        return found

_WIDEST = (1 << 40) - 1
"""``sort_key``'s cap on a span's width: its low 40 bits."""


def _arranged(columns: Columns, dated: dict[str, EDate], quote_spans: Spans) -> Arrangement:
    """``Columns.arrange`` once the dates are parsed: the same order as ``sorted`` by
    ``sort_key`` (lower bound, then the wider span first; ties in file order, as a stable
    sort keeps them), as a ``lexsort`` of the two halves of that key (numpy's is stable)."""
    np = _numpy()

    texts = columns.date_texts
    n = len(texts)
    code_of = dict(zip(dated, range(len(dated))))
    codes = np.fromiter(map(code_of.__getitem__, texts), dtype=np.intp, count=n)
    del code_of
    parsed = list(dated.values())
    d_lower = np.fromiter((d.lower for d in parsed), dtype=np.int64, count=len(parsed))
    d_upper = np.fromiter((d.upper for d in parsed), dtype=np.int64, count=len(parsed))
    d_group = np.fromiter(map(group_key, parsed), dtype=np.uint32, count=len(parsed))
    d_long = np.fromiter(map(is_long, parsed), dtype=np.bool_, count=len(parsed))
    narrow = _WIDEST - np.minimum(d_upper - d_lower, _WIDEST)
    order = np.lexsort((narrow[codes], d_lower[codes])).astype(np.uint32) if n else np.zeros(0, np.uint32)
    in_order = bool(np.array_equal(order, np.arange(n, dtype=np.uint32)))
    placed = codes if in_order else codes[order]
    lower = _typed("q", d_lower[placed])
    upper = _typed("q", d_upper[placed])
    group_keys = _typed("I", d_group[placed])
    long = _typed("I", np.flatnonzero(d_long[placed]).astype(np.uint32))
    del codes, placed

    # each quote's event's position (quotes tied to no event go last, at n)
    index_of = dict(zip(columns.event_ids, range(n)))
    tied = np.fromiter(map(index_of.get, columns.quote_events, repeat(n)), dtype=np.intp,
                       count=len(columns.quote_events))
    del index_of
    rank = np.empty(n + 1, dtype=np.intp)
    rank[order.astype(np.intp)] = np.arange(n, dtype=np.intp)
    rank[n] = n
    quote_keys = rank[tied]
    del tied, rank
    quote_order = np.argsort(quote_keys, kind="stable").astype(np.uint32)
    per_position = np.bincount(quote_keys, minlength=n + 1)[:n]
    qstart = np.zeros(n + 1, dtype=np.uint32)
    np.cumsum(per_position, out=qstart[1:])
    untied = [(i, columns.quote_ids[i]) for i, e in enumerate(columns.quote_events) if e is None]
    return Arrangement(None if in_order else _typed("I", order), lower, upper, group_keys, long,
                       _typed("I", qstart), _taken(quote_spans, quote_order), untied,
                       _typed("I", quote_order))


_NO_POSTINGS = array("I")


def _numpy():
    import numpy  # a runtime dependency already (the cache's range checks); big files only

    return numpy


def _positions(postings: list[array], order: array | None) -> list[array]:
    """Each list of file indexes as the sorted positions of those events (``order``: the file
    index at each position; None when they are the same), an event named twice in one list
    counting once. All the lists at once, in numpy: 50,000 actors' three million entries
    sorted one list at a time cost over a second."""
    np = _numpy()
    lengths = np.fromiter(map(len, postings), dtype=np.int64, count=len(postings))
    flat = np.frombuffer(b"".join(postings), dtype=np.uint32)
    if order is not None:
        rank = np.empty(len(order), dtype=np.uint64)
        rank[np.frombuffer(order, dtype=np.uint32)] = np.arange(len(order), dtype=np.uint64)
        placed = rank[flat]
    else:
        placed = flat.astype(np.uint64)
    keys = (np.repeat(np.arange(len(postings), dtype=np.uint64), lengths) << np.uint64(32)) | placed
    keys.sort()
    if len(keys) > 1:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # a repeat is next to itself
    ends = np.searchsorted(keys >> np.uint64(32), np.arange(1, len(postings) + 1, dtype=np.uint64)).tolist()
    data = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32).tobytes()
    found = []
    start = 0
    for end in ends:
        part = array("I")
        part.frombytes(data[4 * start:4 * end])
        found.append(part)
        start = end
    return found


def _typed(typecode: str, values) -> array:
    """A numpy column as the ``array`` the Timeline keeps ("q" or "I"; one copy of its bytes)."""
    np = _numpy()
    found = array(typecode)
    found.frombytes(values.astype(np.int64 if typecode == "q" else np.uint32).tobytes())
    return found


def _taken(spans: Spans, order) -> Spans:
    """``spans.permuted(order)`` for a numpy ``order``: two takes instead of two million
    lookups in Python."""
    np = _numpy()
    at = order.astype(np.intp)
    return Spans(_typed("q", np.frombuffer(spans.starts, dtype=np.int64)[at]),
                 _typed("q", np.frombuffer(spans.ends, dtype=np.int64)[at]))


def _unique_ids(kind: str, ids: list[str]) -> set[str]:
    """These ids, as a set; ``Broken`` unless each is well formed and none repeats."""
    unique = set(ids)
    if len(unique) != len(ids) or not ids_valid(ids):
        raise Broken(kind)
    return unique


def _parse_all(texts) -> dict[str, EDate]:
    """Each of these date texts parsed; ``Broken`` if one is not a date."""
    try:
        return {text: parse_edtf(text) for text in texts}
    except DateError:
        raise Broken("dates") from None
