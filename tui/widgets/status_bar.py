"""The top bar: dataset title, "N of M events", and the active filters as removable chips."""

from __future__ import annotations

from dataclasses import dataclass

from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ..model.query import Query, Term
from ..model.text import clip, one_line

__all__ = ["StatusBar", "Chip"]


class Chip(Static):
    """One active filter term; clicking its ``×`` removes it (a click on the words, meant to
    read them, does nothing)."""

    @dataclass
    class Removed(Message):
        term: Term

    def __init__(self, term: Term, label: str) -> None:
        super().__init__(Content(label), markup=False, classes="chip")
        self.term = term
        self.tooltip = "Click × to remove this filter"

    def show(self, term: Term, label: str) -> None:
        """This chip, kept mounted, for another term (``StatusBar.update``)."""
        self.term = term
        self.update(Content(label))
        self.display = True

    def on_click(self, event) -> None:
        if event.x >= self.size.width - 3:  # the "×" and the padding around it
            self.post_message(self.Removed(self.term))


def chip_label(term: Term, actor_name) -> str:
    """A readable chip: actor ids become names, dates stay as typed."""
    values = list(term.values)
    if term.field == "actor":
        values = [actor_name(v) for v in values]
    elif term.field == "within" and term.points[0] is not term.points[1]:  # a range: "A/B", an end may be ".."
        values = [" – ".join("…" if side.strip() == ".." else side.strip() for side in values[0].split("/"))]
    joined = " or ".join(one_line(clip(v, 100)) for v in values)
    words = {"text": "“{}”", "actor": "actor: {}", "tag": "tag: {}", "from": "from {}",
             "to": "to {}", "date": "on {}", "confidence": "{}", "within": "within {}", "asof": "as of {}",
             "is": "{}", "anchor": "D = {}", "has": "with {}", "label": "label: {}"}
    label = words[term.field].format(joined)
    return ("not " if term.negate else "") + label + " ×"


class StatusBar(Vertical):
    """Title, counts and, on a second row, the filters as chips (or how to add one);
    ``update`` is called by the screen after every filter."""

    DEFAULT_CSS = """
    StatusBar { height: auto; background: $panel; }
    StatusBar #status-top { height: 1; }
    StatusBar #title { width: 1fr; height: 1; text-style: bold; padding: 0 1; color: $text-accent;
                       text-wrap: nowrap; text-overflow: ellipsis; }
    StatusBar #count { width: auto; padding: 0 0 0 1; }
    StatusBar #span { width: auto; padding: 0 0 0 1; }
    StatusBar #chips { height: 1; padding: 0 1; }
    StatusBar #chips-none { width: auto; color: $text-muted; }
    StatusBar #chips.-active #chips-none { display: none; }
    StatusBar #chips-label { width: auto; color: $text-muted; margin-right: 1; }
    StatusBar .chip { width: auto; background: $primary-muted; color: $text; margin-right: 1; padding: 0 1; }
    StatusBar .chip:hover { background: $error-muted; }
    StatusBar #chips-note { width: 1fr; min-width: 0; color: $text-muted; text-wrap: nowrap;
                            text-overflow: ellipsis; }
    StatusBar #hint { width: auto; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = title
        self._chips_for: Query | None = None
        self._unsay = None
        """The timer that puts "? help" back after ``say``."""

    def compose(self):
        with Horizontal(id="status-top"):
            yield Static(Content(one_line(clip(self._title, 200))), id="title", markup=False)
            yield Static(id="count", markup=False)
            yield Static(id="span", markup=False)
            yield Static(Content.styled("? help", "dim"), id="hint", markup=False)
        with Horizontal(id="chips"):
            yield Static(Content.styled("Filters:", "dim"), id="chips-label", markup=False)
            # the row is always there: the panes below do not jump when the first filter comes
            yield Static(Content.styled("none · / search  a actors  t tags  d dates  : query", "dim"),
                         id="chips-none", markup=False)
            yield Static(id="chips-note", markup=False)

    def say(self, message: str, seconds: float = 6.0) -> None:
        """Show a short message where "? help" is (what was just copied), for a while."""
        hint = self.query_one("#hint", Static)
        hint.update(Content.styled(one_line(clip(message, 80)), "$text-success"))
        if self._unsay is not None:
            self._unsay.stop()
        self._unsay = self.set_timer(seconds, lambda: hint.update(Content.styled("? help", "dim")))

    def update(self, shown: int, total: int, query: Query, actor_name, *, busy: bool | str = False,
               extra: str = "", span: str = "", date_note: str = "") -> None:
        """``busy``: a filter is running (True), or what it waits for (a short text);
        ``extra``: what the count means under the filters ("as of 6 Sep 2024");
        ``span``: the shown events' first and last month; ``date_note``: after the chips,
        what the date range's other mode would add or take away ("12 within, 3 more
        possibly", ``Result.within_words``)."""
        count = (f"{shown:,} of {total:,} events" + (f" ({extra})" if extra else "") if query.terms
                 else f"{total:,} event{'s' * (total != 1)}")
        waiting = f" … {busy}" if isinstance(busy, str) else " …" if busy else ""
        self.query_one("#count", Static).update(Content.styled(count + waiting, "bold" if query else ""))
        self.query_one("#span", Static).update(Content.styled(f"· {span}" if span else "", "dim"))
        self.query_one("#chips-note", Static).update(Content(f"({date_note})" if date_note else ""))
        if query == self._chips_for:
            return  # the chips are already these (the count changes twice per filter, they once)
        self._chips_for = query
        # The chips mounted already are reused, those not needed hidden: mounting or removing
        # one lays the screen out again once it is done, a frame after the filter's result
        # (a second layout per filter, 15 ms at 100k on the 6 Dec machine); a chip's new
        # label and its display change in the result's own layout.
        chips = self.query_one("#chips", Horizontal)
        kept = list(chips.query(Chip))
        terms = query.terms
        for chip, term in zip(kept, terms):
            chip.show(term, chip_label(term, actor_name))
        for chip in kept[len(terms):]:
            chip.display = False
        chips.set_class(bool(terms), "-active")
        if len(terms) > len(kept):
            chips.mount_all((Chip(term, chip_label(term, actor_name)) for term in terms[len(kept):]),
                            before=self.query_one("#chips-note", Static))

    def chips(self) -> list[Chip]:
        """The chips shown, in the filters' order (hidden ones wait to be reused)."""
        return [chip for chip in self.query(Chip) if chip.display]
