"""Writing a big export on both cores: a forked child writes the later half of the events to
a scratch file while this process writes the first half, then the child's part follows.

The child is a fork, so it shares the loaded timeline without reading the file again (the
pages are shared until written; the command line has frozen the garbage collector's view of
them, ``gc.freeze``). If the child cannot start or fails, this process writes that half
itself; if the reader stops early (a closed pipe), the child is stopped and its file removed.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence

__all__ = ["in_two", "HALVES_FROM"]

HALVES_FROM = 20_000
"""Fewer events are written in one process: a fork and a scratch file cost more than they save."""


def in_two(write: Callable[[Sequence[int], bool], Iterator[bytes]], positions: Sequence[int]) -> Iterator[bytes]:
    """``write(positions, after)`` yields the output for ``positions`` (``after``: it follows
    earlier output, so it starts with its separator); this yields it for all ``positions``."""
    if len(positions) < HALVES_FROM or not hasattr(os, "fork"):
        yield from write(positions, False)
        return
    half = len(positions) // 2
    fd, scratch = tempfile.mkstemp(prefix="timeline-export-", suffix=".part")
    try:
        pid = os.fork()
    except OSError:
        os.close(fd)
        os.unlink(scratch)
        yield from write(positions, False)
        return
    if pid == 0:  # the child: write the later half, then leave without running any cleanup
        code = 1
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in write(positions[half:], True):
                    f.write(chunk)
            code = 0
        finally:
            os._exit(code)
    os.close(fd)
    try:
        yield from write(positions[:half], False)
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.waitstatus_to_exitcode(status) != 0:
            yield from write(positions[half:], True)
            return
        with open(scratch, "rb") as f:
            while chunk := f.read(1 << 20):
                yield chunk
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.unlink(scratch)
