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
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from .dates import DateError, EDate, parse_edtf
from .entities import Event, Quote, Source
from .text import fold
from .timeline import Timeline

__all__ = ["SourcingReport", "SourceFacts", "EventSourcing", "Finding", "Report", "CHECKS"]

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


def _cited(event: Event) -> list[tuple[int, str, bool]]:
    """Each source an event cites: its index in ``sources``, its id, and whether it supports
    the event (a plain id does; a source that disputes or only mentions it does not count
    among the sources standing behind it)."""
    out = []
    for j, ref in enumerate(event.sources):
        if ref.__class__ is str:
            out.append((j, ref, True))
        else:
            out.append((j, ref.source, getattr(ref, "stance", "supports") == "supports"))
    return out

"""Events read back from a big file at a time."""


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


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What one source brings to any event that cites it."""

    key: str
    """The independent source it counts as (a folded publisher, or author, or id)."""
    name: str
    """That source as a person reads it ("CNN", "Omar González on X")."""
    chain: tuple[str, ...]
    """The ids along its ``via`` chain, itself first."""
    has_url: bool
    """Some source along the chain has an http(s) URL."""
    outlets: frozenset[str]
    """Publishers (folded) along the chain: the outlets this source stands for."""
    published: EDate | None
    """Its own ``published`` date."""
    first: EDate | None
    """The earliest ``published`` date along the chain."""


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


@dataclass(frozen=True, slots=True)
class Finding:
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

    def counts(self) -> dict[str, int]:
        """How many findings of each check (every check listed, zero or not)."""
        counts = dict.fromkeys(CHECKS, 0)
        for f in self.findings:
            counts[f.check] += 1
        return counts

    def summary(self) -> str:
        """One line: the events, how many rest on one source or have no URL, the findings."""
        n = len(self.independent)
        single = sum(1 for c in self.independent if c == 1)
        unsourced = sum(1 for c in self.independent if c == 0)
        no_url = sum(1 for i, u in enumerate(self.with_url) if not u and self.independent[i])
        counts = self.counts()
        found = len(self.findings)
        detail = ", ".join(f"{c} {CHECKS[k]}" for k, c in counts.items() if c)
        return (f"sourcing: {n} event{'s' * (n != 1)}, {single} on one independent source, "
                f"{unsourced} with none, {no_url} with no URL; {found} warning{'s' * (found != 1)}"
                + (f" ({detail})" if detail else ""))


class SourcingReport:
    """The sourcing of a timeline's events, worked out on demand and remembered per source."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._facts: dict[str, SourceFacts] = {}
        self._speaker_names: dict[str, frozenset[str]] = {}
        self._outlets: re.Pattern | None = None
        self._outlet_names: dict[str, str] = {}
        self._note_cache: dict[str, list[str]] = {}

    # --- sources -------------------------------------------------------------------------

    def facts(self, source_id: str) -> SourceFacts:
        """What a source brings, following its ``via`` chain (cycle-safe; each source's
        facts are worked out once)."""
        known = self._facts.get(source_id)
        if known is not None:
            return known
        sources = self.timeline.sources
        chain = [s.id for s in self.timeline.via_chain(source_id)]
        if not chain:  # an unknown id (the loader refuses them): its own source
            facts = SourceFacts(f"id:{source_id}", source_id, (source_id,), False, frozenset(), None, None)
            self._facts[source_id] = facts
            return facts
        end = sources[chain[-1]]
        records = [sources[i] for i in chain]
        dates = [d for d in (_date(s.published) for s in records) if d is not None]
        facts = SourceFacts(
            key=self._identity(end)[0], name=self._identity(end)[1], chain=tuple(chain),
            has_url=any(map(_has_url, records)),
            outlets=frozenset(_key(s.publisher) for s in records if s.publisher and s.publisher.strip()),
            published=_date(records[0].published),
            first=min(dates, key=lambda d: d.lower) if dates else None,
        )
        self._facts[source_id] = facts
        return facts

    def _identity(self, end: Source) -> tuple[str, str]:
        """The independent source a chain ending at ``end`` counts as: key and name."""
        publisher = (end.publisher or "").strip()
        author = self.timeline.actor_name(end.author) if end.author else None
        if end.kind == "social-post" and author:
            key = f"author:{end.author}"
            return (f"{_key(publisher)}|{key}", f"{author} on {publisher}" if publisher else author)
        if publisher:
            return f"publisher:{_key(publisher)}", publisher
        if end.author:
            return f"author:{end.author}", author
        return f"id:{end.id}", end.title or end.id

    # --- events --------------------------------------------------------------------------

    def event(self, event: Event) -> EventSourcing:
        """The sourcing of one event (what the explorer shows)."""
        names: dict[str, str] = {}
        has_url = False
        first: EDate | None = None
        for _, sid, supports in _cited(event):
            if not supports:
                continue
            facts = self.facts(sid)
            names.setdefault(facts.key, facts.name)
            has_url = has_url or facts.has_url
            if facts.first is not None and (first is None or facts.first.lower < first.lower):
                first = facts.first
        return EventSourcing(tuple(names.values()), has_url, first)

    def report(self, *, names: bool = False) -> Report:
        """Every event's sourcing and every finding, in timeline order, then the findings
        on quotes tied to no event. ``names``: keep each event's independent sources by name."""
        t = self.timeline
        report = Report(names=[] if names else None)
        add = report.findings.append
        tied = 0
        for span, events, quotes in self._chunks():
            at = 0
            for pos, event in zip(span, events):
                own = quotes[at:at + t.quote_count(pos)]
                at += len(own)
                summary = self.event(event)
                report.ids.append(event.id)
                if names:
                    report.names.append(summary.independent)
                report.independent.append(len(summary.independent))
                report.with_url.append(summary.has_url)
                report.first.append(summary.first)
                for finding in self._event_findings(pos, event, summary, own):
                    add(finding)
                tied += len(own)
                for quote in own:
                    for finding in self._quote_findings(quote, event):
                        add(finding)
        for quote in t.quotes[tied:]:
            for finding in self._quote_findings(quote, None):
                add(finding)
        return report

    def _chunks(self) -> Iterator[tuple[range, list[Event], list[Quote]]]:
        """The events and their quotes, a chunk of positions at a time (one read each from a
        big file)."""
        t = self.timeline
        for first in range(0, len(t), _CHUNK):
            span = range(first, min(first + _CHUNK, len(t)))
            yield span, t.events_at(span), t.quotes_of(span)

    def _event_findings(self, pos: int, event: Event, summary: EventSourcing,
                        quotes: list[Quote]) -> Iterator[Finding]:
        t = self.timeline
        if event.confidence == "confirmed" and len(summary.independent) == 1:
            yield Finding("events", event.id, (), "single-source",
                          f"event '{event.id}' is 'confirmed' (also the default) but rests on one "
                          f"independent source ({summary.independent[0]}): cite another, or make it 'reported'")
        edate = t.dates[pos]
        cited = _cited(event)
        for j, sid, _ in cited:
            facts = self.facts(sid)
            if not facts.has_url:
                yield Finding("events", event.id, ("sources", j), "no-url",
                              f"no source in the chain of '{sid}' has an http(s) URL ({' -> '.join(facts.chain)})")
            published = facts.published
            if (published is not None and published.upper < edate.lower
                    and not published.uncertain and not edate.uncertain):
                yield Finding("events", event.id, ("sources", j), "published-early",
                              f"source '{sid}' was published {published.display()}, before the event it "
                              f"reports on ({edate.display()})")
        if event.note:
            # the outlets the event stands on: its sources, and those of its quotes
            named = [*(sid for _, sid, _ in cited), *(q.source for q in quotes)]
            outlets = set().union(*(self.facts(sid).outlets for sid in named))
            for name in self._named_outlets(event.note):
                if name not in outlets:
                    yield Finding("events", event.id, ("note",), "note-outlet",
                                  f"the note names {self._outlet_names[name]}, which publishes none of "
                                  f"this event's sources")

    def _quote_findings(self, quote: Quote, event: Event | None) -> Iterator[Finding]:
        source = self.timeline.sources.get(quote.source)
        if source is None:
            return
        said, printed = _language(quote.language), _language(source.language)
        if said and printed and said != printed and not (quote.original or "").strip():
            yield Finding("quotes", quote.id, ("language",), "translation",
                          f"quote '{quote.id}' is in '{quote.language}' but its source '{source.id}' is in "
                          f"'{source.language}', and it has no 'original' (a translation shown as verbatim)")
        if not self._speaks_for(quote.speaker, event, source):
            where = f"an actor of event '{event.id}'" if event is not None else "tied to an event"
            yield Finding("quotes", quote.id, ("speaker",), "speaker",
                          f"speaker '{quote.speaker}' is neither {where} nor the author or publisher "
                          f"of source '{source.id}'")

    def _speaks_for(self, speaker: str, event: Event | None, source: Source) -> bool:
        """The speaker takes part in the quote's event, or is the voice of its source (its
        author, or the outlet that publishes it, by name or alias)."""
        if event is not None and speaker in event.actor_ids():
            return True
        if source.author == speaker:
            return True
        if not source.publisher:
            return False
        names = self._speaker_names.get(speaker)
        if names is None:
            actor = self.timeline.actors.get(speaker)
            names = frozenset(_key(n) for n in ((actor.name, *actor.aliases) if actor else ()))
            self._speaker_names[speaker] = names
        return _key(source.publisher) in names

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

