"""Where a text search matched an event, so the row can show it: spans in the title, or
the first other field that holds the words (the search also reads summaries, places,
notes, tags and quotes, which a row does not show)."""

from __future__ import annotations

from collections.abc import Sequence

from .entities import Event, Quote
from .text import fold

__all__ = ["searchable", "title_spans", "matched_elsewhere"]


def searchable(text: str) -> str:
    """As the search folds text (``Timeline`` search): case, accents, hyphens as spaces."""
    return fold(text).replace("-", " ")


def title_spans(title: str, needles: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) character spans of each needle in ``title``; none when folding changed
    the title's length (then positions in the folded text are not positions in the title)."""
    folded = searchable(title)
    if len(folded) != len(title):
        return []
    spans = []
    for needle in needles:
        start = folded.find(needle) if needle else -1
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = folded.find(needle, start + len(needle))
    return sorted(spans)


def matched_elsewhere(event: Event, quotes: Sequence[Quote], needles: Sequence[str]) -> str | None:
    """The first field other than the title holding a needle the title lacks, or None."""
    title = searchable(event.title)
    missing = [n for n in needles if n and n not in title]
    if not missing:
        return None
    fields = [("summary", event.summary), ("place", event.place), ("note", event.note),
              ("tags", " ".join(event.tags))]
    fields += [("quote", " ".join(filter(None, (q.text, q.original)))) for q in quotes]
    for name, text in fields:
        if text and any(n in searchable(text) for n in missing):
            return name
    return None
