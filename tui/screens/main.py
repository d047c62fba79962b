"""The main screen: timeline, event detail, actors and quotes, linked through this screen.

The screen owns the state: ``query`` (what is shown) and ``current`` (the highlighted
event). Panes receive ``current`` by ``data_bind`` and report back with messages; every way
of filtering (keys, dialogs, palette, query bar, command-line flags) ends by setting
``query``, which runs in a worker so typing never waits for a search.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

from rich.cells import cell_len
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import get_current_worker

from ..messages import Filtered, FilterFailed, TextIndexed
from ..model.date_range import dialog_fields, range_terms_values
from ..model.dates import DateError, parse_user_date
from ..model.density import Density
from ..model.facets import counts_within
from ..model.query import Query, QueryError, check_dates, make_term, parse_query, resolve_actors, run
from ..model.matches import searchable
from ..model.names import Labels, actor_labels
from ..model.spans import span_label
from ..model.text import one_line, visible_same_length
from ..model.timeline import Timeline
from ..widgets.actor_pane import ActorPane
from ..widgets.density_strip import DensityStrip
from ..widgets.event_detail import EventDetail
from ..widgets.query_bar import QueryBar
from ..widgets.quote_pane import QuotePane, known_quotes
from ..widgets.status_bar import Chip, StatusBar
from ..widgets.side_tabs import TITLES, tabs_title
from ..widgets.timeline_row import MARKERS
from ..widgets.timeline_view import TimelineView, compute_layout
from ..model.clock import STORED, UTC, ZoneChoice
from ..widgets.lens import Lens
from ..notes.session import NotesSession
from .annotating import ANNOTATION_BINDINGS, Annotating
from .dialogs import DateRangeScreen, GoToDateScreen, PickerScreen
from .disputed import DisputedScreen
from .help import HelpScreen
from .settling import keys_waiting
from .swimlanes import SwimlaneScreen
from .zone import ZoneScreen

__all__ = ["MainScreen"]

PANES = ("timeline", "detail", "actors", "quotes")
BUSY_AFTER = 0.1
"""Seconds a filter runs before the count says "…" (a quicker result is drawn at once)."""
EMPTY = "No events match. Press x to clear all filters, Backspace to drop the last one."
EMPTY_SEARCHING = "No events match this search. Edit it, or Esc to undo it (x then clears every filter)."


class _Labelled(Message):
    """The actors' labels, worked out in a worker (``MainScreen.labels``)."""

    def __init__(self, labels: Labels) -> None:
        super().__init__()
        self.labels = labels


@dataclass(frozen=True, slots=True)
class _Search:
    """While "/" is open: the filters as they were (Escape restores them) and the same
    without their text terms (what typing adds its text to)."""

    before: Query
    base: Query


class MainScreen(Annotating, Screen[None]):
    """Three linked panes over one timeline, and the analyst's own layer (``Annotating``)."""

    BINDINGS = [
        Binding("slash", "search", "Search", id="search", tooltip="Search text, live as you type"),
        Binding("a", "pick_actors", "Actors", id="pick-actors", tooltip="Filter by actors (pick several)"),
        Binding("t", "pick_tags", "Tags", id="pick-tags", tooltip="Filter by tags"),
        Binding("d", "date_range", "Dates", id="date-range",
                tooltip="Filter by a date range (Ctrl+T in it: only events certainly within, or all that overlap)"),
        Binding("colon,f", "query_bar", "Query", id="query-bar", tooltip="Type a query string"),
        Binding("x", "clear_filters", "Clear", id="clear", tooltip="Clear all filters"),
        Binding("backspace", "drop_last", "Drop last filter", id="drop-last", show=False,
                tooltip="Remove the last filter added"),
        Binding("ctrl+g", "go_to_date", "Go to date", id="go-to-date", show=False,
                tooltip="Cursor to the first event on or after a date"),
        Binding("1", "focus_pane('timeline')", "Timeline", id="pane-1", show=False, tooltip="Focus the timeline"),
        Binding("2", "focus_pane('detail')", "Detail", id="pane-2", show=False, tooltip="Focus the event detail"),
        Binding("3", "focus_pane('actors')", "Actors pane", id="pane-3", show=False, tooltip="Focus the actors"),
        Binding("4", "focus_pane('quotes')", "Quotes pane", id="pane-4", show=False, tooltip="Focus the quotes"),
        Binding("tab", "cycle_pane(1)", "Next pane", id="next-pane", show=False,
                tooltip="Next pane (timeline, event, actors, quotes)"),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", id="previous-pane", show=False,
                tooltip="Previous pane"),
        Binding("escape", "back", "Back", id="back", show=False, tooltip="Back to the timeline"),
        Binding("D", "disputed", "Disputed", id="disputed", show=False,
                tooltip="Disputed events: who says what, side by side"),
        Binding("w", "swimlanes", "Swimlanes", id="swimlanes", show=False, tooltip="Swimlanes: actors over time"),
        Binding("left_square_bracket", "as_of(-1)", "As of −1 day", id="as-of-back", show=False,
                tooltip="Replay: the story as known one day earlier (starts at the highlighted event)"),
        Binding("right_square_bracket", "as_of(1)", "As of +1 day", id="as-of-forward", show=False,
                tooltip="Replay: the story as known one day later"),
        Binding("at", "anchor", "Anchor", id="anchor", show=False,
                tooltip="Count dates as D−n / D+n from the highlighted event (again: off)"),
        Binding("z", "cycle_zone", "Zone", id="cycle-zone", show=False,
                tooltip="Show times as stored, in UTC, or in the chosen zone"),
        Binding("Z", "choose_zone", "Choose zone", id="choose-zone", show=False,
                tooltip="Choose the time zone z shows times in"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show every key"),
        *ANNOTATION_BINDINGS,
    ]

    filters: reactive[Query] = reactive(Query, init=False, repaint=False)
    """What is shown; setting it runs the filter in a worker (the panes it changes redraw
    themselves: no repaint of the whole screen)."""
    current: reactive[int | None] = reactive(None, repaint=False)
    """Position of the highlighted event (the density strip follows it at every key). Not a
    repaint of the screen: the cursor row and the strip redraw themselves."""
    shown: reactive[int | None] = reactive(None, repaint=False)
    """The event the side panes show: ``current`` once the cursor has settled (``_settle``)."""
    ready: reactive[bool] = reactive(False)
    """False until the first filter result: the side panes say "Loading…" meanwhile."""
    narrow: reactive[bool] = reactive(False)
    """Below 100 columns the side panes share one slot (the focused one shows)."""

    def __init__(self, timeline: Timeline, query: Query | None = None, *,
                 density: Density | None = None, zone: str | None = None,
                 cursor: int | None = None, notes: NotesSession | None = None,
                 start_event: str | None = None, labels: Labels | None = None) -> None:
        super().__init__()
        self._zones = [ZoneChoice(STORED), ZoneChoice(UTC)] + ([ZoneChoice(zone)] if zone else [])
        """What ``z`` cycles through: as stored, UTC, and the chosen zone (``Z``, ``--zone``)."""
        self._zone = self._zones[0]
        self._extra = self._date_note = ""
        self._start = cursor
        """The position the cursor starts on when the first result shows (a reload keeps
        the cursor on its event)."""
        self.timeline = timeline
        self.session = notes or NotesSession()
        """The analyst's notes (in memory only, without a sidecar)."""
        self._start_event = start_event
        """The event id to open on (a saved view's, or the last session's)."""
        self.density = density or Density(timeline)
        self._initial = query or Query()
        self._applied = Query()
        """The last query that ran successfully (restored when one fails)."""
        self._index_started = False
        self._busy_timer: Timer | None = None
        """Shows "…" by the count if the filter's result has not come by then."""
        self._waiting: Timer | None = None
        """While a text search waits for the search text: the timer that shows its progress."""
        self._search: _Search | None = None
        """While "/" is open: what it started from."""
        self._side = "detail"
        self._settling = False
        """A ``_settle`` is due after the next frame."""
        self._refill = False
        """A reload was adopted: the side panes fill again once the cursor settles."""
        if labels is None:
            labels = actor_labels.built_for(timeline)
        if labels is None and timeline.origin is None:  # events held in memory: a few actors, at once
            labels = actor_labels(timeline)
        self.labels: Labels | None = labels
        """Actor id -> its label (a reload hands the new screen its labels, worked out aside).
        None until worked out: a big file's (50,000 actors at a million events, each folded)
        in a worker once the first result is on the screen, the rows then drawn again."""
        self.actor_label = lambda actor_id: (self.labels.get(actor_id) if self.labels is not None else None) \
            or timeline.actor_name(actor_id)
        """An actor's name, with its kind or id when another actor has the same name."""

    def compose(self):
        t = self.timeline
        yield StatusBar(t.title, id="status")
        yield DensityStrip(self.density, id="density").data_bind(MainScreen.current)
        with Horizontal(id="body"):
            yield TimelineView(t, id="timeline", actor_label=self.actor_label)
            with Vertical(id="side"):
                yield EventDetail(t, id="detail").data_bind(MainScreen.ready, current=MainScreen.shown)
                yield ActorPane(t, id="actors").data_bind(MainScreen.ready, current=MainScreen.shown)
                yield QuotePane(t, id="quotes").data_bind(MainScreen.ready, current=MainScreen.shown)
        yield QueryBar(id="query-bar")
        yield Footer(compact=True)

    def on_unmount(self) -> None:
        _thaw_heap()

    def on_mount(self) -> None:
        self.timeline_view.focus()
        self.start_annotating(self._start_event)
        self.set_reactive(MainScreen.filters, self._initial)
        self.watch_filters(self._initial)

    # --- parts -------------------------------------------------------------------------------

    @property
    def timeline_view(self) -> TimelineView:
        return self.query_one("#timeline", TimelineView)

    @property
    def query_bar(self) -> QueryBar:
        return self.query_one("#query-bar", QueryBar)

    def pane(self, name: str):
        return self.query_one(f"#{name}")

    # --- filtering -------------------------------------------------------------------------

    def watch_filters(self, query: Query) -> None:
        # "…" only for a filter that takes longer than a frame or two: one whose result comes
        # sooner is drawn once, chips and count together (each status change lays out the screen)
        if self._busy_timer is not None:
            self._busy_timer.stop()
        self._busy_timer = self.set_timer(BUSY_AFTER, self._show_busy)
        self._filter(query)
        waits = any(term.field == "text" for term in query.terms) and not self.timeline.text_ready
        if waits and self._waiting is None:
            self._waiting = self.set_interval(0.25, self._show_text_progress)

    def _show_busy(self) -> None:
        self._busy_timer = None
        if self._applied != self.filters:
            self._status(busy=True)

    def _stop_busy(self) -> None:
        if self._busy_timer is not None:
            self._busy_timer.stop()
            self._busy_timer = None

    def _show_text_progress(self) -> None:
        """A first text search waits for the search text to be built (13–15 s at a million
        events): say how far that is, rather than only "…"."""
        if self._applied == self.filters or self.timeline.text_ready:
            if self._waiting is not None:
                self._waiting.stop()
                self._waiting = None
            self._status(busy=self._applied != self.filters)
            return
        self._status(busy=f"preparing text search {self.timeline.text_progress:.0%}")

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def _filter(self, query: Query) -> None:
        worker = get_current_worker()
        try:
            result = filtered(self.timeline, self.density, query, self.session, lambda: worker.is_cancelled)
        except QueryError as exc:
            self.post_message(FilterFailed(query, str(exc)))
            return
        if result is not None and not worker.is_cancelled:
            self.post_message(result)

    @work(thread=True, group="index", exit_on_error=False)
    def _warm_search_index(self) -> None:
        """Fold every event's text in the background, so the first search is quick."""
        try:
            self.timeline.prepare_search()
        finally:
            self.app.busy.discard("index")
        _freeze_more()  # the search text lives as long as the timeline
        self.post_message(TextIndexed(self.timeline))

    @work(thread=True, group="views", exit_on_error=False)
    def _warm_views(self) -> None:
        """Build what as-of and is:disputed read (``first_reports``), off the event loop."""
        from ..model.first_report import first_reports

        first_reports(self.timeline)
        _freeze_more()  # kept per timeline: hundreds of thousands of objects at 100k

    @work(thread=True, group="labels", exit_on_error=False)
    def _work_out_labels(self) -> None:
        self.post_message(_Labelled(actor_labels(self.timeline)))

    @on(_Labelled)
    def _labelled(self, message: _Labelled) -> None:
        """Namesakes told apart in the rows and the chips, now that the labels are known."""
        self.labels = message.labels
        _freeze_more()  # as long-lived as the timeline
        self.timeline_view.redraw()
        self._status(busy=self._applied != self.filters)

    def adopt(self, timeline: Timeline, result: Filtered, *, density: Density, labels: Labels,
              cursor: int | None) -> bool:
        """Show ``timeline``, another version of the same files (a reload), in this screen,
        with ``result``, the filters' answer over it (worked out by the reload): the panes
        are kept, given the new timeline, rather than a new screen composed, laid out and
        painted whole. False (nothing changed) when the result is not of the filters shown
        now, or the title changed: the caller composes a new screen then."""
        if not self.ready or result.query != self.filters or result.timeline is not timeline \
                or timeline.title != self.timeline.title or self._search is not None:
            return False
        _thaw_heap()  # the old version's cycles, frozen with it, are collected, not kept
        self.timeline, self.density, self.labels = timeline, density, labels
        actor_labels.handed(timeline, labels)
        self.actor_label = lambda actor_id: labels.get(actor_id) or timeline.actor_name(actor_id)
        self.timeline_view.adopt(timeline, self.actor_label)
        for name in ("detail", "actors", "quotes"):
            self.pane(name).adopt(timeline)
        strip = self.query_one(DensityStrip)
        strip.density = density
        strip.refresh()
        self._index_started = False  # the new version's search text and views, after this result
        self._start = cursor
        self._refill = True
        self._filtered(result)
        return True

    @on(Filtered)
    def _filtered(self, message: Filtered) -> None:
        if message.query != self.filters or message.timeline is not self.timeline:
            return  # a stale answer: a newer query is already running, or the timeline was reloaded
        if not self._index_started:  # after the first result is on the screen: they never delay it
            self._index_started = True
            _freeze_heap()
            self.app.busy.add("index")  # see TimelineApp.busy
            self.call_after_refresh(self._warm_search_index)
            self.call_after_refresh(self._warm_views)
            if self.labels is None:
                self.call_after_refresh(self._work_out_labels)
        self._stop_busy()
        self._applied = message.query
        self.ready = True
        keep, self._start = (self.current if self._start is None else self._start), None
        needles = tuple(searchable(v) for term in message.query.terms
                        if term.field == "text" and not term.negate for v in term.values)
        self.timeline_view.set_needles(needles)
        self.pane("detail").set_needles(needles)
        self.pane("quotes").set_needles(needles)
        view = self.timeline_view
        view.set_positions(message.positions, message.layout, keep=keep, empty_message=self._empty_message())
        strip = self.query_one(DensityStrip)
        strip.counts = tuple(message.counts)
        strip.window = self._date_window(message.query)
        filtered_actors = self._filtered_actors(message.query)
        self.pane("actors").mark_filtered(filtered_actors)
        self.timeline_view.set_first_actors(filtered_actors)
        extra, self._date_note = [], message.within or ""  # "12 within, 3 more possibly", by the chips
        as_of = message.query.as_of
        if as_of is not None:
            extra.append(f"as of {as_of.display()}" + (f", {message.undated} undated" if message.undated else ""))
        self._extra = "; ".join(extra)
        self._set_lens()
        for note in message.notes:
            self.notify(one_line(note), title="Several actors match", markup=False, timeout=6)
        self._status()
        if not keys_waiting(self):
            # a new result is one move of the cursor, not a key held down: the side panes show
            # its event in the same frame as the rows (one layout of the screen, not two), and
            # after the lens above is set (the panes are filled once)
            self.current = self.shown = view.current_position

    @on(FilterFailed)
    def _filter_failed(self, message: FilterFailed) -> None:
        if message.query != self.filters:
            return
        self._stop_busy()
        self.notify(one_line(message.message), title="Filter not applied", severity="error", markup=False)
        self.filters = self._applied

    def _filtered_actors(self, query: Query) -> set[str]:
        """Actor ids the query's (non-negated) actor terms name."""
        ids: set[str] = set()
        for term in query.terms:
            if term.field == "actor" and not term.negate:
                try:
                    ids.update(resolve_actors(self.timeline, term)[0])
                except QueryError:
                    pass
        return ids

    def _status(self, busy: bool = False) -> None:
        positions = self.timeline_view.positions
        self.query_one(StatusBar).update(len(positions), len(self.timeline), self.filters,
                                         self._chip_actor_name, busy=busy, extra=self._extra,
                                         date_note=self._date_note,
                                         span=span_label(self.timeline, positions))

    def _chip_actor_name(self, value: str) -> str:
        """A chip names the actor, whichever way it was given: a picker's id, or the words
        typed in the query bar ("milei") when they name one actor."""
        if value in self.timeline.actors:
            return self.actor_label(value)
        ids = self.timeline.resolve_actor(value)
        return self.actor_label(ids[0]) if len(ids) == 1 else value

    def _date_window(self, query: Query) -> tuple[int, int] | None:
        """The density strip's buckets that the date terms of ``query`` cover."""
        d = self.density
        if not d.size:
            return None
        lo, hi = 0, d.size - 1
        bounded = False
        for term in query.terms:
            if term.negate or term.field not in ("from", "to", "date"):
                continue
            try:
                points = [parse_user_date(v) for v in term.values]
            except DateError:
                continue
            bounded = True
            if term.field in ("from", "date"):
                lo = max(lo, d.bucket_at_second(min(p.lower for p in points)))
            if term.field in ("to", "date"):
                hi = min(hi, d.bucket_at_second(max(p.upper for p in points)))
        return (lo, hi) if bounded else None

    @on(DensityStrip.Jump)
    def _strip_clicked(self, message: DensityStrip.Jump) -> None:
        self.go_to_second(message.second)

    @on(TimelineView.Highlighted)
    def _highlighted(self, message: TimelineView.Highlighted) -> None:
        self.current = message.position
        if not self._settling:
            self._settling = True
            self.call_after_refresh(self._settle)

    def _settle(self) -> None:
        """The side panes show the cursor's event once the cursor has settled: after the
        frame that drew it, when no key is waiting. A key answers with the cursor row alone
        (a few ms); held down, the panes (tens of ms, a layout of the screen) wait for it
        to be let go (issue 20). A screen replaced meanwhile (a reload with new filters, the
        app quitting) has no panes left to fill: its due settle does nothing."""
        if not self.is_attached or not self.query("#timeline"):
            self._settling = False
            return
        if keys_waiting(self) or self.timeline_view.current_position != self.current:
            # keys to come, or the cursor's last move still on its way up to this screen
            self.set_timer(1 / 60, self._settle)  # a frame later (a timer: never a busy loop)
            return
        self._settling = False
        self.shown = self.current
        if self._refill:  # a reload adopted: the panes show the event of the new version
            self._refill = False
            for name in ("detail", "actors", "quotes"):
                pane = self.pane(name)
                pane.mutate_reactive(type(pane).current)

    @on(TimelineView.Chosen)
    def _chosen(self) -> None:
        self.action_focus_pane("actors")

    @on(ActorPane.FilterToggled)
    def _toggle_actor(self, message: ActorPane.FilterToggled) -> None:
        term = make_term("actor", (message.actor_id,))
        self.filters = self.filters.without(term) if term in self.filters.terms else self.filters.add(term)

    @on(QuotePane.SpeakerRequested)
    def _speaker(self, message: QuotePane.SpeakerRequested) -> None:
        self._show_side("actors")
        self.pane("actors").show_actor(message.actor_id)

    @on(Chip.Removed)
    def _chip_removed(self, message: Chip.Removed) -> None:
        self.filters = self.filters.without(message.term)

    # --- search and query bar ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # typing in the bar: "/" is a character there, so the footer lists the bar's keys only
        if action == "search" and self.is_mounted and self.query_bar.input.has_focus:
            return False
        return super().check_action(action, parameters)

    def action_search(self) -> None:
        self._search = _Search(before=self.filters, base=self.filters.without_field("text"))
        current = " ".join(self.filters.values("text"))
        self.query_bar.open("search", current)

    def action_query_bar(self) -> None:
        self._search = None
        self.query_bar.open("query", str(self.filters))

    @on(QueryBar.Changed)
    def _bar_changed(self, message: QueryBar.Changed) -> None:
        if message.mode != "search" or self._search is None:
            return
        text = message.value.strip()
        base = self._search.base
        self.filters = base.add(make_term("text", (text,))) if text else base

    @on(QueryBar.Submitted)
    def _bar_submitted(self, message: QueryBar.Submitted) -> None:
        bar = self.query_bar
        if message.mode == "search":
            self._search = None
            bar.close()
            self.timeline_view.focus()
            return
        try:
            query = parse_query(message.value)
            check_dates(query)
            for term in query.terms:
                if term.field == "actor":
                    try:
                        resolve_actors(self.timeline, term)
                    except QueryError as exc:
                        exc.start, exc.end = term.span
                        raise
        except QueryError as exc:
            bar.show_error(_pointed(message.value, exc))
            return
        bar.close()
        self.filters = query
        self.timeline_view.focus()

    @on(QueryBar.Cancelled)
    def _bar_cancelled(self) -> None:
        if self._search is not None:
            self.filters = self._search.before  # as before "/", earlier searches included
            self._search = None
        self.query_bar.close()
        self.timeline_view.focus()

    # --- dialogs -----------------------------------------------------------------------------

    def action_pick_actors(self) -> None:
        if self.labels is None:  # every actor is listed: their labels now (or the worker's, waited for)
            self.labels = actor_labels(self.timeline)
        counts = self.timeline.actor_event_counts()
        items = sorted(((a.id, self.actor_label(a.id), counts.get(a.id, 0)) for a in self.timeline.actors.values()),
                       key=lambda item: (-item[2], item[1]))
        self._pick("actor", self._picker_title("actors"), items, self._filtered_actors(self.filters))

    def action_pick_tags(self) -> None:
        items = [(tag, tag, n) for tag, n in self.timeline.tag_counts().items()]
        self._pick("tag", self._picker_title("tags"), items, set(self.filters.values("tag")))

    def _picker_title(self, what: str) -> str:
        field_name = what[:-1]
        if self.filters.without_field(field_name).terms:
            return f"Filter by {what} (events under the other filters, of all)"
        return f"Filter by {what} (events each)"

    def _pick(self, field_name: str, title: str, items: list[tuple[str, str, int]], selected: set[str]) -> None:
        """A picker whose ticks replace every term of ``field_name`` with one OR term."""
        def apply(chosen: list[str] | None) -> None:
            if chosen is not None:
                terms = [make_term(field_name, tuple(chosen))] if chosen else []
                self.filters = self.filters.replacing([field_name], terms)

        picker = PickerScreen(title, items, selected)
        self.app.push_screen(picker, apply)
        base = self.filters.without_field(field_name)
        if base.terms:  # "3 of 12": counted under the other filters, in a thread
            self._count_within(picker, field_name, base, [value for value, *_ in items])

    @work(thread=True, group="facets", exclusive=True, exit_on_error=False)
    def _count_within(self, picker: PickerScreen, field_name: str, base: Query, values: list[str]) -> None:
        t = self.timeline
        try:
            positions = run(t, base, annotations=self.session.notes).positions
        except QueryError:
            return
        postings = t.actor_positions if field_name == "actor" else t.tag_positions
        counts = counts_within(values, postings, positions, len(t))
        self.app.call_from_thread(picker.set_within, counts)

    def action_date_range(self) -> None:
        def apply(answer: tuple[str, str, bool] | None) -> None:
            if answer is not None:  # from/to (possibly overlapping) or within (certainly inside)
                terms = [make_term(name, (v,)) for name, v in range_terms_values(*answer)]
                self.filters = self.filters.replacing(["from", "to", "date", "within"], terms)

        self.app.push_screen(DateRangeScreen(*dialog_fields(self.filters)), apply)

    def action_go_to_date(self) -> None:
        def go(point) -> None:
            if point is not None:
                self.go_to_second(point.lower)

        self.app.push_screen(GoToDateScreen(), go)

    def go_to_second(self, second: int) -> None:
        if not self.timeline_view.go_to_second(second):
            self.notify("No event on or after that date is shown: the cursor is on the last one.",
                        timeout=4)
        self.action_focus_pane("timeline")

    def go_to_event(self, position: int) -> None:
        """Cursor to an event, clearing the filters first if they hide it."""
        if not self.timeline_view.go_to_position(position):
            self.current = position
            self.filters = Query()
        self.action_focus_pane("timeline")

    # --- when it was known, disputes, swimlanes, story clock (issue 14) ---------------------

    def _set_lens(self) -> None:
        """Hand the panes what the applied query and the zone toggle say about dates."""
        anchor = self._applied.anchor
        lens = Lens(self._applied.as_of, self.timeline.position.get(anchor) if anchor else None, self._zone)
        self.timeline_view.set_lens(lens)
        self.pane("detail").set_lens(lens)
        self.pane("quotes").set_as_of(lens.upper, self._zone)
        if self.narrow:
            self._side_titles()  # the quotes tab counts those known as of the day

    def action_as_of(self, days: int) -> None:
        """Step the as-of day (starting from the highlighted event's first day)."""
        current = self.filters.as_of
        if current is None:
            position = self.timeline_view.current_position
            position = position if position is not None else self.timeline.first_dated()
            start = self.timeline.dates[position].start if position is not None else None
            if start is None:
                self.notify("No dated event to start the replay from.", markup=False)
                return
            day = _day_of(start.lower)
        else:
            day = _day_of(current.upper + days * 86400)  # from the last day an as-of month covers
        self.filters = self.filters.replacing(["asof"], [make_term("asof", (day,))])

    def action_anchor(self) -> None:
        """Anchor the story clock on the highlighted event (or take the anchor off)."""
        position = self.timeline_view.current_position  # the row under the cursor, now
        if position is None:
            return
        event_id = self.timeline.events[position].id
        if self.filters.anchor == event_id:
            self.filters = self.filters.without_field("anchor")
        else:
            self.filters = self.filters.replacing(["anchor"], [make_term("anchor", (event_id,))])

    def action_cycle_zone(self) -> None:
        self._zone = self._zones[(self._zones.index(self._zone) + 1) % len(self._zones)]
        self.notify(f"Times shown {'as stored' if self._zone.name == STORED else 'in ' + self._zone.name}"
                    " (dates without a time never move)", markup=False, timeout=3)
        self._set_lens()

    def action_choose_zone(self) -> None:
        def chosen(choice: ZoneChoice | None) -> None:
            if choice is not None:
                self._zones = self._zones[:2] + ([choice] if choice.zone is not None else [])
                self._zone = choice if choice.zone is not None else self._zones[0]
                self._set_lens()

        self.app.push_screen(ZoneScreen(self._zones[2].name if len(self._zones) > 2 else ""), chosen)

    def action_disputed(self) -> None:
        def back(position: int | None) -> None:
            if position is not None:
                self.go_to_event(position)

        self.app.push_screen(DisputedScreen(self.timeline, self.timeline_view.positions,
                                            self.pane("detail").lens), back)

    def action_swimlanes(self) -> None:
        def back(answer: tuple[str, str, str] | None) -> None:
            if answer is not None:
                actor, start, end = answer
                query = self.filters.replacing(["from", "to", "date", "within"],
                                               [make_term("from", (start,)), make_term("to", (end,))])
                self.filters = query.add(make_term("actor", (actor,)))

        picked = sorted(self._filtered_actors(self.filters))
        self.app.push_screen(SwimlaneScreen(self.timeline, self.timeline_view.positions, picked), back)

    def action_filter_pair(self, actor: str, other: str) -> None:
        """From "appears most often with" in the actor pane: the events of both."""
        self.filters = self.filters.add(make_term("actor", (actor,))).add(make_term("actor", (other,)))

    def _empty_message(self) -> str:
        """What to do about an empty list, said for where the keys go now."""
        return EMPTY_SEARCHING if self.query_bar.is_open else EMPTY

    def action_clear_filters(self) -> None:
        if not self.filters.terms:
            self.notify("No filters to clear.", timeout=2)
        self.filters = Query()

    def action_drop_last(self) -> None:
        if self.filters.terms:
            self.filters = Query(self.filters.terms[:-1])
        else:
            self.notify("No filters to drop.", timeout=2)

    def action_help(self) -> None:
        sections = [
            ("Filters and views", [b for b in self.BINDINGS if isinstance(b, Binding) and b not in ANNOTATION_BINDINGS]),
            ("Your notes, views and citations", ANNOTATION_BINDINGS),
            ("In the timeline", list(TimelineView.BINDINGS)),
        ]
        extra = [
            ("Enter (timeline)", "Look closer: focus the actors of the event"),
            ("Enter (actors)", "Toggle a filter on this actor"),
            ("Enter (quotes)", "Show the speaker in the actor pane"),
            ("j k g G", "In the event, actor, quote and help panes too: down, up, first, last"),
            ("Ctrl+P", "Command palette: filter by any actor, tag or label, go to an event or date, open a saved view, theme"),
            ("N", "Next event the last reload added or changed (files are followed as they change)"),
            ("Queries", "is:starred, has:note, has:label, label:NAME, and -is:starred to exclude; text search covers your notes"),
            ("q Ctrl+Q Ctrl+C", "Quit (Ctrl+C copies instead when text is selected)"),
            ("Mouse", "Click a row or pane; wheel scrolls; click the × of a filter chip to remove it; "
                      "click the density strip to go to that month"),
        ]
        legend = [("▶", "the cursor: the event the side panes show")]
        legend += [pair for marker in MARKERS for pair in marker.legend]
        if len(self.timeline.files) > 1:
            legend.append(("1 2 …", "after the marks: the file the event came from (listed below)"))
        legend += [("‹in quote›", "after a title: where a search matched, when not in the title"),
                   ("in", "quotes: where the quote was published"),
                   ("via", "quotes and sources: the outlet it is known through (a copy, a report of it)")]
        # the files are listed when rows number them (several open); one file needs no key, and
        # its path (which differs from one install to the next) would only push the keys down
        files = ([(f"file {i}", one_line(path)) for i, path in enumerate(self.timeline.files, 1)]
                 if len(self.timeline.files) > 1 else [])
        self.app.push_screen(HelpScreen(sections, extra, legend=legend, files=files))

    # --- panes -------------------------------------------------------------------------------

    def action_focus_pane(self, name: str) -> None:
        if name != "timeline":
            self._show_side(name)
        widget = self.pane(name)
        target = widget.option_list if isinstance(widget, ActorPane) else widget
        target.focus()

    def action_cycle_pane(self, step: int) -> None:
        """Tab order over the four panes, hidden ones included (at 80 columns the side
        panes share one slot, and Tab brings the next one into it)."""
        focused = self.focused
        current = 0
        for i, name in enumerate(PANES):
            pane = self.pane(name)
            if focused is not None and (focused is pane or pane in focused.ancestors):
                current = i
        self.action_focus_pane(PANES[(current + step) % len(PANES)])

    def action_back(self) -> None:
        if self.query_bar.is_open:
            self._bar_cancelled()
        elif panels := self.query("#reload-panel"):  # a file that no longer loads: read, dismissed
            panels.remove()
        else:
            self.timeline_view.focus()

    def _show_side(self, name: str) -> None:
        self._side = name
        for pane in ("detail", "actors", "quotes"):
            self.pane(pane).set_class(pane == name, "-shown")
        self._side_titles()

    def _side_titles(self) -> None:
        """Narrow: the shared slot's border shows the three panes as tabs; wide: each its own."""
        position = self.shown
        counts: dict[str, int | None] = {"detail": None, "actors": None, "quotes": None}
        if position is not None:
            counts["actors"] = len(set(self.timeline.events[position].actor_ids()))
            counts["quotes"] = len(known_quotes(self.timeline, position, self.pane("quotes").as_of))
        for pane, title in TITLES.items():
            self.pane(pane).border_title = tabs_title(pane, counts) if self.narrow else title

    def watch_shown(self) -> None:
        if self.is_mounted and self.narrow:
            self._side_titles()

    def on_descendant_focus(self, event) -> None:
        for name in ("detail", "actors", "quotes"):
            pane = self.pane(name)
            if event.widget is pane or pane in event.widget.ancestors:
                if name != self._side:
                    self._show_side(name)

    def on_resize(self, event) -> None:
        self.narrow = event.size.width < 100

    def watch_narrow(self, narrow: bool) -> None:
        self.set_class(narrow, "-narrow")
        self.refresh_bindings()  # the footer shows fewer keys when narrow
        self._show_side(self._side)


def filtered(timeline: Timeline, density: Density, query: Query, session: NotesSession,
             cancelled=lambda: False) -> Filtered | None:
    """The answer to ``query`` over ``timeline``, as the screen shows it (rows, headings,
    density counts); None when cancelled. Raises ``QueryError``. Run in a worker."""
    if density.timeline is not timeline:
        return None  # read while a reload was being adopted: its answer is of the new version
    result = run(timeline, query, annotations=session.notes, cancelled=cancelled)
    if cancelled():
        return None
    layout = compute_layout(timeline, result.positions)
    counts = density.counts(result.positions)
    return Filtered(query, result.positions, layout, counts, result.notes, result.within_words(),
                    result.undated, timeline)


_heap = {"frozen": False, "thawed": False}


def _freeze_heap() -> None:
    """Leave what is in memory once the timeline is shown (the timeline, its indexes, the
    screen) out of the garbage collector's full passes: each walked every object and every
    million-long list again, a stall of tens of ms (a 100k explorer: 280–430 ms wall seen
    under load) in the middle of a key or a filter. Once per process, for its first main
    screen: unfrozen when that screen goes or takes in another version (a reload), so an
    old version's cycles are freed, not kept; not frozen again (that would take a full pass
    first, in the middle of a reload)."""
    if _heap["frozen"] or _heap["thawed"]:
        return
    gc.freeze()
    _heap["frozen"] = True


def _freeze_more() -> None:
    """What the first screen built after its first result (the search text, the views'
    first reports: per timeline, and as long-lived) joins the frozen heap."""
    if _heap["frozen"] and not _heap["thawed"]:
        gc.freeze()


def _thaw_heap() -> None:
    if _heap["frozen"]:
        gc.unfreeze()
        _heap["frozen"], _heap["thawed"] = False, True


def _day_of(second: int) -> str:
    """The ISO day a second falls on (as-of steps are whole days)."""
    from datetime import date

    return date.fromordinal(second // 86400 + 1).isoformat()


def _pointed(text: str, exc: QueryError) -> str:
    """The error, with the query and a caret line under the bad term (measured in cells of
    the text as shown, so wide characters and made-visible controls keep it aligned)."""
    if exc.end <= exc.start:
        return str(exc)
    shown = visible_same_length(text)
    pad, width = cell_len(shown[:exc.start]), max(1, cell_len(shown[exc.start:exc.end]))
    return f"{exc}\n  {shown}\n  {' ' * pad}{'^' * width}"
