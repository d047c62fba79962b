"""Pilot tests for issue 14's views in the explorer: the as-of replay, first report and lag,
the disputed view, swimlanes, co-occurrence, the story clock and the two-mode date filter.
On the bundled dataset; expected sets come from the model where they could change with data."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from conftest import settle
from tui.model import parse_query, run
from tui.model.query import from_options
from tui.screens.disputed import DisputedScreen
from tui.screens.main import MainScreen
from tui.screens.swimlanes import SwimlaneScreen
from tui.screens.zone import ZoneScreen
from tui.widgets.actor_pane import ActorPane
from tui.widgets.swimlane_view import SwimlaneView
from tui.widgets.timeline_view import TimelineView

SIZE = (120, 40)
NARROW = (80, 24)


def text(widget) -> str:
    return str(widget.render())


def detail(app) -> str:
    return text(app.screen.query_one("#detail-body", Static))


def count(app) -> str:
    return text(app.screen.query_one("#count", Static))


def ids(app) -> list[str]:
    view = app.screen.query_one(TimelineView)
    return [app.timeline.events[p].id for p in view.positions]


async def go_to(app, pilot, event_id: str) -> None:
    app.screen.query_one(TimelineView).go_to_position(app.timeline.position[event_id])
    await settle(app, pilot)


def row_text(app, event_id: str) -> str:
    view = app.screen.query_one(TimelineView)
    index = list(view.positions).index(app.timeline.position[event_id])
    row = view.row_layout.row_of(index)
    strip = view._event_strip(view.positions[index], view.scrollable_content_region.width, view.rich_style,
                              False)
    assert row >= 0
    return "".join(segment.text for segment in strip)


# --- when it was known --------------------------------------------------------------------

async def test_the_event_pane_says_when_it_was_first_reported_and_rows_mark_late_and_early(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "milei-calls-maduro-criminal")
        assert "First report: 6 Sep 2024 by ANSA, reported 1 day later" in detail(app)
        assert "»" in row_text(app, "presidential-election")  # first reported 41 days later, by CNN
        assert "‼" in row_text(app, "icc-formal-note-due")  # reported 7 Sep for a note due 9 Sep
        assert "‼" not in row_text(app, "siege-begins") and "»" not in row_text(app, "siege-begins")


async def test_as_of_replays_the_siege_week_day_by_day(make_app):
    app = make_app(from_options(as_of="2024-09-05"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        expected = lambda day: [app.timeline.events[p].id for p in run(app.timeline, parse_query(f"asof:{day}")).positions]
        assert ids(app) == expected("2024-09-05")
        assert "siege-begins" not in ids(app)
        assert "as of 5 Sep 2024" in count(app)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert ids(app) == expected("2024-09-06") and "siege-begins" in ids(app)
        assert "venezuela-revokes-brazil-custody" not in ids(app)
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert "venezuela-revokes-brazil-custody" in ids(app)
        assert "as of 7 Sep 2024" in count(app)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert ids(app) == expected("2024-09-05")


async def test_as_of_hides_later_sources_and_quotes_and_keeps_undated_ones(make_app):
    app = make_app(from_options(as_of="2024-09-06"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "six-take-refuge")
        shown = detail(app)
        assert "published after 6 Sep 2024" in shown  # the 2025 sources are not shown
        assert "Caracas Chronicles" not in shown
        undated = run(app.timeline, parse_query("asof:2024-09-06")).undated
        assert (f"{undated} undated" in count(app)) if undated else "undated" not in count(app)
        quotes = app.screen.query_one("#quotes", OptionList)
        assert "has been in the embassy since March" not in " ".join(
            str(quotes.get_option_at_index(i).prompt) for i in range(quotes.option_count))


async def test_brackets_start_the_replay_at_the_highlighted_event(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "siege-begins")
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert app.screen.filters.as_of.display() == "6 Sep 2024"
        assert app.timeline.position["siege-begins"] == app.screen.query_one(TimelineView).current_position


# --- disputed -----------------------------------------------------------------------------

async def test_disputed_view_sets_both_sides_next_to_each_other(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DisputedScreen)
        from tui.model.stances import disputed_positions

        assert screen.positions == list(disputed_positions(app.timeline))
        listed = screen.query_one("#disputed-list", OptionList)
        assert listed.option_count == len(screen.positions) >= 1
        first = app.timeline.events[screen.positions[0]]
        assert first.title in text(screen.query_one("#disputed-head", Static))
        supports = text(screen.query_one("#supports", Static))
        assert supports.count("•") == sum(1 for r in first.source_refs() if r.stance != "disputes")
        await pilot.press("down")  # the second disputed event; Tab to the supporting side
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is screen.query_one("#side-supports")
        await pilot.press("enter")  # from a side too, Enter goes to the highlighted event
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(TimelineView).current_position == screen.positions[1]
        await pilot.press("D")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(TimelineView).current_position == screen.positions[1]  # Esc: where it was


async def test_is_disputed_in_the_query_bar(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("colon")
        app.screen.query_one("#query-bar Input", Input).value = "is:disputed"
        await pilot.press("enter")
        await settle(app, pilot)
        from tui.model.stances import disputed_positions

        assert ids(app) == [app.timeline.events[p].id for p in disputed_positions(app.timeline)]


# --- swimlanes and co-occurrence ----------------------------------------------------------

async def test_swimlanes_obey_the_filters_and_enter_filters_to_actor_and_period(make_app):
    app = make_app(from_options(actors=["omar-gonzalez"]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SwimlaneScreen)
        lanes = screen.lanes
        assert lanes.actors[0] == "omar-gonzalez"  # the filtered actor's lane comes first
        assert lanes.totals[0] == 5 and lanes.unit == "week"  # Mar 2024 to May 2025 fits by the week
        grid = screen.query_one(SwimlaneView)
        row = grid.cells(0)
        september = next(c for c in range(lanes.count) if lanes.label(c) == "week of 2 Sep 2024")
        assert row[september].sure == 2
        for _ in range(september):
            await pilot.press("right")
        await pilot.press("down", "up")
        await settle(app, pilot)
        assert "Omar González · week of 2 Sep 2024: 2 events" in text(screen.query_one("#lanes-status", Static))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert str(app.screen.filters) == "actor:omar-gonzalez from:2024-09-02 to:2024-09-08"
        assert ids(app) == ["power-cut-2024-09-06", "siege-begins"]


async def test_swimlanes_are_worked_out_off_the_event_loop(make_app, monkeypatch):
    """While the lanes are being counted (0.4 s at a million events) the screen says so and
    keys are answered: Escape goes back at once, and the late lanes are dropped."""
    import threading

    from tui.screens import swimlanes

    release = threading.Event()
    real = swimlanes.Lanes

    def slow_lanes(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(swimlanes, "Lanes", slow_lanes)
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SwimlaneScreen) and screen.lanes is None
        assert "Swimlanes: counting the actors of" in text(screen.query_one("#lanes-title", Static))
        await pilot.press("enter")  # nothing drawn yet: nothing to choose, no error
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        release.set()
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


async def test_swimlanes_scroll_a_long_list_virtually(make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        grid = app.screen.query_one(SwimlaneView)
        await pilot.press("end")
        await settle(app, pilot)
        assert grid.row == len(app.screen.lanes) - 1
        assert grid.scroll_offset.y > 0
        assert len(grid._rows) < len(app.screen.lanes)  # only the rows drawn were computed
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_appears_most_often_with_filters_on_both(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "power-cut-2024-09-06")
        pane = app.screen.query_one(ActorPane)
        profile = text(pane.query_one("#actor-info", Static))
        assert "Appears most often with: Opposition asylees in the Argentine residence 4" in profile
        # each name is a link: what a click runs is the span's @click action
        content = pane.appears_with("omar-gonzalez")
        links = {content.plain[span.start:span.end]: span.style.meta["@click"] for span in content.spans
                 if not isinstance(span.style, str) and "@click" in span.style.meta}
        assert links["Pedro Urruchurtu"] == "screen.filter_pair('omar-gonzalez', 'pedro-urruchurtu')"
        await app.run_action(links["Pedro Urruchurtu"])
        await settle(app, pilot)
        expected = run(app.timeline, parse_query("actor:omar-gonzalez actor:pedro-urruchurtu")).positions
        assert ids(app) == [app.timeline.events[p].id for p in expected]


# --- story clock ----------------------------------------------------------------------------

async def test_anchor_key_counts_dates_from_the_highlighted_event(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "siege-begins")
        await pilot.press("at")
        await settle(app, pilot)
        assert app.screen.filters.anchor == "siege-begins"
        assert "D  from D = 6 Sep 2024" in detail(app)
        assert "D+78 days" in row_text(app, "second-siege")
        assert "D, same month" not in row_text(app, "second-siege")
        await go_to(app, pilot, "venezuela-revokes-brazil-custody")
        assert "D+1 day" in detail(app)
        await pilot.press("at")  # another event: the anchor moves
        await settle(app, pilot)
        assert app.screen.filters.anchor == "venezuela-revokes-brazil-custody"
        await pilot.press("at")  # the same one again: off
        await settle(app, pilot)
        assert app.screen.filters.anchor is None and "from D =" not in detail(app)


async def test_zone_toggle_shifts_only_times_with_an_offset(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "siege-begins")
        await pilot.press("z")
        await pilot.pause()
        assert "In UTC: 7 Sep 2024 00:00–00:30 UTC" in detail(app)
        await go_to(app, pilot, "power-cut-2024-09-06")
        assert "no time of day, so never shifted" in detail(app)
        await pilot.press("Z")
        await pilot.pause()
        assert isinstance(app.screen, ZoneScreen)
        field = app.screen.query_one(Input)
        field.value = "Nowhere/Atlantis"
        await pilot.press("enter")
        await pilot.pause()
        assert "unknown time zone" in text(app.screen.query_one("#date-error", Static))
        field.value = "Europe/Madrid"
        await pilot.press("enter")
        await pilot.pause()
        await go_to(app, pilot, "siege-begins")
        assert "In Europe/Madrid: 7 Sep 2024 02:00–02:30 CEST" in detail(app)
        await pilot.press("z")  # Madrid -> as stored
        await pilot.pause()
        assert "In " not in detail(app).split("\n")[1]


async def test_zone_shifts_every_time_of_day_shown_and_never_a_bare_date(make_app):
    """z moves the times in the rows, the first report, the sources and the quotes; dates
    without a time, and times stored without a zone, stay as stored."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "siege-begins")
        assert "6 Sep 20:00–20:30" in row_text(app, "siege-begins")
        await pilot.press("z")  # as stored -> UTC
        await settle(app, pilot)
        view = app.screen.query_one(TimelineView)
        assert view.border_subtitle == "times in UTC"
        assert "7 Sep 00:00–00:30" in row_text(app, "siege-begins")
        assert "7 Sep 10:30" in row_text(app, "meda-reports-siege-continues")  # 06:30 -04:00
        assert " 6 Sep " in row_text(app, "power-cut-2024-09-06")  # a day: never shifted
        body = detail(app)
        assert "First report: 7 Sep 2024 00:30 UTC by X (Pedro Urruchurtu)" in body
        assert "(7 Sep 2024 00:30 UTC)" in " ".join(body.split())  # the post among the sources
        quotes = "\n".join(str(o.prompt) for o in app.screen.query_one("#quotes").options)
        assert "said 7 Sep 2024 00:30 UTC" in quotes and "said 6 Sep 2024 20:30" not in quotes
        await pilot.press("z")  # UTC -> as stored (no zone chosen)
        await settle(app, pilot)
        assert view.border_subtitle == "" and "6 Sep 20:00–20:30" in row_text(app, "siege-begins")


def test_disputed_claims_show_their_times_in_the_chosen_zone():
    from tui.model.clock import ZoneChoice
    from tui.model.dates import parse_edtf
    from tui.model.stances import Claim
    from tui.screens.disputed import claim_lines

    timed = Claim("s", "A post", "X", parse_edtf("2024-09-06T20:30-04:00"), None, "disputes", "")
    day = Claim("t", "An article", "CNN", parse_edtf("2024-09-07"), None, "disputes", "")
    assert "7 Sep 2024 02:30 CEST" in str(claim_lines(timed, ZoneChoice("Europe/Madrid"))[1])
    assert "6 Sep 2024 20:30 -04:00" in str(claim_lines(timed)[1])
    assert "7 Sep 2024" == str(claim_lines(day, ZoneChoice("Europe/Madrid"))[1]).strip()


# --- within ----------------------------------------------------------------------------------

async def test_within_counts_what_only_possibly_falls_in_the_range(make_app):
    app = make_app(from_options(within=["2024"]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        result = run(app.timeline, parse_query("within:2024"))
        assert len(ids(app)) == len(result.positions)
        note = text(app.screen.query_one("#chips-note", Static))
        assert note == f"({result.within_words()})" and "more possibly" in note  # by the date chip


async def test_date_dialog_switches_between_overlapping_and_within(make_app):
    """d, a range, Ctrl+T: only the events certainly inside; the note by the chips says what
    the other mode would add; the dialog opens again in the mode in force, and Space on the
    switch goes back."""
    from tui.screens.dialogs import DateRangeScreen
    from textual.widgets import Checkbox

    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        note = lambda: text(app.screen.query_one("#chips-note", Static))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DateRangeScreen)
        app.screen.query_one("#date-from", Input).value = "2024"
        app.screen.query_one("#date-to", Input).value = "2024"
        await pilot.press("enter")
        await settle(app, pilot)
        overlapping = run(app.timeline, parse_query("from:2024 to:2024"))
        assert ids(app) == [app.timeline.events[p].id for p in overlapping.positions]
        assert note() == "(24 within, 1 only possibly)"
        await pilot.press("d")
        await pilot.pause()
        assert "possibly overlap" in text(app.screen.query_one("#date-title"))
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen.query_one("#date-within", Checkbox).value
        assert "certainly within" in text(app.screen.query_one("#date-title"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(app.screen.filters) == "within:2024"
        assert note() == "(24 within, 1 more possibly)" and len(ids(app)) == 24
        await pilot.press("d")
        await pilot.pause()
        switch = app.screen.query_one("#date-within", Checkbox)
        assert switch.value and app.screen.query_one("#date-from", Input).value == "2024"
        await pilot.press("tab", "tab")
        assert app.focused is switch
        await pilot.press("space")
        await pilot.press("enter")  # Enter on the switch applies, as from the fields
        await settle(app, pilot)
        assert str(app.screen.filters) == "from:2024 to:2024"


async def test_a_within_range_shows_as_one_chip(make_app):
    app = make_app(parse_query("within:2024-09-02/2024-09-08"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        chips = [text(c) for c in app.screen.query(".chip")]
        assert chips == ["within 2024-09-02 – 2024-09-08 ×"]
        assert text(app.screen.query_one("#chips-note", Static)).startswith("(12 within, ")


async def test_the_quotes_tab_counts_only_the_quotes_known_as_of_the_day(make_app):
    """At 80 columns the side panes are tabs: as of 6 Sep the siege has 1 quote, not 3."""
    app = make_app(from_options(as_of="2024-09-06"))
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "siege-begins")
        assert "4 Quotes (1)" in str(app.screen.query_one("#detail").border_title)
        assert app.timeline.quote_count(app.timeline.position["siege-begins"]) == 3
        app.screen.filters = app.screen.filters.without_field("asof")
        await settle(app, pilot)
        assert "4 Quotes (3)" in str(app.screen.query_one("#detail").border_title)
