"""The sourcing report of a big timeline on both cores: a forked child works out the later
part of the events while this process does the first, as the loader reads a big file with
a second process. The child shares the loaded timeline (fork copies nothing until written).

What every event's sources give it (``SourcingReport.prepare``: each source's facts, then
numpy passes over the refs) is worked out once, before the fork, so neither half does it
again, and the split can be chosen by the work each event holds (its flagged refs and its
quotes), not by its position alone: the later events of a timeline have far more sources
published before them.

``write`` prints the text report (what ``validate --sourcing`` prints): this process writes
the table of every event and its part's warning lines while the child writes its part's
warning lines to a scratch file, which this process then copies out; only the counts of the
child's findings come back through the pipe (pickling a few hundred thousand findings and
reading them back cost more than the child's whole part). ``report`` joins the two parts'
``Report`` (``--format json`` needs every finding).

Only where it pays (a timeline of ``HALVES_LIMIT`` events or more) and where ``fork``
exists; if the child cannot start, or fails, this process works out its part too, so the
output is the same either way.
"""

from __future__ import annotations

import codecs
import gc
import os
import pickle
import signal
import sys
import tempfile
from contextlib import contextmanager
from typing import TextIO

from .model.sourcing_report import Report, SourcingReport
from .model.timeline import Timeline

__all__ = ["report", "write", "HALVES_LIMIT"]

HALVES_LIMIT = 50_000
"""Below this many events the report takes well under a second: one process does it all."""

# What one event's part of the work costs, roughly, in the same unit (CPU measured at 100k
# events): its line of the table and its own step, each flagged ref (a finding and its
# line), each quote (checked, perhaps a finding; read back when the loader did not gather it).
_EVENT, _FLAGGED, _QUOTE = 3.0, 1.5, 2.0


def _split(sourcing: SourcingReport, n: int) -> int:
    """Where the child's part starts: this process does the events before it, the child
    those from it on and the quotes tied to no event, each about half of the work."""
    import numpy as np

    t = sourcing.timeline
    columns = sourcing.prepare()
    qstarts = np.asarray(t.quote_starts, np.int64)
    fstarts = np.asarray(columns.fstarts, np.int64)
    work = _EVENT + _FLAGGED * np.diff(fstarts) + _QUOTE * np.diff(qstarts[:n + 1])
    done = np.concatenate(([0.0], np.cumsum(work)))
    untied = _QUOTE * (len(t.quotes) - int(qstarts[n]))
    h = int(np.searchsorted(done, (done[n] + untied) / 2))
    return min(max(h, 1), n - 1)


def _fork(sourcing: SourcingReport, child, n: int):
    """Fork a child running ``child(start)`` on the events from ``start`` on, its answer
    pickled back through a pipe: (start, pid, the pipe's end), or None if it could not."""
    start = _split(sourcing, n)
    read, write_end = os.pipe()
    gc.freeze()  # what is here now is never collected: neither process's collector touches (and copies) it
    sys.stdout.flush()  # the child must not write out what this process holds
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write_end)
        return None
    if pid == 0:  # the child: its part, then out, whatever happens
        code = 1
        try:
            os.close(read)
            answer = child(start)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return start, pid, read


def _stop(pid: int, read: int) -> None:
    """End the child at once, and wait for it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    os.close(read)
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass


def _answer(pid: int, read: int):
    """The child's answer, once it is done, or None if it failed."""
    answer = None
    try:
        with os.fdopen(read, "rb") as pipe:
            answer = pickle.load(pipe)
    except (EOFError, pickle.UnpicklingError, OSError):
        pass
    _, status = os.waitpid(pid, 0)
    return answer if status == 0 else None


def report(timeline: Timeline, *, names: bool = False) -> tuple[SourcingReport, Report]:
    """The sourcing report of every event (``SourcingReport.report``), and the
    ``SourcingReport`` that made the first part (its caches serve the output)."""
    with _uncollected():
        return _report(timeline, names)


def _report(timeline: Timeline, names: bool) -> tuple[SourcingReport, Report]:
    sourcing = SourcingReport(timeline)
    n = len(timeline)
    if n < HALVES_LIMIT or not hasattr(os, "fork"):
        return sourcing, sourcing.report(names=names)
    sourcing.prepare()
    forked = _fork(sourcing, lambda start: sourcing.report(names=names, positions=range(start, n)), n)
    if forked is None:
        return sourcing, sourcing.report(names=names)
    half, pid, read = forked
    first = sourcing.report(names=names, positions=range(0, half), untied=False)
    later = _answer(pid, read)
    if later is None:  # the child failed: its part is worked out here
        later = sourcing.report(names=names, positions=range(half, n))
    first.extend(later)
    return sourcing, first


def write(timeline: Timeline, out: TextIO) -> int:
    """Print the text report of every event to ``out``: the table, every warning's line
    (in the file's order, as ``places.lines`` gives them), the summary line. The number of
    warnings."""
    with _uncollected():
        return _write(timeline, out)


def _write(timeline: Timeline, out: TextIO) -> int:
    from .places import lines, read_again
    from .streams import is_utf8
    from .validate_output import sourcing_table

    n = len(timeline)
    if n < HALVES_LIMIT or not hasattr(os, "fork") or read_again(timeline.files) or not is_utf8(_encoding(out)):
        # (a file read again places its warnings by line, sorted: they are joined first; an
        # output encoding that cannot carry every character counts what it replaces, here)
        sourcing, whole = report(timeline)
        _write_lines(out, sourcing_table(timeline, whole, sourcing))
        _write_lines(out, lines(whole.findings, timeline.files))
        out.write(whole.summary() + "\n")
        return len(whole.findings)
    sourcing = SourcingReport(timeline)
    columns = sourcing.prepare()
    whole = Report(ids=sourcing.event_ids(), independent=columns.independent, with_url=columns.with_url,
                   first=columns.first)
    try:
        theirs = tempfile.TemporaryFile(dir=_scratch_dir())
        mine = tempfile.TemporaryFile(dir=_scratch_dir())
    except OSError:
        theirs = mine = None
    forked = None
    if theirs is not None:
        def child(start: int) -> tuple[int, dict[str, int]]:
            """The later events' table lines, then their warnings' lines, into ``theirs``:
            where the table's end, and the counts of the findings."""
            with _text(theirs, out) as text:
                _write_lines(text, sourcing_table(timeline, whole, sourcing, range(start, n), header=False))
                text.flush()
                table = os.lseek(theirs.fileno(), 0, os.SEEK_CUR)
                later = sourcing.report(positions=range(start, n))
                _write_lines(text, lines(later.findings, timeline.files))
            return table, later.counts()

        forked = _fork(sourcing, child, n)
    if forked is None:  # one process does it all, in order
        for theirs_or_mine in (theirs, mine):
            if theirs_or_mine is not None:
                theirs_or_mine.close()
        _write_lines(out, sourcing_table(timeline, whole, sourcing))
        alone = sourcing.report()
        _write_lines(out, lines(alone.findings, timeline.files))
        out.write(whole.summary(alone.counts()) + "\n")
        return len(alone.findings)
    start, pid, read = forked
    try:
        _write_lines(out, sourcing_table(timeline, whole, sourcing, range(0, start)))
        first = sourcing.report(positions=range(0, start), untied=False)
        with _text(mine, out) as text:  # after the later events' table: kept until then
            _write_lines(text, lines(first.findings, timeline.files))
    except BaseException:  # the output is gone (a closed pipe), ^C...: the child's work is of no use
        _stop(pid, read)
        raise
    counts = first.counts()
    answer = _answer(pid, read)
    if answer is not None:
        table, later = answer
        _copy(theirs, out, 0, table)
        _copy(mine, out)
        _copy(theirs, out, table)
    else:  # the child failed: its part is worked out here
        _write_lines(out, sourcing_table(timeline, whole, sourcing, range(start, n), header=False))
        _copy(mine, out)
        rest = sourcing.report(positions=range(start, n))
        _write_lines(out, lines(rest.findings, timeline.files))
        later = rest.counts()
    theirs.close()
    mine.close()
    counts = {check: c + later[check] for check, c in counts.items()}
    out.write(whole.summary(counts) + "\n")
    return sum(counts.values())


@contextmanager
def _uncollected():
    """The cyclic garbage collector off while the report is made: it makes millions of
    objects (findings, their messages, lines) that hold no cycle, and each collection of the
    youngest generations walked them again (the findings of the 100k bench file: 1.4 s of
    CPU with it on, 0.8 s off); what they leave is freed by reference counting as ever."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _text(scratch, out: TextIO) -> TextIO:
    """A text stream onto a scratch file, in ``out``'s encoding (what ``_copy`` copies)."""
    return open(scratch.fileno(), "w", encoding=_encoding(out), errors=_errors(out), newline="", closefd=False)


def _write_lines(out: TextIO, chunk) -> None:
    """Write lines, each with its newline, a few thousand at a time."""
    batch: list[str] = []
    for line in chunk:
        batch.append(line)
        if len(batch) == 4096:
            batch.append("")
            out.write("\n".join(batch))
            batch.clear()
    if batch:
        batch.append("")
        out.write("\n".join(batch))


def _copy(scratch, out: TextIO, start: int = 0, end: int | None = None) -> None:
    """Bytes ``start:end`` of a scratch file (written in ``out``'s encoding) onto ``out``."""
    scratch.seek(start)
    left = (os.fstat(scratch.fileno()).st_size if end is None else end) - start
    binary = getattr(out, "buffer", None)
    decoder = None if binary is not None else codecs.getincrementaldecoder(_encoding(out))(_errors(out))
    out.flush()
    while left > 0 and (block := scratch.read(min(left, 1 << 20))):
        left -= len(block)
        if decoder is None:
            binary.write(block)
        else:  # a text stream only (a test's): decoded again
            out.write(decoder.decode(block))
    if decoder is None:
        binary.flush()
    else:
        out.write(decoder.decode(b"", final=True))


def _encoding(out: TextIO) -> str:
    return getattr(out, "encoding", None) or "utf-8"


def _errors(out: TextIO) -> str:
    return getattr(out, "errors", None) or "strict"


def _scratch_dir():
    from .store.cachefile import scratch_dir

    return scratch_dir()
