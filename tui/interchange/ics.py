"""Events out as an iCalendar file (RFC 5545), so that dated events go into a calendar.

A calendar entry needs at least a day: an event known only to the month or the year has no
honest place in a calendar, so it is left out (the command says how many). A day becomes an
all-day entry, a time a timed one: in UTC when the offset is known, otherwise "floating"
local time, as stored. Qualifiers, ``date_text`` and open ends are said in the description.
Text is escaped as RFC 5545 asks (backslash, comma, semicolon, new lines), so a title cannot
add a property. ``DTSTAMP`` is when the input file was last changed, never the current time,
so the same input gives the same file.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterator, Sequence

from ..model.dates import DAY
from ..model.text import visible
from ..model.timeline import Timeline

__all__ = ["render", "calendar_positions"]


def _escape(text: str) -> str:
    """RFC 5545 TEXT; control characters made visible first, as in every text output."""
    text = visible(text.replace("\r\n", "\n").replace("\r", "\n"), multiline=True)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (CRLF and a space), never inside a character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def _day_point(point) -> bool:
    return point is not None and point.day is not None


def calendar_positions(timeline: Timeline, positions: Sequence[int]) -> list[int]:
    """The events that can go into a calendar: those whose known ends are at least days."""
    return [p for p in positions
            if all(_day_point(pt) for pt in (timeline.dates[p].start, timeline.dates[p].end) if pt is not None)
            and _day_point(timeline.dates[p].point)]


def _value(point, *, end: bool = False) -> tuple[str, str]:
    """(parameters, value) of DTSTART/DTEND for a point: a DATE, a UTC or a floating DATE-TIME."""
    if point.hour is None:
        day = _dt.date(point.year, point.month, point.day) + _dt.timedelta(days=1 if end else 0)
        return ";VALUE=DATE", day.strftime("%Y%m%d")
    moment = _dt.datetime(point.year, point.month, point.day, point.hour, point.minute, point.second or 0)
    if end:
        moment += _dt.timedelta(seconds=1 if point.second is not None else 60)
    if point.offset:
        if point.offset != "Z":
            sign = -1 if point.offset[0] == "-" else 1
            moment -= sign * _dt.timedelta(hours=int(point.offset[1:3]), minutes=int(point.offset[4:6]))
        return "", moment.strftime("%Y%m%dT%H%M%SZ")
    return "", moment.strftime("%Y%m%dT%H%M%S")


def _stamp(timeline: Timeline) -> str:
    times = []
    for name in timeline.files:
        try:
            times.append(os.stat(name).st_mtime)
        except (OSError, ValueError):
            pass
    moment = _dt.datetime.fromtimestamp(max(times), _dt.timezone.utc) if times else _dt.datetime(
        1970, 1, 1, tzinfo=_dt.timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _event(timeline: Timeline, pos: int, stamp: str) -> str:
    e = timeline.events[pos]
    edate = timeline.dates[pos]
    start = edate.start or edate.end
    lines = ["BEGIN:VEVENT", f"UID:{e.id}@timeline-explorer", f"DTSTAMP:{stamp}"]
    params, value = _value(start)
    lines.append(f"DTSTART{params}:{value}")
    last = edate.end if edate.start is not None else None
    if last is not None and (last.precision == DAY) == (start.precision == DAY):
        params, value = _value(last, end=True)
        lines.append(f"DTEND{params}:{value}")
    lines.append("SUMMARY:" + _escape(e.title))
    description = [f"Date: {edate.display()}" + (f" ({e.date_text})" if e.date_text else "")]
    if e.summary:
        description.append(e.summary)
    if e.actors:
        description.append("Actors: " + ", ".join(timeline.actor_name(a) for a in e.actor_ids()))
    for q in timeline.quotes_at(pos):
        description.append(f"“{q.text}” — {timeline.actor_name(q.speaker)}")
    for source_id in e.source_ids():
        s = timeline.sources.get(source_id)
        if s is not None:
            description.append(f"Source: {s.title}" + (f" <{s.url}>" if s.url else ""))
    if e.note:
        description.append(f"Note: {e.note}")
    lines.append("DESCRIPTION:" + _escape("\n".join(description)))
    if e.place:
        lines.append("LOCATION:" + _escape(e.place))
    if e.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in e.tags))
    if e.confidence != "confirmed" or edate.uncertain:
        lines.append("STATUS:TENTATIVE")
    lines.append("END:VEVENT")
    return "".join(_fold(line) for line in lines)


def render(timeline: Timeline, positions: Sequence[int]) -> Iterator[str]:
    stamp = _stamp(timeline)
    yield "".join(_fold(line) for line in (
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Timeline Explorer//timeline list//EN",
        "CALSCALE:GREGORIAN", "X-WR-CALNAME:" + _escape(timeline.title)))
    for pos in calendar_positions(timeline, positions):
        yield _event(timeline, pos, stamp)
    yield "END:VCALENDAR\r\n"
