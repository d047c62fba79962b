"""Which events' search text holds a needle, by scanning the text on both cores.

Until a word index exists (``words.py``), free-text search scans the folded text of every
event: 730 MB at a million events. ``bytes.find`` and ``mmap.find`` run at 1.4–1.9 GB/s
here and hold the GIL, so a rare word took 0.4–0.6 s. The C library's ``memmem``, called
through ctypes (which lets go of the GIL during the call), runs about twice as fast, and two
threads can each scan half of the text. Where ``memmem`` cannot be had (no such function, or
a buffer that ctypes cannot point into), the buffer's own ``find`` does it on one core.

Each hit costs a step in Python (which event is it, then on to the next one), and a step
holds the GIL: with many hits, two threads spend their time handing the GIL to each other.
So the first 64th of the text is scanned first, and what it finds decides: two threads for
a rare needle, one for a common one, and for a needle in most events one search per event,
all called from C (at a million events, measured: a rare word 0.45 s by ``find`` -> 0.09 s;
"government", in 16% of events, 0.48 -> 0.32 s; "the", in 84%, 0.94 -> 0.34 s).

What two threads cannot do, two processes can: the child process that built half of the
search text (``aside.TextAside``), or that maps half of the cached one, scans that half while
this process scans the other (``helper``): "government" then takes 0.17 s, "the" 0.26 s.
"""

from __future__ import annotations

import ctypes
import mmap
import re
import threading
from array import array
from bisect import bisect_right
from collections.abc import Callable
from itertools import compress, repeat

__all__ = ["Scanner", "map_text"]

_PARALLEL = 65_536
"""Texts of fewer events are scanned by one thread: starting another costs more."""
_SPARSE = 50
"""Hits in fewer than one event in 50 of the first 64th: two threads scan the rest."""
_DENSE = 3
"""Hits in more than one event in 3: the rest is looked for event by event (``_each``)."""


def _libc_memmem() -> Callable | None:
    try:
        memmem = ctypes.CDLL(None).memmem
    except (OSError, AttributeError, TypeError):
        return None
    memmem.restype = ctypes.c_void_p
    memmem.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    return memmem


_MEMMEM = _libc_memmem()


def map_text(fileno: int, length: int = 0, offset: int = 0) -> mmap.mmap:
    """Map a search text for scanning: copy-on-write though it is only ever read, so that
    ctypes can point into it; read-only where the system will not commit that much memory
    to a private mapping (the scan then uses ``find``)."""
    try:
        return mmap.mmap(fileno, length, offset=offset, access=mmap.ACCESS_COPY)
    except OSError:
        return mmap.mmap(fileno, length, offset=offset, access=mmap.ACCESS_READ)


def _memmem_at(base: int) -> Callable[[bytes, int, int], int]:
    """``find(needle, start, end)`` over the buffer at address ``base``, by ``memmem``. A
    function of its own, not a bound method kept on the scanner: that would be a cycle (the
    scanner holding itself), left for the garbage collector, and with it the mapping and the
    file behind it."""
    def find(needle: bytes, start: int, end: int) -> int:
        at = _MEMMEM(base + start, end - start, needle, len(needle))
        return -1 if not at else at - base
    return find


class Scanner:
    """Scans one search text: ``blob`` holds every event's text, ``offsets[p]`` is where the
    text of position p starts (``Timeline.haystack``).

    A ``helper`` is another process holding the text from position ``helper.first`` on
    (``aside.TextAside``, which built it): it scans that part on the other core while this
    process scans the rest, which two threads here cannot do when hits are many. It is
    asked a needle (``ask``), and ``answer`` gives the positions it found, counted from
    ``first``, or None once it is gone (its part is then scanned here).
    """

    def __init__(self, blob, offsets: array, helper=None) -> None:
        self._n = len(offsets) - 1
        self._bounds: array | list[int] = offsets
        """Where each position's text starts (and the last ends): the array given, until
        ``prepare`` turns it into a list (``_offsets``), which then is the only copy kept."""
        self._helper = helper
        self._blob = blob
        self._find = blob.find
        self._base: int | None = None
        if _MEMMEM is not None:
            try:  # a writable buffer (bytearray, or a copy-on-write mapping that is only read)
                self._view = (ctypes.c_char * len(blob)).from_buffer(blob)
                self._base = ctypes.addressof(self._view)
                self._find = _memmem_at(self._base)
            except (TypeError, ValueError, BufferError):
                pass

    def grown(self, blob, offsets: array) -> Scanner:
        """A scanner of ``blob``, a text that starts with this one's (``offsets`` goes on
        from this one's, as after an append): the offsets as a list, if made here, are this
        list extended (a copy of a million pointers, 5 ms, not a million ints made again,
        60 ms on the first search after the append)."""
        scanner = Scanner(blob, offsets)
        bounds = self._bounds
        if isinstance(bounds, list) and len(bounds) <= len(offsets):
            scanner._bounds = bounds + offsets[len(bounds):].tolist()
        return scanner

    def share(self, helper) -> None:
        """From now on, ``helper`` (if not None) scans the text from ``helper.first`` on."""
        self._helper = helper

    @property
    def parallel(self) -> bool:
        """Whether two threads share a big scan (they do only where ``memmem`` is used)."""
        return self._base is not None

    def positions(self, needle: bytes, *, threads: bool = True) -> array:
        """Every position whose text holds ``needle`` (which has no NUL), in order.
        ``threads``: a sparse needle may be looked for by two threads."""
        n = self._n
        helper = self._helper
        if helper is None:
            return self._positions(needle, 0, n, threads)
        with helper.lock:  # one question at a time
            asked = helper.ask(needle)
            try:
                found = self._positions(needle, 0, helper.first, threads=False)
            finally:  # read, whatever happened here: the next question must get its own answer
                later = helper.answer() if asked else None
        if later is None:  # it is gone: its part is scanned here from now on
            self._helper = None
            helper.close()
            return found + self._positions(needle, helper.first, n, threads)
        return found + array("I", map(helper.first.__add__, later))

    def _positions(self, needle: bytes, first: int, last: int, threads: bool) -> array:
        """The positions in [first, last) whose text holds ``needle``."""
        if not self.parallel or last - first < _PARALLEL:
            return self._hits(needle, first, last)
        head = first + (last - first) // 64
        found = self._hits(needle, first, head)
        if len(found) * _DENSE > head - first:
            return found + self._each(needle, head, last)
        if not threads or len(found) * _SPARSE > head - first:
            return found + self._hits(needle, head, last)
        middle = head + (last - head) // 2
        later: list = []

        def scan_later_half() -> None:
            try:
                later.append(self._hits(needle, middle, last))
            except BaseException as exc:  # re-raised in the caller's thread
                later.append(exc)

        helper = threading.Thread(target=scan_later_half, name="text-scan", daemon=True)
        helper.start()
        found += self._hits(needle, head, middle)
        helper.join()
        if isinstance(later[0], BaseException):
            raise later[0]
        return found + later[0]

    def prepare(self) -> None:
        """Do now what the first scan would do first (40 ms at a million events)."""
        self._offsets()

    def _offsets(self) -> list[int]:
        """The offsets as a list: bisecting it reads ints it already holds, where an array
        makes one per step (0.25 µs a hit instead of 0.5: 60 ms of a 0.38 s scan for a word
        in one event in six, at a million events; 40 MB, kept with the scanner)."""
        if not isinstance(self._bounds, list):
            self._bounds = self._bounds.tolist()
        return self._bounds

    def _each(self, needle: bytes, first: int, last: int) -> array:
        """Positions in [first, last) whose text holds ``needle``, by one search in each
        event's text, all called from C (``map``): for a needle in most events, a call per
        event costs less than a step in Python per hit ("the", in 84% of a million events:
        0.94 s -> 0.34 s). A compiled pattern's ``search`` is called for less than ``find``
        (0.34 s against 0.47 s)."""
        offsets = self._offsets()
        return array("I", compress(range(first, last), map(
            re.compile(re.escape(needle)).search, repeat(self._blob), offsets[first:last], offsets[first + 1:last + 1])))

    def _hits(self, needle: bytes, first: int, last: int) -> array:
        """Positions in [first, last) whose text holds ``needle``: one scan, which moves on
        to the next event after each hit."""
        offsets, find = self._offsets(), self._find
        found = array("I")
        pos, end = offsets[first], offsets[last]
        while True:
            at = find(needle, pos, end)
            if at < 0:
                return found
            p = bisect_right(offsets, at, first, last + 1) - 1
            found.append(p)
            pos = offsets[p + 1]
