"""The sidecar file: ``story.json`` -> ``story.notes.json``, read, locked, merged, written.

Guarantees (docs/format.md, "The notes sidecar"):

* written atomically after each change: a temporary file beside it, flushed to disk, then
  renamed over it, so a reader or a crash (``kill -9`` included) sees the old file or the
  new one, never half of one;
* every write holds a lock on the sidecar's folder, re-reads the file and merges with it
  (``annotations.merge``), so two explorers on the same data lose nothing;
* a sidecar that does not read is an error naming the file and the place, and is never
  written over: if it broke while an explorer had it open, it is first copied aside
  (``story.notes.json.broken-20261203T103000``) and the copy is named;
* the data file is never written, nor anything else beside it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path

from ..model.annotations import Layer, NotesError, decode, encode, merge

__all__ = ["Sidecar", "sidecar_for", "notes_home", "SUFFIX"]

SUFFIX = ".notes.json"


def notes_home() -> Path:
    """Where the sidecar of the bundled dataset goes (never inside the installed package):
    ``$TIMELINE_NOTES_DIR``, else ``$XDG_DATA_HOME/timeline-explorer``, else
    ``~/.local/share/timeline-explorer``."""
    override = os.environ.get("TIMELINE_NOTES_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "timeline-explorer"


def sidecar_for(paths: list[str]) -> Path:
    """The sidecar of these data files: beside the first, named after it
    (``story.json`` and ``story.jsonl`` -> ``story.notes.json``)."""
    from ..store.loader import bundled_path

    first = Path(paths[0])
    stem = first.name
    for suffix in (".jsonl", ".json", ".ndjson"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    try:
        bundled = first.resolve() == bundled_path().resolve()
    except OSError:
        bundled = False
    folder = notes_home() if bundled else first.parent
    return folder / (stem + SUFFIX)


class Sidecar:
    """One sidecar file. ``read`` and ``write`` raise NotesError with the file's name."""

    def __init__(self, path: str | os.PathLike, data_name: str = "") -> None:
        self.path = Path(path)
        self.data_name = data_name
        """The data file's name, recorded in the sidecar for a person reading it."""
        self.seen: tuple | None = None
        """The file's identity when last read or written (``signature``)."""
        self._content: bytes | None = None
        """The file's bytes when last read or written."""

    def signature(self) -> tuple | None:
        """Inode, size and modification time: changes whenever anyone writes the file."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def changed(self) -> bool:
        """Someone else wrote the file since this one last read or wrote it."""
        return self.signature() != self.seen

    def read(self, unchanged: Layer | None = None) -> Layer:
        """The layer in the file (empty if there is none yet); ``unchanged`` if the file
        holds exactly what this one last read or wrote (compared byte for byte: a file's
        time may not tick between two quick writes, its content always differs)."""
        signature = self.signature()
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.seen, self._content = None, None
            return Layer()
        except OSError as exc:
            raise NotesError(f"{self.path}: cannot read the notes file: {exc.strerror or exc}") from None
        if unchanged is not None and raw == self._content:
            self.seen = signature
            return unchanged
        try:
            layer = decode(raw)
        except NotesError as exc:
            raise NotesError(f"{self.path}: {exc} (the notes file is left as it is: fix it, move it "
                             f"away, or use --notes to keep notes elsewhere)") from None
        self.seen, self._content = signature, raw
        return layer

    def write(self, base: Layer, mine: Layer) -> tuple[Layer, list[str]]:
        """Merge ``mine`` (changed since ``base``) with the file as it is now, write the
        result, and return it with the fields both sides changed (``merge``) and, if the
        file had broken meanwhile, where its copy was kept."""
        if not self.path.parent.is_dir():
            raise NotesError(f"{self.path}: cannot write the notes file: folder {self.path.parent} does not exist")
        with self._locked():
            notes: list[str] = []
            try:
                theirs = self.read(unchanged=base)
            except NotesError:
                kept = self._keep_broken()
                notes.append(f"the notes file did not read and was kept as {kept}")
                theirs = base
            merged, conflicts = merge(base, mine, theirs) if theirs is not base else (mine, [])
            content = encode(merged, self.data_name)
            self._replace(content)
            self._content = content
            return merged, conflicts + notes

    @contextmanager
    def _locked(self):
        """An exclusive lock on the sidecar's folder (not on the file, which is replaced by
        each write): explorers writing at once take turns. Where folders cannot be locked,
        the merge still runs, only not under a lock."""
        fd = None
        try:
            fd = os.open(self.path.parent, os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            if fd is not None:
                os.close(fd)
                fd = None
        if fd is not None:
            self._drop_leftovers()  # under the lock no write is under way: any temp file is a killed one's
        try:
            yield
        finally:
            if fd is not None:
                os.close(fd)  # closing releases the lock

    def _drop_leftovers(self) -> None:
        """Remove the temporary files of writes that were killed half-way."""
        for leftover in self.path.parent.glob(f".{glob_escape(self.path.name)}.*.tmp"):
            leftover.unlink(missing_ok=True)

    def _keep_broken(self) -> Path:
        from datetime import datetime, timezone

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.broken-{stamp}-{n}")
        shutil.copy2(self.path, target)
        return target

    def _replace(self, content: bytes) -> None:
        """Temporary file in the same folder, flushed, renamed over the sidecar; then the
        folder is flushed so the rename itself survives a power cut."""
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            try:
                mode = stat.S_IMODE(os.stat(self.path).st_mode)
            except FileNotFoundError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(tmp, mode)
            os.replace(tmp, self.path)
            tmp = None
        except OSError as exc:
            raise NotesError(f"{self.path}: cannot write the notes file: {exc.strerror or exc} "
                             f"(--notes FILE keeps them elsewhere)") from None
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        try:
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass
        self.seen = self.signature()
