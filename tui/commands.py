"""Command palette (Ctrl+P): filter by any actor or tag, go to any event or date, clear."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .model.query import make_term
from .model.text import one_line

__all__ = ["TimelineCommands"]

_EVENT_LIMIT = 20_000
"""Events offered by title are capped, so a keystroke never scans a million titles."""


class TimelineCommands(Provider):
    """Commands built from the loaded timeline (only on the main screen)."""

    def _commands(self):
        from .screens.main import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return
        t = screen.timeline
        yield "Clear all filters", screen.action_clear_filters, "Show every event"
        yield "Go to date…", screen.action_go_to_date, "Cursor to the first event on or after a date"
        yield "Search text…", screen.action_search, "Live text search"
        yield "Edit query…", screen.action_query_bar, "Type a query string"
        counts = t.actor_event_counts()
        for actor in t.actors.values():
            yield (f"Filter by actor: {one_line(actor.name)}", partial(self._add, screen, "actor", actor.id),
                   f"{counts.get(actor.id, 0)} events · {actor.kind}")
        for tag, n in t.tag_counts().items():
            yield f"Filter by tag: {one_line(tag)}", partial(self._add, screen, "tag", tag), f"{n} events"
        for pos in range(min(len(t), _EVENT_LIMIT)):
            event = t.events[pos]
            yield (f"Go to event: {one_line(event.title)}", partial(screen.go_to_event, pos),
                   t.dates[pos].display())

    @staticmethod
    def _add(screen, field: str, value: str) -> None:
        screen.filters = screen.filters.add(make_term(field, (value,)))

    async def discover(self) -> Hits:
        for i, (name, callback, help_text) in enumerate(self._commands()):
            if i >= 4:
                break
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


