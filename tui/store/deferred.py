"""Cache sections checked when first used, and damage found then read around.

Reopening a million events must not read and check the 90 MB of actors, sources, warnings,
event ids and date texts that most sessions barely touch (``list --actor RARE`` names a
handful; the explorer shows forty events). Those sections are handed to the timeline
wrapped in a ``DeferredSequence`` or ``DeferredMapping``: the first use checks them (their
checksums, then their ranges) and only then decodes what is asked for.

The cache still fails closed (docs/reliability.md): damage found on first use is read
around by ``Recovery``: the data file is read again in full (once), the answer comes from
that reading, the cache is written anew, and one line in ``timeline.notices`` says so.
Never wrong data; at worst, the wait of a first open at that moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence

__all__ = ["Recovery", "DeferredSequence", "DeferredMapping"]

_LOCK = threading.RLock()
"""One check at a time (the explorer's workers may ask for the same section together)."""


class Recovery:
    """Reads the data file again when a section checked on first use turns out damaged."""

    def __init__(self, name: str, reread: Callable, save: Callable, notices: list[str], message: Callable) -> None:
        self._name, self._reread, self._save, self._notices, self._message = name, reread, save, notices, message
        self._fresh = None

    def fresh(self, what: str):
        """The timeline of the data file read in full (read once, whatever is damaged next)."""
        with _LOCK:
            if self._fresh is None:
                fresh = self._reread()
                self._notices.append(self._message(self._name, what))
                self._save(fresh)  # the cache written anew, as after any first open
                self._fresh = fresh
            return self._fresh


class _Deferred:
    """What ``load`` gives (once, when first needed): the checked section, or what the data
    file read again gives in its place."""

    def __init__(self, load: Callable) -> None:
        self._load, self._value = load, None

    def checked(self):
        """The section, checked (on the first call) and decoded as far as it is."""
        value = self._value
        if value is None:
            with _LOCK:
                if self._value is None:
                    self._value = self._load()
                value = self._value
        return value


class DeferredSequence(_Deferred, Sequence):
    """A sequence (event ids, date texts, warnings) checked on first use."""

    def __init__(self, load: Callable, length: int | None = None) -> None:
        super().__init__(load)
        self._length = length
        """Known without reading the section (the number of events), or None."""

    def __len__(self) -> int:
        return self._length if self._length is not None else len(self.checked())

    def __getitem__(self, index):
        return self.checked()[index]

    def __iter__(self) -> Iterator:
        return iter(self.checked())

    def __reversed__(self) -> Iterator:
        return reversed(self.checked())

    def __eq__(self, other) -> bool:
        """Equal to a list (or any sequence) of the same items, as the list it stands for is."""
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None


class DeferredMapping(_Deferred, Mapping):
    """A mapping (actors, sources by id; event id -> position) checked on first use."""

    def __getitem__(self, key):
        return self.checked()[key]

    def get(self, key, default=None):
        return self.checked().get(key, default)

    def __contains__(self, key) -> bool:
        return key in self.checked()

    def __iter__(self) -> Iterator:
        return iter(self.checked())

    def __len__(self) -> int:
        return len(self.checked())

    def values(self):
        return self.checked().values()

    def items(self):
        return self.checked().items()

    def project(self, fields: type) -> list:
        """The records with only the fields of ``fields`` (``timeline.project``); the records
        themselves if the section was read around."""
        checked = self.checked()
        fast = getattr(checked, "project", None)
        return fast(fields) if fast is not None else list(checked.values())

    def keys(self):
        return self.checked().keys()
