"""The checks across records, on every file loaded together: id syntax and uniqueness,
kinds, dates, and that every reference points at something. They run in bulk first (sets,
one regex; ``records_valid``), and record by record, naming each place (``check_records``),
only when the bulk pass finds something. Then each problem gets its line (``place_lines``).
"""

from __future__ import annotations

import re

import msgspec

from ..model.dates import DateError, EDate, parse_edtf
from ..model.entities import ACTOR_KINDS, CONFIDENCES, KINDS, SOURCE_KINDS, STANCES
from ..model.problems import Problem, format_path, locate_lines
from .columns import ids_valid, people_valid, via_loop_from, via_loops
from .reading import SINGULAR, Parsed, show

__all__ = ["check_records", "records_valid", "place_lines"]


ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


def check_records(files: list[Parsed]) -> None:
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
                    parsed.error((kind, index), f"{SINGULAR[kind]} '{record.id}' is defined differently "
                                 f"in {files[ofi].name} ({_where(files[ofi], kind, oindex)}) and here")
            for broken in parsed.broken_ids[kind]:
                table.setdefault(broken, (fi, -1))
    actors, sources, events = known["actors"], known["sources"], known["events"]

    def ref(parsed, path, value, table, what):
        if value not in table:
            parsed.error(path, f"unknown {what} '{value}'")

    def check_id(parsed, path, value):
        if not ID_PATTERN.fullmatch(value):
            parsed.error(path, f"id {show(value)} must be lower-case letters, digits and '-', "
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
                err(p + ("kind",), f"kind {show(a.kind)} is not one of {', '.join(ACTOR_KINDS)}")
            for j, group in enumerate(a.affiliations):
                ref(parsed, p + ("affiliations", j), group, actors, "actor")
                if group == a.id:
                    err(p + ("affiliations", j), "an actor cannot be affiliated with itself")
        for s, i in zip(parsed.records["sources"], parsed.indexes["sources"]):
            p = ("sources", i)
            check_id(parsed, p + ("id",), s.id)
            if s.kind not in SOURCE_KINDS:
                err(p + ("kind",), f"kind {show(s.kind)} is not one of {', '.join(SOURCE_KINDS)}")
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
                    err(p + ("tags", j), f"tag {show(tag)} is empty" if not tag.strip() else
                        f"tag {show(tag)} starts or ends with a space (tags are matched exactly)")
            for j, r in enumerate(e.actors):
                ref(parsed, p + ("actors", j) if isinstance(r, str) else p + ("actors", j, "actor"),
                    r if isinstance(r, str) else r.actor, actors, "actor")
            if not e.sources:
                err(p, f"event '{e.id}' cites no source", warning=True)
            for j, r in enumerate(e.sources):
                if isinstance(r, str):
                    ref(parsed, p + ("sources", j), r, sources, "source")
                    continue
                ref(parsed, p + ("sources", j, "source"), r.source, sources, "source")
                if r.stance not in STANCES:
                    err(p + ("sources", j, "stance"), f"stance {show(r.stance)} is not one of {', '.join(STANCES)}")
            if e.confidence not in CONFIDENCES:
                err(p + ("confidence",), f"confidence {show(e.confidence)} is not one of {', '.join(CONFIDENCES)}")
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


def records_valid(files: list[Parsed]) -> bool:
    """The checks of ``check_records`` in bulk (sets and one regex per kind), without
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
    warnings: list[tuple[Parsed, list[Problem]]] = []
    for f in files:
        A, S, E, Q = (f.records[k] for k in KINDS)
        if not people_valid(A, S, actors, sources):
            return False
        if ({e.confidence for e in E} - set(CONFIDENCES) or any(not e.title.strip() for e in E)
                or any(t != t.strip() or not t for t in {t for e in E for t in e.tags})
                or {r if isinstance(r, str) else r.actor for e in E for r in e.actors} - actors
                or {r if isinstance(r, str) else r.source for e in E for r in e.sources} - sources
                or {r.stance for e in E for r in e.sources if not isinstance(r, str)} - set(STANCES)):
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


def _check_via_cycles(files: list[Parsed]) -> None:
    via = {s.id: s.via for f in files for s in f.records["sources"] if s.via}
    loop_of = {member: loop for loop in via_loops(via) for member in loop}
    reported: set[str] = set()
    for parsed in files:  # each loop reported once, at its first member in file order
        for s, i in zip(parsed.records["sources"], parsed.indexes["sources"]):
            if s.id in loop_of and s.id not in reported:
                loop = via_loop_from(s.id, loop_of[s.id])
                reported.update(loop)
                parsed.error(("sources", i, "via"), "the 'via' chain loops: " + " -> ".join(loop + [s.id]))


def _record(parsed: Parsed, kind: str, index: int):
    indexes = parsed.indexes[kind]
    pos = index if isinstance(indexes, range) else indexes.index(index)
    return parsed.records[kind][pos]


def _where(parsed: Parsed, kind: str, index: int) -> str:
    if parsed.jsonl_lines is not None:
        pos = parsed.indexes[kind].index(index)
        return f"line {parsed.jsonl_lines[kind][pos]}"
    return format_path((kind, index))


_LOCATE_LIMIT = 1000
_LOCATE_WARNINGS = 100
"""Lines are looked up for at most 1000 errors of a file, and for its warnings only when
there are at most 100: a file with thousands of warnings (say, quotes tied to no event)
still loads quickly, and each warning keeps its JSON path."""


def place_lines(parsed: Parsed) -> None:
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
                    p.path = (f"{SINGULAR[kind]} '{parsed.records[kind][pos].id}'",) + p.path[2:]
        return
    errors = [p for p in parsed.problems if not p.warning]
    warnings = [p for p in parsed.problems if p.warning]
    wanted = (errors + (warnings if len(warnings) <= _LOCATE_WARNINGS else []))[:_LOCATE_LIMIT]
    if wanted and parsed.text is not None:
        lines = locate_lines(parsed.text, [p.path for p in wanted])
        for p in wanted:
            p.line = lines.get(p.path, p.line)
