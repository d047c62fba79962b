"""An on-disk cache that reopens a big, unchanged timeline file in about a second.

Loading a million-event file means decoding and checking every record: tens of seconds.
After a big file (over ``STRICT_LIMIT``) has loaded once, its indexes are written to one
cache file: date bounds, actor/tag postings, quote grouping, each event's id and date text
and cited sources (with their stances), the actors and sources, each event's and quote's byte span in the data file, and the folded
search text when it has been built. Reopening the unchanged file reads those back and decodes
events and quotes from the data file only when something asks for them (``records.py``).

The cache is never required and never trusted blindly (docs/reliability.md):

* it lives in the user's cache folder (``cachefile.cache_dir``), never beside the data, and
  the data file is only ever read;
* it is used only if the data file has the same path, size, modification and inode change
  times, device and inode and first and last 64 KiB as when the cache was written
  (``cachefile.fingerprint``); anything else is a silent miss and the file is read in full;
* it fails closed: every section has a checksum, checked when the section is first used,
  and spans, bounds and postings are checked against the file and each other; a damaged
  cache is a miss that says so (``restore`` raises ``Damaged``), and is written anew;
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
from itertools import islice
from operator import le, lt
from pathlib import Path

import msgspec

from ..model.entities import Actor, Event, Quote, Source
from ..model.problems import Problem
from ..model.protocols import SourceRefs
from ..model.source_refs import check as check_refs
from ..model.timeline import Timeline
from .cachefile import (ENV, HEADER, MAGIC, VERSION, Damaged, Stale, Toc, cache_dir, cache_path, checksum, fingerprint,
                        identity_of, read_toc)
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
    put("actors", encode(list(timeline.actors.values())))
    put("sources", encode(list(timeline.sources.values())))
    events, dates = timeline.events, timeline.dates
    ids = events.ids if isinstance(events, FileRecords) else [e.id for e in events]
    texts = dates.texts if isinstance(dates, LazyDates) else [d.text for d in dates]
    put("event_ids", "\n".join(ids).encode())
    put("event_dates", "\n".join(texts).encode())
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
    put("warnings", encode(timeline.warnings))  # there can be one per event ("cites no source")
    if has_text:
        blob, offsets = timeline.haystack()
        put("text_offsets", offsets)
        f.write(bytes(-f.tell() % _ALIGN))  # mapped from here: the offset must be aligned
        put("text", blob)
    return sections, checksums


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

def restore(data_path: str | os.PathLike) -> Timeline | None:
    """The timeline of this data file from its cache, or None on any miss.

    Fails closed: every section read here is checked against its checksum, and spans,
    bounds and postings against the file and each other; the search text and the word index
    are checked when first used (``text.CachedText``, ``words.WordIndex``). A damaged cache
    raises ``Damaged``, whose message is the one line that says so; the caller reads the file
    and the cache is written anew. A stale one (the file changed, another version) is a
    miss, silently."""
    target = cache_path(data_path)
    try:
        timeline = _restore(target, data_path)
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


def _restore(target: Path, data_path: str | os.PathLike) -> Timeline | None:
    with open(target, "rb") as f:
        toc, raw_toc, at = read_toc(f, target)
        data = DataFile(data_path)
        if toc.env != ENV:
            raise Stale("written on another kind of machine")
        if toc.source != fingerprint(data_path, data.fd):
            return None  # the file changed: these indexes are not its own
        mapped = mmap.mmap(f.fileno(), at, access=mmap.ACCESS_READ)
        source = FileText()
        try:
            sections = _Sections(toc, memoryview(mapped))
            timeline = _rebuild(toc, sections, str(data_path), data, os.fstat(data.fd).st_size, source)
            if toc.text:
                off, n = toc.sections["text"]
                offsets = sections.array("q", "text_offsets")
                _check(len(offsets) == len(timeline) + 1 and offsets[0] == 0 and offsets[-1] == n
                       and _ascending(offsets), "text offsets")
                source.cached = CachedText(DataFile.adopt(os.dup(f.fileno())), off, n, offsets, toc.checksums["text"])
                timeline.words = open_index(target, identity_of(raw_toc), timeline.notices)
            del sections
        finally:
            try:
                mapped.close()
            except BufferError:  # a traceback still holds a view of it: it goes with it
                pass
    return timeline


class _Sections:
    """The cache's sections, each checked against its checksum as it is read."""

    def __init__(self, toc: Toc, view: memoryview) -> None:
        self._toc, self._view = toc, view

    def raw(self, key: str) -> memoryview:
        if key not in self._toc.sections:
            raise Damaged(f"section {key!r} is missing")
        off, n = self._toc.sections[key]
        data = self._view[off:off + n]
        if checksum(data) != self._toc.checksums[key]:
            raise Damaged(f"section {key!r}")
        return data

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

    def lines(self, key: str) -> list[str]:
        data = self.raw(key)
        try:
            return str(data, "utf-8").split("\n") if len(data) else []
        except UnicodeDecodeError:
            raise Damaged(f"section {key!r}") from None


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise Damaged(what)


def _ascending(values) -> bool:
    """Never decreasing (all in C, no copy)."""
    return all(map(le, values, islice(values, 1, None)))


def _spans_fit(spans: Spans, size: int) -> bool:
    """Every span within the data file, and not empty."""
    starts, ends = spans.starts, spans.ends
    return len(starts) == len(ends) and (not starts or min(starts) >= 0 and max(ends) <= size) \
        and all(map(lt, starts, ends))


def _rebuild(toc: Toc, sections: _Sections, name: str, data: DataFile, size: int, source: FileText) -> Timeline:
    """The timeline from the sections, each checked (``_Sections``) and checked against the
    others and the data file (``size``): a miss now rather than an IndexError, or a wrong
    answer, later."""
    warnings = sections.decode("warnings", list[Problem])
    for problem in warnings:
        problem.file = name  # as it is named now
    ids, texts = sections.lines("event_ids"), sections.lines("event_dates")
    spans = {kind: Spans(sections.array("q", f"{kind}_starts"), sections.array("q", f"{kind}_ends"))
             for kind in ("event", "quote")}
    n = len(ids)
    _check(len(texts) == n == len(spans["event"].starts), "event sections disagree")
    _check(_spans_fit(spans["event"], size) and _spans_fit(spans["quote"], size), "spans outside the file")
    lower, upper = sections.array("q", "lower"), sections.array("q", "upper")
    group_keys, long = sections.array("I", "group_keys"), sections.array("I", "_long")
    qstart = sections.array("I", "_qstart")
    _check(len(lower) == len(upper) == len(group_keys) == n == len(qstart) - 1, "index sections disagree")
    _check(_ascending(lower) and all(map(le, lower, upper)), "date bounds")
    _check(qstart[0] == 0 and qstart[-1] <= len(spans["quote"].starts) and _ascending(qstart), "quote grouping")
    _check(not long or long[-1] < n and _ascending(long), "long spans")
    indexes = {}
    for index_name in ("_by_actor", "_by_tag", "_by_confidence"):
        keys = sections.decode(f"{index_name}.keys", list[str])
        counts = sections.array("Q", f"{index_name}.counts")
        postings = sections.array("I", f"{index_name}.postings")
        _check(len(keys) == len(counts) == len(set(keys)) and sum(counts) == len(postings)
               and (not postings or max(postings) < n), f"{index_name[1:]} postings")
        index, at = {}, 0
        for key, count in zip(keys, counts):
            index[key] = postings[at:at + count]
            at += count
        indexes[index_name] = index
    sources = sections.decode("sources", list[Source])
    refs = SourceRefs(sections.array("I", "refs.starts"), sections.array("I", "refs.sources"),
                      bytes(sections.raw("refs.stances")), sections.decode("refs.notes", dict[int, str]),
                      sections.decode("refs.event_notes", dict[int, str]),
                      [s.id for s in sources])
    _check(check_refs(refs, n, len(sources)), "source refs")
    t = Timeline.indexed(
        title=toc.title, description=toc.description, files=[name], warnings=warnings,
        actors=sections.decode("actors", list[Actor]), sources=sources,
        events=FileRecords(data, Event, spans["event"], ids, texts), dates=LazyDates(texts),
        quotes=FileRecords(data, Quote, spans["quote"], [], []),
        origin=Origin(name, spans["event"], spans["quote"], file=data, fingerprint=toc.source), text_source=source,
        lower=lower, upper=upper, group_keys=group_keys, long=long, qstart=qstart,
        by_actor=indexes["_by_actor"], by_tag=indexes["_by_tag"], by_confidence=indexes["_by_confidence"],
        quotes_by_speaker=Counter(sections.decode("quotes_by_speaker", dict[str, int])), source_refs=refs,
    )
    t.from_cache, t.cached_text = True, toc.text
    return t
