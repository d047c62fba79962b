"""Who acts with whom: the actors found most often in the same events as a given one.

Counted exactly, without a pass over every event: the candidates are tried from the most
present actor down, each by intersecting its events with the given actor's (in C), and the
search stops as soon as no actor left could beat the fifth best found (an actor cannot
share more events than it has). With a few very present actors, as news timelines have,
only a handful of intersections are made even at a million events.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

from .timeline import Timeline

__all__ = ["appears_with"]

_ORDER: weakref.WeakKeyDictionary[Timeline, list[tuple[int, str]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _by_presence(timeline: Timeline) -> list[tuple[int, str]]:
    """(event count, actor id), most present first (built once per timeline)."""
    order = _ORDER.get(timeline)
    if order is None:
        with _LOCK:
            order = _ORDER.get(timeline)
            if order is None:
                counts = timeline.actor_event_counts()
                order = _ORDER[timeline] = sorted(((n, a) for a, n in counts.items() if n),
                                                  key=lambda item: (-item[0], item[1]))
    return order


def appears_with(timeline: Timeline, actor_id: str, top: int = 5,
                 positions: Sequence[int] | None = None) -> list[tuple[str, int]]:
    """The ``top`` actors sharing most events with this one (among ``positions``, default
    all), with how many: most first, then by name."""
    own = set(timeline.actor_positions(actor_id))
    if positions is not None:
        own.intersection_update(positions)
    if not own:
        return []
    found: list[tuple[int, str]] = []
    floor = 0  # the top-th best count so far
    postings = timeline.actor_positions
    for size, other in _by_presence(timeline):
        if size < floor:
            break  # no actor left can share more (a tie at the floor is still tried: names settle it)
        if other == actor_id:
            continue
        shared = len(own.intersection(postings(other)))
        if shared:
            found.append((shared, other))
            if len(found) >= top:
                found.sort(key=lambda item: -item[0])
                floor = found[top - 1][0]
    name = timeline.actor_name
    found.sort(key=lambda item: (-item[0], name(item[1])))
    return [(a, n) for n, a in found[:top]]
