"""The loaded timeline: events in date order, with the indexes that keep queries fast.

Designed for a million events: events form one sequence sorted by their lower date bound
(a list, or records read back from a big file on demand by the store, ``protocols.Records``);
a position in that sequence is how everything else refers to an event (filter results are sorted
arrays of positions, the explorer's cursor is a position). Actor, tag and confidence queries
read prebuilt posting arrays; date windows are answered by bisection on the sorted bounds;
free text is searched in a folded copy of each event's text that is built once, on first use
(the explorer builds it in the background right after loading).
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import compress

from .dates import EDate
from .entities import Actor, Event, Membership, Quote, Source
from .haystack import TEXT_DECODERS, InMemory, quote_indexes, records_at, search_text, searchable
from .postings import both, union
from .problems import Problem
from .protocols import Placement, Records, SearchText, SourceRefs, TextSource, Words
from .source_refs import Collector, read_refs
from .text import fold

__all__ = ["Timeline", "ActorStats", "sort_key", "group_key", "is_long", "date_columns", "records_at", "project"]

_LONG = 400 * 86400
"""Events spanning more than this are kept aside, so date windows stay a bisection."""


@dataclass(frozen=True, slots=True)
class ActorStats:
    """How present an actor is in the whole timeline."""

    events: int
    first: EDate | None
    last: EDate | None
    quotes: int


def group_key(edate: EDate) -> int:
    """year * 13 + month (month 0 for a year-precision start); 0 for an open start."""
    start = edate.start
    if start is None:
        return 0
    return start.year * 13 + (start.month or 0)


def sort_key(d: EDate) -> int:
    """Timeline order: by lower bound; at the same lower bound the wider span first ("2024",
    then "Jan 2024", then "1 Jan 2024"), so each reads as a heading for what follows."""
    return (d.lower << 40) | ((1 << 40) - 1 - min(d.upper - d.lower, (1 << 40) - 1))


def is_long(d: EDate) -> bool:
    """Spans this long are kept aside (``Timeline._long``), so date windows stay a bisection."""
    return d.upper - d.lower > _LONG


def project(records: Mapping, fields: type) -> Sequence:
    """Every record of ``records`` (actors by id), in order, with only the fields of
    ``fields`` (a struct with some of theirs, ``entities.ActorName``): decoded as just those
    where the mapping can (``project``: the cache's packed records, where 50,000 whole
    actors take 0.1 s to decode), else the records themselves, which have them too."""
    fast = getattr(records, "project", None)
    return fast(fields) if fast is not None else list(records.values())


def date_columns(dates: Sequence[EDate]) -> tuple[array, array, array, array]:
    """Per position (dates in timeline order): lower and upper bounds, the year/month heading
    it files under (``group_key``), and the positions of long spans (``is_long``)."""
    return (array("q", [d.lower for d in dates]), array("q", [d.upper for d in dates]),
            array("I", [group_key(d) for d in dates]),
            array("I", [i for i, d in enumerate(dates) if is_long(d)]))


class Timeline:
    """Events, actors, sources and quotes, linked by id, with indexes for queries."""

    def __init__(
        self,
        *,
        title: str,
        description: str | None,
        actors: Iterable[Actor],
        sources: Iterable[Source],
        events: Sequence[Event],
        dates: Sequence[EDate],
        quotes: Iterable[Quote],
        warnings: list[Problem] | None = None,
        files: list[str] | None = None,
        origin: Placement | None = None,
        text_source: TextSource | None = None,
    ) -> None:
        self.title = title
        self.description = description
        self.files = files or []
        """Where the data came from (for the header and error messages)."""
        self.event_files: dict[str, int] = {}
        """Event id -> index in ``files`` of the file that defined it (only when several
        files were opened; a row and the event pane say which)."""
        self.warnings = warnings or []
        self.actors: dict[str, Actor] = {a.id: a for a in actors}
        self.sources: dict[str, Source] = {s.id: s for s in sources}
        self.quotes: Sequence[Quote] = list(quotes)

        keys = list(map(sort_key, dates))
        order = sorted(range(len(events)), key=keys.__getitem__)
        del keys
        self.events: Sequence[Event] = [events[i] for i in order]
        self.dates: Sequence[EDate] = [dates[i] for i in order]
        origin = origin.permuted(events=order) if origin is not None else None
        del order
        self.lower, self.upper, self.group_keys, self._long = date_columns(self.dates)

        by_actor: dict[str, array] = {a: array("I") for a in self.actors}
        by_tag: dict[str, array] = {}
        by_confidence: dict[str, array] = {}
        add_actor = {a: p.append for a, p in by_actor.items()}
        for pos, event in enumerate(self.events):
            for ref in event.actors:
                add_actor[ref if ref.__class__ is str else ref.actor](pos)
            for tag in event.tags:
                postings = by_tag.get(tag)
                if postings is None:
                    postings = by_tag[tag] = array("I")
                postings.append(pos)
            if event.confidence != "confirmed":
                postings = by_confidence.get(event.confidence)
                if postings is None:
                    postings = by_confidence[event.confidence] = array("I")
                postings.append(pos)
        del add_actor
        collector = Collector()  # each event's cited sources, in this same pass
        collector.add(self.events)
        self._source_refs: SourceRefs | None = collector.refs(list(self.sources))
        del collector
        for index in (by_actor, by_tag):
            for key, postings in index.items():  # an actor named twice in one event counts once
                if len(postings) > 1 and len(set(postings)) != len(postings):
                    index[key] = array("I", sorted(set(postings)))
        self._by_actor = by_actor
        self._by_tag = dict(sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        self._by_confidence = by_confidence
        """Only the exceptions are stored; "confirmed" (the default) is derived from them."""

        # Quotes grouped by their event's position (a CSR index: quotes of the event at
        # position p are quotes[qstart[p]:qstart[p + 1]]), then quotes tied to no event.
        n = len(self.events)
        where = self.position.get
        keys = [where(q.event, n) if q.event is not None else n for q in self.quotes]
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.quotes = [self.quotes[i] for i in order]
        self.origin = None if origin is None else origin.permuted(quotes=order)
        """The file and each record's byte span (timeline order), from which the on-disk
        cache is written; only big single-file loads have one (``protocols.Placement``)."""
        keys.sort()
        del order
        self._quotes_by_speaker: Counter[str] = Counter(q.speaker for q in self.quotes)
        self._qstart = array("I", [bisect_left(keys, p) for p in range(n + 1)]) if keys else \
            array("I", bytes(4 * (n + 1)))
        del keys
        self._link(text_source)

    @classmethod
    def indexed(cls, *, title: str, description: str | None, files: list[str], warnings: list[Problem],
                actors: Iterable[Actor] | Mapping[str, Actor], sources: Iterable[Source] | Mapping[str, Source],
                events: Records, dates: Sequence[EDate],
                quotes: Records, origin: Placement, text_source: TextSource, lower: array, upper: array, group_keys: array,
                long: array, qstart: array, by_actor: Mapping[str, array], by_tag: dict[str, array],
                by_confidence: dict[str, array], quotes_by_speaker: Counter[str],
                source_refs: SourceRefs | None = None) -> Timeline:
        """A timeline of one big file whose indexes are built already, in timeline order
        (restored from the cache, or read into columns): events and quotes are read from the
        file when shown. The arguments are the attributes of the same names; actors and
        sources may come as mappings by id already (the cache's, each decoded when asked for);
        without ``source_refs``, they are read back from the file when first asked for."""
        t = cls.__new__(cls)
        t.title, t.description, t.files, t.warnings = title, description, files, warnings
        t.event_files = {}
        t.actors = actors if isinstance(actors, Mapping) else {a.id: a for a in actors}
        t.sources = sources if isinstance(sources, Mapping) else {s.id: s for s in sources}
        t.events, t.dates, t.quotes, t.origin = events, dates, quotes, origin
        t.lower, t.upper, t.group_keys, t._long, t._qstart = lower, upper, group_keys, long, qstart
        t._by_actor, t._by_confidence = by_actor, by_confidence
        t._by_tag = dict(sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        t._quotes_by_speaker = quotes_by_speaker
        t._source_refs = source_refs
        t._link(text_source)
        return t

    def _link(self, text_source: TextSource | None) -> None:
        """What is derived from the rest (also for a timeline restored from the cache)."""
        self._members: dict[str, list[str]] | None = None
        """Built when first asked for (``members_of``): most sessions never do."""
        self.text_source = text_source or InMemory()
        """How the search text is built and scanned (``protocols.TextSource``: the store's,
        or for a timeline made by hand, ``haystack.InMemory``)."""
        self._text: SearchText | None = None
        self._haystack: tuple[object, array] | None = None
        self._haystack_lock = threading.Lock()
        self._refs_lock = threading.Lock()
        self.quote_facts = None
        """``source_refs.QuoteFacts`` of every quote, when the reader gathered them (a big
        file's first open); else None, and the sourcing report reads the quotes back."""
        self._scanner = None
        self.notices: list[str] = []
        """What the store has to say about how this timeline was read, one line each, for a
        person (say, a damaged cache that was read again): never data, never a warning about
        the data (those are ``warnings``)."""
        self.text_progress = 0.0
        """How much of the search text is built (0 to 1), for a person waiting on a first search."""
        self._actor_names: list[tuple[str, list[str]]] | None = None
        self.words: Words | None = None
        """A word index of the search text (``store/words.py``), when one was built for the cache."""
        self.from_cache = False
        """Restored from the on-disk cache (``store/cache.py``): events and quotes are read on demand."""
        self.cached_text = False
        """That cache also held the search text."""

    @property
    def source_refs(self) -> SourceRefs:
        """Every event's cited sources with their stances (``protocols.SourceRefs``), as
        the reader gathered them; read back from the file (once) for a timeline whose
        reader did not."""
        refs = self._source_refs
        if refs is None:
            with self._refs_lock:
                refs = self._source_refs
                if refs is None:
                    refs = self._source_refs = read_refs(self.events, list(self.sources))
        return refs

    @cached_property
    def position(self) -> Mapping[str, int]:
        """Event id -> position (for events read back from a big file, the store's own
        lookup, ``Records.positions``, when it has one: no million-entry dict)."""
        found = getattr(self.events, "positions", None)
        if found is not None:
            return found
        ids = getattr(self.events, "ids", None)  # events read back on demand keep their ids apart
        if ids is None:
            ids = [e.id for e in self.events]
        return {event_id: i for i, event_id in enumerate(ids)}

    # --- lookups -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.events)

    def actor_name(self, actor_id: str) -> str:
        actor = self.actors.get(actor_id)
        return actor.name if actor else actor_id

    def quotes_for(self, event_id: str) -> list[Quote]:
        pos = self.position.get(event_id)
        return [] if pos is None else self.quotes_at(pos)

    def quotes_at(self, position: int) -> list[Quote]:
        """The quotes of the event at this position."""
        return self.quotes[self._qstart[position]:self._qstart[position + 1]]

    def events_at(self, positions: Sequence[int], *, texts_only: bool = False) -> list[Event]:
        """The events at these positions (read from the file together, for a big one).
        ``texts_only``: only their searchable fields need be read (``haystack.TEXT_DECODERS``)."""
        return records_at(self.events, positions, TEXT_DECODERS[Event] if texts_only else None)

    def quotes_of(self, positions: Sequence[int], *, texts_only: bool = False) -> list[Quote]:
        """The quotes of the events at these positions, event by event."""
        return records_at(self.quotes, quote_indexes(self._qstart, positions),
                          TEXT_DECODERS[Quote] if texts_only else None)

    def quote_count(self, position: int) -> int:
        """How many quotes the event at this position has (none is read to count them)."""
        return self._qstart[position + 1] - self._qstart[position]

    def members_of(self, actor_id: str) -> list[str]:
        """Actors whose ``affiliations`` name this one (the reverse link, derived)."""
        if self._members is None:  # from the actors' ids and affiliations alone (50,000 at a million events)
            members: dict[str, list[str]] = {}
            for actor in project(self.actors, Membership):
                for group in actor.affiliations:
                    members.setdefault(group, []).append(actor.id)
            self._members = members
        return self._members.get(actor_id, [])

    def via_chain(self, source_id: str) -> list[Source]:
        """The source and those it is known through, nearest first (cycle-safe)."""
        chain: list[Source] = []
        seen: set[str] = set()
        current: str | None = source_id
        while current is not None and current not in seen and current in self.sources:
            seen.add(current)
            source = self.sources[current]
            chain.append(source)
            current = source.via
        return chain

    def actor_stats(self, actor_id: str) -> ActorStats:
        postings = self._by_actor.get(actor_id, ())
        return ActorStats(
            events=len(postings),
            first=self.dates[postings[0]] if postings else None,
            last=self.dates[postings[-1]] if postings else None,
            quotes=self._quotes_by_speaker.get(actor_id, 0),
        )

    def actor_event_counts(self) -> dict[str, int]:
        lengths = getattr(self._by_actor, "lengths", None)  # the cache's postings: counted without a cut
        return lengths() if lengths is not None else {a: len(p) for a, p in self._by_actor.items()}

    def tag_counts(self) -> dict[str, int]:
        """Every tag with how many events carry it, most used first."""
        return {t: len(p) for t, p in self._by_tag.items()}

    def first_dated(self) -> int | None:
        """Position of the earliest event with a known start (open starts sort first)."""
        index = 0
        while index < len(self.events) and self.dates[index].start is None:
            index += 1  # open starts sort first; there are few
        return index if index < len(self.events) else None

    def last_dated(self) -> int | None:
        """Position of the event with the latest known start."""
        return len(self.events) - 1 if self.events and self.dates[-1].start else None

    # --- actor names -------------------------------------------------------------------

    def resolve_actor(self, text: str) -> list[str]:
        """Actor ids that ``text`` names: an exact id, else every actor whose name or alias
        equals it, else every actor with a name or alias containing it as words
        (case- and accent-insensitive: "gonzalez" finds both Gonzálezes)."""
        if text in self.actors:
            return [text]
        wanted = fold(text).replace("-", " ").strip()
        if not wanted:
            return []
        if self._actor_names is None:
            self._actor_names = [
                (a.id, [fold(n).replace("-", " ") for n in (a.name, *a.aliases)])
                for a in self.actors.values()
            ]
        exact = [aid for aid, names in self._actor_names
                 if wanted in names or wanted == fold(aid).replace("-", " ")]
        if exact:
            return exact
        padded = f" {wanted}"
        return [
            aid for aid, names in self._actor_names
            if any(f" {name}".find(padded) >= 0 for name in names)
        ]

    # --- query primitives (used by query.run) -------------------------------------------------

    def actor_positions(self, actor_id: str) -> Sequence[int]:
        return self._by_actor.get(actor_id, array("I"))

    def tag_positions(self, tag: str) -> Sequence[int]:
        return self._by_tag.get(tag, array("I"))

    def confidence_positions(self, confidence: str) -> Sequence[int]:
        if confidence != "confirmed":
            return self._by_confidence.get(confidence, array("I"))
        others = sorted(set().union(*self._by_confidence.values()))
        if not others:
            return range(len(self.events))
        mask = bytearray(b"\x01") * len(self.events)
        for p in others:
            mask[p] = 0
        return array("I", compress(range(len(self.events)), mask))

    def overlapping(self, lo: int, hi: int) -> Sequence[int]:
        """Positions of events whose span overlaps [lo, hi] (inclusive), in order."""
        right = bisect_right(self.lower, hi)
        sure = bisect_left(self.lower, lo, 0, right)
        start = bisect_left(self.lower, lo - _LONG, 0, sure)
        upper = self.upper
        edge = [p for p in range(start, sure) if upper[p] >= lo]
        if self._long:
            edge_set = set(edge)
            edge.extend(p for p in self._long if p < start and upper[p] >= lo and p not in edge_set)
            edge.sort()
        if not edge:
            return range(sure, right)
        return array("I", edge) + array("I", range(sure, right))

    def prepare_search(self) -> None:
        """Build the search text (``haystack``) and what a first scan of it needs, so that
        the first search is as quick as the next (the explorer calls this in a worker). The
        store may start a second process to scan half of a big text (``TextSource.prepare_search``);
        left to the explorer, rather than done on every reopen: a command that never scans
        needs no second process."""
        self.haystack()
        self.text_source.prepare_search(self._text, self)

    @property
    def text_ready(self) -> bool:
        """The search text is built (or was read from the cache): text search costs one scan."""
        return self._haystack is not None

    @property
    def quote_starts(self) -> Sequence[int]:
        """Where each position's quotes start in ``quotes`` (one more entry than events: the
        quotes of position p are ``quotes[quote_starts[p]:quote_starts[p + 1]]``)."""
        return self._qstart

    def haystack(self) -> tuple[object, array]:
        """Folded searchable text of every event (title, summary, place, note, tags, quotes),
        as one UTF-8 buffer with an offset per position (the text of the event at position
        p is ``buffer[offsets[p]:offsets[p + 1] - 1]``; a NUL ends each). From the on-disk
        cache, or for a big file, the buffer is a mapped file holding just this text.

        One buffer rather than a million strings: about half the memory, and a rare word is
        found by a single C-level scan. Built once, on first use (by the ``text_source``);
        thread-safe so the explorer can build it in a worker right after loading.
        """
        if self._haystack is None:
            with self._haystack_lock:
                if self._haystack is None:
                    self.attach_text(self._build_haystack())
        return self._haystack

    def attach_text(self, text: SearchText) -> None:
        """Use this search text (laid out as ``haystack`` says), e.g. the one held in the
        on-disk cache, and the scan it comes with."""
        self._text = text
        self._scanner = text.scan
        self._haystack = (text.blob, text.offsets)  # last: another thread may use both once this is set

    def _build_haystack(self) -> SearchText:
        return self.text_source.build_text(self)

    def text_chunks(self, first: int, last: int, start: float = 0.0, share: float = 1.0) -> Iterator[bytes]:
        """The search text of positions [first, last), a chunk at a time (``haystack.search_text``),
        moving ``text_progress`` from ``start`` by ``share`` as it goes."""
        for span, encoded in search_text(self.events, self.quotes, self._qstart, range(first, last)):
            yield encoded
            self.text_progress = start + share * (span.stop - first) / (last - first)

    def _from_words(self, raw: bytes) -> array | None:
        """Positions of the events holding every whitespace-separated piece of ``raw``,
        from the word index (and, for a version grown at its end from an indexed one, the
        new events' own text: ``Words.cover``); None without one, or if a piece is too
        common for it."""
        words = self.words
        if words is None:
            return None
        cover = getattr(words, "cover", None)  # grown at its end from an indexed version: the index's share
        found = None
        for piece in raw.split():
            postings = words.lookup(piece, len(self.events) // 2)  # beyond that, a scan is quicker
            if postings is None:
                return None
            matched = union(postings)
            if cover is not None:  # the events after it, looked through in their own text (all after the index's)
                blob, offsets = self.haystack()
                find = blob.find
                matched.extend([p for p in range(cover, len(self.events))
                                if find(piece, offsets[p], offsets[p + 1] - 1) >= 0])
            found = matched if found is None else both(found, matched)
        return found

    def text_positions(self, needle: str, candidates: Sequence[int] | None = None) -> Sequence[int]:
        """Positions (among ``candidates``, default all) whose text contains ``needle``
        (case- and accent-insensitive)."""
        blob, offsets = self.haystack()
        raw = searchable(needle.replace("\x00", " ")).encode("utf-8", "surrogatepass")
        if not raw.strip():
            return range(len(self.events)) if candidates is None else candidates  # nothing to look for
        few = candidates is not None and len(candidates) * 8 < len(self.events)
        found = None if few else self._from_words(raw)
        if found is not None:
            if candidates is not None and len(candidates) < len(self.events):
                found = both(found, candidates)
            if raw.split() == [raw]:
                return found  # no spaces: found exactly
            candidates = found  # with spaces: each candidate's own text must still hold it
        if candidates is not None and len(candidates) * 8 < len(self.events):
            find = blob.find  # few candidates: look in each one's own text
            return array("I", [p for p in candidates if find(raw, offsets[p], offsets[p + 1] - 1) >= 0])
        found = self._scanner.positions(raw)
        if candidates is None or isinstance(candidates, range) and len(candidates) == len(self.events):
            return found
        keep = set(found)
        return array("I", [p for p in candidates if p in keep])
