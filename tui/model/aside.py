"""The quotes of a big JSON file, read by a second process while this one reads the rest.

Reading a big file is Python work on one core, and this machine has two. A timeline has
about as many quotes as events, and nothing about a quote is needed before every event has
been read, so a child process decodes the quotes (into the same columns as ``columns.py``)
while this process does actors, sources and events; it sends back only the columns: ids,
events, speakers, sources, dates and byte spans, which this process then checks. At a million events this
takes about a fifth off a first open (17.8 s -> 13.9 s, measured back to back).

The child is a helper, never a requirement: if it cannot start, fails, or read a file that
changed meanwhile, the loader reads the quotes itself; if it finds a broken quote, the loader
reads the whole file the detailed way, which reports it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from array import array

import msgspec

from .columns import Broken
from .records import Spans

__all__ = ["QuotesAside", "ASIDE_LIMIT", "main", "stop_all"]

ASIDE_LIMIT = 64 * 1024 * 1024
"""Files from this size read their quotes aside: below it, starting a process costs more
than it saves."""
PROBLEM = 3
"""The child's exit code when the file has a problem (which the parent then reports)."""


class _Answer(msgspec.Struct):
    """What the child sends back (msgpack on its standard output)."""

    fingerprint: list | None
    ids: list[str]
    events: list[str | None]
    speakers: dict[str, int]
    sources: list[str]
    said: list[str | None]
    starts: bytes
    ends: bytes

    def spans(self) -> Spans:
        """The quotes' byte spans the child found."""
        spans = Spans(array("q"), array("q"))
        spans.starts.frombytes(self.starts)
        spans.ends.frombytes(self.ends)
        return spans


_RUNNING: set[subprocess.Popen] = set()


def stop_all() -> None:
    """Kill the children still reading (the explorer quits while a big file loads)."""
    for process in list(_RUNNING):
        try:
            process.kill()
        except OSError:
            pass


class QuotesAside:
    """A child process reading the quotes of ``path``; ``result`` waits for its columns.

    It stays in this process's group, so ^C at a terminal stops both.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        # -c rather than -m: the package imports this module first, and runpy warns about that
        self._process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from tui.model.aside import main; sys.exit(main())",
             os.fspath(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        _RUNNING.add(self._process)

    @classmethod
    def start(cls, path: str | os.PathLike) -> QuotesAside | None:
        try:
            return cls(path)
        except OSError:
            return None

    def result(self) -> _Answer | None:
        """The child's columns, or None if it could not give them. Raises ``Broken`` if it
        found something wrong in the file."""
        try:
            out, _ = self._process.communicate()
            _RUNNING.discard(self._process)
            if self._process.returncode == PROBLEM:
                raise Broken("quotes")
            if self._process.returncode != 0:
                return None
            return msgspec.msgpack.decode(out, type=_Answer)
        except (OSError, ValueError, MemoryError):  # msgspec's decoding errors are ValueErrors
            return None

    def cancel(self) -> None:
        """Stop the child (this process reads the file itself after all)."""
        try:
            self._process.kill()
            self._process.communicate()
        except OSError:
            pass
        _RUNNING.discard(self._process)


def main(argv: list[str] | None = None) -> int:
    """The child process: read the quotes of the JSON file named in ``argv`` into columns
    and write them to standard output; exit 1, saying nothing, if anything is wrong."""
    from .columns import Columns
    from .loader import read_big_json  # the loader imports this module

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: main(FILE)", file=sys.stderr)
        return 2
    import gc

    gc.disable()  # as in loader.load: millions of new objects, no cycles among them
    columns = Columns()
    try:
        parsed = read_big_json(args[0], columns, ("quotes",))
    except Exception as exc:  # whatever it is, the parent reads the file itself
        print(f"quotes not read: {exc!r}", file=sys.stderr)
        return 1
    if parsed.problems or parsed.spans is None:
        return PROBLEM
    spans = parsed.spans["quotes"]
    answer = _Answer(parsed.fingerprint, columns.quote_ids, columns.quote_events, dict(columns.speakers),
                     list(columns.quote_sources), list(columns.said), spans.starts.tobytes(), spans.ends.tobytes())
    try:
        sys.stdout.buffer.write(msgspec.msgpack.encode(answer))
        sys.stdout.buffer.flush()
    except OSError:  # the parent is gone
        return 1
    return 0
