"""The explorer on a big file it has cached (issue 20): the cache is restored in a thread
while Textual imports, and the explorer opens straight on its main screen; anything but a
clean reopen (no cache, a damaged one, a reopen still running) goes through the loading
screen, which waits for that same reopen or reads the file and says what was wrong."""

from __future__ import annotations

import threading

import pytest

from conftest import settle
from tui import cli
from tui.app import TimelineApp
from tui.reopening import Reopening
from tui.screens.loading import LoadingScreen
from tui.screens.main import MainScreen
from tui.store import cache, loader
from tui.store.cachefile import read_toc
from tui.store.loader import bundled_path, load

SIZE = (120, 40)


@pytest.fixture
def big(monkeypatch, tmp_path):
    """A copy of the bundled story that counts as big (cached, read into columns)."""
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(cli, "EAGER_LIMIT", 0)  # the command line leaves it to the explorer
    path = tmp_path / "big.json"
    path.write_bytes(bundled_path().read_bytes())
    return path


def cached(path):
    fresh = load(path)
    fresh.haystack()
    return cache.save(fresh)


def opened_by_the_command_line(monkeypatch, *argv) -> TimelineApp:
    """The app ``timeline explore`` builds (its run is skipped)."""
    made = []
    monkeypatch.setattr(TimelineApp, "run", lambda self, *a, **k: made.append(self))
    assert cli.main(["explore", *argv, "--no-watch"]) == 0
    return made[0]


def test_the_command_line_opens_a_cached_file_already_restored(big, monkeypatch):
    cached(big)
    app = opened_by_the_command_line(monkeypatch, str(big))
    assert app.timeline is not None and app.timeline.from_cache  # no loading screen: the main screen at once
    assert app.density is not None and app.reopening is None


def test_without_a_cache_the_explorer_loads_the_file_itself(big, monkeypatch):
    app = opened_by_the_command_line(monkeypatch, str(big))
    assert app.timeline is None and app.reopening is not None
    assert app.reopening.result(30) is None  # nothing to restore: the explorer's loader reads the file
    app = opened_by_the_command_line(monkeypatch, str(big), "--no-cache")
    assert app.timeline is None and app.reopening is None


async def test_the_main_screen_is_the_first_screen_of_a_reopen(big):
    cached(big)
    reopening = Reopening.start([str(big)])
    app = TimelineApp([str(big)], **reopening.handoff(grace=30))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, MainScreen)
        await settle(app, pilot)
        assert len(app.screen.timeline_view.positions) == len(load(bundled_path()))
        assert not app.timeline.notices


async def test_a_damaged_cache_is_read_around_behind_the_loading_screen(big):
    target = cached(big)
    data = target.read_bytes()
    with open(target, "rb") as f:
        toc = read_toc(f, target)[0]
    off, n = toc.sections["lower"]  # checked by every reopen
    at = off + n // 2
    target.write_bytes(data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:])
    reopening = Reopening.start([str(big)])
    assert reopening.result(30) is None
    app = TimelineApp([str(big)], **reopening.handoff())
    assert app.timeline is None
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert not app.timeline.from_cache  # the file read in full, and the damage said
        assert any("damaged" in notice for notice in app.timeline.notices)


async def test_a_reopen_still_running_is_waited_for_behind_the_loading_screen(big, monkeypatch):
    cached(big)
    gate = threading.Event()
    real = loader.reopen
    monkeypatch.setattr(loader, "reopen", lambda paths: (gate.wait(30), real(paths))[1])
    monkeypatch.setattr("tui.app.load", lambda *a, **k: pytest.fail("read the file instead of waiting"))
    reopening = Reopening.start([str(big)])
    app = TimelineApp([str(big)], **reopening.handoff(grace=0))
    assert app.timeline is None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LoadingScreen)
            gate.set()
            await settle(app, pilot)
            assert isinstance(app.screen, MainScreen) and app.timeline.from_cache
    finally:
        gate.set()


def test_list_on_a_damaged_cache_reads_the_file_and_says_so(big, capsys):
    target = cached(big)
    assert cli.main(["list", str(big), "--no-cache"]) == 0
    expected = capsys.readouterr().out
    data = target.read_bytes()
    with open(target, "rb") as f:
        off, n = read_toc(f, target)[0].sections["lower"]
    at = off + n // 2
    target.write_bytes(data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:])
    assert cli.main(["list", str(big)]) == 0
    out, err = capsys.readouterr()
    assert out == expected and "damaged" in err
