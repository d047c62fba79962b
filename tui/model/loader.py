"""Read timeline files (JSON or JSON Lines) into a Timeline, or say everything that is wrong.

Two ways of reading share one set of rules:

* **strict** (files up to 64 MB, i.e. anything written by hand): msgspec decodes straight
  into the record structs; only when that fails, or a duplicate key is found, the standard
  library parser and a field-by-field check report *every* structural problem with its JSON
  path and line;
* **fast** (bigger files, written by programs): a JSON file is memory-mapped and decoded
  record by record, a JSON Lines file streamed line by line; the first problem of each broken
  record is reported (and, like most parsers, a duplicate key's last value wins).

Then the checks across records run on every file together: id syntax and uniqueness, kinds,
dates, and that every reference points at something. They run in bulk first (sets, one
regex), and record by record, naming each place, only when the bulk pass finds something.
"""

from __future__ import annotations

import gc
import json
import mmap
import os
import re
import sys
import types
import typing
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from .dates import DateError, EDate, parse_edtf
from .entities import ACTOR_KINDS, CONFIDENCES, FORMAT, KINDS, SOURCE_KINDS, Event, Quote, TimelineFile
from .problems import LoadError, Problem, format_path, locate_lines, out_of_memory
from .cache import fingerprint, restore
from .aside import ASIDE_LIMIT, QuotesAside
from .columns import Broken, Columns, ids_valid, people_valid, via_loop
from .records import DataFile, Origin, Spans
from .timeline import Timeline, give_back_memory

__all__ = ["load", "read_one", "read_big_json", "bundled_path", "STRICT_LIMIT", "JSONL_SUFFIXES"]

STRICT_LIMIT = 64 * 1024 * 1024
JSONL_SUFFIXES = (".jsonl", ".ndjson")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
_TOP_FIELDS = ("format", "title", "description", *KINDS)
_SINGULAR = {"actors": "actor", "sources": "source", "events": "event", "quotes": "quote"}
_PLURAL = {v: k for k, v in _SINGULAR.items()}
_DATASET = "argentine-embassy-siege.json"


def bundled_path() -> Path:
    """The dataset shipped with the package (``data/`` in the checkout, ``tui/data`` installed)."""
    try:
        from importlib.resources import files

        candidate = Path(str(files("tui.data") / _DATASET))
        if candidate.is_file():
            return candidate
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "data" / _DATASET


# --- markers the strict parser puts where JSON has something our format never allows ---------

class _Number:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _Constant(_Number):
    """NaN, Infinity, -Infinity: accepted by Python's json, but not JSON."""


def _describe(value) -> str:
    if isinstance(value, _Constant):
        return f"{value.text} (which is not valid JSON)"
    if isinstance(value, _Number):
        return "a number"
    return {str: "a string", bool: "true/false", type(None): "null", dict: "an object",
            list: "a list"}.get(type(value), type(value).__name__)


# --- one file ------------------------------------------------------------------------------

@dataclass
class _Parsed:
    """One file's records, before cross-file checks."""

    name: str
    title: str | None = None
    description: str | None = None
    records: dict[str, list] = field(default_factory=lambda: {k: [] for k in KINDS})
    indexes: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})
    """Each record's index in the file's own list (broken records are skipped)."""
    broken_ids: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in KINDS})
    problems: list[Problem] = field(default_factory=list)
    text: str | None = None
    """Kept for strict JSON files, to find line numbers if anything is reported."""
    jsonl_lines: dict[str, list[int]] | None = None
    dates: list[EDate] = field(default_factory=list)
    spans: dict[str, Spans] | None = None
    """Byte spans of the events and quotes, for big files read from disk (see ``cache.py``)."""
    fingerprint: list | None = None
    """What the file looked like just before it was read (``cache.fingerprint``)."""
    file: DataFile | None = None
    """A big file as it was opened to be read; its records are read back through it."""

    def error(self, path: tuple, message: str, *, warning: bool = False) -> None:
        self.problems.append(Problem(self.name, path, message, warning))


def _unreadable(name: str, message: str, line: int | None = None) -> LoadError:
    return LoadError([Problem(name, (), message, line=line)], unreadable=True)


def _read_bytes(path: str | Path) -> tuple[str, bytes]:
    if str(path) == "-":
        return "<stdin>", sys.stdin.buffer.read()
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise _unreadable(name, "is a folder, not a timeline file")
        if p.is_char_device() or p.is_block_device():  # /dev/zero would be read forever
            raise _unreadable(name, "is a device, not a timeline file")
        with open(p, "rb") as f:
            return name, f.read()
    except FileNotFoundError:
        raise _unreadable(name, "no such file") from None
    except PermissionError:
        raise _unreadable(name, "permission denied") from None
    except OSError as exc:
        raise _unreadable(name, f"cannot be read ({exc.strerror or exc})") from None


def _utf8(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _unreadable(name, f"is not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r})",
                          line) from None


def read_one(path: str | Path, columns: Columns | None = None, kinds=KINDS) -> _Parsed:
    """Read and structurally check one file (no cross-references yet).

    With ``columns`` (a big file only), each record goes there instead of into the result,
    and reading stops at the first problem (see ``columns.py``). A big JSON file may be read
    for some ``kinds`` of record only (``aside.py``).
    """
    if _is_big(path, JSONL_SUFFIXES):
        # Streamed a line at a time: a million-event file never sits in memory whole.
        file = _open(path)
        before = _fingerprint(path, file)
        try:
            with open(file.fd, "rb", closefd=False) as f:
                parsed = _read_jsonl(str(path), f, strict=False, columns=columns)
        except OSError as exc:
            raise _unreadable(str(path), f"cannot be read ({exc.strerror or exc})") from None
        parsed.fingerprint, parsed.file = before, file
        return parsed
    if _is_big(path, (".json",)):
        return read_big_json(path, columns, kinds)
    assert columns is None, "only big files are read into columns"
    name, data = _read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or data.isspace():
        raise _unreadable(name, "is empty")
    is_jsonl = name.lower().endswith(JSONL_SUFFIXES) or (
        not name.lower().endswith(".json") and _looks_like_jsonl(data))
    strict = len(data) <= STRICT_LIMIT
    text = _utf8(name, data) if strict else None
    if is_jsonl:
        return _read_jsonl(name, data.split(b"\n"), strict)
    if strict:
        return _read_json_quick(name, data, text) or _read_json_strict(name, text)
    return _read_json_fast(name, data)


def read_big_json(path: str | Path, columns: Columns | None = None, kinds=KINDS, *,
                  event_keys: bool = False) -> _Parsed:
    """A JSON file read the way big ones are (mapped, record by record), whatever its size.
    ``event_keys`` (with ``columns``, and "events" not among ``kinds``): the events' ids and
    dates go to the columns all the same (``Columns.add_event_keys``)."""
    file = _open(path)
    before = _fingerprint(path, file)
    parsed = _read_json_mapped(str(path), file, columns, kinds, event_keys)
    parsed.fingerprint, parsed.file = before, file
    return parsed


def _open(path) -> DataFile:
    """A big file, opened once for everything read from it (``records.DataFile``)."""
    try:
        return DataFile(path)
    except OSError as exc:
        raise _unreadable(str(path), f"cannot be read ({exc.strerror or exc})") from None


def _fingerprint(path, file: DataFile) -> list | None:
    try:
        return fingerprint(path, file.fd)
    except OSError:
        return None  # then it is not cached


def _is_big(path, suffixes: tuple[str, ...]) -> bool:
    """A regular file with one of these endings, over the strict-checking size."""
    name = str(path)
    if name == "-" or not name.lower().endswith(suffixes):
        return False
    try:
        return os.path.isfile(name) and os.path.getsize(name) > STRICT_LIMIT
    except OSError:
        return False


def _read_json_mapped(name: str, file: DataFile, columns: Columns | None, kinds=KINDS,
                      event_keys: bool = False) -> _Parsed:
    """A big JSON file is mapped rather than read, so that the pages of records already
    decoded can be handed back to the system as decoding goes (see ``_read_json_fast``)."""
    try:
        mapped = mmap.mmap(file.fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise _unreadable(name, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    whole = memoryview(mapped)
    view = whole[3:] if mapped[:3] == b"\xef\xbb\xbf" else whole
    try:
        return _read_json_fast(name, view, mapped, columns, kinds, event_keys)
    finally:
        view.release()
        whole.release()
        try:
            mapped.close()
        except BufferError:  # a traceback still holds a record: the mapping goes with it
            pass


def _looks_like_jsonl(data: bytes) -> bool:
    first, _, rest = data.lstrip().partition(b"\n")
    if not rest.strip() or not first.rstrip().endswith(b"}"):
        return False
    try:
        head = msgspec.json.decode(first)
    except (msgspec.DecodeError, RecursionError):  # msgspec raises RecursionError when nested deeply
        return False
    return isinstance(head, dict) and "format" in head


def _strict_loads(name: str, text: str, base_line: int = 0) -> tuple[object, dict[int, list[str]]]:
    dups: dict[int, list[str]] = {}

    def pairs(items):
        obj = dict(items)
        if len(obj) != len(items):
            seen: set[str] = set()
            dups[id(obj)] = [k for k, _ in items if k in seen or seen.add(k)]
        return obj

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_int=_Number, parse_float=_Number,
                           parse_constant=_Constant)
    except json.JSONDecodeError as exc:
        raise _unreadable(name, f"is not valid JSON: {exc.msg} (line {exc.lineno + base_line}, column {exc.colno})",
                          exc.lineno + base_line) from None
    except RecursionError:
        raise _unreadable(name, "is nested too deeply to be a timeline", base_line + 1 if base_line else None) from None
    return value, dups


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_surrogates(parsed: _Parsed, text: str, value, path: tuple = (), line: int | None = None) -> None:
    """Report strings (and keys) holding a lone surrogate such as "\\ud800": valid JSON syntax,
    but not Unicode; UTF-8 cannot carry it (printing it would fail) and the fast decoder
    refuses it. Only searched for when the text has such an escape at all."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return
    stack = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, dict):
            for k, x in v.items():
                stack.append((k, p + (k,)))
                stack.append((x, p + (k,)))
        elif isinstance(v, list):
            stack.extend((x, p + (i,)) for i, x in enumerate(v))
        elif isinstance(v, str) and not v.isascii():
            try:
                v.encode("utf-8")
            except UnicodeEncodeError as exc:
                parsed.problems.append(Problem(parsed.name, p, f"holds a lone surrogate (\\u{ord(v[exc.start]):04x}), "
                                                                "which is not valid Unicode", line=line))


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs):
    """json object hook that only checks: cheaper than building the dicts."""
    if len(dict(pairs)) != len(pairs):
        raise _DuplicateKey
    return None


def _quick(data: bytes, decode):
    """Decode with msgspec when that is all it takes: no duplicate keys (msgspec would keep
    the last silently) and no problem msgspec reports. None means "take the slow, detailed
    path", which lists every problem with its place."""
    try:
        json.loads(data, object_pairs_hook=_no_duplicates)
        return decode(data)
    except (_DuplicateKey, ValueError, msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None


def _read_json_quick(name: str, data: bytes, text: str) -> _Parsed | None:
    whole = _quick(data, _FILE_DECODER.decode)
    if whole is None or whole.format != FORMAT or not whole.title.strip():
        return None
    parsed = _Parsed(name, title=whole.title, description=whole.description, text=text)
    for kind in KINDS:
        parsed.records[kind] = getattr(whole, kind)
        parsed.indexes[kind] = range(len(parsed.records[kind]))
    return parsed


def _read_json_strict(name: str, text: str) -> _Parsed:
    value, dups = _strict_loads(name, text)
    parsed = _Parsed(name, text=text)
    _check_surrogates(parsed, text, value)
    if not isinstance(value, dict):
        parsed.error((), f"the top level must be a JSON object with \"format\": \"{FORMAT}\", "
                         f"not {_describe(value)}")
        return parsed
    for key in dups.get(id(value), ()):
        parsed.error((key,), f"duplicate key '{key}' (only the last one would count)")
    _check_header(parsed, value)
    for kind, cls in KINDS.items():
        items = value.get(kind, [])
        if not isinstance(items, list):
            parsed.error((kind,), f"must be a list, not {_describe(items)}")
            continue
        for i, item in enumerate(items):
            record = _build(parsed, item, cls, (kind, i), dups)
            if record is not None:
                parsed.records[kind].append(record)
                parsed.indexes[kind].append(i)
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                parsed.broken_ids[kind].add(item["id"])
    return parsed


def _check_header(parsed: _Parsed, head: dict) -> None:
    fmt = head.get("format")
    if fmt is None:
        parsed.error(("format",), f"missing \"format\": \"{FORMAT}\" (is this a timeline file?)")
    elif fmt != FORMAT:
        parsed.error(("format",), f"unknown format {_show(fmt)} (this version reads \"{FORMAT}\")")
    title = head.get("title")
    if title is None:
        parsed.error(("title",), "missing title")
    elif not isinstance(title, str):
        parsed.error(("title",), f"title must be a non-empty string, not {_describe(title)}")
    elif not title.strip():
        parsed.error(("title",), "title is empty")
    else:
        parsed.title = title
    description = head.get("description")
    if description is not None and not isinstance(description, str):
        parsed.error(("description",), f"must be a string, not {_describe(description)}")
    else:
        parsed.description = description
    for key in head:
        if key not in _TOP_FIELDS and key != "type":
            parsed.error((key,), f"unknown field '{key}' (known: {', '.join(_TOP_FIELDS)})")


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else _describe(value)


_HINTS: dict[type, dict[str, tuple[object, bool]]] = {}


def _fields(cls) -> dict[str, tuple[object, bool]]:
    """Field name -> (type, required), read from the struct itself (the single source)."""
    if cls not in _HINTS:
        hints = typing.get_type_hints(cls)
        required = set(cls.__struct_fields__[: len(cls.__struct_fields__) - len(cls.__struct_defaults__)])
        _HINTS[cls] = {name: (hints[name], name in required) for name in cls.__struct_fields__}
    return _HINTS[cls]


def _build(parsed: _Parsed, item, cls, path: tuple, dups: dict[int, list[str]]):
    """Check one decoded object against a record type; the record, or None if broken."""
    if not isinstance(item, dict):
        parsed.error(path, f"must be an object, not {_describe(item)}")
        return None
    ok = True
    for key in dups.get(id(item), ()):
        parsed.error(path + (key,), f"duplicate key '{key}' (only the last one would count)")
        ok = False
    fields = _fields(cls)
    tag = cls.__struct_config__.tag
    for key in item:
        if key == "type" and tag is not None:
            if item[key] != tag:  # a record may carry its own type, but not another one
                parsed.error(path + (key,), f"\"type\" must be \"{tag}\" here, not {_show(item[key])}")
                ok = False
        elif key not in fields:
            parsed.error(path + (key,), f"unknown field '{key}' (known: {', '.join(fields)})")
            ok = False
    for name, (tp, required) in fields.items():
        if name not in item:
            if required:
                parsed.error(path, f"missing required field '{name}'")
                ok = False
            continue
        ok &= _check_value(parsed, item[name], tp, path + (name,), dups)
    if not ok:
        return None
    return msgspec.convert(item, cls)


def _check_value(parsed: _Parsed, value, tp, path: tuple, dups) -> bool:
    if tp is str:
        if isinstance(value, str):
            return True
        parsed.error(path, f"must be a string, not {_describe(value)}")
        return False
    origin = typing.get_origin(tp)
    if origin is list:
        if not isinstance(value, list):
            parsed.error(path, f"must be a list, not {_describe(value)}")
            return False
        (item_tp,) = typing.get_args(tp)
        results = [_check_value(parsed, v, item_tp, path + (i,), dups) for i, v in enumerate(value)]
        return all(results)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return True
        struct = next((a for a in args if isinstance(a, type) and issubclass(a, msgspec.Struct)), None)
        if struct is not None and isinstance(value, dict):
            return _build(parsed, value, struct, path, dups) is not None
        if str in args and isinstance(value, str):
            return True
        wanted = "a string" + (" or an object" if struct else "") + (" or null" if type(None) in args else "")
        parsed.error(path, f"must be {wanted}, not {_describe(value)}")
        return False
    raise TypeError(f"unsupported field type {tp!r}")  # a bug in entities.py, not in the data


_FILE_DECODER = msgspec.json.Decoder(TimelineFile)
_MSGSPEC_PATH = re.compile(r" - at `\$(.*)`$")
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _msgspec_problem(name: str, exc: Exception, prefix: tuple = ()) -> Problem:
    message = str(exc)
    path: tuple = prefix
    m = _MSGSPEC_PATH.search(message)
    if m:
        message = message[: m.start()]
        path += tuple(k if k else int(i) for k, i in _PATH_PART.findall(m.group(1)))
    message = message.replace("Object contains unknown field", "unknown field").replace("`", "'")
    return Problem(name, path, message[0].lower() + message[1:] if message else message)


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
_CHUNK = 4096
"""Records handed to ``Columns`` at a time: few enough to stay in the CPU caches."""


def _read_json_fast(name: str, data, release: mmap.mmap | None = None, columns: Columns | None = None,
                    kinds=KINDS, event_keys: bool = False) -> _Parsed:
    """Big files: one quick pass splits the records out, then each is decoded on its own.

    Decoding record by record lets other threads run in between (the explorer stays
    responsive while it loads), lets references share their strings, lets a broken
    record be reported while the others are still checked, and (with ``release``, the
    file's mapping) lets the pages already decoded leave memory: peak memory is then about
    the records alone, not the records plus the whole file.
    """
    try:
        whole = (_KEYS_DECODER if event_keys else _RAW_DECODER).decode(data)
    except msgspec.ValidationError as exc:
        parsed = _Parsed(name)
        parsed.problems.append(_msgspec_problem(name, exc))
        return parsed
    except msgspec.DecodeError as exc:
        raise _decode_error(name, bytes(data), exc) from None
    except RecursionError:
        # Deep nesting where a record should be: the typed decoder may name the place.
        try:
            msgspec.json.decode(data, type=TimelineFile)
        except msgspec.ValidationError as exc:
            parsed = _Parsed(name)
            parsed.problems.append(_msgspec_problem(name, exc))
            return parsed
        except (msgspec.DecodeError, RecursionError):
            pass
        raise _unreadable(name, "is nested too deeply to be a timeline") from None
    parsed = _Parsed(name, title=whole.title, description=whole.description)
    if whole.format != FORMAT:
        parsed.error(("format",), f"unknown format {_show(whole.format)} (this version reads \"{FORMAT}\")")
    if not whole.title.strip():
        parsed.error(("title",), "title is empty")
    if columns is not None and parsed.problems:
        return parsed  # the caller reads the file again, the detailed way
    canon: dict[str, str] = {}
    broken = 0
    done = 0
    if release is not None:
        parsed.spans = {"events": Spans(array("q"), array("q")), "quotes": Spans(array("q"), array("q"))}
    for kind in KINDS:
        decode = _RECORD_DECODERS[kind].decode
        raws = getattr(whole, kind)
        setattr(whole, kind, [])
        if kind not in kinds:
            if event_keys and kind == "events":
                columns.add_event_keys(raws)
            continue
        records = []
        indexes: list[int] | range = range(len(raws))
        spans = parsed.spans.get(kind) if parsed.spans is not None else None
        cursor = -1
        for first in range(0, len(raws), _CHUNK):
            part = raws[first:first + _CHUNK]
            if release is not None:
                done = _release_before(release, part[0], done)
            try:
                decoded = [decode(raw) for raw in part]
            except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
                decoded, good = [], []  # one by one, to know which are broken
                for i, raw in enumerate(part, first):
                    try:
                        decoded.append(decode(raw))
                        good.append(i)
                    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
                        broken += 1
                        if broken <= _FAST_ERRORS:
                            parsed.problems.append(_msgspec_problem(name, exc, (kind, i)))
                        if columns is not None:  # returned, not raised: a traceback would hold the mapping
                            return parsed
                if isinstance(indexes, range):
                    indexes = list(range(first))
                indexes += good
                part = [raws[i] for i in good]
            else:
                if not isinstance(indexes, range):
                    indexes += range(first, first + len(part))
            if spans is not None:
                for raw in part:
                    cursor = _locate(release, raw, cursor, done)
                    if cursor < 0:
                        parsed.spans = spans = None
                        if columns is not None:
                            return parsed
                        break
                    spans.starts.append(cursor)
                    cursor += len(raw)
                    spans.ends.append(cursor)
            if columns is not None:
                columns.add(kind, decoded)
                continue
            for record in decoded:
                _share_ids(record, canon)
            records += decoded
        del raws
        parsed.records[kind] = records
        parsed.indexes[kind] = indexes
    if broken > _FAST_ERRORS:
        parsed.problems.append(Problem(name, (), f"... and {broken - _FAST_ERRORS} more broken records", True))
    return parsed


def _decode_error(name: str, data: bytes, exc: Exception) -> LoadError:
    message = str(exc)
    if "truncated" in message and re.fullmatch(rb"\s*", data):  # only spaces (error path only)
        return _unreadable(name, "is empty")
    if "UTF-8" in message:  # msgspec gives no position for bad UTF-8: find it (error path only)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            return _unreadable(name, f"is not UTF-8 text (byte {bad.start}: {data[bad.start:bad.start + 1]!r})",
                               line)
    m = re.search(r"\(byte (\d+)\)", message)
    if m:
        offset = int(m.group(1))
        try:
            data[: offset + 1].decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data.count(b"\n", 0, bad.start) + 1
            return _unreadable(name, f"is not UTF-8 text (byte {bad.start})", line)
        line = data.count(b"\n", 0, offset) + 1
        return _unreadable(name, f"is not valid JSON: {message.replace('JSON is malformed: ', '')}", line)
    if "truncated" in message:  # msgspec says so for a lone surrogate escape too (error path only)
        lone = _LONE_SURROGATE.search(data)
        if lone is not None:
            return _unreadable(name, f"holds a lone surrogate ({lone.group().decode()}), which is not valid "
                                     "Unicode", data.count(b"\n", 0, lone.start()) + 1)
    return _unreadable(name, f"is not valid JSON: {message}")


_LONE_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})")


def _share_ids(record, canon: dict[str, str]) -> None:
    """Make every reference to an id the same string object as the first one seen.

    A decoder makes a new string for each of the millions of references in a big timeline
    (event actors and sources, quote speakers, sources and events); sharing them saves
    hundreds of megabytes at a million events.
    """
    share = canon.setdefault
    cls = record.__class__
    if cls is Event:
        if record.actors:
            record.actors = [share(r, r) if r.__class__ is str else r for r in record.actors]
        if record.sources:
            record.sources = [share(r, r) for r in record.sources]
        if record.tags:
            record.tags = [share(t, t) for t in record.tags]
    elif cls is Quote:
        record.speaker = share(record.speaker, record.speaker)
        record.source = share(record.source, record.source)
        if record.event is not None:
            record.event = share(record.event, record.event)
    else:
        record.id = share(record.id, record.id)


# --- JSON Lines ------------------------------------------------------------------------------

_LINE_DECODER = msgspec.json.Decoder(typing.Union[tuple(KINDS.values())])


def _read_jsonl(name: str, lines, strict: bool, columns: Columns | None = None) -> _Parsed:
    """``lines``: the file's lines as bytes (a list, or an open file streamed line by line).
    With ``columns`` (big files), records go there, and reading stops at the first problem."""
    parsed = _Parsed(name)
    parsed.jsonl_lines = {k: array("I") for k in KINDS}
    chunks: dict[str, list] = {k: [] for k in KINDS}
    if not isinstance(lines, list):  # read from disk: where each record is, for the cache
        parsed.spans = {"events": Spans(array("q"), array("q")), "quotes": Spans(array("q"), array("q"))}
    canon: dict[str, str] = {}
    header_seen = False
    counts = dict.fromkeys(KINDS, 0)
    end = 0
    for number, raw in enumerate(lines, 1):
        start, end = end, end + len(raw)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        if not header_seen:
            header_seen = True
            try:
                head, dups = _strict_loads(name, raw.decode("utf-8"), number - 1)
            except UnicodeDecodeError:
                raise _unreadable(name, "is not UTF-8 text", number) from None
            if not isinstance(head, dict):
                raise _unreadable(name, f"line {number}: the first line must be a header object "
                                        f"{{\"format\": \"{FORMAT}\", \"title\": ...}}", number)
            before = len(parsed.problems)
            for key in dups.get(id(head), ()):
                parsed.error((key,), f"duplicate key '{key}' (only the last one would count)")
            _check_surrogates(parsed, raw.decode("utf-8"), head)
            _check_header(parsed, head)
            for p in parsed.problems[before:]:
                p.line = number
            if columns is not None and parsed.problems:
                return parsed  # the caller reads the file again, the detailed way
            continue
        record = _quick(raw, _LINE_DECODER.decode) if strict else None
        if record is not None:
            kind = _PLURAL[type(record).__struct_config__.tag]
            index = counts[kind]
            counts[kind] += 1
        elif strict:
            value, dups = _strict_loads(name, raw.decode("utf-8"), number - 1)
            if not isinstance(value, dict):
                parsed.problems.append(Problem(name, (), f"must be an object, not {_describe(value)}", line=number))
                continue
            kind = _PLURAL.get(value.get("type")) if isinstance(value.get("type"), str) else None
            if kind is None:
                parsed.problems.append(Problem(
                    name, ("type",), f"\"type\" must be one of actor, source, event, quote, "
                    f"not {_show(value.get('type'))}", line=number))
                continue
            index = counts[kind]
            counts[kind] += 1
            body = {k: v for k, v in value.items() if k != "type"}
            if id(value) in dups:
                dups[id(body)] = dups[id(value)]
            before = len(parsed.problems)
            _check_surrogates(parsed, raw.decode("utf-8"), body, (kind, index))
            record = _build(parsed, body, KINDS[kind], (kind, index), dups)
            for p in parsed.problems[before:]:
                p.line = number
            if record is None:
                if isinstance(body.get("id"), str):
                    parsed.broken_ids[kind].add(body["id"])
                continue
        else:
            try:
                record = _LINE_DECODER.decode(raw)
            except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
                parsed.problems.append(_line_problem(name, raw, number, exc))
                if columns is not None:
                    return parsed  # the caller reads the file again, the detailed way
                continue
            kind = _PLURAL[type(record).__struct_config__.tag]
            index = counts[kind]
            counts[kind] += 1
        parsed.jsonl_lines[kind].append(number)
        if parsed.spans is not None and kind in parsed.spans:
            parsed.spans[kind].starts.append(start)
            parsed.spans[kind].ends.append(end)
        if columns is not None:
            chunk = chunks[kind]
            chunk.append(record)
            if len(chunk) == _CHUNK:
                columns.add(kind, chunk)
                chunks[kind] = []
            continue
        _share_ids(record, canon)
        parsed.records[kind].append(record)
        parsed.indexes[kind].append(index)
    if columns is not None:
        for kind, chunk in chunks.items():
            columns.add(kind, chunk)
    if not header_seen:
        raise _unreadable(name, "is empty")
    return parsed


def _line_problem(name: str, raw: bytes, number: int, exc: Exception) -> Problem:
    """What is wrong with one line of a big JSON Lines file, as msgspec found it."""
    if isinstance(exc, msgspec.ValidationError):
        problem = _msgspec_problem(name, exc)
        problem.line = number
        return problem
    if isinstance(exc, RecursionError):
        return Problem(name, (), "is nested too deeply", line=number)
    lone = _LONE_SURROGATE.search(raw) if "truncated" in str(exc) else None
    message = (f"holds a lone surrogate ({lone.group().decode()}), which is not valid Unicode"
               if lone else f"is not valid JSON: {exc}")
    return Problem(name, (), message, line=number)


# --- checks across all files ------------------------------------------------------------------

def _check_records(files: list[_Parsed]) -> None:
    """Ids, kinds, dates and references, across every file loaded together."""
    known: dict[str, dict[str, tuple[int, int]]] = {k: {} for k in KINDS}
    for fi, parsed in enumerate(files):
        for kind in KINDS:
            table = known[kind]
            for record, index in zip(parsed.records[kind], parsed.indexes[kind]):
                first = table.get(record.id)
                if first is None or first[1] == -1:
                    # new, or only known from a broken record of an earlier file (which has its
                    # own error): this one is the definition to compare later ones with
                    table[record.id] = (fi, index)
                    continue
                ofi, oindex = first
                if ofi == fi:
                    parsed.error((kind, index, "id"), f"duplicate id '{record.id}' "
                                 f"(first used by {_where(files[ofi], kind, oindex)})")
                elif msgspec.structs.astuple(_record(files[ofi], kind, oindex)) != msgspec.structs.astuple(record):
                    parsed.error((kind, index), f"{_SINGULAR[kind]} '{record.id}' is defined differently "
                                 f"in {files[ofi].name} ({_where(files[ofi], kind, oindex)}) and here")
            for broken in parsed.broken_ids[kind]:
                table.setdefault(broken, (fi, -1))
    actors, sources, events = known["actors"], known["sources"], known["events"]

    def ref(parsed, path, value, table, what):
        if value not in table:
            parsed.error(path, f"unknown {what} '{value}'")

    def check_id(parsed, path, value):
        if not ID_PATTERN.fullmatch(value):
            parsed.error(path, f"id {_show(value)} must be lower-case letters, digits and '-', "
                               "starting with a letter or digit")

    def check_date(parsed, path, value) -> EDate | None:
        try:
            return parse_edtf(value)
        except DateError as exc:
            parsed.error(path, str(exc))
            return None

    for parsed in files:
        err = parsed.error
        for a, i in zip(parsed.records["actors"], parsed.indexes["actors"]):
            p = ("actors", i)
            check_id(parsed, p + ("id",), a.id)
            if not a.name.strip():
                err(p + ("name",), "name is empty")
            if a.kind not in ACTOR_KINDS:
                err(p + ("kind",), f"kind {_show(a.kind)} is not one of {', '.join(ACTOR_KINDS)}")
            for j, group in enumerate(a.affiliations):
                ref(parsed, p + ("affiliations", j), group, actors, "actor")
                if group == a.id:
                    err(p + ("affiliations", j), "an actor cannot be affiliated with itself")
        for s, i in zip(parsed.records["sources"], parsed.indexes["sources"]):
            p = ("sources", i)
            check_id(parsed, p + ("id",), s.id)
            if s.kind not in SOURCE_KINDS:
                err(p + ("kind",), f"kind {_show(s.kind)} is not one of {', '.join(SOURCE_KINDS)}")
            if s.author is not None:
                ref(parsed, p + ("author",), s.author, actors, "actor")
            if s.via is not None:
                ref(parsed, p + ("via",), s.via, sources, "source")
            if s.published is not None:
                check_date(parsed, p + ("published",), s.published)
        dates = parsed.dates
        for e, i in zip(parsed.records["events"], parsed.indexes["events"]):
            p = ("events", i)
            check_id(parsed, p + ("id",), e.id)
            dates.append(check_date(parsed, p + ("date",), e.date))
            if not e.title.strip():
                err(p + ("title",), "title is empty")
            for j, tag in enumerate(e.tags):
                if tag != tag.strip() or not tag:
                    # a tag is matched exactly, and a filter value loses its outer spaces:
                    # such a tag could never be chosen
                    err(p + ("tags", j), f"tag {_show(tag)} is empty" if not tag.strip() else
                        f"tag {_show(tag)} starts or ends with a space (tags are matched exactly)")
            for j, r in enumerate(e.actors):
                ref(parsed, p + ("actors", j) if isinstance(r, str) else p + ("actors", j, "actor"),
                    r if isinstance(r, str) else r.actor, actors, "actor")
            if not e.sources:
                err(p, f"event '{e.id}' cites no source", warning=True)
            for j, sid in enumerate(e.sources):
                ref(parsed, p + ("sources", j), sid, sources, "source")
            if e.confidence not in CONFIDENCES:
                err(p + ("confidence",), f"confidence {_show(e.confidence)} is not one of {', '.join(CONFIDENCES)}")
        for q, i in zip(parsed.records["quotes"], parsed.indexes["quotes"]):
            p = ("quotes", i)
            check_id(parsed, p + ("id",), q.id)
            ref(parsed, p + ("speaker",), q.speaker, actors, "actor")
            ref(parsed, p + ("source",), q.source, sources, "source")
            if q.event is None:
                err(p, f"quote '{q.id}' is not tied to an event", warning=True)
            else:
                ref(parsed, p + ("event",), q.event, events, "event")
            if q.said is not None:
                check_date(parsed, p + ("said",), q.said)
    _check_via_cycles(files)


def _records_valid(files: list[_Parsed]) -> bool:
    """The checks of ``_check_records`` in bulk (sets and one regex per kind), without
    naming places: True when no error can be found, so the detailed pass, which costs a few
    microseconds per reference, is skipped. Warnings are added here, with their paths."""
    ids: dict[str, set[str]] = {}
    for kind in KINDS:
        every = [r.id for f in files for r in f.records[kind]]
        unique = set(every)
        if len(unique) != len(every) or any(f.broken_ids[kind] for f in files):
            return False  # duplicates (perhaps identical across files): the detailed pass decides
        if not ids_valid(every):
            return False
        ids[kind] = unique
    actors, sources, events = ids["actors"], ids["sources"], ids["events"]
    warnings: list[tuple[_Parsed, list[Problem]]] = []
    for f in files:
        A, S, E, Q = (f.records[k] for k in KINDS)
        if not people_valid(A, S, actors, sources):
            return False
        if ({e.confidence for e in E} - set(CONFIDENCES) or any(not e.title.strip() for e in E)
                or any(t != t.strip() or not t for t in {t for e in E for t in e.tags})
                or {r if isinstance(r, str) else r.actor for e in E for r in e.actors} - actors
                or {sid for e in E for sid in e.sources} - sources):
            return False
        if ({q.speaker for q in Q} - actors or {q.source for q in Q} - sources
                or {q.event for q in Q if q.event is not None} - events):
            return False
        try:
            for s in S:
                if s.published is not None:
                    parse_edtf(s.published)
            for q in Q:
                if q.said is not None:
                    parse_edtf(q.said)
            dates = [parse_edtf(e.date) for e in E]
        except DateError:
            return False
        f.dates = dates
        ei, qi = f.indexes["events"], f.indexes["quotes"]
        warnings.append((f, [
            *(Problem(f.name, ("events", ei[n]), f"event '{e.id}' cites no source", True)
              for n, e in enumerate(E) if not e.sources),
            *(Problem(f.name, ("quotes", qi[n]), f"quote '{q.id}' is not tied to an event", True)
              for n, q in enumerate(Q) if q.event is None),
        ]))
    for f, found in warnings:  # only now: a later file may still send everything to the detailed pass
        f.problems.extend(found)
    _check_via_cycles(files)
    return True


def _check_via_cycles(files: list[_Parsed]) -> None:
    via = {s.id: s.via for f in files for s in f.records["sources"] if s.via}
    reported: set[str] = set()
    for parsed in files:
        for s, i in zip(parsed.records["sources"], parsed.indexes["sources"]):
            loop = via_loop(s.id, via) if s.id not in reported else None
            if loop is not None:
                reported.update(loop)
                parsed.error(("sources", i, "via"), "the 'via' chain loops: " + " -> ".join(loop + [s.id]))


def _record(parsed: _Parsed, kind: str, index: int):
    indexes = parsed.indexes[kind]
    pos = index if isinstance(indexes, range) else indexes.index(index)
    return parsed.records[kind][pos]


def _where(parsed: _Parsed, kind: str, index: int) -> str:
    if parsed.jsonl_lines is not None:
        pos = parsed.indexes[kind].index(index)
        return f"line {parsed.jsonl_lines[kind][pos]}"
    return format_path((kind, index))


_LOCATE_LIMIT = 1000
_LOCATE_WARNINGS = 100
"""Lines are looked up for at most 1000 errors of a file, and for its warnings only when
there are at most 100: a file with thousands of warnings (say, quotes tied to no event)
still loads quickly, and each warning keeps its JSON path."""


def _place(parsed: _Parsed) -> None:
    """Give the problems of a file their line numbers."""
    if parsed.jsonl_lines is not None:
        where: dict[str, dict[int, int]] = {}
        for p in parsed.problems:
            if p.line is None and len(p.path) >= 2 and p.path[0] in KINDS:
                kind, index = p.path[0], p.path[1]
                if kind not in where:
                    where[kind] = {i: n for n, i in enumerate(parsed.indexes[kind])}
                pos = where[kind].get(index)
                if pos is not None:
                    p.line = parsed.jsonl_lines[kind][pos]
                    p.path = (f"{_SINGULAR[kind]} '{parsed.records[kind][pos].id}'",) + p.path[2:]
        return
    errors = [p for p in parsed.problems if not p.warning]
    warnings = [p for p in parsed.problems if p.warning]
    wanted = (errors + (warnings if len(warnings) <= _LOCATE_WARNINGS else []))[:_LOCATE_LIMIT]
    if wanted and parsed.text is not None:
        lines = locate_lines(parsed.text, [p.path for p in wanted])
        for p in wanted:
            p.line = lines.get(p.path, p.line)


def load(paths=None, *, cache: bool = True) -> Timeline:
    """Load one or more timeline files (``"-"`` is standard input) into one Timeline.

    With no paths, the bundled dataset. Raises LoadError listing every problem found; a
    timeline with only warnings loads, and keeps them in ``timeline.warnings``. The garbage
    collector is paused meanwhile: millions of new records contain no cycles, and its passes
    over them would cost a third of the time.

    With ``cache``, one big file that is unchanged since its cache was written (``cache.save``)
    is restored from that cache instead of being read again.
    """
    if cache:
        restored = _restore(paths)
        if restored is not None:
            return restored
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(paths)
    except MemoryError:
        raise out_of_memory(paths or [bundled_path()]) from None
    finally:
        if enabled:
            gc.enable()


def _one_big_file(paths) -> str | Path | None:
    """The path, when ``paths`` is one file over ``STRICT_LIMIT`` (cached, read into columns)."""
    if isinstance(paths, (list, tuple)) and len(paths) == 1:
        paths = paths[0]
    if not isinstance(paths, (str, Path)) or not _is_big(paths, (".json", *JSONL_SUFFIXES)):
        return None
    return paths


def _restore(paths) -> Timeline | None:
    path = _one_big_file(paths)
    return None if path is None else restore(path)


def _load_columns(path: str | Path) -> Timeline:
    """One big file read into columns (``columns.py``); ``Broken`` if anything is wrong.
    A big JSON file has its quotes read, and the timeline's order worked out, by a second
    process meanwhile (``aside.py``)."""
    aside = None
    try:
        if str(path).lower().endswith(".json") and os.path.getsize(path) >= ASIDE_LIMIT:
            aside = QuotesAside.start(path)
    except OSError:
        pass  # gone since it was found big: reading it says so, with the file's name
    columns = Columns()
    try:
        parsed = read_one(path, columns, KINDS if aside is None else ("actors", "sources", "events"))
        if parsed.problems or parsed.spans is None:
            raise Broken("problems")
        columns.check()  # while the child is still at work
    except BaseException:
        if aside is not None:
            aside.cancel()
        raise
    answer = aside.result() if aside is not None else None
    if answer is not None and answer.fingerprint == parsed.fingerprint is not None:
        columns.add_quote_people(answer.speakers, answer.sources)
        arrangement = answer.arrangement()
    else:
        if aside is not None:  # the child could not: read the quotes here after all
            quotes = read_one(path, columns, ("quotes",))
            if quotes.problems or quotes.spans is None or quotes.fingerprint != parsed.fingerprint:
                raise Broken("quotes")
            parsed.spans["quotes"] = quotes.spans["quotes"]
        arrangement = columns.arrange(parsed.spans["quotes"])
    columns.check_quotes()
    timeline = columns.timeline(
        arrangement, title=parsed.title, description=parsed.description, name=parsed.name,
        file=parsed.file, event_spans=parsed.spans["events"], fingerprint=parsed.fingerprint,
        lines=parsed.jsonl_lines)
    give_back_memory()
    return timeline


def _read_all(paths) -> tuple[list[_Parsed], list[Problem]]:
    """Read and check every file; raise LoadError if anything is wrong."""
    if paths is None or (not isinstance(paths, (str, Path)) and not paths):
        paths = [bundled_path()]
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    files = [read_one(p) for p in paths]
    if not _records_valid(files):
        for f in files:  # the detailed pass starts afresh (and adds the warnings itself)
            f.dates = []
        _check_records(files)
    problems: list[Problem] = []
    for parsed in files:
        _place(parsed)
        problems.extend(sorted(parsed.problems, key=lambda p: (p.line or 0, p.warning)))
    if any(not p.warning for p in problems):
        raise LoadError(problems)
    return files, problems


def _assemble(files: list[_Parsed], problems: list[Problem]) -> Timeline:
    """One Timeline from the checked files."""
    origin = None
    if len(files) == 1:
        merged, dates = files[0].records, files[0].dates
        if files[0].spans is not None:
            origin = Origin(files[0].name, files[0].spans["events"], files[0].spans["quotes"],
                            file=files[0].file, fingerprint=files[0].fingerprint)
    else:  # records defined identically in several files count once (differences are errors)
        merged = {k: [] for k in KINDS}
        dates = []
        for kind in KINDS:
            ids: set[str] = set()
            for parsed in files:
                for pos, record in enumerate(parsed.records[kind]):
                    if record.id not in ids:
                        ids.add(record.id)
                        merged[kind].append(record)
                        if kind == "events":
                            dates.append(parsed.dates[pos])
    titles = [f.title for f in files if f.title]
    return Timeline(
        title=" + ".join(dict.fromkeys(titles)) or "Untitled timeline",
        description=files[0].description if len(files) == 1 else None,
        actors=merged["actors"],
        sources=merged["sources"],
        events=merged["events"],
        dates=dates,
        quotes=merged["quotes"],
        warnings=problems,
        files=[f.name for f in files],
        origin=origin,
    )


def _load(paths) -> Timeline:
    big = _one_big_file(paths)
    if big is not None:
        try:
            return _load_columns(big)
        except Broken:
            pass  # read again record by record, which names every problem and its place
    files, problems = _read_all(paths)
    timeline = _assemble(files, problems)
    files.clear()  # the last reference to the decoded records of every file
    timeline.read_on_demand()  # a big file's records: read back when shown, not kept decoded
    return timeline

