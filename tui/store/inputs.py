"""The bytes of a timeline read whole: from standard input, a named pipe or a small file.

Two hostile inputs are answered early here. A named pipe (or ``<(command)``) with no program
writing to it would block the command without a word: after a quarter of a second with nothing
to read, one line on standard error says what it waits for. And binary data (``/dev/urandom``,
an image, a stream of zero bytes) would be read to its end, possibly forever, before the
checks refuse it: if the first megabyte cannot be JSON text (a byte that is not UTF-8, or a
control character, which JSON allows nowhere), reading stops there, and the checks report the
first bad byte exactly as they would have for the whole input.
"""

from __future__ import annotations

import os
import re
import select
import stat
import sys
from typing import BinaryIO

from ..model.text import visible

__all__ = ["StdinClosed", "read_path", "read_stdin", "read_whole"]

FIRST_CHUNK = 1 << 20
WRITER_WAIT_MS = 250

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class StdinClosed(Exception):
    """Standard input was closed when the command started."""


def cannot_be_text(chunk: bytes) -> bool:
    """Whether these first bytes of an input rule out JSON text."""
    if _CONTROL.search(chunk):
        return True
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a character cut by the end of the chunk is not a fault of the data
        return not (exc.reason == "unexpected end of data" and exc.end == len(chunk))
    return False


def read_whole(stream: BinaryIO) -> bytes:
    """All of ``stream``, or only its first chunk when that cannot be the start of JSON text."""
    first = stream.read(FIRST_CHUNK)
    if not first or cannot_be_text(first):
        return first
    return first + stream.read()


def read_stdin() -> bytes:
    if sys.stdin is None:  # closed at start (Python leaves sys.stdin None)
        raise StdinClosed
    if sys.stdin.isatty():
        _say("timeline: reading a timeline from the terminal; end it with Ctrl+D")
    return read_whole(sys.stdin.buffer)


def read_path(path: str) -> bytes:
    """A file by name; a named pipe is waited for with a word (see the module's docstring)."""
    try:
        is_pipe = stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        is_pipe = False
    if not is_pipe:
        with open(path, "rb") as f:
            return read_whole(f)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a pipe with no writer would block
    try:
        poll = select.poll()
        poll.register(fd, select.POLLIN)
        if not poll.poll(WRITER_WAIT_MS):
            _say(f"timeline: waiting for a program to write to {visible(path)} (a pipe); Ctrl+C to stop")
            poll.poll()
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb") as f:
        return read_whole(f)


def _say(message: str) -> None:
    if sys.stderr is not None:
        print(message, file=sys.stderr, flush=True)
