"""Who says what: each cited source's stance on an event, for the disputed view and exports.

An event is *disputed* when its confidence says so or when any of its sources disputes it
(``is:disputed``). Its claims are its sources with publisher, date, stance and note, the
disputing ones set beside the supporting ones so both sides read at a glance.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from .dates import EDate
from .first_report import first_reports, source_date
from .timeline import Timeline

__all__ = ["Claim", "claims", "disputed_positions", "sides"]


@dataclass(frozen=True)
class Claim:
    """One source's stance on one event."""

    source_id: str
    title: str
    publisher: str
    date: EDate | None
    via: str | None
    """The source whose date ``date`` is, when the cited one is known through it."""
    stance: str
    note: str


def claims(timeline: Timeline, position: int, *, upper: int | None = None) -> list[Claim]:
    """The event's sources as claims, in the order cited (those published after second
    ``upper`` left out; undated ones kept)."""
    out: list[Claim] = []
    for ref in timeline.events[position].source_refs():  # the event as given (an as-of view trims its sources)
        source = timeline.sources.get(ref.source)
        when, via = source_date(timeline, ref.source)
        if upper is not None and when is not None and when.upper > upper:
            continue
        publisher = ""
        for s in timeline.via_chain(ref.source):
            if s.publisher:
                publisher = s.publisher
                break
        out.append(Claim(ref.source, source.title if source else ref.source, publisher, when, via,
                         ref.stance, ref.note or ""))
    return out


def sides(found: list[Claim]) -> tuple[list[Claim], list[Claim], list[Claim]]:
    """(supports, disputes, mentions)."""
    return ([c for c in found if c.stance == "supports"], [c for c in found if c.stance == "disputes"],
            [c for c in found if c.stance == "mentions"])


def disputed_positions(timeline: Timeline) -> Sequence[int]:
    """Events whose confidence is ``disputed`` or that a source disputes, in order."""
    a = timeline.confidence_positions("disputed")
    b = first_reports(timeline).disputing
    if not len(b):
        return a
    if not len(a):
        return b
    return array("I", sorted(set(a).union(b)))
