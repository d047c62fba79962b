"""Spacing vowel signs measured at the width terminals draw them (issue 18 §6).

Rich (15) gives every combining mark no cell, spacing ones (Unicode category ``Mc``: the
Devanagari vowel signs ा ि ी, their Bengali, Tamil, … kin) included. Terminals that take
their widths from the C library (glibc, and so tmux 3.3a, xterm, VTE) draw an ``Mc`` mark in
a cell of its own: "कि" is 1 cell to Rich and 2 on screen, and a title holding such signs
pushed the pane border right by one cell per sign. They cannot be left out of the text, as
variation selectors are (``model.text.clip``): that would change the words.

So Rich's cell table, the one measure Textual and Rich share (``rich.cells``), is told that
each ``Mc`` character takes one cell. Non-spacing marks (``Mn``: the virama, Thai tone marks,
stacked accents) keep no cell, which is what every terminal agrees on.
"""

from __future__ import annotations

import unicodedata

import rich.cells
from rich._unicode_data import load

__all__ = ["spacing_marks_take_a_cell"]

def _split(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``ranges`` (start, end, width), with every zero-width ``Mc`` code point given width 1."""
    out: list[tuple[int, int, int]] = []
    for start, end, width in ranges:
        if width != 0:
            out.append((start, end, width))
            continue
        run = start
        for code in range(start, end + 1):
            if unicodedata.category(chr(code)) == "Mc":
                if run < code:
                    out.append((run, code - 1, 0))
                out.append((code, code, 1))
                run = code + 1
        if run <= end:
            out.append((run, end, 0))
    return out


def spacing_marks_take_a_cell() -> None:
    """Make Rich measure spacing marks at one cell (once; later calls do nothing)."""
    table = load()
    if getattr(spacing_marks_take_a_cell, "done", None) is table:
        return
    table.widths[:] = _split(list(table.widths))
    # widths measured before are cached
    rich.cells.get_character_cell_size.cache_clear()
    rich.cells.cached_cell_len.cache_clear()
    spacing_marks_take_a_cell.done = table
