"""Command palette (Ctrl+P): filter by any actor, tag or label (and by stars and notes), go
to any event or date, open or delete a saved view, annotate, cite, clear."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from .model.query import QueryError, make_term
from .model.text import clip, fold, one_line

__all__ = ["TimelineCommands"]

_EVENT_LIMIT = 20_000
"""Events offered by title are capped, so a keystroke never scans a million titles."""
_NAME_LIMIT = 200
"""A palette row is one line: longer names are cut (and matching stays quick)."""


def _lower(text: str) -> str:
    """Folded (case and accents), one character for one, so offsets stay offsets into ``text``."""
    low = fold(text)
    if len(low) == len(text):
        return low
    return "".join(f if len(f := fold(c)) == 1 else c for c in text)


def match(query: str, candidate: str) -> tuple[float, list[int]]:
    """Score (0 = no match) and matched offsets of ``query`` in ``candidate``, in linear time.

    Textual's fuzzy matcher tries every combination of letter positions, which takes minutes
    on a title such as "abab…" (60 letters) and a query like "aaaaaaaab": a data-borne hang.
    Here a substring match scores best (more at a word start), then the letters in order,
    matched greedily, with fewer separate runs scoring higher.
    """
    return _match(_lower(query.strip()), _lower(candidate))


def _match(q: str, c: str) -> tuple[float, list[int]]:
    """``match`` of a query and a candidate already folded (``_lower``)."""
    if not q:
        return 0.0, []
    at = c.find(q)
    if at >= 0:
        word_start = at == 0 or not c[at - 1].isalnum()
        return (1.0 if word_start else 0.8), list(range(at, at + len(q)))
    offsets: list[int] = []
    pos = 0
    for letter in q:
        if letter.isspace():
            continue
        pos = c.find(letter, pos)
        if pos < 0:
            return 0.0, []
        offsets.append(pos)
        pos += 1
    runs = 1 + sum(1 for a, b in zip(offsets, offsets[1:]) if b != a + 1)
    return 0.6 / runs, offsets


class TimelineCommands(Provider):
    """Commands built from the loaded timeline (only on the main screen)."""

    _built: list[tuple[str, str, object, str]] | None = None

    async def _commands(self) -> list[tuple[str, str, object, str]]:
        """(name, folded name, callback, help) of every command, built once per opening of
        the palette (a provider lives that long): a keystroke only matches, and never reads
        20,000 events from a big file or folds 70,000 names again."""
        if self._built is None:
            built = []
            for name, callback, help_text in self._each_command():
                built.append((name, _lower(name), callback, help_text))
                if len(built) % 2048 == 0:
                    await asyncio.sleep(0)  # keys get in (the first search of a million events)
            self._built = built
        return self._built

    def _each_command(self):
        from .screens.main import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return
        t = screen.timeline
        yield "Clear all filters", screen.action_clear_filters, "Show every event"
        yield "Go to date…", screen.action_go_to_date, "Cursor to the first event on or after a date"
        yield "Search text…", screen.action_search, "Live text search"
        yield "Edit query…", screen.action_query_bar, "Type a query string"
        notes = screen.session.notes
        for name in sorted(notes.layer.views):
            view = notes.layer.views[name]
            label = one_line(clip(name, _NAME_LIMIT))
            yield f"Open view: {label}", partial(screen.open_view, name), one_line(clip(view.query or "no filters", 200))
            yield f"Delete view: {label}", partial(screen.delete_view, name), "Remove this saved view"
        yield "Save this view…", screen.action_save_view, "Keep the filters and cursor under a name (v)"
        yield "Star or unstar this event", screen.action_star, "s"
        yield "Note on this event…", screen.action_note, "n"
        yield "Labels of this event…", screen.action_labels, "l"
        yield "Copy a citation", screen.action_cite, "y: the event (or quote) with its sources"
        yield "Citation style…", screen.action_cite_style, "Y: plain, Markdown or APA-like"
        yield "Open a source…", screen.action_open_source, "o: in the browser (http and https only)"
        yield "Filter: starred events", partial(self._add, screen, "is", "starred"), "is:starred"
        yield "Filter: events not starred", partial(self._add, screen, "is", "starred", True), "-is:starred"
        yield "Filter: events with your note", partial(self._add, screen, "has", "note"), "has:note"
        for label, n in notes.labels().items():
            yield (f"Filter by label: {one_line(clip(label, _NAME_LIMIT))}", partial(self._add, screen, "label", label),
                   f"{n} events")
        counts = t.actor_event_counts()
        for actor in t.actors.values():
            yield (f"Filter by actor: {one_line(clip(actor.name, _NAME_LIMIT))}",
                   partial(self._add, screen, "actor", actor.id),
                   f"{counts.get(actor.id, 0)} events · {actor.kind}")
        for tag, n in t.tag_counts().items():
            yield (f"Filter by tag: {one_line(clip(tag, _NAME_LIMIT))}", partial(self._add, screen, "tag", tag),
                   f"{n} events")
        shown = range(min(len(t), _EVENT_LIMIT))
        for pos, event in zip(shown, t.events_at(shown)):
            yield (f"Go to event: {one_line(clip(event.title, _NAME_LIMIT))}", partial(screen.go_to_event, pos),
                   t.dates[pos].display())

    @staticmethod
    def _add(screen, field: str, value: str, negate: bool = False) -> None:
        try:
            screen.filters = screen.filters.add(make_term(field, (value,), negate))
        except QueryError as exc:
            screen.notify(one_line(str(exc)), title="Filter not applied", severity="error", markup=False)

    async def discover(self) -> Hits:
        for i, (name, callback, help_text) in enumerate(self._each_command()):
            if i >= 4:
                break
            # Content, not str: the palette reads a str prompt as markup, and names are data
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        style = self.matcher(query).match_style
        wanted = _lower(query.strip())
        for i, (name, folded, callback, help_text) in enumerate(await self._commands()):
            if i % 2048 == 2047:
                # tens of thousands of names take a few hundred ms to match: let keys in
                # between, so that typing on cancels this search rather than waiting for it
                await asyncio.sleep(0)
            score, offsets = _match(wanted, folded)
            if score > 0:
                prompt = Content(name)  # never Matcher.highlight: it parses its argument as markup
                for offset in offsets:
                    prompt = prompt.stylize(style, offset, offset + 1)
                yield Hit(score, prompt, callback, text=name, help=help_text)


