"""The cache's lookup from an id to its position: every id hashed at once, kept sorted by hash.

A reopened timeline looks an event up by id (an anchor, the analyst's notes, the last
session's cursor) without building a million-entry dict (~100 MB, a third of a second):
the cache holds each packed id's 64-bit hash, sorted, and the positions in that order, and
a lookup bisects the hashes and compares the few ids that share one (``packed.Positions``).

The hash is polynomial over the id's UTF-8 bytes (modulo 2**64), so that numpy computes a
million of them from the packed blob in a few vector operations when the cache is written
(0.23 s of CPU for a million ids; a hash table built in a Python loop took 1.31 s), and ``hash_one`` the same for one id in Python.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

__all__ = ["hash_one", "build"]

_BASE = 0x100000001B3  # the FNV prime: odd, with bits spread
_MASK = (1 << 64) - 1
_CHUNK = 1 << 20
"""Bytes of ids hashed per step (the temporaries are eight times that, four times over)."""


def hash_one(key: bytes) -> int:
    """The hash of one id: sum of byte * BASE**i, modulo 2**64."""
    h, power = 0, 1
    for byte in key:
        h = (h + byte * power) & _MASK
        power = (power * _BASE) & _MASK
    return h


def build(blob, offsets: Sequence[int]) -> tuple[array, array]:
    """The hash of every packed id, sorted ("Q"), and the positions in that order ("I"; the
    same hash keeps positions ascending, so the first of equal ids is found first)."""
    import numpy as np

    starts = np.frombuffer(offsets, dtype=np.int64) if not isinstance(offsets, np.ndarray) else offsets
    data = np.frombuffer(blob, dtype=np.uint8)
    n = len(starts) - 1
    lengths = np.diff(starts)
    longest = int(lengths.max()) if n else 0
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(max(longest, 1), _BASE, dtype=np.uint64), dtype=np.uint64)
        powers = np.concatenate([np.ones(1, dtype=np.uint64), powers[:-1]])
        hashes = np.zeros(n, dtype=np.uint64)
        first = 0
        while first < n:  # ids a chunk of bytes at a time, whole ids each
            last = int(np.searchsorted(starts, starts[first] + _CHUNK, side="right")) - 1
            last = min(max(last, first + 1), n)
            begin, end = int(starts[first]), int(starts[last])
            within = np.arange(begin, end, dtype=np.int64) - np.repeat(starts[first:last], lengths[first:last])
            weighted = data[begin:end].astype(np.uint64) * powers[within]
            at = np.minimum(starts[first:last] - begin, max(end - begin - 1, 0))  # an empty id may end the chunk
            sums = np.add.reduceat(weighted, at) if end > begin else np.zeros(last - first, np.uint64)
            sums[lengths[first:last] == 0] = 0  # reduceat gives an empty id the next byte
            hashes[first:last] = sums
            first = last
    order = np.argsort(hashes, kind="stable")
    return array("Q", hashes[order].tobytes()), array("I", order.astype(np.uint32).tobytes())
