"""Range checks on the cache's columns, run over the mapped bytes in C (numpy).

A section that matched its checksum can still be wrong if the program that wrote it had a
bug: the cache also checks that spans lie within the data file, bounds are in order, offsets
never decrease and postings point at events (docs/reliability.md). Walked in Python, those
checks cost about 0.45 s of CPU on every reopen of a million events, most of the reopen;
over the same bytes as numpy arrays (never copied), about 10 ms.
"""

from __future__ import annotations

import numpy as np

__all__ = ["column", "ascending", "within", "spans_fit", "bounds_fit", "refs_fit"]


def column(data, typecode: str) -> np.ndarray:
    """The bytes of a section as a read-only array of machine words (no copy)."""
    return np.frombuffer(data, dtype=np.dtype(typecode))


def ascending(values: np.ndarray) -> bool:
    """Never decreasing."""
    return bool(len(values) < 2 or (values[1:] >= values[:-1]).all())


def within(values: np.ndarray, low: int, high: int) -> bool:
    """Every value in [low, high)."""
    return bool(not len(values) or (int(values.min()) >= low and int(values.max()) < high))


def spans_fit(starts: np.ndarray, ends: np.ndarray, size: int) -> bool:
    """As many starts as ends, each span within the data file and not empty."""
    return bool(len(starts) == len(ends) and (not len(starts) or (
        int(starts.min()) >= 0 and int(ends.max()) <= size and (starts < ends).all())))


def bounds_fit(lower: np.ndarray, upper: np.ndarray) -> bool:
    """Lower bounds in order, each at most its upper bound."""
    return bool(len(lower) == len(upper) and ascending(lower) and (lower <= upper).all())


def refs_fit(starts: np.ndarray, cited: np.ndarray, stances: np.ndarray, events: int, sources: int,
             kinds: int) -> bool:
    """Every event's cited sources as columns (``protocols.SourceRefs``): ``events`` + 1
    starts from 0, never decreasing, to the number of refs; each ref's source below
    ``sources`` and its stance below ``kinds``. (Walked in Python, 0.15-0.2 s of CPU at a
    million events: most of what a reopen checked.)"""
    return bool(len(starts) == events + 1 and int(starts[0]) == 0 and int(starts[-1]) == len(cited) == len(stances)
                and ascending(starts) and within(cited, 0, sources) and within(stances, 0, kinds))
