"""What ``timeline list`` writes: a table for people, Markdown for notes, CSV for
spreadsheets, and JSON / JSON Lines that are valid timeline files again.

Text from the data is untrusted. In ``table``, ``markdown`` and ``csv`` every control
character is made visible (see ``model.text.visible``) and Markdown syntax is escaped, so a
title can neither restyle a note nor send an escape sequence to a terminal; CSV cells that a
spreadsheet would run as a formula get a leading apostrophe. ``json`` and ``jsonl`` carry the
data exactly (JSON escapes C0 controls itself; DEL, C1 controls, bidi, zero-width and line
separator characters are written as ``\\uXXXX`` escapes too, so the output is safe to print on
a terminal and a JSON Lines file splits into lines the same way everywhere).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence

import msgspec

from .model.dates import MONTH_NAMES, parse_edtf
from .model.entities import FORMAT
from .model.text import clip, md, md_link, one_line, visible
from .model.timeline import Timeline
from .jsontext import json_safe as _json_safe

__all__ = ["FORMATS", "render", "subset", "notes_beside", "csv_cell", "encode_json"]

FORMATS = ("table", "markdown", "csv", "json", "jsonl", "timelinejs", "timesketch", "ics")
"""The last three are other programs' formats, written by ``tui/interchange/``."""


def render(timeline: Timeline, positions: Sequence[int], fmt: str, *, query: str = "",
           width: int | None = None, notes=None) -> Iterator[str | bytes]:
    """Yield the output in chunks (a million events never sit in one string): text, or for
    json and jsonl UTF-8 bytes (JSON is UTF-8 by definition, and tens of megabytes of it are
    not worth decoding only to be encoded again on the way out). As of a day, ``timeline``
    is the story as known then (``known_then.KnownThen``: every format then cites only the
    sources and quotes published by that day). ``notes``
    (``annotations.Notes``): also write the analyst's stars, notes and labels (table,
    markdown and csv; for json and jsonl they go beside, ``notes_beside``)."""
    if fmt == "table":
        yield _table(timeline, positions, width, notes)
    elif fmt == "markdown":
        yield from _markdown(timeline, positions, query, notes)
    elif fmt == "csv":
        yield from _csv(timeline, positions, notes)
    elif fmt in ("json", "jsonl"):
        yield from _timeline_file(timeline, positions, query, jsonl=fmt == "jsonl")
    elif fmt == "timelinejs":
        from .interchange import timelinejs

        yield from timelinejs.render(timeline, positions, query)
    elif fmt == "timesketch":
        from .interchange import timesketch

        yield from timesketch.render(timeline, positions)
    elif fmt == "ics":
        from .interchange import ics

        yield from ics.render(timeline, positions)
    else:
        raise ValueError(f"unknown format {fmt!r}")


# --- table -------------------------------------------------------------------------------------

def _marks(annotation) -> str:
    """A star and a note mark, as the explorer's rows show them."""
    return ("★" if annotation.starred else "") + ("✎" if annotation.note else "")


def _table(timeline: Timeline, positions: Sequence[int], width: int | None, notes=None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    # long words (URLs, ids) fold onto the next line rather than end in "…": nothing is lost
    table.add_column("Date", max_width=24, overflow="fold")
    table.add_column("Event", ratio=3, overflow="fold")
    table.add_column("Actors", ratio=2, overflow="fold")
    table.add_column("Tags", ratio=1, overflow="fold")
    if notes is not None:
        table.add_column("Mine", ratio=2, overflow="fold")
    for pos in positions:
        event = timeline.events[pos]
        date = timeline.dates[pos].display()
        if event.confidence != "confirmed":
            date += f" ({event.confidence})"
        cells = [
            Text(date),
            Text(one_line(clip(event.title))),  # clip: a 10 MB title would take minutes to wrap
            Text(one_line(clip(", ".join(timeline.actor_name(a) for a in event.actor_ids())))),
            Text(one_line(clip(", ".join(event.tags)))),
        ]
        if notes is not None:
            mine = notes.get(event.id)
            cells.append(Text(one_line(clip(" ".join(filter(None, (
                _marks(mine), ", ".join(mine.labels), mine.note)))))))
        table.add_row(*cells)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 120, markup=False, emoji=False, highlight=False,
                      color_system=None, force_terminal=False, soft_wrap=False)
    console.print(table)
    console.print(Text(f"{len(positions)} of {len(timeline)} events"))
    return buffer.getvalue()


# --- markdown ------------------------------------------------------------------------------------

def _source_line(timeline: Timeline, source_id: str) -> str:
    chain = timeline.via_chain(source_id)
    if not chain:
        return md(source_id)
    parts = []
    for source in chain:
        label = one_line(source.title)  # a line break would end the list item
        if source.publisher:
            label = f"{one_line(source.publisher)}: {label}"
        text = md_link(label, source.url)
        if source.published:
            text += f" ({parse_edtf(source.published).display()})"
        parts.append(text)
    return ", via ".join(parts)


def _markdown(timeline: Timeline, positions: Sequence[int], query: str, notes=None) -> Iterator[str]:
    yield f"# {md(one_line(timeline.title))}\n\n"
    summary = f"{len(positions)} of {len(timeline)} events"
    if query:
        summary += f", filtered by `{visible(query).replace('`', chr(39))}`"
    yield f"_{summary}._\n"
    heading = None
    for pos in positions:
        event = timeline.events[pos]
        edate = timeline.dates[pos]
        point = edate.point
        this = (point.year, point.month) if point else None
        if this != heading:
            heading = this
            if point is None:
                label = "Undated"
            elif point.month is None:
                label = str(point.year)
            else:
                label = f"{MONTH_NAMES[point.month - 1]} {point.year}"
            yield f"\n## {label}\n\n"
        line = f"- **{md(edate.display())}**"
        if event.date_text:
            line += f" ({md(one_line(event.date_text))})"
        line += f": {md(one_line(event.title))}"
        if event.confidence != "confirmed":
            line += f" _[{event.confidence}]_"
        mine = notes.get(event.id) if notes is not None else None
        if mine and mine.starred:
            line += " ★"
        yield line + "\n"
        if mine and mine.labels:
            yield f"  - My labels: {', '.join(md(one_line(label)) for label in mine.labels)}\n"
        if mine and mine.note:
            yield f"  - My note: {md(one_line(mine.note))}\n"
        if event.place:
            yield f"  - Place: {md(one_line(event.place))}\n"
        if event.summary:
            yield f"  - {md(one_line(event.summary))}\n"
        if event.actors:
            names = []
            for actor_id, role in event.actor_roles():
                name = md(one_line(timeline.actor_name(actor_id)))
                names.append(f"{name} ({md(one_line(role))})" if role else name)
            yield f"  - Actors: {', '.join(names)}\n"
        if event.tags:
            yield f"  - Tags: {', '.join(md(one_line(t)) for t in event.tags)}\n"
        if event.note:
            yield f"  - Note: {md(one_line(event.note))}\n"
        for quote in timeline.quotes_at(pos):
            said = f", {parse_edtf(quote.said).display()}" if quote.said else ""
            yield (f"  - > “{md(one_line(quote.text))}”  \n"
                   f"    > {md(one_line(timeline.actor_name(quote.speaker)))}{said}, in "
                   f"{_source_line(timeline, quote.source)}\n")
        yield from _sources_md(timeline, pos)


def _sources(n: int) -> str:
    return f"{n} source{'s' * (n != 1)}"


def _sources_md(timeline: Timeline, pos: int) -> Iterator[str]:
    """The event's sources; a disputed event's grouped by stance, both sides written out
    (``stances.py``)."""
    from .model.stances import claims, sides

    found = claims(timeline, pos)
    disputed = timeline.events[pos].confidence == "disputed" or any(c.stance == "disputes" for c in found)
    if not disputed:
        for c in found:
            stance = f" _({c.stance})_" if c.stance != "supports" else ""
            note = f" — {md(one_line(c.note))}" if c.note else ""
            yield f"  - Source: {_source_line(timeline, c.source_id)}{stance}{note}\n"
        return
    supports, disputes, mentions = sides(found)
    if disputes:
        yield f"  - **Disputed**: supported by {_sources(len(supports))}, disputed by {_sources(len(disputes))}\n"
    else:
        yield "  - **Disputed** (its confidence): no cited source is marked as disputing it; see the note\n"
    for label, group in (("Supports", supports), ("Disputes", disputes), ("Mentions", mentions)):
        for c in group:
            note = f" — {md(one_line(c.note))}" if c.note else ""
            yield f"    - {label}: {_source_line(timeline, c.source_id)}{note}\n"


# --- csv -------------------------------------------------------------------------------------------

CSV_COLUMNS = ("id", "date", "date_display", "date_text", "title", "summary", "place", "actors",
               "actor_ids", "tags", "confidence", "note", "sources", "source_urls", "quotes")


def csv_cell(text: str) -> str:
    """Controls made visible; a leading = + - @ (or tab/CR) is defused with an apostrophe, the
    OWASP advice against formula injection when the file is opened in a spreadsheet."""
    text = visible(text, multiline=True)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


NOTES_COLUMNS = ("starred", "my_note", "my_labels")
"""Added after CSV_COLUMNS by ``--with-notes``."""


def _csv(timeline: Timeline, positions: Sequence[int], notes=None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + (NOTES_COLUMNS if notes is not None else ()))
    for n, pos in enumerate(positions, 1):
        e = timeline.events[pos]
        sources = [timeline.sources.get(s) for s in e.source_ids()]
        row = (
            e.id, e.date, timeline.dates[pos].display(), e.date_text or "", e.title, e.summary or "",
            e.place or "", "; ".join(timeline.actor_name(a) for a in e.actor_ids()),
            "; ".join(e.actor_ids()), "; ".join(e.tags), e.confidence, e.note or "",
            "; ".join(s.title for s in sources if s), "; ".join(s.url for s in sources if s and s.url),
            str(timeline.quote_count(pos)),
        )
        if notes is not None:
            mine = notes.get(e.id)
            row += ("yes" if mine.starred else "", mine.note, "; ".join(mine.labels))
        writer.writerow([csv_cell(c) for c in row])
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --- json / jsonl ----------------------------------------------------------------------------------

def subset(timeline: Timeline, positions: Sequence[int]) -> dict[str, list]:
    """The records a valid file holding these events needs: the events, their quotes, and
    every actor and source they reach (speakers, authors, affiliations and via chains)."""
    events = timeline.events_at(positions)
    event_ids = {e.id for e in events}
    quotes = timeline.quotes_of(positions)
    actor_ids: set[str] = set()
    source_ids: set[str] = set()
    for e in events:
        actor_ids.update(e.actor_ids())
        source_ids.update(e.source_ids())
    for q in quotes:
        actor_ids.add(q.speaker)
        source_ids.add(q.source)
    pending = list(source_ids)
    while pending:
        source = timeline.sources.get(pending.pop())
        if source is None:
            continue
        if source.author:
            actor_ids.add(source.author)
        if source.via and source.via not in source_ids:
            source_ids.add(source.via)
            pending.append(source.via)
    pending = list(actor_ids)
    while pending:
        actor = timeline.actors.get(pending.pop())
        for group in actor.affiliations if actor else ():
            if group not in actor_ids:
                actor_ids.add(group)
                pending.append(group)
    del event_ids
    return {
        "actors": [a for a in timeline.actors.values() if a.id in actor_ids],
        "sources": [s for s in timeline.sources.values() if s.id in source_ids],
        "events": events,
        "quotes": quotes,
    }


_ENCODER = msgspec.json.Encoder()


_SINGULAR = {"actors": "actor", "sources": "source", "events": "event", "quotes": "quote"}


def encode_json(obj) -> bytes:
    """msgspec's JSON; if a string holds a lone surrogate (which UTF-8 cannot carry, e.g. a
    query typed on a non-UTF-8 command line), the same JSON with ASCII escapes instead."""
    try:
        return _ENCODER.encode(obj)
    except UnicodeEncodeError:
        return json.dumps(msgspec.to_builtins(obj), ensure_ascii=True, separators=(",", ":")).encode()


def _records_json(records: list, kind: str, *, typed: bool, separator: bytes) -> bytes:
    """Encode records of one kind in one call, ``separator`` between them, each with its
    ``"type"`` tag (JSON Lines) or without it (JSON). msgspec writes each record's tag first,
    and ``{"type":"`` never occurs inside a string (its quotes would be escaped), nor does a
    newline: so records are told apart, and their tags cut, by that prefix."""
    tag = b'{"type":"' + _SINGULAR[kind].encode() + b'",'
    head = tag if typed else b"{"
    raw = encode_json(records)[1:-1]  # [a,b,c] -> a,b,c
    return head + raw[len(tag):].replace(b"}," + tag, b"}" + separator + head) if raw else b""


def _timeline_file(timeline: Timeline, positions: Sequence[int], query: str, *, jsonl: bool) -> Iterator[bytes]:
    title = timeline.title + (f" (filtered: {query})" if query else "")
    header = {"format": FORMAT, "title": title}
    if timeline.description is not None:  # "" too: the data exactly
        header["description"] = timeline.description
    parts = subset(timeline, positions)
    if jsonl:
        yield _json_safe(encode_json(header)) + b"\n"
        for kind, records in parts.items():
            for i in range(0, len(records), 10000):
                yield _json_safe(_records_json(records[i:i + 10000], kind, typed=True, separator=b"\n")) + b"\n"
        return
    yield _json_safe(encode_json(header))[:-1]
    for kind, records in parts.items():
        yield f',\n"{kind}": ['.encode()
        for i in range(0, len(records), 10000):
            body = _json_safe(_records_json(records[i:i + 10000], kind, typed=False, separator=b",\n"))
            yield (b"," if i else b"") + b"\n" + body
        yield b"\n]"
    yield b"\n}\n"


def notes_beside(timeline: Timeline, positions: Sequence[int], notes, data_name: str) -> bytes:
    """The notes file for a json/jsonl output of these events (``--with-notes``): the
    annotations of those events, in the sidecar format, so the explorer opening the output
    finds them. Saved views are left out (they filter the whole story, not this part)."""
    from .model.annotations import Layer, encode

    ids = getattr(timeline.events, "ids", None)
    wanted = ((ids[p] if ids is not None else timeline.events[p].id) for p in positions)
    events = {i: a for i in wanted if (a := notes.get(i))}
    return encode(Layer(events), data_name)
