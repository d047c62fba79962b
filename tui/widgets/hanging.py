"""Hanging indents for wrapped lines: a source or quote line that wraps continues under its
text, not at column 0, so "in"/"via" and the bullet stay the only thing at the left edge."""

from __future__ import annotations

from textual.content import Content

__all__ = ["hanging"]


def hanging(line: Content, width: int, indent: int) -> Content:
    """``line`` wrapped to ``width`` cells, every line after the first indented by ``indent``."""
    if width <= indent + 8 or line.cell_length <= width:
        return line
    first = line.wrap(width)[0]
    rest = line[len(first.plain):]
    skip = len(rest.plain) - len(rest.plain.lstrip(" "))
    rest = rest[skip:]
    lines = [first.rstrip()]
    pad = " " * indent
    lines += [Content(pad) + piece.rstrip() for piece in rest.wrap(width - indent)]
    return Content("\n").join(lines)
