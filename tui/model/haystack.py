"""What free-text search looks in: each event's folded text (title, summary, place, note,
tags and its quotes), laid out as one buffer with an offset per position
(``Timeline.haystack``). Who stores and scans that buffer is the store's business
(``tui/store/text.py``); what goes into it is decided here.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator, Sequence

from .text import fold

__all__ = ["searchable", "noting_ends", "records_at", "quote_indexes", "search_text"]

_NUL = re.compile(b"\x00")


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


def records_at(records: Sequence, indexes: Sequence[int], *, texts_only: bool = False) -> list:
    """The records at these indexes, read together when the records can (``protocols.Records``:
    a big file's are read back from it in one call)."""
    many = getattr(records, "many", None)
    if many is not None:
        return many(indexes, texts_only=texts_only)
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
        said = records_at(quotes, quote_indexes(qstart, span), texts_only=True)
        texts = []
        for pos, e in zip(span, records_at(events, span, texts_only=True)):
            parts = [e.title, e.summary or "", e.place or "", e.note or "", " ".join(e.tags)]
            for q in said[qstart[pos] - base:qstart[pos + 1] - base]:
                parts.append(q.text)
                if q.original:
                    parts.append(q.original)
            texts.append("\n".join(parts).replace("\x00", " "))
        texts.append("")
        yield span, searchable("\x00".join(texts)).encode("utf-8", "surrogatepass")
