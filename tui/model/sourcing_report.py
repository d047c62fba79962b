"""Sourcing: how many independent sources stand behind each event, and what an editor
would query about them.

An editor asks the same questions of every entry in a timeline: how many *independent*
sources say it, can I click through to one, is this quote verbatim or a translation, is
"confirmed" earned. This module answers them from a loaded ``Timeline`` (small or read
back from a big file a chunk at a time), with no knowledge of files: what it finds names
records by kind and id (``Finding``), and the command line places them in their files.

**Independent sources.** Each source an event cites is followed along its ``via`` links to
the end of the chain: the source it is ultimately known through. That source's
``publisher`` (case, accents and spacing ignored) is one independent source, so three
syndicated copies of one wire story, or a post known only through the article that quotes
it, count once. At the end of a chain a ``social-post`` stands for its author, not for the
platform (two people's posts on X are two sources), and a source with no publisher stands
for its author, else for itself.

Every source's facts (its chain's end, whether the chain holds an http(s) URL, the outlets
along it) are worked out once and shared by every event citing it: at a million events the
report costs one pass over the events and quotes.
"""

from __future__ import annotations

import re
import weakref
from bisect import bisect_left
from array import array
from dataclasses import dataclass, field
from itertools import compress, repeat
from typing import NamedTuple

import msgspec

from .dates import DateError, EDate, parse_edtf, point_display
from .entities import CONFIDENCES, Event, Source
from .source_refs import SUPPORTS
from .text import fold
from .timeline import Timeline, records_at

__all__ = ["SourcingReport", "shared", "SourceFacts", "EventSourcing", "Finding", "Report", "CHECKS"]

CHECKS = {
    "single-source": "confirmed on one independent source",
    "no-url": "no URL in the chain",
    "translation": "translation without its original",
    "speaker": "speaker not in the event or the source",
    "published-early": "source published before the event",
    "note-outlet": "note names an outlet that is not a source",
}
"""Each check's name (as the JSON report gives it) and what the summary line calls it."""

_CHUNK = 4096
"""Events whose quotes are read back from a big file at a time."""
VECTOR_FROM = 20_000
"""From this many events ``SourcingReport.prepare`` works in numpy (a few C-level passes over
the refs' columns); below it, importing numpy costs more than the Python loop."""
_NO_URL, _EARLY = 1, 2
"""``_Columns.kinds``: why a ref is flagged (either or both)."""


class _QuoteFields(msgspec.Struct):
    """What the checks read of a quote."""

    id: str
    speaker: str
    source: str
    event: str | None = None
    language: str | None = None
    original: str | None = None


_DECODE_QUOTES = msgspec.json.Decoder(list[_QuoteFields]).decode


_QUALIFIED = re.compile(r"[~?%]")
"""A date text with a qualifier: approximate or uncertain, which cannot show a report came first."""


_finding = tuple.__new__
"""``_finding(Finding, (...))`` makes a ``Finding`` in C (a namedtuple's own ``__new__`` is
a Python function, called for each of a few hundred thousand findings)."""


def _key(text: str) -> str:
    """A name compared with accents, case and spacing ignored."""
    return " ".join(fold(text).split())


def _language(code: str | None) -> str | None:
    """The primary language of a tag ("pt-BR" -> "pt"), for comparing."""
    if not code:
        return None
    return code.split("-")[0].strip().lower() or None


def _has_url(source: Source) -> bool:
    url = (source.url or "").strip().lower()
    return url.startswith(("http://", "https://")) and len(url) > len("https://")


def _date(text: str | None) -> EDate | None:
    if text is None:
        return None
    try:
        return parse_edtf(text)
    except DateError:  # every date was checked on load; a stray one is simply not used
        return None


_SINGLE = ("event '%s' is 'confirmed' (also the default) but rests on one independent source (%s): "
           "cite another, or make it 'reported'")
_NO_URL_MESSAGE = "no source in the chain of '%s' has an http(s) URL (%s)"
_EARLY_MESSAGE = "source '%s' was published %s, before the event it reports on (%s)"
_TRANSLATION = ("quote '%s' is in '%s' but its source '%s' is in '%s', and it has no 'original' "
                "(a translation shown as verbatim)")
_SPEAKER = "speaker '%s' is neither %s nor the author or publisher of source '%s'"
"""The findings' messages (as ``report``'s loop writes them), for ``%`` formatting in C."""


def _in_order(np, parts: list[tuple]) -> list[Finding]:
    """The findings of ``parts`` (primary keys, secondary keys, findings) in the order of
    their keys: one stable sort of them all."""
    if not parts:
        return []
    primary = np.concatenate([p[0] for p in parts])
    secondary = np.concatenate([p[1] for p in parts])
    found = [f for p in parts for f in p[2]]
    order = np.lexsort((secondary, primary))
    return list(map(found.__getitem__, order.tolist()))


class SourceFacts(NamedTuple):
    """What one source brings to any event that cites it (a tuple: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, a fifth of the time spent
    on each source)."""

    key: str
    """The independent source it counts as (a folded publisher, or author, or id)."""
    name: str
    """That source as a person reads it ("CNN", "Omar González on X")."""
    length: int
    """How many sources its ``via`` chain holds, itself included."""
    has_url: bool
    """Some source along the chain has an http(s) URL."""
    outlets: frozenset[str]
    """Publishers (folded) along the chain: the outlets this source stands for."""
    published: EDate | None
    """Its own ``published`` date."""
    first: EDate | None
    """The earliest ``published`` date along the chain."""
    early_before: int | None
    """An event starting after this second was certainly reported before it happened: the
    end of ``published``, unless that date is approximate or uncertain (then None, as when
    there is no date): such a date cannot show that the report came first."""


@dataclass(frozen=True, slots=True)
class EventSourcing:
    """The sourcing of one event."""

    independent: tuple[str, ...]
    """The independent sources, as names, in the order the event first cites them."""
    has_url: bool
    """Some cited chain holds an http(s) URL."""
    first: EDate | None
    """The earliest ``published`` date of any source in its chains."""

    def describe(self) -> str:
        """"2 independent sources", for a person."""
        n = len(self.independent)
        return f"{n} independent source{'s' * (n != 1)}"


class Finding(NamedTuple):
    """One thing an editor would query, on one record: ``kind`` is ``events`` or
    ``quotes``, ``where`` the field inside it (``("sources", 2)``), ``check`` a key of
    ``CHECKS``."""

    kind: str
    record: str
    where: tuple
    check: str
    message: str


@dataclass
class Report:
    """The sourcing of every event (by position), and the findings, in timeline order."""

    ids: list[str] = field(default_factory=list)
    """Per position: the event's id."""
    independent: array = field(default_factory=lambda: array("I"))
    with_url: bytearray = field(default_factory=bytearray)
    first: list = field(default_factory=list)
    """Per position: the earliest published date (an ``EDate``), or None."""
    names: list[tuple[str, ...]] | None = None
    """Per position: the independent sources by name (only when asked for: ``report(names=True)``)."""
    findings: list[Finding] = field(default_factory=list)

    def extend(self, later: Report) -> None:
        """Add the report of the events that follow these (``SourcingReport.report(positions=…)``)."""
        self.ids += later.ids
        self.independent += later.independent
        self.with_url += later.with_url
        self.first += later.first
        if self.names is not None and later.names is not None:
            self.names += later.names
        self.findings += later.findings

    def counts(self) -> dict[str, int]:
        """How many findings of each check (every check listed, zero or not)."""
        counts = dict.fromkeys(CHECKS, 0)
        for f in self.findings:
            counts[f.check] += 1
        return counts

    def summary(self, counts: dict[str, int] | None = None) -> str:
        """One line: the events, how many rest on one source or have no URL, the findings
        (``counts``: of these findings' checks, when they were made elsewhere, as by a
        forked half)."""
        n = len(self.independent)
        single = self.independent.count(1)
        unsourced = self.independent.count(0)
        no_url = self.with_url.count(0) - unsourced  # an event on no source has no URL either
        counts = self.counts() if counts is None else counts
        found = sum(counts.values())
        detail = ", ".join(f"{c} {CHECKS[k]}" for k, c in counts.items() if c)
        return (f"sourcing: {n} event{'s' * (n != 1)}, {single} on one independent source, "
                f"{unsourced} with none, {no_url} with no URL; {found} warning{'s' * (found != 1)}"
                + (f" ({detail})" if detail else ""))


@dataclass
class _Columns:
    """What every event's cited sources give it, by position (``SourcingReport.prepare``),
    and the refs some finding is about."""

    independent: array = field(default_factory=lambda: array("I"))
    with_url: bytearray = field(default_factory=bytearray)
    first: list = field(default_factory=list)
    """The earliest published ``EDate`` along its supporting chains, or None."""
    lone: dict[int, str] = field(default_factory=dict)
    """Position -> the one independent source of a ``confirmed`` event resting on one."""
    fstarts: list[int] = field(default_factory=lambda: [0])
    """Where each position's flagged refs start in ``flagged`` (one more entry than events)."""
    flagged: list[int] = field(default_factory=list)
    """Ref indexes (``SourceRefs``) with no URL in their chain or published before their event."""
    kinds: list[int] = field(default_factory=list)
    """Per flagged ref: ``_NO_URL`` | ``_EARLY``."""


class SourcingReport:
    """The sourcing of a timeline's events, worked out on demand and remembered per source."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._facts: dict[str, SourceFacts] = {}
        self._chains: dict[str, str] = {}
        self._quoted: dict[str, tuple[Source | None, str | None, frozenset[str]]] = {}
        self._spoken: dict[str, object] = {}
        """Speaker -> the positions of the events they are an actor of."""
        self._by_name: dict[str, list[str]] | None = None
        self._languages: dict[str | None, str | None] = {None: None}
        self._outlets: re.Pattern | None = None
        self._outlet_names: dict[str, str] = {}
        self._note_cache: dict[str, list[str]] = {}
        self._displays: dict[str, str] = {}
        self._by_code: list[SourceFacts | None] = []
        """``facts`` by source index (``SourceRefs.ids``), filled as met."""
        self._dates: dict[str | None, tuple[EDate | None, int | None]] = {}
        self._keys: dict[str, str] = {}
        self._columns: _Columns | None = None

    # --- sources -------------------------------------------------------------------------

    def facts(self, source_id: str) -> SourceFacts:
        """What a source brings, following its ``via`` chain. Each source's facts are
        worked out once, from those of the source it is known through, so a long chain
        costs one step per source (and a loop, which the loader refuses, ends the walk)."""
        known = self._facts.get(source_id)
        if known is not None:
            return known
        sources = self.timeline.sources
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = source_id
        while current is not None and current in sources and current not in self._facts and current not in seen:
            seen.add(current)
            path.append(current)
            current = sources[current].via
        tail = self._facts.get(current) if current is not None else None
        for sid in reversed(path):
            tail = self._facts[sid] = self._step(sources[sid], tail)
        if tail is None:  # an unknown id (the loader refuses them): its own source
            tail = self._facts[source_id] = SourceFacts(f"id:{source_id}", source_id, 1, False, frozenset(),
                                                        None, None, None)
        return tail

    def _step(self, source: Source, then: SourceFacts | None) -> SourceFacts:
        """A source's facts, given those of the source it is known through (if any)."""
        published, early_before = self._published(source.published)
        first = then.first if then is not None else None
        if published is not None and (first is None or published.lower < first.lower):
            first = published
        outlets = then.outlets if then is not None else frozenset()
        if source.publisher and source.publisher.strip():
            outlet = self._folded(source.publisher)
            if outlet not in outlets:
                outlets = outlets | {outlet}
        key, name = (then.key, then.name) if then is not None else self._identity(source)
        return SourceFacts(
            key=key, name=name, length=1 + (then.length if then is not None else 0),
            has_url=_has_url(source) or (then is not None and then.has_url), outlets=outlets,
            published=published, first=first, early_before=early_before,
        )

    def _published(self, text: str | None) -> tuple[EDate | None, int | None]:
        """A ``published`` date parsed, and the second after which an event certainly came
        after it (``SourceFacts.early_before``); remembered per text (sources share dates)."""
        known = self._dates.get(text)
        if known is None:
            edate = _date(text)
            known = self._dates[text] = (edate, edate.upper if edate is not None and not edate.uncertain else None)
        return known

    def _folded(self, name: str) -> str:
        """``_key`` of a publisher, remembered (a few hundred outlets publish every source)."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = _key(name)
        return key

    def _chain_text(self, source_id: str) -> str:
        """A source's ``via`` chain for a message: ``a -> b -> c``, its middle left out when long."""
        text = self._chains.get(source_id)
        if text is None:
            chain = [s.id for s in self.timeline.via_chain(source_id)] or [source_id]
            if len(chain) > 6:
                text = f"{' -> '.join(chain[:3])} -> … -> {' -> '.join(chain[-2:])}, {len(chain)} sources"
            else:
                text = " -> ".join(chain)
            self._chains[source_id] = text
        return text

    def _identity(self, end: Source) -> tuple[str, str]:
        """The independent source a chain ending at ``end`` counts as: key and name."""
        publisher = (end.publisher or "").strip()
        author = self.timeline.actor_name(end.author) if end.author else None
        if end.kind == "social-post" and author:
            key = f"author:{end.author}"
            return (f"{self._folded(publisher)}|{key}", f"{author} on {publisher}" if publisher else author)
        if publisher:
            return f"publisher:{self._folded(publisher)}", publisher
        if end.author:
            return f"author:{end.author}", author
        return f"id:{end.id}", end.title or end.id

    # --- events --------------------------------------------------------------------------

    def event(self, event: Event) -> EventSourcing:
        """The sourcing of one event (what the explorer shows)."""
        names: dict[str, str] = {}
        has_url = False
        first: EDate | None = None
        for ref in event.source_refs():
            if ref.stance != "supports":  # one that disputes or only mentions it stands not behind it
                continue
            facts = self.facts(ref.source)
            names.setdefault(facts.key, facts.name)
            has_url = has_url or facts.has_url
            if facts.first is not None and (first is None or facts.first.lower < first.lower):
                first = facts.first
        return EventSourcing(tuple(names.values()), has_url, first)

    def report(self, *, names: bool = False, positions: range | None = None, untied: bool = True,
               vector: bool | None = None) -> Report:
        """Every event's sourcing and every finding, in timeline order, then the findings
        on quotes tied to no event. ``names``: keep each event's independent sources by name.
        ``positions``: only these events (a part, as ``Report.extend`` joins them again);
        ``untied``: also check the quotes tied to no event; ``vector``: make the findings in
        numpy (``_findings_numpy``: the default from ``VECTOR_FROM`` events) or in the loop
        below (both make the same findings).

        What each event's cited sources give it is worked out for every event at once
        (``prepare``: in numpy for a big timeline), from the refs the loader gathered
        (``Timeline.source_refs``: nothing of the events is read back from a big file); then
        one pass makes the findings, reading a chunk of quotes back at a time."""
        t = self.timeline
        columns = self.prepare()
        report = Report(names=[] if names else None)
        add = report.findings.append
        refs = t.source_refs
        starts, codes, stances, source_ids, notes = refs.starts, refs.sources, refs.stances, refs.ids, refs.event_notes
        by_code = self._by_code
        texts = getattr(t.dates, "texts", None)  # a big file's dates, as stored (parsed when asked)
        display = self.display
        positions = range(len(t)) if positions is None else positions
        event_ids = self.event_ids()
        p0, p1 = positions.start, positions.stop
        report.ids += event_ids[p0:p1]
        report.independent += columns.independent[p0:p1]
        report.with_url += columns.with_url[p0:p1]
        report.first += columns.first[p0:p1]
        kept = report.names
        if len(t) >= VECTOR_FROM if vector is None else vector:
            if kept is not None:
                for pos in positions:
                    independent = {}
                    for k in range(starts[pos], starts[pos + 1]):
                        if stances[k] == SUPPORTS:
                            facts = by_code[codes[k]]
                            independent.setdefault(facts.key, facts.name)
                    kept.append(tuple(independent.values()))
            report.findings = self._findings_numpy(p0, p1, untied)
            return report
        lone, fstarts, flagged, kinds = columns.lone, columns.fstarts, columns.flagged, columns.kinds
        qstarts = t.quote_starts
        check_quote = self._quote_findings
        for first_pos in range(p0, p1, _CHUNK):
            span = range(first_pos, min(first_pos + _CHUNK, p1))
            base = qstarts[span.start]
            qids, speakers, said_in, languages, originals = self._quotes(range(base, qstarts[span.stop]))
            for pos in span:
                event_id = event_ids[pos]
                if kept is not None:
                    independent: dict[str, str] = {}
                    for k in range(starts[pos], starts[pos + 1]):
                        if stances[k] == SUPPORTS:
                            facts = by_code[codes[k]]
                            independent.setdefault(facts.key, facts.name)
                    kept.append(tuple(independent.values()))
                name = lone.get(pos)
                if name is not None:
                    add(_finding(Finding, ("events", event_id, (), "single-source",
                                f"event '{event_id}' is 'confirmed' (also the default) but rests on one "
                                f"independent source ({name}): cite another, or make it 'reported'")))
                f0, f1 = fstarts[pos], fstarts[pos + 1]
                if f0 != f1:
                    s0 = starts[pos]
                    for i in range(f0, f1):
                        k = flagged[i]
                        code = codes[k]
                        sid = source_ids[code]
                        kind = kinds[i]
                        if kind & _NO_URL:
                            add(_finding(Finding, ("events", event_id, ("sources", k - s0), "no-url",
                                        f"no source in the chain of '{sid}' has an http(s) URL "
                                        f"({self._chain_text(sid)})")))
                        if kind & _EARLY:
                            # the event's date is parsed only here: most sources come after their event
                            text = texts[pos] if texts is not None else t.dates[pos].text
                            if not _QUALIFIED.search(text):
                                add(_finding(Finding, ("events", event_id, ("sources", k - s0), "published-early",
                                            f"source '{sid}' was published {display(by_code[code].published.text)}, "
                                            f"before the event it reports on ({display(text)})")))
                q0, q1 = qstarts[pos] - base, qstarts[pos + 1] - base
                note = notes.get(pos)
                if note:
                    cited = [(source_ids[codes[k]], by_code[codes[k]]) for k in range(starts[pos], starts[pos + 1])]
                    self._note_findings(event_id, note, cited, said_in[q0:q1], add)
                for i in range(q0, q1):
                    check_quote(qids[i], speakers[i], said_in[i], languages[i], originals[i], event_id, pos, add)
        if untied:
            for quote in zip(*self._quotes(range(qstarts[len(t)] if len(t) else 0, len(t.quotes)))):
                check_quote(*quote, None, None, add)
        return report

    def _findings_numpy(self, p0: int, p1: int, untied: bool) -> list[Finding]:
        """``report``'s findings for events ``p0:p1`` (and the quotes tied to no event, with
        ``untied``), the same and in the same order as its loop makes them, but with Python
        spent only on what is found: numpy picks the events and quotes with a finding, each
        check's messages are made by C-level maps (``%`` formatting, one message per source
        where it depends on the source alone), and one sort puts them in timeline order (by
        position, then single source, cited refs, note, quotes; then where in the event)."""
        import numpy as np

        t = self.timeline
        columns = self.prepare()
        refs = t.source_refs
        event_ids = self.event_ids()
        texts = getattr(t.dates, "texts", None)
        texts = texts if texts is not None else [d.text for d in t.dates]
        parts: list[tuple] = []  # (primary keys, secondary keys, findings), each in order

        def made(kind: str, records: list[str], wheres, check: str, messages: list[str]) -> list[Finding]:
            return list(map(_finding, repeat(Finding), zip(repeat(kind), records, wheres, repeat(check), messages)))

        lone = [(p, name) for p, name in columns.lone.items() if p0 <= p < p1]
        if lone:
            at, lone_names = zip(*lone)
            ids = list(map(event_ids.__getitem__, at))
            parts.append((np.array(at, np.int64) * 4, np.zeros(len(at), np.int64),
                          made("events", ids, repeat(()), "single-source", list(map(_SINGLE.__mod__, zip(ids, lone_names))))))
        f0, f1 = columns.fstarts[p0], columns.fstarts[p1]
        if f1 > f0:
            starts = np.frombuffer(refs.starts, np.uint32).astype(np.int64)
            flagged = np.asarray(columns.flagged[f0:f1], np.int64)
            kinds = np.asarray(columns.kinds[f0:f1], np.int64)
            at = np.searchsorted(starts, flagged, side="right") - 1  # each flagged ref's position
            local = flagged - starts[at]
            codes = np.frombuffer(refs.sources, np.uint32)[flagged]
            wheres = [("sources", k) for k in range(int(local.max()) + 1)]
            source_ids = refs.ids
            by_code = self._by_code
            no_url = np.flatnonzero(kinds & _NO_URL)
            if len(no_url):
                chosen = codes[no_url].tolist()
                said = {code: _NO_URL_MESSAGE % (source_ids[code], self._chain_text(source_ids[code]))
                        for code in dict.fromkeys(chosen)}
                parts.append((at[no_url] * 4 + 1, local[no_url] * 2,
                              made("events", list(map(event_ids.__getitem__, at[no_url].tolist())),
                                   map(wheres.__getitem__, local[no_url].tolist()), "no-url",
                                   list(map(said.__getitem__, chosen)))))
            early = np.flatnonzero(kinds & _EARLY)
            if len(early):
                dates = list(map(texts.__getitem__, at[early].tolist()))
                # the event's date shown, or None when qualified (it cannot show a report came first)
                shown = {text: None if _QUALIFIED.search(text) else self.display(text) for text in dict.fromkeys(dates)}
                dates = list(map(shown.__getitem__, dates))
                kept = [d is not None for d in dates]
                early = early[np.array(kept, np.bool_)]
                dates = list(compress(dates, kept))
                chosen = codes[early].tolist()
                published = {code: (source_ids[code], self.display(by_code[code].published.text))
                             for code in dict.fromkeys(chosen)}
                parts.append((at[early] * 4 + 1, local[early] * 2 + 1,
                              made("events", list(map(event_ids.__getitem__, at[early].tolist())),
                                   map(wheres.__getitem__, local[early].tolist()), "published-early",
                                   list(map(_EARLY_MESSAGE.__mod__, (published[c] + (d,) for c, d in zip(chosen, dates)))))))
        qstarts = t.quote_starts
        n = len(t)
        a = qstarts[p0]
        tied = self._quotes(range(a, qstarts[p1]))
        loose = self._quotes(range(qstarts[n], len(t.quotes))) if untied else ([], [], [], [], b"")
        notes = refs.event_notes
        if notes:
            noted: list[Finding] = []
            at_noted: list[int] = []
            order: list[int] = []
            for pos in sorted(p for p in notes if p0 <= p < p1 and notes[p]):
                before = len(noted)
                cited = [(refs.ids[refs.sources[k]], self._by_code[refs.sources[k]])
                         for k in range(refs.starts[pos], refs.starts[pos + 1])]
                self._note_findings(event_ids[pos], notes[pos], cited, tied[2][qstarts[pos] - a:qstarts[pos + 1] - a],
                                    noted.append)
                at_noted += [pos] * (len(noted) - before)
                order += range(len(noted) - before)
            if noted:
                parts.append((np.array(at_noted, np.int64) * 4 + 2, np.array(order, np.int64), noted))
        parts += self._quote_findings_numpy(tied, loose, p0, p1)
        return _in_order(np, parts)

    def _quote_findings_numpy(self, tied: tuple, loose: tuple, p0: int, p1: int) -> list[tuple]:
        """``_findings_numpy``'s part for the quotes: those of events ``p0:p1`` (``tied``,
        their ``_quotes``), then ``loose`` (those tied to no event, or none)."""
        import numpy as np

        t = self.timeline
        n = len(t)
        qstarts = np.asarray(t.quote_starts, np.int64)
        event_ids = self.event_ids()
        ids, speakers, said_in, languages = (tied[i] + loose[i] for i in range(4))
        originals = bytes(tied[4]) + bytes(loose[4])
        if not ids:
            return []
        m = len(ids)
        count = len(tied[0])  # those tied to an event (the rest are tied to none)
        at = np.full(m, n, np.int64)
        at[:count] = np.repeat(np.arange(p0, p1, dtype=np.int64), np.diff(qstarts[p0:p1 + 1]))
        local = np.arange(m, dtype=np.int64)
        local[:count] -= qstarts[at[:count]] - qstarts[p0]
        # the sources: known or not, their language, who may speak in them (``_quoted_source``)
        distinct = list(dict.fromkeys(said_in))
        code_of = {sid: i for i, sid in enumerate(distinct)}
        quoted = [self._quoted.get(sid) or self._quoted.setdefault(sid, self._quoted_source(sid)) for sid in distinct]
        source_code = np.fromiter(map(code_of.__getitem__, said_in), np.int64, m)
        known = np.fromiter((q[0] is not None for q in quoted), np.bool_, len(quoted))[source_code]
        tongues = {None: -1}  # each primary language's number
        printed = np.fromiter((tongues.setdefault(q[1], len(tongues)) for q in quoted), np.int64, len(quoted))
        primary = self._languages
        for language in dict.fromkeys(languages):
            if language not in primary:
                primary[language] = _language(language)
        said = np.fromiter(map(tongues.setdefault, map(primary.__getitem__, languages), repeat(len(tongues) + 1)), np.int64, m)
        printed = printed[source_code]
        translated = known & (said != -1) & (printed != -1) & (said != printed) & (
            np.frombuffer(bytes(originals), np.uint8) == 0)
        # speakers: neither a voice of the source nor an actor of the event
        people = {sp: i for i, sp in enumerate(dict.fromkeys(speakers))}
        speaker_code = np.fromiter(map(people.__getitem__, speakers), np.int64, m)
        width = len(people)
        voices = sorted(code * width + people[v] for code, q in enumerate(quoted) for v in q[2] if v in people)
        voice_keys = np.array(voices, np.int64)
        pair = source_code * width + speaker_code
        heard = np.zeros(m, np.bool_)
        if len(voice_keys):
            i = np.minimum(np.searchsorted(voice_keys, pair), len(voice_keys) - 1)
            heard = voice_keys[i] == pair
        spoken = self._spoken
        for sp in people:
            if sp not in spoken:
                spoken[sp] = t.actor_positions(sp)
        postings = [np.asarray(spoken[sp], np.int64) for sp in people]
        acting = np.zeros(m, np.bool_)
        if postings and sum(map(len, postings)):
            span = n + 1
            actor_keys = np.concatenate([code * span + p for code, p in enumerate(postings)])  # ascending
            keys = speaker_code * span + at
            i = np.minimum(np.searchsorted(actor_keys, keys), len(actor_keys) - 1)
            acting = (actor_keys[i] == keys) & (at < n)
        unheard = known & ~heard & ~acting
        parts = []
        chosen = np.flatnonzero(translated).tolist()
        if chosen:
            messages = list(map(_TRANSLATION.__mod__, ((ids[i], languages[i], quoted[c][0].id, quoted[c][0].language)
                                                        for i, c in zip(chosen, source_code[chosen].tolist()))))
            parts.append((at[chosen] * 4 + 3, local[chosen] * 2,
                          list(map(_finding, repeat(Finding), zip(repeat("quotes"), map(ids.__getitem__, chosen),
                                                                  repeat(("language",)), repeat("translation"), messages)))))
        chosen = np.flatnonzero(unheard).tolist()
        if chosen:
            places = [f"an actor of event '{event_ids[p]}'" if p < n else "tied to an event" for p in at[chosen].tolist()]
            messages = list(map(_SPEAKER.__mod__, zip(map(speakers.__getitem__, chosen), places,
                                                      (quoted[c][0].id for c in source_code[chosen].tolist()))))
            parts.append((at[chosen] * 4 + 3, local[chosen] * 2 + 1,
                          list(map(_finding, repeat(Finding), zip(repeat("quotes"), map(ids.__getitem__, chosen),
                                                                  repeat(("speaker",)), repeat("speaker"), messages)))))
        return parts

    def _quotes(self, indexes: range) -> tuple[list[str], list[str], list[str], list[str | None], bytes]:
        """What the checks read of these quotes: ids, speakers, sources, languages, whether
        each has an ``original``; from what the reader gathered (``Timeline.quote_facts``),
        else read back from the file."""
        t = self.timeline
        facts = getattr(t, "quote_facts", None)
        a, b = indexes.start, indexes.stop
        if facts is not None and len(facts) == len(t.quotes):
            return facts.ids[a:b], facts.speakers[a:b], facts.sources[a:b], facts.languages[a:b], facts.originals[a:b]
        quotes = records_at(t.quotes, indexes, _DECODE_QUOTES)
        return ([q.id for q in quotes], [q.speaker for q in quotes], [q.source for q in quotes],
                [q.language for q in quotes], bytes([bool((q.original or "").strip()) for q in quotes]))

    def event_ids(self) -> list[str]:
        """Every event's id, by position."""
        ids = getattr(self.timeline.events, "ids", None)  # a big file's, kept apart from its records
        return [e.id for e in self.timeline.events] if ids is None else ids

    def prepare(self, *, vector: bool | None = None) -> _Columns:
        """What every event's cited sources give it (``_Columns``), worked out once: every
        source's facts first (so a forked half finds them made, ``report_halves``), then
        the events, in numpy from ``VECTOR_FROM`` events (``vector``: force either way;
        both give the same columns)."""
        if self._columns is not None and vector is None:
            return self._columns
        t = self.timeline
        source_ids = t.source_refs.ids
        self._by_code[:] = [self.facts(sid) for sid in source_ids]
        if vector is None:
            vector = len(t) >= VECTOR_FROM
        columns = self._columns_numpy() if vector else self._columns_python()
        self._columns = columns
        return columns

    def _columns_python(self) -> _Columns:
        t = self.timeline
        refs = t.source_refs
        starts, codes, stances = refs.starts, refs.sources, refs.stances
        by_code, lower, unconfirmed = self._by_code, t.lower, self._unconfirmed()
        columns = _Columns()
        independent_counts, with_url, firsts, lone = columns.independent, columns.with_url, columns.first, columns.lone
        fstarts, flagged, kinds = columns.fstarts, columns.flagged, columns.kinds
        for pos in range(len(t)):
            independent: dict[str, str] = {}
            has_url = False
            first = None
            after = lower[pos]
            for k in range(starts[pos], starts[pos + 1]):
                facts = by_code[codes[k]]
                kind = (0 if facts.has_url else _NO_URL) | (
                    _EARLY if facts.early_before is not None and facts.early_before < after else 0)
                if kind:
                    flagged.append(k)
                    kinds.append(kind)
                if stances[k] == SUPPORTS:
                    independent.setdefault(facts.key, facts.name)
                    has_url = has_url or facts.has_url
                    if facts.first is not None and (first is None or facts.first.lower < first.lower):
                        first = facts.first
            fstarts.append(len(flagged))
            independent_counts.append(len(independent))
            with_url.append(has_url)
            firsts.append(first)
            if len(independent) == 1 and not unconfirmed[pos]:
                lone[pos] = next(iter(independent.values()))
        return columns

    def _columns_numpy(self) -> _Columns:
        import numpy as np  # a runtime dependency already (the cache's range checks)

        t = self.timeline
        n = len(t)
        refs = t.source_refs
        facts = self._by_code
        never = np.iinfo(np.int64).max
        keys: dict[str, int] = {}
        key_of = np.fromiter((keys.setdefault(f.key, len(keys)) for f in facts), np.int64, len(facts))
        url_of = np.fromiter((f.has_url for f in facts), np.bool_, len(facts))
        first_of = np.fromiter((never if f.first is None else f.first.lower for f in facts), np.int64, len(facts))
        early_of = np.fromiter((never if f.early_before is None else f.early_before for f in facts), np.int64,
                               len(facts))
        starts = np.frombuffer(refs.starts, np.uint32).astype(np.int64) if len(refs.starts) else np.zeros(1, np.int64)
        codes = np.frombuffer(refs.sources, np.uint32).astype(np.int64)
        stances = np.frombuffer(refs.stances, np.uint8)
        at = np.repeat(np.arange(n, dtype=np.int64), np.diff(starts))  # each ref's position
        lower = np.asarray(t.lower, np.int64)

        columns = _Columns()
        # flagged refs: no URL along the chain, or published before the event began
        kind = np.where(url_of[codes], 0, _NO_URL) | np.where(early_of[codes] < lower[at], _EARLY, 0)
        flagged = np.flatnonzero(kind)
        columns.flagged = flagged.tolist()
        columns.kinds = kind[flagged].tolist()
        columns.fstarts = np.searchsorted(flagged, starts).tolist()

        supporting = np.flatnonzero(stances == SUPPORTS)  # ascending: in the order cited
        where = at[supporting]
        cited = codes[supporting]
        width = max(len(keys), 1)
        pairs = np.sort(where * width + key_of[cited])  # (position, independent source)
        distinct = np.ones(len(pairs), np.bool_)
        distinct[1:] = pairs[1:] != pairs[:-1]
        independent = np.bincount(pairs[distinct] // width, minlength=n)
        columns.independent = array("I", independent.astype(np.uint32).tobytes())
        with_url = np.zeros(n, np.uint8)
        with_url[where[url_of[cited]]] = 1
        columns.with_url = bytearray(with_url.tobytes())
        starting = np.ones(len(where), np.bool_)  # ``where`` ascends: each position's first ref
        starting[1:] = where[1:] != where[:-1]
        first_ref = np.flatnonzero(starting)
        # the earliest first-published date of each event's chains (the first cited, on a tie):
        # each position's least date, then its first ref holding it (no sort: refs are grouped)
        lowest = first_of[cited]
        least = np.minimum.reduceat(lowest, first_ref) if len(first_ref) else lowest[:0]
        group = np.cumsum(starting) - 1  # each supporting ref's position's group
        holds = np.flatnonzero((lowest == least[group]) & (lowest != never))
        if len(holds):
            taken = np.ones(len(holds), np.bool_)
            taken[1:] = group[holds][1:] != group[holds][:-1]
            holds = holds[taken]
        firsts = [None] * n
        first_of_code = [f.first for f in facts]
        for pos, code in zip(where[holds].tolist(), cited[holds].tolist()):
            firsts[pos] = first_of_code[code]
        columns.first = firsts
        # confirmed events resting on one independent source, and its name (its first ref's)
        unconfirmed = np.frombuffer(self._unconfirmed(), np.uint8) if n else np.zeros(0, np.uint8)
        lone = (independent[where[first_ref]] == 1) & (unconfirmed[where[first_ref]] == 0)
        names = [f.name for f in facts]
        columns.lone = dict(zip(where[first_ref][lone].tolist(),
                                map(names.__getitem__, cited[first_ref][lone].tolist())))
        return columns

    def _unconfirmed(self) -> bytearray:
        """Per position, 1 where the event's confidence is not ``confirmed`` (the default)."""
        t = self.timeline
        mask = bytearray(len(t))
        for confidence in CONFIDENCES:
            if confidence != "confirmed":
                for p in t.confidence_positions(confidence):
                    mask[p] = 1
        return mask

    def display(self, date_text: str) -> str:
        """A stored date as a person reads it (remembered: many events share a date)."""
        shown = self._displays.get(date_text)
        if shown is None:
            shown = point_display(date_text)  # most dates: read off the text
            if shown is None:
                edate = _date(date_text)
                shown = edate.display() if edate is not None else date_text
            if len(self._displays) < 1_000_000:
                self._displays[date_text] = shown
        return shown

    def displays(self, texts: list[str | None]) -> list[str]:
        """``display`` of each of these date texts (a column of the table), "—" for None."""
        known = self._displays.get
        return [known(text) or ("—" if text is None else self.display(text)) for text in texts]

    def _note_findings(self, event_id: str, note: str, cited, quotes: list[str], add) -> None:
        """``quotes``: the sources of the event's quotes."""
        found = self._named_outlets(note)
        if not found:
            return
        # the outlets the event stands on: its sources, and those of its quotes
        outlets = set().union(*(facts.outlets for _, facts in cited),
                              *(self.facts(source).outlets for source in quotes))
        for name in found:
            if name not in outlets:
                add(_finding(Finding, ("events", event_id, ("note",), "note-outlet",
                            f"the note names {self._outlet_names[name]}, which publishes none of "
                            f"this event's sources")))

    def _quote_findings(self, quote_id: str, speaker: str, source_id: str, language: str | None, original: int,
                        event_id: str | None, position: int | None, add) -> None:
        known = self._quoted.get(source_id)
        if known is None:
            known = self._quoted[source_id] = self._quoted_source(source_id)
        source, printed, voices = known
        if source is None:
            return
        languages = self._languages
        said = languages.get(language, False)
        if said is False:
            said = languages[language] = _language(language)
        if said is not None and printed and said != printed and not original:
            add(_finding(Finding, ("quotes", quote_id, ("language",), "translation",
                        f"quote '{quote_id}' is in '{language}' but its source '{source.id}' is in "
                        f"'{source.language}', and it has no 'original' (a translation shown as verbatim)")))
        if speaker in voices:
            return
        if position is not None:
            postings = self._spoken.get(speaker)
            if postings is None:
                postings = self._spoken[speaker] = self.timeline.actor_positions(speaker)
            at = bisect_left(postings, position)
            if at < len(postings) and postings[at] == position:  # an actor of the event
                return
        where = f"an actor of event '{event_id}'" if event_id is not None else "tied to an event"
        add(_finding(Finding, ("quotes", quote_id, ("speaker",), "speaker",
                    f"speaker '{speaker}' is neither {where} nor the author or publisher "
                    f"of source '{source.id}'")))

    def _quoted_source(self, source_id: str) -> tuple[Source | None, str | None, frozenset[str]]:
        """What the quotes' checks need of a source, once per source: the record, its
        language (primary) and who may speak in it (``_voices_of``)."""
        source = self.timeline.sources.get(source_id)
        if source is None:
            return None, None, frozenset()
        return source, _language(source.language), self._voices_of(source)

    def _voices_of(self, source: Source) -> frozenset[str]:
        """Who may speak in a source besides the actors of the quote's event: its author, and
        the outlet that publishes it (an actor whose name or an alias is the ``publisher``,
        case and accents ignored: CNN quoting its own reporting)."""
        voices = {source.author} if source.author else set()
        if source.publisher and source.publisher.strip():
            if self._by_name is None:
                self._by_name = {}
                for actor in self.timeline.actors.values():
                    for name in {_key(n) for n in (actor.name, *actor.aliases)}:
                        self._by_name.setdefault(name, []).append(actor.id)
            voices.update(self._by_name.get(self._folded(source.publisher), ()))
        return frozenset(voices)

    # --- notes ---------------------------------------------------------------------------

    def _named_outlets(self, note: str) -> list[str]:
        """The outlets (folded publisher names the file knows) that a note names as words."""
        if self._outlets is None:
            names = {}
            for s in self.timeline.sources.values():
                # a platform (X, Telegram) is where a post appears, not an outlet a note cites
                if s.publisher and s.publisher.strip() and s.kind != "social-post":
                    names.setdefault(_key(s.publisher), s.publisher.strip())
            self._outlet_names = names
            alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            self._outlets = re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])") if names else re.compile(r"(?!)")
        found = self._note_cache.get(note)
        if found is None:
            found = list(dict.fromkeys(self._outlets.findall(_key(note))))
            if len(self._note_cache) < 100_000:  # generated timelines repeat their notes
                self._note_cache[note] = found
        return found


_SHARED: weakref.WeakKeyDictionary[Timeline, SourcingReport] = weakref.WeakKeyDictionary()


def shared(timeline: Timeline) -> SourcingReport:
    """One ``SourcingReport`` per timeline, for the panes that each show a part of it (what
    one works out about a source, the others need not work out again). It holds the timeline
    weakly: a strong reference from the value would keep the key, and the timeline's open
    file, alive for ever (a live reload makes a new timeline at every change)."""
    report = _SHARED.get(timeline)
    if report is None:
        report = _SHARED[timeline] = SourcingReport(weakref.proxy(timeline))
    return report
