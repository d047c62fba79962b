"""Timesketch's import format (JSONL or CSV) to timeline/1, and timeline/1 out as Timesketch JSONL.

Timesketch needs three fields on every event (its docs, "Create timeline from JSONL or CSV
file"): ``message``, ``datetime`` (ISO 8601) and ``timestamp_desc`` (what the time is, e.g.
"Write time"); every other field is an attribute. ``timestamp`` (microseconds since 1970)
is optional; Timesketch recomputes it from ``datetime``.

In: ``message`` is the title, ``datetime`` the date (to the second, with its offset; a
fraction of a second cannot be stored), ``timestamp_desc`` the date's own words. Attributes
go into the note as ``name: value`` lines, except those this module writes (``date``,
``summary``, ``place``, ``actors``, ``tag``...), which read back into their fields.

Out: one JSON object per event. A date less precise than a second still needs one instant:
``datetime`` is the first moment it can mean, and the attributes ``date`` (the stored EDTF),
``date_display`` and ``date_precision`` say what is really known. Timesketch reads a
``datetime`` without an offset as UTC, and drops events before the year 1700.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator, Sequence

from ..model.dates import DateError, parse_edtf
from ..model.entities import CONFIDENCES
from ..model.timeline import Timeline
from .document import ConvertError, Document

__all__ = ["looks_like", "read_records", "render"]

_ISO = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d)?)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?", re.IGNORECASE)
_OURS = ("id", "date", "date_text", "summary", "place", "actors", "actor_ids", "tag", "confidence", "note",
         "sources", "source_urls", "date_display", "date_precision", "date_end", "quotes", "timestamp")
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def looks_like(keys) -> bool:
    keys = set(keys)
    return "message" in keys and ("datetime" in keys or "timestamp" in keys)


def _from_timestamp(value) -> str | None:
    """Timesketch's own rule: the unit is guessed from the size (s, ms, µs or ns); UTC."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    for limit, scale in ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3), (0, 1)):
        if abs(number) > limit or scale == 1:
            seconds = number / scale
            break
    try:
        moment = _EPOCH + _dt.timedelta(seconds=int(seconds))
    except OverflowError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_datetime(text: str, warn) -> str | None:
    m = _ISO.fullmatch(text.strip())
    if m is None:
        return None
    day, clock, fraction, offset = m.groups()
    if fraction and fraction.strip("0"):
        warn(f"datetime {text!r}: the fraction of a second cannot be stored", tally=True)
    offset = (offset or "").upper()
    if offset and offset != "Z" and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    result = f"{day}T{clock}{offset}"
    try:
        return parse_edtf(result).text
    except DateError as exc:
        warn(str(exc))
        return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value or "").split(";") if p.strip()]


def read_records(name: str, records: list[tuple[tuple, dict]]) -> Document:
    """``records``: (place, fields) pairs, from JSON Lines or CSV rows."""
    doc = Document(name, "timesketch")
    doc.title = name.rsplit("/", 1)[-1]
    for place, record in records:
        _record(doc, place, record)
    return doc


def _record(doc: Document, place: tuple, record: dict) -> None:
    def warn(message: str, *, tally: bool = False) -> None:
        (doc.tally(message.split(":")[0], place, message) if tally else doc.warn(place, message))

    date = None
    stored = _text(record.get("date"))
    if stored:
        try:
            date = parse_edtf(stored).text
        except DateError:
            date = None
    if date is None and _text(record.get("datetime")):
        date = _from_datetime(_text(record["datetime"]), warn)
        if date is None:
            warn(f"datetime {_text(record['datetime'])!r} is not an ISO 8601 date and time")
    if date is None and _text(record.get("timestamp")):
        date = _from_timestamp(record["timestamp"])
        if date is not None:
            warn(f"no usable datetime: the timestamp is read as UTC ({date})", tally=True)
    if date is None:
        warn("no usable datetime or timestamp: skipped")
        return
    title = _text(record.get("message")) or "(no message)"
    if title == "(no message)":
        warn("no message: the title is '(no message)'")
    event: dict = {"id": "", "date": date, "title": title}
    date_text = _text(record.get("date_text")) or _text(record.get("timestamp_desc"))
    if date_text:
        event["date_text"] = date_text
    for field in ("summary", "place"):
        if _text(record.get(field)):
            event[field] = _text(record[field])
    names, ids = _list(record.get("actors")), _list(record.get("actor_ids"))
    actors = []
    for i, actor_name in enumerate(names):
        actor_id = doc.actor(actor_name, wanted_id=ids[i] if len(ids) == len(names) else None)
        if actor_id not in actors:
            actors.append(actor_id)
    if actors:
        event["actors"] = actors
    tags = list(dict.fromkeys(_list(record.get("tag"))))
    if tags:
        event["tags"] = tags
    confidence = _text(record.get("confidence"))
    if confidence in CONFIDENCES and confidence != "confirmed":
        event["confidence"] = confidence
    titles, urls = _list(record.get("sources")), _list(record.get("source_urls"))
    sources = []
    for i, url in enumerate(urls):
        sources.append(doc.source(title=titles[i] if len(titles) == len(urls) else url, url=url))
    if not urls:
        sources = [doc.source(title=t) for t in titles]
    if sources:
        event["sources"] = list(dict.fromkeys(sources))
    known = {"message", "datetime", "timestamp_desc", *_OURS}
    notes = [_text(record.get("note"))] if _text(record.get("note")) else []
    notes += [f"{k}: {_text(v)}" for k, v in record.items() if k not in known and _text(v)]
    if notes:
        event["note"] = "\n".join(notes)
    wanted = _text(record.get("id"))
    event["id"] = doc.new_id("events", wanted or title, "event")
    doc.events.append(event)


def read_jsonl(name: str, text: str) -> Document:
    records = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ConvertError(f"{name}:{number}: not JSON ({exc})") from None
        if not isinstance(record, dict):
            raise ConvertError(f"{name}:{number}: a Timesketch line must be a JSON object")
        records.append(((f"line {number}",), record))
    return read_records(name, records)


def read_rows(name: str, rows: list[list[str]]) -> Document:
    header = [h.replace("\ufeff", "").strip() for h in rows[0]]
    records = [((f"row {n}",), dict(zip(header, row))) for n, row in enumerate(rows[1:], 2) if any(row)]
    return read_records(name, records)


# --- out ------------------------------------------------------------------------------------

def _instant(point) -> tuple[str, int]:
    """The first moment of a point, as Timesketch's ISO datetime and microseconds (UTC if no offset)."""
    moment = _dt.datetime(point.year, point.month or 1, point.day or 1, point.hour or 0,
                          point.minute or 0, point.second or 0)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    zone = _dt.timezone.utc
    if point.offset and point.offset != "Z":
        sign = -1 if point.offset[0] == "-" else 1
        zone = _dt.timezone(sign * _dt.timedelta(hours=int(point.offset[1:3]), minutes=int(point.offset[4:6])))
        text += point.offset
    else:
        text += "+00:00" if point.offset == "Z" else ""
    stamp = (moment.replace(tzinfo=zone) - _EPOCH) // _dt.timedelta(microseconds=1)
    return text, stamp


def _record_out(timeline: Timeline, pos: int, e, quotes) -> dict:
    edate = timeline.dates[pos]
    point = edate.start or edate.end
    when, stamp = _instant(point)
    desc = "Event date" if not edate.interval else "Event start" if edate.start else "Event end (start unknown)"
    out = {"message": e.title, "datetime": when, "timestamp": stamp, "timestamp_desc": desc,
           "id": e.id, "date": e.date, "date_display": edate.display(), "date_precision": edate.precision}
    if edate.interval and edate.start is not None and edate.end is not None:
        out["date_end"] = _instant(edate.end)[0]
    for field in ("date_text", "summary", "place", "note"):
        if getattr(e, field):
            out[field] = getattr(e, field)
    if e.actors:
        out["actors"] = [timeline.actor_name(a) for a in e.actor_ids()]
        out["actor_ids"] = e.actor_ids()
    if e.tags:
        out["tag"] = list(e.tags)
    if e.confidence != "confirmed":
        out["confidence"] = e.confidence
    sources = [s for s in (timeline.sources.get(i) for i in e.source_ids()) if s]
    if sources:
        out["sources"] = [s.title for s in sources]
        if all(s.url for s in sources):
            out["source_urls"] = [s.url for s in sources]
    if quotes:
        out["quotes"] = [f"{timeline.actor_name(q.speaker)}: {q.text}" for q in quotes]
    return out


def render(timeline: Timeline, positions: Sequence[int]) -> Iterator[bytes]:
    """JSON Lines; non-ASCII written as \\u escapes, so a line never splits and prints inert."""
    for i in range(0, len(positions), 2000):
        chunk = positions[i:i + 2000]
        quotes, q, lines = timeline.quotes_of(chunk), 0, []
        for pos, e in zip(chunk, timeline.events_at(chunk)):  # read together: cheaper for a big file
            n = timeline.quote_count(pos)
            lines.append(json.dumps(_record_out(timeline, pos, e, quotes[q:q + n]), ensure_ascii=True) + "\n")
            q += n
        yield "".join(lines).encode()
