"""The screen shown while the terminal is smaller than the explorer can be drawn in.

Below ``MIN_SIZE`` the panes have no room left inside their borders (at 30x8 the timeline
shows no row at all; at 3x2 a pane's text would be wrapped at zero width, which crashes
Textual's layout). Rather than lay the panes out at such a size, the app puts this screen on
top (``TimelineApp._fit``): one line saying what size is needed, cut to whatever fits, and
``q`` to quit. It goes away, and everything below is as it was, once the terminal is big
enough again.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

__all__ = ["MIN_SIZE", "TooSmallScreen", "too_small"]

MIN_SIZE = (40, 12)
"""Columns and rows: the smallest terminal in which the timeline shows at least one event."""


def too_small(width: int, height: int) -> bool:
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


class TooSmallScreen(Screen[None]):
    """Says the terminal is too small; nothing else to draw, nothing to crash."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Static { width: auto; height: auto; max-width: 100%; }
    """

    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="too-small-quit", tooltip="Quit the explorer"),
    ]

    def compose(self):
        yield Static(id="too-small", markup=False)

    def on_resize(self) -> None:
        width, height = self.app.size
        self.query_one("#too-small", Static).update(Content.assemble(
            ("Terminal too small", "bold"), f" ({width}×{height}): Timeline Explorer needs "
            f"{MIN_SIZE[0]}×{MIN_SIZE[1]}. Make the window larger, or press q to quit."))

    def on_mount(self) -> None:
        self.on_resize()
