"""Dialogs of the analyst's own layer: write a note, pick labels, name a view, choose from
a short list (a citation style, a source to open), and show what was copied.

Like the filter dialogs, each returns its answer through ``dismiss`` and changes nothing
itself; the main screen stores it (``screens/annotating.py``).
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from ..model.text import clip, fold, one_line, visible
from ..widgets.safe_input import SafeInput
from ..widgets.tick_list import TickList

__all__ = ["NoteScreen", "LabelScreen", "ViewNameScreen", "ChoiceScreen", "CopiedScreen"]


def _hint(text: str) -> Static:
    return Static(Content.styled(text, "dim"), markup=False, classes="dialog-hint")


class NoteScreen(ModalScreen[str | None]):
    """A multi-line note on one event: Ctrl+S saves, Esc cancels (an empty note removes it)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, about: str, note: str) -> None:
        super().__init__(classes="dialog")
        self.about = about
        self.note = note

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Static(Content.assemble(("Note on: ", "bold"), one_line(clip(self.about, 200))), markup=False)
            # a note read from a shared notes file is text like the data: no control reaches the screen
            yield TextArea(visible(self.note, multiline=True), id="note-text", soft_wrap=True,
                           show_line_numbers=False, tab_behavior="focus")
            yield _hint("Ctrl+S save · Esc cancel · an empty note removes it")

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-text", TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class LabelScreen(ModalScreen[list[str] | None]):
    """The labels of one event: tick labels already in use, or type a new one and press
    Enter; Enter on an empty line (or in the list), or Ctrl+S, applies."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, about: str, known: dict[str, int], mine: tuple[str, ...]) -> None:
        super().__init__(classes="dialog")
        self.about = about
        self.known = dict(known)
        """Every label in use, with how many events carry it."""
        for label in mine:
            self.known.setdefault(label, 1)
        self.ticked = list(mine)

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Static(Content.assemble(("Labels of: ", "bold"), one_line(clip(self.about, 200))), markup=False)
            yield SafeInput(placeholder="type a new label, or to narrow…", id="label-input")
            yield TickList(id="picker-list")  # [x] / [ ], as in the pickers
            yield _hint("Enter add (empty: apply) · ↓ list · Space tick · Esc cancel")

    def on_mount(self) -> None:
        self._refill("")

    @property
    def selection_list(self) -> SelectionList[str]:
        return self.query_one("#picker-list", SelectionList)

    def _refill(self, text: str) -> None:
        wanted = fold(text.strip())
        shown = [label for label in self.known if wanted in fold(label)] or list(self.known)
        sl = self.selection_list
        with sl.prevent(SelectionList.SelectedChanged):
            sl.clear_options()
            sl.add_options([Selection(Content.assemble(one_line(clip(label, 200)), (f"  {self.known[label]}", "dim")),
                                      label, label in self.ticked) for label in shown])

    @on(TickList.LeftTop)
    def _back_to_field(self) -> None:
        self.query_one("#label-input", Input).focus()

    @on(TickList.Typed)
    def _typed_in_list(self, message: TickList.Typed) -> None:
        field = self.query_one("#label-input", Input)
        field.insert_text_at_cursor(message.character)
        field.focus()

    @on(Input.Changed, "#label-input")
    def _narrow(self, event: Input.Changed) -> None:
        self._refill(event.value)

    @on(SelectionList.SelectedChanged)
    def _ticks(self) -> None:
        sl = self.selection_list
        shown = {sl.get_option_at_index(i).value for i in range(sl.option_count)}
        self.ticked = [label for label in self.ticked if label not in shown or label in sl.selected] + \
            [label for label in sl.selected if label not in self.ticked]

    @on(Input.Submitted, "#label-input")
    def _typed(self, event: Input.Submitted) -> None:
        text = " ".join(event.value.split())
        if not text:
            self.action_apply()
            return
        same = next((label for label in self.known if fold(label) == fold(text)), None)
        label = same or text  # "FollowUp" ticks the existing "followup" rather than add a twin
        self.known.setdefault(label, 0)
        if label not in self.ticked:
            self.ticked.append(label)
        event.input.value = ""
        self._refill("")

    def key_down(self) -> None:
        if self.query_one("#label-input", Input).has_focus:
            self.selection_list.focus()

    def key_enter(self) -> None:
        if self.selection_list.has_focus:
            self.action_apply()

    def action_apply(self) -> None:
        self.dismiss(list(self.ticked))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ViewNameScreen(ModalScreen[str | None]):
    """A name for the current filters and cursor (an existing name is replaced)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, summary: str, existing: list[str]) -> None:
        super().__init__(classes="dialog")
        self.summary = summary
        self.existing = existing

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Label(Content.styled("Save this view as", "bold"))
            yield Static(Content.assemble(("Filters: ", "dim"), one_line(clip(self.summary or "none", 300))),
                         markup=False)
            yield SafeInput(placeholder="a name, e.g. siege week", id="view-name")
            yield Static(id="view-error", markup=False)
            if self.existing:
                yield _hint("Saved: " + one_line(clip(", ".join(self.existing), 300)))
            yield _hint("Enter save (a saved name is replaced) · Esc cancel · open views with Ctrl+P")

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        name = " ".join(event.value.split())
        if not name:
            self.query_one("#view-error", Static).update(Content.styled("A view needs a name.", "$text-error"))
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few choices; those given as disabled are shown but cannot be picked."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, Content | str, bool]], hint: str = "") -> None:
        """``choices``: (value, label, enabled)."""
        super().__init__(classes="dialog")
        self.title_text = title
        self.choices = choices
        self.hint = hint

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Label(Content.styled(self.title_text, "bold"))
            yield OptionList(*[Option(label if isinstance(label, Content) else Content(label), id=value,
                                      disabled=not enabled)
                               for value, label, enabled in self.choices], id="choice-list")
            yield _hint(self.hint or "↑↓ choose · Enter pick · Esc cancel")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CopiedScreen(ModalScreen[None]):
    """What was copied, for terminals that may not take a clipboard write (OSC 52): select
    it by hand, or close with Esc or Enter."""

    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, what: str, text: str, reason: str) -> None:
        super().__init__(classes="dialog")
        self.what = what
        self.text = text
        self.reason = reason

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Static(Content.assemble(("Copied: ", "bold"), self.what), markup=False)
            yield Static(Content.styled(self.reason, "dim"), markup=False)
            yield TextArea(self.text, id="copied-text", read_only=True, soft_wrap=True, show_cursor=False)
            yield _hint("Select with the mouse (Shift+drag in most terminals) · Esc or Enter close")

    def action_close(self) -> None:
        self.dismiss(None)
