"""Honest dates: a small EDTF (ISO 8601-2) subset with precision, qualifiers and bounds.

A timeline about a developing story rarely knows every date to the day. "March 2024",
"about 20 March", "6 Sep at 20:30 Caracas time" and "from 23 Nov, still going" must all
be stored as given, sorted sensibly and filtered by overlap, and displayed without inventing
a day or a month. So every date keeps its precision and qualifier, and is reduced to two
integers, the first and last second it may cover, for sorting (by the lower bound) and for
overlap tests. Times are compared as local wall-clock times: the offset is kept for display,
but "20:30-04:00 on 6 Sep" stays on 6 Sep, like the story it belongs to.

The grammar (documented in docs/format.md):
    YYYY | YYYY-MM | YYYY-MM-DD | YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]
followed by an optional qualifier: ``?`` uncertain, ``~`` approximate, ``%`` both;
and intervals ``START/END`` where either end may be ``..`` (open).

This module is written by hand rather than with a general EDTF library: it is on the hot path
of loading a million events, and its errors must say exactly what is wrong.
"""

from __future__ import annotations

import re
from datetime import date as _date, datetime

import msgspec

__all__ = [
    "DateError",
    "EDate",
    "Point",
    "parse_edtf",
    "point_display",
    "parse_user_date",
    "MIN_SECOND",
    "MAX_SECOND",
    "short_date",
]

YEAR, MONTH, DAY, MINUTE, SECOND = "year", "month", "day", "minute", "second"
PRECISIONS = (YEAR, MONTH, DAY, MINUTE, SECOND)
QUALIFIERS = {"": "", "?": "uncertain", "~": "approximate", "%": "uncertain and approximate"}

_DAY = 86400
MIN_SECOND = 0
"""The lower bound of an interval with an open start."""
MAX_SECOND = (_date(9999, 12, 31).toordinal() + 1) * _DAY
"""The upper bound of an interval with an open end (later than any date)."""

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], optionally ending in ?, ~ or %"

_POINT = re.compile(
    r"(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d))?(Z|[+-]\d\d:\d\d)?)?)?)?([?~%]?)",
    re.ASCII,  # \d is 0-9 only: "٢٠٢٤" (Arabic-Indic digits) is not a stored date
)


class DateError(ValueError):
    """A date that cannot be read; the message says what is wrong, for a person."""


class Point(msgspec.Struct, frozen=True, gc=False):
    """One calendar point at its own precision, e.g. ``2024-03~`` (approximately March 2024).

    A msgspec Struct rather than a frozen dataclass: it is built in a twentieth of the time
    (0.06 µs, not 1 µs), and a big file has hundreds of thousands of distinct dates to read.
    """

    year: int
    month: int | None
    day: int | None
    hour: int | None
    minute: int | None
    second: int | None
    offset: str | None
    """The UTC offset as written ("Z", "-04:00"), kept for display only."""
    qualifier: str
    """"", "?", "~" or "%"."""
    lower: int
    """First second covered, counted from 0001-01-01T00:00 local time."""
    upper: int
    """Last second covered (inclusive)."""

    @property
    def precision(self) -> str:
        if self.month is None:
            return YEAR
        if self.day is None:
            return MONTH
        if self.hour is None:
            return DAY
        return MINUTE if self.second is None else SECOND

    def display(self, *, with_year: bool = True, with_offset: bool = True) -> str:
        """The point at its stored precision: "2024", "Mar 2024", "~20 Mar 2024", "6 Sep 2024 20:30 -04:00"."""
        if self.month is None:
            text = str(self.year)
        else:
            month = MONTH_ABBR[self.month - 1]
            text = f"{month} {self.year}" if with_year else month
            if self.day is not None:
                text = f"{self.day} {text}"
            if self.hour is not None:
                text += f" {self.hour:02}:{self.minute:02}"
                if self.second is not None:
                    text += f":{self.second:02}"
                if self.offset and with_offset:
                    text += " UTC" if self.offset == "Z" else f" {self.offset}"
        return qualify(text, self.qualifier)


def qualify(text: str, qualifier: str) -> str:
    """Mark a displayed date as approximate (leading ~) and/or uncertain (trailing ?)."""
    if qualifier in ("~", "%"):
        text = "~" + text
    if qualifier in ("?", "%"):
        text += "?"
    return text


class EDate(msgspec.Struct, frozen=True, gc=False):
    """A stored date: one point, or an interval whose ends may be open (None). A Struct, as
    ``Point`` is."""

    text: str
    start: Point | None
    end: Point | None
    interval: bool
    lower: int
    upper: int

    @property
    def point(self) -> Point | None:
        """The point that best stands for this date in a list (its start, else its end)."""
        return self.start or self.end

    @property
    def precision(self) -> str:
        point = self.point
        return point.precision if point else YEAR

    @property
    def qualifier(self) -> str:
        """The strongest qualifier on either end ("%" beats "?"/"~", which beat "")."""
        quals = {p.qualifier for p in (self.start, self.end) if p}
        if "%" in quals or {"?", "~"} <= quals:
            return "%"
        return next((q for q in ("?", "~") if q in quals), "")

    @property
    def uncertain(self) -> bool:
        return self.qualifier != ""

    def display(self) -> str:
        """The date as a person would write it, never more precise than stored."""
        if not self.interval:
            return self.start.display()
        start, end = self.start, self.end
        if start is None:
            return f"until {end.display()}"
        if end is None:
            return f"from {start.display()}"
        if start.display() == end.display():
            return start.display()  # "2024-09-06/2024-09-06" is one day
        plain = not start.qualifier and not end.qualifier  # qualifiers stay on their own end
        if (
            plain and start.precision == end.precision == MINUTE
            and (start.year, start.month, start.day, start.offset) == (end.year, end.month, end.day, end.offset)
        ):
            text = start.display()
            return text.replace(f"{start.hour:02}:{start.minute:02}",
                                f"{start.hour:02}:{start.minute:02}–{end.hour:02}:{end.minute:02}", 1)
        if plain and start.precision == end.precision == DAY and start.year == end.year:
            if start.month == end.month:
                return f"{start.day}–{end.display()}"
            return f"{start.display(with_year=False)} – {end.display()}"
        return f"{start.display()} – {end.display()}"


def _seconds(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return (_date(year, month, day).toordinal() - 1) * _DAY + hour * 3600 + minute * 60 + second


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def point_display(text: str) -> str | None:
    """``parse_edtf(text).display()`` for a date that is one point ("2024-09-06T20:30-04:00~"),
    checked as ``_point`` checks it but without working out its seconds (the sourcing table of
    a million events shows hundreds of thousands of distinct dates); None for an interval, or
    anything that is not a date."""
    m = _POINT.fullmatch(text)
    if m is None:
        return None
    y, mo, d, hh, mi, ss, off, qual = m.groups()
    year = int(y)
    if year == 0:
        return None
    if mo is None:
        return qualify(str(year), qual)
    month = int(mo)
    if not 1 <= month <= 12:
        return None
    shown = f"{MONTH_ABBR[month - 1]} {year}"
    if d is None:
        return qualify(shown, qual)
    day = int(d)
    if not 1 <= day <= _days_in_month(year, month):
        return None
    shown = f"{day} {shown}"
    if hh is None:
        return qualify(shown, qual)
    if int(hh) > 23 or int(mi) > 59 or (ss is not None and int(ss) > 59):
        return None
    shown += f" {hh}:{mi}" if ss is None else f" {hh}:{mi}:{ss}"  # two digits each, as stored
    if off == "Z":
        shown += " UTC"
    elif off:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 14 or om > 59 or (oh == 14 and om):
            return None
        shown += f" {off}"
    return qualify(shown, qual)


def _point(text: str) -> Point:
    m = _POINT.fullmatch(text)
    if m is None:
        raise DateError(f"'{text}' is not a date: expected {FORMS}")
    y, mo, d, hh, mi, ss, off, qual = m.groups()
    year = int(y)
    if year == 0:
        raise DateError(f"'{text}': year 0000 is not supported (years run from 0001 to 9999)")
    # Seconds are counted from day numbers (``date.toordinal``, one call per point): a
    # million-event file has hundreds of thousands of distinct dates to read.
    if mo is None:
        return Point(year, None, None, None, None, None, None, qual,
                     (_date(year, 1, 1).toordinal() - 1) * _DAY, _date(year, 12, 31).toordinal() * _DAY - 1)
    month = int(mo)
    if not 1 <= month <= 12:
        raise DateError(f"'{text}': month {mo} is not between 01 and 12")
    last = _days_in_month(year, month)
    if d is None:
        first = _date(year, month, 1).toordinal() - 1
        return Point(year, month, None, None, None, None, None, qual, first * _DAY, (first + last) * _DAY - 1)
    day = int(d)
    if not 1 <= day <= last:
        raise DateError(f"'{text}': day {d} does not exist in {MONTH_NAMES[month - 1]} {year} "
                        f"(it has {last} days)")
    if hh is None:
        ordinal = _date(year, month, day).toordinal()
        return Point(year, month, day, None, None, None, None, qual, (ordinal - 1) * _DAY, ordinal * _DAY - 1)
    hour, minute = int(hh), int(mi)
    if hour > 23:
        raise DateError(f"'{text}': hour {hh} is not between 00 and 23")
    if minute > 59:
        raise DateError(f"'{text}': minute {mi} is not between 00 and 59")
    second = int(ss) if ss is not None else None
    if second is not None and second > 59:
        raise DateError(f"'{text}': second {ss} is not between 00 and 59")
    if off and off != "Z":
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 14 or om > 59 or (oh == 14 and om):
            raise DateError(f"'{text}': UTC offset {off} is not between -14:00 and +14:00")
    lower = _seconds(year, month, day, hour, minute, second or 0)
    upper = lower + (59 if second is None else 0)
    return Point(year, month, day, hour, minute, second, off, qual, lower, upper)


_CACHE: dict[str, EDate] = {}
_CACHE_LIMIT = 200_000


def parse_edtf(text: str) -> EDate:
    """Parse a stored date. Raises DateError with a precise, readable message.

    Results are cached by text: a big timeline repeats the same dates many times.
    """
    if not isinstance(text, str):  # before the cache: a list or dict is not even hashable
        raise DateError(f"a date must be a string like 2024-09-06, not {type(text).__name__}")
    cached = _CACHE.get(text)
    if cached is not None:
        return cached
    if text != text.strip() or not text:
        raise DateError(f"'{text}' is not a date: expected {FORMS}" if text.strip()
                        else f"the date is empty: expected {FORMS}")
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2:
            raise DateError(f"'{text}': an interval has exactly one '/' (START/END)")
        a, b = parts
        if not a or not b:
            raise DateError(f"'{text}': an interval end is empty; write '..' for an open end")
        if a == b == "..":
            raise DateError(f"'{text}': an interval needs at least one known end")
        start = None if a == ".." else _point(a)
        end = None if b == ".." else _point(b)
        if start and end and end.upper < start.lower:
            raise DateError(f"'{text}': the interval ends ({b}) before it starts ({a})")
        result = EDate(text, start, end, True,
                       start.lower if start else MIN_SECOND, end.upper if end else MAX_SECOND)
    else:
        point = _point(text)
        result = EDate(text, point, point, False, point.lower, point.upper)
    if len(_CACHE) < _CACHE_LIMIT:
        _CACHE[text] = result
    return result


# --- dates typed by people (filters, go-to-date) ---------------------------------------------

_AMBIGUOUS = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_SENTINELS = (datetime(2000, 1, 1, 0, 0, 0), datetime(2004, 2, 2, 1, 1, 1), datetime(2008, 3, 15, 2, 2, 2))
"""Defaults that differ in every field. The third one's day is far from the others' so that a
weekday without a day ("Friday September 2024"), which dateutil resolves to the next such
weekday after the default, lands on different days and is not taken for a typed day."""
_FOUR_DIGITS = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])|(?<![0-9])[0-9]{8}(?![0-9])")
_FIELDS = ("year", "month", "day", "hour", "minute", "second")


def parse_user_date(text: str) -> Point:
    """Read a date a person typed: any stored form, or everyday forms ("6 Sep 2024",
    "September 2024", "2024", "6 September 2024 20:30").

    The result keeps the precision that was typed, so "--to 2024-09" runs through 30 Sep.
    dateutil normally fills missing fields from today's date; here it parses with three
    different sentinel defaults and keeps only the fields that agree, so the answer can never
    depend on the day it runs. A date without a year, a two-digit year (which dateutil reads
    relative to the current year), or an ambiguous all-number date like 01/02/2024, is refused
    rather than guessed.
    """
    if not isinstance(text, str):
        raise DateError(f"a date must be text like '6 Sep 2024', not {type(text).__name__}")
    raw = text
    text = text.strip()
    if not text:
        raise DateError("the date is empty")
    if _POINT.fullmatch(text):
        point = _point(text)
        return point
    if text[0] in "-\u2212":  # dateutil would drop the sign and read "-2024" as 2024
        raise DateError(f"'{raw}': only years 0001 to 9999 are supported")
    if "/" in text and ".." in text or text.count("/") == 1 and _POINT.fullmatch(text.split("/")[0]):
        raise DateError(f"'{raw}': give a single date here, not an interval")
    m = _AMBIGUOUS.fullmatch(text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if a != b and a <= 12 and b <= 12:
            raise DateError(f"'{raw}' is ambiguous (day/month or month/day?); "
                            "write it as YYYY-MM-DD or like '6 Sep 2024'")
        if len(m.group(3)) == 2:
            raise DateError(f"'{raw}' has a two-digit year; write all four digits")
    from dateutil import parser as _parser  # imported here: only typed dates need it

    try:
        # ignoretz: a zone name ("EST") is not kept anyway, and dateutil warns on stderr about
        # those it does not know (and means to raise one day)
        parsed = [_parser.parse(text, default=default, ignoretz=True) for default in _SENTINELS]
    except (ValueError, OverflowError) as exc:
        if any(c.isdigit() for c in text) and not re.search(r"\d{4}", text):
            # dateutil may have read a short number as a year relative to today, and failed
            # for that year; the same text must give the same answer any day
            raise DateError(f"'{raw}': write the year with all four digits, e.g. '6 Sep 2024'") from None
        reason = str(exc).split(":")[0]
        raise DateError(f"'{raw}' is not a date ({reason}); try 2024-09-06, 'Sep 2024' or '6 Sep 2024'") from None
    first = parsed[0]
    present = [f for f in _FIELDS if len({getattr(p, f) for p in parsed}) == 1]
    if "year" not in present:
        if any(int(m.group()[:4]) < 100 for m in _FOUR_DIGITS.finditer(text)):  # "Jan 0001": read as a day
            raise DateError(f"'{raw}': write years before 0100 as YYYY-MM-DD, e.g. 0099-01-01")
        raise DateError(f"'{raw}' has no year; add one, e.g. '{text} 2024'")
    # dateutil reads a two-digit year ("6 Sep 24") relative to the current year: refuse it,
    # or the answer would depend on the day it runs.
    groups = [m.group()[:4] for m in _FOUR_DIGITS.finditer(text)]
    if f"{first.year:04}" not in groups:
        if groups:  # "1 Jan 0001": dateutil reads years below 100 as two-digit years
            raise DateError(f"'{raw}': write years before 0100 as YYYY-MM-DD, e.g. 0099-01-01")
        raise DateError(f"'{raw}': write the year with all four digits, e.g. '6 Sep 2024'")
    if "month" not in present and ("day" in present or "hour" in present):
        raise DateError(f"'{raw}' has a day but no month")
    if "day" not in present and "hour" in present:
        raise DateError(f"'{raw}' has a time but no day")
    year = first.year
    month = first.month if "month" in present else None
    day = first.day if month and "day" in present else None
    if day is None:
        return _point(f"{year:04}" if month is None else f"{year:04}-{month:02}")
    iso = f"{year:04}-{month:02}-{day:02}"
    if "hour" in present and "minute" in present:
        iso += f"T{first.hour:02}:{first.minute:02}"
        if "second" in present:
            iso += f":{first.second:02}"
    return _point(iso)


def short_date(edate: EDate) -> str:
    """The date for a row under its month heading: no year (the heading has it) and no UTC
    offset (the detail pane has it), never more precise than stored."""
    start, end = edate.start, edate.end

    def short(point) -> str:
        return point.display(with_year=point.month is None, with_offset=False)

    if not edate.interval:
        return short(start)
    if start is None:
        return f"until {end.display(with_offset=False)}"
    if end is None:
        return f"from {short(start)}"
    if start.display() == end.display():
        return short(start)
    if start.qualifier or end.qualifier:
        return f"{short(start)} – {short(end)}" if start.year == end.year else \
            f"{start.display(with_offset=False)} – {end.display(with_offset=False)}"
    if start.year != end.year:
        return f"{start.display(with_offset=False)} – {end.display(with_offset=False)}"
    if start.precision == end.precision == "minute" and (start.month, start.day) == (end.month, end.day):
        return f"{short(start)}–{end.hour:02}:{end.minute:02}"
    if start.precision == end.precision == "day" and start.month == end.month and not start.qualifier:
        return f"{start.day}–{short(end)}"
    return f"{short(start)} – {short(end)}"
