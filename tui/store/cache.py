"""An on-disk cache that reopens a big, unchanged timeline file in about a second.

Loading a million-event file means decoding and checking every record: tens of seconds.
After a big file (over ``STRICT_LIMIT``) has loaded once, its indexes are written to one
cache file: date bounds, actor/tag postings, quote grouping, each event's id and date text
and cited sources (with their stances), the actors and sources, each event's and quote's byte span in the data file, and the folded
search text when it has been built. Reopening the unchanged file maps the cache and copies
only the index arrays every use needs; ids, names, actors, sources and warnings stay packed
in the mapping and are decoded one at a time when asked for (``packed.py``), as events and
quotes are from the data file (``records.py``): about 0.25 s of CPU and 190 MB at a million
events, where splitting and decoding everything took 1.5 s and 690 MB.

The cache is never required and never trusted blindly (docs/reliability.md):

* it lives in the user's cache folder (``cachefile.cache_dir``), never beside the data, and
  the data file is only ever read;
* it is used only if the data file has the same path, size, modification and inode change
  times, device and inode and first and last 64 KiB as when the cache was written
  (``cachefile.fingerprint``); anything else is a silent miss and the file is read in full;
* it fails closed: every section has a checksum, checked when the section is first used
  (on reopen for the indexes every use needs, later for the rest: ``deferred.py``), and
  spans, bounds, offsets and postings are checked against the file and each other
  (``sound.py``); a damaged cache is a miss that says so (``restore`` raises ``Damaged``, or
  ``deferred.Recovery`` reads the file again), and is written anew;
* failing to write one (read-only or full disk) is silent: the explorer works the same,
  only slower to reopen;
* it is written to a temporary name and renamed, so a reader never sees half of one, and
  only the four most recently used caches are kept.
"""

from __future__ import annotations

import mmap
import os
import shutil
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import msgspec

from ..model.entities import STANCES, Actor, Event, Quote, Source
from ..model.problems import Problem
from ..model.protocols import SourceRefs
from ..model.timeline import Timeline
from .cachefile import (ENV, HEADER, MAGIC, VERSION, Damaged, Stale, Toc, cache_dir, cache_path, checksum, fingerprint,
                        identity_of, read_toc)
from .deferred import DeferredMapping, DeferredSequence, Recovery
from . import idhash
from .packed import Packed, PackedPostings, PackedRecords, Positions, pack, pack_records
from .records import DataFile, FileRecords, LazyDates, Origin, Spans
from .text import CachedText, FileText
from .words import open_index

__all__ = ["cache_dir", "cache_path", "fingerprint", "restore", "save", "KEEP"]

KEEP = 4
"""How many caches are kept (the most recently used); a million-event one is about 1 GB."""
_EDGE = 64 * 1024
_ALIGN = mmap.ALLOCATIONGRANULARITY


# --- writing ------------------------------------------------------------------------------------

def save(timeline: Timeline) -> Path | None:
    """Write the cache of a timeline read from one big file, if it would add anything.

    Returns the cache's path, or None when there is nothing to write (no big single file,
    or the cache it came from already holds all it has) or it could not be written.
    """
    origin = timeline.origin
    if origin is None or origin.fingerprint is None:
        return None
    has_text = timeline.text_ready
    if timeline.from_cache and (timeline.cached_text or not has_text):
        return None
    target = cache_path(origin.path)
    tmp = None
    try:
        source = origin.fingerprint
        if fingerprint(origin.path) != source:
            return None  # changed since it was read: these indexes are not the file's any more
        need = 256 * 1024 * 1024 + (len(timeline.haystack()[0]) if has_text else 0)
        target.parent.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(target.parent).free < need * 2:
            return None  # never fill the disk for a cache
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            sections, checksums = _write_sections(f, timeline, origin, has_text)
            toc = msgspec.msgpack.encode(Toc(source, ENV, timeline.title, timeline.description, sections, checksums,
                                             has_text))
            at = f.tell()
            f.write(toc)
            f.seek(0)
            f.write(HEADER.pack(MAGIC, VERSION, at, checksum(toc)))
        os.replace(tmp, target)
        tmp = None
        try:
            _prune(target.parent)
        except OSError:  # another process pruning too: the cache is written all the same
            pass
        return target
    except (OSError, MemoryError):
        return None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _write_sections(f, timeline: Timeline, origin: Origin,
                    has_text: bool) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """Write every section; where each is, and its checksum."""
    sections: dict[str, tuple[int, int]] = {}
    checksums: dict[str, int] = {}

    def put(name: str, data) -> None:
        at = f.tell()
        f.write(data)
        sections[name] = (at, f.tell() - at)
        checksums[name] = checksum(data)

    f.write(HEADER.pack(MAGIC, 0, 0, 0))  # rewritten once the table of contents is known
    encode = msgspec.msgpack.encode
    for name, records in (("actors", timeline.actors), ("sources", timeline.sources)):
        ids, positions, blob, offsets = _packed_records(records)
        put(f"{name}.ids", ids.blob)
        put(f"{name}.ids.offsets", ids.offsets)
        put(f"{name}.ids.hashes", positions.hashes)
        put(f"{name}.ids.order", positions.order)
        put(name, blob)
        put(f"{name}.offsets", offsets)
    events, dates = timeline.events, timeline.dates
    ids = events.ids if isinstance(events, FileRecords) else [e.id for e in events]
    texts = dates.texts if isinstance(dates, LazyDates) else [d.text for d in dates]
    ids = _packed(ids)
    put("event_ids", ids.blob)
    put("event_ids.offsets", ids.offsets)
    positions = _positions_of(events, ids)
    put("event_ids.hashes", positions.hashes)
    put("event_ids.order", positions.order)
    texts = _packed(texts)
    put("event_dates", texts.blob)
    put("event_dates.offsets", texts.offsets)
    for name, spans in (("event", origin.events), ("quote", origin.quotes)):
        put(f"{name}_starts", spans.starts)
        put(f"{name}_ends", spans.ends)
    for name in ("lower", "upper", "group_keys", "_long", "_qstart"):
        put(name, getattr(timeline, name))
    for name in ("_by_actor", "_by_tag", "_by_confidence"):
        index: dict[str, array] = getattr(timeline, name)
        put(f"{name}.keys", encode(list(index)))
        put(f"{name}.counts", array("Q", map(len, index.values())))
        postings = array("I")
        for p in index.values():
            postings.extend(p)
        put(f"{name}.postings", postings)
    put("quotes_by_speaker", encode(dict(timeline._quotes_by_speaker)))
    refs = timeline.source_refs
    put("refs.starts", refs.starts)
    put("refs.sources", refs.sources)
    put("refs.stances", refs.stances)
    put("refs.notes", encode(refs.notes))
    put("refs.event_notes", encode(refs.event_notes))
    put("warnings", encode(list(timeline.warnings)))  # there can be one per event ("cites no source")
    if has_text:
        blob, offsets = timeline.haystack()
        put("text_offsets", offsets)
        f.write(bytes(-f.tell() % _ALIGN))  # mapped from here: the offset must be aligned
        put("text", blob)
    return sections, checksums


def _packed(strings: Sequence[str]) -> Packed:
    """Strings as one blob and offsets (those read from the cache as they are)."""
    if isinstance(strings, DeferredSequence):
        strings = strings.checked()
    if isinstance(strings, Packed):
        return strings
    blob, offsets = pack(s.encode("utf-8", "surrogatepass") for s in strings)
    return Packed(blob, offsets)


def _positions_of(events, ids: Packed) -> Positions:
    """The lookup from event id to position (the cache's own, when it came from there)."""
    positions = getattr(events, "positions", None)
    if isinstance(positions, DeferredMapping):
        positions = positions.checked()
    if isinstance(positions, Positions) and positions.packed is ids:
        return positions
    return Positions(ids, *idhash.build(ids.blob, ids.offsets))


def _packed_records(records: Mapping) -> tuple[Packed, Positions, bytes, array]:
    """Actors or sources as ``PackedRecords`` keeps them (those read from the cache as they are)."""
    if isinstance(records, DeferredMapping):
        records = records.checked()
    if isinstance(records, PackedRecords):
        return records.ids, records.positions, records.records.blob, records.records.offsets
    ids, id_offsets, blob, offsets = pack_records(records.values())
    ids = Packed(ids, id_offsets)
    return ids, Positions(ids, *idhash.build(ids.blob, ids.offsets)), blob, offsets


def _prune(folder: Path) -> None:
    """Keep the most recently used caches (reading one marks it used)."""
    caches = []
    indexes = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".cache") and entry.is_file():
            caches.append((entry.stat().st_mtime_ns, entry.path))
        elif entry.name.endswith(".cache.words"):
            indexes.append(entry.path)
        elif entry.name.startswith(".tmp-") and entry.stat().st_mtime < time.time() - 86400:
            os.unlink(entry.path)  # left by a writer that was killed
    for _, path in sorted(caches, reverse=True)[KEEP:]:
        os.unlink(path)
    for path in indexes:  # a word index goes with its cache
        if not os.path.exists(path.removesuffix(".words")):
            os.unlink(path)


# --- reading ------------------------------------------------------------------------------------

def restore(data_path: str | os.PathLike, reread: Callable[[], Timeline]) -> Timeline | None:
    """The timeline of this data file from its cache, or None on any miss.

    Fails closed: the sections every use needs (date bounds, spans, quote grouping,
    postings) are checked here against their checksums, and against the file and each
    other; the rest (actors, sources, event ids and dates, warnings, the search text, the
    word index) when first used (``deferred``, ``text.CachedText``, ``words.WordIndex``).
    Damage found here raises ``Damaged``, whose message is the one line that says so; the
    caller reads the file and the cache is written anew. Damage found on first use is read
    around with ``reread`` (the data file read in full; ``deferred.Recovery``). A stale cache
    (the file changed, another version) is a miss, silently."""
    target = cache_path(data_path)
    try:
        timeline = _restore(target, data_path, reread)
    except Damaged as exc:
        raise Damaged(_damaged(data_path, str(exc))) from None
    except (Stale, OSError, MemoryError):
        return None  # no cache (the usual miss), an unreadable one, or no room to read it
    except Exception as exc:  # in bytes that passed their checksums: a writer's bug; still never served
        raise Damaged(_damaged(data_path, f"{type(exc).__name__}: {exc}")) from None
    if timeline is None:
        return None
    try:
        os.utime(target)  # marks it used, for pruning; a read-only cache is still a cache
    except OSError:
        pass
    return timeline


def _damaged(data_path, what: str) -> str:
    return f"the cache of {os.fspath(data_path)} was damaged ({what}): read the file again, and cached it anew"


def _restore(target: Path, data_path: str | os.PathLike, reread: Callable[[], Timeline]) -> Timeline | None:
    with open(target, "rb") as f:
        toc, raw_toc, at = read_toc(f, target)
        data = DataFile(data_path)
        if toc.env != ENV:
            raise Stale("written on another kind of machine")
        if toc.source != fingerprint(data_path, data.fd):
            return None  # the file changed: these indexes are not its own
        mapped = mmap.mmap(f.fileno(), at, access=mmap.ACCESS_READ)  # kept: the packed sections are read from it
        text_file = DataFile.adopt(os.dup(f.fileno())) if toc.text else None
    source = FileText()
    notices: list[str] = []
    name = str(data_path)
    sections = _Sections(toc, memoryview(mapped), Recovery(name, reread, save, notices, _damaged))
    timeline = _rebuild(toc, sections, name, data, os.fstat(data.fd).st_size, source)
    timeline.notices = notices
    if toc.text:
        off, n = toc.sections["text"]
        count = len(timeline)  # not the timeline: its text source must not refer back to it (a cycle keeps files open)
        source.cached = CachedText(text_file, off, n, lambda: _text_offsets(sections, count, n), toc.checksums["text"])
        timeline.words = open_index(target, identity_of(raw_toc), timeline.notices)
    return timeline


class _Sections:
    """The cache's sections: each checked against its checksum as it is read, here (``raw``)
    or when first used (``deferred``: damage then is read around by ``recovery``)."""

    def __init__(self, toc: Toc, view: memoryview, recovery: Recovery) -> None:
        self._toc, self._view, self.recovery = toc, view, recovery

    def raw(self, key: str) -> memoryview:
        if key not in self._toc.sections:
            raise Damaged(f"section {key!r} is missing")
        off, n = self._toc.sections[key]
        data = self._view[off:off + n]
        if checksum(data) != self._toc.checksums[key]:
            raise Damaged(f"section {key!r}")
        return data

    def words(self, typecode: str, key: str) -> memoryview:
        """A section of machine words, mapped (no copy)."""
        data = self.raw(key)
        _check(len(data) % array(typecode).itemsize == 0, f"section {key!r}")
        return data.cast(typecode)

    def array(self, typecode: str, key: str) -> array:
        out = array(typecode)
        data = self.raw(key)
        _check(len(data) % out.itemsize == 0, f"section {key!r}")
        out.frombytes(data)
        return out

    def decode(self, key: str, type):
        try:
            return msgspec.msgpack.decode(self.raw(key), type=type)
        except (msgspec.DecodeError, ValueError):
            raise Damaged(f"section {key!r}") from None

    def packed(self, key: str, count: int | None = None) -> Packed:
        """Strings packed as one blob (``key``) and offsets (``key.offsets``): ``count`` of them."""
        blob, offsets = self.raw(key), self.words("q", f"{key}.offsets")
        sound = _sound()
        found = sound.column(offsets, "q")
        _check(len(found) >= 1 and (count is None or len(found) == count + 1) and found[0] == 0
               and found[-1] == len(blob) and sound.ascending(found), f"section {key!r}")
        return Packed(blob, offsets)

    def positions(self, key: str, ids: Packed) -> Positions:
        """The lookup from id to position (``idhash``) of these ids: hashes in order, and
        positions in that order."""
        hashes, order, sound = self.words("Q", f"{key}.hashes"), self.words("I", f"{key}.order"), _sound()
        _check(len(hashes) == len(order) == len(ids) and sound.ascending(sound.column(hashes, "Q"))
               and sound.within(sound.column(order, "I"), 0, len(ids)), f"section {key!r}")
        return Positions(ids, hashes, order)

    def deferred(self, what: str, load: Callable, instead: Callable, kind=DeferredSequence, **kwargs):
        """``load()`` when first used; if a section it reads is damaged, ``instead(fresh)`` of
        the data file read again in full."""
        recovery = self.recovery

        def checked():
            try:
                return load()
            except Damaged as exc:
                return instead(recovery.fresh(str(exc)))
            except Exception as exc:  # in bytes that passed their checksums: a writer's bug; still never served
                return instead(recovery.fresh(f"{type(exc).__name__}: {exc}"))

        return kind(checked, **kwargs)


def _text_offsets(sections: _Sections, count: int, length: int) -> array | None:
    """Where each event's search text starts, checked; None if damaged. A copy (8 MB at a
    million events, which the scan turns into a list anyway): the search text lives on
    its own, and never keeps the cache's mapping (and its file) open."""
    try:
        offsets = sections.array("q", "text_offsets")
    except Damaged:
        return None
    sound = _sound()
    found = sound.column(offsets, "q")
    if len(found) != count + 1 or found[0] != 0 or found[-1] != length or not sound.ascending(found):
        return None
    return offsets


def _sound():
    """The range checks (``sound``, on numpy), imported by a reopen only: the 0.1 s numpy
    takes to import is never paid by a command on a small file."""
    from . import sound

    return sound


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise Damaged(what)


def _ids_of(records: Mapping) -> Sequence[str]:
    """The ids of actors or sources in their order (packed ones as they are)."""
    return records.ids if isinstance(records, PackedRecords) else list(records)


def _records(sections: _Sections, name: str, type) -> PackedRecords:
    """Actors or sources, packed (``pack_records``): checked, and each decoded when asked for."""
    ids = sections.packed(f"{name}.ids")
    records = sections.packed(name, len(ids))
    return PackedRecords(ids, sections.positions(f"{name}.ids", ids), records, type)


def _rebuild(toc: Toc, sections: _Sections, name: str, data: DataFile, size: int, source: FileText) -> Timeline:
    """The timeline from the sections, each checked (``_Sections``) and checked against the
    others and the data file (``size``): a miss now rather than an IndexError, or a wrong
    answer, later. What only some uses need is checked when first used (``deferred``)."""
    sound = _sound()
    column = sound.column
    spans = {kind: Spans(sections.array("q", f"{kind}_starts"), sections.array("q", f"{kind}_ends"))
             for kind in ("event", "quote")}
    n = len(spans["event"].starts)
    for kind in ("event", "quote"):
        _check(sound.spans_fit(column(spans[kind].starts, "q"), column(spans[kind].ends, "q"), size),
               "spans outside the file")
    lower, upper = sections.array("q", "lower"), sections.array("q", "upper")
    group_keys, long = sections.array("I", "group_keys"), sections.array("I", "_long")
    qstart = sections.array("I", "_qstart")
    _check(len(lower) == len(upper) == len(group_keys) == n == len(qstart) - 1, "index sections disagree")
    _check(sound.bounds_fit(column(lower, "q"), column(upper, "q")), "date bounds")
    qs = column(qstart, "I")
    _check(qs[0] == 0 and qs[-1] <= len(spans["quote"].starts) and sound.ascending(qs), "quote grouping")
    _check(not long or long[-1] < n and sound.ascending(column(long, "I")), "long spans")
    indexes = {}
    for index_name in ("_by_actor", "_by_tag", "_by_confidence"):
        keys = sections.decode(f"{index_name}.keys", list[str])
        counts = sections.array("Q", f"{index_name}.counts")
        postings = sections.array("I", f"{index_name}.postings")
        _check(len(keys) == len(counts) == len(set(keys)) and sum(counts) == len(postings)
               and sound.within(column(postings, "I"), 0, n), f"{index_name[1:]} postings")
        if index_name == "_by_actor":  # 50,000 at a million events: each cut when asked for
            indexes[index_name] = PackedPostings(keys, counts, postings)
            continue
        index, at = {}, 0
        for key, count in zip(keys, counts):
            index[key] = postings[at:at + count]
            at += count
        indexes[index_name] = index

    def renamed(problems: list[Problem]) -> list[Problem]:
        for problem in problems:
            problem.file = name  # as it is named now
        return problems

    deferred = sections.deferred
    ids = deferred("event ids", lambda: sections.packed("event_ids", n),
                   lambda fresh: list(fresh.events.ids if isinstance(fresh.events, FileRecords)
                                      else [e.id for e in fresh.events]), length=n)
    texts = deferred("event dates", lambda: sections.packed("event_dates", n),
                     lambda fresh: [d.text for d in fresh.dates], length=n)
    def event_positions():
        checked = ids.checked()
        if not isinstance(checked, Packed):  # the ids were damaged, and read around
            return sections.recovery.fresh("event ids").position
        return sections.positions("event_ids", checked)

    positions = deferred("event ids", event_positions, lambda fresh: fresh.position, kind=DeferredMapping)
    warnings = deferred("warnings", lambda: renamed(sections.decode("warnings", list[Problem])),
                        lambda fresh: fresh.warnings)
    events = FileRecords(data, Event, spans["event"], ids, texts)
    events.positions = positions
    sources = deferred("sources", lambda: _records(sections, "sources", Source), lambda fresh: fresh.sources,
                       kind=DeferredMapping)
    count = toc.sections["sources.ids.offsets"][1] // 8 - 1  # how many, without reading them
    refs = SourceRefs(sections.array("I", "refs.starts"), sections.array("I", "refs.sources"),
                      bytes(sections.raw("refs.stances")), sections.decode("refs.notes", dict[int, str]),
                      sections.decode("refs.event_notes", dict[int, str]),
                      DeferredSequence(lambda: _ids_of(sources.checked()), length=count))
    _check(sound.refs_fit(column(refs.starts, "I"), column(refs.sources, "I"), column(refs.stances, "B"), n, count,
                          len(STANCES)) and len(refs.ids) == count
           and all(0 <= k < len(refs.sources) for k in refs.notes) and all(0 <= p < n for p in refs.event_notes),
           "source refs")
    t = Timeline.indexed(
        title=toc.title, description=toc.description, files=[name], warnings=warnings,
        actors=deferred("actors", lambda: _records(sections, "actors", Actor), lambda fresh: fresh.actors,
                        kind=DeferredMapping),
        sources=sources,
        events=events, dates=LazyDates(texts),
        quotes=FileRecords(data, Quote, spans["quote"], [], []),
        origin=Origin(name, spans["event"], spans["quote"], file=data, fingerprint=toc.source), text_source=source,
        lower=lower, upper=upper, group_keys=group_keys, long=long, qstart=qstart,
        by_actor=indexes["_by_actor"], by_tag=indexes["_by_tag"], by_confidence=indexes["_by_confidence"],
        quotes_by_speaker=Counter(sections.decode("quotes_by_speaker", dict[str, int])), source_refs=refs,
    )
    t.from_cache, t.cached_text = True, toc.text
    return t
