"""Where each record sits in its file, and records read back from there on demand.

A big file's records are decoded once, to check them and build the indexes; the on-disk
cache (``cache.py``) then keeps only the indexes and each record's byte span. Reopening the
unchanged file reads an event or a quote again only when something asks for it (the
explorer shows about forty at a time), so a million-event timeline is usable in a second
instead of being decoded whole again.
"""

from __future__ import annotations

import ctypes
import os
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import msgspec

from ..model.dates import EDate, parse_edtf
from ..model.entities import Event, Quote
from ..model.timeline import Timeline

__all__ = ["Spans", "DataFile", "Origin", "FileRecords", "LazyDates", "UNREADABLE",
           "read_on_demand", "give_back_memory"]

UNREADABLE = "(this record could not be read again: the file changed after it was opened; reopen it)"
"""What stands in for a record whose bytes no longer decode (the file was rewritten in place)."""


@dataclass(slots=True)
class Spans:
    """Byte offsets where each record starts and ends, in one list's order."""

    starts: array
    ends: array

    def permuted(self, order: Sequence[int]) -> Spans:
        return Spans(array("q", map(self.starts.__getitem__, order)), array("q", map(self.ends.__getitem__, order)))


class DataFile:
    """A data file opened once, before it is read. Everything read from it afterwards (its
    fingerprint, the mapping it is decoded from, the records read back when shown) goes
    through this one descriptor: a file replaced meanwhile (a program writing a new version
    and renaming it over the old one) is never read with the spans of the old one. Closed
    when the last user lets it go."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.fd = os.open(path, os.O_RDONLY)

    @classmethod
    def adopt(cls, fd: int) -> DataFile:
        """The file behind a descriptor handed down by the process that opened it (``aside.py``)."""
        file = cls.__new__(cls)
        file.fd = fd
        return file

    def __del__(self) -> None:
        fd, self.fd = getattr(self, "fd", -1), -1
        if fd >= 0:
            os.close(fd)


@dataclass(slots=True)
class Origin:
    """The one file a timeline was read from, with its records' spans in timeline order
    (events by position, quotes grouped by event). Only big single-file loads have one."""

    path: str
    events: Spans
    quotes: Spans
    file: DataFile
    """The file as it was opened to be read, from which records are read back."""
    fingerprint: list | None
    """The file as it was when read (``cachefile.fingerprint``; None if it could not be taken):
    the cache is written only if it still looks the same, so a file edited meanwhile is never
    cached with the old indexes."""

    def permuted(self, *, events: Sequence[int] | None = None, quotes: Sequence[int] | None = None) -> Origin:
        """The same file, with the events' or quotes' spans taken in this order (``protocols.Placement``)."""
        return Origin(self.path, self.events if events is None else self.events.permuted(events),
                      self.quotes if quotes is None else self.quotes.permuted(quotes),
                      file=self.file, fingerprint=self.fingerprint)


class FileRecords(Sequence):
    """Events or quotes decoded from the file when asked for, by their spans.

    The file is read with ``pread`` on the descriptor it was first read through (``DataFile``),
    not memory-mapped: a file replaced on disk keeps being read as it was, and a file
    truncated in place yields a stand-in record rather than a crash (SIGBUS).
    """

    def __init__(self, file: DataFile, cls: type, spans: Spans, ids: Sequence[str], date_texts: Sequence[str]) -> None:
        self._file = file  # kept open as long as its records may be read
        self._fd = file.fd
        self._decode = msgspec.json.Decoder(cls).decode
        self._decode_list = msgspec.json.Decoder(list[cls]).decode
        self._cls = cls
        self.spans = spans
        self.ids = ids
        """Record ids by position (quotes: empty, nothing asks a quote by id)."""
        self.positions: Mapping[str, int] | None = None
        """Id -> position, when the store has a lookup of its own (the cache's, ``packed.Positions``)."""
        self._dates = date_texts

    def __len__(self) -> int:
        return len(self.spans.starts)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._read(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._read(index)

    def many(self, indexes: Sequence[int], decode_list=None) -> list:
        """The records at these indexes, decoded in one call: what an export of thousands
        of events needs (one at a time, the calls would cost more than the reading).
        ``decode_list`` may decode them into lighter structs (``haystack.TEXT_DECODERS``)."""
        starts, ends, fd = self.spans.starts, self.spans.ends, self._fd
        try:
            records = (decode_list or self._decode_list)(
                b"[" + b",".join([os.pread(fd, ends[i] - starts[i], starts[i]) for i in indexes]) + b"]")
            if len(records) == len(indexes):
                return records
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            pass
        return [self[i] for i in indexes]  # the file changed: stand-ins where records no longer decode

    def _read(self, index: int):
        start = self.spans.starts[index]
        try:
            return self._decode(os.pread(self._fd, self.spans.ends[index] - start, start))
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            if self._cls is Event:
                return Event(id=self.ids[index], date=self._dates[index], title=UNREADABLE)
            return Quote(id="", text=UNREADABLE, speaker="", source="")


class LazyDates(Sequence):
    """Each event's parsed date, parsed again from its text when asked for."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index) -> EDate | list[EDate]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return parse_edtf(self.texts[index])  # every one was checked before the cache was written


def give_back_memory() -> None:
    """Ask the C allocator to hand freed pages back to the system (glibc; a no-op elsewhere).
    A million freed records leave most of their pages free but still counted as ours; a text
    index built next would come on top of them and push the peak up by ~0.7 GB at 1M."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def read_on_demand(timeline: Timeline) -> None:
    """Let go of the decoded events, dates and quotes of a timeline read from one big file,
    and read each back from the file (by its byte span) when something asks for it, as a
    timeline restored from the cache does. At a million events this gives back about 2 GB;
    the explorer shows forty events at a time.
    """
    origin = timeline.origin
    if origin is None or isinstance(timeline.events, FileRecords):
        return
    ids = [e.id for e in timeline.events]
    texts = [d.text for d in timeline.dates]
    timeline.events = FileRecords(origin.file, Event, origin.events, ids, texts)
    timeline.dates = LazyDates(texts)
    timeline.quotes = FileRecords(origin.file, Quote, origin.quotes, [], [])
    timeline.__dict__.pop("position", None)  # rebuilt from the ids if ever needed
    give_back_memory()
