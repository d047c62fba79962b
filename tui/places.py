"""Where a record sits in the files a timeline was read from: the findings of the sourcing
report (``model/sourcing_report.py``) printed as the loader prints its problems, with the file,
the line and the JSON path (``events[12].sources[1]``).

The timeline keeps its events in date order, not file order, so a file is read again to
find its records, once and only when there is something to place: a file up to 64 MB
(a JSON file by its lists, a JSON Lines file line by line). A record that cannot be found
again that way (standard input, a bigger file, a file changed since) is named by its kind
and id, as JSON Lines problems are (``event 'siege-begins'.note``).
"""

from __future__ import annotations

import os
from operator import itemgetter
from collections.abc import Iterable, Iterator

import msgspec

from .model.problems import Problem, locate_lines
from .model.sourcing_report import Finding
from .model.text import visible, visible_all

__all__ = ["place", "lines", "read_again"]

_LIMIT = 64 * 1024 * 1024
"""Files up to this size are read again to place findings (the loader's strict limit)."""

_SINGULAR = {"events": "event", "quotes": "quote", "sources": "source", "actors": "actor"}


class _Id(msgspec.Struct):
    id: str | None = None


class _Lists(msgspec.Struct):
    """A JSON timeline file, keeping only each record's id (every other field is skipped)."""

    events: list[_Id] = []
    quotes: list[_Id] = []


class _Typed(msgspec.Struct):
    """One line of a JSON Lines file: its type and id."""

    type: str | None = None
    id: str | None = None


class _Places:
    """The records of one file: by kind and id, where each is (first definition wins)."""

    def __init__(self, name: str, text: str | None, index: dict[str, dict[str, int]], jsonl: bool) -> None:
        self.name, self.text, self.index, self.jsonl = name, text, index, jsonl

    def has(self, finding: Finding) -> bool:
        return finding.record in self.index.get(finding.kind, {})


def _read(name: str) -> _Places | None:
    """The record ids of one file, or None if it is not read again (see the module)."""
    try:
        if name == "<stdin>" or not os.path.isfile(name) or os.path.getsize(name) > _LIMIT:
            return None
        with open(name, "rb") as f:
            data = f.read()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    index: dict[str, dict[str, int]] = {"events": {}, "quotes": {}}
    try:
        lists = msgspec.json.decode(data.removeprefix(b"\xef\xbb\xbf"), type=_Lists)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        lists = None
    if lists is not None:
        for kind in index:
            for i, record in enumerate(getattr(lists, kind)):
                index[kind].setdefault(record.id, i)
        return _Places(name, text, index, jsonl=False)
    kinds = {"event": "events", "quote": "quotes"}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = msgspec.json.decode(line, type=_Typed)
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            continue
        if record.type in kinds and record.id is not None:
            index[kinds[record.type]].setdefault(record.id, number)
    return _Places(name, None, index, jsonl=True)


def place(findings: Iterable[Finding], files: list[str]) -> list[Problem]:
    """The findings as warnings placed in their files, in the order given."""
    findings = list(findings)
    if not findings:
        return []
    known = [p for p in map(_read, files) if p is not None]
    if not known:  # nothing read again (a big file, standard input): each record by its id
        name = _name(files)
        return [Problem(name, (f"{_SINGULAR[f.kind]} '{f.record}'", *f.where), f.message, True) for f in findings]
    placed: list[Problem] = []
    wanted: dict[int, list[Problem]] = {}
    for finding in findings:
        where = next((p for p in known if p.has(finding)), None)
        if where is None or where.jsonl:
            path = (f"{_SINGULAR[finding.kind]} '{finding.record}'",) + finding.where
            line = where.index[finding.kind][finding.record] if where is not None else None
            name = where.name if where is not None else _name(files)
            placed.append(Problem(name, path, finding.message, True, line))
            continue
        path = (finding.kind, where.index[finding.kind][finding.record]) + finding.where
        problem = Problem(where.name, path, finding.message, True)
        placed.append(problem)
        wanted.setdefault(id(where), []).append(problem)
    for where in known:
        problems = wanted.get(id(where))
        if problems:
            lines = locate_lines(where.text, [p.path for p in problems])
            for p in problems:
                p.line = lines.get(p.path)
    return placed


def read_again(files: list[str]) -> bool:
    """Some of these files is read again to place findings by line (``place``)."""
    return any(name != "<stdin>" and os.path.isfile(name) and os.path.getsize(name) <= _LIMIT for name in files)


def lines(findings: list[Finding], files: list[str]) -> Iterable[str]:
    """The findings as the lines ``validate`` prints, in file order. The same as printing
    ``place``'s problems; when no file is read again (a big file: hundreds of thousands of
    findings, perhaps) each line is written at once, without a ``Problem`` in between."""
    if read_again(files):
        placed = place(findings, files)
        placed.sort(key=lambda p: (p.file, p.line or 0))
        return map(str, placed)
    return _direct_lines(findings, visible(_name(files)))


def _direct_lines(findings: list[Finding], head: str) -> Iterator[str]:
    """``lines`` of findings named by record: what comes before each message worked out once
    per kind and place in a record (a few dozen), each block's lines joined by one C-level
    map, and made visible only where some line needs it (one scan of the block)."""
    starts: dict[tuple, str] = {}
    for a in range(0, len(findings), _BLOCK):
        block = findings[a:a + _BLOCK]
        for kind, where in set(map(_KIND_WHERE, block)) - starts.keys():  # "%s" for the record and the message
            before, after = f"{head}: warning: {_SINGULAR[kind]} '", f"'{_where(where)}: "
            starts[(kind, where)] = f"{before.replace('%', '%%')}%s{after.replace('%', '%%')}%s"
        if max(map(len, map(_MESSAGE, block))) > 600:  # a long message is cut as a problem cuts it
            yield from (_line(f, starts, head) for f in block)
            continue
        yield from visible_all(list(map(str.__mod__, map(starts.__getitem__, map(_KIND_WHERE, block)),
                                        map(_RECORD_MESSAGE, block))))


_BLOCK = 4096
_KIND_WHERE = itemgetter(0, 2)
_RECORD_MESSAGE = itemgetter(1, 4)
_MESSAGE = itemgetter(4)


def _line(finding: Finding, starts: dict[tuple, str], head: str) -> str:
    kind, record, where, _, message = finding
    if len(message) <= 600:
        return visible(starts[(kind, where)] % (record, message))
    return str(Problem(head, (f"{_SINGULAR[kind]} '{record}'", *where), message, True))


def _where(parts: tuple) -> str:
    """The rest of a path after the record (``.sources[2]``), as ``format_path`` writes it."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _name(files: list[str]) -> str:
    return files[0] if len(files) == 1 else ", ".join(files)
