"""Snapshot tests of what issue 13 and 17 left without one, at 120x40 and 80x24: the
analyst's notes (a star in the row and the event pane, the note, label and save-view
dialogs), a picker counting under the other filters, the go-to-date dialog and the query
bar with its footer keys.

Baselines live in tests/__snapshots__/test_snapshots_dialogs/ (each was looked at); after a
deliberate visual change: pytest tests/test_snapshots_dialogs.py --snapshot-update
"""

from __future__ import annotations

import pytest

from conftest import settle
from tui.app import TimelineApp
from tui.model.query import from_options
from tui.store import load

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
SIEGE = "siege-begins"


def explorer(query=None) -> TimelineApp:
    return TimelineApp(timeline=load(), query=query)


def on_the_siege_then(*keys: str):
    """The cursor on the siege (6 Sep 2024), then ``keys``, each handled before the next."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(app, pilot)
        app.screen.query_one("#timeline").go_to_position(app.timeline.position[SIEGE])
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        quiet(app)
        await settle(app, pilot)

    return run_before


def quiet(app) -> None:
    """No toasts: whether one is still up depends on how long the keys took (a loaded
    machine lets it time out first). ``clear_notifications`` only clears the toasts of the
    screen on top: one raised on the main screen before a dialog opened stays drawn under
    that dialog until its own timeout, so every screen's toasts are removed here."""
    app.clear_notifications()
    for screen in app.screen_stack:
        screen.query("Toast").remove()


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_starred_event(snap_compare, size):
    """s on the siege: ★ in its row (the marks column appears) and "★ starred" in the event pane
    (its "Starred" toast cleared, see ``quiet``)."""
    assert snap_compare(explorer(), terminal_size=size, run_before=on_the_siege_then("s"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_note_dialog(snap_compare, size):
    """n on the siege, two lines typed: the event's title, the text and the key hints."""
    keys = ("n", *"Check the 20:00 time against", "enter", *"the Sebin post [sic]")
    assert snap_compare(explorer(), terminal_size=size, run_before=on_the_siege_then(*keys))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_label_dialog(snap_compare, size):
    """l on the power cut after labelling the siege "followup": the label offered ([ ]), a new one typed."""
    keys = ("l", *"followup", "enter", "enter", "up", "l", *"verify")
    assert snap_compare(explorer(), terminal_size=size, run_before=on_the_siege_then(*keys))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_save_view_dialog(snap_compare, size):
    """v with Omar González in September: the filters it saves and a name typed."""
    query = from_options(actors=["omar-gonzalez"], date_from="2024-09", date_to="2024-09-30")

    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        for key in ("v", *"siege week"):
            await pilot.press(key)
        quiet(pilot.app)
        await settle(pilot.app, pilot)

    assert snap_compare(explorer(query), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_actor_picker_under_filters(snap_compare, size):
    """a with September 2024 as the filter: each actor's events in September, of all ("2 of 5")."""
    query = from_options(date_from="2024-09", date_to="2024-09-30")
    assert snap_compare(explorer(query), terminal_size=size, run_before=on_the_siege_then("a"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_go_to_date_dialog(snap_compare, size):
    """Ctrl+G and a date typed."""
    assert snap_compare(explorer(), terminal_size=size,
                        run_before=on_the_siege_then("ctrl+g", *"2024-11"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_search_bar(snap_compare, size):
    """/power: five rows, the matches marked in rows and panes, the bar's keys in the footer."""
    assert snap_compare(explorer(), terminal_size=size,
                        run_before=on_the_siege_then("slash", *"power"))
