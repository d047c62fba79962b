"""What the readers share (``json_strict``, ``json_fast``, ``jsonl``): one file's parsed
result (``Parsed``), how a file is opened and read, the record-by-record structural checks
that name every place, and how problems are worded. One set of rules for every format.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from ..model.dates import EDate
from ..model.entities import FORMAT, KINDS, Event, Quote
from ..model.problems import LoadError, Problem
from .cachefile import fingerprint
from .inputs import StdinClosed, read_path, read_stdin
from .records import DataFile, Spans

__all__ = ["Parsed", "Keep", "unreadable", "read_bytes", "utf8", "open_data", "take_fingerprint", "strict_loads",
           "check_surrogates", "check_header", "quick", "build_record", "msgspec_problem", "share_ids",
           "describe", "show", "LONE_SURROGATE", "SINGULAR", "PLURAL", "CHUNK"]


_TOP_FIELDS = ("format", "title", "description", *KINDS)
SINGULAR = {"actors": "actor", "sources": "source", "events": "event", "quotes": "quote"}
PLURAL = {v: k for k, v in SINGULAR.items()}


class Number:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Constant(Number):
    """NaN, Infinity, -Infinity: accepted by Python's json, but not JSON."""


def describe(value) -> str:
    if isinstance(value, Constant):
        return f"{value.text} (which is not valid JSON)"
    if isinstance(value, Number):
        return "a number"
    return {str: "a string", bool: "true/false", type(None): "null", dict: "an object",
            list: "a list"}.get(type(value), type(value).__name__)


@dataclass
class Parsed:
    """One file's records, before cross-file checks."""

    name: str
    title: str | None = None
    description: str | None = None
    records: dict[str, list] = field(default_factory=lambda: {k: [] for k in KINDS})
    indexes: dict[str, list[int] | range] = field(default_factory=lambda: {k: [] for k in KINDS})
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
    """What the file looked like just before it was read (``cachefile.fingerprint``)."""
    file: DataFile | None = None
    """A big file as it was opened to be read; its records are read back through it."""

    def error(self, path: tuple, message: str, *, warning: bool = False) -> None:
        self.problems.append(Problem(self.name, path, message, warning))


class Keep:
    """Where a reader puts the records it decodes, on the record-by-record path: every record
    stays decoded in the ``Parsed``, with its index in the file's list, and shares its
    references' strings (``share_ids``). A broken record is reported and skipped, and
    reading goes on, so that every problem is found.

    The other sink is ``columns.Fill`` (a big file read into columns). A reader knows only
    what both have: ``kinds`` (the lists of a JSON file it takes), ``keys`` (if "events" is not
    among them: the events' ids and dates all the same, given to its ``take_keys``), ``all_or_nothing``
    (the read stops at the first problem, or at a record whose place in the file is lost)
    and ``take``."""

    kinds = tuple(KINDS)
    keys = False
    all_or_nothing = False

    def __init__(self, parsed: Parsed) -> None:
        self._parsed = parsed
        self._canon: dict[str, str] = {}

    def take(self, kind: str, records: list, indexes: range | list[int]) -> None:
        """The next records of one list of the file, with their indexes in it."""
        for record in records:
            share_ids(record, self._canon)
        self._parsed.records[kind] += records
        have = self._parsed.indexes[kind]
        if isinstance(indexes, range) and (not have or isinstance(have, range) and have.stop == indexes.start):
            self._parsed.indexes[kind] = range(have.start if have else indexes.start, indexes.stop)  # no list of a million ints
            return
        if isinstance(have, range):
            have = self._parsed.indexes[kind] = list(have)
        have.extend(indexes)


def unreadable(name: str, message: str, line: int | None = None) -> LoadError:
    return LoadError([Problem(name, (), message, line=line)], unreadable=True)


def read_bytes(path: str | Path) -> tuple[str, bytes]:
    if str(path) == "-":
        try:
            return "<stdin>", read_stdin()
        except StdinClosed:
            raise unreadable("<stdin>", "standard input is closed") from None
        except OSError as exc:
            raise unreadable("<stdin>", f"cannot be read ({exc.strerror or exc})") from None
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise unreadable(name, "is a folder, not a timeline file")
        if p.is_char_device() or p.is_block_device():  # /dev/zero would be read forever
            raise unreadable(name, "is a device, not a timeline file")
        return name, read_path(name)
    except FileNotFoundError:
        raise unreadable(name, "no such file") from None
    except PermissionError:
        raise unreadable(name, "permission denied") from None
    except OSError as exc:
        raise unreadable(name, f"cannot be read ({exc.strerror or exc})") from None


def utf8(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise unreadable(name, f"is not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r})",
                          line) from None


def open_data(path) -> DataFile:
    """A big file, opened once for everything read from it (``records.DataFile``)."""
    try:
        return DataFile(path)
    except OSError as exc:
        raise unreadable(str(path), f"cannot be read ({exc.strerror or exc})") from None


def take_fingerprint(path, file: DataFile) -> list | None:
    try:
        return fingerprint(path, file.fd)
    except OSError:
        return None  # then it is not cached


def strict_loads(name: str, text: str, base_line: int = 0) -> tuple[object, dict[int, list[str]]]:
    dups: dict[int, list[str]] = {}

    def pairs(items):
        obj = dict(items)
        if len(obj) != len(items):
            seen: set[str] = set()
            dups[id(obj)] = [k for k, _ in items if k in seen or seen.add(k)]
        return obj

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_int=Number, parse_float=Number,
                           parse_constant=Constant)
    except json.JSONDecodeError as exc:
        raise unreadable(name, f"is not valid JSON: {exc.msg} (line {exc.lineno + base_line}, column {exc.colno})",
                          exc.lineno + base_line) from None
    except RecursionError:
        raise unreadable(name, "is nested too deeply to be a timeline", base_line + 1 if base_line else None) from None
    return value, dups


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def check_surrogates(parsed: Parsed, text: str, value, path: tuple = (), line: int | None = None) -> None:
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


def quick(data: bytes, decode):
    """Decode with msgspec when that is all it takes: no duplicate keys (msgspec would keep
    the last silently) and no problem msgspec reports. None means "take the slow, detailed
    path", which lists every problem with its place."""
    try:
        json.loads(data, object_pairs_hook=_no_duplicates)
        return decode(data)
    except (_DuplicateKey, ValueError, msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None


def check_header(parsed: Parsed, head: dict) -> None:
    fmt = head.get("format")
    if fmt is None:
        parsed.error(("format",), f"missing \"format\": \"{FORMAT}\" (is this a timeline file?)")
    elif fmt != FORMAT:
        parsed.error(("format",), f"unknown format {show(fmt)} (this version reads \"{FORMAT}\")")
    title = head.get("title")
    if title is None:
        parsed.error(("title",), "missing title")
    elif not isinstance(title, str):
        parsed.error(("title",), f"title must be a non-empty string, not {describe(title)}")
    elif not title.strip():
        parsed.error(("title",), "title is empty")
    else:
        parsed.title = title
    description = head.get("description")
    if description is not None and not isinstance(description, str):
        parsed.error(("description",), f"must be a string, not {describe(description)}")
    else:
        parsed.description = description
    for key in head:
        if key not in _TOP_FIELDS and key != "type":
            parsed.error((key,), f"unknown field '{key}' (known: {', '.join(_TOP_FIELDS)})")


def show(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else describe(value)


_HINTS: dict[type, dict[str, tuple[object, bool]]] = {}


def _fields(cls) -> dict[str, tuple[object, bool]]:
    """Field name -> (type, required), read from the struct itself (the single source)."""
    if cls not in _HINTS:
        hints = typing.get_type_hints(cls)
        required = set(cls.__struct_fields__[: len(cls.__struct_fields__) - len(cls.__struct_defaults__)])
        _HINTS[cls] = {name: (hints[name], name in required) for name in cls.__struct_fields__}
    return _HINTS[cls]


def build_record(parsed: Parsed, item, cls, path: tuple, dups: dict[int, list[str]]):
    """Check one decoded object against a record type; the record, or None if broken."""
    if not isinstance(item, dict):
        parsed.error(path, f"must be an object, not {describe(item)}")
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
                parsed.error(path + (key,), f"\"type\" must be \"{tag}\" here, not {show(item[key])}")
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


def _check_value(parsed: Parsed, value, tp, path: tuple, dups) -> bool:
    if tp is str:
        if isinstance(value, str):
            return True
        parsed.error(path, f"must be a string, not {describe(value)}")
        return False
    origin = typing.get_origin(tp)
    if origin is list:
        if not isinstance(value, list):
            parsed.error(path, f"must be a list, not {describe(value)}")
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
            return build_record(parsed, value, struct, path, dups) is not None
        if str in args and isinstance(value, str):
            return True
        wanted = "a string" + (" or an object" if struct else "") + (" or null" if type(None) in args else "")
        parsed.error(path, f"must be {wanted}, not {describe(value)}")
        return False
    raise TypeError(f"unsupported field type {tp!r}")  # a bug in entities.py, not in the data
_MSGSPEC_PATH = re.compile(r" - at `\$(.*)`$")
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def msgspec_problem(name: str, exc: Exception, prefix: tuple = ()) -> Problem:
    message = str(exc)
    path: tuple = prefix
    m = _MSGSPEC_PATH.search(message)
    if m:
        message = message[: m.start()]
        path += tuple(k if k else int(i) for k, i in _PATH_PART.findall(m.group(1)))
    message = message.replace("Object contains unknown field", "unknown field").replace("`", "'")
    return Problem(name, path, message[0].lower() + message[1:] if message else message)
CHUNK = 4096
"""Records handed to ``Columns`` at a time: few enough to stay in the CPU caches."""


LONE_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})")


def share_ids(record, canon: dict[str, str]) -> None:
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
            record.sources = [share(r, r) if r.__class__ is str else r for r in record.sources]
        if record.tags:
            record.tags = [share(t, t) for t in record.tags]
    elif cls is Quote:
        record.speaker = share(record.speaker, record.speaker)
        record.source = share(record.source, record.source)
        if record.event is not None:
            record.event = share(record.event, record.event)
    else:
        record.id = share(record.id, record.id)
