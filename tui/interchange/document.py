"""A timeline/1 document built record by record from another format, with every choice noted.

Every converter fills one ``Document``: it makes ids valid and unique (and the same on every
run over the same file, so a second import gives the same ids), finds or creates actors by
name or alias, keeps one source per URL, and collects the warnings. What comes out is a plain
dict in the timeline/1 shape, ready for the loader (``opening.py``) or for writing out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import msgspec

from ..model.entities import FORMAT
from ..model.problems import Problem
from ..model.text import fold

__all__ = ["Document", "Conversion", "ConvertError", "slug", "source_kind"]

_NOT_ID = re.compile(r"[^a-z0-9]+")
_ID_LIMIT = 60
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""What ``slug`` makes of any text (so it gives such a text back as it is)."""


class ConvertError(Exception):
    """Input that cannot be converted at all: one readable message naming the file and the place."""


def slug(text: str, fallback: str) -> str:
    """A valid id from any text: accents dropped, lower case, runs of anything else as one
    hyphen ("Rózsa Péter writes recursion" -> "rozsa-peter-writes-recursion")."""
    if len(text) <= _ID_LIMIT and _ID.fullmatch(text):
        return text  # already an id (what an import of exported data mostly has)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = _NOT_ID.sub("-", text.lower()).strip("-")
    if len(out) > _ID_LIMIT:
        out = out[:_ID_LIMIT].rstrip("-")
    return out or fallback


_SOCIAL = ("twitter.com", "x.com", "instagram.com", "facebook.com", "fb.com", "vine.co", "tiktok.com",
           "threads.net", "bsky.app", "t.me", "mastodon.social", "linkedin.com", "reddit.com")
_BROADCAST = ("youtube.com", "youtu.be", "vimeo.com", "soundcloud.com", "dailymotion.com", "twitch.tv")
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?)(?:[?#].*)?$", re.IGNORECASE)


_HOST = re.compile(r"\s*[a-z][a-z0-9+.-]*://([^/?#:@]+@)?([^/?#:]+)", re.IGNORECASE)
_KIND_OF_HOST = {**{h: "social-post" for h in _SOCIAL}, **{h: "broadcast" for h in _BROADCAST}}


def _host(url: str) -> str:
    m = _HOST.match(url)
    host = m.group(2).lower() if m else ""
    return host[4:] if host.startswith("www.") else host


def _kind(url: str) -> str | None:
    parts = _host(url).split(".")
    for i in range(len(parts) - 1):  # the host, then each parent domain (m.youtube.com -> youtube.com)
        kind = _KIND_OF_HOST.get(".".join(parts[i:]))
        if kind:
            return kind
    return None


def source_kind(url: str) -> tuple[str, bool]:
    """The source kind a URL suggests, and whether it is an image (kept only as a link)."""
    kind = _kind(url)
    return (kind, False) if kind else ("other", bool(_IMAGE.search(url)))


class Conversion:
    """What a converter produced: the document, the warnings, and where it came from.

    A big CSV read on both cores keeps its events as the JSON its two processes wrote
    (``tail``: the pieces in order, each a run of events separated by commas; ``tail_count``),
    so that writing the document out (``json``) costs one copy of those bytes, not a decode
    and an encode; ``document`` decodes them the first time
    it is asked for. ``inert``: the input had no character ``json_safe`` escapes, so its JSON
    needs no search for one."""

    def __init__(self, document: dict, warnings: list[Problem], name: str, format: str, *,
                 tail: tuple[bytes, ...] = (), tail_count: int = 0, inert: bool = False) -> None:
        self._document = document
        self.warnings = warnings
        self.name = name
        self.format = format
        self._tail, self._tail_count, self.inert = tail, tail_count, inert

    @property
    def document(self) -> dict:
        if self._tail:
            self._document["events"].extend(msgspec.json.decode(b"".join((b"[", *self._tail, b"]"))))
            self._tail, self._tail_count = (), 0
        return self._document

    def json(self) -> bytes:
        """The document as JSON, as ``msgspec.json.encode(self.document)`` writes it."""
        doc = self._document
        if not self._tail:
            return msgspec.json.encode(doc)
        rest = {k: v for k, v in doc.items() if k not in ("events", "quotes")}  # the two come last
        events = msgspec.json.encode(doc["events"])[1:-1]
        return b"".join((msgspec.json.encode(rest)[:-1], b',"events":[', events, b"," if events else b"",
                         *self._tail, b'],"quotes":', msgspec.json.encode(doc["quotes"]), b"}"))

    def counts(self) -> dict[str, int]:
        counts = {kind: len(self._document[kind]) for kind in ("events", "actors", "sources", "quotes")}
        counts["events"] += self._tail_count
        return counts

    def report(self) -> list[str]:
        """Lines for ``--report``: every warning, then what was created."""
        lines = [str(w) for w in self.warnings]
        c = self.counts()
        counts = dict(c, warnings=len(self.warnings))
        lines.append(f"{self.name}: read as {self.format}: "
                     + ", ".join(f"{n} {kind if n != 1 else kind[:-1]}" for kind, n in counts.items()))
        return lines


@dataclass
class Document:
    """A timeline/1 document being built; ``warn`` notes a choice with its place."""

    name: str
    format: str
    title: str = ""
    description: str | None = None
    actors: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    _ids: dict[str, set[str]] = field(default_factory=lambda: {"actors": set(), "sources": set(),
                                                               "events": set(), "quotes": set()})
    _actor_names: dict[str, str] = field(default_factory=dict)
    _source_urls: dict[str, str] = field(default_factory=dict)
    _tally: dict[str, list] = field(default_factory=dict)
    _suffix: dict[tuple[str, str], int] = field(default_factory=dict)
    tail: tuple[bytes, ...] = ()
    """Events already written as JSON, in pieces (``Conversion``), after ``events``."""
    tail_count: int = 0
    inert: bool = False
    """The input had no character ``json_safe`` escapes."""

    def warn(self, place: tuple, message: str) -> None:
        self.warnings.append(Problem(self.name, place, message, warning=True))

    def tally(self, key: str, place: tuple, message: str) -> None:
        """A warning that would repeat on most records ("background not kept"): said once,
        at its first place, with the number of records it applies to."""
        entry = self._tally.get(key)
        if entry is None:
            self._tally[key] = [place, message, 1]
        else:
            entry[2] += 1

    def new_id(self, kind: str, wanted: str, fallback: str) -> str:
        """A valid id, unique in its kind: ``wanted`` made valid, then -2, -3... if taken."""
        return self.new_id_from(kind, slug(wanted, fallback) if wanted else fallback)

    def new_id_from(self, kind: str, base: str) -> str:
        """``new_id`` for a base already made valid (``slug``), e.g. in another process."""
        taken = self._ids[kind]
        candidate, n = base, self._suffix.get((kind, base), 1)
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        self._suffix[(kind, base)] = n  # the next one with this base starts here, not at -2
        taken.add(candidate)
        return candidate

    def actor(self, name: str, *, kind: str = "other", wanted_id: str | None = None,
              key: str | None = None, wanted_key: str | None = None) -> str:
        """The id of the actor called ``name`` (by name, alias or id, ignoring case and accents), created if new.
        ``key``, ``wanted_key``: the folded name and wanted id, when already made."""
        if key is None:
            key = fold(name.strip())
        found = self._actor_names.get(key)
        if not found and wanted_id:
            found = self._actor_names.get(wanted_key if wanted_key is not None else fold(wanted_id))
        if found:
            return found
        actor_id = self.new_id("actors", wanted_id or name, "actor")
        self.actors.append({"id": actor_id, "name": name.strip(), "kind": kind})
        self._actor_names[key] = actor_id
        self._actor_names.setdefault(actor_id, actor_id)
        return actor_id

    def add_actor(self, record: dict) -> None:
        """An actor given whole (from a file that has them); its name, aliases and id find it later."""
        self._ids["actors"].add(record["id"])
        self.actors.append(record)
        for name in (record["id"], record["name"], *record.get("aliases", ())):
            self._actor_names.setdefault(fold(name), record["id"])

    def source(self, *, title: str, url: str | None = None, kind: str | None = None,
               publisher: str | None = None, wanted_id: str | None = None) -> str:
        """The id of the source at ``url`` (one source per URL), created if new."""
        key = url or f"\0{title}"  # a source without a URL is known by its title
        if key in self._source_urls:
            return self._source_urls[key]
        if kind is None:
            kind = (_kind(url) if url else None) or "other"
        source_id = self.new_id("sources", wanted_id or title or _host(url or ""), "source")
        record = {"id": source_id, "kind": kind, "title": title or url or source_id}
        if publisher:
            record["publisher"] = publisher
        if url:
            record["url"] = url
        self._source_urls[key] = source_id
        self.sources.append(record)
        return source_id

    def finish(self) -> Conversion:
        for place, message, count in self._tally.values():
            self.warn(place, message if count == 1 else f"{message} (and {count - 1} more like it)")
        document = {"format": FORMAT, "title": self.title.strip() or self.name}
        if self.description:
            document["description"] = self.description
        document.update(actors=self.actors, sources=self.sources, events=self.events, quotes=self.quotes)
        return Conversion(document, self.warnings, self.name, self.format, tail=self.tail,
                          tail_count=self.tail_count, inert=self.inert)
