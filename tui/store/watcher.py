"""Notice when the files the explorer shows change on disk, cheaply.

A poll, not inotify: a few times a second, one ``stat`` per file (its size, modification
time, inode and device), compared with the last one seen. That is a handful of
microseconds of work per poll and no dependency; it works the same on every filesystem,
network mounts and editors that save by renaming included, where inotify needs care
(watching the folder, re-adding watches after a rename). Nothing is read until the stat
changes.

This module knows nothing of Textual: the explorer calls ``poll()`` from a timer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Stamp", "Watcher", "stamp", "POLL_SECONDS"]

POLL_SECONDS = 0.25
"""How often the explorer polls: a change shows within about a quarter of a second."""


@dataclass(frozen=True, slots=True)
class Stamp:
    """What one ``stat`` says of a file; any difference means it changed."""

    device: int
    inode: int
    size: int
    mtime_ns: int


def stamp(path: str, stat: Callable[[str], os.stat_result] = os.stat) -> Stamp | None:
    """The file's stamp, or None when there is no such file (deleted, or being replaced)."""
    try:
        st = stat(path)
    except OSError:
        return None
    return Stamp(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Watcher:
    """The stamps of some files, and which of them changed since the last look."""

    def __init__(self, paths: Iterable[str], stat: Callable[[str], os.stat_result] = os.stat) -> None:
        self._stat = stat
        self.stamps: dict[str, Stamp | None] = {str(p): stamp(str(p), stat) for p in paths}
        """The stamp of each file as last seen (None: missing)."""

    def poll(self) -> dict[str, Stamp | None]:
        """The files whose stamp changed since the last poll, with their new stamps."""
        changed = {}
        for path, old in self.stamps.items():
            new = stamp(path, self._stat)
            if new != old:
                changed[path] = new
        self.stamps.update(changed)
        return changed

    def missing(self) -> list[str]:
        """The files that were not there at the last poll."""
        return [path for path, seen in self.stamps.items() if seen is None]
