"""The usability walk's defects (issue 17), each asserted as a user meets it: the "+N" of
the actor column, vim keys in every pane, the header's span, the pinned month heading, the
row's use of its width, search matches in rows, type-ahead into bars and dialogs."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len

from conftest import settle
from tui.app import TimelineApp
from tui.store import load
from tui.screens.help import HelpScreen
from tui.widgets.timeline_row import MARKERS, Columns, fit_names
from tui.widgets.timeline_view import TimelineView

ARGENTINA_CONFIRMS = "argentina-confirms-asylees-power-cut"  # 26 Mar 2024, two actors


def view(app) -> TimelineView:
    return app.screen.query_one(TimelineView)


def rows(app) -> list[str]:
    tv = view(app)
    return [tv.render_line(y).text for y in range(tv.scrollable_content_region.height)]


def row_of(app, event_id: str) -> str:
    tv = view(app)
    position = next(i for i, e in enumerate(app.timeline.events) if e.id == event_id)
    assert tv.go_to_position(position)
    return tv.render_line(tv.row_layout.row_of(tv.cursor) - int(tv.scroll_offset.y)).text


# --- the actor column ------------------------------------------------------------------------

def test_plus_n_counts_only_the_actors_not_shown():
    names = ["Government of Argentina", "Venezuelan security forces", "Sebin"]
    assert fit_names(names, 60) == set_width("Government of Argentina, Venezuelan security forces, Sebin", 60)
    assert fit_names(names, 40).rstrip() == "Government of Argentina +2"
    # the first name alone does not fit: it is cut with an ellipsis, +N still counts the others
    assert fit_names(names, 16).rstrip() == "Government o… +2"
    assert fit_names(names, 15).rstrip() == "Government… +2"  # no blank before the ellipsis
    assert fit_names(["Government of Argentina"], 10) == "Governmen…"
    assert fit_names([], 5) == "     "  # an event with no actors
    assert cell_len(fit_names(names, 16)) == 16


def set_width(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def test_title_keeps_at_least_32_cells_at_120_columns():
    # the timeline pane at 120x40 is 75 cells inside; the bundled story's widest date is 17
    date_w, title_w, actors_w = Columns(date=17, actors=30).widths(75)
    assert date_w == 17 and title_w >= 33 and actors_w >= 15
    # cursor, date, gap, a cell per marker, gap, title, gap, actors, one blank before the border
    assert 2 + date_w + 1 + len(MARKERS) + 1 + title_w + 1 + actors_w + 1 == 75
    # a narrow pane gives the title what it can, and no actor column rather than a useless one
    assert Columns(date=6, actors=30).widths(30)[2] == 0


@pytest.fixture(scope="module")
def argentina_confirms():
    timeline = load()
    event = next(e for e in timeline.events if e.id == ARGENTINA_CONFIRMS)
    return [timeline.actor_name(a) for a in event.actor_ids()]


@pytest.mark.parametrize("size", [(120, 40), (200, 55)])
async def test_plus_n_is_the_same_at_every_width(make_app, size, argentina_confirms):
    assert len(argentina_confirms) == 2
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        row = row_of(app, ARGENTINA_CONFIRMS)
        assert row.rstrip().endswith("+1")  # one actor not shown, whatever the width
        assert "+2" not in row
        if size[0] >= 200:
            assert "Government of Argentina +1" in row
        else:
            assert "Governmen" in row and "… +1" in row  # the cut name ends in an ellipsis


# --- vim keys in every pane --------------------------------------------------------------------

async def test_j_and_k_move_in_every_pane(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        tv = view(app)
        siege = next(i for i, e in enumerate(app.timeline.events) if e.id == "siege-begins")
        tv.go_to_position(siege)
        await pilot.pause()
        await pilot.press("j")
        assert tv.current_position == siege + 1
        await pilot.press("k")
        assert tv.current_position == siege

        await pilot.press("2")
        detail = app.screen.query_one("#detail")
        assert detail.max_scroll_y > 0
        await pilot.press("j", "j")
        assert detail.scroll_y == 2
        await pilot.press("k")
        assert detail.scroll_y == 1

        await pilot.press("3")
        actors = app.screen.query_one("#actor-list")
        assert actors.highlighted == 0
        await pilot.press("j")
        assert actors.highlighted == 1
        await pilot.press("k")
        assert actors.highlighted == 0

        await pilot.press("4")
        quotes = app.screen.query_one("#quotes")
        assert quotes.option_count >= 2 and quotes.highlighted == 0
        await pilot.press("j")
        assert quotes.highlighted == 1
        await pilot.press("k")
        assert quotes.highlighted == 0


async def test_j_and_k_scroll_help(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#dialog-box")
        assert box.max_scroll_y > 0
        await pilot.press("j", "j", "j")
        assert box.scroll_y == 3
        await pilot.press("k")
        assert box.scroll_y == 2


# --- the header ------------------------------------------------------------------------------

async def test_header_shows_the_span_of_the_data(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        count = str(app.screen.query_one("#count").render())
        span = str(app.screen.query_one("#span").render())
        assert f"{count} {span}" == "28 events · Mar 2024 – Jan 2026"
        assert "(2024–2026)" in app.timeline.title  # the file's title agrees with its events


# --- the pinned heading ------------------------------------------------------------------------

def one_month(tmp_path, n: int = 80):
    """A timeline with n events in December 2025 (a month longer than any screen)."""
    doc = {"format": "timeline/1", "title": "One long month",
           "events": [{"id": f"e{i}", "date": f"2025-12-{1 + i % 28:02}", "title": f"Event {i}"}
                      for i in range(n)]}
    path = tmp_path / "month.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load([str(path)])


async def test_end_keeps_the_month_and_year_on_screen(tmp_path):
    app = TimelineApp(timeline=one_month(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("end")
        await pilot.pause()
        tv = view(app)
        assert tv.scroll_offset.y > 0  # the heading row itself scrolled away
        assert rows(app)[0].strip() == "December 2025"
        assert "▶" in "".join(rows(app)[1:])  # the cursor is not hidden under it


# --- type-ahead -------------------------------------------------------------------------------

def key_event(key: str):
    from textual import events

    char = {"tab": "\t", "enter": "\r", "space": " ", "slash": "/", "minus": "-"}.get(key)
    if char is None:
        char = key if len(key) == 1 else None
    name = {"-": "minus", "/": "slash", " ": "space"}.get(key, key)
    return events.Key(name, char)


async def burst(app, pilot, *keys: str) -> None:
    """Send every key at once, as a paste or a fast typist does (nothing waits between
    them), then wait until the app has handled them all."""
    for key in keys:
        app._driver.send_message(key_event(key))
    for _ in range(200):
        await pilot.pause()
        if not getattr(app, '_held_keys', None) and not getattr(app, '_key_in_flight', False):
            break
    await settle(app, pilot)


def typed(text: str) -> list[str]:
    return list(text)


async def test_a_date_range_typed_in_one_burst_sets_both_dates(make_app, timeline):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "d", *typed("2024-09"), "tab", *typed("2024-09-30"), "enter")
        assert str(app.screen.filters) == "from:2024-09 to:2024-09-30"


async def test_search_and_picker_keep_what_is_typed_with_the_key_that_opens_them(make_app):
    from textual.widgets import Input, SelectionList

    from tui.screens.dialogs import PickerScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await burst(app, pilot, "/", *typed("siege"))
        assert app.screen.query_one("#query-input", Input).value == "siege"
        await burst(app, pilot, "escape")
        await burst(app, pilot, "a", *typed("omar"))
        assert isinstance(app.screen, PickerScreen)
        assert app.screen.query_one("#picker-filter", Input).value == "omar"
        await burst(app, pilot, "down", "space")
        picker = app.screen.query_one("#picker-list", SelectionList)
        assert picker.selected == ["omar-gonzalez"]
        assert app.screen.query_one("#picker-filter", Input).value == "omar"


# --- pickers -----------------------------------------------------------------------------------

async def test_picker_rows_read_ticked_or_not_and_typing_always_narrows(make_app):
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"gonz")
        await pilot.pause()
        picker = app.screen.query_one("#picker-list")
        field = app.screen.query_one("#picker-filter", Input)
        await pilot.press("down", "space")
        await pilot.pause()
        lines = [picker.render_line(y).text for y in range(picker.option_count)]
        assert lines[0].startswith("[x] ") and lines[1].startswith("[ ] ")
        status = str(app.screen.query_one("#picker-status").render())
        assert status.startswith("2 matches · 1 ticked: ")  # the ticked name, under the count
        await pilot.press("up")  # on the first row: back to the field
        assert app.focused is field
        await pilot.press("down", "a")  # a letter typed in the list narrows the filter
        assert app.focused is field and field.value == "gonza"


@pytest.mark.parametrize("key", ["a", "t"])
async def test_pickers_keep_their_count_and_hints_on_screen_at_80x24(make_app, key):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        box = app.screen.query_one("#dialog-box")
        assert box.region.bottom <= 24
        for widget in (app.screen.query_one("#picker-status"), box.children[-1]):
            assert widget.region.height >= 1 and widget.region.bottom <= box.region.bottom


# --- quitting, theme, screenshot -------------------------------------------------------------

async def test_ctrl_c_quits(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0  # exit() was called (without the binding: a "Do you want to quit?" toast)


async def test_the_chosen_theme_is_remembered(make_app, monkeypatch, tmp_path):
    from tui.settings import settings_path

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.theme = "catppuccin-latte"
        await pilot.pause()
    assert json.loads(settings_path().read_text())["theme"] == "catppuccin-latte"
    assert settings_path().is_relative_to(tmp_path)
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(again, pilot)
        assert again.theme == "catppuccin-latte"


async def test_a_new_theme_redraws_the_timeline(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        before = list(view(app).render_line(3))[-1].style.bgcolor
        app.theme = "catppuccin-latte"
        await pilot.pause()
        after = list(view(app).render_line(3))[-1].style.bgcolor
        assert before != after  # the cached rows were dropped, not kept dark


async def test_screenshot_goes_to_the_current_folder_and_says_where(make_app, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "no-home"))  # no ~/Downloads anywhere
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        saved = app.deliver_screenshot()
        await pilot.pause()
    [svg] = list(tmp_path.glob("*.svg"))
    assert saved == str(svg.resolve())
    assert 'xml:space="preserve"' in svg.read_text()[:500]
    assert any(str(svg.resolve()) in str(n.message) for n in app._notifications)


async def test_the_panes_do_not_jump_when_the_first_filter_comes_or_the_last_goes(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        top = view(app).region.y
        await pilot.press("t", *"siege", "enter")
        await settle(app, pilot)
        assert app.screen.filters.terms and view(app).region.y == top
        await pilot.press("x")
        await settle(app, pilot)
        assert not app.screen.filters.terms and view(app).region.y == top


async def test_narrow_side_slot_shows_its_siblings_as_tabs(make_app):
    from textual.content import Content

    def tabs() -> str:
        return Content.from_markup(str(app.screen.query_one("#actors").border_title)).plain

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await pilot.pause()
        assert tabs() == "2 Event │ 3 Actors (8) │ 4 Quotes (1)"  # the first event: 8 actors, 1 quote
        siege = next(i for i, e in enumerate(app.timeline.events) if e.id == "siege-begins")
        view(app).go_to_position(siege)
        await pilot.pause()
        assert tabs() == "2 Event │ 3 Actors (9) │ 4 Quotes (3)"  # the counts follow the cursor


# --- the density strip ---------------------------------------------------------------------------

def strip_lines(app) -> list[str]:
    from tui.widgets.density_strip import DensityStrip

    return str(app.screen.query_one(DensityStrip).render().plain).split("\n")


async def test_density_strip_scales_the_shown_set_to_its_own_peak_and_marks_the_window(make_app):
    from tui.model.query import from_options
    from tui.widgets.density_strip import DensityStrip

    query = from_options(actors=["omar-gonzalez"], date_from="2024-09", date_to="2024-09-30")
    app = make_app(query)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        bars, axis = strip_lines(app)
        strip = app.screen.query_one(DensityStrip)
        assert "█" in bars  # 2 events, drawn to full height: their own peak
        assert "╵2025" in axis and "2026╵" in axis  # year ticks (the last one left of its tick)
        assert strip.window is not None and strip.window[0] == strip.window[1]  # September 2024
        assert "▔" in axis  # the from/to window, drawn under the bars
        # nothing shown but the backdrop: no full-height bar, the timeline's shape faint
        await pilot.press("slash", *"zzzzqqq")
        await settle(app, pilot)
        bars, _ = strip_lines(app)
        assert "█" not in bars and set(bars) & set("▁▂▃▄")


async def test_clicking_the_density_strip_goes_to_that_month(make_app):
    from tui.widgets.density_strip import DensityStrip

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        strip = app.screen.query_one(DensityStrip)
        d = strip.density
        september = next(b for b in range(d.size) if d.label(b) == "Sep 2024")
        column = next(c for c, (a, b) in enumerate(strip._columns) if a <= september < b)
        await pilot.click(DensityStrip, offset=(1 + strip._bars_from + column, 0))
        await settle(app, pilot)
        position = view(app).current_position
        assert app.timeline.dates[position].start.month == 9 and app.timeline.dates[position].start.year == 2024


async def test_side_panes_say_loading_until_the_first_result(make_app, monkeypatch):
    import threading


    gate = threading.Event()
    import tui.screens.main as main_module

    original_run = main_module.run

    def slow_run(*args, **kwargs):
        assert gate.wait(timeout=30)
        return original_run(*args, **kwargs)

    monkeypatch.setattr(main_module, "run", slow_run)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("#detail-body").render()) == "Loading…"
        assert str(app.screen.query_one("#actor-info").render()) == "Loading…"
        assert "Loading…" in str(app.screen.query_one("#quotes").get_option_at_index(0).prompt)
        gate.set()
        await settle(app, pilot)
        assert str(app.screen.query_one("#detail-body").render()) != "Loading…"


async def test_query_bar_chips_name_the_actor(make_app):
    from tui.model import parse_query
    from tui.widgets.status_bar import Chip

    app = make_app(parse_query("actor:gonzalez,milei"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        labels = [str(c.render()) for c in app.screen.query(Chip) if c.display]
        # "milei" names one actor: the chip says who; "gonzalez" names two: kept as typed
        assert labels == ["actor: gonzalez or Javier Milei ×"]
