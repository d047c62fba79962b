"""The help screen: every key, read from the bindings themselves so it can never go stale."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.vim_scroll import VimScroll

__all__ = ["HelpScreen"]

_NAMES = {"slash": "/", "colon": ":", "question_mark": "?", "pageup": "PgUp", "pagedown": "PgDn",
          "escape": "Esc", "enter": "Enter", "backspace": "Backspace", "tab": "Tab",
          "shift+tab": "Shift+Tab", "home": "Home", "end": "End", "up": "↑", "down": "↓",
          "left_square_bracket": "[", "right_square_bracket": "]", "at": "@"}


def key_names(keys: str) -> str:
    return " ".join(_NAMES.get(k, f"Ctrl+{k[5:].upper()}" if k.startswith("ctrl+") else k)
                    for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Lists the bindings it is given, section by section, keys in one column and what they
    do in another (so a long description wraps within its column)."""

    DEFAULT_CSS = """
    HelpScreen .help-section { margin-top: 1; }
    HelpScreen .help-row { height: auto; }
    HelpScreen .help-keys { width: 20; padding-left: 2; }
    HelpScreen .help-what { width: 1fr; }
    """

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]], extra: list[tuple[str, str]], *,
                 legend: list[tuple[str, str]] = (), files: list[tuple[str, str]] = ()) -> None:
        super().__init__(classes="dialog")
        self.sections = sections
        self.extra = extra
        self.legend = list(legend)
        """(mark, meaning): the row markers and quote labels."""
        self.files = list(files)

    def compose(self):
        with VimScroll(id="dialog-box"):
            yield Static(Content.assemble(("Timeline Explorer — keys", "bold $text-accent"),
                                          ("   Esc, q or ? closes · j k scroll", "dim")), markup=False)
            sections = [(title, [(key_names(b.key), b.tooltip or b.description) for b in bindings])
                        for title, bindings in self.sections]
            sections.append(("Also", self.extra))
            if self.legend:
                sections.append(("Marks in rows and quotes", self.legend))
            if self.files:
                sections.append(("Files shown", self.files))
            for title, rows in sections:
                yield Static(Content.styled(title, "bold"), classes="help-section", markup=False)
                for keys, what in rows:
                    with Horizontal(classes="help-row"):
                        yield Static(Content.styled(keys, "$text-accent"), classes="help-keys", markup=False)
                        yield Static(Content(what), classes="help-what", markup=False)
            yield Static(Content.styled("Esc, q or ? to close", "dim"), classes="help-section", markup=False)

    def on_mount(self) -> None:
        self.query_one("#dialog-box").focus()  # j/k scroll at once
