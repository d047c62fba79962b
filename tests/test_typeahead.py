"""Keys typed in one burst go where they were typed for, in order, whatever the machine's
speed (``tui/typeahead.py``): no clock decides when the next key goes, only whether the app
has finished with the last one. Every key of a burst is sent at once (``burst``), as a
paste or a key macro arrives."""

from __future__ import annotations

import asyncio

from conftest import settle
from test_usability import burst, typed
from tui.screens.annotate import NoteScreen
from tui.screens.dialogs import DateRangeScreen


def cursor_event(app) -> str:
    tv = app.screen.timeline_view
    return app.timeline.events[tv.current_position].id


async def test_keys_right_after_a_note_dialog_closes_go_to_the_timeline(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        first = cursor_event(app)
        # a note typed and saved, then j (next event) and s (star it), all in one burst
        await burst(app, pilot, "n", *typed("seen twice"), "ctrl+s", "j", "s")
        assert not isinstance(app.screen, NoteScreen)
        notes = app.screen.session.notes
        assert notes.get(first).note == "seen twice"
        second = cursor_event(app)
        assert second != first
        assert notes.get(second).starred and not notes.get(first).starred


async def test_keys_right_after_a_dialog_is_cancelled_are_not_lost(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        first = cursor_event(app)
        await burst(app, pilot, "a", *typed("omar"), "escape", "j", "j")
        assert str(app.screen.filters) == ""  # cancelled: no filter
        positions = app.screen.timeline_view.positions
        assert positions.index(app.timeline.position[cursor_event(app)]) == positions.index(
            app.timeline.position[first]) + 2


async def test_a_dialog_slow_to_open_still_gets_every_key_typed_behind_its_key(make_app, monkeypatch):
    """The date dialog's mount is held back until the test lets it go (a very slow
    machine): the keys typed behind ``d`` wait for it, however long that takes."""
    started, release = asyncio.Event(), asyncio.Event()
    mounted = getattr(DateRangeScreen, "on_mount", None)

    async def slow_mount(self) -> None:
        started.set()
        await release.wait()
        if mounted is not None:
            mounted(self)

    monkeypatch.setattr(DateRangeScreen, "on_mount", slow_mount, raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in ("d", *typed("2024-09"), "tab", *typed("2024-09-30"), "enter"):
            app._driver.send_message(_key(key))
        await asyncio.wait_for(started.wait(), 30)
        for _ in range(2000):  # the event loop goes round and round: the keys still wait
            await asyncio.sleep(0)
        assert app.keys_pending and isinstance(app.screen, DateRangeScreen)
        release.set()
        for _ in range(200):
            await pilot.pause()
            if not app.keys_pending:
                break
        await settle(app, pilot)
        assert str(app.screen.filters) == "from:2024-09 to:2024-09-30"


def _key(key: str):
    from test_usability import key_event

    return key_event(key)
