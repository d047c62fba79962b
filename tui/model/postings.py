"""Sorted arrays of positions (postings), merged and intersected."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

__all__ = ["union", "both"]


def union(postings: list[Sequence[int]]) -> array:
    """Sorted positions in any of these sorted postings."""
    if len(postings) == 1:
        out = array("I")
        out.frombytes(memoryview(postings[0]).cast("B"))
        return out
    merged: set[int] = set()
    for p in postings:
        merged.update(p)
    return array("I", sorted(merged))


def both(a: Sequence[int], b: Sequence[int]) -> array:
    """Sorted positions in both sorted sequences."""
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    keep = set(small)
    return array("I", [p for p in big if p in keep])
