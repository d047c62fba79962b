"""A word index of the search text, so that text search at a million events takes
milliseconds instead of one 0.5 s scan of ~730 MB.

Words are the whitespace-separated pieces of the folded search text (``Timeline.haystack``).
The index lists every distinct word once (the *vocabulary*, one buffer) and, per word, the
sorted positions of the events that contain it. A needle without whitespace is found inside
one word or not at all, so the events holding it are exactly the union of the postings of
the vocabulary words that contain it: substring search stays substring search ("embass"
still finds "embassy"). A needle with whitespace ("power cut") narrows the candidates to
events holding every piece, and each candidate is then checked in its own text.

A needle found in many vocabulary words costs a merge of many postings, and one found in
most events a big one: "the" is a word of 83% of a million events and a piece of 31,000
others (text without spaces, such as Chinese, makes long words), so it took a scan. For the
most frequent words (``HOT``, those in an eighth of the events or more) the index also keeps
that merge done: the sorted positions of every event holding the word anywhere (its
*closure*), so such a needle is answered by copying one array (``lookup``).

Building it costs a pass in Python over every word (20–35 s at a million events), so it
is built off to the side: once the on-disk cache (``cache.py``) holds the search text, the
explorer has a child process build it at low priority on the other core (``build_aside``).
The child writes ``CACHE_FILE.words`` beside the cache (to a temporary name, then renamed),
tied to that cache file's table of contents; a reopened timeline maps it when it matches.
Until then, and for needles that would match most words, search scans.
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
import tempfile
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path

from .cachefile import Damaged, Stale, checksum, identity, text_of

__all__ = ["WordIndex", "build", "build_aside", "open_index", "sidecar", "stop_building", "MAX_WORDS"]

MAGIC = b"TLXWORDS"
VERSION = 3
_HEADER = struct.Struct("<8sI16sQQQQIIIIQQIII")
"""magic, version, the identity of the cache file it was built from (``cachefile.identity``), the
byte lengths of the vocabulary, the word starts, the postings offsets and the postings, their
checksums (``cachefile.checksum``), the byte lengths of the closures' table and of their
positions and those two checksums, then the checksum of all that."""
MAX_WORDS = 2_000
"""A needle found in more vocabulary words than this (a letter or two) is searched by a scan."""
HOT = 32
"""At most this many words get their closure kept: the most frequent, if in an eighth of
the events or more (at a million events 130 MB of the 395 MB index)."""
_CHUNK = 2048
_CHECK_CHUNK = 16 << 20
"""Bytes checksummed at a time on first use, their pages then given back (``WordIndex._crc``)."""
_MERGE = 20_000
"""Postings in all beyond which ``lookup`` merges them itself (``_merged``)."""


_LAYOUT = (("B", 1), ("Q", 8), ("Q", 8), ("I", 4), ("Q", 8), ("I", 4))
"""The regions after the header, in order (the vocabulary, the word starts, the postings
offsets, the postings, the closures' table, the closures): item type and size. A region of
8-byte items starts on a multiple of 8 (the vocabulary and the postings may end anywhere)."""


def _regions(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """(start, byte length) of each region of ``_LAYOUT``, given their byte lengths."""
    regions, at = [], _HEADER.size
    for length, (_, size) in zip(sizes, _LAYOUT):
        at += -at % size if size == 8 else 0
        regions.append((at, length))
        at += length
    return regions


def sidecar(cache_file: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(cache_file)}.words")


class WordIndex:
    """A mapped word index: vocabulary, word starts, and each word's event positions.

    Checked against its checksums on first use (a read of 0.4 GB at a million events, left
    out of reopening): a damaged index answers nothing (every search scans, and is right),
    is deleted so that the explorer builds it again, and says so once in ``notices``."""

    def __init__(self, mapped: mmap.mmap, sizes: tuple[int, ...], checksums: tuple[int, ...],
                 path: Path, notices: list[str] | None = None) -> None:
        self._view = view = memoryview(mapped)
        self.vocab = mapped  # searched in place: find() on the mapping, between the bounds below
        regions = _regions(sizes)
        (at, vocab_n), *typed = regions
        self._vocab_range = (at, at + vocab_n)
        self.starts, self.offsets, self.postings, self._table, self.closures = (
            view[start:start + length].cast(code) for (start, length), (code, _) in zip(typed, _LAYOUT[1:]))
        """``_table``: (word, first, last) for each hot word: its closure is ``closures[first:last]``."""
        self._hot: dict[bytes, tuple[int, int]] | None = None
        self._unchecked: list | None = list(zip(regions, checksums))
        self._sound = True
        self._path, self._notices = path, notices

    def _check(self) -> bool:
        """Whether the index is what was written (checked once, on first use)."""
        unchecked, self._unchecked = self._unchecked, None
        if unchecked is not None:
            if not all(self._crc(*region) == expected for region, expected in unchecked) or not self._read_hot():
                self._sound = False
                _discard(self._path, self._notices)
        return self._sound

    def _crc(self, start: int, length: int) -> int:
        """``checksum`` of the mapped bytes [start, start + length), read a chunk at a time,
        each chunk's pages given back once read: checking 0.4 GB at a million events would
        otherwise count all of it in the explorer's memory (they come back from the page
        cache when a search reads them)."""
        crc = 0
        for at in range(start, start + length, _CHECK_CHUNK):
            end = min(at + _CHECK_CHUNK, start + length)
            crc = zlib.crc32(self._view[at:end], crc)
            first = at - at % mmap.PAGESIZE
            try:
                self.vocab.madvise(mmap.MADV_DONTNEED, first, end - first)
            except (AttributeError, OSError, ValueError):  # no madvise here: the pages stay
                pass
        return crc

    def _read_hot(self) -> bool:
        """The hot words and where their closures are; False if the table cannot be right."""
        table, starts, (begin, _) = self._table, self.starts, self._vocab_range
        if len(table) % 3:
            return False
        hot = {}
        for k in range(0, len(table), 3):
            word, first, last = table[k:k + 3]
            if not (word < len(starts) - 1 and first <= last <= len(self.closures)):
                return False
            hot[bytes(self.vocab[begin + starts[word]:begin + starts[word + 1] - 1])] = (first, last)
        self._hot = hot
        return True

    def lookup(self, piece: bytes, limit: int) -> list[Sequence[int]] | None:
        """The postings of every vocabulary word containing ``piece`` (no whitespace), or
        None when merging them would cost more than a scan: more than ``MAX_WORDS`` words,
        or more than ``limit`` postings in all (or the index is damaged). For a hot word,
        one list: its closure, merged already (whatever its length)."""
        if not self._check():
            return None
        hot = self._hot.get(piece)
        if hot is not None:
            return [self.closures[hot[0]:hot[1]]]
        found: list[Sequence[int]] = []
        total = 0
        begin, end = self._vocab_range
        find, starts, offsets, postings = self.vocab.find, self.starts, self.offsets, self.postings
        at = find(piece, begin, end)
        while at >= 0:
            word = bisect_right(starts, at - begin) - 1
            if not 0 <= word < len(offsets) - 1 or not offsets[word] <= offsets[word + 1] <= len(postings):
                return None  # cannot be, in an index that matched its checksums
            first, last = offsets[word], offsets[word + 1]
            found.append(postings[first:last])
            total += last - first
            if len(found) > MAX_WORDS or total > limit:
                return None
            at = find(piece, begin + starts[word + 1], end)
        if len(found) > 1 and total > _MERGE:
            return [_merged(found)]
        return found


def _merged(found: list[Sequence[int]]) -> array:
    """One sorted list of the positions in any of ``found``: each is marked in a byte per
    event, and the marks are read back, all in numpy (a word in 16% of a million events,
    161,000 positions in 3 lists: 27 ms marked one by one in Python, a few ms here)."""
    import numpy as np  # a runtime dependency already (the cache's range checks)

    lists = [np.frombuffer(p, dtype=np.uint32) if isinstance(p, (array, memoryview)) else
             np.asarray(p, dtype=np.uint32) for p in found if len(p)]
    marks = np.zeros(max(int(p[-1]) for p in lists) + 1, dtype=np.bool_)
    for postings in lists:
        marks[postings] = True
    merged = array("I")
    merged.frombytes(np.flatnonzero(marks).astype(np.uint32).tobytes())
    return merged


def _discard(path: Path, notices: list[str] | None) -> None:
    """A damaged index goes (the explorer builds another), and says so."""
    try:
        os.unlink(path)
    except OSError:
        pass
    if notices is not None:
        notices.append(f"the word index {path} was damaged: searches scan the text instead, "
                       "and the explorer builds it again")


def open_index(cache_file: str | os.PathLike, built_from: bytes | None = None,
               notices: list[str] | None = None) -> WordIndex | None:
    """The word index beside this cache file, if it was built from this very file
    (``built_from``: the cache's identity, when the caller has it already). A damaged one
    (``notices`` says so) or a stale one is none."""
    path = sidecar(cache_file)
    try:
        if built_from is None:
            built_from = identity(cache_file)
        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, struct.error, Damaged, Stale):
        return None
    try:
        if len(mapped) < _HEADER.size or mapped[:8] != MAGIC:
            raise Damaged("header")
        magic, version, expected, *rest = _HEADER.unpack_from(mapped)
        if version != VERSION:
            raise Stale("another version")
        sizes, checksums, head = rest[:4] + rest[8:10], rest[4:8] + rest[10:12], rest[12]
        if checksum(mapped[:_HEADER.size - 4]) != head:
            raise Damaged("header")
        if built_from != expected:
            raise Stale("built from another cache")
        start, length = _regions(sizes)[-1]
        if start + length != len(mapped) or any(n % size for n, (_, size) in zip(sizes, _LAYOUT)):
            raise Damaged("sizes")  # not whole machine words
        return WordIndex(mapped, tuple(sizes), tuple(checksums), path, notices)
    except Damaged:
        mapped.close()
        _discard(path, notices)
    except (Stale, ValueError, TypeError, struct.error):
        mapped.close()
    return None


def build(cache_file: str | os.PathLike) -> Path | None:
    """Build the word index of a cache file's search text and write it beside it."""
    built_from, blob, offsets = text_of(cache_file)
    postings: dict[bytes, array] = {}
    get = postings.get
    n = len(offsets) - 1
    for first in range(0, n, _CHUNK):
        last = min(n, first + _CHUNK)
        texts = blob[offsets[first]:offsets[last]].split(b"\x00")  # a mapping's slice is bytes
        for pos, text in enumerate(texts[:-1], first):
            for word in set(text.split()):
                found = get(word)
                if found is None:
                    postings[word] = array("I", (pos,))
                else:
                    found.append(pos)
    table, closures = _closures(postings, n)
    target = sidecar(cache_file)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            vocab = b"".join(word + b"\n" for word in postings)
            starts = array("Q", [0])
            offsets_out = array("Q", [0])
            for word, found in postings.items():
                starts.append(starts[-1] + len(word) + 1)
                offsets_out.append(offsets_out[-1] + len(found))
            f.write(bytes(_HEADER.size))
            f.write(vocab)
            f.write(bytes(-f.tell() % 8))
            f.write(starts)
            f.write(offsets_out)
            crc = 0
            for found in postings.values():
                f.write(found)
                crc = zlib.crc32(found, crc)  # checksum() of the postings, written a word at a time
            f.write(bytes(-f.tell() % 8))
            f.write(table)
            f.write(closures)
            head = _HEADER.pack(MAGIC, VERSION, built_from, len(vocab), len(starts) * 8, len(offsets_out) * 8,
                                offsets_out[-1] * 4, checksum(vocab), checksum(starts), checksum(offsets_out), crc,
                                len(table) * 8, len(closures) * 4, checksum(table), checksum(closures), 0)
            f.seek(0)
            f.write(head[:-4] + struct.pack("<I", checksum(head[:-4])))
        os.replace(tmp, target)
        return target
    except BaseException:
        os.unlink(tmp)
        raise


def _closures(postings: dict[bytes, array], n: int) -> tuple[array, array]:
    """The closures of the hot words (``HOT``): for each, the sorted positions of the events
    holding it inside any word, and the table of where each is, by word number."""
    number = {word: k for k, word in enumerate(postings)}
    hot = sorted((word for word, found in postings.items() if len(found) * 8 >= n),
                 key=lambda word: (-len(postings[word]), word))[:HOT]
    table, closures = array("Q"), array("I")
    for word in hot:
        holding = [postings[other] for other in postings if word in other]
        closure = holding[0] if len(holding) == 1 else _merged(holding)
        table.extend((number[word], len(closures), len(closures) + len(closure)))
        closures.extend(closure)
    return table, closures


def build_aside(cache_file: str | os.PathLike) -> WordIndex | None:
    """Build the index in a child process at low priority (on the other core, never holding
    this process's GIL or memory), wait for it, and map the result."""
    import subprocess

    try:
        # -c rather than -m: the package imports this module first, and runpy warns about that
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from tui.store.words import main; sys.exit(main())",
             os.fspath(cache_file)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # its own session: ^C in the app spares it
    except OSError:
        return None
    _BUILDING.add(process)
    try:
        process.wait()
    finally:
        _BUILDING.discard(process)
    return open_index(cache_file)


_BUILDING: set = set()


def stop_building() -> None:
    """Kill the child building a word index, if one is at work. Quitting leaves it to finish
    (it writes the index atomically, for the next session); a signal that ends the explorer
    (``shutdown.py``) stops it with everything else."""
    for process in list(_BUILDING):
        try:
            process.kill()
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    """The child process: build the word index of the cache file named in ``argv``, at low priority."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: main(CACHE_FILE)", file=sys.stderr)
        return 2
    try:
        os.nice(10)
    except OSError:
        pass
    try:
        return 0 if build(args[0]) else 1
    except (OSError, ValueError, MemoryError) as exc:  # text_of reports a broken cache as ValueError
        print(f"word index not built: {exc}", file=sys.stderr)
        return 1

