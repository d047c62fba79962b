"""``timeline publish``: a folder that shows the matching events with TimelineJS, for readers.

The folder holds ``index.html``, the TimelineJS JSON beside it (``timeline.json``, for anyone
who wants to embed it elsewhere) and, with ``--assets``, a copy of TimelineJS itself so the
page works offline; otherwise the page loads TimelineJS from the Knight Lab CDN. The data is
also inside the page (a JSON script block), so opening ``index.html`` from disk works: a
browser will not let a page read a file beside it.

Every data string was HTML-escaped by the TimelineJS writer; in the page, ``<``, ``>`` and ``&``
of the JSON are written as ``\\u003c``-style escapes, so no text can close the script block.
The folder is built under a hidden temporary name beside the target, then renamed into place:
a reader never sees half a folder, and an interrupted publish leaves the old one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..model.timeline import Timeline
from . import timelinejs
from .document import ConvertError
from .html_text import escape

__all__ = ["publish", "CDN", "find_assets"]

CDN = "https://cdn.knightlab.com/libs/timeline3/latest/"
"""Where Knight Lab serves TimelineJS 3 (its embed instructions point here)."""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Timeline Explorer (timeline publish)">
<title>{title}</title>
<link rel="stylesheet" href="{base}css/timeline.css">
<style>html, body {{ height: 100%; margin: 0; }} #timeline {{ height: 100%; }}</style>
</head>
<body>
<div id="timeline"></div>
<script id="timeline-data" type="application/json">{data}</script>
<script src="{base}js/timeline.js"></script>
<script>
var data = JSON.parse(document.getElementById("timeline-data").textContent);
window.timeline = new TL.Timeline("timeline", data, {{
  script_path: new URL("{base}js/", document.baseURI).href,
  hash_bookmark: false
}});
</script>
</body>
</html>
"""


def find_assets(folder: str) -> Path:
    """TimelineJS's ``dist`` folder in what the user gave: the npm package, its dist/, or a
    folder with node_modules/ in it."""
    root = Path(folder)
    for candidate in (root, root / "dist", root / "node_modules" / "@knight-lab" / "timelinejs" / "dist"):
        if (candidate / "js" / "timeline.js").is_file() and (candidate / "css" / "timeline.css").is_file():
            return candidate
    raise ConvertError(f"--assets: no TimelineJS in {folder} (expected js/timeline.js and css/timeline.css, "
                       "e.g. from 'npm install @knight-lab/timelinejs')")


def _copy_assets(dist: Path, target: Path) -> None:
    ignore = shutil.ignore_patterns("*.map", "*.LICENSE.txt")
    shutil.copytree(dist / "js", target / "js", ignore=ignore)
    shutil.copytree(dist / "css", target / "css", ignore=ignore)
    license_file = dist.parent / "LICENSE"
    if license_file.is_file():
        shutil.copy(license_file, target / "LICENSE")


def page(title: str, data: bytes, base: str) -> str:
    inline = data.decode("utf-8").replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _PAGE.format(title=escape(title), data=inline.strip(), base=escape(base))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def publish(timeline: Timeline, positions: Sequence[int], out: str, *, query: str = "",
            assets: str | None = None, force: bool = False, inputs: Iterable[str] = ()) -> None:
    target = Path(out)
    dist = find_assets(assets) if assets else None
    if target.exists() and not target.is_dir():
        raise ConvertError(f"{out}: is a file, not a folder")
    if target.exists() and any(target.iterdir()) and not force:
        raise ConvertError(f"{out}: already exists and is not empty; add --force to replace it")
    for source in [*inputs, *timeline.files]:
        if source != "-" and _inside(Path(source), target):
            raise ConvertError(f"{out}: refusing to replace a folder that holds an input file ({source})")
    if not target.parent.exists():
        raise ConvertError(f"cannot write {out}: folder {target.parent} does not exist")
    data = b"".join(timelinejs.render(timeline, positions, query))
    title = timeline.title + (f" (filtered: {query})" if query else "")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old = None
    try:
        (tmp / "timeline.json").write_bytes(data)
        base = "timelinejs/" if dist else CDN
        if dist:
            _copy_assets(dist, tmp / "timelinejs")
        (tmp / "index.html").write_text(page(title, data, base), encoding="utf-8")
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.rename(target, old / "previous")
        os.rename(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not target.exists():
            os.rename(old / "previous", target)
        raise ConvertError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
