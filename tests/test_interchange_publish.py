"""``timeline publish``: the folder it writes, and that folder opened in a real browser.

The browser test uses Debian's Chromium (``/usr/bin/chromium``) driven by Playwright, and a
TimelineJS installed from npm (``@knight-lab/timelinejs``; ``.ci/run`` installs both and sets
``TIMELINEJS_DIR``). The network reaches no CDN here, so the page is published with
``--assets``; every request that is not a local file is refused, so nothing leaves the machine.
Without Chromium or TimelineJS the browser tests are skipped on a developer's machine and
fail in CI (``CI`` set), so they cannot silently stop running there.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from helpers_model import doc, write
from tui.cli import main
from tui.store import load

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE_TITLE = "<img src=x onerror=\"window.__pwned='title'\"> [bold] & more"
HOSTILE_SUMMARY = "</script><script>window.__pwned='summary'</script><b>bold?</b>"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: .ci/run installs it")
    pytest.skip(f"{what} is missing (.ci/run installs it)")


@pytest.fixture(scope="module")
def assets() -> Path:
    folder = Path(os.environ.get("TIMELINEJS_DIR") or ROOT / ".ci" / "node" / "node_modules" / "@knight-lab" / "timelinejs")
    if not (folder / "dist" / "js" / "timeline.js").is_file():
        _missing(f"TimelineJS (npm @knight-lab/timelinejs) in {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        _missing("Chromium (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright (the [test] extra)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def hostile(tmp_path) -> Path:
    events = [*doc()["events"],
              {"id": "hostile", "date": "2024-09-07", "title": HOSTILE_TITLE, "summary": HOSTILE_SUMMARY,
               "sources": ["paper"]}]
    return write(tmp_path / "hostile.json", doc(events=events))


# --- the folder --------------------------------------------------------------------------------

def test_publish_writes_a_self_contained_folder(capsys, tmp_path):
    out = tmp_path / "site"
    code, _, err = run(capsys, "publish", "--actor", "omar-gonzalez", "-o", out)
    assert code == 0 and f"to {out}/index.html" in err
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "timeline.json"]
    data = json.loads((out / "timeline.json").read_text())
    assert len(data["events"]) == 5 and data["title"]["text"]["headline"].endswith("(filtered: actor:omar-gonzalez)")
    page = (out / "index.html").read_text()
    assert 'src="https://cdn.knightlab.com/libs/timeline3/latest/js/timeline.js"' in page


def test_publish_never_lets_data_close_the_script_block(capsys, tmp_path):
    out = tmp_path / "site"
    assert run(capsys, "publish", hostile(tmp_path), "-o", out)[0] == 0
    page = (out / "index.html").read_text()
    block = re.search(r'<script id="timeline-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block
    assert json.loads(block) == json.loads((out / "timeline.json").read_text())


def test_publish_refuses_to_replace_without_force_and_replaces_with_it(capsys, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.txt").write_text("keep me")
    code, _, err = run(capsys, "publish", "-o", out)
    assert code == 2 and "already exists and is not empty; add --force" in err
    assert (out / "old.txt").exists()
    assert run(capsys, "publish", "-o", out, "--force")[0] == 0
    assert not (out / "old.txt").exists() and (out / "index.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]                 # no temporary folder left


def test_publish_refuses_a_folder_holding_its_input(capsys, tmp_path):
    data = write(tmp_path / "t.json", doc())
    code, _, err = run(capsys, "publish", data, "-o", tmp_path, "--force")
    assert code == 2 and "holds an input file" in err and data.exists()


def test_publish_with_bad_assets(capsys, tmp_path):
    code, _, err = run(capsys, "publish", "-o", tmp_path / "site", "--assets", tmp_path)
    assert code == 2 and "--assets: no TimelineJS in" in err and not (tmp_path / "site").exists()


# --- in a real browser -------------------------------------------------------------------------

def open_page(browser, index: Path, size=(1280, 800)):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # nothing but the published folder: media URLs in the data must not reach out
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page.goto(index.as_uri())
    page.wait_for_selector(".tl-timenav .tl-timemarker", state="attached", timeout=30_000)
    return page, errors


def test_published_bundled_dataset_renders_every_headline(capsys, tmp_path, assets, browser):
    out = tmp_path / "site"
    assert run(capsys, "publish", "-o", out, "--assets", assets)[0] == 0
    assert (out / "timelinejs" / "js" / "timeline.js").is_file()
    assert "cdn.knightlab.com" not in (out / "index.html").read_text()
    page, errors = open_page(browser, out / "index.html")
    headlines = page.eval_on_selector_all(".tl-slide .tl-headline", "els => els.map(e => e.textContent)")
    markers = page.eval_on_selector_all(".tl-timemarker .tl-headline", "els => els.map(e => e.textContent)")
    timeline = load()
    for event in timeline.events:
        assert event.title in headlines, event.title
        assert event.title in markers, event.title
    if os.environ.get("TIMELINE_SCREENSHOT"):  # docs/timelinejs-publish.png is made this way
        page.screenshot(path=os.environ["TIMELINE_SCREENSHOT"])
    page.close()
    assert errors == []


def test_published_hostile_text_stays_text(capsys, tmp_path, assets, browser):
    out = tmp_path / "site"
    assert run(capsys, "publish", hostile(tmp_path), "-o", out, "--assets", assets)[0] == 0
    page, errors = open_page(browser, out / "index.html")
    headlines = page.eval_on_selector_all(".tl-slide .tl-headline", "els => els.map(e => e.textContent)")
    assert HOSTILE_TITLE in headlines
    assert page.evaluate("window.__pwned") is None
    assert page.eval_on_selector_all(".tl-slide img[src='x']", "els => els.length") == 0
    texts = page.eval_on_selector_all(".tl-slide .tl-text-content", "els => els.map(e => e.textContent)")
    assert any(HOSTILE_SUMMARY in t for t in texts)
    page.close()
    assert errors == []
