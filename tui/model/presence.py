"""How present each actor is in a set of events: each event's actors as columns.

The timeline indexes events by actor (``actor_positions``); these are the reverse, events
to actors, laid out as a few fixed columns (``slots[j][p]``: the j-th actor of the event at
position p, as an index into ``ids``) plus a small overflow for events with more actors.
Counting the actors of any set of events (the swimlanes' order under a filter) is then one
C-level ``Counter(map(...))`` per column, without a Python loop per event. Built once per
timeline, on first use.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence

from .per_timeline import once_per_timeline
from .timeline import Timeline

__all__ = ["ActorColumns", "actor_columns", "SLOTS"]

SLOTS = 4
"""Fixed columns; an event's fifth actor and later go to the overflow."""
_NONE = 0xFFFFFFFF
COUNTED_FROM = 20_000
"""Events from which ``presence`` counts in numpy rather than with ``Counter``."""


class ActorColumns:
    """Events -> actors (see the module's docstring)."""

    def __init__(self, timeline: Timeline) -> None:
        n = len(timeline)
        self.ids: list[str] = list(timeline.actors)
        self.slots = [array("I", b"\xff" * (4 * n)) for _ in range(SLOTS)]
        self.more: dict[int, list[int]] = {}
        """Position -> the actor indexes beyond the fixed columns."""
        fill = bytearray(n)
        slots, more = self.slots, self.more
        for k, actor_id in enumerate(self.ids):
            for p in timeline.actor_positions(actor_id):
                j = fill[p]
                if j < SLOTS:
                    slots[j][p] = k
                    fill[p] = j + 1
                else:
                    more.setdefault(p, []).append(k)

    def presence(self, positions: Sequence[int] | None = None) -> Counter[int]:
        """Actor index -> in how many of these events (default all) it takes part."""
        if positions is not None and len(positions) >= COUNTED_FROM:
            return self._presence_arrayed(positions)
        counts: Counter[int] = Counter()
        for column in self.slots:
            counts.update(column if positions is None else map(column.__getitem__, positions))
        counts.pop(_NONE, None)
        more = self.more
        if more:
            hits = more if positions is None else filter(more.__contains__, positions)  # C-level
            counts.update(k for p in hits for k in more[p])
        return counts

    def _presence_arrayed(self, positions: Sequence[int]) -> Counter[int]:
        """``presence`` of many events in numpy: each column's actors at those positions,
        counted by ``bincount`` (a quarter of a million events: 4 × 250,000 lookups)."""
        import numpy as np  # a runtime dependency already (the cache's range checks)

        at = np.asarray(positions, dtype=np.intp)
        total = np.zeros(len(self.ids) + 1, dtype=np.int64)
        for column in self.slots:
            found = np.asarray(column, dtype=np.uint32)[at]
            total += np.bincount(np.minimum(found, len(self.ids)), minlength=len(self.ids) + 1)
        counts: Counter[int] = Counter(dict(zip(np.flatnonzero(total[:-1]).tolist(),
                                                total[np.flatnonzero(total[:-1])].tolist())))
        more = self.more
        if more:
            hits = filter(more.__contains__, positions)  # C-level
            counts.update(k for p in hits for k in more[p])
        return counts

    @property
    def index(self) -> dict[str, int]:
        found = self.__dict__.get("_index")
        if found is None:
            found = self.__dict__["_index"] = {a: k for k, a in enumerate(self.ids)}
        return found


@once_per_timeline
def actor_columns(timeline: Timeline) -> ActorColumns:
    """The timeline's ActorColumns, built once (thread-safe)."""
    return ActorColumns(timeline)
