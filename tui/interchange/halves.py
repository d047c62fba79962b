"""Big exports and imports on both cores: a forked child writes the later half of the events
to a scratch file while this process writes the first half, then the child's part follows
(``in_two``); or a child works on the later half of an import, with this process's answer
in between (``Partner``).

The child is a fork, so it shares the loaded timeline without reading the file again (the
pages are shared until written; the command line has frozen the garbage collector's view of
them, ``gc.freeze``). If the child cannot start or fails, this process writes that half
itself; if the reader stops early (a closed pipe), the child is stopped and its file removed.
"""

from __future__ import annotations

import os
import signal
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence

import msgspec

__all__ = ["in_two", "Partner", "HALVES_FROM"]

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


def _put(f, data: bytes) -> None:
    f.write(struct.pack("<Q", len(data)))
    f.write(data)
    f.flush()


def _get(f) -> bytes:
    head = f.read(8)
    if len(head) != 8:
        raise EOFError("the other process stopped")
    size = struct.unpack("<Q", head)[0]
    data = f.read(size)
    if len(data) != size:
        raise EOFError("the other process stopped")
    return data


class Partner:
    """A forked child that works on the later half of something in two steps, with this
    process's answer in between: ``first()`` (its result goes to this process, ``receive``),
    then ``then(answer)`` (``send``), whose bytes come back (``result``); ``meanwhile()``, if
    given, runs in the child while it waits for the answer. Messages are
    msgpack (tuples come back as lists) over two pipes; the child blocks on each until this
    process reads or writes it, so each side works while the other does. If the child
    cannot start or stops, this process does its steps itself (both are functions of what
    the child inherited; ``then`` must work without ``first`` or ``meanwhile`` having run
    here). Use it with
    ``with``: the child is stopped if this process leaves early."""

    def __init__(self, first: Callable[[], object], then: Callable[[object], bytes],
                 meanwhile: Callable[[], None] | None = None) -> None:
        self._first, self._then = first, then
        self._pid = 0
        self._answer = None
        self._up = self._down = None
        if not hasattr(os, "fork"):
            return
        up_r, up_w = os.pipe()
        down_r, down_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (up_r, up_w, down_r, down_w):
                os.close(fd)
            return
        if pid == 0:  # the child: its two steps, then leave without running any cleanup
            code = 1
            try:
                os.close(up_r)
                os.close(down_w)
                with os.fdopen(up_w, "wb") as up, os.fdopen(down_r, "rb") as down:
                    _put(up, msgspec.msgpack.encode(first()))
                    if meanwhile is not None:
                        meanwhile()
                    _put(up, then(msgspec.msgpack.decode(_get(down))))
                code = 0
            finally:
                os._exit(code)
        os.close(up_w)
        os.close(down_r)
        self._pid = pid
        self._up, self._down = os.fdopen(up_r, "rb"), os.fdopen(down_w, "wb")

    def _lost(self) -> None:
        self._stop()
        self._up = self._down = None

    def receive(self):
        if self._up is not None:
            try:
                return msgspec.msgpack.decode(_get(self._up))
            except (EOFError, OSError, msgspec.DecodeError):
                self._lost()
        return self._first()

    def send(self, answer) -> None:
        self._answer = answer
        if self._down is not None:
            try:
                _put(self._down, msgspec.msgpack.encode(answer))
            except OSError:
                self._lost()

    def result(self) -> bytes:
        if self._up is not None:
            try:
                data = _get(self._up)
                self._stop()
                return data
            except (EOFError, OSError):
                self._lost()
        return self._then(self._answer)

    def _stop(self) -> None:
        for f in (self._up, self._down):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = 0

    def __enter__(self) -> "Partner":
        return self

    def __exit__(self, *exc) -> None:
        self._stop()
