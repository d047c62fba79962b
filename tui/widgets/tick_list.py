"""The pickers' list: ``[x]`` / ``[ ]`` in plain text, and a list that hands typing back.

Textual's SelectionList marks every row with the same ``X`` and tells ticked from unticked
by colour only, which a text capture or a monochrome terminal loses. Here a ticked row
reads ``[x]``. ``↑`` on the first row goes back to the filter field, and a letter typed in
the list narrows the filter (as in fzf): the list is never a dead end for typing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

__all__ = ["TickList"]


class TickList(SelectionList[str]):
    """A SelectionList drawn with ``[x]`` / ``[ ]``."""

    class LeftTop(Message):
        """↑ on the first row: back to the field above."""

    @dataclass
    class Typed(Message):
        """A printable key typed in the list (for the filter field)."""

        character: str

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        index = int(self.scroll_offset.y) + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        base = segments[0].style if segments else self.rich_style
        ticked = selection.value in self._selected
        mark = self.get_component_rich_style("selection-list--button-selected")
        style = base + Style(color=mark.bgcolor, bold=True) if ticked else base
        return Strip([Segment("[x] " if ticked else "[ ] ", style), *segments])

    def get_content_width(self, container, viewport) -> int:
        return super().get_content_width(container, viewport) + 4

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "up" and (self.highlighted or 0) == 0:
            event.stop()
            event.prevent_default()
            self.post_message(self.LeftTop())
            return
        if event.is_printable and event.character and event.key != "space":
            event.stop()
            event.prevent_default()
            self.post_message(self.Typed(event.character))
            return
        await super()._on_key(event)
