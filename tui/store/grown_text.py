"""The search text of a big timeline that grew at its end: the old text, then the new events'.

Building the search text of a million events takes 12-15 s on both cores (``text.FileText``).
When a JSON Lines file grows by events dated after every other (``growth.py``), positions
do not move, so the old text is still right for the old events: the new events' folded text
is appended to the scratch file the old text is mapped from (``text.Scratch``), and the
longer file is mapped. A text search after an append then waits for ten events' text, not
for the whole file again, nor for a copy of its 0.73 GB (2.3 s at a million events, which
a kept text filter waited for before).

Where the old text cannot be appended to (it was mapped from the on-disk cache, or another
version already grew from it), it is copied to a new scratch file, by the kernel, page cache
to page cache, with the new events' text after it; later growths append to that one.
Anything else (events put in among the old ones, or an old text not built yet) builds the
text anew, as after opening the file.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from ..model.haystack import noting_ends
from ..model.protocols import SearchText
from ..model.timeline import Timeline
from .scan import Scanner
from .text import FileText, Scratch, _mapped

__all__ = ["GrownText"]


class GrownText(FileText):
    """The search text of a timeline whose first events are those of a timeline whose
    search text is ``old`` (``protocols.SearchText``), written to ``scratch`` if it was."""

    def __init__(self, old: SearchText, scratch: Scratch | None = None) -> None:
        super().__init__()
        self._old: SearchText | None = old
        """Kept until the new text is built (then let go: the old timeline may be dropped)."""
        self._grows: Scratch | None = scratch
        """The old text's scratch file, until the new text is built."""

    def build_text(self, timeline: Timeline) -> SearchText:
        old, self._old = self._old, None
        scratch, self._grows = self._grows, None
        if old is None:
            return super().build_text(timeline)
        known = len(old.offsets) - 1
        end = old.offsets[-1]
        added = array("q")
        try:
            blob = None if scratch is None else scratch.appended(
                end, noting_ends(timeline.text_chunks(known, len(timeline)), added))
            if blob is not None:
                self.scratch = scratch
            else:
                blob, self.scratch = _mapped(self._copied(old, timeline, known, added))
        except OSError:  # no room in the scratch folder: built as after opening (in memory if need be)
            return super().build_text(timeline)
        offsets = array("q", old.offsets)
        offsets.extend(map(end.__add__, added))
        return SearchText(blob, offsets, Scanner(blob, offsets))

    @staticmethod
    def _copied(old: SearchText, timeline: Timeline, known: int, added: array) -> Iterator[bytes]:
        yield memoryview(old.blob)[:old.offsets[-1]]
        timeline.text_progress = 0.5
        yield from noting_ends(timeline.text_chunks(known, len(timeline), 0.5, 0.5), added)
