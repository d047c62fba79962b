"""Choose the time zone that ``z`` shows times in (a zoneinfo name such as Europe/Madrid)."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..model.clock import ZoneChoice, ZoneError
from ..model.text import one_line
from ..widgets.safe_input import SafeInput

__all__ = ["ZoneScreen"]


class ZoneScreen(ModalScreen[ZoneChoice | None]):
    """Type a zone name; an unknown one is an inline error, never a guess."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str = "") -> None:
        super().__init__(classes="dialog")
        self.current = current

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Label(Content.styled("Show times in this zone (only times stored with an offset move)", "bold"))
            yield SafeInput(value=self.current, placeholder="e.g. Europe/Madrid, America/Caracas, UTC",
                            id="zone-name")
            yield Static(id="date-error", markup=False)
            yield Static(Content.styled("Enter show · Esc cancel · z cycles stored / UTC / this zone", "dim"),
                         markup=False)

    @on(Input.Submitted)
    def _chosen(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(ZoneChoice(event.value.strip()))
        except ZoneError as exc:
            self.query_one("#date-error", Static).update(Content.styled(one_line(str(exc)), "$text-error"))

    def action_cancel(self) -> None:
        self.dismiss(None)
