"""Live reload: the explorer follows its files as they change (``live_reload.py``,
``store/watcher.py``, ``model/changes.py``).

The files are the bundled dataset (the real story), written out as the user's own copy.
Polls are made by the test (``app.poll_files()``, what the timer calls) with the timer
paused, so each step is one known look at the disk; every step checks what the screen shows.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tui.app import TimelineApp
from tui.cli import main
from tui.store import load
from tui.model.changes import diff
from tui.store.loader import bundled_path
from tui.store.watcher import POLL_SECONDS, Watcher
from tui.widgets.reload_panel import ReloadPanel

SOURCE = "lnginnorthernbc-2026-01-11"  # a source of the bundled dataset


def event_line(n: int, day: int = 21) -> str:
    return json.dumps({"type": "event", "id": f"new-{n}", "date": f"2024-03-{day:02d}",
                       "title": f"Appended event number {n}", "actors": ["argentina-government"],
                       "sources": [SOURCE]}) + "\n"


@pytest.fixture
def story_jsonl(tmp_path, capsys):
    path = tmp_path / "story.jsonl"
    assert main(["list", "--format", "jsonl", "-o", str(path)]) == 0
    capsys.readouterr()
    return path


@pytest.fixture
def story_json(tmp_path):
    path = tmp_path / "story.json"
    shutil.copy(bundled_path(), path)
    return path


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def cursor_title(app) -> str:
    screen = app.screen
    return screen.timeline.events[screen.current].title


async def settle(app, pilot) -> None:
    """Until the reload, the new screen's first filter and its drawing are all done."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def poll(app, pilot) -> None:
    app.poll_files()
    await settle(app, pilot)


def start(path, **kw) -> TimelineApp:
    app = TimelineApp([str(path)], timeline=load([str(path)]), **kw)
    return app


async def opened(app, pilot) -> None:
    await settle(app, pilot)
    app._poller.pause()  # the test makes every poll itself


async def test_an_appended_event_shows_with_the_cursor_kept_and_n_goes_to_it(story_jsonl):
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await opened(app, pilot)
        await pilot.press("j", "j", "j")
        before = cursor_title(app)
        assert "28 events" in screen_text(app)
        with story_jsonl.open("a") as f:
            f.write(event_line(1) + event_line(2, 22) + event_line(3, 23))
        await poll(app, pilot)
        shown = screen_text(app)
        assert "31 events" in shown and shown.count("Appended event") == 3
        assert cursor_title(app) == before  # the same event, though it moved down three rows
        assert [n.message for n in app._notifications][-1].startswith("+3 events")
        await pilot.press("N")
        assert cursor_title(app) == "Appended event number 1"
        await pilot.press("N", "N", "N")  # steps through the three, then wraps round
        assert cursor_title(app) == "Appended event number 1"


async def test_an_edit_keeps_filters_and_says_what_changed(story_json):
    app = start(story_json)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"embassy", "enter")
        await settle(app, pilot)
        filtered = app.screen.filters
        count_before = len(app.screen.timeline_view.positions)
        data = json.loads(story_json.read_text())
        events = data["events"]
        edited = next(e for e in events if "embassy" in e["title"].lower())
        edited["title"] = edited["title"] + " (corrected)"
        gone = events.pop(next(i for i, e in enumerate(events)
                               if "embassy" in e["title"].lower() and e is not edited))
        data["quotes"] = [q for q in data["quotes"] if q.get("event") != gone["id"]]
        events.append({"id": "embassy-new", "date": "2025-06-01", "title": "A new embassy event",
                       "sources": [SOURCE]})
        story_json.write_text(json.dumps(data))
        await poll(app, pilot)
        assert app.screen.filters == filtered  # the search is still on
        assert "“embassy” ×" in screen_text(app)
        assert len(app.screen.timeline_view.positions) == count_before  # one in, one out
        new = app.screen.timeline
        assert new.events_at([new.position[edited["id"]]])[0].title.endswith("(corrected)")
        assert gone["id"] not in new.position
        assert [n.message for n in app._notifications][-1] == "+1 event, 1 changed, 1 removed · N: next new"
        assert app.fresh == tuple(sorted((edited["id"], "embassy-new"),
                                         key=app.screen.timeline.position.__getitem__))


async def test_a_deleted_file_keeps_the_last_version_until_it_is_back(story_jsonl):
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        kept = story_jsonl.read_text()
        story_jsonl.unlink()
        await poll(app, pilot)
        shown = screen_text(app)
        assert "story.jsonl is gone" in shown and "28 events" in shown
        story_jsonl.write_text(kept + event_line(1))
        await poll(app, pilot)
        shown = screen_text(app)
        assert "29 events" in shown and "is gone" not in shown
        assert not app.screen.query(ReloadPanel)


async def test_a_write_broken_mid_way_shows_its_problems_then_the_completed_file(story_jsonl):
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        await pilot.press("j")
        before = cursor_title(app)
        whole = story_jsonl.read_bytes() + event_line(1).encode()
        story_jsonl.write_bytes(whole[: len(whole) // 2])  # a writer stopped half way
        await poll(app, pilot)
        shown = screen_text(app)
        assert "Not reloaded" in shown and "no longer loads" in shown
        assert "28 events" in shown and cursor_title(app) == before  # the last good version
        assert "story.jsonl" in app.screen.query_one(ReloadPanel).query("Static").first().render().plain
        story_jsonl.write_bytes(whole)  # ... and finished
        await poll(app, pilot)
        shown = screen_text(app)
        assert "29 events" in shown and "Not reloaded" not in shown
        assert cursor_title(app) == before


async def test_escape_hides_the_problems_and_the_old_version_stays_usable(story_jsonl):
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        story_jsonl.write_text('{"format": "timeline/1", "title": "x"}\n{"type": "event", "id": "Bad"}\n')
        await poll(app, pilot)
        assert app.screen.query(ReloadPanel)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query(ReloadPanel) and "28 events" in screen_text(app)
        await pilot.press("j")
        assert app.screen.current == 1


async def test_a_change_while_a_dialog_is_open_shows_once_it_closes(story_jsonl):
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        await pilot.press("slash", *"siege")
        await settle(app, pilot)
        with story_jsonl.open("a") as f:
            f.write(event_line(1))
        await poll(app, pilot)
        assert app.screen.query_one("#query-input").value == "siege"  # what is typed stays
        await pilot.press("enter")
        await poll(app, pilot)
        assert len(app.screen.timeline) == 29 and "“siege” ×" in screen_text(app)


async def test_a_reload_that_fails_unexpectedly_never_ends_the_explorer(story_jsonl, monkeypatch):
    import tui.live_reload
    import tui.store.growth

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        monkeypatch.setattr(tui.live_reload, "load_any", broken)
        monkeypatch.setattr(tui.store.growth, "grow", broken)  # imported when a reload runs
        with story_jsonl.open("a") as f:
            f.write(event_line(1))
        await poll(app, pilot)
        assert "disk on fire" in screen_text(app) and "28 events" in screen_text(app)
    assert app.return_code in (0, None)


async def test_idle_watching_is_one_stat_per_file_per_poll_and_reads_nothing(story_jsonl, monkeypatch):
    import tui.live_reload
    import tui.store.growth

    loads = []
    monkeypatch.setattr(tui.live_reload, "load_any", lambda *a, **k: loads.append(a))
    monkeypatch.setattr(tui.store.growth, "grow", lambda *a, **k: loads.append(a))
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        assert app._poller._interval >= POLL_SECONDS >= 0.2  # a few looks a second, not a busy loop
        stats = []
        real = app.watcher._stat
        app.watcher._stat = lambda path: stats.append(path) or real(path)
        for _ in range(20):
            app.poll_files()
        await settle(app, pilot)
        assert stats == [str(story_jsonl)] * 20 and loads == []


def test_the_watcher_sees_appends_edits_replacements_and_deletions(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text("a\n")
    watcher = Watcher([str(path)])
    assert watcher.poll() == {}
    with path.open("a") as f:
        f.write("b\n")
    assert list(watcher.poll()) == [str(path)]
    os.utime(path, ns=(1, 1))  # same size, another time: an edit
    assert list(watcher.poll()) == [str(path)]
    other = tmp_path / "g"
    other.write_text("a\nb\n")
    os.utime(other, ns=(1, 1))
    os.replace(other, path)  # an editor's save: same size and time, another file
    assert list(watcher.poll()) == [str(path)]
    path.unlink()
    assert watcher.poll() == {str(path): None} and watcher.missing() == [str(path)]


def test_no_watch_turns_it_off(story_jsonl, monkeypatch):
    from tui.cli import build_parser

    assert build_parser().parse_args(["explore", "--no-watch"]).no_watch
    app = TimelineApp([str(story_jsonl)], timeline=load([str(story_jsonl)]), watch=False)
    assert app.watcher is None


async def test_no_watch_app_has_no_poll(story_jsonl):
    app = TimelineApp([str(story_jsonl)], timeline=load([str(story_jsonl)]), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not hasattr(app, "_poller")


def test_changes_are_counted_by_event_id(timeline, story_json):
    data = json.loads(story_json.read_text())
    data["events"][0]["title"] += "!"
    removed = data["events"].pop(1)["id"]
    data["quotes"] = [q for q in data["quotes"] if q.get("event") != removed]
    story_json.write_text(json.dumps(data))
    changes = diff(timeline, load([str(story_json)]))
    assert changes.removed == (removed,) and changes.changed == (data["events"][0]["id"],)
    assert changes.added == () and changes.summary() == "1 changed, 1 removed"
    assert diff(timeline, timeline).summary() == "no change" and not diff(timeline, timeline)


# --- a JSON Lines file that only grew: its new lines only (store/growth.py, tests/test_growth.py) --

async def test_in_the_explorer_an_append_to_a_big_file_reads_only_the_new_lines(story_jsonl, monkeypatch):
    import tui.live_reload
    import tui.store.growth
    from tui.store import loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await opened(app, pilot)
        monkeypatch.setattr(tui.live_reload, "load_any", None)  # a full read would fail this test
        await pilot.press("j", "j")
        before = cursor_title(app)
        with story_jsonl.open("a") as f:
            f.write(event_line(7).replace("2024-03-21", "2027-01-01"))
        await poll(app, pilot)
        assert "29 events" in screen_text(app) and cursor_title(app) == before
        assert [n.message for n in app._notifications][-1] == "+1 event · N: next new"
        await pilot.press("N")
        assert cursor_title(app) == "Appended event number 7"


async def test_a_file_of_another_format_is_converted_again_on_reload(tmp_path):
    """A Timesketch CSV export (tests/fixtures, from the Timesketch project) opened in the
    explorer, then a row added: the reload converts it again, as the first open did."""
    from pathlib import Path

    from tui.interchange.opening import load_any

    path = tmp_path / "sigma_events.csv"
    shutil.copy(Path(__file__).parent / "fixtures" / "timesketch" / "sigma_events.csv", path)
    app = TimelineApp([str(path)], timeline=load_any([str(path)]))
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        n = len(app.screen.timeline)
        with path.open("a") as f:
            f.write('"A row added later","1437764464000000","2015-07-24T19:01:04+00:00","Write time",'
                    '"qux","","","","","",""\n')
        await poll(app, pilot)
        assert len(app.screen.timeline) == n + 1 and not app.screen.query(ReloadPanel)
        assert f"{n + 1} events" in screen_text(app)


async def test_an_append_dated_in_the_middle_keeps_the_filter_and_the_cursor_on_its_event(story_jsonl, monkeypatch):
    """A big file (records read back from disk): events dated among the old ones, one of them
    matching the filter, go in without a full read; the filter stays, the count grows by the
    one that matches, and the cursor stays on its event though it moved down a row."""
    import tui.live_reload
    import tui.store.growth
    from tui.model.query import from_options
    from tui.store import loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await opened(app, pilot)
        monkeypatch.setattr(tui.live_reload, "load_any", None)  # a full read would fail this test
        app.screen.filters = from_options(actors=["argentina-government"])
        await settle(app, pilot)
        shown = len(app.screen.timeline_view.positions)
        await pilot.press("j", "j")
        before = cursor_title(app)
        with story_jsonl.open("a") as f:
            f.write(event_line(1, 1).replace("2024-03-01", "2000-01-01")  # before every event
                    + event_line(2, 2).replace('"actors": ["argentina-government"], ', ""))
        await poll(app, pilot)
        assert app.screen.filters == from_options(actors=["argentina-government"])
        assert len(app.screen.timeline) == 30 and len(app.screen.timeline_view.positions) == shown + 1
        assert f"{shown + 1} of 30 events" in screen_text(app)
        assert cursor_title(app) == before
        assert [n.message for n in app._notifications][-1] == "+2 events · N: next new"


async def test_a_broken_line_appended_to_a_big_file_is_named_with_its_line_and_the_last_version_stays(story_jsonl, monkeypatch):
    import tui.live_reload
    import tui.store.growth
    from tui.store import loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    lines = len(story_jsonl.read_bytes().splitlines())
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        monkeypatch.setattr(tui.live_reload, "load_any", None)  # named without reading the whole file
        await pilot.press("j")
        before = cursor_title(app)
        with story_jsonl.open("a") as f:
            f.write(event_line(1).replace("2024-03-21", "2027-01-01") + '{"type": "event", "id": \n')
        await poll(app, pilot)
        panel = app.screen.query_one(ReloadPanel)
        problems = [str(s.render()) for s in panel.query(".problem")]
        assert problems == [f"{story_jsonl}:{lines + 2}: error: is not valid JSON: Input data was truncated"]
        assert "28 events" in screen_text(app) and cursor_title(app) == before  # the last good version
        with story_jsonl.open("a") as f:  # more lines after it: still broken at the same line
            f.write(event_line(3).replace("2024-03-21", "2027-01-03"))
        await poll(app, pilot)
        assert f":{lines + 2}: error" in screen_text(app) and "28 events" in screen_text(app)


def profile_text(screen) -> str:
    """The actor pane's profile of the highlighted actor, as plain text."""
    return str(screen.pane("actors").query_one("#actor-info").render())


async def test_an_append_is_shown_in_the_same_screen_with_its_panes_on_the_new_version(story_jsonl, monkeypatch):
    """A file that grew is shown in place (``MainScreen.adopt``): the same screen, every pane
    on the new version, the side panes filled again from it though the cursor's position did
    not change; an answer the screen's filter worker finds over the old version afterwards
    is not shown over the new one; and filters changed while the reload was read get a new
    screen with them."""
    from tui.messages import Filtered
    from tui.model.query import from_options
    from tui.screens.main import MainScreen
    from tui.store import loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)  # a big file: records read back, indexes spliced
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await opened(app, pilot)
        screen = app.screen
        await pilot.press("j", "j")
        await settle(app, pilot)
        old, before, at = screen.timeline, cursor_title(app), screen.current
        actor = screen.pane("actors").highlighted_actor
        count = old.actor_stats(actor).events
        assert f"In {count} events" in profile_text(screen)
        line = event_line(1).replace("2024-03-21", "2027-01-01").replace("argentina-government", actor)
        with story_jsonl.open("a") as f:
            f.write(line)  # dated last: the cursor's event keeps its position
        await poll(app, pilot)
        assert app.screen is screen and screen.timeline is app.timeline is not old
        for pane in (screen.timeline_view, screen.pane("detail"), screen.pane("actors"), screen.pane("quotes")):
            assert pane.timeline is app.timeline
        assert screen.query_one("DensityStrip").density.timeline is app.timeline
        assert screen.current == at and cursor_title(app) == before and "29 events" in screen_text(app)
        assert f"In {count + 1} events" in profile_text(screen)  # the actor's count, of the new version
        stale = Filtered(screen.filters, range(28), screen.timeline_view.row_layout, [], [], timeline=old)
        screen.post_message(stale)
        await settle(app, pilot)
        assert list(screen.timeline_view.positions) == list(range(29))

        with story_jsonl.open("a") as f:  # dated first: every event moves down a row
            f.write(event_line(2, 1).replace("2024-03-01", "2000-01-01"))
        await poll(app, pilot)
        assert app.screen is screen and cursor_title(app) == before and screen.current == at + 1
        assert "Appended event number 2" in screen_text(app) and "30 events" in screen_text(app)

        with story_jsonl.open("a") as f:  # the filters change while the reload is on its way
            f.write(event_line(3, 2))
        app.poll_files()
        screen.filters = from_options(actors=["argentina-government"])
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen) and len(app.screen.timeline) == 31
        assert app.screen.filters == from_options(actors=["argentina-government"])
        assert "Appended event number 3" in screen_text(app)


async def test_a_reloaded_version_s_cache_is_written_once_it_has_rested(story_jsonl, monkeypatch):
    """A file being appended to does not have its whole cache written again (and its word
    index built again) after every append: a reloaded version's cache is written once it
    has stayed the one shown for ``SAVE_AFTER_RELOAD`` seconds, and a version replaced
    meanwhile is never written."""
    import weakref

    import tui.app
    from tui.store import loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)  # a big file: one the cache is for
    saved = []
    monkeypatch.setattr(tui.app, "save", saved.append)
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        assert saved == [app.timeline]  # the version opened: written once its search text is built
        with story_jsonl.open("a") as f:
            f.write(event_line(1))
        await poll(app, pilot)
        first = app.timeline
        assert len(first) == 29 and first.text_ready and saved == saved[:1]  # not yet
        with story_jsonl.open("a") as f:
            f.write(event_line(2))
        await poll(app, pilot)
        app._save_rested(weakref.ref(first))  # its timer: replaced meanwhile, never written
        app._save_rested(weakref.ref(app.timeline))  # the one shown, rested
        await settle(app, pilot)
        assert saved[1:] == [app.timeline] and len(app.timeline) == 30


async def test_a_settle_due_on_a_screen_whose_panes_are_gone_does_nothing(story_jsonl):
    """A reload with new filters replaces the screen; a cursor move's settle still due on the
    old one (``call_after_refresh``) finds no panes there, and must not raise (it did, at the
    app's exit, about one run in four of the test above)."""
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        screen = app.screen
        await screen.remove_children()
        screen._settling = True
        screen._settle()
        assert screen._settling is False


async def test_a_version_answering_from_an_older_index_gets_its_own_once_its_cache_is_written(story_jsonl,
                                                                                              monkeypatch):
    """A version grown at its end answers words from the index of the one it grew from
    (``growth.WordsBefore``); once its own cache is written, the index built for that cache
    replaces it (a failed build keeps the older one, which still answers right)."""
    import tui.app
    from tui.store import growth, loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    app = start(story_jsonl)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(app, pilot)
        timeline = app.timeline
        own, older = object(), growth.WordsBefore(object(), 3)
        built = []
        monkeypatch.setattr(tui.app, "save", lambda t: story_jsonl)
        for result in (None, own):
            timeline.words = older
            monkeypatch.setattr(tui.app, "build_aside", lambda target, r=result: built.append(target) or r)
            app._save_cache(timeline)
            await settle(app, pilot)
            assert timeline.words is (older if result is None else own)
        assert built == [story_jsonl, story_jsonl]
        app._save_cache(timeline)  # an index of its own: not built again
        await settle(app, pilot)
        assert built == [story_jsonl, story_jsonl] and timeline.words is own
