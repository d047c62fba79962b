"""Two files' bytes mapped side by side, as one buffer: the search text of a timeline reopened
from the on-disk cache and grown at its end (``text.Scratch.after``).

The cached text is part of the cache file, which is never written: a version grown by ten
events used to copy all of it (0.73 GB at a million events, 2 s) to have a file it could
append their text to. Instead the cache's whole pages of text are mapped, and right after
them, at the next page, the scratch file holding the rest: the cached text's last part-page
(copied, under 4 KiB) and the new events' text. Every reader of the text (the scanner's
``memmem``, ``find``, the cache writer) sees one ordinary mapping, so nothing downstream
knows there are two files.

This needs ``mmap(2)`` with ``MAP_FIXED`` (to place a mapping at an address), which Python's
``mmap`` does not offer: an anonymous mapping of the whole length is made by ``mmap.mmap``
(which then owns and unmaps the range), and the two files are mapped over it through ctypes.
Only on Linux; elsewhere ``map_joined`` is unavailable and the text is copied as before.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import sys

__all__ = ["available", "map_joined"]

_MAP_FIXED = 0x10  # Linux, every architecture


def _libc_mmap():
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).mmap
    except (OSError, AttributeError):
        return None
    call.restype = ctypes.c_void_p
    call.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int64]
    return call


_MMAP = _libc_mmap()


def available() -> bool:
    """Whether two files can be mapped as one here."""
    return _MMAP is not None


def map_joined(first_fd: int, first_at: int, first_length: int, second_fd: int, second_length: int) -> mmap.mmap:
    """``first_length`` bytes of one file from ``first_at``, then ``second_length`` bytes of
    another from its start, as one copy-on-write mapping (only ever read: as ``scan.map_text``
    maps a text, so that ctypes can point into it). ``first_at`` and ``first_length`` must be
    whole pages. Raises OSError if it cannot be done."""
    if _MMAP is None:
        raise OSError("no mmap(2) to place mappings with")
    if first_at % mmap.PAGESIZE or first_length % mmap.PAGESIZE:
        raise ValueError("the first part must be whole pages")
    total = first_length + second_length
    rw = mmap.PROT_READ | mmap.PROT_WRITE
    blob = mmap.mmap(-1, total, flags=mmap.MAP_PRIVATE, prot=rw)  # the range, owned (and unmapped) by blob
    try:
        base = ctypes.addressof((ctypes.c_char * total).from_buffer(blob))  # the view goes at once
        for address, length, fd, offset in ((base, first_length, first_fd, first_at),
                                             (base + first_length, second_length, second_fd, 0)):
            if length and _MMAP(address, length, rw, mmap.MAP_PRIVATE | _MAP_FIXED, fd, offset) != address:
                errno = ctypes.get_errno()
                raise OSError(errno, os.strerror(errno))
    except BaseException:
        blob.close()
        raise
    return blob
