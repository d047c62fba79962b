"""The span of a set of events in words ("Mar 2024 – Jan 2026"), for the header: the
range a file's title states may be out of date, the events themselves are not."""

from __future__ import annotations

from collections.abc import Sequence

from .dates import MONTH_ABBR, Point
from .timeline import Timeline

__all__ = ["span_label"]


def _month(point: Point) -> str:
    return f"{MONTH_ABBR[point.month - 1]} {point.year}" if point.month else str(point.year)


def span_label(timeline: Timeline, positions: Sequence[int]) -> str:
    """First to last known start among ``positions`` (sorted by date, open starts first),
    at month precision; "" when none has a known start."""
    if not len(positions):
        return ""
    dates = timeline.dates
    first = next((p for p in positions[:50] if dates[p].start is not None), None)
    last = positions[-1]
    if first is None or dates[last].start is None:
        return ""
    a, b = _month(dates[first].start), _month(dates[last].start)
    return a if a == b else f"{a} – {b}"
