"""Text that terminals draw at another width than Rich measures (issue 18, section 6).

The real explorer runs in a pseudo-terminal; what it writes is fed to ``pyte``, a terminal
emulator with its own width rules (wcwidth's, character by character), and the screen that
results is read cell by cell: on every row, the timeline pane's right border must be in the
same column. Titles hold stacked combining marks, Thai vowel marks, a Devanagari conjunct, an
emoji with a variation selector and one with a skin-tone modifier. (The last two are drawn 1
and 4 cells wide by pyte and tmux, but measured 2 by Rich: they moved the border until the
explorer dropped the selector and the modifier, ``model.text.clip``.)

pyte stops drawing a run of text at a zero-width mark whose combining class is 0 (U+034F, U+20E3,
Thai U+0E31/U+0E34-U+0E37), which tmux draws; the samples avoid those, so that a failure here
is the explorer's, not the emulator's. Spacing vowel signs (category Mc, Devanagari ा ि ी) are
such marks to pyte, but tmux 3.3a (with glibc's widths) draws each in a cell of its own
("कि" is 2 cells, measured with ``#{cursor_x}``): the emulator is given that rule
(``_tmux_wcwidth``), and the explorer must measure them so too (``tui/cell_widths.py``).
"""

from __future__ import annotations

import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
import fcntl
import unicodedata
from pathlib import Path

import pyte
import pyte.screens
import pytest
from wcwidth import wcwidth

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, ROWS = 110, 30
TITLES = [
    "Plain ASCII title for reference",
    "Zalgo Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u0300\u0334\u0319\u0324\u031e\u0349\u035a\u032fa text",
    "Thai \u0e19\u0e49\u0e33 \u0e01\u0e48\u0e38 tone and vowel marks",
    "Devanagari \u0915\u094d\u0937 conjunct",
    "Hindi \u0939\u093f\u0928\u094d\u0926\u0940 \u0915\u093f\u0924\u093e\u092c vowel signs",
    "Heart \u2764\ufe0f with a variation selector",
    "Thumbs \U0001F44D\U0001F3FD with a skin tone",
    "Text-style star \u2b50\ufe0e in a title",
]


def _tmux_wcwidth(char: str) -> int:
    """wcwidth's width, but a spacing mark (Mc) takes one cell, as tmux draws it."""
    return 1 if unicodedata.category(char) == "Mc" else wcwidth(char)


def timeline_file(tmp_path: Path) -> Path:
    doc = {"format": "timeline/1", "title": "Widths", "actors": [], "sources": [], "quotes": [],
           "events": [{"id": f"e{i}", "date": f"2024-09-{i + 1:02d}", "title": t} for i, t in enumerate(TITLES)]}
    path = tmp_path / "widths.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def screen_of_explorer(path: Path) -> pyte.Screen:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color")
    env.pop("PYTHONIOENCODING", None)
    proc = subprocess.Popen([sys.executable, "-m", "tui", str(path)], stdin=slave, stdout=slave,
                            stderr=slave, env=env)
    screen = pyte.Screen(COLUMNS, ROWS)
    stream = pyte.ByteStream(screen)
    try:
        end = time.monotonic() + 60
        seen = b""
        while time.monotonic() < end:
            if select.select([master], [], [], 0.2)[0]:
                chunk = os.read(master, 65536)
                seen += chunk
                stream.feed(chunk)
                if all(any(t.split()[0] in line for line in screen.display) for t in TITLES):
                    # one more quiet moment: the frame is complete when nothing more comes
                    while select.select([master], [], [], 0.5)[0]:
                        stream.feed(os.read(master, 65536))
                    return screen
            assert proc.poll() is None, seen[-2000:]
        pytest.fail("the explorer did not show every title")
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
        os.close(slave)


def test_pane_borders_stay_in_their_column_whatever_the_text(tmp_path, monkeypatch):
    monkeypatch.setattr(pyte.screens, "wcwidth", _tmux_wcwidth)
    screen = screen_of_explorer(timeline_file(tmp_path))
    rows = [[screen.buffer[y][x].data for x in range(COLUMNS)] for y in range(ROWS)]
    top = next(y for y, row in enumerate(rows) if "╭" in row)
    right = rows[top].index("╮")  # the timeline pane's right edge
    bottom = next(y for y in range(top + 1, ROWS) if rows[y][0] == "╰")
    for y in range(top + 1, bottom):
        assert rows[y][right] in ("│", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"), (y, "".join(rows[y]))
    assert rows[bottom][right] == "╯"
    shown = "\n".join(screen.display)
    for title in TITLES:
        assert title.split()[0] in shown
