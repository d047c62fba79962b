"""Queries: one model of "what is shown", for the command line and the explorer alike.

A query is a list of terms. Terms AND together; the comma-separated values of one term OR
together; a leading ``-`` excludes. It reads and writes as a GitHub-style string::

    actor:maduro from:2024-09 to:2024-09-30 tag:icc "power cut" -tag:rumour

so the explorer's chips, its query bar, the command-line flags and ``--query`` are the same
thing, and a filter can always be shown, copied and typed back.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress

from .date_range import within_points
from .dates import DateError, Point, parse_user_date
from .entities import CONFIDENCES

__all__ = [
    "Term", "Query", "QueryError", "Result", "FIELDS",
    "parse_query", "make_term", "from_options", "run", "resolve_actors", "date_window", "within_window",
    "check_dates", "IS_VALUES", "NOTE_FIELDS", "on_notes",
]

FIELDS = ("actor", "tag", "from", "to", "date", "confidence", "text", "within", "asof", "is", "anchor",
          "has", "label")
"""Qualifiers a query understands; bare words and "quoted phrases" are text."""
_DATE_FIELDS = ("from", "to", "date")
"""Date terms that an event matches by overlapping (``date_window``)."""
_ONE_DATE = _DATE_FIELDS + ("within", "asof")
"""Terms that take one typed date: ``within:`` (certainly inside), ``asof:`` (known by then)."""
IS_VALUES = ("disputed", "starred")
"""What ``is:`` can ask for: ``is:disputed`` (confidence disputed, or a disputing source),
``is:starred`` (starred in the analyst's notes)."""
NOTE_FIELDS = {"has": ("note", "label"), "label": None}
"""Qualifiers answered by the analyst's notes (``annotations.Notes``), with the values they
take (None: any label); ``is:starred`` is one too (``on_notes``)."""


class QueryError(ValueError):
    """A query that cannot be used; ``start``/``end`` point at the bad term in the string."""

    def __init__(self, message: str, start: int = 0, end: int = 0) -> None:
        super().__init__(message)
        self.start = start
        self.end = end


@dataclass(frozen=True)
class Term:
    """One condition: ``field`` is one of FIELDS, ``values`` OR together."""

    field: str
    values: tuple[str, ...]
    negate: bool = False
    points: tuple[Point, ...] = ()
    """For date fields: the parsed values, at the precision typed."""
    span: tuple[int, int] = field(default=(0, 0), compare=False)
    """Where the term stands in the query string it was read from (for error carets)."""

    def __str__(self) -> str:
        values = ",".join(_quote(v, text=self.field == "text") for v in self.values)
        sign = "-" if self.negate else ""
        if self.field == "text" and len(self.values) == 1:
            return f"{sign}{values}"
        return f"{sign}{self.field}:{values}"  # text:a,b - bare "a,b" would read back as one word


def _quote(value: str, *, text: bool = False) -> str:
    """Quote a value when it would otherwise read back differently (spaces, commas; for text
    also a colon or a leading '-'); a double quote inside cannot be written, so it becomes a
    single one."""
    if value and not re.search(r'[\s,"]', value) and not (
            (":" in value or value[0] == "-") if text else value.startswith("//")):  # tag://x reads as text
        return value
    return '"' + value.replace('"', "'") + '"'


@dataclass(frozen=True)
class Query:
    """An immutable list of terms; the empty query matches everything."""

    terms: tuple[Term, ...] = ()

    def __str__(self) -> str:
        return " ".join(str(t) for t in self.terms)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def add(self, term: Term) -> Query:
        return Query(self.terms + (term,)) if term not in self.terms else self

    def without(self, term: Term) -> Query:
        return Query(tuple(t for t in self.terms if t != term))

    def without_field(self, *fields: str) -> Query:
        return Query(tuple(t for t in self.terms if t.field not in fields))

    def replacing(self, fields: Iterable[str], terms: Iterable[Term]) -> Query:
        """Drop every term of ``fields`` and add ``terms``: what a picker does on OK."""
        fields = set(fields)
        kept = tuple(t for t in self.terms if t.field not in fields)
        return Query(kept + tuple(terms))

    def values(self, field_name: str) -> list[str]:
        return [v for t in self.terms if t.field == field_name and not t.negate for v in t.values]

    @property
    def as_of(self) -> Point | None:
        """The ``asof:`` date (the earliest, if several): the story as it could be known then."""
        points = [t.points[0] for t in self.terms if t.field == "asof"]
        return min(points, key=lambda p: p.upper) if points else None

    @property
    def anchor(self) -> str | None:
        """The event id of the last ``anchor:`` term: dates also show as D−n / D+n from it."""
        ids = self.values("anchor")
        return ids[-1] if ids else None


def make_term(field_name: str, values: Sequence[str], negate: bool = False, *, at: int = 0) -> Term:
    """Check and build one term (dates are parsed here, so a bad one never gets applied)."""
    if field_name not in FIELDS:
        raise QueryError(f"unknown qualifier '{field_name}:' (known: {', '.join(FIELDS)})", at, at + len(field_name))
    values = tuple(v.strip() for v in values)
    if not values or any(not v for v in values):
        raise QueryError(f"'{field_name}:' needs a value", at, at + len(field_name) + 1)
    points: tuple[Point, ...] = ()
    if field_name in ("anchor", "asof") and negate:
        raise QueryError(f"'-{field_name}:' cannot be negated", at, at + len(field_name) + 2)
    if field_name in ("anchor",) and len(values) > 1:
        raise QueryError("'anchor:' takes one event id", at, at + len(field_name) + 1)
    if field_name == "is":
        for v in values:
            if v not in IS_VALUES:
                raise QueryError(f"'is:{v}' is not known (known: {', '.join(IS_VALUES)})", at, at + 3 + len(v))
    if field_name in _ONE_DATE:
        if len(values) > 1:
            raise QueryError(f"'{field_name}:' takes one date, not a list", at, at + len(field_name) + 1)
        if negate:
            raise QueryError(f"'-{field_name}:' cannot be negated", at, at + len(field_name) + 2)
        try:
            points = within_points(values[0]) if field_name == "within" else (parse_user_date(values[0]),)
        except DateError as exc:
            raise QueryError(f"{field_name}: {exc}", at, at + len(field_name) + 1 + len(values[0])) from None
    if NOTE_FIELDS.get(field_name):
        for v in values:
            if v not in NOTE_FIELDS[field_name]:
                raise QueryError(f"'{field_name}:{v}' is not known (known: "
                                 f"{', '.join(field_name + ':' + k for k in NOTE_FIELDS[field_name])})",
                                 at, at + len(field_name) + 1 + len(v))
    if field_name == "confidence":
        for v in values:
            if v not in CONFIDENCES:
                raise QueryError(f"confidence '{v}' is not one of {', '.join(CONFIDENCES)}", at, at + 11 + len(v))
    return Term(field_name, values, negate, points)


_LEAD = re.compile(r'\s*(-?)(?:([A-Za-z]+):(?!//))?')
_QUOTED = re.compile(r'"([^"]*)(")?')
_BARE_TEXT = re.compile(r'[^\s"]+')
_BARE_VALUE = re.compile(r'[^\s",]+')


def parse_query(text: str) -> Query:
    """Parse a query string; raises QueryError pointing at the bad term.

    ``qualifier:value[,value…]`` where a value may be "quoted"; bare words and "quoted
    phrases" are text; a leading ``-`` excludes. ``https://…`` is text, not a qualifier.
    """
    terms: list[Term] = []
    text = text.rstrip()
    pos = 0
    while pos < len(text):
        m = _LEAD.match(text, pos)
        sign, qualifier = m.groups()
        start = m.start(1) if sign else (m.start(2) if qualifier else m.end())
        pos = m.end()
        values: list[str] = []
        quoted = False
        while True:
            if pos < len(text) and text[pos] == '"':
                q = _QUOTED.match(text, pos)
                if q.group(2) is None:
                    raise QueryError("a quote is not closed", pos, len(text))
                values.append(q.group(1))
                quoted = True
                pos = q.end()
            else:
                b = (_BARE_VALUE if qualifier else _BARE_TEXT).match(text, pos)
                if b is None:
                    raise QueryError(f"'{text[start:pos].strip() or text[start:start + 1]}' needs a value",
                                     start, max(pos, start + 1))
                values.append(b.group())
                pos = b.end()
            if not qualifier or pos >= len(text) or text[pos] != ",":
                break
            pos += 1
        if qualifier is None or qualifier.lower() == "text":
            if not values[0].strip():
                if quoted:
                    raise QueryError("an empty phrase matches nothing", start, pos)
                continue
            terms.append(replace(make_term("text", tuple(values), bool(sign), at=start), span=(start, pos)))
            continue
        try:
            terms.append(replace(make_term(qualifier.lower(), values, bool(sign), at=start), span=(start, pos)))
        except QueryError as exc:
            exc.start, exc.end = start, pos  # the whole term, sign and quotes included
            if qualifier.lower() in _DATE_FIELDS and not quoted and pos < len(text) and text[pos] == " ":
                exc.args = (f"{exc} (a date with spaces needs quotes: {qualifier}:\"6 Sep 2024\")",)
            raise
    return Query(tuple(terms))


# --- running a query ---------------------------------------------------------------------

@dataclass
class Result:
    """Positions of matching events, in date order, plus notes on how names were read."""

    positions: Sequence[int]
    notes: list[str] = field(default_factory=list)
    """E.g. "actor 'gonzalez' matches 2 actors: ..." (the caller may want to narrow it)."""
    more_possibly: int | None = None
    """With ``within:`` terms: how many more events only possibly fall in the range (they
    overlap it, as ``from:``/``to:`` would match them, but may lie outside)."""
    undated: int | None = None
    """With ``asof:``: how many of the events shown are known only through undated sources."""
    only_possibly: int | None = None
    """With ``from:``/``to:`` (and no ``within:``): how many of the events shown only
    possibly fall in the range (the rest are certainly inside it)."""

    def within_words(self) -> str | None:
        """"12 within, 3 more possibly" with ``within:`` (the 3 are not shown); "12 within, 3
        only possibly" with ``from:``/``to:`` (the 15 shown; "all within" when none only
        possibly is); None without a date range."""
        if self.more_possibly is not None:
            return f"{len(self.positions):,} within, {self.more_possibly:,} more possibly"
        if self.only_possibly == 0:
            return "all within"
        if self.only_possibly is not None:
            return f"{len(self.positions) - self.only_possibly:,} within, {self.only_possibly:,} only possibly"
        return None


def resolve_actors(timeline, term: Term) -> tuple[list[str], list[str]]:
    """Actor ids a term names, and notes for names that match several actors."""
    ids: list[str] = []
    notes: list[str] = []
    for value in term.values:
        found = timeline.resolve_actor(value)
        if not found:
            raise QueryError(f"no actor matches '{value}' (by id, name or alias)")
        if len(found) > 1:
            names = ", ".join(f"{a} ({timeline.actor_name(a)})" for a in found)
            notes.append(f"actor '{value}' matches {len(found)} actors: {names}; use an id to pick one")
        ids.extend(a for a in found if a not in ids)
    return ids, notes


def date_window(query: Query) -> tuple[int, int] | None:
    """The [lo, hi] seconds the query's date terms allow, or None if it has none."""
    lo, hi, any_date = None, None, False
    for t in query.terms:
        if t.field not in _DATE_FIELDS:
            continue
        any_date = True
        point = t.points[0]
        if t.field in ("from", "date"):
            lo = point.lower if lo is None else max(lo, point.lower)
        if t.field in ("to", "date"):
            hi = point.upper if hi is None else min(hi, point.upper)
    if not any_date:
        return None
    return (lo if lo is not None else -(1 << 62), hi if hi is not None else 1 << 62)


def within_window(query: Query) -> tuple[int, int] | None:
    """The [lo, hi] seconds every ``within:`` date or range covers (their intersection), or
    None (``date_range.within_points``: an open end is None)."""
    ends = [t.points for t in query.terms if t.field == "within"]
    if not ends:
        return None
    return (max(a.lower if a is not None else -(1 << 62) for a, _ in ends),
            min(b.upper if b is not None else 1 << 62 for _, b in ends))


def _possibly(query: Query) -> Query:
    """The query with each ``within:`` read as ``from:`` and ``to:`` the same date (overlap)."""
    terms: list[Term] = []
    for t in query.terms:
        if t.field == "within":
            (a, b), text = t.points, t.values[0]
            ends = text.split("/") if a is not b else (text, text)
            terms += [Term(name, (v.strip(),), False, (p,)) for name, v, p in (("from", ends[0], a), ("to", ends[-1], b))
                      if p is not None]
        else:
            terms.append(t)
    return Query(tuple(terms))


def check_dates(query: Query) -> None:
    """Refuse a date range that ends before it starts (a reversed range matches nothing)."""
    window = date_window(query)
    if window and window[0] > window[1]:
        froms = [t for t in query.terms if t.field in ("from", "date")]
        tos = [t for t in query.terms if t.field in ("to", "date")]
        raise QueryError(
            f"the date range is reversed: from {froms[-1].values[0]} is after to {tos[-1].values[0]}"
        )


def run(timeline, query: Query, *, annotations=None, cancelled=lambda: False) -> Result:
    """Evaluate a query against a timeline.

    Indexed terms (actor, tag, confidence, dates, and the analyst's ``annotations``: stars,
    notes, labels) narrow the candidates first, smallest first; free text is then checked
    only on what is left, in the data and in the analyst's notes. ``cancelled`` lets a
    worker give up on a stale search between steps.
    """
    check_dates(query)
    n = len(timeline)
    if query.anchor is not None and query.anchor not in timeline.position:
        raise QueryError(f"anchor: no event has the id '{query.anchor}'")
    notes: list[str] = []
    include: list[Sequence[int]] = []
    exclude: list[Sequence[int]] = []
    texts: list[Term] = []
    for term in query.terms:
        if term.field == "actor":
            ids, term_notes = resolve_actors(timeline, term)
            notes.extend(term_notes)
            postings = _union([timeline.actor_positions(a) for a in ids])
        elif term.field == "tag":
            postings = _union([timeline.tag_positions(t) for t in term.values])
        elif term.field == "confidence":
            postings = _union([timeline.confidence_positions(c) for c in term.values])
        elif term.field == "is":
            postings = _union([_is(timeline, v, annotations) for v in term.values])
        elif term.field in NOTE_FIELDS:
            postings = array("I") if annotations is None else \
                _union([annotations.positions(timeline, term.field, v) for v in term.values])
        elif term.field == "text":
            texts.append(term)
            continue
        else:
            continue  # dates: one window below
        (exclude if term.negate else include).append(postings)
    window = date_window(query)
    if window is not None:
        include.append(timeline.overlapping(*window))
    inside = within_window(query)
    if inside is not None:
        include.append(_certainly_within(timeline, *inside))

    include.sort(key=len)
    if include:
        positions: Sequence[int] = include[0]
        for other in include[1:]:
            if cancelled():
                return Result(array("I"), notes)
            keep = set(other)
            positions = array("I", [p for p in positions if p in keep])
    else:
        positions = range(n)
    if exclude:
        mask = bytearray(b"\x01") * n
        for postings in exclude:
            for p in postings:
                mask[p] = 0
        positions = array("I", [p for p in positions if mask[p]]) if include else array(
            "I", compress(range(n), mask))
    for term in texts:
        if cancelled():
            return Result(array("I"), notes)
        candidates = None if isinstance(positions, range) else positions
        if len(term.values) == 1 and annotations is None:
            found = timeline.text_positions(term.values[0], candidates)
        else:
            found = _union([timeline.text_positions(v, candidates) for v in term.values]
                           + [_among(annotations.text_positions(timeline, v), candidates)
                              for v in term.values if annotations is not None])
        if term.negate:
            keep = set(found)
            positions = array("I", [p for p in positions if p not in keep])
        else:
            positions = found
    result = Result(positions, notes)
    as_of = query.as_of
    if as_of is not None:
        from .first_report import first_reports  # only as-of needs the sources' dates

        known = first_reports(timeline)
        everything = isinstance(positions, range) and len(positions) == n
        result.positions = known.known_as_of(as_of.upper, None if everything else positions)
        result.undated = known.count_undated(result.positions)
    if inside is not None and not cancelled():
        possibly = run(timeline, _possibly(query), annotations=annotations, cancelled=cancelled)
        result.more_possibly = len(possibly.positions) - len(result.positions)
    elif window is not None and not cancelled():
        result.only_possibly = _only_overlapping(timeline, result.positions, *window)
    return result


def _only_overlapping(timeline, positions: Sequence[int], lo: int, hi: int) -> int:
    """How many of these events (all overlapping [lo, hi]) reach outside it: those that start
    before ``lo`` (a prefix, positions being in start order) and the others that end after
    ``hi`` (counted in C: a map and a sum, no Python loop per event)."""
    lower, upper = timeline.lower, timeline.upper
    before = bisect_left(positions, lo, key=lower.__getitem__)
    rest = positions[before:]
    return before + sum(map(hi.__lt__, map(upper.__getitem__, rest)))


def _certainly_within(timeline, lo: int, hi: int) -> Sequence[int]:
    """Positions of events whose whole span lies inside [lo, hi]."""
    if lo > hi:
        return array("I")
    lower, upper = timeline.lower, timeline.upper
    return array("I", [p for p in timeline.overlapping(lo, hi) if lower[p] >= lo and upper[p] <= hi])


def _is(timeline, value: str, annotations) -> Sequence[int]:
    """Positions ``is:VALUE`` selects: disputed events, or the analyst's starred ones."""
    if value == "starred":
        return array("I") if annotations is None else annotations.positions(timeline, "is", "starred")
    from .stances import disputed_positions  # stances.py needs the timeline's sources

    return disputed_positions(timeline)


def on_notes(term: Term) -> bool:
    """Whether the analyst's notes answer this term (in part, for a text search)."""
    return term.field in NOTE_FIELDS or term.field == "text" or (term.field == "is" and "starred" in term.values)


def _among(found: Sequence[int], candidates: Sequence[int] | None) -> Sequence[int]:
    """The positions of ``found`` that are candidates (all are, when there are none)."""
    if candidates is None or not len(found):
        return found
    keep = set(candidates) if len(candidates) < 4 * len(found) else None
    if keep is None:  # many candidates, few found: look each found one up in the sorted list
        return array("I", [p for p in found
                           if (i := bisect_left(candidates, p)) < len(candidates) and candidates[i] == p])
    return array("I", [p for p in found if p in keep])


def _union(lists: list[Sequence[int]]) -> Sequence[int]:
    lists = [l for l in lists if len(l)]
    if not lists:
        return array("I")
    if len(lists) == 1:
        return lists[0]
    return array("I", sorted(set().union(*lists)))


def from_options(
    *,
    actors: Sequence[str] = (),
    date_from: str | None = None,
    date_to: str | None = None,
    tags: Sequence[str] = (),
    search: str | None = None,
    query: str | None = None,
    within: Sequence[str] = (),
    as_of: str | None = None,
    anchor: str | None = None,
) -> Query:
    """The command line's filter flags as one Query (each repeated flag ANDs, like the
    query string; commas inside one flag OR)."""
    terms: list[Term] = []
    for a in actors:
        terms.append(make_term("actor", a.split(",")))
    if date_from:
        terms.append(make_term("from", (date_from,)))
    if date_to:
        terms.append(make_term("to", (date_to,)))
    for t in tags:
        terms.append(make_term("tag", t.split(",")))
    if search and search.strip():
        terms.append(make_term("text", (search,)))
    for w in within:
        terms.append(make_term("within", (w,)))
    if as_of:
        terms.append(make_term("asof", (as_of,)))
    if anchor:
        terms.append(make_term("anchor", (anchor,)))
    result = Query(tuple(terms))
    if query:
        for term in parse_query(query).terms:
            result = result.add(term)
    check_dates(result)
    return result

