"""An on-disk cache that reopens a big, unchanged timeline file in about a second.

Loading a million-event file means decoding and checking every record: tens of seconds.
After a big file (over ``STRICT_LIMIT``) has loaded once, its indexes are written to one
cache file: date bounds, actor/tag postings, quote grouping, each event's id and date text,
the actors and sources, each event's and quote's byte span in the data file, and the folded
search text when it has been built. Reopening the unchanged file reads those back and decodes
events and quotes from the data file only when something asks for them (``records.py``).

The cache is never required and never trusted blindly:

* it lives in the user's cache folder (``$TIMELINE_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/timeline-explorer``, else ``~/.cache/timeline-explorer``), never beside
  the data, and the data file is only ever read;
* it is used only if the data file has the same path, size, modification time, device and
  inode and first and last 64 KiB as when the cache was written; anything else is a miss and the file
  is read in full;
* a cache that cannot be read (truncated, another version, another machine's byte order) is
  a miss too, and failing to write one (read-only or full disk) is silent: the explorer
  works the same, only slower to reopen;
* it is written to a temporary name and renamed, so a reader never sees half of one, and
  only the four most recently used caches are kept.
"""

from __future__ import annotations

import mmap
import os
import shutil
import struct
import tempfile
import time
from array import array
from collections import Counter
from pathlib import Path

import msgspec

from ..model.entities import Actor, Event, Quote, Source
from ..model.problems import Problem
from ..model.protocols import SearchText
from ..model.timeline import Timeline
from .cachefile import ENV, HEADER, MAGIC, VERSION, Toc, cache_dir, cache_path, fingerprint, identity_of, read_toc
from .records import DataFile, FileRecords, LazyDates, Origin, Spans
from .scan import Scanner, map_text
from .text import FileText
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
            sections = _write_sections(f, timeline, origin, has_text)
            toc = Toc(source, ENV, timeline.title, timeline.description, sections, has_text)
            at = f.tell()
            f.write(msgspec.msgpack.encode(toc))
            f.seek(0)
            f.write(HEADER.pack(MAGIC, VERSION, at))
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


def _write_sections(f, timeline: Timeline, origin: Origin, has_text: bool) -> dict[str, tuple[int, int]]:
    sections: dict[str, tuple[int, int]] = {}

    def put(name: str, data) -> None:
        at = f.tell()
        f.write(data)
        sections[name] = (at, f.tell() - at)

    f.write(HEADER.pack(MAGIC, 0, 0))  # rewritten once the table of contents is known
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
    put("warnings", encode(timeline.warnings))  # there can be one per event ("cites no source")
    if has_text:
        blob, offsets = timeline.haystack()
        put("text_offsets", offsets)
        f.write(bytes(-f.tell() % _ALIGN))  # mapped from here: the offset must be aligned
        put("text", blob)
    return sections


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
    """The timeline of this data file from its cache, or None on any miss."""
    target = cache_path(data_path)
    try:
        with open(target, "rb") as f:
            toc, raw_toc, at = read_toc(f, target)
            data = DataFile(data_path)
            if toc.env != ENV or toc.source != fingerprint(data_path, data.fd):
                return None
            size = os.fstat(f.fileno()).st_size
            if any(off < 0 or off + n > at for off, n in toc.sections.values()) or at > size:
                return None
            source = FileText()
            with mmap.mmap(f.fileno(), at, access=mmap.ACCESS_READ) as whole:
                timeline = _rebuild(toc, memoryview(whole), str(data_path), data, source)
                if toc.text:
                    off, n = toc.sections["text"]
                    offsets = _array("q", whole, toc.sections["text_offsets"])
                    if len(offsets) != len(timeline) + 1:
                        return None
                    blob = map_text(f.fileno(), n, off)
                    source.held_in = (DataFile.adopt(os.dup(f.fileno())), off)
                    timeline.attach_text(SearchText(blob, offsets, Scanner(blob, offsets)))
                    timeline.words = open_index(target, identity_of(raw_toc))
    except (OSError, ValueError, KeyError, TypeError, BufferError, struct.error, MemoryError):
        return None  # msgspec's and Unicode decoding errors are ValueErrors
    try:
        os.utime(target)  # marks it used, for pruning; a read-only cache is still a cache
    except OSError:
        pass
    return timeline


def _array(typecode: str, view, section: tuple[int, int]) -> array:
    off, n = section
    out = array(typecode)
    out.frombytes(view[off:off + n])
    return out


def _rebuild(toc: Toc, view: memoryview, name: str, data: DataFile, source: FileText) -> Timeline:
    sections = toc.sections

    def raw(key: str) -> memoryview:
        off, n = sections[key]
        return view[off:off + n]

    decode = msgspec.msgpack.decode
    warnings = decode(raw("warnings"), type=list[Problem])
    for problem in warnings:
        problem.file = name  # as it is named now
    ids = str(raw("event_ids"), "utf-8").split("\n") if sections["event_ids"][1] else []
    texts = str(raw("event_dates"), "utf-8").split("\n") if sections["event_dates"][1] else []
    spans = {kind: Spans(_array("q", view, sections[f"{kind}_starts"]), _array("q", view, sections[f"{kind}_ends"]))
             for kind in ("event", "quote")}
    if not len(ids) == len(texts) == len(spans["event"].starts) == len(spans["event"].ends):
        raise ValueError("event sections disagree")
    lower, upper = _array("q", view, sections["lower"]), _array("q", view, sections["upper"])
    group_keys, long = _array("I", view, sections["group_keys"]), _array("I", view, sections["_long"])
    qstart = _array("I", view, sections["_qstart"])
    n = len(ids)
    if not len(lower) == len(upper) == len(group_keys) == n == len(qstart) - 1:
        raise ValueError("index sections disagree")  # a miss now rather than an IndexError later
    indexes = {}
    for name_ in ("_by_actor", "_by_tag", "_by_confidence"):
        keys = decode(raw(f"{name_}.keys"), type=list[str])
        counts = _array("Q", view, sections[f"{name_}.counts"])
        postings = _array("I", view, sections[f"{name_}.postings"])
        index, at = {}, 0
        for key, n in zip(keys, counts, strict=True):
            index[key] = postings[at:at + n]
            at += n
        indexes[name_] = index
    t = Timeline.indexed(
        title=toc.title, description=toc.description, files=[name], warnings=warnings,
        actors=decode(raw("actors"), type=list[Actor]), sources=decode(raw("sources"), type=list[Source]),
        events=FileRecords(data, Event, spans["event"], ids, texts), dates=LazyDates(texts),
        quotes=FileRecords(data, Quote, spans["quote"], [], []),
        origin=Origin(name, spans["event"], spans["quote"], file=data, fingerprint=toc.source), text_source=source,
        lower=lower, upper=upper, group_keys=group_keys, long=long, qstart=qstart,
        by_actor=indexes["_by_actor"], by_tag=indexes["_by_tag"], by_confidence=indexes["_by_confidence"],
        quotes_by_speaker=Counter(decode(raw("quotes_by_speaker"), type=dict[str, int])),
    )
    t.from_cache, t.cached_text = True, toc.text
    return t
