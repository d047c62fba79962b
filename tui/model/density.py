"""Events over time, bucketed by month (or by week when the story is short), for the
one-line density strip. Counting a filtered subset is one C-speed pass over its positions."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from .dates import MONTH_ABBR, parse_user_date
from .runs import NUMPY_FROM, runs_of
from .timeline import Timeline

__all__ = ["Density"]

_WEEK = 7 * 86400


class Density:
    """Bucket of every event (by the start of its span) and the totals per bucket."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.weekly, self.first, self.size = _scale(timeline)
        self.bucket = array("i")
        if not self.size:
            self.total: list[int] = []
            return
        # From the index arrays, not the dates: a timeline from the cache parses dates on demand.
        first = self.first
        if len(timeline) >= NUMPY_FROM and isinstance(timeline.group_keys, array) \
                and isinstance(timeline.lower, array):
            self.bucket, self.total = _buckets(timeline, self.weekly, first, self.size)
            return
        if self.weekly:
            self.bucket = array("i", [(lower // _WEEK - first) if key else -1
                                      for lower, key in zip(timeline.lower, timeline.group_keys)])
        else:  # group key = year * 13 + month (0 for a year alone; the whole key 0 for an open start)
            self.bucket = array("i", [(key // 13 * 12 + (key % 13 or 1) - 1 - first) if key else -1
                                      for key in timeline.group_keys])
        counter = Counter(self.bucket)
        self.total = [counter.get(b, 0) for b in range(self.size)]

    def _bucket(self, lower: int, key: int) -> int:
        """The bucket of one event (as ``__init__`` buckets them all); -1 for an open start."""
        if not key:
            return -1
        if self.weekly:
            return lower // _WEEK - self.first
        return key // 13 * 12 + (key % 13 or 1) - 1 - self.first

    def grown(self, timeline: Timeline, added: Sequence[int]) -> Density:
        """The density of ``timeline``: this one's timeline with events put in at ``added``
        (their positions in ``timeline``, ascending), nothing else changed (a JSON Lines
        file that grew). Only the new events are bucketed while the strip keeps its first
        bucket and its scale; otherwise every event is, again."""
        scale = _scale(timeline)
        if not self.size or (scale[0], scale[1]) != (self.weekly, self.first) or scale[2] < self.size:
            return Density(timeline)
        new = Density.__new__(Density)
        new.timeline, (new.weekly, new.first, new.size) = timeline, scale
        values = [new._bucket(timeline.lower[p], timeline.group_keys[p]) for p in added]
        bucket = self.bucket[:added[0]] if added else array("i", self.bucket)
        for j, p in enumerate(added):  # old index p - j is the first after the j-th new event
            bucket.append(values[j])
            bucket += self.bucket[p - j:(added[j + 1] - j - 1) if j + 1 < len(added) else len(self.bucket)]
        new.bucket = bucket
        new.total = self.total + [0] * (new.size - self.size)
        for b in values:
            if b >= 0:
                new.total[b] += 1
        return new

    def counts(self, positions: Sequence[int]) -> list[int]:
        """Events per bucket among ``positions``."""
        if isinstance(positions, range) and len(positions) == len(self.bucket):
            return self.total  # everything (no filter): a million lookups saved
        runs = runs_of(self.bucket)
        if runs.worth_it(positions):  # buckets follow the date order: a bisection per month
            counter = runs.counts(positions)
            return [counter.get(b, 0) for b in range(self.size)]
        counter = Counter(map(self.bucket.__getitem__, positions))
        return [counter.get(b, 0) for b in range(self.size)]

    def bucket_of(self, position: int | None) -> int | None:
        if position is None or not self.size:
            return None
        b = self.bucket[position]
        return b if b >= 0 else None

    def label(self, b: int) -> str:
        if self.weekly:
            monday = date.fromordinal(1) + timedelta(days=(self.first + b) * 7)
            return f"{monday.day} {MONTH_ABBR[monday.month - 1]} {monday.year}"
        year, month = divmod(self.first + b, 12)
        return f"{MONTH_ABBR[month]} {year}"

    def year_starting(self, b: int) -> int | None:
        """The year that begins with bucket ``b`` (its January, or its first week), else None."""
        if self.weekly:
            monday = date.fromordinal(1) + timedelta(days=(self.first + b) * 7)
            return monday.year if monday.month == 1 and monday.day <= 7 else None
        year, month = divmod(self.first + b, 12)
        return year if month == 0 else None

    def bucket_start(self, b: int) -> int:
        """The timeline's second (``Point.lower``) at which bucket ``b`` begins."""
        if self.weekly:
            monday = date.fromordinal(1) + timedelta(days=(self.first + b) * 7)
            return parse_user_date(monday.isoformat()).lower
        year, month = divmod(self.first + b, 12)
        return parse_user_date(f"{year:04}-{month + 1:02}").lower

    def bucket_at_second(self, second: int) -> int:
        """The bucket holding ``second`` (clamped to the strip)."""
        lo, hi = 0, self.size - 1
        while lo < hi:  # buckets start in order: the last one starting at or before it
            mid = (lo + hi + 1) // 2
            if self.bucket_start(mid) <= second:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _buckets(timeline: Timeline, weekly: bool, first: int, size: int) -> tuple[array, list[int]]:
    """Every event's bucket and the totals per bucket, as ``Density`` works them out, in
    numpy (a few ms at a million events, where the pass in Python took 0.1 s on the way to
    the explorer's first frame)."""
    import numpy as np  # a runtime dependency already (the cache's range checks)

    keys = np.frombuffer(timeline.group_keys, dtype=np.dtype(timeline.group_keys.typecode)).astype(np.int64)
    if weekly:
        lower = np.frombuffer(timeline.lower, dtype=np.dtype(timeline.lower.typecode))
        bucket = lower // _WEEK - first
    else:  # a year alone (month 0) goes in its January
        bucket = keys // 13 * 12 + np.maximum(keys % 13, 1) - 1 - first
    bucket[keys == 0] = -1  # an open start
    counted = bucket[(bucket >= 0) & (bucket < size)]
    total = np.bincount(counted, minlength=size)[:size] if len(counted) else np.zeros(size, np.int64)
    return array("i", bucket.astype(np.int32).tobytes()), total.tolist()


def _scale(timeline: Timeline) -> tuple[bool, int, int]:
    """Weekly or monthly buckets, the first one, and how many: months, or weeks when the
    dated events span six months or less; (False, 0, 0) when no event has a date."""
    starts = [p for p in (timeline.first_dated(), timeline.last_dated()) if p is not None]
    if not starts:
        return False, 0, 0
    first, last = timeline.dates[starts[0]].start, timeline.dates[starts[1]].start
    months = (last.year - first.year) * 12 + (last.month or 12) - (first.month or 1) + 1
    if months <= 6:
        week = timeline.dates[starts[0]].lower // _WEEK
        return True, week, timeline.dates[starts[1]].lower // _WEEK - week + 1
    return False, first.year * 12 + (first.month or 1) - 1, months
