"""Fixtures for the explorer's tests.

Everything here is opt-in (a test asks for it by name) except ``no_cursor_blink``, which
only freezes the blinking Input cursor so screenshots and renders are deterministic,
``private_cache``, which keeps the on-disk cache of big files inside the test's folders,
and ``no_child_outlives_its_test``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input
from textual.worker import WorkerCancelled

from tui.model import Query, Timeline
from tui.store import load


@pytest.fixture(autouse=True)
def private_cache(monkeypatch, tmp_path_factory):
    """The on-disk cache of big files goes to a folder of each test's own, never ~/.cache."""
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def no_child_outlives_its_test():
    """A child process a test left running (``aside.py``) is stopped after it, so that it
    cannot count as running in the next test."""
    yield
    from tui.store import aside

    aside.stop_all()
    for process in list(aside._RUNNING):
        process.wait()
    aside._RUNNING.clear()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """Inputs never blink (as Harlequin does): the cursor stays drawn, renders stay stable."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(scope="session")
def timeline() -> Timeline:
    """The bundled dataset, loaded once per session (it is never mutated by the app)."""
    return load()


@pytest.fixture
def make_app(timeline):
    """Build a TimelineApp on an already loaded timeline (MainScreen shows at once)."""
    from tui.app import TimelineApp

    def make(query: Query | None = None, *, data: Timeline | None = None) -> TimelineApp:
        return TimelineApp(timeline=data if data is not None else timeline, query=query)

    return make


async def settle(app, pilot) -> None:
    """Wait for every worker (filtering, loading) and for the messages they posted.

    Twice: a worker's message can start another worker (e.g. Loaded -> MainScreen -> filter).
    """
    for _ in range(2):
        await wait_for_workers(app)
        await pilot.pause()


async def wait_for_workers(app) -> None:
    """``app.workers.wait_for_complete()``, except that a worker cancelled meanwhile (an
    exclusive filter superseded by a newer one) is not an error: wait for the others."""
    for _ in range(20):
        pending = [w for w in app.workers if not w.is_finished]
        if not pending:
            return
        try:
            await app.workers.wait_for_complete(pending)
        except WorkerCancelled:
            continue
    raise AssertionError(f"workers still running: {list(app.workers)}")


# --- a hostile dataset: everything a scraped article could smuggle into a terminal -------------

HOSTILE_BITS = {
    "sic": "[sic]",
    "open_close": "[/",
    "bold": "[bold]x[/bold]",
    "link": "[link=https://x]y[/link]",
    "click": "[@click=app.quit]z[/]",
    "sgr": "\x1b[31mred\x1b[0m",
    "osc52": "\x1b]52;c;aGk=\x07",
    "bidi": "\u202eevil",
    "zwsp": "zero\u200bwidth",
    "cjk": "包围阿根廷大使馆",
    "emoji": "🇦🇷🔌⚡",
    "c1": "csi\x9b31m",
}
HOSTILE = " ".join(HOSTILE_BITS.values())


def hostile_document() -> dict:
    h = HOSTILE
    return {
        "format": "timeline/1",
        "title": f"Hostile {h}",
        "description": f"desc {h}",
        "actors": [
            {"id": "sic-person", "name": f"Ana [sic] {h}", "kind": "person",
             "description": f"Described as [bold]x[/bold] [/ {h}", "aliases": [f"alias [/ {h}"],
             "roles": [f"role [sic] {h}"], "affiliations": ["bracket-org"]},
            {"id": "bracket-org", "name": f"[bold]Org[/bold] [/ {h}", "kind": "organization"},
            {"id": "cjk-person", "name": "李 [@click=app.quit]z[/] 🇦🇷", "kind": "person"},
        ],
        "sources": [
            {"id": "src-a", "kind": "article", "title": f"Article [sic] {h}",
             "publisher": f"Pub [link=https://x]y[/link] {h}", "url": "https://example.org/[sic]",
             "published": "2024-09-06"},
            {"id": "src-b", "kind": "social-post", "title": f"Post [/ {h}", "publisher": "X",
             "via": "src-a", "published": "2024-09-07"},
        ],
        "events": [
            {"id": "ev-1", "date": "2024-09-06", "title": f"Title [sic] and [/ {h}",
             "summary": f"Summary [sic] [/ with\nnewline\tand tab {h}", "place": f"Place [/ {h}",
             "note": f"Note [bold]x[/bold] {h}", "date_text": f"“[sic] {h}”",
             "actors": [{"actor": "sic-person", "role": f"role [/ {h}"}, "bracket-org"],
             "sources": ["src-a", "src-b"], "tags": ["tag-a"]},
            {"id": "ev-2", "date": "2024-09-07", "title": f"Second [/ {h}", "confidence": "disputed",
             "actors": ["cjk-person", "sic-person"], "sources": ["src-b"], "tags": ["tag-b"]},
            {"id": "ev-3", "date": "2024-10", "title": "包围 [@click=app.quit]z[/] 🇦🇷 \u202eevil",
             "actors": ["bracket-org"], "sources": ["src-a"], "tags": ["tag-a"]},
        ],
        "quotes": [
            {"id": "q-1", "text": f"Quote [sic] [/ {h}", "speaker": "sic-person", "source": "src-b",
             "event": "ev-1", "said": "2024-09-06", "original": f"Orig [bold]x[/bold] {h}"},
            {"id": "q-2", "text": f"[/] {h}", "speaker": "cjk-person", "source": "src-a", "event": "ev-2"},
        ],
    }


@pytest.fixture
def hostile_path(tmp_path) -> Path:
    """The hostile dataset written to a JSON file."""
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_document(), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def hostile_timeline(hostile_path) -> Timeline:
    return load([str(hostile_path)])


@pytest.fixture(autouse=True)
def private_config(monkeypatch, tmp_path_factory):
    """Settings the explorer remembers (the theme) go to a folder of each test's own, never
    the user's ~/.config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
