"""The on-disk cache's file: where it lives, what it is keyed on, and how it is laid out
(a header, the sections, then a table of contents). Shared by the cache (``cache.py``,
which writes and restores it) and the word index built from it (``words.py``).
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import sys
import zlib
from array import array
from pathlib import Path

import msgspec

__all__ = ["cache_dir", "cache_path", "scratch_dir", "fingerprint", "identity", "identity_of", "text_of", "read_toc",
           "checksum", "Toc", "Damaged", "Stale", "HEADER", "MAGIC", "VERSION", "ENV"]

MAGIC = b"TLXCACHE"
VERSION = 5
HEADER = struct.Struct("<8sIQI")
"""magic, version, where the table of contents starts, its checksum (``checksum``)."""
_EDGE = 64 * 1024
ENV = {"byteorder": sys.byteorder, "q": array("q").itemsize, "I": array("I").itemsize,
       "Q": array("Q").itemsize}
"""Arrays are stored as raw machine words: a cache is only read on a machine like its writer's."""


class Toc(msgspec.Struct):
    """The cache's table of contents, written last and found through the header."""

    source: list
    env: dict
    title: str
    description: str | None
    sections: dict[str, tuple[int, int]]
    """Name -> (offset, length)."""
    checksums: dict[str, int]
    """Name -> ``checksum`` of its bytes, verified when the section is first used."""
    text: bool


class Damaged(Exception):
    """A cache (or word index) whose bytes are not what was written: read the data again."""


class Stale(Exception):
    """A sound cache that does not serve: another version, another machine's byte order."""


def checksum(data, running: int = 0) -> int:
    """CRC-32 of a section (any buffer; zlib lets go of the GIL for big ones), or of a section
    read in blocks (``running``: the checksum of the blocks before). Meant to catch damage (a
    flipped bit, a zeroed run, a swapped block), not an attacker: a cache is the user's own file."""
    return zlib.crc32(data, running)


def cache_dir() -> Path:
    """``$TIMELINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/timeline-explorer``, else
    ``~/.cache/timeline-explorer``. A relative ``XDG_CACHE_HOME`` is ignored, as the XDG
    spec says (it would put the cache in the current folder, beside the data)."""
    override = os.environ.get("TIMELINE_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "timeline-explorer"


def cache_path(data_path: str | os.PathLike) -> Path:
    """Where the cache of this data file goes (one per real path)."""
    key = hashlib.sha256(os.fsencode(os.path.realpath(data_path))).hexdigest()[:32]
    return cache_dir() / f"{key}.cache"


def scratch_dir() -> Path | None:
    """Where unnamed scratch files go (a big search text while it is built): the cache folder,
    which is on disk where /tmp may be memory, if it exists; else None, the system's
    temporary folder. Never created here: under ``--no-cache`` nothing makes it (``load``
    does, for a big file, when caching)."""
    folder = cache_dir()
    return folder if folder.is_dir() else None


def fingerprint(data_path: str | os.PathLike, fd: int | None = None) -> list:
    """What must be unchanged for the cache to hold: path, size, modification time, the
    inode's change time (which tools that put an old modification time back cannot set),
    inode, device, and both ends. With ``fd``, of the file open there (``records.DataFile``)
    rather than of the name."""
    real = os.path.realpath(data_path)
    if fd is None:
        with open(real, "rb") as f:
            return fingerprint(data_path, f.fileno())
    st = os.fstat(fd)
    digest = hashlib.blake2b(os.pread(fd, _EDGE, 0), digest_size=16)
    if st.st_size > _EDGE:
        digest.update(os.pread(fd, _EDGE, max(_EDGE, st.st_size - _EDGE)))
    return [real, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev, digest.hexdigest()]


def read_toc(f, name) -> tuple[Toc, bytes, int]:
    """The table of contents, its bytes, and where it starts (the end of the sections).
    Raises ``Stale`` for a cache of another version, ``Damaged`` for one that is not what was
    written (header, table of contents, or a section that does not fit in the file)."""
    head = f.read(HEADER.size)
    if len(head) < HEADER.size or head[:8] != MAGIC:
        raise Damaged("its header")
    magic, version, at, expected = HEADER.unpack(head)
    if version != VERSION:
        raise Stale(f"{name}: a cache of another version")
    size = os.fstat(f.fileno()).st_size
    if not HEADER.size <= at <= size:
        raise Damaged("its header")
    f.seek(at)
    raw = f.read()
    if checksum(raw) != expected:
        raise Damaged("its table of contents")
    try:
        toc = msgspec.msgpack.decode(raw, type=Toc)
    except (msgspec.DecodeError, ValueError):
        raise Damaged("its table of contents") from None
    if toc.sections.keys() != toc.checksums.keys() or any(
            off < HEADER.size or n < 0 or off + n > at for off, n in toc.sections.values()):
        raise Damaged("its table of contents")
    return toc, raw, at


def identity_of(raw_toc: bytes) -> bytes:
    """16 bytes that tell a cache from any other: a hash of its table of contents (its bytes),
    which holds the data file's fingerprint and where every section is (``words.py`` ties its
    index to it; unlike the file's time, reading the cache does not change it)."""
    return hashlib.blake2b(raw_toc, digest_size=16).digest()


def identity(cache_file: str | os.PathLike) -> bytes:
    """``identity_of`` this cache file."""
    with open(cache_file, "rb") as f:
        return identity_of(read_toc(f, cache_file)[1])


def text_of(cache_file: str | os.PathLike) -> tuple[bytes, mmap.mmap, array]:
    """The identity of a cache file, the search text it holds and its offsets (for
    ``words.build``), from one reading of its table of contents."""
    with open(cache_file, "rb") as f:
        try:
            toc, raw, _ = read_toc(f, cache_file)
            (off, n), (at, size) = toc.sections["text"], toc.sections["text_offsets"]
        except (KeyError, struct.error, Damaged, Stale) as exc:
            raise ValueError(f"{cache_file}: not a sound cache with search text ({exc!r})") from None
        if not toc.text:
            raise ValueError(f"{cache_file}: holds no search text")
        f.seek(at)
        data = f.read(size)
        text = mmap.mmap(f.fileno(), n, offset=off, access=mmap.ACCESS_READ)
        if checksum(data) != toc.checksums["text_offsets"] or checksum(text) != toc.checksums["text"]:
            raise ValueError(f"{cache_file}: its search text is damaged")
        offsets = array("q")
        offsets.frombytes(data)
        return identity_of(raw), text, offsets
