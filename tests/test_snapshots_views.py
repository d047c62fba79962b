"""Snapshots of issue 14's views at 120x40 and 80x24: the siege replayed as of 6 Sep 2024,
the disputed view, Omar González's swimlanes, the story clock (anchored on the siege, times
in UTC) and the within/possibly count.

Baselines live in tests/__snapshots__/test_snapshots_views/. After a deliberate visual change,
look at the report first, then: pytest tests/test_snapshots_views.py --snapshot-update
"""

from __future__ import annotations

import pytest

from conftest import settle
from tui.app import TimelineApp
from tui.store import load
from tui.model.query import from_options

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}


def explorer(query=None) -> TimelineApp:
    return TimelineApp(timeline=load(), query=query)


def on_event(event_id: str, *keys: str):
    """Cursor on an event, then press keys, waiting for workers after each step."""

    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        pilot.app.screen.query_one("#timeline").go_to_position(pilot.app.timeline.position[event_id])
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_as_of_siege_night(snap_compare, size):
    """As of 6 Sep 2024: the siege is known (Urruchurtu's post), the revocation of the 7th not yet."""
    app = explorer(from_options(as_of="2024-09-06"))
    assert snap_compare(app, terminal_size=size, run_before=on_event("siege-begins"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_disputed_view(snap_compare, size):
    """D: the disputed events, supporting and disputing sources side by side."""
    assert snap_compare(explorer(), terminal_size=size, run_before=on_event("siege-begins", "D"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_swimlanes_omar_gonzalez(snap_compare, size):
    """w, filtered by Omar González: his lane first, the cursor on the column of the siege
    (a week at 120 columns, a month at 80)."""
    async def run_before(pilot) -> None:
        await on_event("siege-begins", "w")(pilot)
        lanes = pilot.app.screen.lanes
        grid = pilot.app.screen.query_one("#lanes")
        grid.column = next(c for c in range(lanes.count) if lanes.period(c)[0] <= "2024-09-06" <= lanes.period(c)[1]
                           or lanes.period(c)[0] == "2024-09")
        await settle(pilot.app, pilot)

    app = explorer(from_options(actors=["omar-gonzalez"]))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_story_clock(snap_compare, size):
    """Anchored on the siege (@), times in UTC (z), cursor on Meda's 06:30 post."""
    async def run_before(pilot) -> None:
        await on_event("siege-begins", "at", "z")(pilot)
        pilot.app.clear_notifications()  # the "times shown in UTC" toast would cover the pane
        pilot.app.screen.query_one("#timeline").go_to_position(
            pilot.app.timeline.position["meda-reports-siege-continues"])
        await settle(pilot.app, pilot)

    assert snap_compare(explorer(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_within_2024(snap_compare, size):
    """within:2024: the events certainly in 2024, and how many more only possibly are."""
    app = explorer(from_options(within=["2024"]))
    assert snap_compare(app, terminal_size=size, run_before=on_event("siege-begins"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_zone_madrid(snap_compare, size):
    """--zone Europe/Madrid, z twice (as stored -> UTC -> Madrid): the siege night's times in
    CEST in the rows, the event pane and the quotes; days unshifted."""
    async def run_before(pilot) -> None:
        await on_event("siege-begins", "z", "z")(pilot)
        pilot.app.clear_notifications()
        await settle(pilot.app, pilot)

    app = TimelineApp(timeline=load(), query=from_options(date_from="2024-09-05", date_to="2024-09-08"),
                      zone="Europe/Madrid")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_date_dialog_within(snap_compare, size):
    """d on within:2024: the dialog opens in the 'certainly within' mode it was left in."""
    app = explorer(from_options(within=["2024"]))
    assert snap_compare(app, terminal_size=size, run_before=on_event("siege-begins", "d"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_appears_most_often_with(snap_compare, size):
    """The actor pane on Omar González (the power cut, 3), scrolled to "Appears most often
    with": the top five and the events each shares with him, each name a link."""
    async def run_before(pilot) -> None:
        await on_event("power-cut-2024-09-06", "3")(pilot)
        pane = pilot.app.screen.query_one("#actors")
        scroll = pane.query_one("#actor-info-scroll")
        lines = pane.profile("omar-gonzalez").wrap(scroll.scrollable_content_region.width)
        top = next(i for i, line in enumerate(lines) if line.plain.startswith("Appears most often with"))
        scroll.scroll_to(y=top, animate=False, immediate=True)  # that line at the top of the profile
        await settle(pilot.app, pilot)

    assert snap_compare(explorer(), terminal_size=size, run_before=run_before)
