"""Converted documents handed to the loader, so that they are checked and indexed exactly
like a timeline/1 file (the loader is the one judge of what a timeline is).

The loader reads files, so the document is written to a private temporary file, loaded,
and the file removed at once (a loaded timeline keeps no name, only an open file when it is
big). Problems and the timeline's file list name the original file, not the temporary one.
"""

from __future__ import annotations

import os
import tempfile

from .document import Conversion

__all__ = ["load_any", "load_conversions", "encode"]


def encode(conversion: Conversion) -> bytes:
    """The document as JSON; DEL, C1, bidi and zero-width characters as \\u escapes, as
    ``timeline list --format json`` writes them (inert when printed)."""
    from ..jsontext import json_safe as _json_safe

    raw = conversion.json()
    return raw if conversion.inert else _json_safe(raw)


def load_any(paths: list[str], *, mapping: str | None = None, cache: bool = True, quote_facts: bool = False):
    """Load files of any format together: timeline/1 as it is, others converted first (a
    note on standard error says how each was read). A converted timeline has ``converted``
    set, so that no on-disk cache is written for a temporary file."""
    import sys

    from . import convert, sniff
    from ..model.text import visible

    items: list[tuple[str, Conversion | None]] = []
    for path in paths:
        fmt = sniff(path)
        conversion = None
        if fmt is not None:
            conversion = convert(path, fmt, mapping if fmt in ("csv", "tsv") else None)
            warnings = len(conversion.warnings)
            print(visible(f"timeline: note: {path} read as {conversion.format}"
                          + (f" ({warnings} warning{'s' * (warnings != 1)}: 'timeline import {path} --report' "
                             "lists them)" if warnings else "")), file=sys.stderr)
        items.append((path, conversion))
    if all(c is None for _, c in items):
        from ..store.loader import load

        return load(paths, cache=cache, quote_facts=quote_facts)
    timeline = load_conversions(items, cache=cache)
    timeline.converted = True
    return timeline


def load_conversions(items: list[tuple[str, Conversion | None]], *, cache: bool = True):
    """Load several inputs together: timeline/1 paths as they are, conversions through a
    temporary file each. Returns the Timeline; raises the loader's LoadError."""
    from ..store.loader import load  # the loader's public entry point
    from ..model.problems import LoadError

    folder = tempfile.mkdtemp(prefix="timeline-import-")
    names: dict[str, str] = {}
    paths = []
    try:
        for i, (path, conversion) in enumerate(items):
            if conversion is None:
                paths.append(path)
                continue
            tmp = os.path.join(folder, f"{i}.json")
            with open(tmp, "wb") as f:
                f.write(encode(conversion))
            names[tmp] = f"{conversion.name} (as timeline/1)"  # paths and lines are the converted document's
            paths.append(tmp)
        try:
            timeline = load(paths, cache=cache and not names)
        except LoadError as exc:
            _rename(exc.problems, names)
            raise
    finally:
        for tmp in names:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        os.rmdir(folder)
    _rename(timeline.warnings, names)
    originals = {tmp: c.name for tmp, (_, c) in zip(paths, items) if c is not None}
    timeline.files = [originals.get(f, f) for f in timeline.files]
    return timeline


def _rename(problems, names: dict[str, str]) -> None:
    """Problems in a converted document name the original file, without the temporary
    file's line (one long line, meaningless in the original)."""
    for problem in problems:
        if problem.file in names:
            problem.file, problem.line = names[problem.file], None
