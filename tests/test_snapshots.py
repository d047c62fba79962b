"""Snapshot tests: the main screen, a filtered view, the pickers, the date dialog and the help screen, at 120x40 and 80x24.

Baselines live in tests/__snapshots__/test_snapshots/. After a deliberate visual change, look
at the report (snapshot_report.html) first, then: pytest tests/test_snapshots.py --snapshot-update
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


async def settled(pilot) -> None:
    """Wait for the filter worker and the messages it posts."""
    await settle(pilot.app, pilot)


def keys_then_settle(*keys: str):
    async def run_before(pilot) -> None:
        await settled(pilot)
        if keys:
            await pilot.press(*keys)
            await settled(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_main_screen(snap_compare, size):
    """The whole timeline; the cursor on the siege (6 Sep 2024, night), focus on the timeline."""

    async def run_before(pilot) -> None:
        await settled(pilot)
        view = pilot.app.screen.query_one("#timeline")
        siege = next(i for i, e in enumerate(pilot.app.timeline.events) if e.id == "siege-begins")
        view.go_to_position(siege)
        await settled(pilot)

    assert snap_compare(explorer(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_filtered_view(snap_compare, size):
    """Omar González in September 2024: 2 of 28 events, three chips, cursor on the power cut."""
    query = from_options(actors=["omar-gonzalez"], date_from="2024-09", date_to="2024-09-30")
    assert snap_compare(explorer(query), terminal_size=size, run_before=keys_then_settle())


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_help_screen(snap_compare, size):
    """? over the main screen: every key, grouped."""
    assert snap_compare(explorer(), terminal_size=size, run_before=keys_then_settle("question_mark"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_actor_picker(snap_compare, size):
    """a, "gonz", ↓, Space: two matches, the first ticked ([x]), the count and key hints shown."""
    assert snap_compare(explorer(), terminal_size=size,
                        run_before=keys_then_settle("a", "g", "o", "n", "z", "down", "space"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_tag_picker(snap_compare, size):
    """t: every tag with its event count, most used first, nothing ticked ([ ])."""
    assert snap_compare(explorer(), terminal_size=size, run_before=keys_then_settle("t"))


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_date_range_dialog(snap_compare, size):
    """d, a bad date, Enter: the inline error and the key hints, inside the screen at 80x24."""
    assert snap_compare(explorer(), terminal_size=size,
                        run_before=keys_then_settle("d", *"2024-13", "enter"))
