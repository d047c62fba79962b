"""The side panes follow the cursor once it settles (issue 20): a key moves the cursor at
once, and the event, actor and quote panes show the event it stops on, filled once for a
burst of keys rather than once per key.

Keys are posted to the app as the terminal driver posts them (several at once, as a key
held down delivers them to a busy app); the tests then wait for the screen to settle with
Pilot (no sleeps).
"""

from __future__ import annotations

import threading

import pytest
from textual import events
from textual.widgets import OptionList, Static

from conftest import settle
from tui.screens.main import MainScreen
from tui.widgets.event_detail import EventDetail
from tui.widgets.quote_pane import QuotePane

SIZE = (120, 40)


def detail(app) -> str:
    return str(app.screen.query_one("#detail-body", Static).render())


def actor_ids(app) -> list[str]:
    return [o.id for o in app.screen.query_one("#actor-list", OptionList).options]


def quote_ids(app) -> list[str]:
    return [o.id for o in app.screen.query_one("#quotes", QuotePane).options if o.id]


async def panes_settled(app, pilot) -> None:
    """Until the screen has handed the cursor's event to the side panes (``_settle`` runs
    after the frame that drew the cursor, once no key is waiting)."""
    for _ in range(50):
        await pilot.pause()
        screen = app.screen
        if screen.shown == screen.current and not screen._settling:
            return
    raise AssertionError(f"the side panes never settled: shown {app.screen.shown}, current {app.screen.current}")


def post_keys(app, *keys: str) -> None:
    """Queue keys all at once, as the driver does when the terminal sends them in a burst."""
    for key in keys:
        event = events.Key(key, None)
        event.set_sender(app)
        app.post_message(event)


def assert_panes_show(app, position: int) -> None:
    timeline = app.screen.timeline
    event = timeline.events[position]
    assert event.title in detail(app)
    assert actor_ids(app) == list(dict.fromkeys(event.actor_ids()))
    assert quote_ids(app) == [q.id for q in timeline.quotes_at(position)]


@pytest.fixture
async def explorer(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await panes_settled(app, pilot)
        yield app, pilot


async def test_every_pane_shows_the_event_the_cursor_settles_on(explorer):
    app, pilot = explorer
    screen: MainScreen = app.screen
    view = screen.timeline_view
    assert_panes_show(app, view.current_position)
    for keys, index in ((("down",) * 3, 3), (("end",), len(view.positions) - 1), (("up",), len(view.positions) - 2)):
        before = detail(app)
        post_keys(app, *keys)
        await panes_settled(app, pilot)
        assert view.cursor == index
        assert screen.shown == view.current_position
        assert detail(app) != before
        assert_panes_show(app, view.current_position)


async def test_a_burst_of_keys_fills_the_panes_once_for_the_last_event(explorer, monkeypatch):
    app, pilot = explorer
    view = app.screen.timeline_view
    filled: list[int | None] = []
    watch = EventDetail.watch_current

    def counting(self, position):
        filled.append(position)
        return watch(self, position)

    monkeypatch.setattr(EventDetail, "watch_current", counting)
    post_keys(app, *["down"] * 8)
    await panes_settled(app, pilot)
    assert view.cursor == 8
    assert filled == [view.current_position]  # not one fill per key
    assert_panes_show(app, view.current_position)


async def test_the_narrow_tabs_count_the_settled_events_actors(make_app, timeline):
    """At 80 columns the shared slot's border counts the shown event's actors and quotes."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen.timeline_view
        target = next(i for i, p in enumerate(view.positions) if timeline.quote_count(p) and i)
        post_keys(app, *["down"] * target)
        await panes_settled(app, pilot)
        position = view.current_position
        title = str(app.screen.query_one("#quotes").border_title)
        assert f"{timeline.quote_count(position)}" in title


async def test_appears_most_often_with_is_counted_in_a_worker_on_big_timelines(make_app, monkeypatch):
    """Above ``COUNT_ASIDE_FROM`` events "appears most often with" is counted only once the
    actor pane has the focus, in a worker; the answer is the one counted in place."""
    from tui.model.cooccur import appears_with
    from tui.widgets import actor_pane

    monkeypatch.setattr(actor_pane, "COUNT_ASIDE_FROM", 0)
    threads = []

    def counting(timeline, actor_id, *args, **kw):
        threads.append(threading.current_thread())
        return appears_with(timeline, actor_id, *args, **kw)

    monkeypatch.setattr(actor_pane, "appears_with", counting)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await panes_settled(app, pilot)
        pane = app.screen.query_one(actor_pane.ActorPane)
        post_keys(app, *["down"] * 5)
        await panes_settled(app, pilot)
        await settle(app, pilot)
        info = pane.query_one("#actor-info", Static)
        assert "counted when this pane has the focus" in str(info.render())
        assert not threads  # scrolling the events never counts
        await pilot.press("3")
        await settle(app, pilot)  # the worker, and the profile it fills in
        actor = pane.highlighted_actor
        profile = str(info.render())
        assert "counting…" not in profile
        top = appears_with(app.timeline, actor)
        assert top, "pick an event whose first actor appears with others"
        assert f"Appears most often with: {app.timeline.actor_name(top[0][0])} {top[0][1]}" in profile
        assert pane._together[actor] == top
        assert threads and threading.main_thread() not in threads


async def test_the_heap_is_left_out_of_full_collections_while_the_first_screen_is_shown(make_app):
    """Once the first result is shown, what is in memory is frozen (``gc.freeze``): a full
    pass of the collector no longer walks the timeline in the middle of a key; when the
    screen goes, it is unfrozen, so nothing it held is kept for good."""
    import gc

    from tui.screens import main

    saved = dict(main._heap)
    main._heap.update(frozen=False, thawed=False)
    try:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert main._heap["frozen"] and gc.get_freeze_count() > 0
        assert not main._heap["frozen"] and gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        main._heap.update(saved)
