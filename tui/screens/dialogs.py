"""Modal dialogs: pick actors or tags, set a date range, go to a date.

Each returns its answer through ``dismiss`` and never applies anything itself: the main
screen turns answers into query terms, so every filter path ends in the same place.
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual import events
from textual.widgets import Checkbox, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from ..model.dates import DateError, Point, parse_user_date
from ..model.text import clip, fold, one_line
from ..widgets.safe_input import SafeInput
from ..widgets.tick_list import TickList

__all__ = ["PickerScreen", "DateRangeScreen", "GoToDateScreen"]

_LIMIT = 300


class PickerScreen(ModalScreen[list[str] | None]):
    """Type to narrow, Space to tick (several allowed), Enter to apply, Escape to cancel.

    Typing always narrows (a letter typed in the list goes to the filter field), ``↑`` on
    the first row goes back to the field, and the list shrinks so that the count and the
    key hints stay on screen at 80x24."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+a", "clear_all", "Untick all"),
    ]

    def __init__(self, title: str, items: list[tuple[str, str, int]], selected: set[str]) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.items = items
        """(value, label, event count), most relevant first."""
        self.selected = set(selected)
        self._folded = [(value, fold(label) + " " + fold(value)) for value, label, _ in items]
        self.within: dict[str, int] | None = None
        """Each value's events among those the other filters leave (``set_within``)."""

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Label(Content.styled(self.title_text, "bold"))
            yield SafeInput(placeholder="type to narrow…", id="picker-filter")
            yield TickList(id="picker-list")
            yield Static(id="picker-status", markup=False)
            yield Static(Content.styled("↓ list · Space tick · Enter apply · Ctrl+A untick all · Esc cancel",
                                        "dim"), markup=False)

    def on_mount(self) -> None:
        self._refill("")
        self.query_one("#picker-filter", Input).focus()

    def on_resize(self, event: events.Resize) -> None:
        # the box may take 90% of the screen; title, field, count, hints and borders take 9
        self.selection_list.styles.max_height = max(3, min(16, int(event.size.height * 0.9) - 9))

    def set_within(self, counts: dict[str, int]) -> None:
        """Show "3 of 12": each value's events under the other filters, out of all its
        events; the values with most of them come first."""
        self.within = counts
        order = {value: i for i, (value, *_rest) in enumerate(self.items)}
        self.items.sort(key=lambda item: (-counts.get(item[0], 0), order[item[0]]))
        self._folded.sort(key=lambda pair: (-counts.get(pair[0], 0), order[pair[0]]))
        if self.is_mounted:
            self._refill(self.query_one("#picker-filter", Input).value)

    def _count(self, value: str, total: int) -> str:
        if self.within is None:
            return f"  {total:,}"
        return f"  {self.within.get(value, 0):,} of {total:,}"

    @on(TickList.LeftTop)
    def _back_to_field(self) -> None:
        self.query_one("#picker-filter", Input).focus()

    @on(TickList.Typed)
    def _typed_in_list(self, message: TickList.Typed) -> None:
        field = self.query_one("#picker-filter", Input)
        field.insert_text_at_cursor(message.character)
        field.focus()

    @property
    def selection_list(self) -> SelectionList[str]:
        return self.query_one("#picker-list", SelectionList)

    def _refill(self, text: str) -> None:
        wanted = fold(text.strip())
        labels = {value: (label, count) for value, label, count in self.items}
        matches = [v for v, hay in self._folded if wanted in hay] if wanted else [v for v, *_ in self.items]
        shown = matches[:_LIMIT]
        # Ticked items stay visible even when the text no longer matches them.
        shown += [v for v in self.selected if v not in shown]
        sl = self.selection_list
        with sl.prevent(SelectionList.SelectedChanged):
            sl.clear_options()
            sl.add_options([
                Selection(Content.assemble(one_line(clip(labels[v][0], 200)), (self._count(v, labels[v][1]), "dim")), v,
                          v in self.selected)
                for v in shown
            ])
        self._matches = len(matches)
        self._status()

    def _status(self) -> None:
        matches = self._matches
        status = f"{matches:,} match{'es' * (matches != 1)}"
        if matches > _LIMIT:
            status += f" (first {_LIMIT} shown: type more to narrow)"
        status += f" · {len(self.selected)} ticked"
        if self.selected:
            labels = {value: label for value, label, _ in self.items}
            status += ": " + ", ".join(one_line(clip(labels.get(v, v), 60))
                                       for v in sorted(self.selected, key=lambda v: labels.get(v, v)))
        self.query_one("#picker-status", Static).update(Content.styled(status, "dim"))

    @on(Input.Changed, "#picker-filter")
    def _narrow(self, event: Input.Changed) -> None:
        self._refill(event.value)

    @on(SelectionList.SelectedChanged)
    def _ticked(self) -> None:
        shown = {self.selection_list.get_option_at_index(i).value
                 for i in range(self.selection_list.option_count)}
        self.selected = (self.selected - shown) | set(self.selection_list.selected)
        self._status()

    def key_down(self) -> None:
        if self.query_one("#picker-filter", Input).has_focus:
            self.selection_list.focus()

    @on(Input.Submitted, "#picker-filter")
    def _submit_from_input(self) -> None:
        sl = self.selection_list
        if not self.selected and sl.option_count:
            # nothing ticked: Enter takes the highlighted match (the first, until moved)
            index = sl.highlighted if sl.highlighted is not None else 0
            self.selected = {sl.get_option_at_index(index).value}
        self.dismiss(sorted(self.selected, key=[v for v, *_ in self.items].index))

    def key_enter(self) -> None:
        if self.selection_list.has_focus:
            self.dismiss(sorted(self.selected, key=[v for v, *_ in self.items].index))

    def action_clear_all(self) -> None:
        self.selected.clear()
        self._refill(self.query_one("#picker-filter", Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class _ModeSwitch(Checkbox):
    """Space toggles; Enter applies the dialog (as it does from the date fields)."""

    BINDINGS = [Binding("space", "toggle_button", "Toggle", show=False)]

    def key_enter(self) -> None:
        self.screen.apply()


class DateRangeScreen(ModalScreen[tuple[str, str, bool] | None]):
    """From/to (either may be empty) and the mode: events that possibly overlap the range,
    or only those certainly within it (``date_range.py``). ``Ctrl+T`` or the switch (Tab to
    it, Space) changes the mode. A bad date shows inline and keeps the old filter."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("ctrl+t", "toggle_mode", "Within / overlapping", show=False)]

    DEFAULT_CSS = """
    DateRangeScreen #date-within { border: none; padding: 0 1; margin: 1 0 0 0; background: transparent; }
    DateRangeScreen #date-within:focus { background: $block-cursor-blurred-background; }
    """

    TITLES = {False: "Date range (inclusive; events that possibly overlap it match)",
              True: "Date range (inclusive; only events certainly within it match)"}

    def __init__(self, date_from: str, date_to: str, within: bool = False) -> None:
        super().__init__(classes="dialog")
        self.initial = (date_from, date_to, within)

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Label(Content.styled(self.TITLES[self.initial[2]], "bold"), id="date-title")
            with Horizontal(classes="field"):
                yield Label("From ", classes="field-label")
                yield SafeInput(self.initial[0], placeholder="e.g. 2024-09, 6 Sep 2024, 2024", id="date-from")
            with Horizontal(classes="field"):
                yield Label("To   ", classes="field-label")
                yield SafeInput(self.initial[1], placeholder="e.g. 2024-09-30, Sep 2024", id="date-to")
            yield _ModeSwitch("Only events certainly within (not those that only overlap)", self.initial[2],
                              id="date-within")
            yield Static(id="date-error", markup=False)
            yield Static(Content.styled("Tab next field · Ctrl+T within/overlapping · Enter apply · "
                                        "empty = no bound · Esc cancel", "dim"), markup=False)

    @on(Checkbox.Changed, "#date-within")
    def _mode_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#date-title", Label).update(Content.styled(self.TITLES[event.value], "bold"))

    def action_toggle_mode(self) -> None:
        self.query_one("#date-within", Checkbox).toggle()

    @on(Input.Submitted)
    def apply(self) -> None:
        values = (self.query_one("#date-from", Input).value.strip(),
                  self.query_one("#date-to", Input).value.strip())
        points: list[Point | None] = []
        for label, value in zip(("from", "to"), values):
            try:
                points.append(parse_user_date(value) if value else None)
            except DateError as exc:
                self._error(f"{label}: {exc}")
                self.query_one("#date-" + label, Input).focus()
                return
        if points[0] and points[1] and points[0].lower > points[1].upper:
            self._error(f"the range is reversed: {values[0]} is after {values[1]}")
            return
        self.dismiss((*values, self.query_one("#date-within", Checkbox).value))

    def _error(self, message: str) -> None:
        error = self.query_one("#date-error", Static)
        error.update(Content.styled(one_line(message), "$text-error"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GoToDateScreen(ModalScreen[Point | None]):
    """Move the cursor to the first shown event on or after a date."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self):
        with Vertical(id="dialog-box"):
            yield Label(Content.styled("Go to date (first event on or after it)", "bold"))
            yield SafeInput(placeholder="e.g. 2024-09-06, Sep 2024, 2025", id="goto-date")
            yield Static(id="date-error", markup=False)
            yield Static(Content.styled("Enter go · Esc cancel", "dim"), markup=False)

    @on(Input.Submitted)
    def _go(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(parse_user_date(event.value))
        except DateError as exc:
            self.query_one("#date-error", Static).update(Content.styled(one_line(str(exc)), "$text-error"))

    def action_cancel(self) -> None:
        self.dismiss(None)
