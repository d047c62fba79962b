"""Strings and records kept packed in the on-disk cache, decoded one at a time when asked for.

A million event ids and date texts split into Python strings cost about 130 MB and a third
of a second on every reopen; 250,000 actors and sources decoded into structs, far more. The
cache (``cache.py``) keeps each such column as one blob of UTF-8 (or msgpack) bytes with an
offset per item, mapped rather than read, plus a lookup from id to position
(``idhash``), so a reopen builds none of them: an item is decoded when something asks
for it (the explorer shows forty events; ``list --actor RARE`` names a handful of actors).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, repeat

import msgspec

from .idhash import hash_one

__all__ = ["pack", "Packed", "Positions", "PackedRecords", "pack_records", "PackedPostings"]

_MANY = 1000
"""Lookups by id after which ``Positions`` builds a dict (if they are also 1/64 of the ids)."""


def pack(items: Iterable[bytes]) -> tuple[bytearray, array]:
    """One blob of these byte strings and an offset per item, and one more (its end); built
    as they come, never holding them all as separate objects (a million ids)."""
    blob = bytearray()
    offsets = array("q", [0])
    extend, end = blob.extend, offsets.append
    for item in items:
        extend(item)
        end(len(blob))
    return blob, offsets


class Packed(Sequence):
    """Strings (UTF-8) in one blob, the i-th between ``offsets[i]`` and ``offsets[i + 1]``."""

    def __init__(self, blob, offsets: Sequence[int]) -> None:
        self.blob, self.offsets = blob, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def encoded(self, index: int) -> bytes:
        offsets = self.offsets
        return bytes(self.blob[offsets[index]:offsets[index + 1]])

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1 or stop <= start:
                return [self[i] for i in range(start, stop, step)]
            offsets = self.offsets  # each string cut and decoded in C (map): a step in Python each was
            cuts = map(slice, offsets[start:stop], offsets[start + 1:stop + 1])  # 1.3 s for a million ids
            return list(map(str, map(self.blob.__getitem__, cuts), repeat("utf-8")))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        offsets = self.offsets
        return str(self.blob[offsets[index]:offsets[index + 1]], "utf-8")

    def __iter__(self) -> Iterator[str]:
        blob, offsets = self.blob, self.offsets
        for i in range(len(offsets) - 1):
            yield str(blob[offsets[i]:offsets[i + 1]], "utf-8")

    def __reversed__(self) -> Iterator[str]:
        blob, offsets = self.blob, self.offsets
        for i in range(len(offsets) - 2, -1, -1):
            yield str(blob[offsets[i]:offsets[i + 1]], "utf-8")


class Positions(Mapping):
    """Item -> position of a ``Packed`` column, through the hashes of its items, sorted, and
    their positions in that order (``idhash.build``): what ``Timeline.position`` is for events
    read back from a big file, without a million-entry dict."""

    def __init__(self, packed: Packed, hashes: Sequence[int], order: Sequence[int]) -> None:
        self.packed, self.hashes, self.order = packed, hashes, order
        self._lookups = 0
        self._dict: dict[str, int] | None = None
        """Built once lookups are many (a pass over every source's ``via``, say): then a dict
        lookup (50 ns) beats hashing in Python (a few µs), and its cost is spread over them."""

    def _find(self, key) -> int:
        if not isinstance(key, str):
            return -1
        if self._dict is not None:
            return self._dict.get(key, -1)
        self._lookups += 1
        if self._lookups > _MANY and self._lookups * 64 > len(self.packed):
            n = len(self.packed)
            self._dict = dict(zip(reversed(self.packed), range(n - 1, -1, -1)))  # the first of equal ids wins
            return self._dict.get(key, -1)
        k = key.encode("utf-8", "surrogatepass")
        h = hash_one(k)
        hashes, order, encoded = self.hashes, self.order, self.packed.encoded
        at = bisect_left(hashes, h)
        while at < len(hashes) and hashes[at] == h:
            if encoded(order[at]) == k:
                return order[at]
            at += 1
        return -1

    def __getitem__(self, key) -> int:
        found = self._find(key)
        if found < 0:
            raise KeyError(key)
        return found

    def get(self, key, default=None):
        found = self._find(key)
        return default if found < 0 else found

    def __contains__(self, key) -> bool:
        return self._find(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(self.packed))  # equal items: the first (as in a dict built in order)

    def __len__(self) -> int:
        return len(set(self.packed))


def pack_records(records: Iterable) -> tuple[bytearray, array, bytearray, array]:
    """Records with an ``id``, msgpack-encoded one by one: their ids packed, then the records
    packed (for ``PackedRecords``)."""
    records = list(records)
    encode = msgspec.msgpack.Encoder().encode
    ids, id_offsets = pack(r.id.encode("utf-8", "surrogatepass") for r in records)
    blob, offsets = pack(map(encode, records))
    return ids, id_offsets, blob, offsets


class PackedRecords(Mapping):
    """Id -> record (an actor, a source), each msgpack-decoded the first time it is asked
    for and kept. In the order they were packed, like the dict a ``Timeline`` builds."""

    def __init__(self, ids: Packed, positions: Positions, records: Packed, type: type) -> None:
        self.ids, self.records, self.positions = ids, records, positions
        self._positions = positions
        self._decode = msgspec.msgpack.Decoder(type).decode
        self._decode_all = msgspec.msgpack.Decoder(list[type]).decode
        self._decoded: dict[int, object] = {}
        self._all: list | None = None

    def at(self, index: int):
        """The record at this position (decoded once)."""
        if self._all is not None:
            return self._all[index]
        record = self._decoded.get(index)
        if record is None:
            record = self._decoded[index] = self._decode(self.records.blob[
                self.records.offsets[index]:self.records.offsets[index + 1]])
        return record

    def __getitem__(self, key):
        found = self._positions.get(key)
        if found is None:
            raise KeyError(key)
        return self.at(found)

    def get(self, key, default=None):
        found = self._positions.get(key)
        return default if found is None else self.at(found)

    def __contains__(self, key) -> bool:
        return key in self._positions

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def values(self):
        """Every record, decoded in one call when most are still to decode (the explorer's
        actor list: 50,000 at once): the packed records are a msgpack array's items, in order."""
        if self._all is None:
            n = len(self.ids)
            if len(self._decoded) * 2 > n:
                return [self.at(i) for i in range(n)]
            records = self._decode_all(b"\xdd" + n.to_bytes(4, "big") + bytes(self.records.blob))
            if len(records) != n:
                raise ValueError("packed records and ids disagree")
            for i, record in self._decoded.items():  # those handed out already stay the same objects
                records[i] = record
            self._all = records
        return self._all

    def items(self):
        return list(zip(self.ids, self.values()))

    def project(self, fields: type) -> list:
        """Every record with only the fields of ``fields`` (``timeline.project``), decoded in
        one call and not kept: the others are skipped, unread, by the decoder."""
        if self._all is not None:
            return self._all
        n = len(self.ids)
        records = msgspec.msgpack.decode(b"\xdd" + n.to_bytes(4, "big") + bytes(self.records.blob), type=list[fields])
        if len(records) != n:
            raise ValueError("packed records and ids disagree")
        return records


class PackedPostings(Mapping):
    """Key -> its postings (an array of positions), each key's cut from one array of all of
    them when asked for: a reopen no longer slices 50,000 actors' postings (40 ms at a
    million events) to answer for a handful. Keys in their order; ``lengths`` without any cut."""

    def __init__(self, keys: list[str], counts: Sequence[int], postings: array) -> None:
        self._keys, self._counts, self._postings = keys, counts, postings
        self._at = dict(zip(keys, range(len(keys))))
        self._starts = array("q", accumulate(counts, initial=0))

    def __getitem__(self, key) -> array:
        i = self._at[key]
        return self._postings[self._starts[i]:self._starts[i + 1]]

    def get(self, key, default=None):
        i = self._at.get(key)
        return default if i is None else self._postings[self._starts[i]:self._starts[i + 1]]

    def __contains__(self, key) -> bool:
        return key in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def lengths(self) -> dict[str, int]:
        """Key -> how many postings it has (``Timeline.actor_event_counts``), none cut."""
        return dict(zip(self._keys, self._counts))
