"""The palette's Screenshot: an SVG of the screen in the current folder, and where it went.

Textual saves to the user's download folder and only says "Failed to save screenshot"
when there is none. Here it goes to the folder the explorer was started from (where a
reporter keeps the story's files), written atomically, and the notice gives the path or
the reason it could not be written. The SVG says ``xml:space="preserve"``: without it
librsvg (``rsvg-convert``) drops the spaces that start a styled run, so "Meda — took"
would become "Meda— took" in a PNG made from it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_svg", "preserve_spaces"]


def preserve_spaces(svg: str) -> str:
    return svg.replace("<svg ", '<svg xml:space="preserve" ', 1) if "xml:space" not in svg[:500] else svg


def write_svg(svg: str, folder: str | os.PathLike, filename: str) -> Path:
    """Write ``svg`` as ``folder/filename`` atomically; OSError when it cannot."""
    target = Path(folder) / filename
    fd, tmp = tempfile.mkstemp(prefix=".screenshot-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(preserve_spaces(svg))
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return target.resolve()
