"""The TimelineJS Google Sheets template, exported as CSV, to timeline/1.

Each row becomes the TimelineJS slide it stands for, and goes through the same mapping as
TimelineJS JSON (``timelinejs.add_slide``); warnings name the row (the header is row 1, as a
spreadsheet counts). ``Type`` says which row is the title and which are eras.
"""

from __future__ import annotations

import csv
import io

from .document import ConvertError, Document
from .parts import parse_time
from .timelinejs import add_slide, set_title

__all__ = ["COLUMNS", "looks_like", "read"]

COLUMNS = ("Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
           "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
           "Media Thumbnail", "Type", "Group", "Background")
_REQUIRED = {"year", "month", "day", "headline"}
_COLUMN_OF = {"start_date": "Year/Month/Day/Time", "end_date": "End Year/Month/Day/Time",
              "text": "Headline", "media": "Media", "group": "Group", "background": "Background",
              "display_date": "Display Date"}
"""Where a slide's part comes from in a row, for warnings ("row 5, Year/Month/Day/Time: ...")."""


def _key(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).lower()


def looks_like(header: list[str]) -> bool:
    return _REQUIRED <= {_key(h) for h in header}


def read(name: str, rows: list[list[str]]) -> Document:
    if not rows or not looks_like(rows[0]):
        raise ConvertError(f"{name}: not a TimelineJS sheet (needs the columns Year, Month, Day and Headline)")
    doc = Document(name, "timelinejs-sheet")
    header = [_key(h) for h in rows[0]]
    known = {c.lower() for c in COLUMNS}
    unknown = [h for h, key in zip(rows[0], header) if key and key not in known]
    if unknown:
        doc.warn(("row 1",), f"columns {', '.join(map(repr, unknown))} not kept")
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cell = dict(zip(header, (c.strip() for c in row)))
        place = (f"row {number}",)

        def warn(message: str, _place=place) -> None:
            doc.warn(_place, message)

        kind = cell.get("type", "").lower()
        slide = {
            "start_date": {"year": cell.get("year", ""), "month": cell.get("month", ""),
                           "day": cell.get("day", ""), **parse_time(cell.get("time", ""), warn)},
            "end_date": {"year": cell.get("end year", ""), "month": cell.get("end month", ""),
                         "day": cell.get("end day", ""), **parse_time(cell.get("end time", ""), warn)},
            "text": {"headline": cell.get("headline", ""), "text": cell.get("text", "")},
            "media": {"url": cell.get("media", ""), "credit": cell.get("media credit", ""),
                      "caption": cell.get("media caption", ""), "thumbnail": cell.get("media thumbnail", "")},
            "display_date": cell.get("display date", ""),
            "group": cell.get("group", ""),
            "background": cell.get("background", ""),
        }
        if kind == "title":
            set_title(doc, slide, place)
            continue
        if kind not in ("", "era"):
            warn(f"Type {cell['type']!r} is not title or era: read as an event")
        add_slide(doc, slide, place, era=kind == "era", columns=_COLUMN_OF)
    return doc


def read_csv(name: str, text: str, delimiter: str = ",") -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ConvertError(f"{name}: not readable as CSV ({exc})") from None
