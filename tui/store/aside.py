"""Work a second process does while this one does the rest: this machine has two cores, and
the work on a big file is Python, which runs on one.

**Reading a big JSON file** (``QuotesAside``). A timeline has about as many quotes as events,
and nothing about a quote is needed before every event has been read, so a child process
decodes the quotes (into the same columns as ``columns.py``) while this process does actors,
sources and events. The quotes take the child about half as long as the rest takes this
process, so it also reads each event's id and date (nearly free while it splits the file)
and works out the timeline's order (``Columns.arrange``: the ids checked, every distinct date
parsed, events sorted by date, quotes grouped by event). It sends back only that
arrangement, as arrays, who the quotes name, which this process then checks, and what the
sourcing report checks of each quote (``QuoteFacts``: id, speaker, source, language,
whether it has an ``original``), so that ``validate --sourcing`` reads no quote back. At a
million events the first open went from 15.9 s to 12.9 s (reading the quotes here too, it
was 17.8 s). If it finds a broken quote, id or date, the loader reads the whole file the
detailed way, which reports it.

**Building and scanning the search text** (``TextAside``). After a first open, every event
and quote is read back from the file and folded for search (``Timeline.haystack``): 21.5 s
at a million events on one core, and a text search typed meanwhile waits for it. A child
process builds the later half from the same open file (its descriptor is handed down, so it
reads the version this process read) into a scratch file, while this process builds the
first half; the two are then joined (12–15 s). The child then stays, and scans its half for
every text search that needs a scan while this process scans the other half: a scan holds
the GIL for every hit, so two threads cannot share it, but two processes can ("government",
in one event in six, 0.32 s -> 0.17 s at a million events). A big timeline reopened from
the cache gets such a child too, when the explorer prepares its search
(``Timeline.prepare_search``): it maps its half of the cached text, for what the word index
leaves to a scan (a needle in most words, like "the"). Questions and answers are
length-prefixed messages on the child's standard input and output.

Either child is a helper, never a requirement: if it cannot start, fails, or read a file
that changed meanwhile, this process does its work itself.
"""

from __future__ import annotations

import mmap
import os
import struct
import subprocess
import sys
import tempfile
import threading
from array import array
from collections.abc import Iterator, Sequence

import msgspec

from ..model.entities import Event, Quote
from ..model.haystack import noting_ends, search_text
from ..model.source_refs import QuoteFacts
from .cachefile import scratch_dir
from .columns import Arrangement, Broken, Columns, Fill
from .json_fast import read_big_json
from .records import DataFile, FileRecords, Origin, Spans
from .scan import Scanner, map_text

__all__ = ["QuotesAside", "TextAside", "ASIDE_LIMIT", "TEXT_ASIDE_LIMIT", "main", "text_main", "stop_all"]

ASIDE_LIMIT = 64 * 1024 * 1024
"""Files from this size read their quotes aside: below it, starting a process costs more
than it saves."""
TEXT_ASIDE_LIMIT = 50_000
"""Timelines of this many events have half their search text built aside."""
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
    quote_ids: str
    """What the sourcing report checks of each quote (``QuoteFacts``), in timeline order:
    the ids, one a line (an id holds no newline: the child checked them); speakers and
    sources as indexes into ``speakers`` and ``sources``, languages into ``languages``
    (arrays' bytes); whether each has an ``original``."""
    quote_speakers: bytes
    quote_sources: bytes
    languages: list[str | None]
    quote_languages: bytes
    quote_originals: bytes | None

    @classmethod
    def of(cls, fingerprint: list | None, columns: Columns, arranged: Arrangement) -> _Answer:
        speakers, sources = dict(columns.speakers), list(columns.quote_sources)
        if not columns.gather_facts:  # not asked for: none sent (``facts`` gives None)
            return cls(fingerprint, speakers, sources, arranged.untied,
                       None if arranged.order is None else arranged.order.tobytes(),
                       arranged.lower.tobytes(), arranged.upper.tobytes(), arranged.group_keys.tobytes(),
                       arranged.long.tobytes(), arranged.qstart.tobytes(),
                       arranged.quote_spans.starts.tobytes(), arranged.quote_spans.ends.tobytes(),
                       "", b"", b"", [], b"", None)
        facts = columns.facts_of_quotes(arranged.quote_order)
        languages = list(dict.fromkeys(facts.languages))
        return cls(fingerprint, speakers, sources, arranged.untied,
                   None if arranged.order is None else arranged.order.tobytes(),
                   arranged.lower.tobytes(), arranged.upper.tobytes(), arranged.group_keys.tobytes(),
                   arranged.long.tobytes(), arranged.qstart.tobytes(),
                   arranged.quote_spans.starts.tobytes(), arranged.quote_spans.ends.tobytes(),
                   "\n".join(facts.ids), _codes(facts.speakers, speakers), _codes(facts.sources, sources),
                   languages, _codes(facts.languages, languages), facts.originals)

    def facts(self) -> QuoteFacts | None:
        """The quotes' ``QuoteFacts``, as the child gathered them; None if it was not asked
        for them (``quote_originals`` is None then) or they do not add up."""
        if self.quote_originals is None:
            return None
        ids = self.quote_ids.split("\n") if self.quote_ids else []
        speakers, sources, languages = list(self.speakers), self.sources, self.languages
        try:
            facts = QuoteFacts(ids, list(map(speakers.__getitem__, _array("I", self.quote_speakers))),
                               list(map(sources.__getitem__, _array("I", self.quote_sources))),
                               list(map(languages.__getitem__, _array("I", self.quote_languages))),
                               self.quote_originals)
        except (IndexError, ValueError):
            return None
        n = len(ids)
        return facts if len(facts.speakers) == len(facts.sources) == len(facts.languages) == len(facts.originals) == n \
            else None

    def arrangement(self) -> Arrangement:
        return Arrangement(None if self.order is None else _array("I", self.order), _array("q", self.lower),
                           _array("q", self.upper), _array("I", self.group_keys), _array("I", self.long),
                           _array("I", self.qstart), Spans(_array("q", self.quote_starts), _array("q", self.quote_ends)),
                           [tuple(u) for u in self.untied])


def _codes(values: list, names: list) -> bytes:
    """Each value as its index in ``names`` (an array's bytes)."""
    index = {name: k for k, name in enumerate(names)}
    return array("I", map(index.__getitem__, values)).tobytes()


def _array(typecode: str, data: bytes) -> array:
    """An array sent as its bytes."""
    values = array(typecode)
    values.frombytes(data)
    return values


_RUNNING: set[subprocess.Popen] = set()


def stop_all() -> None:
    """Kill the children still at work (the explorer quits while a big file loads)."""
    for process in list(_RUNNING):
        try:
            process.kill()
        except OSError:
            pass


def _spawn(entry: str, *args: str, **options) -> subprocess.Popen:
    """Run ``entry``, a function of this module, in a child process (``stop_all`` knows it).
    It stays in this process's group, so ^C at a terminal stops both; what it says on its
    standard error is dropped."""
    # -c rather than -m: the package imports this module first, and runpy warns about that
    process = subprocess.Popen(
        [sys.executable, "-c", f"import sys; from tui.store.aside import {entry}; sys.exit({entry}())", *args],
        stderr=subprocess.DEVNULL, **options)
    _RUNNING.add(process)
    return process


def _stop(process: subprocess.Popen) -> None:
    """Kill a child, wait for its end, close its pipes and forget it."""
    try:
        process.kill()
        process.wait()
    except OSError:
        pass
    _RUNNING.discard(process)
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:  # what was left to send to it cannot be
            pass


class QuotesAside:
    """A child process reading the quotes of ``path`` and arranging the timeline; ``result``
    waits for its answer."""

    def __init__(self, path: str | os.PathLike, quote_facts: bool = False) -> None:
        self._process = _spawn("main", os.fspath(path), *(["--quote-facts"] if quote_facts else []),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)

    @classmethod
    def start(cls, path: str | os.PathLike, quote_facts: bool = False) -> QuotesAside | None:
        try:
            return cls(path, quote_facts)
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
        _stop(self._process)


def main(argv: list[str] | None = None) -> int:
    """The child process: read the quotes, and the ids and dates of the events, of the JSON
    file named in ``argv``, arrange them and write the answer to standard output; exit 1,
    saying nothing, if anything goes wrong, or ``PROBLEM`` if the file has a problem."""
    args = sys.argv[1:] if argv is None else argv
    quote_facts = args[1:] == ["--quote-facts"]
    if len(args) != 1 + quote_facts:
        print("usage: main(FILE [--quote-facts])", file=sys.stderr)
        return 2
    import gc

    gc.disable()  # as in loader.load: millions of new objects, no cycles among them
    columns = Columns(quote_facts=quote_facts)
    try:
        parsed = read_big_json(args[0], Fill(columns, ("quotes",), keys=True))
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


# --- the search text ----------------------------------------------------------------------------

class _Build(msgspec.Struct, tag="build"):
    """Build the search text of some events, then scan it (msgpack on the child's standard
    input): the spans of the events and of their quotes, where each event's quotes start
    among them (arrays' bytes), the data file to read them from and the scratch file to
    write to (descriptors handed down)."""

    data_fd: int
    out_fd: int
    event_starts: bytes
    event_ends: bytes
    quote_starts: bytes
    quote_ends: bytes
    qstart: bytes


class _Scan(msgspec.Struct, tag="scan"):
    """Scan a search text built before (the on-disk cache's): the file holding it and where
    each of the events' texts starts in it, then where the last ends (an array's bytes)."""

    text_fd: int
    offsets: bytes


_BLOCK = 16 * 1024 * 1024
_LENGTH = struct.Struct("<Q")


def _send(stream, data: bytes) -> None:
    """One message on a pipe: its length, then its bytes."""
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream) -> bytes | None:
    """The next message on a pipe (``_send``), or None if the other end is gone."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


class TextAside:
    """A child process holding the search text of the events from position ``first`` on,
    which scans it for ``scan.Scanner`` on the other core (``ask``, ``answer``) until this
    process closes it or exits (its questions end, and so does it).

    ``start``: it builds that text first, from the data file, into a scratch file
    (``text.FileText``), and ``blocks`` waits for it. ``scanning``: the text exists (in
    the on-disk cache); it only scans.
    """

    def __init__(self, request: _Build | _Scan, fds: tuple[int, ...], first: int, out=None) -> None:
        self.first = first
        self.lock = threading.Lock()
        """Held from a question to its answer (``Scanner.positions``)."""
        self.alive = True
        self._out = out
        self._process = _spawn("text_main", stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=fds)
        # Sent from a thread: the child reads it once Python has started in it (0.1-0.2 s),
        # and nobody should wait for that. Questions wait, for the lock, until it is sent.
        self.lock.acquire()
        threading.Thread(target=self._send_request, args=(msgspec.msgpack.encode(request),),
                         name="text-aside", daemon=True).start()

    def _send_request(self, request: bytes) -> None:
        try:
            self.ask(request)  # if it died already, the next answer says so
        finally:
            self.lock.release()

    @classmethod
    def start(cls, origin: Origin, qstart: Sequence[int], first: int) -> TextAside | None:
        """A child building the search text of the events from ``first`` on, then scanning it."""
        n = len(origin.events.starts)
        base, end = qstart[first], qstart[n]
        try:
            out = tempfile.TemporaryFile(dir=scratch_dir())  # on disk, where /tmp may be memory
        except OSError:
            return None
        request = _Build(
            origin.file.fd, out.fileno(),
            origin.events.starts[first:].tobytes(), origin.events.ends[first:].tobytes(),
            origin.quotes.starts[base:end].tobytes(), origin.quotes.ends[base:end].tobytes(),
            array("I", map((-base).__add__, qstart[first:n + 1])).tobytes())
        try:
            return cls(request, (origin.file.fd, out.fileno()), first, out)
        except OSError:
            out.close()
            return None

    @classmethod
    def scanning(cls, fd: int, at: int, offsets: Sequence[int], first: int) -> TextAside | None:
        """A child scanning the search text held in the file open as ``fd`` from byte ``at``
        (laid out by ``offsets``), for the events from ``first`` on."""
        request = _Scan(fd, array("q", map(at.__add__, offsets[first:])).tobytes())
        try:
            return cls(request, (fd,), first)
        except OSError:
            return None

    def blocks(self) -> Iterator[bytes] | None:
        """The text the child built, a block at a time, once it is done; None (and the
        child stopped) if it could not build it."""
        with self.lock:  # sent
            built = self.answer()
        if built is None:
            self.close()
            return None
        return self._read()

    def size(self) -> int:
        """How many bytes the child wrote."""
        return os.fstat(self._out.fileno()).st_size

    def _read(self) -> Iterator[bytes]:
        at, fd = 0, self._out.fileno()
        while block := os.pread(fd, _BLOCK, at):
            yield block
            at += len(block)

    def ask(self, message: bytes) -> bool:
        """Send the child a message (a needle to scan for); False if it is gone."""
        try:
            _send(self._process.stdin, message)
            return True
        except (OSError, ValueError):  # ValueError: the pipe was closed here
            return False

    def answer(self) -> array | None:
        """The child's next answer (the positions it found, from ``first``), or None if it
        is gone."""
        try:
            data = _receive(self._process.stdout)
        except (OSError, ValueError):
            return None
        return None if data is None else _array("I", data)

    def close(self) -> None:
        """Stop the child, and let its scratch file go."""
        self.alive = False
        _stop(self._process)
        if self._out is not None:
            self._out.close()


def text_main() -> int:
    """The child process: build the search text of the events it is sent (``_Build``) and
    say so, or map the one it is pointed at (``_Scan``); then answer every needle it is sent
    with the positions whose text holds it, until its input ends. Exit 1, saying nothing,
    if anything goes wrong."""
    questions, answers = sys.stdin.buffer, sys.stdout.buffer
    try:
        request = msgspec.msgpack.decode(_receive(questions) or b"", type=_Build | _Scan)
        if isinstance(request, _Build):
            blob, offsets = _build(request)
            _send(answers, b"")
        else:
            ends = _array("q", request.offsets)
            at = ends[0] // mmap.ALLOCATIONGRANULARITY * mmap.ALLOCATIONGRANULARITY
            blob = map_text(request.text_fd, ends[-1] - at, at)
            offsets = array("q", map((-at).__add__, ends))
        if blob is not None:
            scanner = Scanner(blob, offsets)
            scanner.prepare()  # while nobody is waiting
            while (needle := _receive(questions)) is not None:
                _send(answers, scanner.positions(needle, threads=False).tobytes())
    except Exception as exc:  # whatever it is, the parent does this work itself
        print(f"search text not built or scanned: {exc!r}", file=sys.stderr)
        return 1
    return 0


def _build(request: _Build) -> tuple[mmap.mmap | None, array]:
    """Build the search text the request asks for into its scratch file; map it (None if
    it is empty)."""
    file = DataFile.adopt(request.data_fd)
    events = FileRecords(file, Event, Spans(_array("q", request.event_starts), _array("q", request.event_ends)), [], [])
    quotes = FileRecords(file, Quote, Spans(_array("q", request.quote_starts), _array("q", request.quote_ends)), [], [])
    offsets = array("q", [0])
    chunks = search_text(events, quotes, _array("I", request.qstart), range(len(events)))
    with open(request.out_fd, "wb", closefd=False) as out:
        out.writelines(noting_ends((encoded for _, encoded in chunks), offsets))
    return (map_text(request.out_fd) if len(events) else None), offsets
