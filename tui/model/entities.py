"""The four kinds of record in a timeline file, as typed, compact structs.

They are msgspec Structs so that a million-event file decodes straight into them (no
intermediate dicts: less than half the memory and time of ``json.load``), and so that the
JSON and JSON Lines writers emit exactly the stored data. Field order and defaults here *are*
the format (docs/format.md): optional fields default to empty and are omitted on output.
Each record type is tagged (``"type": "event"``): JSON Lines needs the tag to tell records
apart, a JSON file may carry it or not, and the JSON writer leaves it out.
``gc=False`` because a million small records would otherwise make every garbage-collector
pass crawl; none of them can form a reference cycle.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "Actor", "ActorRef", "Source", "SourceRef", "Event", "Quote", "TimelineFile",
    "ACTOR_KINDS", "SOURCE_KINDS", "CONFIDENCES", "STANCES", "FORMAT", "KINDS", "ActorName", "Membership",
]

FORMAT = "timeline/1"
ACTOR_KINDS = ("person", "organization", "government", "institution", "group", "other")
SOURCE_KINDS = ("article", "social-post", "statement", "official-document", "broadcast", "other")
CONFIDENCES = ("confirmed", "reported", "disputed")
STANCES = ("supports", "disputes", "mentions")
"""What a cited source says of an event; a plain source id means "supports"."""

_OPTS = dict(omit_defaults=True, forbid_unknown_fields=True, gc=False)


class Actor(msgspec.Struct, tag_field="type", tag="actor", **_OPTS):
    """A person, organisation, government... that takes part in events or speaks in quotes."""

    id: str
    name: str
    kind: str
    aliases: list[str] = []
    description: str | None = None
    roles: list[str] = []
    affiliations: list[str] = []
    """Ids of actors this one belongs to; members are derived, never stored."""
    country: str | None = None


class ActorName(msgspec.Struct, gc=False):
    """An actor's id, name and kind, and nothing else: what a list of every actor shows
    (``timeline actors``), decoded from the cache without the rest of each actor
    (``timeline.project``: 50,000 in about 15 ms, where whole actors take 0.1 s)."""

    id: str
    name: str
    kind: str


class Membership(msgspec.Struct, gc=False):
    """An actor's id and the groups it belongs to, and nothing else: what the reverse link
    (``Timeline.members_of``) is derived from (``timeline.project``)."""

    id: str
    affiliations: list[str] = []


class ActorRef(msgspec.Struct, **_OPTS):
    """An actor's part in one event, when it is worth naming ("target", "spokesperson")."""

    actor: str
    role: str | None = None


class Source(msgspec.Struct, tag_field="type", tag="source", **_OPTS):
    """Where something was published; ``via`` is the source through which this one is known."""

    id: str
    kind: str
    title: str
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    via: str | None = None
    language: str | None = None


class SourceRef(msgspec.Struct, **_OPTS):
    """A source's stance on one event, when it is not plain support: a source that disputes
    the event (or a detail of it), or only mentions it; ``note`` says what it claims."""

    source: str
    stance: str = "supports"
    note: str | None = None


class Event(msgspec.Struct, tag_field="type", tag="event", **_OPTS):
    """Something that happened, dated honestly and tied to its actors and sources by id."""

    id: str
    date: str
    title: str
    date_text: str | None = None
    """The source's own words for the date ("on Friday"), kept for provenance."""
    summary: str | None = None
    place: str | None = None
    actors: list[str | ActorRef] = []
    tags: list[str] = []
    sources: list[str | SourceRef] = []
    """Source ids, or ``SourceRef`` objects carrying a stance (the two forms mix)."""
    confidence: str = "confirmed"
    note: str | None = None

    def actor_ids(self) -> list[str]:
        return [a if isinstance(a, str) else a.actor for a in self.actors]

    def source_ids(self) -> list[str]:
        return [s if isinstance(s, str) else s.source for s in self.sources]

    def source_refs(self) -> list[SourceRef]:
        """Every cited source with its stance (a plain id: ``supports``)."""
        return [SourceRef(s) if isinstance(s, str) else s for s in self.sources]

    def actor_roles(self) -> list[tuple[str, str | None]]:
        return [(a, None) if isinstance(a, str) else (a.actor, a.role) for a in self.actors]


class Quote(msgspec.Struct, tag_field="type", tag="quote", **_OPTS):
    """Words an actor said, where they were published, and the event they belong to."""

    id: str
    text: str
    speaker: str
    source: str
    event: str | None = None
    said: str | None = None
    language: str | None = None
    original: str | None = None
    """The words in their original language when ``text`` is a translation."""


class TimelineFile(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """A whole JSON timeline file, as it is decoded in one pass."""

    format: str
    title: str
    description: str | None = None
    actors: list[Actor] = []
    sources: list[Source] = []
    events: list[Event] = []
    quotes: list[Quote] = []


KINDS = {"actors": Actor, "sources": Source, "events": Event, "quotes": Quote}
"""Top-level list name -> record type, in the order a file lists them."""
