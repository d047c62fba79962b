"""The timeline as it could be known on a day (``asof:``), for what is written out.

The explorer trims sources and quotes pane by pane; an export goes through every writer
(table, Markdown, CSV, JSON, TimelineJS, Timesketch, iCalendar), so it is given a view of
the timeline instead: each event cites only the sources published by then (``published_by``:
undated ones are kept, never guessed out), and only the quotes published in such a source
are left. Everything else is the timeline's own. The events themselves are chosen by the
query (``Sourcing.known_as_of``); this only trims what they carry.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from .entities import Event, Quote
from .first_report import published_by
from .timeline import Timeline

__all__ = ["KnownThen", "known_then"]


class _Events(Sequence):
    """The events, each with only the sources published by then (read on demand)."""

    def __init__(self, view: KnownThen) -> None:
        self._view = view
        self.ids = getattr(view.timeline.events, "ids", None)

    def __len__(self) -> int:
        return len(self._view.timeline.events)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self._view.trim(e) for e in self._view.timeline.events[position]]
        return self._view.trim(self._view.timeline.events[position])


class KnownThen:
    """A read-only view of ``timeline`` as of second ``upper``: everything not overridden
    here is the timeline's own attribute."""

    def __init__(self, timeline: Timeline, upper: int) -> None:
        self.timeline = timeline
        self.upper = upper
        self._known: dict[str, bool] = {}
        self.events = _Events(self)

    def __getattr__(self, name: str):
        return getattr(self.timeline, name)

    def __len__(self) -> int:
        return len(self.timeline)

    def _published(self, source_id: str) -> bool:
        known = self._known.get(source_id)
        if known is None:
            known = self._known[source_id] = published_by(self.timeline, source_id, self.upper)
        return known

    def trim(self, event: Event) -> Event:
        kept = [ref for ref, sid in zip(event.sources, event.source_ids()) if self._published(sid)]
        return event if len(kept) == len(event.sources) else msgspec.structs.replace(event, sources=kept)

    def _quotes(self, quotes: Sequence[Quote]) -> list[Quote]:
        return [q for q in quotes if self._published(q.source)]

    def events_at(self, positions: Sequence[int], *, texts_only: bool = False) -> list[Event]:
        return [self.trim(e) for e in self.timeline.events_at(positions, texts_only=texts_only)]

    def quotes_at(self, position: int) -> list[Quote]:
        return self._quotes(self.timeline.quotes_at(position))

    def quotes_for(self, event_id: str) -> list[Quote]:
        return self._quotes(self.timeline.quotes_for(event_id))

    def quotes_of(self, positions: Sequence[int], *, texts_only: bool = False) -> list[Quote]:
        return self._quotes(self.timeline.quotes_of(positions, texts_only=texts_only))

    def quote_count(self, position: int) -> int:
        return len(self.quotes_at(position))


def known_then(timeline: Timeline, upper: int | None) -> Timeline | KnownThen:
    """The timeline as of second ``upper`` (itself when there is no as-of day)."""
    return timeline if upper is None else KnownThen(timeline, upper)
