"""A sequence that is another one and a few more items after it: a reopened timeline's ids
and date texts, grown.

A timeline reopened from the on-disk cache keeps its million event ids and date texts packed
(``packed.Packed``, decoded one at a time when asked for). Growing it by ten events at the
end used to decode both whole into lists to append to (0.27 s each at a million events, on
the first append after a reopen); an ``Extended`` keeps the packed column as it is, shared
and never changed, and the new items in a list after it. A later growth at the end adds to
that list (a copy of the few only); one that puts events among the old ones makes a list
(``growth._spliced_seq`` slices this like any sequence).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

__all__ = ["Extended"]


class Extended(Sequence):
    """``base`` (never changed, shared with the older versions) and then ``tail``."""

    __slots__ = ("_base", "_tail", "_split")

    def __init__(self, base: Sequence, tail: list) -> None:
        self._base, self._tail, self._split = base, tail, len(base)

    @classmethod
    def of(cls, old: Sequence, added: Sequence) -> Extended:
        """``old`` and then ``added``: one level deep however often it grew."""
        if isinstance(old, Extended):
            return cls(old._base, [*old._tail, *added])
        return cls(old, list(added))

    @property
    def base(self) -> Sequence:
        return self._base

    @property
    def tail(self) -> list:
        return self._tail

    def __len__(self) -> int:
        return self._split + len(self._tail)

    def __getitem__(self, index):
        split = self._split
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1 or stop <= start:
                return [self[i] for i in range(start, stop, step)]
            if start >= split:
                return self._tail[start - split:stop - split]
            head = self._base[start:min(stop, split)]  # a packed column's slice: decoded in C
            head = head if isinstance(head, list) else list(head)
            if stop > split:
                head += self._tail[:stop - split]
            return head
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError(index)
        return self._base[index] if index < split else self._tail[index - split]

    def __iter__(self) -> Iterator:
        yield from self._base
        yield from self._tail

    def __reversed__(self) -> Iterator:
        yield from reversed(self._tail)
        yield from reversed(self._base)

    def __eq__(self, other) -> bool:
        """Equal to a list (or any sequence) of the same items, as the list it stands for is."""
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None
