"""The notes an explorer or a command works with: the layer (``model.annotations.Notes``)
tied to its sidecar, saved after each change and merged with what others wrote."""

from __future__ import annotations

from ..model.annotations import Layer, Notes, merge
from .sidecar import Sidecar

__all__ = ["NotesSession"]


class NotesSession:
    """``notes`` is what queries and panes read; ``save`` writes it (merging), ``refresh``
    takes in what another explorer wrote meanwhile. With no sidecar the notes live only
    as long as the session (and ``persistent`` says so)."""

    def __init__(self, sidecar: Sidecar | None = None) -> None:
        self.sidecar = sidecar
        self.base: Layer = sidecar.read() if sidecar is not None else Layer()
        """The sidecar as this session last read or wrote it (the merge's common ancestor)."""
        self.notes = Notes(self.base)

    @property
    def persistent(self) -> bool:
        return self.sidecar is not None

    def save(self) -> list[str]:
        """Write the notes now; returns what the merge reports (fields another explorer had
        changed too, where ours won; a broken file's backup). Raises NotesError."""
        if self.sidecar is None:
            return []
        merged, report = self.sidecar.write(self.base, self.notes.layer)
        self.base = merged
        if merged != self.notes.layer:
            self.notes.replace(merged)
        return report

    def refresh(self) -> bool:
        """If another explorer wrote the sidecar, take its changes in (keeping ours);
        True when something changed. Raises NotesError if the file no longer reads."""
        if self.sidecar is None or not self.sidecar.changed():
            return False
        theirs = self.sidecar.read()
        merged, _ = merge(self.base, self.notes.layer, theirs)
        self.base = theirs
        if merged == self.notes.layer:
            return False
        self.notes.replace(merged)
        return True
