"""What a ``Timeline`` is given by whoever read it: the interface between the domain and the
storage engine (``tui/store``), which implements it. The model names these shapes and never
imports their makers, so it can be read, and tested, without files, caches or processes.

* ``Records``: the events (or quotes) in timeline order, a plain list or records read back
  from a file on demand; ``many`` reads several at once.
* ``SearchText``: the folded search text of every event, one buffer with an offset per
  position (``Timeline.haystack``), and the ``Scan`` that finds a needle in it.
* ``Words``: a word index of that text (postings per vocabulary word), when one was built.
* ``TextSource``: how the search text is built (from the records in memory, or from a big file
  with a child process's help) and made ready for a first search.
* ``Placement``: where each record sits in the file it came from (``Timeline.origin``); the
  model only reorders it together with the records.
* ``SourceRefs``: every event's cited sources (source, stance, note) as columns, gathered by
  whoever read the events in that same pass (``Timeline.source_refs``), so nothing reads a
  big file's events back just for their ``sources``.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = ["Records", "Scan", "SearchText", "Words", "TextSource", "Placement", "SourceRefs"]


class Records(Protocol):
    """A sequence of records; if it has ``many(indexes, decode_list=None)``, several are read
    together with it (``decode_list``: a msgspec decoder of a list of lighter structs, for
    records read back from a file, ``haystack.TEXT_DECODERS``); if it has ``positions``
    (a mapping of event id to position), ``Timeline.position`` is that."""

    def __len__(self) -> int: ...

    def __getitem__(self, index): ...


class Scan(Protocol):
    """Finds the positions whose search text holds a needle (``tui.store.scan.Scanner``)."""

    def positions(self, needle: bytes) -> Sequence[int]:
        """Every position whose text holds ``needle`` (folded, no NUL), in order."""
        ...

    def prepare(self) -> None:
        """Do now what the first ``positions`` would do first."""
        ...


@dataclass(slots=True)
class SearchText:
    """The search text: ``blob[offsets[p]:offsets[p + 1] - 1]`` is the folded text of the
    event at position p (a NUL ends each); ``scan`` searches all of it."""

    blob: object
    """bytes-like with ``find`` (a bytearray, or a mapped file)."""
    offsets: array
    scan: Scan


class Words(Protocol):
    """A word index of the search text (``tui.store.words.WordIndex``), or of its first
    events only (``tui.store.growth.WordsBefore``: then it has ``cover``, how many)."""

    def lookup(self, piece: bytes, limit: int) -> list[Sequence[int]] | None:
        """The sorted postings of every word holding ``piece``; None when a scan is cheaper."""
        ...


class TextSource(Protocol):
    """How a timeline's search text is built and readied (``tui.store.text``)."""

    def build_text(self, timeline: Timeline) -> SearchText:
        """The search text of every event, built once (``Timeline.text_chunks`` makes it),
        under the timeline's lock, often in a worker thread."""
        ...

    def prepare_search(self, text: SearchText, timeline: Timeline) -> None:
        """Ready ``text`` for a first search as quick as the next (the explorer calls this)."""
        ...


class Placement(Protocol):
    """Where a timeline's records sit in the one file they were read from."""

    path: str

    def permuted(self, *, events: Sequence[int] | None = None, quotes: Sequence[int] | None = None) -> Placement:
        """The same, for the records taken in this order (``Timeline`` sorts them)."""
        ...


@dataclass(slots=True)
class SourceRefs:
    """Every event's cited sources, in timeline order, as columns (CSR): the refs of the
    event at position p are ``starts[p]:starts[p + 1]`` of ``sources`` (an index into
    ``ids``) and ``stances`` (an index into ``entities.STANCES``: 0 supports, 1 disputes,
    2 mentions); ``notes`` holds a ref's note by its index, only where it has one.

    A million events cite about two million sources: 15 MB here, against seconds to read
    them back from the file (``source_refs.py`` builds and walks them)."""

    starts: array
    """``"I"``, one more entry than events."""
    sources: array
    """``"I"``, per ref: the cited source, as an index into ``ids``."""
    stances: bytes
    """Per ref: its stance's index in ``entities.STANCES``."""
    notes: dict[int, str]
    """Ref index -> its note (an object ref that has one)."""
    event_notes: dict[int, str]
    """Position -> the event's own ``note``, where it has one: the sourcing report looks in
    it for outlets that cite nothing (a few events in twenty have one)."""
    ids: list[str]
    """Source ids by index: the timeline's sources in their order (a timeline made by hand
    may cite an unknown id, which comes after them)."""
    numbers: dict[str, int] | None = field(default=None, compare=False, repr=False)
    """Source id -> its index in ``ids``, once a file that grew needed it (``source_refs.spliced``):
    shared with the refs grown from these, and only ever added to, so an entry is trusted
    only where ``ids`` has that id at that index."""
