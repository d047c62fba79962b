"""The sourcing report in the explorer (issue 19): the event pane says how many independent
sources an event rests on, and a timeline row marks the events that rest on one."""

from __future__ import annotations

from textual.widgets import Static

from conftest import settle
from helpers_model import write
from tui.store.loader import load
from tui.screens.help import HelpScreen
from tui.widgets.timeline_view import TimelineView

SIZE = (120, 40)


def detail(app) -> str:
    return str(app.screen.query_one("#detail-body", Static).render())


def rows(app) -> dict[str, str]:
    """Each event row on screen, by the title it starts with."""
    tv = app.screen.query_one(TimelineView)
    lines = [tv.render_line(y).text for y in range(tv.scrollable_content_region.height)]
    return {e.title[:12]: line for e in tv.timeline.events for line in lines if e.title[:12] in line}


async def test_the_event_pane_counts_independent_sources(make_app, timeline):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tv = app.screen.query_one(TimelineView)
        siege = timeline.position["siege-begins"]
        tv.cursor = list(tv.positions).index(siege)
        await pilot.pause()
        # eleven cited sources, eight outlets: CNN's article and the posts known through it are one
        assert "Sources (11)  ·  8 independent sources  ·  first published 6 Sep 2024" in detail(app)
        election = timeline.position["presidential-election"]
        tv.cursor = list(tv.positions).index(election)
        await pilot.pause()
        assert "Sources (1)  ·  1 independent source  ·  first published 7 Sep 2024" in detail(app)


async def test_rows_mark_the_events_on_one_independent_source(make_app, tmp_path):
    data = {
        "format": "timeline/1", "title": "Marks",
        "sources": [
            {"id": "a1", "kind": "article", "title": "A", "publisher": "AFP", "url": "https://a.example/1"},
            {"id": "a2", "kind": "article", "title": "A again", "publisher": "afp", "url": "https://b.example/1"},
            {"id": "b", "kind": "article", "title": "B", "publisher": "Daily", "url": "https://d.example/1"},
        ],
        "events": [
            {"id": "wire-only", "date": "2024-01-01", "title": "Only the wire, twice", "sources": ["a1", "a2"]},
            {"id": "two", "date": "2024-01-02", "title": "Wire and a paper", "sources": ["a1", "b"]},
            {"id": "none", "date": "2024-01-03", "title": "Cites nothing yet"},
        ],
    }
    app = make_app(data=load(write(tmp_path / "marks.json", data)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = rows(app)
        assert "¹ " in shown["Only the wir"]  # two syndicated copies: one source
        assert "¹" not in shown["Wire and a p"] and "¹" not in shown["Cites nothin"]
        # the mark sits in the status column before the confidence flag, titles stay aligned
        assert shown["Only the wir"].index("Only") == shown["Wire and a p"].index("Wire")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        legend = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "resting on one independent source" in legend
