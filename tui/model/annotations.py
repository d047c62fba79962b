"""The analyst's own layer: stars, notes, labels and saved views, kept apart from the data.

A timeline file is evidence and is never written; what a reader adds to it lives in a
sidecar (``story.notes.json``, format ``timeline-notes/1``, see docs/format.md), keyed by
event id so it survives reordering and edits of the data. This module is the layer itself,
free of files: the records, reading and writing their JSON (with errors that name the
place), the three-way merge that lets two explorers annotate the same story without losing
each other's work, and the positions the query terms ``is:starred``, ``has:note`` and
``label:X`` select. The file (lock, atomic rename, backups) is ``tui/notes/sidecar.py``.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import msgspec

from .text import fold

__all__ = ["Annotation", "View", "Layer", "Notes", "NotesError", "FORMAT", "ANNOTATED",
           "decode", "encode", "merge", "now"]

FORMAT = "timeline-notes/1"
ANNOTATED = ("starred", "note", "labels")
"""The fields of an annotation that merge one by one (``updated`` follows them)."""


class NotesError(ValueError):
    """A sidecar that cannot be used; the message names the place (line, column or JSON path)."""


def now() -> str:
    """The time of a change, in UTC to the second ("2026-12-03T10:30:00Z")."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Annotation:
    """What the analyst added to one event."""

    starred: bool = False
    note: str = ""
    labels: tuple[str, ...] = ()
    updated: str = ""
    """When it last changed (``now``); informative, the merge does not need it."""

    def __bool__(self) -> bool:
        return self.starred or bool(self.note) or bool(self.labels)

    def same(self, other: Annotation) -> bool:
        """The same marks, whenever they were made."""
        return (self.starred, self.note, self.labels) == (other.starred, other.note, other.labels)


EMPTY = Annotation()


@dataclass(frozen=True, slots=True)
class View:
    """Filters (a query string) and the event under the cursor, under a name."""

    query: str = ""
    cursor: str | None = None
    """The event id the cursor was on."""
    saved: str = ""


@dataclass(frozen=True)
class Layer:
    """One state of the sidecar: annotations by event id, views by name, the last session."""

    events: dict[str, Annotation] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    last: View | None = None
    """Filters and cursor when the explorer last closed (restored on reopen)."""


# --- reading and writing ------------------------------------------------------------------

def _pairs(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise NotesError(f"key {json.dumps(dup)} is given twice in one object")
    return dict(pairs)


def _path(*parts: str) -> str:
    return "$" + "".join(f"[{json.dumps(p)}]" if not p.isidentifier() else f".{p}" for p in parts)


def _string(value, where: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise NotesError(f"{where}: expected {'a' if empty else 'a non-empty'} string, got {json.dumps(value)[:60]}")
    return value


def _only(obj: dict, known: tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in known:
            raise NotesError(f"{where}: unknown field {json.dumps(key)} (known: {', '.join(known)})")


def _view(obj, where: str) -> View:
    if not isinstance(obj, dict):
        raise NotesError(f"{where}: expected an object")
    _only(obj, ("query", "cursor", "saved"), where)
    cursor = obj.get("cursor")
    if cursor is not None:
        _string(cursor, where + ".cursor", empty=False)
    return View(_string(obj.get("query", ""), where + ".query"), cursor, _string(obj.get("saved", ""), where + ".saved"))


def decode(raw: bytes | str) -> Layer:
    """A sidecar's content as a Layer; NotesError says where it is wrong (line and column
    for broken JSON, a JSON path for a wrong value)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")  # a BOM, as some editors write, is harmless
        except UnicodeDecodeError as exc:
            raise NotesError(f"byte {exc.start}: not UTF-8") from None
    try:
        top = json.loads(raw, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise NotesError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(top, dict):
        raise NotesError("$: expected an object")
    _only(top, ("format", "data", "events", "views", "last"), "$")
    if top.get("format") != FORMAT:
        raise NotesError(f"$.format: expected {json.dumps(FORMAT)}, got {json.dumps(top.get('format'))[:60]}")
    events = top.get("events", {})
    if not isinstance(events, dict):
        raise NotesError("$.events: expected an object keyed by event id")
    out: dict[str, Annotation] = {}
    for event_id, obj in events.items():
        where = _path("events", event_id)
        if not isinstance(obj, dict):
            raise NotesError(f"{where}: expected an object")
        _only(obj, ("starred", *ANNOTATED[1:], "updated"), where)
        starred = obj.get("starred", False)
        if not isinstance(starred, bool):
            raise NotesError(f"{where}.starred: expected true or false, got {json.dumps(starred)[:60]}")
        labels = obj.get("labels", [])
        if not isinstance(labels, list):
            raise NotesError(f"{where}.labels: expected a list of strings")
        for i, label in enumerate(labels):
            _string(label, f"{where}.labels[{i}]", empty=False)
        out[event_id] = Annotation(starred, _string(obj.get("note", ""), where + ".note"), tuple(labels),
                                   _string(obj.get("updated", ""), where + ".updated"))
    views = top.get("views", {})
    if not isinstance(views, dict):
        raise NotesError("$.views: expected an object keyed by view name")
    last = top.get("last")
    return Layer(out, {name: _view(v, _path("views", name)) for name, v in views.items()},
                 None if last is None else _view(last, "$.last"))


def encode(layer: Layer, data_name: str = "") -> bytes:
    """The sidecar's content: stable order (events by id, views by name), empty fields left
    out, one event per line so a diff of two versions reads event by event."""
    try:
        return _encode(layer, data_name, ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from a hostile sidecar): keep it as an escape
        return _encode(layer, data_name, ascii=True).encode("utf-8")


_ENCODER = msgspec.json.Encoder()


def _encode(layer: Layer, data_name: str, *, ascii: bool) -> str:
    def dumps(obj) -> str:
        # msgspec: many times quicker than json.dumps (10k annotations are written after each change)
        return json.dumps(obj, ensure_ascii=True, separators=(",", ":")) if ascii else \
            _ENCODER.encode(obj).decode("utf-8")

    def view(v: View) -> dict:
        out: dict = {"query": v.query}
        if v.cursor is not None:
            out["cursor"] = v.cursor
        if v.saved:
            out["saved"] = v.saved
        return out

    def entry(a: Annotation) -> dict:
        obj: dict = {}
        if a.starred:
            obj["starred"] = True
        if a.note:
            obj["note"] = a.note
        if a.labels:
            obj["labels"] = list(a.labels)
        if a.updated:
            obj["updated"] = a.updated
        return obj

    def one_per_line(obj: dict) -> str:
        """An object of objects, one entry per line. Encoded in one call, then split where
        one entry ends and the next begins: ``},"`` never occurs inside a JSON string (its
        quote would be escaped), and the entries hold no objects of their own."""
        if not obj:
            return "{}"
        body = dumps(obj)[1:-1].replace('},"', '},\n    "')
        return "{\n    " + body + "\n  }"

    events = {event_id: entry(a) for event_id, a in sorted(layer.events.items()) if a}
    lines = ['{', f'  "format": "{FORMAT}",']
    if data_name:
        lines.append(f'  "data": {dumps(data_name)},')
    lines.append(f'  "events": {one_per_line(events)},')
    lines.append(f'  "views": {one_per_line({n: view(layer.views[n]) for n in sorted(layer.views)})},')
    lines.append(f'  "last": {dumps(view(layer.last) if layer.last else None)}')
    return "\n".join(lines) + "\n}\n"


# --- merging two explorers' work -------------------------------------------------------------

def merge(base: Layer, mine: Layer, theirs: Layer) -> tuple[Layer, list[str]]:
    """Join what this explorer changed since ``base`` (the sidecar as it last read or wrote
    it) with what is in the file now (``theirs``, maybe written by another explorer).

    Field by field: a field only one side changed takes that side's value; a field both
    changed, differently, takes ``mine``, the write happening now (last write wins) and is
    reported in the returned list, so the explorer can say so. Views merge by name, the
    last session as a whole.
    """
    events: dict[str, Annotation] = {}
    conflicts: list[str] = []
    for event_id in base.events.keys() | mine.events.keys() | theirs.events.keys():
        b = base.events.get(event_id, EMPTY)
        m = mine.events.get(event_id, EMPTY)
        t = theirs.events.get(event_id, EMPTY)
        values = {}
        for name in ANNOTATED:
            mv, tv, bv = getattr(m, name), getattr(t, name), getattr(b, name)
            if mv != bv:
                values[name] = mv
                if tv != bv and tv != mv:
                    conflicts.append(f"{name} of event {event_id}")
            else:
                values[name] = tv
        merged = Annotation(**values, updated=max(m.updated, t.updated))
        if merged:
            events[event_id] = merged
    views: dict[str, View] = {}
    for name in base.views.keys() | mine.views.keys() | theirs.views.keys():
        b, m, t = base.views.get(name), mine.views.get(name), theirs.views.get(name)
        if m != b and t != b and t != m:
            conflicts.append(f"view {name}")
        chosen = m if m != b else t
        if chosen is not None:
            views[name] = chosen
    last = mine.last if mine.last != base.last else theirs.last
    return Layer(events, views, last), sorted(conflicts)


# --- the layer in use ----------------------------------------------------------------------------

class Notes:
    """The working copy an explorer or a command holds, with what queries ask of it.

    Positions are cached per timeline and per version, so a starred filter at a million
    events with 10k annotations is a dictionary walk of the 10k, once per change. A filter
    runs in a worker thread while the screen may change the notes: a change swaps in a new
    layer and a new cache (never edits either in place), so a worker reads one layer whole
    and caches what it found beside that layer only.
    """

    def __init__(self, layer: Layer | None = None) -> None:
        self.layer = layer or Layer()
        self.version = 0
        self._cache: dict[tuple, Sequence[int]] = {}

    # reading

    def get(self, event_id: str) -> Annotation:
        return self.layer.events.get(event_id, EMPTY)

    def __len__(self) -> int:
        return sum(1 for a in self.layer.events.values() if a)

    def labels(self) -> dict[str, int]:
        """Every label in use with how many events carry it, most used first."""
        counts: dict[str, int] = {}
        for a in self.layer.events.values():
            for label in a.labels:
                counts[label] = counts.get(label, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], fold(kv[0]))))

    def orphans(self, timeline) -> list[str]:
        """Ids of annotated events that are not in this timeline (kept, and reported)."""
        where = timeline.position
        return sorted(event_id for event_id, a in self.layer.events.items() if a and event_id not in where)

    # changing (each returns the new annotation; the caller saves)

    def replace(self, layer: Layer) -> None:
        self.version += 1
        self._cache = {}
        self.layer = layer

    def change(self, event_id: str, **fields) -> Annotation:
        """Set some of ``starred``, ``note``, ``labels`` for one event."""
        old = self.get(event_id)
        new = replace(old, **fields)
        if new.same(old):
            return old
        new = replace(new, updated=now())
        events = dict(self.layer.events)
        events[event_id] = new
        self.replace(replace(self.layer, events=events))
        return new

    def save_view(self, name: str, view: View) -> None:
        self.replace(replace(self.layer, views={**self.layer.views, name: view}))

    def delete_view(self, name: str) -> None:
        self.replace(replace(self.layer, views={k: v for k, v in self.layer.views.items() if k != name}))

    def set_last(self, view: View | None) -> None:
        if view != self.layer.last:
            self.replace(replace(self.layer, last=view))

    # what the query terms select (positions in the timeline, sorted)

    def positions(self, timeline, field_name: str, value: str) -> Sequence[int]:
        """Positions of the events that ``is:starred``, ``has:note``/``has:label`` or
        ``label:VALUE`` select."""
        layer, cache = self.layer, self._cache  # one layer, and the cache that belongs to it
        key = (id(timeline), len(timeline), field_name, value)
        found = cache.get(key)
        if found is None:
            if field_name == "is":
                test = lambda a: a.starred  # noqa: E731
            elif field_name == "has":
                test = (lambda a: bool(a.note)) if value == "note" else (lambda a: bool(a.labels))
            else:  # fold each distinct label once, not once per event
                wanted = fold(value)
                distinct = {label for a in layer.events.values() for label in a.labels}
                same = {label for label in distinct if fold(label) == wanted}
                test = lambda a: not same.isdisjoint(a.labels)  # noqa: E731
            found = cache[key] = self._at(timeline, (i for i, a in layer.events.items() if test(a)))
        return found

    def text_positions(self, timeline, needle: str) -> Sequence[int]:
        """Positions of the events whose note or labels hold ``needle`` (case- and
        accent-insensitive, as the data's text search)."""
        wanted = fold(needle).replace("-", " ").strip()
        if not wanted:
            return array("I")
        layer, cache = self.layer, self._cache
        key = (id(timeline), len(timeline), "text", wanted)
        found = cache.get(key)
        if found is None:
            found = cache[key] = self._at(timeline, (
                i for i, a in layer.events.items()
                if (a.note or a.labels) and wanted in fold(a.note + "\n" + " ".join(a.labels)).replace("-", " ")))
        return found

    @staticmethod
    def _at(timeline, event_ids: Iterable[str]) -> array:
        where = timeline.position
        return array("I", sorted(p for p in map(where.get, event_ids) if p is not None))
