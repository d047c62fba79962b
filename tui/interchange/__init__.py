"""Other timeline formats in and out: TimelineJS (JSON and the Google Sheets template),
Timesketch, any CSV/TSV through a column mapping, and iCalendar out.

Converters make ``timeline/1`` documents (``document.Document``); ``opening`` hands them to the
loader, which checks them like any file. Nothing here imports Textual: ``timeline import``
and ``timeline list --format timelinejs`` run without it. The format of a file is told by its
content (``detect``), or named with ``--from``. Mapping tables: docs/interchange.md.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .document import Conversion, ConvertError

__all__ = ["IMPORT_FORMATS", "EXPORT_FORMATS", "Conversion", "ConvertError", "convert", "detect", "sniff"]

IMPORT_FORMATS = ("timelinejs", "timelinejs-sheet", "csv", "tsv", "timesketch")
EXPORT_FORMATS = ("timelinejs", "timesketch", "ics")
_SNIFF = 256 * 1024
_NATIVE = re.compile(rb'"format"\s*:\s*"timeline/')


def _read(path: str) -> tuple[str, bytes]:
    if path == "-":
        import sys

        return "<stdin>", sys.stdin.buffer.read()
    p = Path(path)
    try:
        if p.is_dir():
            raise ConvertError(f"{path}: is a folder, not a file")
        if p.is_char_device() or p.is_block_device():
            raise ConvertError(f"{path}: is a device, not a file")
        return path, p.read_bytes()
    except FileNotFoundError:
        raise ConvertError(f"{path}: no such file") from None
    except PermissionError:
        raise ConvertError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ConvertError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _text(name: str, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConvertError(f"{name}:{line}: is not UTF-8 text (byte {exc.start}); "
                           "save it from the spreadsheet as CSV UTF-8") from None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def detect(name: str, head: bytes) -> str | None:
    """The format of a file from its first bytes, or None for a timeline/1 file (or anything
    the loader should judge). Content decides, not the name: a TimelineJS file is JSON whose
    events have a ``start_date``; a sheet has Year, Month, Day and Headline columns."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text:
        return None
    if text[:1] in (b"{", b"["):
        first = text.split(b"\n", 1)[0]
        record = None
        if len(first) < len(head) or len(head) < _SNIFF:  # a whole first line (JSON Lines)
            try:
                record = json.loads(first)
            except (ValueError, RecursionError):  # not JSON Lines, or nested too deep to tell
                pass
        if isinstance(record, dict):
            if record.get("format") is not None or record.get("type") in ("actor", "source", "event", "quote"):
                return None
            from . import timesketch

            if timesketch.looks_like(record):
                return "timesketch"
        if b'"start_date"' in head and not _NATIVE.search(head):
            return "timelinejs"
        return None
    if len(head) < _SNIFF:  # a whole small file that is JSON after all (null, 2024, "x"): the loader's
        try:
            json.loads(text)
            return None
        except (ValueError, RecursionError):
            pass
    line = text.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    from . import sheet, table, timesketch

    cells = [c.strip().strip('"') for c in line.split(_delimiter(line))]
    if sheet.looks_like(cells):
        return "timelinejs-sheet"
    if timesketch.looks_like(cells) and "timestamp_desc" in cells:
        return "timesketch"
    return "tsv" if _delimiter(line) == "\t" else "csv"


def sniff(path: str) -> str | None:
    """``detect`` on a file on disk (None if it cannot be read: the loader will say why)."""
    if path == "-" or not os.path.isfile(path):  # a folder, a device, a pipe: the loader says so
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
    except OSError:
        return None
    if os.path.splitext(path)[1].lower() in (".json", ".jsonl", ".ndjson") and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return None
    return detect(path, head)


def _big_table(name: str, data: bytes, fmt: str, mapping: str | None):
    """``table.read_data`` of a big CSV/TSV file, or None when it is small or must be read as text."""
    from . import table

    if len(data) < table.HALVES_FROM:
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if start:
        data = data[start:]
    if fmt == "tsv":
        delimiter = "\t"
    else:
        try:
            end = data.find(b"\n")
            delimiter = _delimiter((data if end < 0 else data[:end]).decode("utf-8"))
        except UnicodeDecodeError:
            return None
    return table.read_data(name, data, delimiter, mapping)


def convert(path: str, fmt: str | None = None, mapping: str | None = None) -> Conversion:
    """Read one file in another format as a timeline/1 document, with its warnings."""
    name, data = _read(path)
    if fmt is None:
        fmt = detect(name, data[:_SNIFF])
        if fmt is None:
            raise ConvertError(f"{name}: is already a timeline/1 file, or not a format this can import "
                               f"(formats: {', '.join(IMPORT_FORMATS)}; name one with --from)")
    if fmt not in IMPORT_FORMATS:
        raise ConvertError(f"--from: unknown format {fmt!r} (formats: {', '.join(IMPORT_FORMATS)})")
    doc = _big_table(name, data, fmt, mapping) if fmt in ("csv", "tsv") else None
    if doc is not None:  # a big table, its bytes decoded part by part by the process reading each
        pass
    elif not (text := _text(name, data)).strip():
        raise ConvertError(f"{name}: is empty")
    elif fmt == "timelinejs":
        from . import timelinejs

        doc = timelinejs.read(name, text.encode("utf-8"))
    elif fmt == "timesketch" and text.lstrip()[:1] == "{":
        from . import timesketch

        doc = timesketch.read_jsonl(name, text)
    elif fmt in ("csv", "tsv"):
        from . import table

        doc = table.read_text(name, text, "\t" if fmt == "tsv" else _delimiter(text.split("\n", 1)[0]), mapping)
    else:
        from .sheet import read_csv

        rows = read_csv(name, text, _delimiter(text.split("\n", 1)[0]))
        if fmt == "timelinejs-sheet":
            from . import sheet

            doc = sheet.read(name, rows)
        else:
            from . import timesketch

            doc = timesketch.read_rows(name, rows)
    if mapping and fmt not in ("csv", "tsv"):
        raise ConvertError(f"--map is for CSV/TSV files; {name} is read as {fmt}")
    if not doc.events and not doc.tail_count:
        doc.warn((), "no event could be read")
    return doc.finish()
