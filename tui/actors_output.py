"""What ``timeline actors`` writes: one row per actor (its id, name, kind, event and quote
counts, first and last appearance), in the file's order, as a table for people, CSV for
spreadsheets, or JSON / JSON Lines for programs.

Rows are streamed: at 50,000 actors, working out every row takes about a second and Rich
took over a minute to lay them out, so each format writes a row as soon as it is computed
(``render`` yields the first row alone, then batches). JSON is still one valid document
(``[`` is written first, ``]`` last); JSON Lines is one object a line, as ``list`` writes.

The table needs its column widths before its first row. Everything but the dates is known
before any row is computed (ids, names and kinds are in memory, the largest counts cost one
pass over the postings), and the dates' columns are sized from the first ``SAMPLE`` rows; a
later date that is longer wraps inside its column, at a space (a date's words are short).
When the columns do not fit without cutting a word, each actor is a block of lines instead.

Text from the data is untrusted, as in ``output``: the table shows it with controls made
visible, CSV also defuses what a spreadsheet would run as a formula, JSON carries it exactly
(with the characters a terminal acts on written as ``\\uXXXX``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import filterfalse

from rich.cells import cell_len, chop_cells

from .jsontext import json_safe
from .model.dates import EDate
from .model.text import all_shown_as_is, clip, one_line, shown_as_is
from .model.entities import ActorName
from .model.timeline import Timeline, project
from .output import csv_cell, encode_json

__all__ = ["FORMATS", "render", "CSV_COLUMNS", "SAMPLE"]

FORMATS = ("table", "json", "jsonl", "csv")
HEADERS = ("Id", "Name", "Kind", "Events", "Quotes", "First", "Last")
CSV_COLUMNS = ("id", "name", "kind", "events", "quotes", "first", "first_display", "last", "last_display")
"""``first``/``last`` as stored (timeline/1 dates), ``*_display`` as the table shows them."""
SAMPLE = 1000
"""Rows computed before the table's first line, to size its date columns."""
BATCH = 500
"""Rows per chunk after the first row (which goes alone, so it is seen at once)."""
_GAP = 2
"""Spaces between two columns of the table."""
_DATE = len("30 Sep 2024")
"""The least width of a date column."""


def render(timeline: Timeline, fmt: str, *, width: int = 120, bold: bool = False) -> Iterator[str | bytes]:
    """The ``actors`` output in chunks: text, or UTF-8 bytes for json and jsonl. ``width``:
    the table's room in cells; ``bold``: its header (and a block's id) in bold."""
    if fmt == "table":
        return _table(timeline, width, bold)
    if fmt in ("json", "jsonl"):
        return _json(timeline, lines=fmt == "jsonl")
    if fmt == "csv":
        return _csv(timeline)
    raise ValueError(f"unknown format {fmt!r}")


def _stats(timeline: Timeline, actors):
    """Each of ``actors`` (their ids, names and kinds) with its stats: computed one at a
    time, as asked."""
    for actor in actors:
        yield actor, timeline.actor_stats(actor.id)


def _actors(timeline: Timeline):
    """Every actor's id, name and kind, in the file's order (all a row shows)."""
    return project(timeline.actors, ActorName)


def _chunks(rows: Iterator, join):
    """Join rows into chunks: the first row alone (so it reaches the reader at once), then
    ``BATCH`` at a time."""
    first = next(rows, None)
    if first is None:
        return
    yield first
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield join(batch)
            batch = []
    if batch:
        yield join(batch)


# --- json / jsonl ----------------------------------------------------------------------------------

def _record(actor, stats) -> dict:
    return {"id": actor.id, "name": actor.name, "kind": actor.kind, "events": stats.events,
            "quotes": stats.quotes, "first": stats.first.text if stats.first else None,
            "last": stats.last.text if stats.last else None}


def _json(timeline: Timeline, *, lines: bool) -> Iterator[bytes]:
    encoded = (json_safe(encode_json(_record(actor, stats))) for actor, stats in _stats(timeline, _actors(timeline)))
    if lines:
        yield from _chunks((row + b"\n" for row in encoded), b"".join)
        return
    rows = _chunks(encoded, b",\n".join)
    first = next(rows, None)
    if first is None:
        yield b"[]\n"
        return
    yield b"[\n" + first
    for chunk in rows:
        yield b",\n" + chunk
    yield b"\n]\n"


# --- csv -------------------------------------------------------------------------------------------

def _display(date: EDate | None) -> str:
    return date.display() if date else ""


def _csv(timeline: Timeline) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(CSV_COLUMNS)
    yield from _chunks((line([csv_cell(actor.id), csv_cell(actor.name), csv_cell(actor.kind), stats.events,
                              stats.quotes, csv_cell(stats.first.text if stats.first else ""),
                              csv_cell(_display(stats.first)), csv_cell(stats.last.text if stats.last else ""),
                              csv_cell(_display(stats.last))])
                        for actor, stats in _stats(timeline, _actors(timeline))), "".join)


# --- table -----------------------------------------------------------------------------------------

def _shown(text: str) -> str:
    """What the table shows of a field (``clip``, on one line, controls visible); most
    fields are short printable text, shown as they are without the regular expressions."""
    if shown_as_is(text):
        return text
    return one_line(clip(text))


def _cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _widest(texts: list[str]) -> int:
    """The most cells any of ``texts`` takes: an ASCII text takes a cell a character, any
    other at most two, so only those that could be wider than the widest ASCII one are
    measured, longest first (at 50,000 actors, a few rather than every name; the passes
    over all of them are in C)."""
    best = max(map(len, filter(str.isascii, texts)), default=0)
    for text in sorted(filterfalse(str.isascii, texts), key=len, reverse=True):
        if 2 * len(text) <= best:
            break
        best = max(best, cell_len(text))
    return best


def _shown_column(texts: list[str]) -> list[str]:
    """A column's texts as the table shows them (``_shown``); most columns are shown as
    they are, told in one pass, so the first row does not wait for 50,000 texts made
    visible one by one."""
    return texts if all_shown_as_is(texts) else [_shown(text) for text in texts]


def _date_cell(date: EDate | None) -> str:
    return date.display() if date else "—"


def _fit(widths: list[int], least: list[int], room: int) -> list[int] | None:
    """Widths in ``room`` cells such that no word is cut (an id is what ``--actor`` takes:
    "venezuelan-security-…" would not do): the widest columns give up space first, none
    below its longest word. None if even that does not fit."""
    if sum(least) > room:
        return None
    widths = list(widths)
    for _ in range(sum(widths) - room):
        slack = max(range(len(widths)), key=lambda i: widths[i] - least[i])
        widths[slack] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken at spaces; a word longer than
    that is folded (never lost)."""
    if 2 * len(text) <= width or _cells(text) <= width:  # a character takes two cells at most
        return [text]
    lines: list[str] = []
    line, used = "", 0
    for word in text.split():
        size = _cells(word)
        if size > width:
            if line:
                lines.append(line)
            *whole, line = chop_cells(word, width)
            lines.extend(whole)
            used = _cells(line)
        elif not line:
            line, used = word, size
        elif used + 1 + size <= width:
            line, used = f"{line} {word}", used + 1 + size
        else:
            lines.append(line)
            line, used = word, size
    if line or not lines:
        lines.append(line)
    return lines


def _table(timeline: Timeline, width: int, bold: bool) -> Iterator[str]:
    actors = _actors(timeline)
    counts = timeline.actor_event_counts()
    stats = _stats(timeline, actors)
    sample = [next(stats) for _ in range(min(SAMPLE, len(actors)))]
    dates = [(_date_cell(s.first), _date_cell(s.last)) for _, s in sample]
    ids, names, kinds = (_shown_column([getattr(a, field) for a in actors]) for field in ("id", "name", "kind"))
    columns = [
        [HEADERS[0], *ids],
        [HEADERS[1], *names],
        [HEADERS[2], *kinds],
        [HEADERS[3], str(max(counts.values(), default=0))],
        [HEADERS[4], str(len(timeline.quotes))],  # a bound: no actor says more than every quote
        [HEADERS[5], *(d[0] for d in dates)],
        [HEADERS[6], *(d[1] for d in dates)],
    ]
    widths = [_widest(column) for column in columns]
    widths[5:7] = [max(w, _DATE) for w in widths[5:7]]  # room for a day's date, whatever the sample held
    least = [_widest(" ".join(column).split()) for column in columns]
    least[3:5] = widths[3:5]  # numbers are never wrapped
    del columns
    fitted = _fit(widths, least, width - _GAP * (len(HEADERS) - 1))
    rows = (((ids[i], names[i], kinds[i]), s) for i, (_, s) in enumerate(_chain(sample, stats)))
    if fitted is None:
        return _blocks(rows, width, bold)
    return _columns(rows, fitted, bold)


def _chain(first: list, rest: Iterator):
    yield from first
    yield from rest


def _columns(rows, widths: list[int], bold: bool) -> Iterator[str]:
    def line(cells: tuple[str, ...]) -> str:
        wrapped = [_wrap(text, w) for text, w in zip(cells, widths)]
        out = []
        for n in range(max(map(len, wrapped))):
            parts = []
            for k, (lines, w) in enumerate(zip(wrapped, widths)):
                text = lines[n] if n < len(lines) else ""
                pad = " " * (w - _cells(text))
                parts.append(pad + text if k in (3, 4) else text + pad)
            out.append((" " * _GAP).join(parts).rstrip() + "\n")
        return "".join(out)

    header = line(HEADERS)
    yield f"\x1b[1m{header[:-1]}\x1b[0m\n" if bold else header
    yield from _chunks((line((*text, str(s.events), str(s.quotes), _date_cell(s.first), _date_cell(s.last)))
                        for text, s in rows), "".join)


def _blocks(rows, width: int, bold: bool) -> Iterator[str]:
    """Too narrow for seven columns: one block per actor, the id on its own line(s), then its
    name, kind, counts and span, indented, every line within ``width``."""
    room = max(1, width - 2)

    def block(text: tuple[str, str, str], s) -> str:
        actor_id, name, kind = text
        first, last = _date_cell(s.first), _date_cell(s.last)
        span = first if first == last else f"{first} – {last}"
        counts = (f"{s.events} event{'s' * (s.events != 1)}, "
                  f"{s.quotes} quote{'s' * (s.quotes != 1)}")
        head = actor_id if _cells(actor_id) <= width else "\n".join(chop_cells(actor_id, max(1, width)))
        out = [f"\x1b[1m{head}\x1b[0m" if bold else head]
        for part in (name, kind, counts, span):
            out.extend("  " + piece for piece in _wrap(part, room))
        return "\n".join(out) + "\n"

    return _chunks((block(text, s) for text, s in rows), "".join)
