"""The standard streams of the ``timeline`` command, made safe to use whatever they are.

A command may start with standard input, output or error closed (``>&-``, a service manager),
write to a full disk (``> /dev/full``), lose its reader (``| head``) or find an output encoding
that is not UTF-8 (a Latin-1 locale, ``PYTHONIOENCODING=ascii``). Python answers each of these
with a traceback, or worse: a closed descriptor 1 is handed to the next file opened, so output
meant for the terminal would land in it. Here:

* ``claim_closed()`` opens ``/dev/null`` on each standard descriptor closed at start, so no
  file opened later takes its number, and remembers which were closed;
* ``guard_stdout()`` puts standard output behind a writer that turns any failure into one
  ``OutputError`` (the command prints one line and exits non-zero) and replaces characters
  its encoding cannot carry with ``?``, counting them so that ``finish()`` can say so once.
"""

from __future__ import annotations

import codecs
import io
import os
import sys

__all__ = ["OutputError", "claim_closed", "closed_at_start", "guard_stdout", "finish", "say",
           "is_utf8", "EXIT_PIPE"]

EXIT_PIPE = 141
"""The exit code when the reader of standard output went away (``timeline list | head``):
what a shell reports for a program stopped by SIGPIPE, as ``cat`` or ``grep`` would be."""

_closed: set[int] = set()
_replaced = 0


class OutputError(Exception):
    """Standard output cannot be written. ``pipe``: its reader went away, which is not worth
    a message (the user closed ``less`` or ``head`` had enough)."""

    def __init__(self, message: str, *, pipe: bool = False) -> None:
        super().__init__(message)
        self.pipe = pipe


def claim_closed() -> None:
    """Open ``/dev/null`` on every standard descriptor (0, 1, 2) that is closed."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            _closed.add(fd)
            null = os.open(os.devnull, os.O_RDWR)  # takes the lowest free number: fd itself
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def closed_at_start(fd: int) -> bool:
    return fd in _closed


def is_utf8(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "ascii").name == "utf-8"
    except LookupError:
        return False


def _count_and_replace(exc: UnicodeError):
    global _replaced
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    _replaced += exc.end - exc.start
    return "?" * (exc.end - exc.start), exc.end


codecs.register_error("timeline-replace", _count_and_replace)


class _Stdout(io.RawIOBase):
    """Descriptor 1, whose every failure is an ``OutputError``. After one, it swallows what
    is still written (buffers flushed at exit), so the one message stays the only one."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 1

    def isatty(self) -> bool:
        return os.isatty(1)

    def write(self, data) -> int:
        if self.failed:
            return len(data)
        if closed_at_start(1):
            self._fail(OutputError("timeline: cannot write the output: standard output is closed"))
        try:
            return os.write(1, data)
        except BrokenPipeError:
            self._fail(OutputError("timeline: the reader of standard output went away", pipe=True))
        except OSError as exc:
            self._fail(OutputError(f"timeline: cannot write to standard output: {exc.strerror or exc}"))

    def _fail(self, error: OutputError):
        self.failed = True
        raise error


def guard_stdout():
    """Replace ``sys.stdout`` (only the real one: a test's capture stays) by a guarded writer
    in the same encoding; return a function that puts the old one back."""
    original = sys.stdout
    if original is not None and original is not sys.__stdout__:
        return lambda: None
    encoding = getattr(original, "encoding", None) or "utf-8"
    tty = os.isatty(1)
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(_Stdout(), buffer_size=1 << 16), encoding=encoding,
                                  errors="timeline-replace", line_buffering=tty)

    def restore() -> None:
        guarded = sys.stdout
        sys.stdout = original
        try:
            guarded.flush()
        except OutputError:
            pass

    return restore


def finish() -> None:
    """Flush standard output (which may raise ``OutputError``), then say once if characters
    were replaced because its encoding cannot carry them."""
    global _replaced
    if sys.stdout is not None:
        sys.stdout.flush()
    if _replaced:
        encoding = getattr(sys.stdout, "encoding", "?")
        say(f"timeline: note: standard output is {encoding}, which cannot carry {_replaced} "
            f"character{'s' * (_replaced != 1)} written as '?' (to keep them: a UTF-8 locale, "
            "PYTHONIOENCODING=utf-8, or -o FILE, always UTF-8)")
        _replaced = 0


def say(message: str) -> None:
    """One line on standard error, if there is one to write to."""
    if sys.stderr is None or closed_at_start(2):
        return
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass
