"""Small timelines for the model and command-line tests, the bundled dataset as a user might
have it, and a check that two timelines answer alike (plain helpers, no fixtures)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tui.model import LoadError
from tui.store import load
from tui.store.loader import bundled_path
from tui.model.query import parse_query, run

BASE: dict = {
    "format": "timeline/1",
    "title": "Test timeline",
    "actors": [
        {"id": "ana", "name": "Ana Núñez", "kind": "person", "affiliations": ["party"]},
        {"id": "party", "name": "The Party", "kind": "organization"},
    ],
    "sources": [
        {"id": "paper", "kind": "article", "title": "A newspaper story", "url": "https://example.org/a"},
        {"id": "post", "kind": "social-post", "title": "A post", "author": "ana", "via": "paper",
         "published": "2024-09-06"},
    ],
    "events": [
        {"id": "first", "date": "2024-09-06", "title": "Something happened", "actors": ["ana"],
         "sources": ["paper"], "tags": ["t1"]},
        {"id": "second", "date": "2024-09", "title": "Something else",
         "actors": [{"actor": "party", "role": "host"}], "sources": ["post"]},
    ],
    "quotes": [
        {"id": "q1", "text": "We said it.", "speaker": "ana", "source": "post", "event": "first"},
    ],
}


def doc(**changes) -> dict:
    """A deep copy of BASE with top-level keys replaced (a value of None removes the key)."""
    d = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            d.pop(key, None)
        else:
            d[key] = value
    return d


def write(path: Path, data, *, indent: int | None = 2) -> Path:
    """Write ``data`` as JSON (or as-is if it is already str/bytes) and return the path."""
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data, indent=indent, ensure_ascii=False), encoding="utf-8")
    return path


def write_jsonl(path: Path, data: dict) -> Path:
    """The JSON Lines form of a timeline dict: a header line, then one typed record a line."""
    header = {k: v for k, v in data.items() if k not in ("actors", "sources", "events", "quotes")}
    lines = [json.dumps(header, ensure_ascii=False)]
    for kind, singular in (("actors", "actor"), ("sources", "source"), ("events", "event"), ("quotes", "quote")):
        for record in data.get(kind, []):
            lines.append(json.dumps({"type": singular, **record}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_error(paths) -> LoadError:
    """Load and expect a LoadError; return it."""
    with pytest.raises(LoadError) as info:
        load(paths)
    return info.value


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle`` in a file."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def by_path(error: LoadError) -> dict[str, object]:
    """Problems keyed by their formatted JSON path (the last one wins on a tie)."""
    from tui.model.problems import format_path

    return {format_path(p.path): p for p in error.problems}


QUERIES = [
    "", "actor:nicolas-maduro", "tag:siege", "from:2024-09 to:2024-09", "embassy", '"power cut"',
    "-tag:siege", "confidence:disputed", "confidence:confirmed", "actor:sebin embassy", "tag:power-cut",
    "from:2024-07-28", "to:2024", "quote", "sic", "is:disputed", "asof:2024-09-07",
]


def bundled_doc() -> dict:
    return json.loads(bundled_path().read_text(encoding="utf-8"))


def variants(tmp_path: Path) -> dict[str, Path]:
    """The bundled dataset as a user might have it: pretty JSON, compact JSON with the lists
    in another order, JSON with a BOM and CRLF line ends, and JSON Lines."""
    data = bundled_doc()
    pretty = tmp_path / "pretty.json"
    pretty.write_bytes(bundled_path().read_bytes())
    reordered = {k: data[k] for k in ("quotes", "events", "format", "title", "sources", "actors")}
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(reordered, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    crlf = tmp_path / "crlf.json"
    crlf.write_bytes(b"\xef\xbb\xbf" + json.dumps(data, indent=1, ensure_ascii=True).replace("\n", "\r\n").encode())
    return {"pretty": pretty, "compact": compact, "crlf": crlf, "jsonl": write_jsonl(tmp_path / "t.jsonl", data)}


def same_timeline(a, b) -> None:
    """Everything a user can see or ask of the two timelines is the same."""
    assert len(a) == len(b)
    assert (a.title, a.description) == (b.title, b.description)
    assert [str(w) for w in a.warnings] == [str(w) for w in b.warnings]
    assert a.actors == b.actors and a.sources == b.sources
    assert list(a.events) == list(b.events)
    assert [d.display() for d in a.dates] == [d.display() for d in b.dates]
    assert list(a.dates) == list(b.dates)
    assert [a.quotes_at(p) for p in range(len(a))] == [b.quotes_at(p) for p in range(len(b))]
    assert list(a.quotes) == list(b.quotes)
    assert a.position == b.position
    assert a.tag_counts() == b.tag_counts() and list(a.tag_counts()) == list(b.tag_counts())
    assert a.actor_event_counts() == b.actor_event_counts()
    assert {x: a.actor_stats(x) for x in a.actors} == {x: b.actor_stats(x) for x in b.actors}
    assert {x: a.members_of(x) for x in a.actors} == {x: b.members_of(x) for x in b.actors}
    ra, rb = a.source_refs, b.source_refs  # every event's cited sources, stances and notes
    assert (ra.starts, ra.sources, ra.stances, ra.notes, ra.event_notes, ra.ids) == \
        (rb.starts, rb.sources, rb.stances, rb.notes, rb.event_notes, rb.ids)
    for q in QUERIES:
        assert list(run(a, parse_query(q)).positions) == list(run(b, parse_query(q)).positions), q
