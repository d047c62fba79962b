"""The quotes of a big JSON file, and the timeline's order, worked out by a second process
while this one reads the rest.

Reading a big file is Python work on one core, and this machine has two. A timeline has
about as many quotes as events, and nothing about a quote is needed before every event has
been read, so a child process decodes the quotes (into the same columns as ``columns.py``)
while this process does actors, sources and events. The quotes take the child about half as
long as the rest takes this process, so it also reads each event's id and date (nearly free
while it splits the file) and works out the timeline's order (``Columns.arrange``: the ids
checked, every distinct date parsed, events sorted by date, quotes grouped by event). It
sends back only that arrangement, as arrays, and who the quotes name, which this process
then checks. At a million events the first open went from 15.9 s to 12.9 s (reading the
quotes here too, it was 17.8 s).

The child is a helper, never a requirement: if it cannot start, fails, or read a file that
changed meanwhile, the loader reads the quotes and arranges them itself; if it finds a broken
quote, id or date, the loader reads the whole file the detailed way, which reports it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from array import array

import msgspec

from .columns import Arrangement, Broken, Columns
from .records import Spans

__all__ = ["QuotesAside", "ASIDE_LIMIT", "main", "stop_all"]

ASIDE_LIMIT = 64 * 1024 * 1024
"""Files from this size read their quotes aside: below it, starting a process costs more
than it saves."""
PROBLEM = 3
"""The child's exit code when the file has a problem (which the parent then reports)."""


class _Answer(msgspec.Struct):
    """What the child sends back (msgpack on its standard output): the file it read, who
    the quotes name, and the ``Arrangement``, its arrays as bytes."""

    fingerprint: list | None
    speakers: dict[str, int]
    sources: list[str]
    untied: list[tuple[int, str]]
    order: bytes | None
    lower: bytes
    upper: bytes
    group_keys: bytes
    long: bytes
    qstart: bytes
    quote_starts: bytes
    quote_ends: bytes

    @classmethod
    def of(cls, fingerprint: list | None, columns: Columns, arranged: Arrangement) -> _Answer:
        return cls(fingerprint, dict(columns.speakers), list(columns.quote_sources), arranged.untied,
                   None if arranged.order is None else arranged.order.tobytes(),
                   arranged.lower.tobytes(), arranged.upper.tobytes(), arranged.group_keys.tobytes(),
                   arranged.long.tobytes(), arranged.qstart.tobytes(),
                   arranged.quote_spans.starts.tobytes(), arranged.quote_spans.ends.tobytes())

    def arrangement(self) -> Arrangement:
        def of(typecode: str, data: bytes) -> array:
            values = array(typecode)
            values.frombytes(data)
            return values

        return Arrangement(None if self.order is None else of("I", self.order), of("q", self.lower),
                           of("q", self.upper), of("I", self.group_keys), of("I", self.long), of("I", self.qstart),
                           Spans(of("q", self.quote_starts), of("q", self.quote_ends)),
                           [tuple(u) for u in self.untied])


_RUNNING: set[subprocess.Popen] = set()


def stop_all() -> None:
    """Kill the children still reading (the explorer quits while a big file loads)."""
    for process in list(_RUNNING):
        try:
            process.kill()
        except OSError:
            pass


class QuotesAside:
    """A child process reading the quotes of ``path`` and arranging the timeline; ``result``
    waits for its answer.

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
        """The child's answer, or None if it could not give one. Raises ``Broken`` if it
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
    """The child process: read the quotes, and the ids and dates of the events, of the JSON
    file named in ``argv``, arrange them and write the answer to standard output; exit 1,
    saying nothing, if anything goes wrong, or ``PROBLEM`` if the file has a problem."""
    from .loader import read_big_json  # the loader imports this module

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: main(FILE)", file=sys.stderr)
        return 2
    import gc

    gc.disable()  # as in loader.load: millions of new objects, no cycles among them
    columns = Columns()
    try:
        parsed = read_big_json(args[0], columns, ("quotes",), event_keys=True)
        if parsed.problems or parsed.spans is None:
            return PROBLEM
        answer = _Answer.of(parsed.fingerprint, columns, columns.arrange(parsed.spans["quotes"]))
    except Broken:
        return PROBLEM
    except Exception as exc:  # whatever it is, the parent reads the file itself
        print(f"quotes not read: {exc!r}", file=sys.stderr)
        return 1
    try:
        sys.stdout.buffer.write(msgspec.msgpack.encode(answer))
        sys.stdout.buffer.flush()
    except OSError:  # the parent is gone
        return 1
    return 0
