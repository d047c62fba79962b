"""What the virtual lists (the timeline, the swimlanes) share: rows drawn one line at a time.

A ``ScrollView`` with Textual's Line API draws only the rows on screen, so a million rows
scroll as quickly as ten. Each drawn row is a ``Strip`` kept in an LRU cache under a key the
subclass chooses (the row, whether the cursor is on it, the width…); the cache is emptied
when the colours change (a new theme) or the width does, and ``redraw`` empties it when the
subclass's data does. The cursor itself is the subclass's: the timeline's is an index into
its events (rows include month headings), the swimlanes' a cell.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from textual.cache import LRUCache
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["VirtualList"]


class VirtualList(ScrollView, can_focus=True):
    """A focusable virtual list of rows (see the module's docstring)."""

    def __init__(self, *, id: str | None = None, cache_size: int = 1024) -> None:
        super().__init__(id=id)
        self._cache: LRUCache[Hashable, Strip] = LRUCache(cache_size)

    def on_mount(self) -> None:
        # Strips are cached with their colours: a new theme must draw them again.
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self._cache.clear()

    def redraw(self) -> None:
        """Draw every row again (what they show has changed)."""
        self._cache.clear()
        self.refresh()

    def strip(self, key: Hashable, draw: Callable[[], Strip]) -> Strip:
        """The row cached under ``key``, drawn (and kept) if it is not there."""
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = draw()
        return found

    def page_rows(self, overlap: int = 1) -> int:
        """How many rows a page key moves: the rows on screen, less ``overlap`` kept in view."""
        return max(1, self.scrollable_content_region.height - overlap)

    def show_row(self, row: int, *, above: int = 0, center: bool = False) -> None:
        """Scroll so that ``row`` and the ``above`` rows over it are on screen, at once."""
        top = max(0, row - above)
        self.scroll_to_region(Region(0, top, 1, row - top + 1), animate=False, center=center, immediate=True)
