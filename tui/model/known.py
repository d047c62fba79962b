"""When was it known? An event's first report and its lag, in words a reporter reads.

The first report is the cited source published earliest (``first_report.source_date``: its
own date, or that of the source it is known through). The lag is counted at the coarser of
the two dates' precisions, so a month-precision event reported on a given day is "same
month" or "2 months later", never a made-up number of days. A report that certainly came
out before the event began is flagged: one of the two dates is probably wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from .clock import amount, step
from .dates import EDate
from .first_report import source_date
from .timeline import Timeline

__all__ = ["FirstReport", "first_report", "lag_words", "LATE_DAYS", "report_mark"]

LATE_DAYS = 7
"""A first report more than this many days after the event (certainly) counts as late."""
_DAY = 86400


@dataclass(frozen=True)
class FirstReport:
    """The earliest dated source of one event, and how it stands to the event's date."""

    source_id: str
    date: EDate
    via: str | None
    """The source whose date this is, when the cited one is known only through it."""
    undated: int
    """How many of the event's sources have no date at all."""
    late: bool
    before: bool
    """Certainly published before the event began: a date to check."""


def first_report(timeline: Timeline, position: int, *, upper: int | None = None) -> FirstReport | None:
    """The first report of the event at ``position`` (among sources published by second
    ``upper``, when given); None if no cited source has a date."""
    event = timeline.events[position]
    edate = timeline.dates[position]
    best = None
    undated = 0
    for sid in dict.fromkeys(event.source_ids()):
        when, via = source_date(timeline, sid)
        if when is None:
            undated += 1
            continue
        if upper is not None and when.upper > upper:
            continue
        key = (when.upper, when.lower)
        if best is None or key < best[0]:
            best = (key, sid, when, via)
    if best is None:
        return None
    _, sid, when, via = best
    start = edate.start
    late = start is not None and when.lower - start.upper > LATE_DAYS * _DAY
    before = start is not None and when.upper < start.lower
    return FirstReport(sid, when, via, undated, late, before)


def lag_words(event: EDate, report: EDate) -> str:
    """"same day", "2 days later", "1 month later", "3 days before it happened"…, counted
    at the coarser precision of the two (``clock.step``; "about" if either is approximate)."""
    a, b = event.start, report.point
    if a is None or b is None:
        return "lag unknown (open start)"
    n, unit, about = step(a, b)
    if n == 0:
        return "at once" if unit == "minute" else f"{'about ' if about else ''}same {unit}"
    text = ("about " if about else "") + amount(n, unit)
    return f"{text} later" if n > 0 else f"{text} before it happened"


def report_mark(report: FirstReport | None) -> str:
    """One character for a timeline row: "‼" reported before it happened, "»" reported late."""
    if report is None:
        return " "
    return "‼" if report.before else "»" if report.late else " "
