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

import hashlib
import mmap
import os
import shutil
import struct
import sys
import tempfile
import time
from array import array
from collections import Counter
from pathlib import Path

import msgspec

from .entities import Actor, Event, Quote, Source
from .problems import Problem
from .records import DataFile, FileRecords, LazyDates, Origin, Spans
from .scan import map_text
from .timeline import Timeline
from .words import open_index

__all__ = ["cache_dir", "cache_path", "fingerprint", "identity", "restore", "save", "text_of", "KEEP"]

MAGIC = b"TLXCACHE"
VERSION = 2
KEEP = 4
"""How many caches are kept (the most recently used); a million-event one is about 1 GB."""
_HEADER = struct.Struct("<8sIQ")  # magic, version, offset of the table of contents
_EDGE = 64 * 1024
_ALIGN = mmap.ALLOCATIONGRANULARITY
_ENV = {"byteorder": sys.byteorder, "q": array("q").itemsize, "I": array("I").itemsize,
        "Q": array("Q").itemsize}
"""Arrays are stored as raw machine words: a cache is only read on a machine like its writer's."""


class _Toc(msgspec.Struct):
    """The cache's table of contents, written last and found through the header."""

    source: list
    env: dict
    title: str
    description: str | None
    sections: dict[str, tuple[int, int]]
    text: bool


def cache_dir() -> Path:
    override = os.environ.get("TIMELINE_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "timeline-explorer"


def cache_path(data_path: str | os.PathLike) -> Path:
    """Where the cache of this data file goes (one per real path)."""
    key = hashlib.sha256(os.fsencode(os.path.realpath(data_path))).hexdigest()[:32]
    return cache_dir() / f"{key}.cache"


def fingerprint(data_path: str | os.PathLike, fd: int | None = None) -> list:
    """What must be unchanged for the cache to hold: path, size, mtime, inode, both ends.
    With ``fd``, of the file open there (``records.DataFile``) rather than of the name."""
    real = os.path.realpath(data_path)
    if fd is None:
        with open(real, "rb") as f:
            return fingerprint(data_path, f.fileno())
    st = os.fstat(fd)
    digest = hashlib.blake2b(os.pread(fd, _EDGE, 0), digest_size=16)
    if st.st_size > _EDGE:
        digest.update(os.pread(fd, _EDGE, max(_EDGE, st.st_size - _EDGE)))
    return [real, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, digest.hexdigest()]


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
            toc = _Toc(source, _ENV, timeline.title, timeline.description, sections, has_text)
            at = f.tell()
            f.write(msgspec.msgpack.encode(toc))
            f.seek(0)
            f.write(_HEADER.pack(MAGIC, VERSION, at))
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

    f.write(_HEADER.pack(MAGIC, 0, 0))  # rewritten once the table of contents is known
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
            toc, raw_toc, at = _read_toc(f, target)
            data = DataFile(data_path)
            if toc.env != _ENV or toc.source != fingerprint(data_path, data.fd):
                return None
            size = os.fstat(f.fileno()).st_size
            if any(off < 0 or off + n > at for off, n in toc.sections.values()) or at > size:
                return None
            with mmap.mmap(f.fileno(), at, access=mmap.ACCESS_READ) as whole:
                timeline = _rebuild(toc, memoryview(whole), str(data_path), data)
                if toc.text:
                    off, n = toc.sections["text"]
                    offsets = _array("q", whole, toc.sections["text_offsets"])
                    if len(offsets) != len(timeline) + 1:
                        return None
                    timeline.attach_text(map_text(f.fileno(), n, off), offsets,
                                         held_in=(DataFile.adopt(os.dup(f.fileno())), off))
                    timeline.words = open_index(target, hashlib.blake2b(raw_toc, digest_size=16).digest())
    except (OSError, ValueError, KeyError, TypeError, BufferError, struct.error, MemoryError):
        return None  # msgspec's and Unicode decoding errors are ValueErrors
    try:
        os.utime(target)  # marks it used, for pruning; a read-only cache is still a cache
    except OSError:
        pass
    return timeline


def _read_toc(f, name) -> tuple[_Toc, bytes, int]:
    """The table of contents, its bytes, and where it starts (the end of the sections)."""
    magic, version, at = _HEADER.unpack(f.read(_HEADER.size))
    if magic != MAGIC or version != VERSION:
        raise ValueError(f"{name}: not a cache of this version")
    f.seek(at)
    raw = f.read()
    return msgspec.msgpack.decode(raw, type=_Toc), raw, at


def identity(cache_file: str | os.PathLike) -> bytes:
    """16 bytes that tell this cache from any other: a hash of its table of contents, which
    holds the data file's fingerprint and where every section is (``words.py`` ties its
    index to it; unlike the file's time, reading the cache does not change it)."""
    with open(cache_file, "rb") as f:
        return hashlib.blake2b(_read_toc(f, cache_file)[1], digest_size=16).digest()


def text_of(cache_file: str | os.PathLike) -> tuple[mmap.mmap, array]:
    """The search text held in a cache file, and its offsets (for ``words.build``)."""
    with open(cache_file, "rb") as f:
        try:
            toc = _read_toc(f, cache_file)[0]
            (off, n), (at, size) = toc.sections["text"], toc.sections["text_offsets"]
        except (KeyError, struct.error) as exc:
            raise ValueError(f"{cache_file}: not a cache with search text ({exc!r})") from None
        if not toc.text:
            raise ValueError(f"{cache_file}: holds no search text")
        f.seek(at)
        offsets = array("q")
        offsets.frombytes(f.read(size))
        return mmap.mmap(f.fileno(), n, offset=off, access=mmap.ACCESS_READ), offsets


def _array(typecode: str, view, section: tuple[int, int]) -> array:
    off, n = section
    out = array(typecode)
    out.frombytes(view[off:off + n])
    return out


def _rebuild(toc: _Toc, view: memoryview, name: str, data: DataFile) -> Timeline:
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
        origin=Origin(name, spans["event"], spans["quote"], file=data, fingerprint=toc.source),
        lower=lower, upper=upper, group_keys=group_keys, long=long, qstart=qstart,
        by_actor=indexes["_by_actor"], by_tag=indexes["_by_tag"], by_confidence=indexes["_by_confidence"],
        quotes_by_speaker=Counter(decode(raw("quotes_by_speaker"), type=dict[str, int])),
    )
    t.from_cache, t.cached_text = True, toc.text
    return t
