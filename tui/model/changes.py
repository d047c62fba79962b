"""What changed between two versions of a timeline, event by event (by id).

The explorer says it after a reload ("+3 events, 1 changed, 1 removed") and lets the reader
step through what is new. An event counts as *changed* when its record differs, or the
quotes attached to it do (they show with it). Actors and sources are not counted one by
one, but an edit to them is noticed ("actors or sources changed").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .timeline import Timeline

__all__ = ["Changes", "diff", "appended"]


@dataclass(frozen=True, slots=True)
class Changes:
    """Event ids added, changed and removed between two versions."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    fresh: tuple[str, ...] = ()
    """What ``N`` steps through: the added and changed events, in timeline order."""
    others: bool = False
    """Actors or sources differ."""

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.others)

    def summary(self) -> str:
        """``+3 events, 1 changed, 1 removed``; only the parts that are not zero."""
        parts = []
        if self.added:
            parts.append(f"+{len(self.added)} event{'s' * (len(self.added) != 1)}")
        if self.changed:
            parts.append(f"{len(self.changed)} changed")
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        if self.others:
            parts.append("actors or sources changed")
        return ", ".join(parts) or "no change"


def diff(old: Timeline, new: Timeline, *, compare: bool = True) -> Changes:
    """Compare by event id. With ``compare``, events in both versions are compared record
    by record, with their quotes; without it (a big file, whose events would all have to
    be read back from disk), only ids are matched and nothing counts as changed."""
    before, after = old.position, new.position
    added = sorted(p for event_id, p in after.items() if event_id not in before)
    removed = tuple(event_id for event_id in before if event_id not in after)
    changed: list[int] = []
    if compare:
        common = [(before[event_id], p) for event_id, p in after.items() if event_id in before]
        olds = old.events_at([a for a, _ in common])
        news = new.events_at([b for _, b in common])
        for (a, b), x, y in zip(common, olds, news):
            if x != y or old.quotes_at(a) != new.quotes_at(b):
                changed.append(b)
        changed.sort()
    return Changes(
        added=tuple(_ids_at(new, added)), changed=tuple(_ids_at(new, changed)), removed=removed,
        fresh=tuple(_ids_at(new, sorted(added + changed))),
        others=old.actors != new.actors or old.sources != new.sources,
    )


def appended(new: Timeline, added: Sequence[str]) -> Changes:
    """The changes of a file that only grew: these events are new, nothing else changed."""
    where = new.position
    ordered = tuple(sorted(added, key=where.__getitem__))
    return Changes(added=ordered, fresh=ordered)


def _ids_at(timeline: Timeline, positions: Sequence[int]) -> list[str]:
    ids = getattr(timeline.events, "ids", None)  # events read back from a big file keep their ids apart
    if ids is not None:
        return [ids[p] for p in positions]
    return [timeline.events[p].id for p in positions]
