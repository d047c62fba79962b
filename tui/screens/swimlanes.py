"""The swimlane screen (``w``): who appears when, one lane per actor.

It draws the events the main screen shows (its filters apply), the actors those filters
name first, then every actor by how often it appears. Enter on a cell returns that actor and
the cell's period, which the main screen adds to its filters.

The lanes (every shown event's actors counted and ordered) are worked out in a thread
worker: at a million events that takes about 0.4 s, which on the event loop would freeze
the key that opened the screen and every key after it. Until they arrive the title says
so and the grid is empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on, work
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..model.swimlane import Lanes
from ..model.text import clip, one_line
from ..model.timeline import Timeline
from ..widgets.swimlane_view import MAYBE, NAME_WIDTH, SURE, SwimlaneView, axis

__all__ = ["SwimlaneScreen"]


class SwimlaneScreen(Screen[tuple[str, str, str] | None]):
    """Answers (actor id, from, to) on Enter, None on Escape."""

    BINDINGS = [Binding("escape,w", "close", "Back", id="swimlanes-close", tooltip="Back to the timeline")]

    DEFAULT_CSS = """
    SwimlaneScreen #lanes-title { height: 1; background: $panel; text-style: bold; padding: 0 1; }
    SwimlaneScreen #lanes-axis { height: 1; color: $text-muted; }
    SwimlaneScreen #lanes { height: 1fr; border: none; }
    SwimlaneScreen #lanes-status { height: 2; background: $panel; padding: 0 1; }
    """

    def __init__(self, timeline: Timeline, positions: Sequence[int], picked: Sequence[str] = ()) -> None:
        super().__init__()
        self.timeline = timeline
        self.positions = positions
        self.picked = list(picked)
        self.lanes: Lanes | None = None

    def compose(self):
        yield Static(id="lanes-title", markup=False)
        yield Static(id="lanes-axis", markup=False)
        yield SwimlaneView(Lanes(self.timeline, range(0), 1), id="lanes")
        yield Static(id="lanes-status", markup=False)
        yield Footer(compact=True)

    @dataclass
    class Built(Message):
        """The lanes for a grid ``width`` columns wide, worked out off the event loop."""

        lanes: Lanes
        width: int

    def on_mount(self) -> None:
        self._build()
        self.query_one(SwimlaneView).focus()

    def on_resize(self) -> None:
        self._build()

    def _build(self) -> None:
        """Bins that fit the grid's width (worked out again when the terminal is resized)."""
        width = self.size.width
        if getattr(self, "_built_for", None) == width:
            return
        self._built_for = width
        n = len(self.positions)
        if self.lanes is None:
            self.query_one("#lanes-title", Static).update(
                Content(f"Swimlanes: counting the actors of {n:,} event{'s' * (n != 1)}…"))
        self._work_out(width)

    @work(thread=True, exclusive=True, group="lanes")
    def _work_out(self, width: int) -> None:
        self.post_message(self.Built(Lanes(self.timeline, self.positions, max(1, width - NAME_WIDTH - 2),
                                           self.picked), width))

    @on(Built)
    def _built(self, message: Built) -> None:
        if message.width != self._built_for:
            return  # resized meanwhile: the newer lanes are on their way
        width = message.width
        view = self.query_one(SwimlaneView)
        row, column = view.row, view.column
        self.lanes = message.lanes
        view.set_lanes(self.lanes, width)
        view.row, view.column = row, column
        n = len(self.positions)
        title = (f"Swimlanes: {len(self.lanes):,} actors in {n:,} event{'s' * (n != 1)}, "
                 f"by {self.lanes.unit}" if not self.lanes.empty else "Swimlanes: no dated event is shown")
        self.query_one("#lanes-title", Static).update(Content(title))
        self.query_one("#lanes-axis", Static).update(Content(axis(self.lanes, width)))
        self._describe(view.row, view.column)

    @on(SwimlaneView.Moved)
    def _moved(self, message: SwimlaneView.Moved) -> None:
        self._describe(message.row, message.column)

    def _describe(self, row: int, column: int) -> None:
        lanes = self.lanes
        status = self.query_one("#lanes-status", Static)
        if lanes is None or not len(lanes) or not lanes.count:
            status.update(Content.styled("Nothing to draw. Esc: back to the timeline.", "dim"))
            return
        cell = self.query_one(SwimlaneView).cells(row).get(column)
        name = one_line(clip(self.timeline.actor_name(lanes.actors[row]), 80))
        if cell is None:
            what = "not present"
        else:
            what = f"{cell.sure} event{'s' * (cell.sure != 1)}"
            if cell.maybe:
                what += f", {cell.maybe} more possibly (dated less precisely than a {lanes.unit}, or longer)"
        status.update(Content.assemble(
            (name, "bold"), f" · {lanes.label(column)}: {what}\n",
            (f"{SURE} in it  {MAYBE} possibly  ←↑↓→ move · Enter: this actor and period in the timeline · "
             "Esc: back", "dim")))

    @on(SwimlaneView.Chosen)
    def _chosen(self) -> None:
        if self.lanes is None:
            return  # Enter before the lanes arrived: nothing is drawn to choose from
        view = self.query_one(SwimlaneView)
        start, end = self.lanes.period(view.column)
        self.dismiss((self.lanes.actors[view.row], start, end))

    def action_close(self) -> None:
        self.dismiss(None)
