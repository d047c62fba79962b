"""The pickers count each actor's and tag's events under the other filters, out of all of
them ("Omar González 2 of 5", issue 17 D17): a reporter who narrowed to September sees who
is in September, without the picker's own filter narrowing its counts."""

from __future__ import annotations

from conftest import settle
from tui.model.facets import counts_within
from tui.model.query import parse_query
from tui.screens.dialogs import PickerScreen


def test_counts_within_counts_only_the_positions_given():
    postings = {"a": [0, 2, 4], "b": [1], "c": []}
    assert counts_within("abc", postings.__getitem__, [2, 3, 4], 5) == {"a": 2, "b": 0, "c": 0}


def picker_rows(app) -> list[str]:
    picker = app.screen.query_one("#picker-list")
    return [picker.render_line(y).text.strip(" ▊▎") for y in range(picker.option_count)]


async def opened_picker(app, pilot, key: str) -> list[str]:
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, PickerScreen)
    return picker_rows(app)


async def test_actor_and_tag_pickers_count_under_the_other_filters(make_app):
    app = make_app(parse_query("from:2024-09 to:2024-09-30 actor:omar-gonzalez"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        rows = await opened_picker(app, pilot, "a")
        # September only (the actor filter is the picker's own): Omar González has 2 of 5
        assert any(r.startswith("[x] Omar González  2 of 5") for r in rows), rows
        assert "under the other filters" in str(app.screen.query_one("Label").render())
        await pilot.press("escape")
        rows = await opened_picker(app, pilot, "t")
        # Omar González in September: the tags of those 2 events, most of them first
        assert rows[:2] == ["[ ] siege  2 of 4", "[ ] power-cut  1 of 5"], rows[:3]


async def test_without_other_filters_a_picker_counts_all_events(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        rows = await opened_picker(app, pilot, "a")
        assert any(r.startswith("[ ] Omar González  5") and " of " not in r for r in rows), rows
