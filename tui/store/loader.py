"""Read timeline files (JSON or JSON Lines) into a Timeline, or say everything that is wrong.

Which reader reads a file: **strict** (``json_strict``, files up to ``STRICT_LIMIT``, i.e.
anything written by hand) or **fast** (``json_fast``, bigger files, written by programs);
JSON Lines (``jsonl``) either way. Then the checks across records (``checks``). One big file
is read into columns instead (``columns``, with a second process reading its quotes,
``aside``), and restored from the on-disk cache when unchanged (``cache``).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from ..model.entities import KINDS
from ..model.problems import LoadError, Problem, out_of_memory
from ..model.timeline import Timeline
from .aside import ASIDE_LIMIT, QuotesAside
from .cache import restore
from .cachefile import Damaged, cache_dir
from .checks import check_records, place_lines, records_valid
from .columns import Broken, Columns, Fill
from .json_fast import read_big_json, read_json_fast
from .json_strict import read_json_quick, read_json_strict
from .jsonl import looks_like_jsonl, read_jsonl
from .reading import Parsed, open_data, read_bytes, take_fingerprint, unreadable, utf8
from .records import Origin, give_back_memory, read_on_demand
from .text import FileText, MemoryText

__all__ = ["load", "reopen", "read_one", "bundled_path", "STRICT_LIMIT", "JSONL_SUFFIXES"]


STRICT_LIMIT = 64 * 1024 * 1024
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_DATASET = "argentine-embassy-siege.json"


def bundled_path() -> Path:
    """The dataset shipped with the package (``data/`` in the checkout, ``tui/data`` installed)."""
    try:
        from importlib.resources import files

        candidate = Path(str(files("tui.data") / _DATASET))
        if candidate.is_file():
            return candidate
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "data" / _DATASET


def read_one(path: str | Path, sink: Fill | None = None) -> Parsed:
    """Read and structurally check one file (no cross-references yet).

    With ``sink`` (a big file only), its records go to columns instead of into the result,
    and reading stops at the first problem (``columns.Fill``, which may ask for some kinds of
    record only).
    """
    if _is_big(path, JSONL_SUFFIXES):
        # Streamed a line at a time: a million-event file never sits in memory whole.
        file = open_data(path)
        before = take_fingerprint(path, file)
        try:
            with open(file.fd, "rb", closefd=False) as f:
                parsed = read_jsonl(str(path), f, strict=False, sink=sink)
        except OSError as exc:
            raise unreadable(str(path), f"cannot be read ({exc.strerror or exc})") from None
        parsed.fingerprint, parsed.file = before, file
        return parsed
    if _is_big(path, (".json",)):
        return read_big_json(path, sink)
    assert sink is None, "only big files are read into columns"
    name, data = read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or data.isspace():
        raise unreadable(name, "is empty")
    is_jsonl = name.lower().endswith(JSONL_SUFFIXES) or (
        not name.lower().endswith(".json") and looks_like_jsonl(data))
    strict = len(data) <= STRICT_LIMIT
    text = utf8(name, data) if strict else None
    if is_jsonl:
        return read_jsonl(name, data.split(b"\n"), strict)
    if strict:
        return read_json_quick(name, data, text) or read_json_strict(name, text)
    return read_json_fast(name, data)


def _is_big(path, suffixes: tuple[str, ...]) -> bool:
    """A regular file with one of these endings, over the strict-checking size."""
    name = str(path)
    if name == "-" or not name.lower().endswith(suffixes):
        return False
    try:
        return os.path.isfile(name) and os.path.getsize(name) > STRICT_LIMIT
    except OSError:
        return False


def load(paths=None, *, cache: bool = True, quote_facts: bool = False) -> Timeline:
    """Load one or more timeline files (``"-"`` is standard input) into one Timeline.

    With no paths, the bundled dataset. Raises LoadError listing every problem found; a
    timeline with only warnings loads, and keeps them in ``timeline.warnings``. The garbage
    collector is paused meanwhile: millions of new records contain no cycles, and its passes
    over them would cost a third of the time.

    With ``cache``, one big file that is unchanged since its cache was written (``cache.save``)
    is restored from that cache instead of being read again. A damaged cache is read around:
    the file is read, and ``timeline.notices`` says so (the cache is written anew by the next
    ``cache.save``).

    ``quote_facts``: a big file read into columns also keeps what the sourcing report checks
    of each quote (``Timeline.quote_facts``), so that ``validate --sourcing`` reads no quote
    back; only that command asks, since it costs every other first open.
    """
    notices: list[str] = []
    if cache:
        try:
            restored = _restore(paths)
        except Damaged as exc:
            restored = None
            notices.append(str(exc))
        if restored is not None:
            return restored
    enabled = gc.isenabled()
    gc.disable()
    try:
        timeline = _load(paths, quote_facts)
        timeline.notices += notices
        return timeline
    except MemoryError:
        raise out_of_memory(paths or [bundled_path()]) from None
    finally:
        if enabled:
            gc.enable()


def reopen(paths) -> Timeline | None:
    """One big, unchanged file's timeline restored from its cache, or None: not one big
    file, no cache, a stale one, or a damaged one (``load`` then reads the file in full, and
    its notices say why). What the explorer starts before it imports Textual
    (``tui/reopening.py``)."""
    try:
        return _restore(paths)
    except Damaged:
        return None


def _one_big_file(paths) -> str | Path | None:
    """The path, when ``paths`` is one file over ``STRICT_LIMIT`` (cached, read into columns)."""
    if isinstance(paths, (list, tuple)) and len(paths) == 1:
        paths = paths[0]
    if not isinstance(paths, (str, Path)) or not _is_big(paths, (".json", *JSONL_SUFFIXES)):
        return None
    return paths


def _restore(paths) -> Timeline | None:
    path = _one_big_file(paths)
    if path is None:
        return None
    try:  # where its cache goes, and its search text while it is built (cachefile.scratch_dir)
        cache_dir().mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # then the system's temporary folder, and no cache
    return restore(path, lambda: load([path], cache=False))


def _load_columns(path: str | Path, quote_facts: bool = False) -> Timeline:
    """One big file read into columns (``columns.py``); ``Broken`` if anything is wrong.
    A big JSON file has its quotes read, and the timeline's order worked out, by a second
    process meanwhile (``aside.py``)."""
    aside = None
    try:
        if str(path).lower().endswith(".json") and os.path.getsize(path) >= ASIDE_LIMIT:
            aside = QuotesAside.start(path, quote_facts)
    except OSError:
        pass  # gone since it was found big: reading it says so, with the file's name
    columns = Columns(quote_facts=quote_facts)
    try:
        parsed = read_one(path, Fill(columns) if aside is None else Fill(columns, ("actors", "sources", "events")))
        if parsed.problems or parsed.spans is None:
            raise Broken("problems")
        columns.check()  # while the child is still at work
    except BaseException:
        if aside is not None:
            aside.cancel()
        raise
    answer = aside.result() if aside is not None else None
    if answer is not None and answer.fingerprint == parsed.fingerprint is not None:
        columns.add_quote_people(answer.speakers, answer.sources)
        columns.quote_facts = answer.facts()
        arrangement = answer.arrangement()
    else:
        if aside is not None:  # the child could not: read the quotes here after all
            quotes = read_one(path, Fill(columns, ("quotes",)))
            if quotes.problems or quotes.spans is None or quotes.fingerprint != parsed.fingerprint:
                raise Broken("quotes")
            parsed.spans["quotes"] = quotes.spans["quotes"]
        arrangement = columns.arrange(parsed.spans["quotes"])
    columns.check_quotes()
    timeline = columns.timeline(
        arrangement, title=parsed.title, description=parsed.description, name=parsed.name,
        file=parsed.file, event_spans=parsed.spans["events"], fingerprint=parsed.fingerprint,
        text_source=FileText(), lines=parsed.jsonl_lines)
    give_back_memory()
    return timeline


def _read_all(paths) -> tuple[list[Parsed], list[Problem]]:
    """Read and check every file; raise LoadError if anything is wrong."""
    if paths is None or (not isinstance(paths, (str, Path)) and not paths):
        paths = [bundled_path()]
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    files = [read_one(p) for p in paths]
    if not records_valid(files):
        for f in files:  # the detailed pass starts afresh (and adds the warnings itself)
            f.dates = []
        check_records(files)
    problems: list[Problem] = []
    for parsed in files:
        place_lines(parsed)
        problems.extend(sorted(parsed.problems, key=lambda p: (p.line or 0, p.warning)))
    if any(not p.warning for p in problems):
        raise LoadError(problems)
    return files, problems


def _assemble(files: list[Parsed], problems: list[Problem]) -> Timeline:
    """One Timeline from the checked files."""
    origin = None
    event_files: dict[str, int] = {}
    if len(files) == 1:
        merged, dates = files[0].records, files[0].dates
        if files[0].spans is not None:
            origin = Origin(files[0].name, files[0].spans["events"], files[0].spans["quotes"],
                            file=files[0].file, fingerprint=files[0].fingerprint)
    else:  # records defined identically in several files count once (differences are errors)
        merged = {k: [] for k in KINDS}
        dates = []
        for kind in KINDS:
            ids: set[str] = set()
            for number, parsed in enumerate(files):
                for pos, record in enumerate(parsed.records[kind]):
                    if record.id not in ids:
                        ids.add(record.id)
                        merged[kind].append(record)
                        if kind == "events":
                            dates.append(parsed.dates[pos])
                            event_files[record.id] = number
    titles = [f.title for f in files if f.title]
    timeline = Timeline(
        title=" + ".join(dict.fromkeys(titles)) or "Untitled timeline",
        description=files[0].description if len(files) == 1 else None,
        actors=merged["actors"],
        sources=merged["sources"],
        events=merged["events"],
        dates=dates,
        quotes=merged["quotes"],
        warnings=problems,
        files=[f.name for f in files],
        origin=origin,
        text_source=MemoryText() if origin is None else FileText(),
    )
    timeline.event_files = event_files
    return timeline


def _load(paths, quote_facts: bool = False) -> Timeline:
    big = _one_big_file(paths)
    if big is not None:
        try:
            return _load_columns(big, quote_facts)
        except Broken:
            pass  # read again record by record, which names every problem and its place
    files, problems = _read_all(paths)
    timeline = _assemble(files, problems)
    files.clear()  # the last reference to the decoded records of every file
    read_on_demand(timeline)  # a big file's records: read back when shown, not kept decoded
    return timeline
