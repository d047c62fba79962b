"""Big exports and imports on both cores: a forked child writes the later half of the events
to a scratch file while this process writes the first half, then the child's part follows
(``in_two``); or a child works out the later half of anything and sends it back (``both``).

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

import msgspec

__all__ = ["in_two", "both", "HALVES_FROM"]

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


def both(first: Callable[[], list], second: Callable[[], list]) -> tuple[list, list]:
    """``(first(), second())``, the second worked out in a forked child while this process
    works out the first. Its result (lists, tuples, strings, numbers, None: tuples come back
    as lists) is sent back as one msgpack message in a scratch file. If the child cannot
    start or fails, this process works out the second itself (and meets its error, if any)."""
    if not hasattr(os, "fork"):
        return first(), second()
    fd, scratch = tempfile.mkstemp(prefix="timeline-import-", suffix=".part")
    try:
        pid = os.fork()
    except OSError:
        os.close(fd)
        os.unlink(scratch)
        return first(), second()
    if pid == 0:  # the child: work out the second, then leave without running any cleanup
        code = 1
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(msgspec.msgpack.encode(second()))
            code = 0
        finally:
            os._exit(code)
    os.close(fd)
    try:
        mine = first()
        _, status = os.waitpid(pid, 0)
        pid = 0
        if os.waitstatus_to_exitcode(status) != 0:
            return mine, second()
        with open(scratch, "rb") as f:
            return mine, msgspec.msgpack.decode(f.read())
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.unlink(scratch)
