"""Pilot tests for the explorer: navigation, linked panes, every filter path, dialogs, the
command palette, the command line, empty results, help, mouse, narrow layout and loading.

Expected results are read from the bundled dataset (through the model) wherever a number
could change with the data; a few facts of the story itself (Omar González is in five
events, the siege was on the night of 6 Sep 2024) are asserted literally.
"""

from __future__ import annotations

import re
import threading

import pytest
from textual import events
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList, SelectionList, Static

from conftest import settle
from tui.app import TimelineApp
from tui.model import Query, parse_query, run
from tui.store import bundled_path
from tui.model.query import from_options
from tui.screens.dialogs import DateRangeScreen, GoToDateScreen, PickerScreen
from tui.screens.help import HelpScreen
from tui.screens.loading import LoadingScreen
from tui.screens.main import MainScreen
from tui.widgets.density_strip import DensityStrip
from tui.widgets.status_bar import Chip, StatusBar
from tui.widgets.timeline_view import TimelineView

SIZE = (120, 40)
NARROW = (80, 24)
SIEGE = "siege-begins"            # Security forces besiege the Argentine embassy residence (6 Sep 2024, night)
POWER_CUT = "power-cut-2024-09-06"  # Electricity to the residence cut during the siege (Omar González's post)
REFUGE = "six-take-refuge"        # the first event; its only quote is CNN's, and CNN is not an actor of it


# --- helpers -------------------------------------------------------------------------------

def text(widget) -> str:
    """A Static's content as plain text (Static.render() is a Content in 8.2.8)."""
    return str(widget.render())


def view(app) -> TimelineView:
    return app.screen.query_one(TimelineView)


def count(app) -> str:
    return text(app.screen.query_one("#count", Static))


def chips(app) -> list[str]:
    return [text(c) for c in shown_chips(app)]


def shown_chips(app) -> list[Chip]:
    """The chips on the screen (the status bar keeps unused ones mounted, hidden, for reuse)."""
    return app.screen.query_one(StatusBar).chips()


def detail(app) -> str:
    return text(app.screen.query_one("#detail-body", Static))


def actor_list(app) -> OptionList:
    return app.screen.query_one("#actor-list", OptionList)


def actor_ids(app) -> list[str]:
    return [o.id for o in actor_list(app).options]


def actor_info(app) -> str:
    return text(app.screen.query_one("#actor-info", Static))


def quotes(app) -> list[str]:
    """Each quote's text as shown, its lines joined again (sources wrap with a hanging indent)."""
    return [re.sub(r"\n +", " ", str(o.prompt)) for o in app.screen.query_one("#quotes", OptionList).options]


def rows(app) -> list[str]:
    """Every rendered row of the timeline pane (only the visible ones exist)."""
    tv = view(app)
    return [tv.render_line(y).text for y in range(tv.scrollable_content_region.height)]


def cursor_row(app) -> str:
    [row] = [r for r in rows(app) if r.startswith("▶")]
    return row


def pos(timeline, event_id: str) -> int:
    return next(i for i, e in enumerate(timeline.events) if e.id == event_id)


def shown(timeline, query: str | Query) -> list[int]:
    """What the model says a query shows: the explorer must agree."""
    q = parse_query(query) if isinstance(query, str) else query
    return list(run(timeline, q).positions)


def of_total(n: int, timeline) -> str:
    """The header's count: "N of M events" under a filter, "M events" without."""
    return f"{n} of {len(timeline)} events" if n != len(timeline) else f"{n} events"


def assert_applied(app, timeline, query: str, n: int, chip_texts: list[str] | None = None) -> None:
    """The main screen runs ``query``: its filters read so, the count says ``n`` events (and
    the chips are these, when given)."""
    assert isinstance(app.screen, MainScreen)
    assert str(app.screen.filters) == query
    assert count(app) == of_total(n, timeline)
    if chip_texts is not None:
        assert chips(app) == chip_texts


async def highlight_actor_of_the_siege(app, pilot, timeline, actor_id: str) -> None:
    """Cursor on the siege event, focus in the actor pane (key 3), that actor highlighted."""
    await move_to(app, pilot, pos(timeline, SIEGE))
    await pilot.press("3")
    await highlight_option(pilot, actor_list(app), actor_id)


async def move_to(app, pilot, position: int) -> None:
    """Put the cursor on an event (set-up only: keyboard navigation has its own tests, and
    every simulated key costs ~0.1 s)."""
    tv = view(app)
    tv.cursor = list(tv.positions).index(position)
    await pilot.pause()
    assert tv.current_position == position


async def fill(app, pilot, selector: str, value: str) -> None:
    """Set an Input's text in one go (set-up only; typing itself is tested where it matters)."""
    app.screen.query_one(selector, Input).value = value
    await pilot.pause()


async def highlight_option(pilot, option_list: OptionList, option_id: str) -> None:
    """Move an OptionList's highlight onto an option with the arrow keys."""
    target = [o.id for o in option_list.options].index(option_id)
    current = option_list.highlighted or 0
    key = "down" if target > current else "up"
    await pilot.press(*[key] * abs(target - current))
    await pilot.pause()
    assert option_list.highlighted_option.id == option_id


@pytest.fixture
async def explorer(make_app):
    """An explorer on the bundled dataset at 120x40, settled; yields (app, pilot)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        yield app, pilot
    assert app.return_code in (None, 0)


# --- start-up ----------------------------------------------------------------------------

async def test_opens_on_the_whole_timeline(explorer, timeline):
    app, pilot = explorer
    assert isinstance(app.screen, MainScreen)
    assert count(app) == of_total(len(timeline), timeline) == "28 events"
    assert chips(app) == []
    assert app.focused is view(app)
    assert view(app).cursor == 0
    assert rows(app)[0].strip() == "March 2024"
    assert cursor_row(app).startswith("▶ 20–21 Mar")
    assert "Magalli M" in cursor_row(app) and cursor_row(app).rstrip().endswith("+7")  # compact actors: the first, then how many more
    assert timeline.title in text(app.screen.query_one("#title", Static))


# --- navigation ----------------------------------------------------------------------------

async def test_down_up_j_k_move_the_cursor(explorer):
    app, pilot = explorer
    tv = view(app)
    for key, expected in [("down", 1), ("j", 2), ("j", 3), ("k", 2), ("up", 1), ("up", 0), ("up", 0)]:
        await pilot.press(key)
        assert tv.cursor == expected, key
        assert tv.current_position == expected
    tv.cursor = 26
    await pilot.press("j", "j", "down")
    assert tv.cursor == 27  # stops at the last event
    await pilot.pause()
    assert cursor_row(app).startswith("▶ 9 Jan")


async def test_headings_are_skipped(explorer, timeline):
    """The last event of March, then Down: the cursor lands on 28 Jul, not on 'July 2024'."""
    app, pilot = explorer
    await pilot.press("j", "j", "j")
    assert cursor_row(app).startswith("▶ 26 Mar")
    await pilot.press("down")
    await pilot.pause()
    assert view(app).cursor == 4
    all_rows = rows(app)
    here = all_rows.index(cursor_row(app))
    assert cursor_row(app).startswith("▶ 28 Jul")
    assert all_rows[here - 1].strip() == "July 2024"
    assert "Presidential election" in detail(app)
    await pilot.press("up")
    await pilot.pause()
    assert cursor_row(app).startswith("▶ 26 Mar")


async def test_home_end_g_G(explorer, timeline):
    app, pilot = explorer
    tv = view(app)
    last = len(timeline) - 1
    for key, expected in [("end", last), ("home", 0), ("G", last), ("g", 0)]:
        await pilot.press(key)
        await pilot.pause()
        assert tv.cursor == expected, key
    await pilot.press("G")
    await pilot.pause()
    assert timeline.events[last].title in detail(app)
    assert cursor_row(app).startswith("▶ 9 Jan")  # scrolled into view
    # the whole timeline fits in the pane at 120x40: a page down is the end
    await pilot.press("pageup")
    assert tv.cursor == 0
    await pilot.press("pagedown")
    assert tv.cursor == last


async def test_pagedown_pageup_and_wheel(make_app):
    """At 80x24 the timeline shows 8 rows, so a page is less than the 28 events."""
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        tv = view(app)
        page = tv.scrollable_content_region.height - 2
        assert 0 < page < 13
        await pilot.press("pagedown")
        assert tv.cursor == page
        await pilot.press("pagedown")
        assert tv.cursor == 2 * page
        await pilot.pause()
        assert cursor_row(app)  # the cursor row was scrolled into view
        await pilot.press("pageup")
        assert tv.cursor == page
        await pilot.press("pageup", "pageup")
        assert tv.cursor == 0
        # the mouse wheel scrolls
        assert tv.scroll_offset.y == 0
        await pilot._post_mouse_events([events.MouseScrollDown], "#timeline", offset=(5, 3))
        await pilot._post_mouse_events([events.MouseScrollDown], "#timeline", offset=(5, 3))
        assert tv.scroll_offset.y > 0
        assert not rows(app)[1].strip().startswith("20–21 Mar")  # the first event scrolled away
        assert rows(app)[0].strip() == "March 2024"  # under its month's heading, pinned at the top


# --- linked panes ----------------------------------------------------------------------------

async def test_moving_the_cursor_updates_every_pane_at_once(explorer, timeline):
    app, pilot = explorer
    siege = pos(timeline, SIEGE)
    await move_to(app, pilot, siege)
    # detail: date (minute precision, offset and the source's words), title, place, tags, sources
    body = detail(app)
    assert body.startswith("6 Sep 2024 20:00–20:30 -04:00")
    assert "“on Friday”" in body
    assert "Security forces besiege the Argentine embassy residence" in body
    assert "Place: Argentine embassy residence, Las Mercedes, Caracas" in body
    assert "Tags: siege" in body
    assert "Confidence: confirmed" in body
    assert f"Sources ({len(timeline.events[siege].sources)})" in body
    assert "• X: Pedro Urruchurtu on X" in body
    assert "via bldlc.tdvxyc.com" in body
    # actors, with their roles, in the event's order
    assert actor_ids(app) == timeline.events[siege].actor_ids()
    prompts = [str(o.prompt) for o in actor_list(app).options]
    assert any("Omar González — reported the power cut on X" in p for p in prompts)
    assert any("Pedro Urruchurtu — reported the siege on X" in p for p in prompts)
    # quotes: who said what, and where it was published
    said = quotes(app)
    assert len(said) == 3
    urruchurtu = next(q for q in said if "Patrullas del Sebin y del Daet" in q)
    assert "— Pedro Urruchurtu, said 6 Sep 2024 20:30 -04:00" in urruchurtu
    assert "in X: Pedro Urruchurtu on X" in urruchurtu
    assert "via bldlc.tdvxyc.com" in urruchurtu
    vente = next(q for q in said if "We hold Nicolás Maduro responsible" in q)
    assert "— Vente Venezuela" in vente and "via CNN: Venezuelan security forces surround" in vente
    # the density strip follows the cursor too
    assert app.screen.query_one(DensityStrip).current == siege

    # one key later, all four show the power-cut event (Omar González's post)
    await pilot.press("k")
    await pilot.pause()
    assert view(app).current_position == pos(timeline, POWER_CUT)
    assert "Electricity to the residence cut during the siege" in detail(app)
    assert "Security forces besiege" not in detail(app)
    assert actor_ids(app) == timeline.events[pos(timeline, POWER_CUT)].actor_ids()
    [omar] = quotes(app)
    assert "They cut off the electricity service" in omar
    assert "— Omar González, said 6 Sep 2024" in omar
    assert "in X: Omar González on X" in omar
    assert "via CNN:" in omar and "ksltv.com" in omar
    assert app.screen.query_one(DensityStrip).current == pos(timeline, POWER_CUT)
    # an event without quotes says so
    await move_to(app, pilot, 1)
    assert timeline.quotes_for(timeline.events[1].id) == []
    assert quotes(app) == ["No quotes for this event."]


async def test_actor_pane_shows_the_highlighted_actors_profile(explorer, timeline):
    app, pilot = explorer
    await highlight_actor_of_the_siege(app, pilot, timeline, "omar-gonzalez")
    info = actor_info(app)
    assert info.startswith("Omar González  person")
    assert "Also: Omar González Moreno" in info
    assert "Part of: Vente Venezuela" in info
    assert "In 5 events, first 20–21 Mar 2024, last 6 May 2025; 1 quote" in info


# --- focus ------------------------------------------------------------------------------------

async def test_tab_number_keys_escape_and_enter_move_focus(explorer):
    app, pilot = explorer
    screen = app.screen
    order = [screen.query_one("#detail"), actor_list(app), screen.query_one("#quotes"), view(app)]
    for widget in order:
        await pilot.press("tab")
        assert app.focused is widget
    for widget in reversed(order[:-1]):
        await pilot.press("shift+tab")
        assert app.focused is widget
    for key, widget in [("3", actor_list(app)), ("4", screen.query_one("#quotes")),
                        ("2", screen.query_one("#detail")), ("1", view(app))]:
        await pilot.press(key)
        assert app.focused is widget, key
    await pilot.press("4", "escape")
    assert app.focused is view(app)
    # Enter on an event: look closer at its actors
    await pilot.press("j", "enter")
    assert app.focused is actor_list(app)
    assert actor_list(app).highlighted == 0


# --- actor pane and quote pane actions ------------------------------------------------------

async def test_an_actor_listed_several_times_in_an_event_shows_once_with_each_role_once(make_app, tmp_path):
    from helpers_model import doc, write
    from tui.store import load

    d = doc()
    d["events"][0]["actors"] = [{"actor": "ana", "role": "host"}, {"actor": "ana", "role": "speaker"}, "ana",
                                {"actor": "ana", "role": "host"}, "party"]
    app = make_app(data=load(write(tmp_path / "t.json", d)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await move_to(app, pilot, app.screen.timeline.position["first"])
        prompts = [str(o.prompt) for o in actor_list(app).options]
    assert [p[2:].split("  ")[0] for p in prompts] == ["Ana Núñez — host; speaker", "The Party"]  # after the mark


async def test_enter_in_the_actor_pane_toggles_an_actor_filter(explorer, timeline):
    app, pilot = explorer
    await highlight_actor_of_the_siege(app, pilot, timeline, "omar-gonzalez")
    await pilot.press("enter")
    await settle(app, pilot)
    assert count(app) == of_total(5, timeline)
    assert chips(app) == ["actor: Omar González ×"]
    assert list(view(app).positions) == list(timeline.actor_positions("omar-gonzalez"))
    assert view(app).current_position == pos(timeline, SIEGE)  # the cursor stays on the event
    marked = [str(o.prompt) for o in actor_list(app).options if str(o.prompt).startswith("●")]
    assert marked == ["● Omar González — reported the power cut on X  person"]
    # again (on the same actor) removes it
    await highlight_option(pilot, actor_list(app), "omar-gonzalez")
    await pilot.press("enter")
    await settle(app, pilot)
    assert count(app) == of_total(28, timeline)
    assert chips(app) == []
    assert not any(str(o.prompt).startswith("●") for o in actor_list(app).options)


async def test_enter_twice_in_the_actor_pane_removes_the_filter_again(explorer, timeline):
    app, pilot = explorer
    await highlight_actor_of_the_siege(app, pilot, timeline, "omar-gonzalez")
    await pilot.press("enter")
    await settle(app, pilot)
    assert actor_list(app).highlighted_option.id == "omar-gonzalez"
    await pilot.press("enter")
    await settle(app, pilot)
    assert chips(app) == []
    assert count(app) == of_total(28, timeline)


async def test_enter_on_a_quote_shows_its_speaker(explorer, timeline):
    app, pilot = explorer
    await move_to(app, pilot, pos(timeline, SIEGE))
    await pilot.press("4")
    quote_list = app.screen.query_one("#quotes", OptionList)
    await highlight_option(pilot, quote_list, "urruchurtu-siege-post")
    await pilot.press("enter")
    await pilot.pause()
    assert app.focused is actor_list(app)
    assert actor_list(app).highlighted_option.id == "pedro-urruchurtu"
    assert actor_info(app).startswith("Pedro Urruchurtu  person")
    assert chips(app) == []  # showing the speaker is not filtering on them
    # a quote by someone who is not an actor of the event: added to the list as "speaker"
    refuge = pos(timeline, REFUGE)
    assert "cnn" not in timeline.events[refuge].actor_ids()
    await move_to(app, pilot, refuge)
    await pilot.press("4", "enter")
    await pilot.pause()
    assert actor_list(app).highlighted_option.id == "cnn"
    assert "CNN — speaker" in str(actor_list(app).highlighted_option.prompt)
    assert actor_info(app).startswith("CNN  organization")


# --- / live text search ----------------------------------------------------------------------

async def test_slash_search_is_live_and_enter_keeps_it(explorer, timeline):
    app, pilot = explorer
    bar = app.screen.query_one("#query-bar")
    await pilot.press("slash")
    assert bar.is_open and app.focused is app.screen.query_one("#query-input", Input)
    await pilot.press(*"besiege")
    await settle(app, pilot)
    expected = shown(timeline, "besiege")
    assert 0 < len(expected) < len(timeline)
    assert list(view(app).positions) == expected  # narrowed before Enter
    assert count(app) == of_total(len(expected), timeline)
    assert chips(app) == ["“besiege” ×"]
    await pilot.press("enter")
    await settle(app, pilot)
    assert not bar.is_open
    assert app.focused is view(app)
    assert_applied(app, timeline, "besiege", len(expected))


async def test_slash_search_escape_restores_the_previous_filters(make_app, timeline):
    app = make_app(from_options(actors=["omar-gonzalez"]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert count(app) == of_total(5, timeline)
        await pilot.press("slash")
        await fill(app, pilot, "#query-input", "electricity")
        await settle(app, pilot)
        narrowed = shown(timeline, "actor:omar-gonzalez electricity")
        assert count(app) == of_total(len(narrowed), timeline) and len(narrowed) < 5
        await pilot.press("escape")
        await settle(app, pilot)
        assert not app.screen.query_one("#query-bar").is_open
        assert_applied(app, timeline, "actor:omar-gonzalez", 5, ["actor: Omar González ×"])
        # a search that was kept survives a later "/" that is escaped
        await pilot.press("slash")
        await fill(app, pilot, "#query-input", "besiege")
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(app.screen.filters) == "actor:omar-gonzalez besiege"
        await pilot.press("slash")
        assert app.screen.query_one("#query-input", Input).value == "besiege"
        await fill(app, pilot, "#query-input", "besiege more")
        await settle(app, pilot)
        assert count(app) == of_total(0, timeline)
        await pilot.press("escape")
        await settle(app, pilot)
        assert_applied(app, timeline, "actor:omar-gonzalez besiege", len(shown(timeline, "actor:omar-gonzalez besiege")))


# --- a: actor picker ----------------------------------------------------------------------------

async def test_actor_picker_type_to_narrow_and_enter_takes_the_only_match(explorer, timeline):
    app, pilot = explorer
    # Escape changes nothing
    await pilot.press("a")
    await fill(app, pilot, "#picker-filter", "omar")
    await pilot.press("escape")
    await settle(app, pilot)
    assert isinstance(app.screen, MainScreen) and not app.screen.filters
    # typed for real this time
    await pilot.press("a")
    assert isinstance(app.screen, PickerScreen)
    await pilot.press(*"omar")
    await pilot.pause()
    picker = app.screen.query_one(SelectionList)
    labels = [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)]
    assert labels == ["Omar González  5"]  # with its event count
    assert text(app.screen.query_one("#picker-status", Static)).startswith("1 match · 0 ticked")
    await pilot.press("enter")
    await settle(app, pilot)
    assert_applied(app, timeline, "actor:omar-gonzalez", 5, ["actor: Omar González ×"])


async def test_actor_picker_ticks_several_into_one_or_term(explorer, timeline):
    app, pilot = explorer
    await pilot.press("a", *"gonz")
    await pilot.pause()
    picker = app.screen.query_one(SelectionList)
    assert picker.option_count == 2
    await pilot.press("down")  # into the list
    assert app.focused is picker
    await pilot.press("space", "down", "space")
    await pilot.pause()
    assert sorted(picker.selected) == ["edmundo-gonzalez", "omar-gonzalez"]
    assert "2 ticked" in text(app.screen.query_one("#picker-status", Static))
    await pilot.press("enter")
    await settle(app, pilot)
    terms = app.screen.filters.terms
    assert len(terms) == 1 and terms[0].field == "actor"
    assert set(terms[0].values) == {"edmundo-gonzalez", "omar-gonzalez"}
    expected = sorted(set(timeline.actor_positions("edmundo-gonzalez")) | set(timeline.actor_positions("omar-gonzalez")))
    assert list(view(app).positions) == expected
    assert count(app) == of_total(len(expected), timeline)
    assert chips(app) == ["actor: Edmundo González or Omar González ×"]


async def test_actor_picker_enter_with_several_matches_takes_the_highlighted_one(explorer):
    """Nothing ticked and two matches: Enter applies the highlighted (first) match."""
    app, pilot = explorer
    await pilot.press("a")
    await fill(app, pilot, "#picker-filter", "gonzalez")
    picker = app.screen.query_one(SelectionList)
    assert picker.option_count == 2
    first = picker.get_option_at_index(0).value
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, MainScreen)
    assert str(app.screen.filters) == f"actor:{first}"


# --- t: tag picker -------------------------------------------------------------------------------

async def test_tag_picker(explorer, timeline):
    app, pilot = explorer
    await pilot.press("t")
    assert isinstance(app.screen, PickerScreen)
    await pilot.press(*"sieg")
    await pilot.pause()
    picker = app.screen.query_one(SelectionList)
    assert [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)] == [
        f"siege  {timeline.tag_counts()['siege']}"]
    await pilot.press("enter")
    await settle(app, pilot)
    assert str(app.screen.filters) == "tag:siege"
    assert list(view(app).positions) == list(timeline.tag_positions("siege"))
    assert chips(app) == ["tag: siege ×"]


# --- d: date range ---------------------------------------------------------------------------------

async def test_date_range_narrows(explorer, timeline):
    app, pilot = explorer
    await pilot.press("d")
    assert isinstance(app.screen, DateRangeScreen)
    await fill(app, pilot, "#date-from", "2024-09")  # typed key by key in the user journey
    await pilot.press("tab")
    assert app.focused is app.screen.query_one("#date-to", Input)
    await fill(app, pilot, "#date-to", "2024-09-30")
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, MainScreen)
    expected = shown(timeline, "from:2024-09 to:2024-09-30")
    assert list(view(app).positions) == expected
    assert all("Sep 2024" in timeline.dates[p].display() for p in expected)
    assert count(app) == of_total(len(expected), timeline) == "13 of 28 events"
    assert chips(app) == ["from 2024-09 ×", "to 2024-09-30 ×"]
    # the dialog opens again with the range in force
    await pilot.press("d")
    assert app.screen.query_one("#date-from", Input).value == "2024-09"
    assert app.screen.query_one("#date-to", Input).value == "2024-09-30"
    await pilot.press("escape")


async def test_date_range_accepts_the_cli_date_forms(explorer, timeline):
    app, pilot = explorer
    await pilot.press("d")
    await fill(app, pilot, "#date-from", "6 Sep 2024")
    await fill(app, pilot, "#date-to", "Sep 2024")
    await pilot.press("enter")
    await settle(app, pilot)
    assert list(view(app).positions) == shown(timeline, 'from:"6 Sep 2024" to:"Sep 2024"')
    assert chips(app) == ["from 6 Sep 2024 ×", "to Sep 2024 ×"]


async def test_bad_date_shows_an_inline_error_and_keeps_the_old_filters(make_app, timeline):
    app = make_app(parse_query("tag:icc"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = count(app)
        await pilot.press("d")
        await fill(app, pilot, "#date-from", "31 June 2024")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DateRangeScreen)  # still open, to fix the date
        error = text(app.screen.query_one("#date-error", Static))
        assert "31 June 2024" in error and "not a date" in error
        assert app.focused is app.screen.query_one("#date-from", Input)
        # a bad "to" date: its own message, and the cursor goes to that field
        await fill(app, pilot, "#date-from", "2024-09")
        await fill(app, pilot, "#date-to", "2024-02-30")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DateRangeScreen)
        assert text(app.screen.query_one("#date-error", Static)).startswith("to:")
        assert app.focused is app.screen.query_one("#date-to", Input)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert str(app.screen.filters) == "tag:icc"
        assert count(app) == before


async def test_reversed_date_range_is_refused(explorer, timeline):
    app, pilot = explorer
    await pilot.press("d")
    await fill(app, pilot, "#date-from", "2024-10")
    await fill(app, pilot, "#date-to", "2024-09-30")
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, DateRangeScreen)
    assert "reversed" in text(app.screen.query_one("#date-error", Static))
    await pilot.press("escape")
    await settle(app, pilot)
    assert not app.screen.filters and count(app) == of_total(28, timeline)


# --- : and f: the query bar ------------------------------------------------------------------------

async def test_query_bar_applies_a_valid_query(explorer, timeline):
    app, pilot = explorer
    await pilot.press("colon")
    assert app.focused is app.screen.query_one("#query-input", Input)
    await fill(app, pilot, "#query-input", "actor:omar from:2024-09")
    await pilot.press("enter")
    await settle(app, pilot)
    assert not app.screen.query_one("#query-bar").is_open
    assert app.focused is view(app)
    expected = shown(timeline, "actor:omar-gonzalez from:2024-09")
    assert list(view(app).positions) == expected
    assert count(app) == of_total(len(expected), timeline)
    assert chips(app) == ["actor: Omar González ×", "from 2024-09 ×"]
    # f opens the same bar, starting from the filters in force
    await pilot.press("f")
    assert app.screen.query_one("#query-input", Input).value == "actor:omar from:2024-09"
    await fill(app, pilot, "#query-input", "tag:icc")
    await pilot.press("enter")
    await settle(app, pilot)
    assert_applied(app, timeline, "tag:icc", len(timeline.tag_positions("icc")))


async def test_query_bar_bad_query_shows_an_error_with_a_caret(make_app, timeline):
    app = make_app(parse_query("tag:icc"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("colon")
        await fill(app, pilot, "#query-input", "actor:omar from:2024-13")
        await pilot.press("enter")
        await settle(app, pilot)
        error = app.screen.query_one("#query-error", Static)
        assert error.display
        lines = text(error).split("\n")
        assert "month 13" in lines[0]
        assert lines[1].strip() == "actor:omar from:2024-13"
        # the caret line points at the bad term, column for column
        caret = lines[2]
        start = lines[1].index("from:2024-13")
        assert caret.index("^") == start and caret.count("^") == len("from:2024-13")
        assert app.screen.query_one("#query-bar").is_open
        assert_applied(app, timeline, "tag:icc", len(timeline.tag_positions("icc")))
        # Escape closes and keeps the old filters
        await pilot.press("escape")
        await settle(app, pilot)
        assert not app.screen.query_one("#query-bar").is_open
        assert not error.display
        assert str(app.screen.filters) == "tag:icc"


async def test_query_bar_unknown_actor_is_refused_with_a_caret(explorer, timeline):
    app, pilot = explorer
    await pilot.press("f")
    await fill(app, pilot, "#query-input", "tag:icc actor:nobody")
    await pilot.press("enter")
    await settle(app, pilot)
    error = app.screen.query_one("#query-error", Static)
    assert error.display and "no actor matches 'nobody'" in text(error)
    lines = text(error).split("\n")
    assert len(lines) == 3 and lines[2].index("^") == lines[1].index("actor:nobody")
    assert lines[2].count("^") == len("actor:nobody")
    assert not app.screen.filters and count(app) == of_total(28, timeline)


# --- x, backspace and chips --------------------------------------------------------------------------

def assert_chips_visible(app) -> None:
    area = app.screen.query_one("#chips").region
    hint = app.screen.query_one("#hint").region
    for chip in shown_chips(app):
        assert area.contains_region(chip.region), text(chip)
        assert not chip.region.overlaps(hint), text(chip)


async def test_backspace_chip_click_and_x_remove_filters(make_app, timeline):
    app = make_app(parse_query("actor:omar-gonzalez from:2024-09 to:2024-09-30 tag:siege"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert chips(app) == ["actor: Omar González ×", "from 2024-09 ×", "to 2024-09-30 ×", "tag: siege ×"]
        assert_chips_visible(app)
        # backspace drops the last
        await pilot.press("backspace")
        await settle(app, pilot)
        assert_applied(app, timeline, "actor:omar-gonzalez from:2024-09 to:2024-09-30", 2)
        # clicking a chip's words only reads it; clicking its × removes that one (the middle one)
        [from_chip] = [c for c in shown_chips(app) if text(c).startswith("from")]
        await pilot.click(from_chip, offset=(2, 0))
        await settle(app, pilot)
        assert str(app.screen.filters) == "actor:omar-gonzalez from:2024-09 to:2024-09-30"
        await pilot.click(from_chip, offset=(from_chip.size.width - 2, 0))
        await settle(app, pilot)
        assert str(app.screen.filters) == "actor:omar-gonzalez to:2024-09-30"
        assert chips(app) == ["actor: Omar González ×", "to 2024-09-30 ×"]
        assert list(view(app).positions) == shown(timeline, "actor:omar-gonzalez to:2024-09-30")
        # x clears the rest
        await pilot.press("x")
        await settle(app, pilot)
        assert not app.screen.filters and chips(app) == []
        assert count(app) == of_total(28, timeline)
        await pilot.press("backspace", "x")  # nothing left to remove: harmless
        await settle(app, pilot)
        assert count(app) == of_total(28, timeline)


# --- ctrl+p: the command palette ---------------------------------------------------------------------

async def palette(app, pilot, words: str, *, typed: bool = False) -> None:
    """Open the palette and search (typed key by key, or set in one go)."""
    await pilot.press("ctrl+p")
    assert isinstance(app.screen, CommandPalette)
    if typed:
        await pilot.press(*words)
    else:
        await fill(app, pilot, "CommandInput", words)
    await settle(app, pilot)


async def test_palette_filters_by_an_actor(explorer, timeline):
    app, pilot = explorer
    await palette(app, pilot, "actor: omar", typed=True)
    commands = app.screen.query_one(CommandList)
    assert str(commands.get_option_at_index(0).prompt).startswith("Filter by actor: Omar González")
    await pilot.press("enter")
    await settle(app, pilot)
    assert_applied(app, timeline, "actor:omar-gonzalez", 5, ["actor: Omar González ×"])


async def test_palette_reads_the_events_once_per_opening_not_per_key(explorer, timeline, monkeypatch):
    """At a million events, reading 20,000 titles back from the file on every key would stall."""
    app, pilot = explorer
    reads = []
    real = type(timeline).events_at
    monkeypatch.setattr(type(timeline), "events_at", lambda self, positions: reads.append(1) or real(self, positions))
    await palette(app, pilot, "embassy", typed=True)
    assert len(reads) == 1
    assert str(app.screen.query_one(CommandList).get_option_at_index(0).prompt).startswith("Go to event:")
    await pilot.press("escape")
    await palette(app, pilot, "siege", typed=True)
    assert len(reads) == 2  # a new opening sees the timeline afresh


async def test_palette_filters_by_a_tag_and_clears(explorer, timeline):
    app, pilot = explorer
    await palette(app, pilot, "tag: icc")
    await pilot.press("enter")
    await settle(app, pilot)
    assert_applied(app, timeline, "tag:icc", len(timeline.tag_positions("icc")))
    await palette(app, pilot, "clear all filters")
    await pilot.press("enter")
    await settle(app, pilot)
    assert not app.screen.filters and count(app) == of_total(28, timeline)


async def test_palette_go_to_date(explorer, timeline):
    app, pilot = explorer
    await palette(app, pilot, "go to date")
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, GoToDateScreen)
    await fill(app, pilot, "#goto-date", "2024-09-06")
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, MainScreen)
    assert timeline.dates[view(app).current_position].display().startswith("6 Sep 2024")


async def test_palette_go_to_an_event_hidden_by_the_filters(make_app, timeline):
    """The event is not shown: the filters are cleared and the cursor lands on it."""
    app = make_app(parse_query("tag:icc"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await palette(app, pilot, "go to event: security forces besiege")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not app.screen.filters
        assert view(app).current_position == pos(timeline, SIEGE)
        assert "Security forces besiege the Argentine embassy residence" in detail(app)
        assert app.focused is view(app)


# --- ctrl+g: go to date ------------------------------------------------------------------------------

async def test_go_to_date_puts_the_cursor_on_the_first_event_on_or_after_it(explorer, timeline):
    app, pilot = explorer
    await pilot.press("ctrl+g")
    assert isinstance(app.screen, GoToDateScreen)
    await pilot.press(*"2024-09-06", "enter")
    await settle(app, pilot)
    position = view(app).current_position
    before = [p for p in range(len(timeline)) if timeline.lower[p] < timeline.lower[position]]
    assert timeline.dates[position].display().startswith("6 Sep 2024")
    assert all(not timeline.dates[p].display().startswith("6 Sep 2024") for p in before)
    assert timeline.events[position].title in detail(app)
    assert cursor_row(app).startswith("▶ 6 Sep")
    # a date between events: the next one after it
    await pilot.press("ctrl+g")
    await fill(app, pilot, "#goto-date", "2024-08-02")
    await pilot.press("enter")
    await settle(app, pilot)
    assert cursor_row(app).startswith("▶ 3 Aug")
    # a bad date: an inline error, and the cursor stays
    await pilot.press("ctrl+g")
    await fill(app, pilot, "#goto-date", "31 June 2024")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, GoToDateScreen)
    assert "not a date" in text(app.screen.query_one("#date-error", Static))
    await pilot.press("escape")
    assert isinstance(app.screen, MainScreen)
    assert cursor_row(app).startswith("▶ 3 Aug")


# --- the command line's flags ---------------------------------------------------------------------------

async def test_app_built_as_cmd_explore_would_opens_filtered(timeline):
    app = TimelineApp(timeline=timeline, query=from_options(actors=["omar-gonzalez"], date_from="2024-09"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        expected = shown(timeline, "actor:omar-gonzalez from:2024-09")
        assert list(view(app).positions) == expected
        assert count(app) == of_total(len(expected), timeline) == "3 of 28 events"
        assert chips(app) == ["actor: Omar González ×", "from 2024-09 ×"]


async def test_cli_flags_reach_the_explorer(monkeypatch, timeline):
    """Run ``timeline explore --actor ... --from ... --tag ...`` up to app.run(), then drive that app."""
    from tui import cli

    made: list[TimelineApp] = []
    monkeypatch.setattr(TimelineApp, "run", lambda self, *a, **k: made.append(self))
    assert cli.main(["explore", "--actor", "omar", "--from", "2024-09", "--tag", "siege"]) == 0
    [app] = made
    assert app.timeline is not None and len(app.timeline) == len(timeline)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        expected = shown(timeline, "actor:omar-gonzalez from:2024-09 tag:siege")
        assert list(view(app).positions) == expected
        assert chips(app) == ["actor: Omar González ×", "from 2024-09 ×", "tag: siege ×"]


def _no_screen(self, *args, **kwargs):
    raise AssertionError("the explorer opened although the command line should have stopped first")


def test_cli_unknown_actor_exits_2_before_any_screen(monkeypatch, capsys):
    from tui import cli

    monkeypatch.setattr(TimelineApp, "run", _no_screen)
    assert cli.main(["explore", "--actor", "nobody"]) == 2
    out, err = capsys.readouterr()
    assert "nobody" in err and "Traceback" not in err and out == ""


def test_cli_missing_file_exits_2(monkeypatch, capsys, tmp_path):
    from tui import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(TimelineApp, "run", _no_screen)
    assert cli.main(["explore", "missing.json"]) == 2
    err = capsys.readouterr().err
    assert "missing.json" in err and "Traceback" not in err


def test_cli_bad_date_flag_exits_2(monkeypatch, capsys):
    from tui import cli

    monkeypatch.setattr(TimelineApp, "run", _no_screen)
    assert cli.main(["explore", "--from", "31 June 2024"]) == 2
    err = capsys.readouterr().err
    assert "31 June 2024" in err and "Traceback" not in err


# --- empty results ---------------------------------------------------------------------------------------

def assert_says_whole(app, message: str) -> None:
    """The message appears in full in the timeline pane (wrapped over rows, not cut)."""
    words = " ".join(" ".join(rows(app)).split())
    assert " ".join(message.split()) in words


async def test_empty_result_says_no_events_match_and_how_to_clear(explorer, timeline):
    app, pilot = explorer
    await pilot.press("f")
    await fill(app, pilot, "#query-input", "tag:icc tag:siege")
    await pilot.press("enter")
    await settle(app, pilot)
    tv = view(app)
    assert len(tv.positions) == 0
    assert count(app) == of_total(0, timeline)
    assert "No events match" in tv.empty_message and "x" in tv.empty_message
    line = tv.render_line(1).text
    assert "No events match" in line and "Press x to clear all filters" in line
    assert_says_whole(app, tv.empty_message)
    assert detail(app) == "No event selected."
    assert quotes(app) == ["No quotes for this event."]
    assert actor_ids(app) == []
    # keys on an empty list do not crash
    await pilot.press("j", "G", "pagedown", "enter")
    # and the advertised way out works
    await pilot.press("x")
    await settle(app, pilot)
    assert count(app) == of_total(28, timeline) and detail(app) != "No event selected."


# --- help and quit -----------------------------------------------------------------------------------------

# How a person would recognise each key name (independent of the help screen's own table).
KEY_LOOKS = {"slash": "/", "colon": ":", "question_mark": "?", "escape": "esc", "backspace": "backspace",
             "pageup": "pgup", "pagedown": "pgdn", "ctrl+g": "ctrl+g", "up": "↑", "down": "↓",
             "left_square_bracket": "[", "right_square_bracket": "]", "at": "@"}


async def test_help_lists_every_binding_and_closes(explorer):
    app, pilot = explorer
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    # one line per row: the keys, then what they do (two columns on screen)
    lines = ["  ".join(text(s) for s in row.query(Static)) for row in app.screen.query(".help-row")]
    help_text = "\n".join(lines)
    bindings = [*MainScreen.BINDINGS, *TimelineView.BINDINGS]
    assert len(bindings) >= 14
    for binding in bindings:
        what = binding.tooltip or binding.description
        [line] = [l for l in lines if l.rstrip().endswith(what)]
        tokens = line.lower().split()
        for key in binding.key.split(","):
            look = KEY_LOOKS.get(key, key).lower()
            assert look in tokens, f"{key} ({what}) not on its help line: {line!r}"
    for extra in ("Ctrl+P", "Enter (actors)", "Enter (quotes)", "Mouse"):
        assert extra in help_text
    marks = {"▶", "?", "!", "‹in quote›", "in", "via"}  # the legend of row marks, after the keys
    keys = [l.split("  ")[0] for l in lines if l.split("  ")[0] not in marks]
    assert len(keys) == len(set(keys)), "a key is listed twice"
    assert any(l.startswith("q Ctrl+Q Ctrl+C  Quit") for l in lines)
    for mark, meaning in (("?", "reported"), ("!", "disputed"), ("in", "published"), ("via", "known through")):
        assert any(l.startswith(f"{mark}  ") and meaning in l for l in lines), mark
    await pilot.press("escape")
    assert isinstance(app.screen, MainScreen)
    # q closes help, not the app
    await pilot.press("question_mark", "q")
    await pilot.pause()
    assert isinstance(app.screen, MainScreen) and app.is_running


async def test_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # typing a q in the search bar is text, not quit
        await pilot.press("slash", "q")
        await settle(app, pilot)
        assert app.is_running and app.screen.query_one("#query-input", Input).value == "q"
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


# --- mouse ------------------------------------------------------------------------------------------------

async def test_clicking_a_row_selects_that_row(explorer, timeline):
    app, pilot = explorer
    tv = view(app)
    assert tv.cursor == 0
    for offset_y in (4, 2, 7):
        y = tv.region.y + offset_y - tv.content_region.y  # the content line under the mouse
        under_mouse = tv.render_line(y).text[2:]
        assert await pilot.click("#timeline", offset=(5, offset_y))
        await pilot.pause()
        assert tv.render_line(y).text.startswith("▶"), (under_mouse, cursor_row(app))
        assert timeline.events[tv.current_position].title in detail(app)
    assert app.focused is tv


async def test_clicking_a_pane_focuses_it(explorer, timeline):
    app, pilot = explorer
    screen = app.screen
    await move_to(app, pilot, 1)  # an event without quotes: a click there selects nothing
    await pilot.click("#quotes", offset=(5, 2))
    assert app.focused is screen.query_one("#quotes")
    await pilot.click("#detail", offset=(5, 2))
    assert app.focused is screen.query_one("#detail")
    await pilot.click("#actors", offset=(5, 1))
    assert app.focused is actor_list(app)
    await pilot.click("#timeline", offset=(30, 0))  # on its border: focus, cursor unchanged
    assert app.focused is view(app)
    assert view(app).current_position == 1


async def test_clicking_an_actor_shows_them_without_filtering(explorer, timeline):
    app, pilot = explorer
    await move_to(app, pilot, pos(timeline, SIEGE))
    options = actor_list(app)
    assert options.highlighted_option.id == "venezuelan-security-forces"
    # the row where Sebin (the second actor) is drawn
    y = next(y for y in range(options.scrollable_content_region.height)
             if "Sebin — patrols" in options.render_line(y).text)
    await pilot.click(options, offset=(5, options.content_region.y - options.region.y + y))
    await settle(app, pilot)
    assert app.focused is options
    assert options.highlighted_option.id == "sebin"
    assert actor_info(app).startswith("Sebin")
    assert not app.screen.filters and count(app) == of_total(28, timeline)


async def test_clicking_a_quote_focuses_the_quote_pane(explorer, timeline):
    app, pilot = explorer
    await move_to(app, pilot, pos(timeline, SIEGE))
    pane = app.screen.query_one("#quotes", OptionList)
    y = next(y for y in range(pane.scrollable_content_region.height) if "Patrols with" in pane.render_line(y).text)
    await pilot.click(pane, offset=(5, pane.content_region.y - pane.region.y + y))
    await pilot.pause()
    assert app.focused is pane
    assert pane.highlighted_option.id == "vente-venezuela-siege-statement"
    assert actor_list(app).highlighted_option.id == "venezuelan-security-forces"  # not moved to the speaker


async def test_clicking_the_actor_profile_focuses_the_actor_pane(explorer):
    app, pilot = explorer
    info = app.screen.query_one("#actor-info-scroll")
    await pilot.click(info, offset=(5, 1))
    assert app.focused is actor_list(app)


# --- narrow layout -----------------------------------------------------------------------------------------

def displayed(app) -> dict[str, bool]:
    return {name: app.screen.query_one(f"#{name}").display and app.screen.query_one(f"#{name}").region.area > 0
            for name in ("timeline", "detail", "actors", "quotes")}


async def test_narrow_layout_shows_the_timeline_and_one_side_pane(make_app, timeline):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        assert app.screen.has_class("-narrow")
        assert displayed(app) == {"timeline": True, "detail": True, "actors": False, "quotes": False}
        assert view(app).region.width == 80  # the timeline takes the full width, the pane below
        assert app.screen.query_one("#detail").region.y > view(app).region.y
        await pilot.press("3")
        assert displayed(app) == {"timeline": True, "detail": False, "actors": True, "quotes": False}
        assert app.focused is actor_list(app)
        await pilot.press("4")
        assert displayed(app) == {"timeline": True, "detail": False, "actors": False, "quotes": True}
        # a quote's speaker brings the actor pane back
        await pilot.press("1")
        await move_to(app, pilot, pos(timeline, SIEGE))
        await pilot.press("4", "enter")
        await pilot.pause()
        assert displayed(app)["actors"] and not displayed(app)["quotes"]
        assert actor_list(app).highlighted_option.id == "vente-venezuela"


async def test_resizing_to_narrow_and_tab_reaches_every_pane(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.screen.has_class("-narrow")
        assert all(displayed(app).values())
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert sum(displayed(app).values()) == 2
        # Tab brings each hidden pane into the side slot in turn
        seen = []
        for _ in range(4):
            await pilot.press("tab")
            seen.append(app.focused.id)
            assert displayed(app)["timeline"] and sum(displayed(app).values()) == 2
        assert seen == ["detail", "actor-list", "quotes", "timeline"]
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert all(displayed(app).values())


async def test_narrow_footer_chips_and_empty_message_fit(make_app):
    """At 80x24: every footer key, every filter chip and the whole empty-result message show."""
    app = make_app(parse_query("actor:omar-gonzalez from:2024-09 to:2024-09-30"))
    async with app.run_test(size=NARROW) as pilot:
        await settle(app, pilot)
        keys = list(app.screen.query("FooterKey"))
        assert any(k.key == "q" for k in keys)
        for i, a in enumerate(keys):
            assert a.region.right <= NARROW[0]
            for b in keys[i + 1:]:
                assert not a.region.overlaps(b.region), (a.key, b.key)
        assert len(chips(app)) == 3
        assert_chips_visible(app)
        await pilot.press("f")
        await fill(app, pilot, "#query-input", "tag:icc tag:siege")
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(view(app).positions) == 0
        assert_says_whole(app, view(app).empty_message)


# --- loading ---------------------------------------------------------------------------------------------

async def test_loading_screen_then_main_screen(monkeypatch, timeline):
    import tui.app as app_module

    gate = threading.Event()
    real_load = app_module.load

    def gated_load(paths, **options):
        gate.wait(timeout=30)
        return real_load(paths, **options)

    monkeypatch.setattr(app_module, "load", gated_load)
    app = TimelineApp([str(bundled_path())], query=from_options(actors=["omar-gonzalez"]))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LoadingScreen)
            loading = text(app.screen.query_one("#loading", Static))
            assert "argentine-embassy-siege.json" in loading and "q to quit" in loading
            gate.set()
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen)
            assert app.timeline is not None
            assert count(app) == of_total(5, timeline)  # the initial query is applied after loading
    finally:
        gate.set()
    assert app.load_error is None


async def test_a_first_text_search_says_how_far_the_search_text_is(make_app, monkeypatch):
    """At a million events the search text takes ~25 s to build after loading: a text search
    typed meanwhile shows the progress, not only "…", and its result when the text is ready."""
    from tui.store import load
    from tui.model.timeline import Timeline

    gate = threading.Event()
    real = Timeline._build_haystack

    def slow_build(self):
        self.text_progress = 0.4
        assert gate.wait(timeout=30)
        return real(self)

    monkeypatch.setattr(Timeline, "_build_haystack", slow_build)
    fresh = load()  # its search text is not built yet
    app = make_app(data=fresh)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.filters = parse_query("embassy")
        await pilot.pause()
        assert app.screen._waiting is not None  # a timer shows the progress every 0.25 s
        app.screen._show_text_progress()  # one tick of it, without waiting for the clock
        assert count(app) == "28 of 28 events … preparing text search 40%"
        gate.set()
        await settle(app, pilot)
        app.screen._show_text_progress()  # the next tick: done, it stops itself
        assert app.screen._waiting is None
        assert count(app) == of_total(len(run(fresh, parse_query("embassy")).positions), fresh)


def test_quitting_while_a_thread_is_busy_leaves_at_once(monkeypatch):
    """The command line does not wait for a load (or cache write) it cannot stop."""
    from tui import cli

    class Exited(Exception):
        pass

    def quit_while_loading(self, *args, **kwargs):
        self.busy.add("load")

    stopped = []
    monkeypatch.setattr(TimelineApp, "run", quit_while_loading)
    monkeypatch.setattr(cli.os, "_exit", lambda code: (_ for _ in ()).throw(Exited(code)))
    monkeypatch.setattr("tui.store.aside.stop_all", lambda: stopped.append(True))
    with pytest.raises(Exited) as exited:
        cli.main(["explore", str(bundled_path())])
    assert exited.value.args == (0,)
    assert stopped  # a child reading the quotes of the file being loaded goes too
    monkeypatch.setattr(TimelineApp, "run", lambda self, *a, **k: None)  # quit when idle: a normal return
    assert cli.main(["explore", str(bundled_path())]) == 0


async def test_q_while_loading_quits(monkeypatch):
    import tui.app as app_module

    gate = threading.Event()
    real_load = app_module.load
    monkeypatch.setattr(app_module, "load", lambda paths, **options: (gate.wait(timeout=30), real_load(paths, **options))[1])
    app = TimelineApp([str(bundled_path())])
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LoadingScreen)
            assert app.busy == {"load"}  # what the command line checks to leave at once
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running
            gate.set()
    finally:
        gate.set()
    assert app.return_code == 0 and app.load_error is None


async def test_broken_file_exits_with_load_error(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "timeline/1", "events": [', encoding="utf-8")
    app = TimelineApp([str(bad)])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
    assert app.return_code == 2
    assert app.load_error is not None
    assert "broken.json" in app.load_error and "JSON" in app.load_error


# --- the user journey from the "Done when" -----------------------------------------------------

async def test_user_journey_by_keyboard_alone(make_app, timeline):
    """Find every event involving Omar González, narrow to September 2024, read who said what
    about the siege and where it was published, and get back to the full timeline."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tv = view(app)
        assert count(app) == "28 events"

        # 1. every event involving Omar González: a, type omar, Enter
        await pilot.press("a", *"omar", "enter")
        await settle(app, pilot)
        omar = list(timeline.actor_positions("omar-gonzalez"))
        assert len(omar) == 5
        assert list(tv.positions) == omar
        assert all("omar-gonzalez" in timeline.events[p].actor_ids() for p in omar)
        assert count(app) == "5 of 28 events"
        assert chips(app) == ["actor: Omar González ×"]

        # 2. narrow to September 2024: d, 2024-09, Tab, 2024-09-30, Enter
        await pilot.press("d", *"2024-09", "tab", *"2024-09-30", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert list(tv.positions) == [pos(timeline, POWER_CUT), pos(timeline, SIEGE)]
        assert count(app) == "2 of 28 events"
        assert chips(app) == ["actor: Omar González ×", "from 2024-09 ×", "to 2024-09-30 ×"]
        assert [r.strip()[:5] for r in rows(app) if r.strip()] == ["Septe", "▶ 6 S", "6 Sep"]

        # 3. who said what about the siege, and where it was published
        await pilot.press("g")
        await pilot.pause()
        assert "Electricity to the residence cut during the siege" in detail(app)
        [power_quote] = quotes(app)
        assert "— Omar González" in power_quote and "in X: Omar González on X" in power_quote
        assert "via CNN:" in power_quote
        await pilot.press("j")
        await pilot.pause()
        assert "Security forces besiege the Argentine embassy residence" in detail(app)
        await pilot.press("4")
        assert app.focused is app.screen.query_one("#quotes")
        said = quotes(app)
        speakers = [re.search(r"\n— ([^,\n]+)", q).group(1) for q in said]
        assert speakers == ["Vente Venezuela", "Vente Venezuela", "Pedro Urruchurtu"]
        urruchurtu = said[2]
        assert "in X: Pedro Urruchurtu on X" in urruchurtu and "via bldlc.tdvxyc.com" in urruchurtu
        assert all("via CNN:" in q for q in said[:2])
        # and who is that? Enter on the quote shows the speaker
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert actor_list(app).highlighted_option.id == "pedro-urruchurtu"
        assert "Vente Venezuela" in actor_info(app)

        # 4. back to the full timeline, still on the siege
        await pilot.press("escape", "x")
        await settle(app, pilot)
        assert count(app) == "28 events"
        assert chips(app) == []
        assert len(tv.positions) == 28
        assert tv.current_position == pos(timeline, SIEGE)
        assert app.focused is tv
    assert app.return_code in (None, 0)


async def test_running_out_of_memory_while_loading_exits_with_a_message(monkeypatch, tmp_path):
    path = tmp_path / "t.json"
    path.write_text("{}")

    def too_big(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("tui.store.loader._load", too_big)  # deep inside load()
    app = TimelineApp([str(path)])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.load_error is not None and "does not fit" in app.load_error
    assert app.return_code == 2


async def test_a_big_file_is_cached_and_reopens_from_the_cache(monkeypatch):
    """First open: loaded in full, then (with the search text) cached. Second open: from the
    cache, the same screen, and keys and filters work on records read back on demand."""
    import tui.store.loader as loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)  # the bundled dataset counts as big
    path = str(bundled_path())
    screens = []
    for _ in range(2):
        app = TimelineApp([path], query=from_options(search="embassy"))
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(3):  # load -> filter -> search text -> cache: each starts the next
                await settle(app, pilot)
            await pilot.press("down", "down")
            await settle(app, pilot)
            assert quotes(app) and detail(app)
            screens.append((app.timeline.from_cache, count(app), detail(app), quotes(app),
                            [str(o.prompt) for o in actor_list(app).options]))
            assert app.timeline.text_ready
            assert app.timeline.words is not None  # built aside by a child process, then used
            assert not app.busy  # load, search text and cache all marked themselves done
    (first_cached, *first), (second_cached, *second) = screens
    assert not first_cached and second_cached
    assert first == second
