"""The terminal is always given back (issue 18, section 5): SIGTERM, SIGHUP and SIGINT end
the explorer through its normal shutdown, and stop its helper processes.

The real ``timeline`` runs in a pseudo-terminal that is its controlling terminal, on the
bundled dataset with the big-file limits lowered (``launch``), so that it has the helper
processes a million-event file would have (the one that builds half the search text and
stays to scan it). Once it shows its timeline, it gets the signal; then the terminal's
settings must be what they were before it started (compared with ``termios``), its last
output must switch off the alternate screen and mouse reporting and show the cursor, and
none of its children may be left. A closed terminal (the master side closed, as when an SSH
session drops) must end it as well, with no child left.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "argentine-embassy-siege.json"
DEADLINE = 60  # seconds: a guard against a hang, never a measure

LAUNCH = """
import sys
from tui.store import aside, loader
loader.STRICT_LIMIT = 0          # the bundled file counts as big: read with a helper process
loader.ASIDE_LIMIT = aside.ASIDE_LIMIT = 0
aside.TEXT_ASIDE_LIMIT = 0       # and its search text is built, and scanned, by another
from tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


class Explorer:
    """The explorer in a pseudo-terminal of its own (80x24), as its controlling terminal."""

    def __init__(self, tmp_path: Path) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.settings = termios.tcgetattr(self.slave)
        env = dict(os.environ, PYTHONPATH=str(ROOT), TIMELINE_CACHE_DIR=str(tmp_path / "cache"),
                   TERM="xterm-256color")
        env.pop("PYTHONIOENCODING", None)

        def controlling_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([sys.executable, "-c", LAUNCH, str(DATA)], stdin=self.slave,
                                     stdout=self.slave, stderr=self.slave, env=env,
                                     preexec_fn=controlling_terminal)
        self.output = b""

    def read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.output += os.read(self.master, 65536)
            except OSError:
                pass

    def wait_until_shown_with_helpers(self) -> set[int]:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            self.read(0.1)
            children = children_of(self.proc.pid)
            if b"28 events" in self.output and children:
                return children
            assert self.proc.poll() is None, self.output[-2000:]
        pytest.fail("the explorer did not show its timeline with its helper running")

    def wait_for_exit(self, *, read: bool = True) -> int:
        end = time.monotonic() + DEADLINE
        self.since = len(self.output)
        while self.proc.poll() is None and time.monotonic() < end:
            if read:
                self.read(0.1)
            else:
                select.select([], [], [], 0.1)
        if self.proc.poll() is None:
            self.proc.kill()
            pytest.fail("the explorer did not end")
        if read:  # what it wrote on its way out
            while select.select([self.master], [], [], 0)[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.output += chunk
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture
def explorer(tmp_path):
    running = Explorer(tmp_path)
    yield running
    running.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_gives_the_terminal_back_and_stops_the_helpers(explorer, signum):
    children = explorer.wait_until_shown_with_helpers()
    assert b"\x1b[?1049h" in explorer.output  # it did take the alternate screen
    os.kill(explorer.proc.pid, signum)
    assert explorer.wait_for_exit() == 128 + signum
    assert termios.tcgetattr(explorer.slave) == explorer.settings  # raw mode undone
    after = explorer.output[explorer.since:]
    for restore in (b"\x1b[?1049l", b"\x1b[?25h", b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l"):
        assert restore in after, restore  # alternate screen off, cursor shown, mouse off
    assert b"Traceback" not in explorer.output
    assert not [pid for pid in children if alive(pid)]


def test_a_closed_terminal_ends_the_explorer_and_its_helpers(explorer):
    """The master side closed: the kernel hangs up the terminal and sends SIGHUP."""
    children = explorer.wait_until_shown_with_helpers()
    os.close(explorer.master)
    assert explorer.wait_for_exit(read=False) == 128 + signal.SIGHUP
    assert not [pid for pid in children if alive(pid)]
