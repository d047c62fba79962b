"""The help screen: every key, read from the bindings themselves so it can never go stale."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen"]

_NAMES = {"slash": "/", "colon": ":", "question_mark": "?", "pageup": "PgUp", "pagedown": "PgDn",
          "escape": "Esc", "enter": "Enter", "backspace": "Backspace", "tab": "Tab",
          "shift+tab": "Shift+Tab", "home": "Home", "end": "End", "up": "↑", "down": "↓"}


def key_names(keys: str) -> str:
    return " ".join(_NAMES.get(k, k.replace("ctrl+", "Ctrl+")) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Lists the bindings it is given, section by section."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]], extra: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.sections = sections
        self.extra = extra

    def compose(self):
        lines: list[Content] = [Content.styled("Timeline Explorer — keys", "bold $text-accent"), Content("")]
        for title, bindings in self.sections:
            lines.append(Content.styled(title, "bold"))
            for b in bindings:
                lines.append(Content.assemble((f"  {key_names(b.key):<22}", "$text-accent"),
                                              b.tooltip or b.description))
            lines.append(Content(""))
        lines.append(Content.styled("Also", "bold"))
        for keys, what in self.extra:
            lines.append(Content.assemble((f"  {keys:<22}", "$text-accent"), what))
        with VerticalScroll(id="dialog-box"):
            yield Static(Content("\n").join(lines), markup=False)
            yield Static(Content.styled("Esc, q or ? to close", "dim"), markup=False)
