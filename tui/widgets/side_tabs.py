"""Below 100 columns the event, actor and quote panes share one slot: its border lists all
three as tabs (``2 Event │ 3 Actors (8) │ 4 Quotes (1)``), the one shown in bold, so it is
plain that the others are one key away (lazygit puts sibling views in a panel title)."""

from __future__ import annotations

from textual.content import Content

__all__ = ["TITLES", "tabs_title"]

TITLES = {"detail": "2 Event", "actors": "3 Actors", "quotes": "4 Quotes"}


def tabs_title(shown: str, counts: dict[str, int | None]) -> Content:
    """The border title for the shared slot showing pane ``shown``."""
    parts: list = []
    for name, title in TITLES.items():
        if parts:
            parts.append((" │ ", "dim"))
        count = counts.get(name)
        label = f"{title} ({count})" if count is not None else title
        parts.append((label, "bold reverse" if name == shown else ""))
    return Content.assemble(*parts)
