"""The JSON Lines reader: a header line, then one record per line, each with its "type".
Small files are checked as strictly as strict JSON (every problem, with its line); a big one
is streamed a line at a time and the first problem of each broken line is reported.
"""

from __future__ import annotations

import typing
from array import array

import msgspec

from ..model.entities import FORMAT, KINDS
from ..model.problems import Problem
from .columns import Fill
from .reading import (CHUNK, LONE_SURROGATE, PLURAL, Keep, Parsed, build_record, check_header, check_surrogates,
                      describe, msgspec_problem, quick, show, strict_loads, unreadable)
from .records import Spans

__all__ = ["read_jsonl", "looks_like_jsonl", "line_problem"]


def looks_like_jsonl(data: bytes) -> bool:
    first, _, rest = data.lstrip().partition(b"\n")
    if not rest.strip() or not first.rstrip().endswith(b"}"):
        return False
    try:
        head = msgspec.json.decode(first)
    except (msgspec.DecodeError, RecursionError):  # msgspec raises RecursionError when nested deeply
        return False
    return isinstance(head, dict) and "format" in head


_LINE_DECODER = msgspec.json.Decoder(typing.Union[tuple(KINDS.values())])


def read_jsonl(name: str, lines, strict: bool, sink: Fill | None = None) -> Parsed:
    """``lines``: the file's lines as bytes (a list, or an open file streamed line by line);
    ``sink``: where the records go (default: kept in the result, ``reading.Keep``), a chunk
    of each kind at a time. Every kind is read (``sink.kinds`` chooses among a JSON file's
    lists, which JSON Lines do not have)."""
    parsed = Parsed(name)
    sink = sink or Keep(parsed)
    parsed.jsonl_lines = {k: array("I") for k in KINDS}
    chunks: dict[str, tuple[list, list[int]]] = {k: ([], []) for k in KINDS}
    if not isinstance(lines, list):  # read from disk: where each record is, for the cache
        parsed.spans = {"events": Spans(array("q"), array("q")), "quotes": Spans(array("q"), array("q"))}
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
                head, dups = strict_loads(name, raw.decode("utf-8"), number - 1)
            except UnicodeDecodeError:
                raise unreadable(name, "is not UTF-8 text", number) from None
            if not isinstance(head, dict):
                raise unreadable(name, f"line {number}: the first line must be a header object "
                                        f"{{\"format\": \"{FORMAT}\", \"title\": ...}}", number)
            before = len(parsed.problems)
            for key in dups.get(id(head), ()):
                parsed.error((key,), f"duplicate key '{key}' (only the last one would count)")
            check_surrogates(parsed, raw.decode("utf-8"), head)
            check_header(parsed, head)
            for p in parsed.problems[before:]:
                p.line = number
            if sink.all_or_nothing and parsed.problems:
                return parsed  # the caller reads the file again, the detailed way
            continue
        record = quick(raw, _LINE_DECODER.decode) if strict else None
        if record is not None:
            kind = PLURAL[type(record).__struct_config__.tag]
            index = counts[kind]
            counts[kind] += 1
        elif strict:
            value, dups = strict_loads(name, raw.decode("utf-8"), number - 1)
            if not isinstance(value, dict):
                parsed.problems.append(Problem(name, (), f"must be an object, not {describe(value)}", line=number))
                continue
            kind = PLURAL.get(value.get("type")) if isinstance(value.get("type"), str) else None
            if kind is None:
                parsed.problems.append(Problem(
                    name, ("type",), f"\"type\" must be one of actor, source, event, quote, "
                    f"not {show(value.get('type'))}", line=number))
                continue
            index = counts[kind]
            counts[kind] += 1
            body = {k: v for k, v in value.items() if k != "type"}
            if id(value) in dups:
                dups[id(body)] = dups[id(value)]
            before = len(parsed.problems)
            check_surrogates(parsed, raw.decode("utf-8"), body, (kind, index))
            record = build_record(parsed, body, KINDS[kind], (kind, index), dups)
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
                parsed.problems.append(line_problem(name, raw, number, exc))
                if sink.all_or_nothing:
                    return parsed  # the caller reads the file again, the detailed way
                continue
            kind = PLURAL[type(record).__struct_config__.tag]
            index = counts[kind]
            counts[kind] += 1
        parsed.jsonl_lines[kind].append(number)
        if parsed.spans is not None and kind in parsed.spans:
            parsed.spans[kind].starts.append(start)
            parsed.spans[kind].ends.append(end)
        records, indexes = chunks[kind]
        records.append(record)
        indexes.append(index)
        if len(records) == CHUNK:
            sink.take(kind, records, indexes)
            chunks[kind] = ([], [])
    for kind, (records, indexes) in chunks.items():
        sink.take(kind, records, indexes)
    if not header_seen:
        raise unreadable(name, "is empty")
    return parsed


def line_problem(name: str, raw: bytes, number: int, exc: Exception) -> Problem:
    """What is wrong with one line of a big JSON Lines file, as msgspec found it."""
    if isinstance(exc, msgspec.ValidationError):
        problem = msgspec_problem(name, exc)
        problem.line = number
        return problem
    if isinstance(exc, RecursionError):
        return Problem(name, (), "is nested too deeply", line=number)
    lone = LONE_SURROGATE.search(raw) if "truncated" in str(exc) else None
    message = (f"holds a lone surrogate ({lone.group().decode()}), which is not valid Unicode"
               if lone else f"is not valid JSON: {exc}")
    return Problem(name, (), message, line=number)
