"""``timeline serve``: the explorer in a real browser, and what the server refuses.

The browser is Debian's headless Chromium (``apt-get install chromium``; ``.ci/run`` installs
it) driven by Playwright, never a browser Playwright downloads. The page draws the explorer
on a canvas, so the screen is read from the page's own terminal (xterm.js) buffer: a script
run before the page's code notes the terminal object when textual-serve's code stores it.
What is read is what the page shows, after the browser decoded the bytes the explorer sent.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main
from tui.store import load
from tui.model.query import from_options, run

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "serve-browser.png"
"""Rewritten by the browser test when TIMELINE_SCREENSHOTS=1 (the README's picture)."""

READ_SCREEN = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && !window.__terminal) window.__terminal = value;
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
  },
});
window.__screen = () => {
  const terminal = window.__terminal;
  if (!terminal) return "";
  const buffer = terminal.buffer.active, lines = [];
  for (let y = 0; y < terminal.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y).translateToString(true));
  return lines.join("\\n");
};
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    """``timeline serve`` on a free loopback port, as a user starts it; stopped after the
    test (SIGTERM, as Ctrl+C would, and the explorers it started go with it)."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "tui", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()  # printed once the port is open
    assert f"http://127.0.0.1:{port}/" in first, first + process.stderr.read()
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    try:
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()


def _wait(page, condition: str, timeout: float = 10_000) -> None:
    """Wait until ``condition`` (JavaScript) holds; if it never does, fail showing the screen."""
    from playwright.sync_api import TimeoutError

    try:
        page.wait_for_function(condition, timeout=timeout)
    except TimeoutError:
        pytest.fail(f"never true: {condition}\nthe page shows:\n{page.evaluate('window.__screen()')}")


def _cursor_line(screen: str) -> str:
    return next(line for line in screen.splitlines() if "▶" in line)


def _count(screen: str) -> int:
    return int(re.search(r"(\d+) of 28 events", screen).group(1))


def test_explorer_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser test needs Debian's chromium at {CHROMIUM}: apt-get install chromium "
                    "(.ci/run installs it)")
    expected = len(run(load(), from_options(search="embassy")).positions)
    assert 0 < expected < 28
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 800})
            page.add_init_script(READ_SCREEN)
            page.goto(server)
            assert page.title() == "Timeline Explorer"
            screen = lambda: page.evaluate("window.__screen()")  # noqa: E731
            # the timeline and the first event's details are drawn
            _wait(page, "window.__screen().includes('28 events')"
                        " && window.__screen().includes('2 Event')", timeout=30_000)
            assert "Six opposition figures take refuge" in _cursor_line(screen())
            page.focus(".xterm-helper-textarea")  # keys go to the terminal, as after a click

            page.keyboard.press("j")
            _wait(page, "!window.__screen().split('\\n').find(l => l.includes('▶')).includes('Six opposition')")
            assert "Attorney General orders" in _cursor_line(screen())

            page.keyboard.press("/")
            # as a person would: once the search bar shows (keys sent in the same burst as "/"
            # would reach the pane that had the focus: Textual routes a key when it arrives)
            _wait(page, "window.__screen().includes('search…')")
            page.keyboard.type("embassy")
            _wait(page, f"window.__screen().includes('{expected} of 28 events')")
            page.keyboard.press("Enter")  # keep the search: the bar closes, the filter stays
            _wait(page, "!window.__screen().includes('Enter keep')")
            assert _count(screen()) == expected and "“embassy” ×" in screen()
            target = SCREENSHOT if os.environ.get("TIMELINE_SCREENSHOTS") == "1" else tmp_path / "shot.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 10_000
        finally:
            browser.close()


def test_other_sites_and_names_are_refused(server):
    """Any web page may open a websocket to localhost: one from another site (its Origin),
    or a page reaching us through a name re-pointed at 127.0.0.1 (its Host), gets nothing."""
    import asyncio

    import aiohttp

    async def probe():
        async with aiohttp.ClientSession() as session:
            async with session.get(server) as own:
                assert own.status == 200
            async with session.get(server, headers={"Host": "attacker.example"}) as renamed:
                assert renamed.status == 403
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(server + "ws", headers={"Origin": "http://attacker.example"})
            assert refused.value.status == 403

    asyncio.run(probe())


def test_a_host_beyond_this_computer_is_warned_about(capsys):
    # 192.0.2.1 is a documentation address: never this machine's, so nothing is served
    assert main(["serve", "--host", "192.0.2.1", "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert "warning: --host 192.0.2.1 serves beyond this computer" in err
    assert "anyone who can reach port" in err and "--host 127.0.0.1" in err
    assert "cannot serve on 192.0.2.1" in err and "Traceback" not in err


def test_serve_checks_files_and_filters_first(capsys, tmp_path):
    assert main(["serve", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err
    assert main(["serve", "--from", "12 June"]) == 2
    assert "bad filter" in capsys.readouterr().err
    assert main(["serve", "--port", "70000"]) == 2
    assert "bad port" in capsys.readouterr().err


def test_serve_without_the_extra_says_how_to_get_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "tui.web", raising=False)
    assert main(["serve"]) == 2
    assert "pip install 'timeline-explorer[serve]'" in capsys.readouterr().err


def test_each_tab_runs_the_explorer_on_the_same_files_and_filters():
    from tui.web import explorer_command, is_local

    hostile = "/tmp/a b/$(touch x);'.json"
    command = explorer_command([hostile], ["--actor=omar gonzalez", "--query=-tag:rumour"])
    assert command.startswith("exec ")
    assert shlex.split(command[5:]) == [sys.executable, "-m", "tui", "explore", hostile,
                                        "--actor=omar gonzalez", "--query=-tag:rumour"]
    assert is_local("127.0.0.1") and is_local("localhost") and is_local("::1")
    assert not is_local("0.0.0.0") and not is_local("192.0.2.1")


def test_filter_options_hand_on_every_flag():
    from tui.cli import _filter_options, build_parser

    args = build_parser().parse_args(["serve", "--actor", "milei", "--actor", "maduro", "--tag", "icc",
                                      "--from", "2024-09", "--to", "2024", "--search", "power cut",
                                      "--query=-tag:rumour"])
    again = build_parser().parse_args(["explore", *_filter_options(args)])
    for name in ("actor", "tag", "date_from", "date_to", "search", "query"):
        assert getattr(again, name) == getattr(args, name)

