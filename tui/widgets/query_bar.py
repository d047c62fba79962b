"""The bottom input bar, for live text search (``/``) and the query string (``:``)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from ..model.text import visible
from .safe_input import SafeInput

__all__ = ["QueryBar"]


class _BarInput(SafeInput):
    """The bar's field; its Enter and Esc are listed in the footer, worded for the mode
    (keys typed here go into the field, so the screen's keys are not listed meanwhile)."""

    BINDINGS = [
        Binding("enter", "submit", "Keep search", id="bar-keep"),
        Binding("enter", "apply", "Apply query", id="bar-apply"),
        Binding("escape", "undo", "Undo search", id="bar-undo"),
        Binding("escape", "cancel", "Cancel", id="bar-cancel"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        mode = getattr(self.parent, "mode", "search")
        if action in ("submit", "undo"):
            return mode == "search"
        if action in ("apply", "cancel"):
            return mode == "query"
        return super().check_action(action, parameters)

    async def action_apply(self) -> None:
        await self.action_submit()

    def action_undo(self) -> None:
        self.post_message(QueryBar.Cancelled())

    def action_cancel(self) -> None:
        self.post_message(QueryBar.Cancelled())


class QueryBar(Vertical):
    """Hidden until opened; Enter accepts, Escape restores what was there before."""

    DEFAULT_CSS = """
    QueryBar { height: auto; display: none; background: $panel; padding: 0 1; }
    QueryBar.-open { display: block; }
    QueryBar Input, QueryBar Input:focus { border: none; height: 1; padding: 0; background: $panel; }
    QueryBar #query-error { color: $text-error; height: auto; display: none; }
    QueryBar #query-error.-shown { display: block; }
    QueryBar #query-help { color: $text-muted; height: 1; }
    """

    @dataclass
    class Changed(Message):
        """The text changed (live search)."""

        mode: str
        value: str

    @dataclass
    class Submitted(Message):
        mode: str
        value: str

    class Cancelled(Message):
        """Escape: close and undo what live search changed."""

    HELP = {
        "search": "Search titles, summaries, places, notes and quotes · Enter keep · Esc undo",
        "query": 'e.g. actor:maduro from:2024-09 to:2024-09-30 tag:icc "power cut" -tag:x · Enter apply · Esc cancel',
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mode = "search"

    def compose(self):
        yield _BarInput(id="query-input", select_on_focus=False)
        yield Static(id="query-error", markup=False)
        yield Static(id="query-help", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#query-input", Input)

    def open(self, mode: str, value: str) -> None:
        self.mode = mode
        self.input.refresh_bindings()
        self.add_class("-open")
        self.show_error(None)
        self.input.placeholder = "search…" if mode == "search" else "query"
        self.query_one("#query-help", Static).update(Content.styled(self.HELP[mode], "dim"))
        with self.input.prevent(Input.Changed):
            self.input.value = value
        self.input.cursor_position = len(value)
        self.input.focus()

    def close(self) -> None:
        self.remove_class("-open")
        self.show_error(None)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def show_error(self, message: str | None) -> None:
        error = self.query_one("#query-error", Static)
        error.set_class(message is not None, "-shown")
        error.update(Content(visible(message or "", multiline=True)))  # it quotes what was typed

    @on(Input.Changed, "#query-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.mode, event.value))

    @on(Input.Submitted, "#query-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self.mode, event.value))
