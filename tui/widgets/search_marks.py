"""Search matches marked in the side panes, as the timeline row marks them in its title:
the event pane's title, summary, place, tags and note, and the quotes."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from ..model.matches import title_spans

__all__ = ["MATCH_STYLE", "marked"]

MATCH_STYLE = "bold underline on $warning-muted"
"""Like the timeline's ``timeline--match``."""


def marked(content: Content, needles: Sequence[str]) -> Content:
    """``content`` with every match of the search's words (folded as the search folds) in
    ``MATCH_STYLE``; unchanged when there is no search, or when folding changed the text's
    length (then positions in the folded text are not positions on screen)."""
    if not needles:
        return content
    for start, end in title_spans(content.plain, needles):
        content = content.stylize(MATCH_STYLE, start, end)
    return content
