"""What the views work out once per timeline, on first use, and keep while the timeline
lives: the first reports behind as-of (``first_report``), the actor columns behind the
swimlanes (``presence``). A worker may be building one while a query asks for it: the
second caller waits for the first build rather than doing it again.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from .timeline import Timeline

__all__ = ["once_per_timeline"]

T = TypeVar("T")


def once_per_timeline(build: Callable[[Timeline], T]) -> Callable[[Timeline], T]:
    """``build(timeline)``, called once per timeline (thread-safe); forgotten with it, so what
    it builds must not hold the timeline (it would never be let go, nor its open file)."""
    built: weakref.WeakKeyDictionary[Timeline, T] = weakref.WeakKeyDictionary()
    lock = threading.Lock()

    @wraps(build)
    def get(timeline: Timeline) -> T:
        found = built.get(timeline)
        if found is None:
            with lock:
                found = built.get(timeline)
                if found is None:
                    found = built[timeline] = build(timeline)
        return found

    def built_for(timeline: Timeline) -> T | None:
        """What was built for ``timeline`` so far, if anything (never builds it)."""
        return built.get(timeline)

    def handed(timeline: Timeline, value: T) -> None:
        """``value`` is what ``build(timeline)`` would give (worked out from another
        timeline's: a file that grew), unless one was built meanwhile."""
        with lock:
            built.setdefault(timeline, value)

    get.built_for, get.handed = built_for, handed
    return get
