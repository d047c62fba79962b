"""The story clock: dates counted from an anchor event (D−2 days, D+1 month), and times
shown as stored, in UTC or in a chosen zone.

Counting keeps to the precision both dates were stored with: an event known only to the
month is "D+1 month" from a day-precision anchor, never a made-up number of days. Shifting
to another zone applies only to times stored with an offset (``Z``, ``-04:00``): a date
without a time, or a time whose zone was not given, is shown exactly as stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from .dates import DAY, MONTH, YEAR, EDate, Point

__all__ = ["step", "relative", "ZoneChoice", "parse_zone", "in_zone", "shifted", "ZoneError"]

_DAY = 86400
_RANK = {YEAR: 0, MONTH: 1, DAY: 2}


def step(a: Point, b: Point) -> tuple[int, str, bool]:
    """From ``a`` to ``b`` as (count, unit, approximate), counted at the coarser precision of
    the two: units "year", "month", "day" or "minute" (both timed, on the same day, in the
    same written zone)."""
    rank = min(_RANK.get(a.precision, 3), _RANK.get(b.precision, 3))
    about = bool(a.qualifier or b.qualifier)
    if rank == 0:
        return b.year - a.year, "year", about
    if rank == 1:
        return (b.year * 12 + (b.month or 1)) - (a.year * 12 + (a.month or 1)), "month", about
    if rank == 2 or b.lower // _DAY != a.lower // _DAY or a.offset != b.offset:
        return b.lower // _DAY - a.lower // _DAY, "day", about
    return (b.lower - a.lower) // 60, "minute", about


def amount(n: int, unit: str) -> str:
    """"3 days", "1 month", "2 h 05 min"."""
    n = abs(n)
    if unit == "minute":
        hours, mins = divmod(n, 60)
        return f"{hours} h {mins:02} min" if hours else f"{mins} min"
    return f"{n} {unit}{'s' if n != 1 else ''}"


def relative(anchor: EDate, edate: EDate) -> str:
    """This date from the anchor's: "D", "D+2 days", "D−1 month", "~D+3 days" (either date
    approximate), "D, same month" (the same month, no finer count possible)."""
    a, b = anchor.start or anchor.end, edate.start or edate.end
    if a is None or b is None:
        return "D?"
    n, unit, about = step(a, b)
    lead = "~D" if about else "D"
    if n == 0:
        if unit == "minute" or (unit == "day" and a.precision == b.precision == DAY):
            return lead
        return f"{lead}, same {unit}"
    return f"{lead}{'+' if n > 0 else '−'}{amount(n, unit)}"


# --- time zones --------------------------------------------------------------------------

class ZoneError(ValueError):
    """A zone name zoneinfo does not know."""


STORED, UTC = "stored", "UTC"


class ZoneChoice:
    """How times are shown: as stored, in UTC, or in a named zone."""

    def __init__(self, name: str = STORED) -> None:
        self.name = name
        self.zone = None if name in (STORED,) else timezone.utc if name == UTC else parse_zone(name)


def parse_zone(name: str):
    """A zoneinfo zone ("Europe/Madrid", "America/Caracas"); ZoneError if unknown."""
    if name.upper() == UTC:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ZoneError(f"unknown time zone '{name}' (use a name like Europe/Madrid or UTC)") from None


def _offset(text: str) -> timezone:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def _in_zone(point: Point | None, choice: ZoneChoice) -> Point | None:
    """The point's wall-clock time in the chosen zone, its ``offset`` the zone's label
    ("Z" for UTC, "CEST"); its bounds stay those stored (order and filters never move)."""
    if point is None or point.hour is None or not point.offset:
        return point
    when = datetime(point.year, point.month, point.day, point.hour, point.minute, point.second or 0,
                    tzinfo=_offset(point.offset)).astimezone(choice.zone)
    label = "Z" if choice.name == UTC else (when.tzname() or choice.name)
    return msgspec.structs.replace(point, year=when.year, month=when.month, day=when.day, hour=when.hour,
                                   minute=when.minute,
                                   second=when.second if point.second is not None else None, offset=label)


def in_zone(edate: EDate, choice: ZoneChoice) -> EDate:
    """The date as ``choice`` shows it: times stored with an offset moved to the zone (the
    day may change with them), everything else as stored. For display only: every
    ``display``/``short_date`` form then reads the shifted times, and the bounds (what
    order, filters and as-of compare) are the stored ones."""
    if choice.zone is None or not any(p is not None and p.hour is not None and p.offset
                                      for p in (edate.start, edate.end)):
        return edate
    return msgspec.structs.replace(edate, start=_in_zone(edate.start, choice), end=_in_zone(edate.end, choice))


def shifted(edate: EDate, choice: ZoneChoice) -> str:
    """The date with its times shown as ``choice`` says (only times stored with an offset
    move; dates without a time never do)."""
    return in_zone(edate, choice).display()


def times_without_zone(edate: EDate) -> bool:
    """A time is stored without an offset: it cannot be shifted, only shown as stored."""
    return any(p is not None and p.hour is not None and not p.offset for p in (edate.start, edate.end))
