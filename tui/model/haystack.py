"""What free-text search looks in: each event's folded text (title, summary, place, note,
tags and its quotes), laid out as one buffer with an offset per position
(``Timeline.haystack``). Who stores and scans that buffer is the store's business
(``tui/store/text.py``); what goes into it is decided here.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import msgspec

from .entities import Event, Quote
from .protocols import SearchText
from .text import fold

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = ["searchable", "noting_ends", "records_at", "quote_indexes", "search_text", "InMemory", "FindScan",
           "TEXT_DECODERS"]

_NUL = re.compile(b"\x00")


class _EventText(msgspec.Struct):
    """What the search text needs of an event (the decoder skips every other field)."""

    title: str
    summary: str | None = None
    place: str | None = None
    note: str | None = None
    tags: list[str] = []


class _QuoteText(msgspec.Struct):
    """What the search text needs of a quote."""

    text: str
    original: str | None = None


TEXT_DECODERS = {Event: msgspec.json.Decoder(list[_EventText]).decode,
                 Quote: msgspec.json.Decoder(list[_QuoteText]).decode}
"""For ``records_at``: only the fields the search text is made of, about a third quicker to
decode than whole records from a big file (every record was checked when the file was read)."""


def searchable(text: str) -> str:
    """Folded for search; hyphens count as spaces, so "power cut" finds the tag power-cut."""
    return fold(text).replace("-", " ")


def noting_ends(chunks: Iterable[bytes], offsets: array) -> Iterator[bytes]:
    """The chunks of search text, appending to ``offsets`` where each event in them ends
    (just after its NUL)."""
    base = 0
    for encoded in chunks:
        offsets.extend(base + m.end() for m in _NUL.finditer(encoded))
        base += len(encoded)
        yield encoded


def records_at(records: Sequence, indexes: Sequence[int], decode_list=None) -> list:
    """The records at these indexes, read together when the records can (``protocols.Records``:
    a big file's are read back from it in one call, decoded by ``decode_list`` if given, a
    msgspec decoder of a list of lighter structs such as ``TEXT_DECODERS``)."""
    many = getattr(records, "many", None)
    if many is not None:
        return many(indexes, decode_list)
    return [records[i] for i in indexes]


def quote_indexes(qstart: Sequence[int], positions: Iterable[int]) -> list[int]:
    """The indexes of the quotes of the events at these positions (``Timeline.quote_starts``)."""
    return [i for p in positions for i in range(qstart[p], qstart[p + 1])]


def search_text(events: Sequence, quotes: Sequence, qstart: Sequence[int], positions: range,
                chunk: int = 4096) -> Iterator[tuple[range, bytes]]:
    """The search text of the events at these positions, a chunk of events at a time, each
    chunk with its positions.

    Folding is done on thousands of events at once (one NFKD, one casefold, one encode per
    chunk, all in C); the offsets come from the NUL that ends each event. A big file's
    events and quotes are read back a chunk at a time (``records_at``), decoding only their
    text fields.
    """
    for first in range(positions.start, positions.stop, chunk):
        span = range(first, min(first + chunk, positions.stop))
        base = qstart[first]
        said = records_at(quotes, quote_indexes(qstart, span), TEXT_DECODERS[Quote])
        texts = []
        for pos, e in zip(span, records_at(events, span, TEXT_DECODERS[Event])):
            parts = [e.title, e.summary or "", e.place or "", e.note or "", " ".join(e.tags)]
            for q in said[qstart[pos] - base:qstart[pos + 1] - base]:
                parts.append(q.text)
                if q.original:
                    parts.append(q.original)
            texts.append("\n".join(parts).replace("\x00", " "))
        texts.append("")
        yield span, searchable("\x00".join(texts)).encode("utf-8", "surrogatepass")


class FindScan:
    """Scans a search text with the buffer's own ``find``, on one core (``protocols.Scan``)."""

    def __init__(self, blob, offsets: array) -> None:
        self._blob, self._offsets = blob, offsets

    def positions(self, needle: bytes) -> array:
        offsets, find, last = self._offsets, self._blob.find, len(self._offsets) - 1
        found = array("I")
        pos, end = offsets[0], offsets[last]
        while (at := find(needle, pos, end)) >= 0:  # on to the next event after each hit
            p = bisect_right(offsets, at, 0, last + 1) - 1
            found.append(p)
            pos = offsets[p + 1]
        return found

    def prepare(self) -> None:
        pass


class InMemory:
    """The search text built in this process's memory (``protocols.TextSource``): what a
    ``Timeline`` made by hand uses. The store's timelines get its own (``tui/store/text.py``),
    which scans on both cores."""

    def build_text(self, timeline: Timeline) -> SearchText:
        offsets = array("q", [0])
        blob = bytearray()
        for encoded in noting_ends(timeline.text_chunks(0, len(timeline)), offsets):
            blob += encoded
        return SearchText(blob, offsets, self.scanner(blob, offsets))

    def scanner(self, blob, offsets: array):
        """What scans the text once built."""
        return FindScan(blob, offsets)

    def prepare_search(self, text: SearchText, timeline: Timeline) -> None:
        text.scan.prepare()
