"""Who acts with whom: the actors found most often in the same events as a given one.

Counted exactly, without a pass over every event: the candidates are tried from the most
present actor down, each by counting how many of its events the given actor shares, and the
search stops as soon as no actor left could beat the fifth best found (an actor cannot
share more events than it has). With a few very present actors, as news timelines have,
only a handful of counts are made even at a million events.

A popular actor of a million events shares hundreds of thousands of positions with the few
actors tried; a Python set built and probed per call took 116 ms there (issue 14 asks
≤ 100 ms). Above ``MASKED_FROM`` positions the actor's events are marked in a numpy mask and
each candidate's postings are looked up in it in C (a few ms); below it a set is quicker
than importing numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

from .per_timeline import once_per_timeline
from .timeline import Timeline

__all__ = ["appears_with"]

MASKED_FROM = 20_000  # the actor's events from which a mask beats a set


@once_per_timeline
def _by_presence(timeline: Timeline) -> list[tuple[int, str]]:
    """(event count, actor id), most present first (built once per timeline)."""
    counts = timeline.actor_event_counts()
    return sorted(((n, a) for a, n in counts.items() if n), key=lambda item: (-item[0], item[1]))


def _counter(timeline: Timeline, own: Sequence[int]):
    """A function giving how many of an actor's events are among ``own``."""
    postings = timeline.actor_positions
    if len(own) < MASKED_FROM:
        held = set(own)
        return lambda other: len(held.intersection(postings(other)))
    import numpy as np  # a runtime dependency already (the cache's range checks)

    mask = np.zeros(len(timeline), dtype=np.bool_)
    mask[np.asarray(own, dtype=np.intp)] = True
    return lambda other: int(np.count_nonzero(mask[np.asarray(postings(other), dtype=np.intp)]))


def appears_with(timeline: Timeline, actor_id: str, top: int = 5,
                 positions: Sequence[int] | None = None) -> list[tuple[str, int]]:
    """The ``top`` actors sharing most events with this one (among ``positions``, default
    all), with how many: most first, then by name."""
    own: Sequence[int] = timeline.actor_positions(actor_id)
    if positions is not None:
        own = sorted(set(own).intersection(positions))
    if not own:
        return []
    shared_with = _counter(timeline, own)
    found: list[tuple[int, str]] = []
    floor = 0  # the top-th best count so far
    for size, other in _by_presence(timeline):
        if size < floor:
            break  # no actor left can share more (a tie at the floor is still tried: names settle it)
        if other == actor_id:
            continue
        shared = shared_with(other)
        if shared:
            found.append((shared, other))
            if len(found) >= top:
                found.sort(key=lambda item: -item[0])
                floor = found[top - 1][0]
    name = timeline.actor_name
    found.sort(key=lambda item: (-item[0], name(item[1])))
    return [(a, n) for n, a in found[:top]]
