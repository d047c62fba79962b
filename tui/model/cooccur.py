"""Who acts with whom: each event's actors as columns, for co-occurrence and actor presence.

The timeline indexes events by actor (``actor_positions``); these are the reverse, events
to actors, laid out as a few fixed columns (``slots[j][p]``: the j-th actor of the event at
position p, as an index into ``ids``) plus a small overflow for events with more actors.
Counting the actors of any set of events is then one C-level ``Counter(map(...))`` per
column: "appears most often with" for an actor in 200,000 events, or how present every
actor is in the filtered events (the swimlanes' order), without a Python loop per event.
Built once per timeline on first use.
"""

from __future__ import annotations

import threading
import weakref
from array import array
from collections import Counter
from collections.abc import Sequence

from .timeline import Timeline

__all__ = ["ActorColumns", "actor_columns", "built_columns", "SLOTS"]

SLOTS = 4
"""Fixed columns; an event's fifth actor and later go to the overflow."""
_NONE = 0xFFFFFFFF


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
        counts: Counter[int] = Counter()
        for column in self.slots:
            counts.update(column if positions is None else map(column.__getitem__, positions))
        counts.pop(_NONE, None)
        more = self.more
        if more:
            hits = more if positions is None else filter(more.__contains__, positions)  # C-level
            counts.update(k for p in hits for k in more[p])
        return counts

    def appears_with(self, timeline: Timeline, actor_id: str, top: int = 5,
                     positions: Sequence[int] | None = None) -> list[tuple[str, int]]:
        """The actors found most often in the same events as this one (among ``positions``,
        default all), with how many events each: most first, then by name."""
        own = timeline.actor_positions(actor_id)
        if positions is not None:
            keep = set(positions)
            own = [p for p in own if p in keep]
        counts = self.presence(own)
        me = self.index.get(actor_id)
        counts.pop(me, None)
        ids, name = self.ids, timeline.actor_name
        best = sorted(counts.items(), key=lambda kv: (-kv[1], name(ids[kv[0]])))[:top]
        return [(ids[k], c) for k, c in best]

    @property
    def index(self) -> dict[str, int]:
        found = self.__dict__.get("_index")
        if found is None:
            found = self.__dict__["_index"] = {a: k for k, a in enumerate(self.ids)}
        return found


_BUILT: weakref.WeakKeyDictionary[Timeline, ActorColumns] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def actor_columns(timeline: Timeline) -> ActorColumns:
    """The timeline's ActorColumns, built once (thread-safe)."""
    built = _BUILT.get(timeline)
    if built is None:
        with _LOCK:
            built = _BUILT.get(timeline)
            if built is None:
                built = _BUILT[timeline] = ActorColumns(timeline)
    return built


def built_columns(timeline: Timeline) -> ActorColumns | None:
    """The ActorColumns if built already (a pane must not wait seconds for a big timeline's)."""
    return _BUILT.get(timeline)
