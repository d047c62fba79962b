"""An Input that never sends a control character to the terminal.

Textual's Input draws its value as it is (Rich only drops BEL, BS, VT, FF and CR), and its
value can hold data: the query bar opens with the current filters, whose tags come from the
file. So the value is drawn through a highlighter that replaces every control, bidi and
zero-width character with a visible stand-in of the same length (cursor positions hold).
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Input

from ..model.text import visible_same_length

__all__ = ["SafeInput", "VisibleControls"]


class VisibleControls(Highlighter):
    """Shows control characters as stand-ins (␛, �); the value itself is not changed."""

    def highlight(self, text: Text) -> None:
        shown = visible_same_length(text.plain)
        if shown != text.plain:
            text.plain = shown


class SafeInput(Input):
    """An Input whose value is always drawn with ``VisibleControls``."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("highlighter", VisibleControls())
        super().__init__(*args, **kwargs)
