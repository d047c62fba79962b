"""Actor labels that tell apart actors who share a name (two Robert Clarks): the name alone
when it is unique, else the name with the kind, else with the id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import islice

from .entities import Actor
from .per_timeline import once_per_timeline
from .text import fold
from .timeline import Timeline

__all__ = ["Labels", "distinct_labels", "actor_labels"]


class Labels(dict):
    """Actor id -> the label to show for it, with the name counts that chose each label
    (so that the labels of a timeline that grew are the old ones and the new actors')."""

    names: Counter
    kinds: Counter

    def grown(self, actors: Mapping[str, Actor], known: int) -> Labels:
        """The labels of ``actors``, whose first ``known`` are the actors these labels are
        for (a file that grew by actors after them): these, and the new actors' own, unless
        a new name meets another (then all are worked out again)."""
        new = list(islice(actors.values(), known, None))
        if not new:
            return self
        folded = [fold(a.name) for a in new]
        if any(self.names[f] for f in folded) or len(set(folded)) != len(folded):
            return distinct_labels(actors.values())
        labels = Labels(self)
        labels.names, labels.kinds = self.names.copy(), self.kinds.copy()
        for a, f in zip(new, folded):
            labels.names[f] += 1
            labels.kinds[(f, a.kind)] += 1
            labels[a.id] = a.name
        return labels


def distinct_labels(actors: Iterable[Actor]) -> Labels:
    """Actor id -> the label to show for it."""
    actors = list(actors)
    folded = [fold(a.name) for a in actors]
    names = Counter(folded)
    kinds = Counter(zip(folded, (a.kind for a in actors)))
    labels = Labels()
    for a, f in zip(actors, folded):
        if names[f] == 1:
            labels[a.id] = a.name
        elif kinds[(f, a.kind)] == 1:
            labels[a.id] = f"{a.name} ({a.kind})"
        else:
            labels[a.id] = f"{a.name} ({a.id})"
    labels.names, labels.kinds = names, kinds
    return labels


@once_per_timeline
def actor_labels(timeline: Timeline) -> Labels:
    """``distinct_labels`` of the timeline's actors, worked out once: by the loader's thread
    (``reopening.py``, the app's load worker), so that the main screen does not on the event
    loop (50,000 actors at a million events)."""
    return distinct_labels(timeline.actors.values())
