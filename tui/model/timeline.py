"""The loaded timeline: events in date order, with the indexes that keep queries fast.

Designed for a million events: events form one sequence sorted by their lower date bound
(a list, or records read back from a big file on demand, see ``records.py``);
a position in that sequence is how everything else refers to an event (filter results are sorted
arrays of positions, the explorer's cursor is a position). Actor, tag and confidence queries
read prebuilt posting arrays; date windows are answered by bisection on the sorted bounds;
free text is searched in a folded copy of each event's text that is built once, on first use
(the explorer builds it in the background right after loading).
"""

from __future__ import annotations

import ctypes
import mmap
import re
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import compress

from .dates import EDate
from .entities import Actor, Event, Quote, Source
from .problems import Problem
from .records import TEXT_DECODERS, DataFile, FileRecords, LazyDates, Origin
from .scan import Scanner, map_text
from .text import fold
from .words import WordIndex, union

__all__ = ["Timeline", "ActorStats", "sort_key", "group_key", "is_long", "date_columns", "give_back_memory",
           "search_text", "noting_ends"]

_LONG = 400 * 86400
"""Events spanning more than this are kept aside, so date windows stay a bisection."""


@dataclass(frozen=True, slots=True)
class ActorStats:
    """How present an actor is in the whole timeline."""

    events: int
    first: EDate | None
    last: EDate | None
    quotes: int


_NUL = re.compile(b"\x00")


def _searchable(text: str) -> str:
    """Folded for search; hyphens count as spaces, so "power cut" finds the tag power-cut."""
    return fold(text).replace("-", " ")


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


def date_columns(dates: Sequence[EDate]) -> tuple[array, array, array, array]:
    """Per position (dates in timeline order): lower and upper bounds, the year/month heading
    it files under (``group_key``), and the positions of long spans (``is_long``)."""
    return (array("q", [d.lower for d in dates]), array("q", [d.upper for d in dates]),
            array("I", [group_key(d) for d in dates]),
            array("I", [i for i, d in enumerate(dates) if is_long(d)]))


def give_back_memory() -> None:
    """Ask the C allocator to hand freed pages back to the system (glibc; a no-op elsewhere).
    A million freed records leave most of their pages free but still counted as ours; a text
    index built next would come on top of them and push the peak up by ~0.7 GB at 1M."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def noting_ends(chunks: Iterable[bytes], offsets: array) -> Iterator[bytes]:
    """The chunks of search text, appending to ``offsets`` where each event in them ends
    (just after its NUL)."""
    base = 0
    for encoded in chunks:
        offsets.extend(base + m.end() for m in _NUL.finditer(encoded))
        base += len(encoded)
        yield encoded


def records_at(records: Sequence, indexes: Sequence[int], decode_list=None) -> list:
    """The records at these indexes (read from the file together when they are
    ``FileRecords``; ``decode_list``: see ``FileRecords.many``)."""
    if isinstance(records, FileRecords):
        return records.many(indexes, decode_list)
    return [records[i] for i in indexes]


def quote_indexes(qstart: Sequence[int], positions: Iterable[int]) -> list[int]:
    """The indexes of the quotes of the events at these positions (``Timeline._qstart``)."""
    return [i for p in positions for i in range(qstart[p], qstart[p + 1])]


def search_text(events: Sequence, quotes: Sequence, qstart: Sequence[int], positions: range,
                chunk: int = 4096) -> Iterator[tuple[range, bytes]]:
    """The search text of the events at these positions (``Timeline.haystack``), a chunk of
    events at a time, each chunk with its positions.

    Folding is done on thousands of events at once (one NFKD, one casefold, one encode per
    chunk, all in C); the offsets come from the NUL that ends each event. A big file's
    events and quotes are read back a chunk at a time (``records_at``), decoding only their
    text fields.
    """
    for first in range(positions.start, positions.stop, chunk):
        span = range(first, min(first + chunk, positions.stop))
        base = qstart[first]
        said = records_at(quotes, quote_indexes(qstart, span), TEXT_DECODERS[Quote])
        texts = []
        for pos, e in zip(span, records_at(events, span, TEXT_DECODERS[Event])):
            parts = [e.title, e.summary or "", e.place or "", e.note or "", " ".join(e.tags)]
            for q in said[qstart[pos] - base:qstart[pos + 1] - base]:
                parts.append(q.text)
                if q.original:
                    parts.append(q.original)
            texts.append("\n".join(parts).replace("\x00", " "))
        texts.append("")
        yield span, _searchable("\x00".join(texts)).encode("utf-8", "surrogatepass")


def _mapped(chunks: Iterable[bytes]) -> mmap.mmap:
    """Write the chunks to an unnamed scratch file (in the cache folder, which is on disk
    where /tmp may be memory); map it."""
    from .cache import cache_dir  # cache.py imports this module

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder) as f:
        for encoded in chunks:
            f.write(encoded)
        f.flush()
        if f.tell() == 0:
            raise OSError("nothing to map")
        return map_text(f.fileno())  # outlives the file's name


def _both(a: Sequence[int], b: Sequence[int]) -> array:
    """Sorted positions in both sorted sequences."""
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    keep = set(small)
    return array("I", [p for p in big if p in keep])


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
        origin: Origin | None = None,
    ) -> None:
        self.title = title
        self.description = description
        self.files = files or []
        """Where the data came from (for the header and error messages)."""
        self.warnings = warnings or []
        self.actors: dict[str, Actor] = {a.id: a for a in actors}
        self.sources: dict[str, Source] = {s.id: s for s in sources}
        self.quotes: Sequence[Quote] = list(quotes)

        keys = list(map(sort_key, dates))
        order = sorted(range(len(events)), key=keys.__getitem__)
        del keys
        self.events: Sequence[Event] = [events[i] for i in order]
        self.dates: Sequence[EDate] = [dates[i] for i in order]
        event_spans = origin.events.permuted(order) if origin is not None else None
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
        self.origin = None if origin is None else Origin(origin.path, event_spans, origin.quotes.permuted(order),
                                                         file=origin.file, fingerprint=origin.fingerprint)
        """The file and each record's byte span (timeline order), from which the on-disk
        cache is written; only big single-file loads have one."""
        keys.sort()
        del order
        self._quotes_by_speaker: Counter[str] = Counter(q.speaker for q in self.quotes)
        self._qstart = array("I", [bisect_left(keys, p) for p in range(n + 1)]) if keys else \
            array("I", bytes(4 * (n + 1)))
        del keys
        self._link()

    @classmethod
    def indexed(cls, *, title: str, description: str | None, files: list[str], warnings: list[Problem],
                actors: Iterable[Actor], sources: Iterable[Source], events: FileRecords, dates: LazyDates,
                quotes: FileRecords, origin: Origin, lower: array, upper: array, group_keys: array,
                long: array, qstart: array, by_actor: dict[str, array], by_tag: dict[str, array],
                by_confidence: dict[str, array], quotes_by_speaker: Counter[str]) -> Timeline:
        """A timeline of one big file whose indexes are built already, in timeline order
        (restored from the cache, or read into columns): events and quotes are read from the
        file when shown. The arguments are the attributes of the same names."""
        t = cls.__new__(cls)
        t.title, t.description, t.files, t.warnings = title, description, files, warnings
        t.actors = {a.id: a for a in actors}
        t.sources = {s.id: s for s in sources}
        t.events, t.dates, t.quotes, t.origin = events, dates, quotes, origin
        t.lower, t.upper, t.group_keys, t._long, t._qstart = lower, upper, group_keys, long, qstart
        t._by_actor, t._by_confidence = by_actor, by_confidence
        t._by_tag = dict(sorted(by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        t._quotes_by_speaker = quotes_by_speaker
        t._link()
        return t

    def _link(self) -> None:
        """What is derived from the rest (also for a timeline restored from the cache)."""
        self._members: dict[str, list[str]] = {}
        for actor in self.actors.values():
            for group in actor.affiliations:
                self._members.setdefault(group, []).append(actor.id)
        self._haystack: tuple[bytearray | mmap.mmap, array] | None = None
        self._haystack_lock = threading.Lock()
        self._scanner: Scanner | None = None
        self._held_in: tuple[DataFile, int] | None = None
        """The file holding a search text built before (the on-disk cache, open) and where
        the text starts in it: ``prepare_search`` has a child process map and scan half."""
        self.text_progress = 0.0
        """How much of the search text is built (0 to 1), for a person waiting on a first search."""
        self._actor_names: list[tuple[str, list[str]]] | None = None
        self.words: WordIndex | None = None
        """A word index of the search text (``words.py``), when one was built for the cache."""
        self.from_cache = False
        """Restored from the on-disk cache (``cache.py``): events and quotes are read on demand."""
        self.cached_text = False
        """That cache also held the search text."""

    def read_on_demand(self) -> None:
        """Let go of the decoded events, dates and quotes of a timeline read from one big
        file, and read each back from the file (by its byte span) when something asks for
        it, as a timeline restored from the cache does. At a million events this gives back
        about 2 GB; the explorer shows forty events at a time.
        """
        if self.origin is None or isinstance(self.events, FileRecords):
            return
        ids = [e.id for e in self.events]
        texts = [d.text for d in self.dates]
        self.events = FileRecords(self.origin.file, Event, self.origin.events, ids, texts)
        self.dates = LazyDates(texts)
        self.quotes = FileRecords(self.origin.file, Quote, self.origin.quotes, [], [])
        self.__dict__.pop("position", None)  # rebuilt from the ids if ever needed
        give_back_memory()

    @cached_property
    def position(self) -> dict[str, int]:
        """Event id -> position."""
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
        ``texts_only``: only their searchable fields may be read (``records.TEXT_DECODERS``)."""
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
        return {a: len(p) for a, p in self._by_actor.items()}

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
        the first search is as quick as the next (the explorer calls this in a worker). A
        big timeline whose search text came from the cache gets a child process scanning
        half of it (``aside.TextAside``), as one that built its text has already: what the
        word index leaves to a scan (a needle in most words, like "the") runs on both cores.
        Left to the explorer, rather than done on every reopen: a command that never scans
        needs no second process."""
        self.haystack()
        held, self._held_in = self._held_in, None
        if held is not None:
            from .aside import TEXT_ASIDE_LIMIT, TextAside  # aside.py imports this module

            n = len(self.events)
            if n >= TEXT_ASIDE_LIMIT:
                self._scanner.share(TextAside.scanning(held[0].fd, held[1], self._haystack[1], n // 2))
        self._scanner.prepare()

    @property
    def text_ready(self) -> bool:
        """The search text is built (or was read from the cache): text search costs one scan."""
        return self._haystack is not None

    def haystack(self) -> tuple[bytearray | mmap.mmap, array]:
        """Folded searchable text of every event (title, summary, place, note, tags, quotes),
        as one UTF-8 buffer with an offset per position (the text of the event at position
        p is ``buffer[offsets[p]:offsets[p + 1] - 1]``; a NUL ends each). From the on-disk
        cache, or for a big file, the buffer is a mapped file holding just this text.

        One buffer rather than a million strings: about half the memory, and a rare word is
        found by a single C-level scan. Built once, on first use; thread-safe so the
        explorer can build it in a worker right after loading.
        """
        if self._haystack is None:
            with self._haystack_lock:
                if self._haystack is None:
                    self.attach_text(*self._build_haystack())
        return self._haystack

    def attach_text(self, blob: bytearray | mmap.mmap, offsets: array, helper=None, *,
                    held_in: tuple[DataFile, int] | None = None) -> None:
        """Use this search text (laid out as ``haystack`` says), e.g. the one held in the
        on-disk cache, and the scanner that searches it (``scan.py``; ``helper``: see
        there). ``held_in``: the file holding the text, and where the text starts in it."""
        self._scanner = Scanner(blob, offsets, helper)
        self._held_in = held_in
        self._haystack = (blob, offsets)  # last: another thread may use both once this is set

    def _build_haystack(self) -> tuple[bytearray | mmap.mmap, array, object]:
        """The search text, its offsets, and the child process that built half of it and
        stays to scan that half (None if there is none)."""
        # A big file's text goes to a scratch file that is then mapped: it is read from the
        # page cache, and never adds ~0.7 GB (at a million events) to the process's memory.
        # A child process builds the later half meanwhile (``aside.TextAside``).
        if self.origin is not None:
            from .aside import TEXT_ASIDE_LIMIT, TextAside  # aside.py imports this module

            n = len(self.events)
            helper = TextAside.start(self.origin, self._qstart, n // 2) if n >= TEXT_ASIDE_LIMIT else None
            offsets = array("q", [0])
            try:
                blob = _mapped(noting_ends(self._halves(helper), offsets))
                return blob, offsets, helper if helper is not None and helper.alive else None
            except BaseException as exc:
                if helper is not None:
                    helper.close()
                if not isinstance(exc, OSError):
                    raise
                # no room for the scratch file: build it in memory, below
        offsets = array("q", [0])
        blob = bytearray()
        for encoded in noting_ends(self._haystack_chunks(0, len(self.events)), offsets):
            blob += encoded
        return blob, offsets, None

    def _halves(self, helper) -> Iterator[bytes]:
        """The search text, built here up to where ``helper`` (if any) started, then the
        rest as it built it (or built here, if it could not). Progress: this process's half
        counts for 90%, joining the child's for the last 10%."""
        n = len(self.events)
        if helper is None:
            yield from self._haystack_chunks(0, n)
            return
        yield from self._haystack_chunks(0, helper.first, share=0.9)
        built = helper.blocks()
        if built is None:
            yield from self._haystack_chunks(helper.first, n, start=0.5, share=0.5)
            return
        done, size = 0, max(helper.size(), 1)
        for block in built:
            yield block
            done += len(block)
            self.text_progress = 0.9 + 0.1 * min(done / size, 1)

    def _haystack_chunks(self, first: int, last: int, start: float = 0.0, share: float = 1.0) -> Iterator[bytes]:
        for span, encoded in search_text(self.events, self.quotes, self._qstart, range(first, last)):
            yield encoded
            self.text_progress = start + share * (span.stop - first) / (last - first)

    def _from_words(self, raw: bytes) -> array | None:
        """Positions of the events holding every whitespace-separated piece of ``raw``,
        from the word index; None without one, or if a piece is too common for it."""
        if self.words is None:
            return None
        found = None
        for piece in raw.split():
            postings = self.words.lookup(piece, 2 * len(self.events))  # beyond that, a scan is quicker
            if postings is None:
                return None
            found = union(postings) if found is None else _both(found, union(postings))
        return found

    def text_positions(self, needle: str, candidates: Sequence[int] | None = None) -> Sequence[int]:
        """Positions (among ``candidates``, default all) whose text contains ``needle``
        (case- and accent-insensitive)."""
        blob, offsets = self.haystack()
        raw = _searchable(needle.replace("\x00", " ")).encode("utf-8", "surrogatepass")
        if not raw.strip():
            return range(len(self.events)) if candidates is None else candidates  # nothing to look for
        few = candidates is not None and len(candidates) * 8 < len(self.events)
        found = None if few else self._from_words(raw)
        if found is not None:
            if candidates is not None and len(candidates) < len(self.events):
                found = _both(found, candidates)
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
