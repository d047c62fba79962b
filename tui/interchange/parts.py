"""Dates given in parts (year, month, day, hour...), as TimelineJS keeps them, to EDTF.

The date keeps exactly the precision it was given with: a year alone stays a year, a month
without a day stays a month, and nothing is ever taken from today. A part that cannot be read
is dropped with everything finer than it, and that is a warning; so is a part that timeline/1
cannot hold (milliseconds, an hour without minutes). A year outside 0001-9999 (TimelineJS
also draws the Big Bang) cannot be stored: the caller skips that record, with a warning.
"""

from __future__ import annotations

import re

from ..model.dates import MONTH_NAMES, DateError, parse_edtf

__all__ = ["edtf", "parse_time", "Unstorable"]

_MONTHS = {name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)}
_MONTHS.update({name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, 1)})
_MONTHS["sept"] = 9
_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?(?:[.,](\d+))?\s*([ap]\.?m\.?)?", re.IGNORECASE)


class Unstorable(Exception):
    """A date timeline/1 cannot hold at all (no year, or a year outside 0001-9999)."""


def _text(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value: str, name: str, low: int, high: int, warn) -> int | None:
    if not value:
        return None
    if name == "month" and value.lower().rstrip(".") in _MONTHS:
        month = _MONTHS[value.lower().rstrip(".")]
        warn(f"month {value!r} read as {month:02}")
        return month
    if not value.isascii() or not value.isdigit():
        warn(f"{name} {value!r} is not a number: the date is kept without it")
        return None
    number = int(value)
    if not low <= number <= high:
        warn(f"{name} {value!r} is not between {low} and {high}: the date is kept without it")
        return None
    return number


def parse_time(text: str, warn) -> dict:
    """A sheet's Time cell ("10:30", "8:05 PM", "10:30:15") as hour/minute/second parts."""
    text = text.strip()
    if not text:
        return {}
    m = _TIME.fullmatch(text)
    if m is None or m.group(2) is None:
        warn(f"time {text!r} is not HH:MM: the date is kept without it")
        return {}
    hour = int(m.group(1))
    if m.group(5):
        if not 1 <= hour <= 12:
            warn(f"time {text!r} is not a time: the date is kept without it")
            return {}
        hour = hour % 12 + (12 if m.group(5).lower().startswith("p") else 0)
    parts = {"hour": str(hour), "minute": m.group(2), "second": m.group(3) or ""}
    if m.group(4) and int(m.group(4)):
        parts["millisecond"] = m.group(4)
    return parts


def _point(parts: dict, warn) -> str:
    """One point; raises Unstorable if it has no usable year."""
    year_text = _text(parts.get("year"))
    if not year_text:
        raise Unstorable("no year")
    if not re.fullmatch(r"[+-]?\d+", year_text):
        raise Unstorable(f"year {year_text!r} is not a number")
    year = int(year_text)
    if not 1 <= year <= 9999:
        raise Unstorable(f"year {year_text} cannot be stored (timeline/1 holds years 0001 to 9999)")
    text = f"{year:04}"
    month = _number(_text(parts.get("month")), "month", 1, 12, warn)
    day_text, hour_text = _text(parts.get("day")), _text(parts.get("hour"))
    finer = [name for name in ("day", "hour", "minute", "second") if _text(parts.get(name))]
    if month is None:
        if finer:
            warn(f"{', '.join(finer)} given without a month: kept as the year {text} only")
        return text
    text += f"-{month:02}"
    day = _number(day_text, "day", 1, 31, warn)
    if day is None:
        if hour_text:
            warn(f"a time without a day: kept as the month {text} only")
        return text
    try:
        parse_edtf(f"{text}-{day:02}")
    except DateError as exc:
        warn(f"{exc}: kept as the month {text} only")
        return text
    text += f"-{day:02}"
    hour = _number(hour_text, "hour", 0, 23, warn)
    minute = _number(_text(parts.get("minute")), "minute", 0, 59, warn)
    if hour is None:
        return text
    if minute is None:
        warn(f"hour {hour} without minutes cannot be stored: kept as the day {text} only")
        return text
    text += f"T{hour:02}:{minute:02}"
    second = _number(_text(parts.get("second")), "second", 0, 59, warn)
    if second is not None:
        text += f":{second:02}"
    ms = _text(parts.get("millisecond"))
    if ms and ms.strip("0"):
        warn(f"millisecond {ms} cannot be stored: kept to the {'second' if second is not None else 'minute'}")
    return text


def edtf(start: dict, end: dict | None, warn) -> str:
    """The EDTF date for a start and an optional end (an interval). Raises Unstorable when
    the start cannot be stored; an end that cannot be is dropped with a warning."""
    first = _point(start, lambda m: warn(("start_date",), m))
    if not end or not any(_text(v) for k, v in end.items() if k != "format"):
        return first
    try:
        last = _point(end, lambda m: warn(("end_date",), m))
    except Unstorable as exc:
        warn(("end_date",), f"{exc}: the end is dropped, the date is the start only")
        return first
    if last == first:
        return first
    try:
        parse_edtf(f"{first}/{last}")
    except DateError as exc:
        warn(("end_date",), f"{exc}: the end is dropped, the date is the start only")
        return first
    return f"{first}/{last}"
