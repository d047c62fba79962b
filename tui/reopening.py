"""The explorer's first step on a big file it has cached: the cache restored in a thread
while the explorer's own modules (Textual, Rich, the screens) are imported (issue 20).

Reopening a million events from the cache takes about half a second, and importing the
explorer about as long. Side by side on two cores (a reopen is mostly the cache's pages
read in and checked, work that does not hold the interpreter) the explorer then opens
straight on its main screen, with no loading screen before it. Anything but a clean reopen
(no cache, a stale or a damaged one, a file that cannot be read) is left to the explorer's
usual load behind its loading screen, which reads the file and says what was wrong; a
reopen still running after ``GRACE`` is waited for behind that screen too (``q`` quits).

No Textual here, and nothing of the store until the thread runs: this module is imported
before them.
"""

from __future__ import annotations

import threading

__all__ = ["Reopening", "GRACE"]

GRACE = 1.0
"""Seconds the explorer waits, once imported, for a reopen still running before it shows
its loading screen (which then waits for the same reopen)."""


class Reopening:
    """A cached big file being restored in a thread (``start``)."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = list(paths)
        self._done = threading.Event()
        self._found = None
        threading.Thread(target=self._run, name="reopen", daemon=True).start()

    @classmethod
    def start(cls, paths: list[str], *, cache: bool = True) -> Reopening | None:
        """Start restoring ``paths`` from the cache, if it is one file (not standard input)
        and the cache is on."""
        if not cache or len(paths) != 1 or paths[0] == "-":
            return None
        return cls(paths)

    def _run(self) -> None:
        try:
            from .model.density import Density
            from .store.loader import reopen

            timeline = reopen(self.paths)
            if timeline is not None:
                self._found = (timeline, Density(timeline))
        except Exception:  # the explorer's own load reads the file, and says what is wrong
            self._found = None
        finally:
            self._done.set()

    def result(self, timeout: float | None = None):
        """(timeline, its density) once restored; None for anything else, or while it is
        still running after ``timeout`` seconds."""
        self._done.wait(timeout)
        return self._found if self._done.is_set() else None

    def handoff(self, grace: float = GRACE) -> dict:
        """``TimelineApp``'s arguments: the restored timeline and its density, when ready
        within ``grace`` seconds (the main screen shows at once); else this reopening, which
        the app's loader waits for (then reads the file if it came to nothing)."""
        found = self.result(grace)
        if found is not None:
            return {"timeline": found[0], "density": found[1]}
        return {"reopening": self}
