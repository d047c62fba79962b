"""An OptionList where a click only highlights: reading about an item must not act on it."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import OptionList

__all__ = ["PickList"]


class PickList(OptionList):
    """Click highlights and focuses; Enter (or a second click) selects.

    In the actor and quote panes, selecting filters the timeline or jumps to another pane,
    which a click meant only to read would do by surprise.
    ``j``/``k`` move like the arrows and ``g``/``G`` go to the first and last item, as in
    the timeline.
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not OptionList's click, which would select
        clicked = event.style.meta.get("option")
        if clicked is None or self.get_option_at_index(clicked).disabled:
            return
        if clicked == self.highlighted and event.chain > 1:
            self.action_select()
        self.highlighted = clicked
        self.focus()
