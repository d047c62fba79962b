"""The search text of a big timeline that grew: the old text, with the new events' put in.

Building the search text of a million events takes 12-15 s on both cores (``text.FileText``),
reading back and folding every event and quote. After a JSON Lines file grows
(``growth.py``), the old text is still right for every old event; only where each one starts
moves, by the new events' text put before it:

* events dated after every other (the usual append) go at the end and move nothing: their
  folded text is appended to the scratch file the old text is mapped from (``text.Scratch``),
  and the longer file is mapped. A text search after an append waits for ten events' text,
  not for the whole file again, nor for a copy of the old text (0.73 GB, 2.3 s at a million
  events, which a kept text filter waited for before);
  An old text mapped from the on-disk cache (whose file is never written) gets a scratch
  file of its own, mapped right after the cache's pages of text (``text.Scratch.after``):
  no copy either, and later growths append to that file;
* events put in among the old ones, or an old text that cannot be appended to (another
  version already grew from it, or the two files cannot be mapped as one here): the old
  text is copied to a new scratch file, a slice between cuts at a time, with each new
  event's text where it goes, and the offsets after each cut moved by what went in before
  (``map``, in C). Later growths append to that file.

An old text not built yet is built anew, as after opening the file.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence

from ..model.haystack import noting_ends
from ..model.protocols import SearchText
from ..model.timeline import Timeline
from .scan import Scanner
from .records import DataFile
from .text import FileText, Scratch, _mapped

__all__ = ["GrownText"]


class GrownText(FileText):
    """The search text of a timeline grown from one whose search text is ``old``
    (``protocols.SearchText``), written to ``scratch`` if it was, or mapped from the cache
    file (``cached``: ``FileText.mapped_from``): new event j went before old position
    ``cuts[j]`` (ascending; default, all at the end)."""

    def __init__(self, old: SearchText, scratch: Scratch | None = None, cuts: Sequence[int] | None = None,
                 cached: tuple[DataFile, int, int] | None = None) -> None:
        super().__init__()
        self._old: SearchText | None = old
        """Kept until the new text is built (then let go: the old timeline may be dropped)."""
        self._grows: Scratch | None = scratch
        """The old text's scratch file, until the new text is built."""
        self._cached = cached
        """Where in the cache file the old text is mapped from, until the new text is built."""
        self._cuts = cuts

    def build_text(self, timeline: Timeline) -> SearchText:
        old, self._old = self._old, None
        scratch, self._grows = self._grows, None
        cached, self._cached = self._cached, None
        if old is None:
            return super().build_text(timeline)
        known = len(old.offsets) - 1
        cuts = self._cuts if self._cuts is not None else [known] * (len(timeline) - known)
        end = old.offsets[-1]
        try:
            grown = None
            if not cuts or cuts[0] == known:  # all at the end (else spliced below)
                if scratch is not None:
                    grown = self._appended(scratch, old, timeline)
                elif cached is not None and cached[2] == end:
                    try:  # the cache's pages of text, and a file of its own after them
                        grown = self._appended(Scratch.after(*cached), old, timeline)
                    except OSError:  # the two cannot be mapped as one here: copied below
                        grown = None
            if grown is not None:
                return grown
            offsets = array("q", [0])
            blob, self.scratch = _mapped(_spliced(old, timeline, cuts, offsets))
        except OSError:  # no room in the scratch folder: built as after opening (in memory if need be)
            return super().build_text(timeline)
        return SearchText(blob, offsets, Scanner(blob, offsets))

    def _appended(self, scratch: Scratch | None, old: SearchText, timeline: Timeline) -> SearchText | None:
        """The old text with the new events' (all at the end) appended to ``scratch``, which
        this text then grows from; None if it cannot be (no scratch file, or another version
        grew from that one)."""
        if scratch is None:
            return None
        known, end = len(old.offsets) - 1, old.offsets[-1]
        added = array("q")
        blob = scratch.appended(end, noting_ends(timeline.text_chunks(known, len(timeline)), added))
        if blob is None:
            return None
        self.scratch = scratch
        offsets = array("q", old.offsets)
        offsets.extend(map(end.__add__, added))
        grown = getattr(old.scan, "grown", None)
        return SearchText(blob, offsets, grown(blob, offsets) if grown else Scanner(blob, offsets))


def _spliced(old: SearchText, timeline: Timeline, cuts: Sequence[int], offsets: array) -> Iterator[bytes]:
    """The old text a slice at a time, with the new events' text before old position
    ``cuts[j]`` (they are at ``cuts[j] + j`` in ``timeline``), appending to ``offsets``
    where each event ends."""
    text, ends = memoryview(old.blob), old.offsets
    known = len(ends) - 1
    done = shift = j = 0  # old positions copied; bytes put in so far; new events put in
    while True:
        cut = cuts[j] if j < len(cuts) else known
        yield text[ends[done]:ends[cut]]
        offsets.extend(map(shift.__add__, ends[done + 1:cut + 1]))
        timeline.text_progress = 0.9 * cut / max(known, 1)
        if j == len(cuts):
            return
        k = j
        while k < len(cuts) and cuts[k] == cut:
            k += 1
        added = array("q")
        yield from noting_ends(timeline.text_chunks(cut + j, cut + k, timeline.text_progress, 0.0), added)
        offsets.extend(map((ends[cut] + shift).__add__, added))
        shift += added[-1]
        done, j = cut, k
