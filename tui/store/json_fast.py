"""The fast JSON reader, for big files (written by programs): the file is memory-mapped and
decoded record by record; the first problem of each broken record is reported (and, like
most parsers, a duplicate key's last value wins).
"""

from __future__ import annotations

import mmap
import re
from array import array
from pathlib import Path

import msgspec

from ..model.entities import FORMAT, KINDS, TimelineFile
from ..model.problems import LoadError, Problem
from .columns import Fill
from .reading import CHUNK, LONE_SURROGATE, Keep, Parsed, msgspec_problem, open_data, show, take_fingerprint, unreadable
from .records import DataFile, Spans

__all__ = ["read_big_json", "read_json_fast"]


def read_big_json(path: str | Path, sink: Fill | None = None) -> Parsed:
    """A JSON file read the way big ones are (mapped, record by record), whatever its size,
    into ``sink`` (default: the records kept, ``reading.Keep``)."""
    file = open_data(path)
    before = take_fingerprint(path, file)
    parsed = _read_json_mapped(str(path), file, sink)
    parsed.fingerprint, parsed.file = before, file
    return parsed


def _read_json_mapped(name: str, file: DataFile, sink: Fill | None) -> Parsed:
    """A big JSON file is mapped rather than read, so that the pages of records already
    decoded can be handed back to the system as decoding goes (see ``read_json_fast``)."""
    try:
        mapped = mmap.mmap(file.fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise unreadable(name, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    whole = memoryview(mapped)
    view = whole[3:] if mapped[:3] == b"\xef\xbb\xbf" else whole
    try:
        return read_json_fast(name, view, mapped, sink)
    finally:
        view.release()
        whole.release()
        try:
            mapped.close()
        except BufferError:  # a traceback still holds a record: the mapping goes with it
            pass


def _release_before(mapping: mmap.mmap, raw: msgspec.Raw, done: int) -> int:
    """Drop the mapped pages before this record (records appear in file order); returns
    how far pages have been dropped. The file is found again by content, from ``done``."""
    head = bytes(raw)[:256]
    at = mapping.find(head, done)
    page = (at // mmap.PAGESIZE) * mmap.PAGESIZE
    if at > 0 and page > done:
        mapping.madvise(mmap.MADV_DONTNEED, done, page - done)
        return page
    return done


def _locate(mapping: mmap.mmap, raw: msgspec.Raw, after: int, done: int) -> int:
    """Where this record starts in the file (-1 if not found). A list's records follow one
    another, so the next is the first match of its first bytes after the previous one (an
    object's start cannot occur inside a JSON string, whose quotes are escaped); the first of
    a list (``after`` < 0) is matched whole, from where the released pages end if it can."""
    if after >= 0:
        return mapping.find(memoryview(raw)[:64], after)
    at = mapping.find(raw, done)
    return at if at >= 0 else mapping.find(raw)


class _RawFile(msgspec.Struct, forbid_unknown_fields=True):
    """A timeline file whose records are left undecoded, to be decoded one at a time."""

    format: str
    title: str
    description: str | None = None
    actors: list[msgspec.Raw] = []
    sources: list[msgspec.Raw] = []
    events: list[msgspec.Raw] = []
    quotes: list[msgspec.Raw] = []


class _EventKey(msgspec.Struct):
    """What ``Columns.arrange`` needs of an event."""

    id: str
    date: str


class _KeysFile(_RawFile):
    """A timeline file whose events are read for their ids and dates only."""

    events: list[_EventKey] = []


_RAW_DECODER = msgspec.json.Decoder(_RawFile)
_KEYS_DECODER = msgspec.json.Decoder(_KeysFile)
_RECORD_DECODERS = {kind: msgspec.json.Decoder(cls) for kind, cls in KINDS.items()}
_FAST_ERRORS = 100
"""A big file reports up to this many broken records (the first problem of each)."""


def read_json_fast(name: str, data, release: mmap.mmap | None = None, sink: Fill | None = None) -> Parsed:
    """Big files: one quick pass splits the records out, then each is decoded on its own.

    Decoding record by record lets other threads run in between (the explorer stays
    responsive while it loads), lets references share their strings, lets a broken
    record be reported while the others are still checked, and (with ``release``, the
    file's mapping) lets the pages already decoded leave memory: peak memory is then about
    the records alone, not the records plus the whole file.

    ``sink``: where the records go (default: kept in the result, ``reading.Keep``).
    """
    parsed = Parsed(name)
    sink = sink or Keep(parsed)
    try:
        whole = (_KEYS_DECODER if sink.keys else _RAW_DECODER).decode(data)
    except msgspec.ValidationError as exc:
        parsed.problems.append(msgspec_problem(name, exc))
        return parsed
    except msgspec.DecodeError as exc:
        raise _decode_error(name, bytes(data), exc) from None
    except RecursionError:
        # Deep nesting where a record should be: the typed decoder may name the place.
        try:
            msgspec.json.decode(data, type=TimelineFile)
        except msgspec.ValidationError as exc:
            parsed.problems.append(msgspec_problem(name, exc))
            return parsed
        except (msgspec.DecodeError, RecursionError):
            pass
        raise unreadable(name, "is nested too deeply to be a timeline") from None
    parsed.title, parsed.description = whole.title, whole.description
    if whole.format != FORMAT:
        parsed.error(("format",), f"unknown format {show(whole.format)} (this version reads \"{FORMAT}\")")
    if not whole.title.strip():
        parsed.error(("title",), "title is empty")
    if sink.all_or_nothing and parsed.problems:
        return parsed  # the caller reads the file again, the detailed way
    broken = 0
    done = 0
    if release is not None:
        parsed.spans = {"events": Spans(array("q"), array("q")), "quotes": Spans(array("q"), array("q"))}
    for kind in KINDS:
        decode = _RECORD_DECODERS[kind].decode
        raws = getattr(whole, kind)
        setattr(whole, kind, [])
        if kind not in sink.kinds:
            if kind == "events" and sink.keys:
                sink.take_keys(raws)
            continue
        spans = parsed.spans.get(kind) if parsed.spans is not None else None
        cursor = -1
        for first in range(0, len(raws), CHUNK):
            part = raws[first:first + CHUNK]
            if release is not None:
                done = _release_before(release, part[0], done)
            indexes: range | list[int] = range(first, first + len(part))
            try:
                decoded = [decode(raw) for raw in part]
            except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
                decoded, indexes = [], []  # one by one, to know which are broken
                for i, raw in enumerate(part, first):
                    try:
                        decoded.append(decode(raw))
                        indexes.append(i)
                    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
                        broken += 1
                        if broken <= _FAST_ERRORS:
                            parsed.problems.append(msgspec_problem(name, exc, (kind, i)))
                        if sink.all_or_nothing:  # returned, not raised: a traceback would hold the mapping
                            return parsed
                part = [raws[i] for i in indexes]
            if spans is not None:
                for raw in part:
                    cursor = _locate(release, raw, cursor, done)
                    if cursor < 0:
                        parsed.spans = spans = None
                        if sink.all_or_nothing:
                            return parsed
                        break
                    spans.starts.append(cursor)
                    cursor += len(raw)
                    spans.ends.append(cursor)
            sink.take(kind, decoded, indexes)
        del raws
    if broken > _FAST_ERRORS:
        parsed.problems.append(Problem(name, (), f"... and {broken - _FAST_ERRORS} more broken records", True))
    return parsed


def _decode_error(name: str, data: bytes, exc: Exception) -> LoadError:
    message = str(exc)
    if "truncated" in message and re.fullmatch(rb"\s*", data):  # only spaces (error path only)
        return unreadable(name, "is empty")
    if "UTF-8" in message:  # msgspec gives no position for bad UTF-8: find it (error path only)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            return unreadable(name, f"is not UTF-8 text (byte {bad.start}: {data[bad.start:bad.start + 1]!r})",
                               line)
    m = re.search(r"\(byte (\d+)\)", message)
    if m:
        offset = int(m.group(1))
        try:
            data[: offset + 1].decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            return unreadable(name, f"is not UTF-8 text (byte {bad.start})", line)
        line = data.count(b"\n", 0, offset) + 1
        return unreadable(name, f"is not valid JSON: {message.replace('JSON is malformed: ', '')}", line)
    if "truncated" in message:  # msgspec says so for a lone surrogate escape too (error path only)
        lone = LONE_SURROGATE.search(data)
        if lone is not None:
            return unreadable(name, f"holds a lone surrogate ({lone.group().decode()}), which is not valid "
                                     "Unicode", data.count(b"\n", 0, lone.start()) + 1)
    return unreadable(name, f"is not valid JSON: {message}")
