"""How a timeline's search text is built and scanned (``protocols.TextSource``): what the
store plugs into every ``Timeline`` it makes.

* ``MemoryText``: timelines held in memory (small files, several files): the text is built
  here, into a bytearray, and scanned by ``scan.Scanner``.
* ``FileText``: one big file's. The text goes to an unnamed scratch file that is then mapped
  (it is read from the page cache, and never adds ~0.7 GB at a million events to the
  process's memory); a child process builds the later half meanwhile and stays to scan it
  (``aside.TextAside``). The file is kept open (``Scratch``) while a text mapped from it is
  in use, so that a version grown at its end appends its new events' text to it
  (``grown_text.py``). A timeline restored from the on-disk cache has its text there
  (``CachedText``), checked against its checksum when first used; readying its search then
  starts a child mapping and scanning half of that text (``held_in``). A version grown from
  it at its end maps the same pages of the cache file, never written, with a scratch file of
  its own after them (``Scratch.after``, ``joined.py``).
"""

from __future__ import annotations

import mmap
import os
import tempfile
import threading
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator

from ..model.haystack import InMemory, noting_ends
from ..model.protocols import SearchText
from ..model.timeline import Timeline
from . import aside, joined
from .aside import TextAside
from .cachefile import checksum, scratch_dir
from .records import DataFile
from .scan import Scanner, map_text

__all__ = ["MemoryText", "FileText", "CachedText", "Scratch"]

_BLOCK = 8 * 1024 * 1024


class Scratch:
    """The unnamed scratch file a big search text was written to (in ``cachefile.scratch_dir``),
    kept open while a text mapped from it is in use (its ``FileText`` holds it; closed when
    the last goes). A version of the timeline grown by events at its end appends their text
    here and maps the longer file (``appended``): the old text's bytes are never written again,
    so a version still mapping the shorter text reads what it always did, and the growth
    costs the new events' text, not a copy of the old (0.73 GB at a million events).

    A text mapped from the on-disk cache has a scratch file of its own made when it first
    grows (``after``): the text's whole pages stay in the cache file (the *lead*, mapped, never
    written) and this file holds the rest, mapped right after them (``joined.map_joined``)."""

    def __init__(self, file, lead: tuple[DataFile, int, int] | None = None) -> None:
        self._file = file
        self._lead = lead
        """(file, where, bytes): the text's first bytes, whole pages of another file."""
        self._start = lead[2] if lead is not None else 0
        """Where this file's bytes start in the text."""
        self.end = self._start + file.tell()
        """Bytes of text up to this file's end: a version whose text ends here may append to it."""
        self._lock = threading.Lock()
        weakref.finalize(self, file.close)

    @classmethod
    def after(cls, held: DataFile, at: int, length: int) -> Scratch | None:
        """A scratch file for the text of ``length`` bytes at ``at`` in ``held`` (the cache
        file, never written), to append to: its whole pages are mapped from there, the last
        part-page (under 4 KiB) is copied here. None where that cannot be done (the text is
        then copied, as before)."""
        lead = length - length % mmap.PAGESIZE
        if not joined.available() or at % mmap.PAGESIZE:
            return None
        rest = os.pread(held.fd, length - lead, at + lead)
        if len(rest) != length - lead:
            raise OSError("the cache ended before its search text")
        f = tempfile.TemporaryFile(dir=scratch_dir())
        try:
            f.write(rest)
            f.flush()
        except BaseException:
            f.close()
            raise
        return cls(f, (held, at, lead))

    def appended(self, at: int, chunks: Iterable[bytes]) -> mmap.mmap | None:
        """The text up to ``at`` with ``chunks`` after it, mapped; None (``chunks`` untouched)
        when ``at`` is no longer the end: another version grew from there, and its text
        after ``at`` is still in use (the caller copies instead)."""
        with self._lock:
            if at != self.end:
                return None
            f = self._file
            f.seek(at - self._start)
            try:
                for encoded in chunks:
                    f.write(encoded)
                f.flush()
                end = self._start + f.tell()
                blob = self._mapped(end)
            except BaseException:
                f.seek(at - self._start)  # what was written past the end is nobody's: the next append writes over it
                raise
            self.end = end
            return blob

    def _mapped(self, end: int) -> mmap.mmap:
        """The text's first ``end`` bytes, mapped."""
        if not self._start:
            return map_text(self._file.fileno(), end)
        held, at, lead = self._lead
        return joined.map_joined(held.fd, at, lead, self._file.fileno(), end - lead)


def _mapped(chunks: Iterable[bytes]) -> tuple[mmap.mmap, Scratch]:
    """Write the chunks to an unnamed scratch file (``cachefile.scratch_dir``); map it."""
    f = tempfile.TemporaryFile(dir=scratch_dir())
    try:
        for encoded in chunks:
            f.write(encoded)
        f.flush()
        if f.tell() == 0:
            raise OSError("nothing to map")
        return map_text(f.fileno()), Scratch(f)  # the mapping outlives the file's name
    except BaseException:
        f.close()
        raise


class MemoryText(InMemory):
    """The search text built in this process's memory, scanned by ``scan.Scanner``."""

    def scanner(self, blob, offsets: array) -> Scanner:
        return Scanner(blob, offsets)


class CachedText:
    """The search text held in the on-disk cache (open as ``file``, ``length`` bytes from
    ``at``), not yet read: the first use maps it and checks it against its checksum, and its
    offsets (``offsets()``: checked, or None if damaged)."""

    def __init__(self, file: DataFile, at: int, length: int, offsets: Callable[[], array | None],
                 expected: int) -> None:
        self.file, self.at, self.length, self.offsets, self.expected = file, at, length, offsets, expected

    def open(self) -> SearchText | None:
        """The text, mapped; None if it is damaged."""
        offsets = self.offsets()
        if offsets is None or _checksum_of(self.file.fd, self.at, self.length) != self.expected:
            return None
        blob = map_text(self.file.fd, self.length, self.at)
        return SearchText(blob, offsets, Scanner(blob, offsets))


def _checksum_of(fd: int, at: int, length: int) -> int:
    """``checksum`` of a file's bytes, read a block at a time into one buffer: checked
    through the mapping, the whole text (0.7 GB at a million events) would count in this
    process's memory from then on."""
    block = memoryview(bytearray(_BLOCK))
    crc, end = 0, at + length
    while at < end:
        n = os.preadv(fd, [block[:min(_BLOCK, end - at)]], at)
        if n <= 0:
            raise OSError("the cache ended before its search text")
        crc = checksum(block[:n], crc)
        at += n
    return crc


class FileText(MemoryText):
    """The search text of one big file's timeline: the cache's (``cached``), or built half
    here and half by a child process into a mapped scratch file (in memory if there is no
    room for one)."""

    def __init__(self) -> None:
        self.cached: CachedText | None = None
        """The search text in the cache the timeline was restored from, until first used."""
        self.held_in: tuple[DataFile, int] | None = None
        """The file holding the search text once read from the cache, and where the text
        starts in it: ``prepare_search`` has a child process map and scan half."""
        self.scratch: Scratch | None = None
        """The scratch file the text was written to, once built there (a version grown at
        the end appends to it)."""
        self.mapped_from: tuple[DataFile, int, int] | None = None
        """The cache file the text is mapped from, where in it and how long (a version grown
        at the end maps the same pages, and its events' text after them: ``Scratch.after``)."""

    def build_text(self, timeline: Timeline) -> SearchText:
        cached, self.cached = self.cached, None
        if cached is not None:
            try:
                text = cached.open()
            except (OSError, ValueError):  # no room to map it: built below, the cache is sound
                text = False
            if text:
                self.held_in = (cached.file, cached.at)
                self.mapped_from = (cached.file, cached.at, cached.length)
                return text
            if text is None:
                timeline.cached_text = False  # so the cache is written again, with the text built now
                timeline.notices.append(f"the search text in the cache of {timeline.origin.path} was damaged: "
                                        "built it again from the file, and cached it anew")
        n = len(timeline)
        helper = TextAside.start(timeline.origin, timeline.quote_starts, n // 2) if n >= aside.TEXT_ASIDE_LIMIT else None
        offsets = array("q", [0])
        try:
            blob, self.scratch = _mapped(noting_ends(_halves(timeline, helper), offsets))
            return SearchText(blob, offsets, Scanner(blob, offsets, helper if helper is not None and helper.alive else None))
        except BaseException as exc:
            if helper is not None:
                helper.close()
            if not isinstance(exc, OSError):
                raise
        return super().build_text(timeline)  # no room for the scratch file: in memory

    def prepare_search(self, text: SearchText, timeline: Timeline) -> None:
        """A big timeline whose search text came from the cache gets a child process scanning
        half of it, as one that built its text has already: what the word index leaves to a
        scan (a needle in most words, like "the") runs on both cores."""
        held, self.held_in = self.held_in, None
        n = len(timeline)
        if held is not None and n >= aside.TEXT_ASIDE_LIMIT:  # looked up here: tests lower it
            text.scan.share(TextAside.scanning(held[0].fd, held[1], text.offsets, n // 2))
        text.scan.prepare()


def _halves(timeline: Timeline, helper: TextAside | None) -> Iterator[bytes]:
    """The search text, built here up to where ``helper`` (if any) started, then the rest as
    it built it (or built here, if it could not). Progress: this process's half counts for
    90%, joining the child's for the last 10%."""
    n = len(timeline)
    if helper is None:
        yield from timeline.text_chunks(0, n)
        return
    yield from timeline.text_chunks(0, helper.first, share=0.9)
    built = helper.blocks()
    if built is None:
        yield from timeline.text_chunks(helper.first, n, start=0.5, share=0.5)
        return
    done, size = 0, max(helper.size(), 1)
    for block in built:
        yield block
        done += len(block)
        timeline.text_progress = 0.9 + 0.1 * min(done / size, 1)
