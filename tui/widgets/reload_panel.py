"""The panel that says a watched file changed and no longer loads (or is gone).

It sits at the bottom of the main screen, over nothing the reader needs: the last version
that loaded stays on screen, usable. It never takes the focus; Esc (from the main screen)
or a click hides it, and it goes by itself once the file loads again.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..model.text import one_line

__all__ = ["ReloadPanel"]

SHOWN = 12
"""Problems listed; ``timeline validate`` lists them all."""


class ReloadPanel(VerticalScroll, can_focus=False):
    """Why the file on disk is not what is shown."""

    DEFAULT_CSS = """
    ReloadPanel {
        dock: bottom; height: auto; max-height: 40%; margin-bottom: 1;
        border: round $error; border-title-color: $error; background: $surface; padding: 0 1;
    }
    ReloadPanel .problem { color: $text-error; }
    ReloadPanel .hint { color: $text-muted; }
    """

    def __init__(self, headline: str, problems: list[str], hint: str) -> None:
        super().__init__(id="reload-panel")
        self.border_title = "Not reloaded"
        self._lines = (headline, problems, hint)

    def show(self, headline: str, problems: list[str], hint: str) -> None:
        """Say this instead (the file changed again and is still broken)."""
        self._lines = (headline, problems, hint)
        self.refresh(recompose=True)

    def compose(self):
        headline, problems, hint = self._lines
        yield Static(Content(one_line(headline)))
        for problem in problems[:SHOWN]:
            yield Static(Content(one_line(problem)), classes="problem")
        if len(problems) > SHOWN:
            yield Static(Content(f"… and {len(problems) - SHOWN} more"), classes="problem")
        yield Static(Content(hint), classes="hint")

    def on_click(self) -> None:
        self.remove()
