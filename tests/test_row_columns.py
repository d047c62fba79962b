"""The timeline row gives the title the room (issue 17, "Space and layout"): marker columns
that no event of the timeline fills take none, the analyst's marks only once there are notes,
the columns stay put when the filter changes, and with several files each row says which
file its event came from."""

from __future__ import annotations

import json

from conftest import settle
from tui.model.query import Query, make_term
from tui.store import bundled_path, load
from tui.widgets.timeline_row import measure
from tui.widgets.timeline_view import TimelineView

SIEGE = "siege-begins"


def view(app) -> TimelineView:
    return app.screen.query_one(TimelineView)


def row_of(app, event_id: str) -> str:
    tv = view(app)
    position = app.timeline.position[event_id]
    assert tv.go_to_position(position)
    return tv.render_line(tv.row_layout.row_of(tv.cursor) - int(tv.scroll_offset.y)).text


def plain_file(tmp_path, name="plain.json", prefix="p", title="Plain", n=4):
    """Events with no sources, all confirmed: no marker would ever show."""
    doc = {"format": "timeline/1", "title": title, "actors": [{"id": "ann", "name": "Ann Example", "kind": "person"}],
           "sources": [], "quotes": [],
           "events": [{"id": f"{prefix}{i}", "date": f"2024-09-{i + 1:02d}",
                       "title": f"{title} event number {i} with a long title that goes on and on",
                       "actors": ["ann"] if i % 2 else []} for i in range(n)]}
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


async def test_marker_columns_no_event_fills_take_no_room(tmp_path):
    from tui.app import TimelineApp

    timeline = load(plain_file(tmp_path))
    assert measure(timeline).markers == ()
    assert len(measure(load(bundled_path())).markers) == 3  # the bundled story has every kind
    app = TimelineApp(timeline=timeline)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        row = row_of(app, "p1")
        # cursor, date, one gap, then the title at once: no blank band of empty markers
        assert row.startswith("▶ 2 Sep Plain event number 1")
        # an event without actors gives their column to its title
        assert "goes on and on" in row_of(app, "p2")


async def test_columns_stay_put_when_the_filter_changes(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        before = row_of(app, SIEGE)
        app.screen.filters = Query().add(make_term("tag", ("siege",)))
        await settle(app, pilot)
        assert len(view(app).positions) < len(app.timeline)
        after = row_of(app, SIEGE)
        assert after == before  # same cells: date, markers, title and actors where they were


async def test_the_analysts_marks_take_a_column_once_there_are_notes(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        plain = row_of(app, SIEGE)
        assert "★" not in plain
        await pilot.press("s")  # star the event under the cursor
        await settle(app, pilot)
        starred = row_of(app, SIEGE)
        assert "★" in starred
        # the star takes its cells from the title, which starts 3 cells later
        title = "Security forces"
        assert starred.index(title) == plain.index(title) + 3


async def test_each_row_says_which_file_its_event_came_from(tmp_path):
    from tui.app import TimelineApp

    second = plain_file(tmp_path, "second.json", prefix="s", title="Second")
    timeline = load([bundled_path(), second])
    assert timeline.event_files[SIEGE] == 0 and timeline.event_files["s1"] == 1
    app = TimelineApp(timeline=timeline)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert " 2 Second event number 1" in row_of(app, "s1")
        assert " 1 Security forces" in row_of(app, SIEGE)
        await settle(app, pilot)
        assert "File: 1 argentine-embassy-siege.json" in str(app.screen.query_one("#detail-body").render())
        row_of(app, "s1")
        await settle(app, pilot)
        assert "File: 2 second.json" in str(app.screen.query_one("#detail-body").render())


async def test_the_density_strip_labels_each_year_once_when_wider_than_its_months(make_app):
    """At 200 columns the strip has more cells than the story has months: a January drawn
    in several columns got its year twice ("╵2025 ╵2025")."""
    from tui.widgets.density_strip import DensityStrip

    app = make_app()
    async with app.run_test(size=(200, 55)) as pilot:
        await settle(app, pilot)
        strip = app.screen.query_one(DensityStrip)
        axis = strip.render().plain.split("\n")[1]
        assert axis.count("2025") == 1 and axis.count("2026") == 1, axis


async def test_a_row_names_the_filtered_actor_first(make_app):
    """Filtered by Omar González, the refuge row (first actor: Magalli Meda) shows his name."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "Magalli Meda +7" in row_of(app, "six-take-refuge")
        app.screen.filters = Query().add(make_term("actor", ("omar-gonzalez",)))
        await settle(app, pilot)
        row = row_of(app, "six-take-refuge")
        assert "Omar González" in row and row.rstrip().endswith("+7")


async def test_clearing_a_narrow_filter_keeps_the_cursors_event_in_view(make_app):
    """At 80x24, x after the README's filters: the siege (under the cursor) is on screen."""
    from tui.model.query import from_options

    app = make_app(from_options(actors=["omar-gonzalez"], date_from="2024-09", date_to="2024-09-30"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        tv = view(app)
        assert tv.go_to_position(app.timeline.position[SIEGE])
        await pilot.press("4", "x")
        await settle(app, pilot)
        assert len(tv.positions) == len(app.timeline) and tv.current_position == app.timeline.position[SIEGE]
        shown = [tv.render_line(y).text for y in range(tv.scrollable_content_region.height)]
        assert any(line.startswith("▶") and "Security forces" in line for line in shown), shown


async def test_a_big_files_first_frame_does_not_wait_for_the_columns_sample(tmp_path, monkeypatch):
    """A big file's events are read back from it to measure the columns (20,000 of them at a
    million events): the first frame is drawn with the rows on screen measured, the sample is
    measured in a worker, and the rows are drawn again with its widths (issue 20)."""
    import threading

    from tui.app import TimelineApp
    from tui.store import loader
    from tui.widgets import timeline_view

    wide = "Ann Example Longer Name"
    doc = {"format": "timeline/1", "title": "Wide", "sources": [], "quotes": [],
           "actors": [{"id": "ann", "name": "Ann", "kind": "person"},
                      {"id": "wide", "name": wide, "kind": "person"}],
           "events": [{"id": f"e{i}", "date": f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}", "title": f"Event {i}",
                       "actors": ["wide" if i == 250 else "ann"]} for i in range(300)]}
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)  # read as a big file: events read back on demand
    timeline = load(path, cache=False)
    assert timeline.origin is not None
    gate, measuring = threading.Event(), threading.Event()
    real = timeline_view.measure

    def held(t):
        measuring.set()
        assert gate.wait(30)  # a guard against a hang, never a measure
        return real(t)

    monkeypatch.setattr(timeline_view, "measure", held)
    app = TimelineApp(timeline=timeline)
    async with app.run_test(size=(120, 40)) as pilot:
        while not len(view(app).positions) or not measuring.is_set():
            await pilot.pause()
        tv = view(app)
        first = tv.columns
        assert first is not None and first.actors == len("Ann")  # the rows on screen: the wide one is not
        assert tv.render_line(1).text.startswith("▶ 1 Jan")  # drawn while the sample is still being measured
        gate.set()
        await settle(app, pilot)
        assert tv.columns == real(timeline) and tv.columns.actors == len(wide)
        assert "Ann Example Longer" in row_of(app, "e250")  # its column as wide as the pane lets it be
