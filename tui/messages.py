"""Messages that cross from worker threads to the screens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.message import Message

from .model.density import Density
from .model.problems import LoadError
from .model.query import Query
from .model.timeline import Timeline

__all__ = ["Loaded", "LoadFailed", "Filtered", "FilterFailed", "TextIndexed"]


@dataclass
class Loaded(Message):
    """The timeline is in memory and indexed (its density buckets too)."""

    timeline: Timeline
    density: Density


@dataclass
class LoadFailed(Message):
    """The input could not be loaded; the app exits and the command line prints why."""

    error: LoadError


@dataclass
class Filtered(Message):
    """A query finished: its positions, their month groups and density counts."""

    query: Query
    positions: Sequence[int]
    layout: object
    counts: list[int]
    notes: list[str]
    within: str | None = None
    """With a date range: "12 within, 3 more possibly" (``Result.within_words``)."""
    undated: int | None = None
    """With ``asof:``: how many shown events are known only through undated sources."""
    timeline: object = None
    """The timeline the positions are of (a reload may have replaced it meanwhile)."""


@dataclass
class FilterFailed(Message):
    """A query could not run (e.g. an actor name that matches nobody)."""

    query: Query
    message: str


@dataclass
class TextIndexed(Message):
    """The search text is built: the app may now write the on-disk cache with it."""

    timeline: Timeline
