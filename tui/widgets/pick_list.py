"""An OptionList where a click only highlights: reading about an item must not act on it."""

from __future__ import annotations

from textual import events
from textual.widgets import OptionList

__all__ = ["PickList"]


class PickList(OptionList):
    """Click highlights and focuses; Enter (or a second click) selects.

    In the actor and quote panes, selecting filters the timeline or jumps to another pane,
    which a click meant only to read would do by surprise.
    """

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not OptionList's click, which would select
        clicked = event.style.meta.get("option")
        if clicked is None or self.get_option_at_index(clicked).disabled:
            return
        if clicked == self.highlighted and event.chain > 1:
            self.action_select()
        self.highlighted = clicked
        self.focus()
