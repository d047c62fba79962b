"""Runs of equal values along the timeline, to split a filter result without a pass over it.

The events are in date order, so a per-event value derived from the date (the month
heading, the density strip's bucket) comes in a few hundred runs over a million events.
A sorted filter result (an array of positions, or a range) then falls into those runs by
one bisection per run: headings and bucket counts for 250,000 hits cost microseconds,
where a lookup per hit cost a tenth of a second (issue 20). Values need not be monotone:
a run is any stretch of equal values, and when there are too many runs for bisection to
pay, the caller does the plain pass.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from itertools import compress
from operator import ne

__all__ = ["Runs", "runs_of", "runs_grown"]


NUMPY_FROM = 1 << 16
"""From this many values (an array of them) the runs are found in numpy: 4 ms at a million,
where the pass below takes 70 ms, on the explorer's way to its first frame (the headings of
the first result); below it, importing numpy would cost more than the pass."""
_TYPECODES = "bBhHiIlq"
"""Arrays whose values all fit in the runs' own 64-bit signed words."""


class Runs:
    """Where each run of equal values starts (``starts``), and its value (``values``)."""

    __slots__ = ("starts", "values", "size", "__weakref__")

    def __init__(self, column: Sequence[int]) -> None:
        n = len(column)
        self.size = n
        if n >= NUMPY_FROM and isinstance(column, array) and column.typecode in _TYPECODES:
            import numpy as np  # a runtime dependency already (the cache's range checks)

            values = np.frombuffer(column, dtype=np.dtype(column.typecode))
            at = np.concatenate((np.zeros(1, np.int64), np.flatnonzero(values[1:] != values[:-1]) + 1))
            self.starts = array("q", at.astype(np.int64).tobytes())
            self.values = array("q", values[at].astype(np.int64).tobytes())
            return
        starts = [0, *compress(range(1, n), map(ne, column[1:], column))] if n else []
        self.starts = array("q", starts)
        self.values = array("q", map(column.__getitem__, starts))

    def worth_it(self, positions: Sequence[int]) -> bool:
        """Bisection (about 20 steps a run) beats one lookup per position."""
        return len(self.starts) * 20 < len(positions)

    def split(self, positions: Sequence[int]) -> tuple[list[int], list[int]]:
        """Sorted ``positions`` cut where the value changes: the index (into ``positions``)
        where each piece begins and the piece's value, neighbouring pieces with the same
        value joined (as a pass comparing each position's value with the previous one)."""
        count = len(positions)
        firsts: list[int] = []
        values: list[int] = []
        if not count:
            return firsts, values
        lo = 0
        starts, run_values = self.starts, self.values
        # the first run holding a position: no bisection through runs before it
        first_run = max(0, bisect_left(starts, positions[0] + 1) - 1)
        for r in range(first_run, len(starts)):
            index = lo if r == first_run else bisect_left(positions, starts[r], lo)
            if index >= count:
                break
            end = starts[r + 1] if r + 1 < len(starts) else self.size
            if positions[index] >= end:
                continue  # no position in this run
            value = run_values[r]
            if not values or values[-1] != value:
                firsts.append(index)
                values.append(value)
            lo = index
        return firsts, values

    def counts(self, positions: Sequence[int]) -> dict[int, int]:
        """How many of sorted ``positions`` have each value."""
        firsts, values = self.split(positions)
        totals: dict[int, int] = {}
        ends = firsts[1:] + [len(positions)]
        for first, end, value in zip(firsts, ends, values):
            totals[value] = totals.get(value, 0) + end - first
        return totals


_CACHE: dict[int, tuple[weakref.ref, Runs]] = {}
"""id(column) -> (the column, its runs); arrays cannot be weak dictionary keys (unhashable)."""
_LOCK = threading.Lock()


def runs_of(column: array) -> Runs:
    """The runs of a timeline's column, found once (a C-speed pass) and kept while the
    column lives (a reload or an append makes new columns)."""
    key = id(column)
    with _LOCK:
        held = _CACHE.get(key)
    if held is not None and held[0]() is column and held[1].size == len(column):
        return held[1]  # (a column grown in place is found again)
    runs = Runs(column)
    with _LOCK:
        _CACHE[key] = (weakref.ref(column, lambda _ref, key=key: _CACHE.pop(key, None)), runs)
    return runs


def runs_grown(old: array, new: array, added: Sequence[int]) -> None:
    """``new`` is ``old`` with values put in at ``added`` (positions in ``new``, ascending):
    when they all went at the end and the runs of ``old`` were found, those of ``new`` are
    them and the new values' (a file that grew: no pass over the million before them).
    Anything else is left to ``runs_of``, when first asked."""
    with _LOCK:
        held = _CACHE.get(id(old))
    n = len(old)
    if held is None or held[0]() is not old or held[1].size != n or not added or added[0] != n \
            or len(new) != n + len(added) or memoryview(new)[:n] != memoryview(old):  # (a memcmp)
        return
    known = held[1]
    runs = Runs.__new__(Runs)
    runs.size = len(new)
    runs.starts, runs.values = array("q", known.starts), array("q", known.values)
    for p in range(n, len(new)):
        if not runs.values or runs.values[-1] != new[p]:
            runs.starts.append(p)
            runs.values.append(new[p])
    key = id(new)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = (weakref.ref(new, lambda _ref, key=key: _CACHE.pop(key, None)), runs)
