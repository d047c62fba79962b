"""The two-mode date range: events that possibly overlap it (``from:``/``to:``), or those
that certainly fall within it (``within:``).

``within:`` takes one date (``within:2024-09``: the whole of September) or a range written
as an EDTF interval, ``within:2024-09-02/2024-09-08``, either end open (``2024-09-02/..``).
An event is within when its whole span lies inside: ``2024-09`` is within September,
``2024`` only possibly overlaps it. The date dialog edits either mode with the same two
fields; these functions turn its fields into terms and back.
"""

from __future__ import annotations

from .dates import DateError, Point, parse_user_date

__all__ = ["OPEN", "within_points", "range_terms_values", "dialog_fields"]

OPEN = ".."
"""An open end of a ``within:`` range (EDTF's notation)."""


def _end(text: str) -> Point | None:
    text = text.strip()
    return None if text in ("", OPEN) else parse_user_date(text)


def within_points(value: str) -> tuple[Point | None, Point | None]:
    """The (start, end) a ``within:`` value covers: one date is both ends; "A/B" is a range
    (either end ``..``). A value with one "/" that does not read as two dates is read as one
    date (so a typed form with a slash keeps its own meaning). Raises DateError."""
    if value.count("/") == 1:
        a, b = value.split("/")
        try:
            start, end = _end(a), _end(b)
        except DateError:
            if OPEN in (a.strip(), b.strip()):
                raise
        else:
            if start is None and end is None:
                raise DateError(f"'{value}': a range needs at least one date")
            if start is not None and end is not None and start.lower > end.upper:
                raise DateError(f"'{value}': the range is reversed ({a.strip()} is after {b.strip()})")
            return start, end
    point = parse_user_date(value)
    return point, point


def range_terms_values(date_from: str, date_to: str, within: bool) -> list[tuple[str, str]]:
    """(field, value) terms for the dialog's fields: ``from:``/``to:`` in the overlap mode,
    one ``within:`` in the other (a single date when both fields say the same)."""
    date_from, date_to = date_from.strip(), date_to.strip()
    if not within:
        return [(name, v) for name, v in (("from", date_from), ("to", date_to)) if v]
    if not date_from and not date_to:
        return []
    if date_from == date_to:
        return [("within", date_from)]
    return [("within", f"{date_from or OPEN}/{date_to or OPEN}")]


def dialog_fields(query) -> tuple[str, str, bool]:
    """The dialog's (from, to, within) for a query: its ``within:`` range if it has one,
    else its ``from:``/``to:``."""
    within = query.values("within")
    if within:
        value = within[-1]
        if value.count("/") == 1:
            a, b = (side.strip() for side in value.split("/"))
            try:
                within_points(value)
                if "" not in (a, b):
                    return ("" if a == OPEN else a), ("" if b == OPEN else b), True
            except DateError:
                pass
        return value, value, True
    return " ".join(query.values("from")), " ".join(query.values("to")), False
