"""Actor labels that tell apart actors who share a name (two Robert Clarks): the name alone
when it is unique, else the name with the kind, else with the id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .entities import Actor
from .text import fold

__all__ = ["distinct_labels"]


def distinct_labels(actors: Iterable[Actor]) -> dict[str, str]:
    """Actor id -> the label to show for it."""
    actors = list(actors)
    names = Counter(fold(a.name) for a in actors)
    kinds = Counter((fold(a.name), a.kind) for a in actors)
    labels = {}
    for a in actors:
        if names[fold(a.name)] == 1:
            labels[a.id] = a.name
        elif kinds[(fold(a.name), a.kind)] == 1:
            labels[a.id] = f"{a.name} ({a.kind})"
        else:
            labels[a.id] = f"{a.name} ({a.id})"
    return labels
