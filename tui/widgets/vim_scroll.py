"""A vertical scroll view that also answers the vim keys, as every list in the explorer does."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll

__all__ = ["VimScroll", "VIM_SCROLL_BINDINGS"]

VIM_SCROLL_BINDINGS = [
    Binding("j", "scroll_down", "Scroll down", show=False),
    Binding("k", "scroll_up", "Scroll up", show=False),
    Binding("g", "scroll_home", "Top", show=False),
    Binding("G", "scroll_end", "Bottom", show=False),
]


class VimScroll(VerticalScroll):
    """``j``/``k`` scroll a line, ``g``/``G`` to the top and bottom (arrows, PgUp/PgDn,
    Home/End as in any scroll view)."""

    BINDINGS = VIM_SCROLL_BINDINGS
