"""The sourcing report of a big timeline on both cores: a forked child works out the later
half of the events while this process does the first, as the loader reads a big file with
a second process. The child shares the loaded timeline (fork copies nothing until written)
and hands back its part of the report, pickled, through a pipe.

Only where it pays (a timeline of ``HALVES_LIMIT`` events or more) and where ``fork``
exists; if the child cannot start, or fails, this process works out its half too, so the
report is the same either way.
"""

from __future__ import annotations

import os
import pickle

from .model.sourcing_report import Report, SourcingReport
from .model.timeline import Timeline

__all__ = ["report", "HALVES_LIMIT"]

HALVES_LIMIT = 50_000
"""Below this many events the report takes well under a second: one process does it all."""


def report(timeline: Timeline, *, names: bool = False) -> tuple[SourcingReport, Report]:
    """The sourcing report of every event (``SourcingReport.report``), and the
    ``SourcingReport`` that made the first half (its caches serve the output)."""
    sourcing = SourcingReport(timeline)
    n = len(timeline)
    if n < HALVES_LIMIT or not hasattr(os, "fork"):
        return sourcing, sourcing.report(names=names)
    half = n // 2
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return sourcing, sourcing.report(names=names)
    if pid == 0:  # the child: the later half, then out, whatever happens
        code = 1
        try:
            os.close(read)
            later = sourcing.report(names=names, positions=range(half, n))
            with os.fdopen(write, "wb") as out:
                pickle.dump(later, out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    first = sourcing.report(names=names, positions=range(0, half), untied=False)
    later = None
    try:
        with os.fdopen(read, "rb") as answer:
            later = pickle.load(answer)
    except (EOFError, pickle.UnpicklingError, OSError):
        pass
    _, status = os.waitpid(pid, 0)
    if later is None or status != 0:  # the child failed: its half is worked out here
        later = sourcing.report(names=names, positions=range(half, n))
    first.extend(later)
    return sourcing, first
