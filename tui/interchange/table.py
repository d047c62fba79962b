"""Any spreadsheet export (CSV or TSV) to timeline/1, through a column mapping.

``--map date=When,title=What,actors=Who`` names the column of each field. Without a map,
the columns ``timeline list --format csv`` writes are recognised, so that output reads back
(the same events, ids, dates, actors and tags). Columns that are not mapped are not lost:
their values go into the event's note as ``Column: value`` lines.

Dates are read as stored dates (``2024-09``, ``2024-03-20~``, intervals) or as typed dates
(``6 Sep 2024``, ``September 2024``) at the precision written; an ambiguous ``01/02/2024`` or
a date without a year is refused for that row, never guessed.
"""

from __future__ import annotations

from ..model.dates import DateError, Point, parse_edtf, parse_user_date
from ..model.entities import CONFIDENCES
from .document import ConvertError, Document

__all__ = ["FIELDS", "OWN_COLUMNS", "parse_map", "read", "point_text", "looks_like_own"]

FIELDS = ("id", "date", "end", "title", "date_text", "summary", "place", "actors", "actor_ids",
          "tags", "confidence", "note", "sources", "source_urls")
"""The fields a column can be mapped to (``end``: the end of an interval, in its own column)."""
OWN_COLUMNS = ("id", "date", "date_display", "date_text", "title", "summary", "place", "actors",
               "actor_ids", "tags", "confidence", "note", "sources", "source_urls", "quotes")
"""What ``timeline list --format csv`` writes (``output.CSV_COLUMNS``)."""
_DERIVED = {"date_display", "quotes"}
_DEFUSED = tuple("=+-@\t\r")


def looks_like_own(header: list[str]) -> bool:
    return {"id", "date", "title"} <= {h.strip() for h in header}


def parse_map(text: str | None) -> dict[str, str]:
    """'date=When,title=What' -> {'date': 'When', 'title': 'What'}; a bad map is a usage error."""
    mapping: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        field, sep, column = item.partition("=")
        field = field.strip().lower()
        if not sep or not column.strip():
            raise ConvertError(f"--map: {item.strip()!r} is not FIELD=COLUMN")
        if field not in FIELDS:
            raise ConvertError(f"--map: unknown field {field!r} (fields: {', '.join(FIELDS)})")
        mapping[field] = column.strip()
    return mapping


def point_text(point: Point) -> str:
    """A point read from typed text, as a stored date at the same precision."""
    text = f"{point.year:04}"
    for name, sep in (("month", "-"), ("day", "-"), ("hour", "T"), ("minute", ":"), ("second", ":")):
        value = getattr(point, name)
        if value is None:
            break
        text += f"{sep}{value:02}"
    return text


def _date(cell: str, warn) -> str | None:
    try:
        return parse_edtf(cell).text
    except DateError:
        pass
    try:
        point = parse_user_date(cell)
    except DateError as exc:
        warn(f"{exc}")
        return None
    text = point_text(point)
    warn(f"date {cell!r} read as {text}", tally=True)
    return text


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def read(name: str, rows: list[list[str]], mapping: dict[str, str] | None) -> Document:
    if not rows:
        raise ConvertError(f"{name}: is empty")
    header = [h.replace("\ufeff", "").strip() for h in rows[0]]
    own = not mapping
    if own:
        if not looks_like_own(header):
            raise ConvertError(
                f"{name}: which column holds what? Give --map FIELD=COLUMN,..., e.g. "
                f"--map date=When,title=What,actors=Who (columns: {', '.join(h for h in header if h) or 'none'}; "
                f"fields: {', '.join(FIELDS)})")
        mapping = {h: h for h in header if h in FIELDS}
    missing = [c for c in mapping.values() if c not in header]
    if missing:
        raise ConvertError(f"{name}: --map names columns that are not in the header: {', '.join(map(repr, missing))} "
                           f"(columns: {', '.join(h for h in header if h)})")
    for needed in ("date", "title"):
        if needed not in mapping:
            raise ConvertError(f"{name}: --map needs a column for {needed} (e.g. --map date=When,title=What)")
    doc = Document(name, "csv")
    doc.title = name.rsplit("/", 1)[-1]
    index = {h: i for i, h in reversed(list(enumerate(header)))}
    column = {field: index[col] for field, col in mapping.items()}
    used = set(column.values())
    extra = [(i, h) for i, h in enumerate(header) if i not in used and h and not (own and h in _DERIVED)]
    if extra:
        doc.warn(("row 1",), f"columns {', '.join(repr(h) for _, h in extra)} are not mapped: kept in each event's note")
    fields = list(column.items())
    for number, row in enumerate(rows[1:], 2):
        if not "".join(row).strip():
            continue
        place = (f"row {number}",)

        def warn(message: str, *, tally: bool = False, _place=place) -> None:
            (doc.tally("date-read", _place, message) if tally else doc.warn(_place, message))

        cells = {field: row[i].strip() for field, i in fields if i < len(row)}
        if own:
            for field, value in cells.items():
                if value[:1] == "'" and value[1:2] in _DEFUSED:
                    cells[field] = value[1:]  # the apostrophe the CSV writer put before a formula-like cell
        _row(doc, lambda field, _cells=cells: _cells.get(field, ""), warn, number, row, extra)
    return doc


def _row(doc: Document, cell, warn, number: int, row: list[str], extra) -> None:
    date_cell = cell("date")
    if not date_cell:
        warn("no date: skipped")
        return
    date = _date(date_cell, warn)
    if date is None:
        warn("skipped (no readable date)")
        return
    end_cell = cell("end")
    if end_cell:
        end = _date(end_cell, warn)
        if end is not None and "/" not in date:
            try:
                date = parse_edtf(f"{date}/{end}").text
            except DateError as exc:
                warn(f"{exc}: the end is dropped")
    title = cell("title")
    if not title:
        title = "(no title)"
        warn("no title: the title is '(no title)'")
    event: dict = {"id": "", "date": date, "title": title}
    for field in ("date_text", "summary", "place"):
        if cell(field):
            event[field] = cell(field)
    names, ids = _split(cell("actors")), _split(cell("actor_ids"))
    if ids and len(ids) != len(names):
        names = ids if not names else names
        if len(ids) != len(names):
            warn(f"{len(names)} actor names and {len(ids)} actor ids: the names are used")
            ids = []
    actors = []
    for i, actor_name in enumerate(names):
        before = len(doc.actors)
        actor_id = doc.actor(actor_name, wanted_id=ids[i] if ids else None)
        if len(doc.actors) > before:
            doc.tally("actor-kind", (f"row {number}",), f"actor {actor_name!r} created with kind 'other' "
                      "(a CSV has no actor kinds)")
        if actor_id not in actors:
            actors.append(actor_id)
    if actors:
        event["actors"] = actors
    tags = list(dict.fromkeys(_split(cell("tags"))))
    if tags:
        event["tags"] = tags
    confidence = cell("confidence").lower()
    if confidence and confidence != "confirmed":
        if confidence in CONFIDENCES:
            event["confidence"] = confidence
        else:
            warn(f"confidence {cell('confidence')!r} is not one of {', '.join(CONFIDENCES)}: left out")
    titles, urls = _split(cell("sources")), _split(cell("source_urls"))
    sources: list[str] = []
    if urls and titles and len(urls) != len(titles):
        warn(f"{len(titles)} source titles and {len(urls)} source URLs cannot be paired: "
             "each URL is a source titled by its URL, each title a source without one")
        pairs = [(t, None) for t in titles] + [(u, u) for u in urls]
    elif urls:
        pairs = list(zip(titles or urls, urls))
    else:
        pairs = [(t, None) for t in titles]
    for source_title, url in pairs:
        source_id = doc.source(title=source_title, url=url)
        if source_id not in sources:
            sources.append(source_id)
    if sources:
        event["sources"] = sources
    notes = [cell("note")] if cell("note") else []
    notes += [f"{h}: {row[i].strip()}" for i, h in extra if i < len(row) and row[i].strip()]
    if notes:
        event["note"] = "\n".join(notes)
    wanted = cell("id")
    event["id"] = doc.new_id("events", wanted or title, "event")
    if wanted and event["id"] != wanted:
        warn(f"id {wanted!r} is not a valid or unique id: it became {event['id']!r}")
    doc.events.append(event)
