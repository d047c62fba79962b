"""Exports as the tools that read them see them (issue 18, section 7).

The Markdown export is rendered by GitHub's own renderer (``cmarkgfm``, the cmark-gfm that
github.com runs, with its autolink extension) and by ``markdown-it`` with ``linkify`` (the
family of parsers Obsidian and many note tools are built on). Whatever text in the data looks
like a link (a bare ``https://…``, ``www.…``, ``x.com``, an e-mail address), the only links
in either rendering are the declared URLs of sources, and the text still reads as typed.

The ``actors`` table is printed into a real pseudo-terminal 20 columns wide, and what the
terminal would show is measured with ``wcwidth`` (not with Rich, which lays it out).
"""

from __future__ import annotations

import fcntl
import html
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import cmarkgfm
import pytest
from markdown_it import MarkdownIt
from wcwidth import wcswidth

from helpers_model import write
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "argentine-embassy-siege.json"

LINKY = [
    "https://evil.example/phish?x=1", "http://a.example", "www.evil.example", "ftp://files.example/x",
    "mailto:press@gov.example", "press@gov.example", "evil.example/path", "//cdn.example/x.js",
    "(see www.paren.example)", "*www.star.example*", "HTTPS://UPPER.EXAMPLE",
]
DECLARED = "https://news.example/story?id=7&lang=es"


def linky_doc() -> dict:
    text = " ".join(LINKY)
    return {
        "format": "timeline/1",
        "title": f"Timeline {text}",
        "actors": [
            {"id": "ana", "name": f"Ana {text}", "kind": "person", "affiliations": ["party"]},
            {"id": "party", "name": "www.party.example", "kind": "organization"},
        ],
        "sources": [
            {"id": "paper", "kind": "article", "title": f"Story {text}", "url": DECLARED,
             "publisher": "news.example"},
            {"id": "post", "kind": "social-post", "title": "https://post.example/1", "author": "ana",
             "via": "paper", "url": "ftp://not-a-web-link.example/x"},
            {"id": "note", "kind": "other", "title": f"Unlinked {text}"},
        ],
        "events": [
            {"id": "e1", "date": "2024-09-06", "title": f"Event {text}", "summary": text, "place": text,
             "note": text, "tags": ["www.tag.example"], "actors": [{"actor": "ana", "role": text}, "party"],
             "sources": ["paper", "post", "note"]},
        ],
        "quotes": [
            {"id": "q1", "text": f"Quoted {text}", "speaker": "ana", "source": "post", "event": "e1"},
        ],
    }


def export(capsys, tmp_path) -> str:
    path = write(tmp_path / "linky.json", linky_doc())
    assert main(["list", str(path), "--format", "markdown"]) == 0
    return capsys.readouterr().out


def hrefs(rendered: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a href="([^"]*)"', rendered)]


RENDERERS = {
    "github": cmarkgfm.github_flavored_markdown_to_html,
    "markdown-it+linkify": MarkdownIt("commonmark", {"linkify": True}).enable("linkify").render,
}


@pytest.mark.parametrize("renderer", RENDERERS)
def test_markdown_links_only_declared_source_urls(capsys, tmp_path, renderer):
    rendered = RENDERERS[renderer](export(capsys, tmp_path))
    links = hrefs(rendered)
    assert links and set(links) == {DECLARED}  # the declared URL, once per place it is cited
    # the "ftp://" URL declared on a source is shown, not linked (only http(s) are)
    assert "ftp://not-a-web-link.example/x" in html.unescape(rendered)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_markdown_keeps_link_like_text_as_typed(capsys, tmp_path, renderer):
    text = html.unescape(re.sub(r"<[^>]+>", "", RENDERERS[renderer](export(capsys, tmp_path))))
    assert f"Event {' '.join(LINKY)}" in text  # titles, and the other texts of an event
    assert "Ana " + " ".join(LINKY) in text  # names, in the actors line
    assert "Story " + " ".join(LINKY) in text  # source titles
    assert "www.party.example" in text


def test_bundled_markdown_still_links_every_source_url(capsys):
    """The real dataset: every source URL cited is a link, and nothing else is."""
    assert main(["list", str(DATA), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    from tui.store import load

    timeline = load([str(DATA)])
    cited = {s.url for s in timeline.sources.values() if s.url}
    for renderer in RENDERERS.values():
        links = set(hrefs(renderer(out)))
        assert links <= cited and len(links) > 40


# --- actors in a narrow terminal -------------------------------------------------------------------

def in_terminal(columns: int, *args: str) -> list[str]:
    """Run the command with a pseudo-terminal of ``columns`` as its standard output; the
    lines it printed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("COLUMNS", None)
    proc = subprocess.Popen([sys.executable, "-m", "tui", *args], stdout=slave, stderr=subprocess.PIPE,
                            env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(60) == 0, proc.stderr.read()
    proc.stderr.close()
    text = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode())  # colours only: the line's cells
    return [line.rstrip() for line in text.replace("\r\n", "\n").splitlines()]


@pytest.mark.parametrize("columns", [20, 40, 80, 120])
def test_actors_fit_the_terminal_and_keep_every_id(columns):
    lines = in_terminal(columns, "actors", str(DATA))
    assert max(wcswidth(line) for line in lines) <= columns
    from tui.store import load

    folded = "".join(line.strip() for line in lines)
    for actor_id in load([str(DATA)]).actors:
        assert actor_id in folded  # an id may wrap, never lose a character


def test_actors_table_keeps_ids_whole_when_it_fits():
    lines = in_terminal(120, "actors", str(DATA))
    assert lines[0].split() == ["Id", "Name", "Kind", "Events", "Quotes", "First", "Last"]
    from tui.store import load

    for actor_id in load([str(DATA)]).actors:
        assert any(line.startswith(actor_id + " ") for line in lines), actor_id


def test_actors_in_a_narrow_terminal_are_blocks():
    lines = in_terminal(20, "actors", str(DATA))
    start = lines.index("nicolas-maduro")
    assert lines[start:start + 5] == ["nicolas-maduro", "  Nicolás Maduro", "  person", "  5 events, 0 quotes",
                                      "  28 Jul 2024 – 7"]
