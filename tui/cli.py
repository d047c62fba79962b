"""The ``timeline`` command: the explorer, and the non-interactive ``list``, ``actors`` and
``validate`` commands.

The non-interactive commands never import Textual (they start in a fraction of a second and
can run in scripts); only ``explore`` does. Every failure is one readable message and an
exit code, never a traceback:

    0  success            1  ``validate`` found problems
    2  bad usage, unreadable input, or (for other commands) input that does not load
"""

from __future__ import annotations

import argparse
import errno
import gc
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from . import __version__
from .streams import EXIT_PIPE, OutputError, claim_closed, closed_at_start, finish, guard_stdout, is_utf8, say

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
COMMANDS = ("explore", "list", "actors", "validate", "import", "publish", "serve")


class CommandError(Exception):
    """A message for the user, and the exit code to leave with."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (not the whole usage text) and exit code 2."""

    def error(self, message: str):
        raise CommandError(f"{self.prog}: error: {message} (see '{self.prog} --help')", EXIT_USAGE)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (repeat to AND; commas inside one value OR)")
    group.add_argument("--actor", action="append", default=[], metavar="A",
                       help="actor id, name or alias (accents and case ignored)")
    group.add_argument("--from", dest="date_from", metavar="D", help="from this date (inclusive)")
    group.add_argument("--to", dest="date_to", metavar="D", help="to this date (inclusive, at its precision)")
    group.add_argument("--tag", action="append", default=[], metavar="T")
    group.add_argument("--search", metavar="TEXT", help="text in title, summary, place, note or quotes")
    group.add_argument("--query", metavar="Q", help='a query string, e.g. \'actor:maduro from:2024-09 "power cut"\'')
    group.add_argument("--within", action="append", default=[], metavar="D",
                       help="events certainly inside this date (--from/--to match those that possibly overlap)")
    group.add_argument("--as-of", dest="as_of", metavar="D",
                       help="the story as it could be known then: events with a source published by D")
    group.add_argument("--anchor", metavar="EVENT-ID", help="also show dates as D-n / D+n from this event")


def _add_notes(parser: argparse.ArgumentParser, *, explorer: bool = False) -> None:
    group = parser.add_argument_group("your notes (stars, notes, labels, saved views; see docs/format.md)")
    group.add_argument("--notes", metavar="FILE",
                       help="the notes file (default: beside the first data file, story.json -> story.notes.json)")
    group.add_argument("--view", metavar="NAME", help="start from a saved view (its filters, and in the explorer its cursor)")
    if explorer:
        group.add_argument("--fresh", action="store_true",
                           help="do not restore the last session's filters and cursor")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="timeline",
        description="Explore a news-story timeline: events, actors, sources and quotes. "
                    "With no command, opens the explorer (on the bundled dataset if no file is given).",
        epilog="Exit codes: 0 ok, 1 validate found problems, 2 bad usage or unreadable input.",
    )
    parser.add_argument("--version", action="version", version=f"timeline-explorer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    explore = sub.add_parser("explore", help="open the explorer (the default command)")
    explore.add_argument("paths", nargs="*", metavar="PATH", help="timeline files (.json or .jsonl)")
    _add_filters(explore)
    explore.add_argument("--zone", metavar="ZONE",
                         help="a time zone (e.g. Europe/Madrid) that z offers besides 'as stored' and UTC")
    _add_notes(explore, explorer=True)
    _add_cache(explore)
    _add_watch(explore)

    lst = sub.add_parser("list", help="print matching events in date order")
    lst.add_argument("paths", nargs="*", metavar="PATH", help="timeline files; '-' reads standard input")
    _add_filters(lst)
    from .output import FORMATS  # cheap: no Textual, Rich only when a table is printed

    lst.add_argument("--format", choices=FORMATS, default="table")
    lst.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    lst.add_argument("--force", action="store_true", help="let --output replace an existing file")
    _add_notes(lst)
    lst.add_argument("--with-notes", action="store_true",
                     help="include your stars, notes and labels (json/jsonl: in FILE's notes file beside -o FILE)")
    _add_cache(lst)

    actors = sub.add_parser("actors", help="list actors with their event counts and first/last appearance")
    actors.add_argument("paths", nargs="*", metavar="PATH")
    from .actors_output import FORMATS as ACTOR_FORMATS

    actors.add_argument("--format", choices=ACTOR_FORMATS, default="table",
                        help="table (default), json (one array), jsonl (one actor a line) or csv; rows are "
                             "written as they are computed")
    actors.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    actors.add_argument("--force", action="store_true", help="let --output replace an existing file")
    _add_cache(actors)

    validate = sub.add_parser("validate", help="check files and list every problem")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="files, or '-' for standard input")
    validate.add_argument("--sourcing", action="store_true",
                          help="also report each event's independent sources and what an editor would query")
    validate.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    validate.add_argument("--format", choices=("text", "json"), default="text",
                          help="text for people (the default), or one JSON object")
    _add_cache(validate, reads=False)

    serve = sub.add_parser("serve", help="serve the explorer to a web browser (needs the [serve] extra)")
    serve.add_argument("paths", nargs="*", metavar="PATH", help="timeline files (.json or .jsonl)")
    _add_filters(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this computer only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    _add_cache(serve)
    _add_watch(serve)

    imp = sub.add_parser("import", help="convert a TimelineJS, Timesketch or CSV/TSV file to timeline/1")
    imp.add_argument("path", metavar="PATH", help="the file to convert; '-' reads standard input")
    imp.add_argument("--from", dest="source_format", metavar="FORMAT",
                     help="timelinejs, timelinejs-sheet, csv, tsv or timesketch (default: told by the content)")
    imp.add_argument("--map", metavar="FIELD=COLUMN,...", help="for CSV/TSV: e.g. date=When,title=What,actors=Who")
    imp.add_argument("-o", "--output", metavar="FILE", help="write the timeline/1 JSON to FILE (atomically)")
    imp.add_argument("--force", action="store_true", help="let --output replace an existing file")
    imp.add_argument("--report", action="store_true", help="list every warning and what was created (on stderr)")

    pub = sub.add_parser("publish", help="write a folder with a TimelineJS page of the matching events")
    pub.add_argument("paths", nargs="*", metavar="PATH", help="timeline files (or TimelineJS, CSV...)")
    _add_filters(pub)
    pub.add_argument("-o", "--output", metavar="DIR", required=True, help="the folder to write")
    pub.add_argument("--assets", metavar="DIR",
                     help="a local TimelineJS (npm @knight-lab/timelinejs, or its dist/) copied in for offline use; "
                          "default: loaded from the Knight Lab CDN")
    pub.add_argument("--force", action="store_true", help="replace the folder if it exists")
    _add_cache(pub)
    for command in (explore, lst, actors, pub, serve):
        command.add_argument("--map", metavar="FIELD=COLUMN,...",
                             help="for a CSV/TSV file: which column holds each field, e.g. date=When,title=What")
    return parser


def _add_watch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-watch", action="store_true",
                        help="do not follow the files as they change (by default the explorer reloads them)")


def _add_cache(parser: argparse.ArgumentParser, *, reads: bool = True) -> None:
    parser.add_argument(
        "--no-cache", action="store_true",
        help=("neither read nor write the on-disk cache that reopens big files (over 64 MB) quickly"
              if reads else "do not write the on-disk cache (validate always reads the file itself)"))


def _load(args, paths=None):
    """The timeline of ``paths`` (default: the command's, or the bundled dataset); files in
    other formats (TimelineJS, Timesketch, CSV...) are converted in memory, told by their content."""
    from .model.problems import LoadError

    paths = paths or args.paths
    try:
        if paths and "-" not in paths:
            from .interchange.opening import load_any

            timeline = load_any(paths, mapping=getattr(args, "map", None), cache=not args.no_cache)
        else:
            from .store.loader import load

            timeline = load(paths or None, cache=not args.no_cache)
    except LoadError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    # The timeline lives until the command exits: the garbage collector need not walk its
    # objects again and again while thousands of records are written out (~7% of a big export).
    gc.freeze()
    return timeline


def _remember(args, timeline) -> None:
    """Once a command is done: say what the store noticed (a damaged cache read around, one
    line each, on standard error), and write the cache of a big file (a no-op for small ones)."""
    if timeline.notices:
        from .model.text import visible

        for notice in timeline.notices:
            say(f"timeline: {visible(notice)}")
    if not args.no_cache and timeline.origin is not None and not getattr(timeline, "converted", False):
        from .store.cache import save

        save(timeline)


def _query(args, session=None):
    """The filters of the command line, after those of ``--view`` (read from ``session``)."""
    from .model.query import Query, QueryError, from_options, parse_query

    view = _saved_view(args, session)
    try:
        query = parse_query(view.query) if view is not None else Query()
        for term in from_options(actors=args.actor, date_from=args.date_from, date_to=args.date_to,
                                 tags=args.tag, search=args.search, query=args.query, within=args.within,
                                 as_of=args.as_of, anchor=args.anchor).terms:
            query = query.add(term)
        return query
    except QueryError as exc:
        where = f" (in view {args.view!r})" if view is not None and view.query else ""
        raise CommandError(f"timeline: bad filter{where}: {exc}") from None


def _saved_view(args, session):
    """The view ``--view`` names, or None without one; an unknown name is an error."""
    name = getattr(args, "view", None)
    if name is None:
        return None
    views = session.notes.layer.views if session is not None else {}
    if name not in views:
        known = ", ".join(sorted(views)) or "none saved yet (press v in the explorer)"
        where = f" in {session.sidecar.path}" if session is not None and session.sidecar else ""
        raise CommandError(f"timeline: no saved view {name!r}{where}; views: {known}")
    return views[name]


def _notes(args, paths: list[str] | None):
    """The notes session of these data files (``--notes FILE``, else beside the first
    file); None for standard input without ``--notes``. A broken sidecar is an error."""
    from .model.annotations import NotesError
    from .notes.session import NotesSession
    from .notes.sidecar import Sidecar, sidecar_for

    if not args.notes and paths and "-" in paths:
        return None
    if not paths:
        from .store.loader import bundled_path

        paths = [str(bundled_path())]
    path = Path(args.notes) if args.notes else sidecar_for(paths)
    if args.notes and not path.parent.is_dir():
        raise CommandError(f"timeline: --notes {args.notes}: folder {path.parent} does not exist")
    if args.notes and path.is_dir():
        raise CommandError(f"timeline: --notes {args.notes} is a folder; give a file name")
    try:
        return NotesSession(Sidecar(path, data_name=Path(paths[0]).name))
    except NotesError as exc:
        raise CommandError(f"timeline: {exc}") from None


def _run_query(timeline, query, session=None):
    from .model.query import QueryError, run

    try:
        result = run(timeline, query, annotations=session.notes if session is not None else None)
    except QueryError as exc:
        raise CommandError(f"timeline: bad filter: {exc}") from None
    from .model.text import visible

    for note in result.notes:  # a note quotes actor names from the data: make controls visible
        say(f"timeline: note: {visible(note)}")
    if result.more_possibly is not None:
        say(f"timeline: note: {result.within_words()}")
    if result.undated:
        say(f"timeline: note: as of {query.as_of.display()}, {result.undated} shown with only undated sources")
    return result.positions


def _same_file(a: Path, b: Path) -> bool:
    """Whether two names are one file (the same path, a symlink or a hard link to it)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _place_new(tmp: str, path: Path) -> None:
    """Give the written file its name only if that name is still free: a hard link fails
    if a file appeared meanwhile (rename would silently replace it)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links: the earlier check is all there is
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def write_atomically(target: str, chunks: Iterable[str | bytes], *, force: bool, inputs: Iterable[str]) -> None:
    """Write to a temporary file beside ``target``, then rename it into place: a reader never
    sees half a file, and a failure leaves whatever was there untouched."""
    path = Path(target)
    for source in inputs:
        if source != "-" and _same_file(Path(source), path):
            raise CommandError(f"timeline: refusing to write over an input file: {target}")
    try:
        mode = os.stat(path).st_mode  # through symlinks: what the name leads to
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise CommandError(f"timeline: cannot write {target}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise CommandError(f"timeline: {target} is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        # /dev/null, /dev/stdout on a terminal, a named pipe: nothing to replace (a rename
        # would put a plain file where the device was, even /dev/null as root)
        write_special(target, chunks, mode)
        return
    if mode is not None and path.is_symlink():  # replace the file it points to, keep the link
        path = Path(os.path.realpath(path))
    if path.exists() and not force:
        raise CommandError(f"timeline: {target} already exists; add --force to replace it")
    if not path.parent.exists():
        raise CommandError(f"timeline: cannot write {target}: folder {path.parent} does not exist")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the name points at it
        # mkstemp makes the file private (0600): give it the mode a new file would get, or
        # keep the mode of the file it replaces
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
    except FileExistsError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"timeline: {target} already exists; add --force to replace it") from None
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CommandError(f"timeline: cannot write {target}: {exc.strerror or exc}") from None
        raise


def _list_notes(args):
    """The notes ``list`` reads: needed for --with-notes, --view and queries on notes or
    text (a text search covers them); otherwise a sidecar that does not read is only a
    warning, and the list goes on without it."""
    try:
        return _notes(args, args.paths)
    except CommandError as exc:
        wanted = args.with_notes or args.view or args.search or args.notes
        if not wanted and args.query:
            from .model.query import QueryError, on_notes, parse_query

            try:
                wanted = any(map(on_notes, parse_query(args.query).terms))
            except QueryError:
                wanted = False
        if wanted:
            raise
        from .model.text import visible

        print(f"{visible(str(exc))} (listing without your notes)", file=sys.stderr)
        return None


def write_special(target: str, chunks: Iterable[str | bytes], mode: int) -> None:
    """Write straight into a device or a named pipe, which is never created, truncated or
    renamed over. A disk (a block device) is refused outright."""
    if stat.S_ISBLK(mode):
        raise CommandError(f"timeline: {target} is a disk (a block device); refusing to write to it")
    flags = os.O_WRONLY | os.O_NOCTTY
    try:
        try:
            fd = os.open(target, flags | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO or not stat.S_ISFIFO(mode):
                raise
            say(f"timeline: waiting for a program to read {target} (a named pipe); Ctrl+C to stop")
            fd = os.open(target, flags)  # blocks until a reader opens it
        os.set_blocking(fd, True)
        with open(fd, "wb", closefd=True) as f:
            for chunk in chunks:
                f.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
    except BrokenPipeError:
        raise CommandError(f"timeline: cannot write {target}: its reader went away") from None
    except OSError as exc:
        raise CommandError(f"timeline: cannot write {target}: {exc.strerror or exc}") from None


def cmd_list(args) -> int:
    from .output import render

    session = _list_notes(args)
    if args.with_notes and args.format not in ("table", "markdown", "csv", "json", "jsonl"):
        raise CommandError(f"timeline: --with-notes works with --format table, markdown, csv, json and jsonl, "
                           f"not {args.format}")
    if args.with_notes and args.format in ("json", "jsonl") and not args.output:
        raise CommandError(f"timeline: --with-notes with --format {args.format} needs -o FILE: the notes go "
                           f"beside it, in the notes file the explorer reads for it (FILE.notes.json)")
    timeline = _load(args)
    query = _query(args, session)
    positions = _run_query(timeline, query, session)
    notes = session.notes if session is not None and args.with_notes else None
    if notes is not None and (orphans := notes.orphans(timeline)):
        print(f"timeline: note: {len(orphans)} annotation{'s' * (len(orphans) != 1)} for events no longer in "
              f"the data (kept in {session.sidecar.path})", file=sys.stderr)
    width = None
    if args.output is None and sys.stdout.isatty():
        width = os.get_terminal_size().columns
    from .model.known_then import known_then

    as_of = query.as_of  # every format writes the story as known then: later sources and quotes left out
    chunks = render(known_then(timeline, as_of.upper if as_of else None), positions, args.format,
                    query=str(query), width=width, notes=notes if args.format in ("table", "markdown", "csv") else None)
    if args.format == "ics":
        from .interchange.ics import calendar_positions

        left = len(positions) - len(calendar_positions(timeline, positions))
        if left:
            print(f"timeline: note: {left} event{' less precise than a day is' if left == 1 else 's less precise than a day are'}"
                  " not in the calendar", file=sys.stderr)
    if args.output:
        from .store import loader

        inputs = args.paths or [str(loader.bundled_path())]  # never write over the bundled dataset
        beside = None
        if notes is not None and args.format in ("json", "jsonl"):
            from .notes.sidecar import sidecar_for

            beside = sidecar_for([args.output])
            if beside.exists() and not args.force:
                raise CommandError(f"timeline: {beside} already exists; add --force to replace it")
        write_atomically(args.output, chunks, force=args.force, inputs=inputs)
        if beside is not None:
            from .output import notes_beside

            write_atomically(str(beside), [notes_beside(timeline, positions, notes, Path(args.output).name)],
                             force=args.force, inputs=inputs)
    else:
        write_stdout(chunks)
    _remember(args, timeline)
    return EXIT_OK


def write_stdout(chunks: Iterable[str | bytes]) -> None:
    """Write text and UTF-8 byte chunks to standard output, in order; the first chunk is
    flushed at once (a reader sees the first row while the rest is computed)."""
    raw = getattr(sys.stdout, "buffer", None)  # None when captured (tests) or replaced
    for n, chunk in enumerate(chunks):
        if isinstance(chunk, str):
            sys.stdout.write(chunk)
        elif raw is None:
            sys.stdout.write(chunk.decode("utf-8"))
        else:
            sys.stdout.flush()  # text written before goes first
            raw.write(chunk)
        if n < 2:  # a header, then the first row
            sys.stdout.flush()
    sys.stdout.flush()


def cmd_actors(args) -> int:
    from .actors_output import render

    timeline = _load(args)
    tty = args.output is None and sys.stdout.isatty()
    chunks = render(timeline, args.format, width=os.get_terminal_size().columns if tty else 120,
                    bold=tty and os.environ.get("TERM") != "dumb")
    if args.output:
        from .store import loader

        write_atomically(args.output, chunks, force=args.force, inputs=args.paths or [str(loader.bundled_path())])
    else:
        write_stdout(chunks)
    _remember(args, timeline)
    return EXIT_OK


def cmd_validate(args) -> int:
    from .store.loader import load
    from .model.problems import LoadError
    from .model.text import visible

    as_json = args.format == "json"
    names = ", ".join("<stdin>" if p == "-" else p for p in args.paths)
    try:
        if "-" in args.paths:
            timeline = load(args.paths, cache=False, quote_facts=args.sourcing)
        else:  # a TimelineJS, Timesketch or CSV file is checked as what it converts to
            from .interchange.opening import load_any

            timeline = load_any(args.paths, cache=False, quote_facts=args.sourcing)
    except LoadError as exc:
        errors = len(exc.errors)
        if as_json:
            from .validate_output import dump, problem_json

            sys.stdout.write(dump({"files": names, "ok": False, "errors": errors,
                                   "warnings": len(exc.problems) - errors,
                                   "problems": [problem_json(p) for p in exc.problems]}))
            return EXIT_USAGE if exc.unreadable else EXIT_PROBLEMS
        for problem in exc.problems:
            print(problem)
        if exc.unreadable:
            return EXIT_USAGE
        print(f"{errors} error{'s' * (errors != 1)}, {len(exc.problems) - errors} warning"
              f"{'s' * (len(exc.problems) - errors != 1)}")
        return EXIT_PROBLEMS
    warnings = list(timeline.warnings)
    report = findings = None
    if args.sourcing and as_json:
        from .report_halves import report as sourcing_report

        sourcing, report = sourcing_report(timeline, names=True)
        findings = report.findings
    counts = {"events": len(timeline), "actors": len(timeline.actors), "sources": len(timeline.sources),
              "quotes": len(timeline.quotes)}
    total = len(warnings) + (len(findings) if findings else 0)
    if as_json:
        from .validate_output import dump, problem_json, sourcing_json

        out = {"files": names, "ok": True, **counts, "warnings": total,
               "problems": [problem_json(p) for p in warnings]}
        if report is not None:
            from .places import place

            placed = place(findings, timeline.files)
            order = sorted(range(len(placed)), key=lambda i: (placed[i].file, placed[i].line or 0))
            out["sourcing"] = sourcing_json(timeline, report, [findings[i] for i in order],
                                            [placed[i] for i in order])
        sys.stdout.write(dump(out))
    else:
        for problem in warnings:
            print(problem)
        if args.sourcing:  # the table, each warning's line and the summary, on both cores
            from .report_halves import write

            total += write(timeline, sys.stdout)
        # file names are untrusted too
        print(f"ok: {visible(names)}: {counts['events']} events, {counts['actors']} actors, "
              f"{counts['sources']} sources, {counts['quotes']} quotes"
              + (f", {total} warning{'s' * (total != 1)}" if total else ""))
    _remember(args, timeline)
    return EXIT_PROBLEMS if args.strict and total else EXIT_OK


def cmd_import(args) -> int:
    from .interchange import convert
    from .interchange.opening import encode

    conversion = convert(args.path, args.source_format, args.map)
    if args.output:
        write_atomically(args.output, [encode(conversion), b"\n"], force=args.force, inputs=[args.path])
    else:
        raw = getattr(sys.stdout, "buffer", None)  # None when captured (tests)
        if raw is None:
            sys.stdout.write(encode(conversion).decode() + "\n")
        else:
            sys.stdout.flush()
            raw.write(encode(conversion) + b"\n")
        sys.stdout.flush()
    for line in conversion.report() if args.report else conversion.report()[-1:]:
        say(line)
    return EXIT_OK


def cmd_publish(args) -> int:
    from .interchange.publish import publish

    timeline = _load(args)
    query = _query(args)
    positions = _run_query(timeline, query)
    from .model.known_then import known_then

    as_of = query.as_of  # the page tells the story as known then, as `list --as-of` does
    publish(known_then(timeline, as_of.upper if as_of else None), positions, args.output, query=str(query),
            assets=args.assets, force=args.force, inputs=args.paths)
    say(f"published {len(positions)} events to {args.output}/index.html")
    return EXIT_OK


def start_view(args, session, timeline):
    """The filters and cursor (an event id, or None) the explorer opens on: the command
    line's, after ``--view``'s; with neither (and no ``--fresh``), the last session's, unless
    it no longer applies to the data. ``timeline`` is None for a file loaded later: its
    filters are checked by the explorer then."""
    query = _query(args, session)
    view = _saved_view(args, session)
    if timeline is not None:
        _run_query(timeline, query, session)  # a filter that cannot run fails here, before any screen
    last = session.notes.layer.last
    if view is None and last is not None and not args.fresh and not _has_filters(args):
        try:
            restored = _query_of(last)
            if timeline is not None:
                _run_query(timeline, restored, session)
            view, query = last, restored
        except CommandError:
            pass  # the data changed under it: not worth stopping for
    return query, view.cursor if view is not None else None


def _has_filters(args) -> bool:
    return bool(args.actor or args.date_from or args.date_to or args.tag or args.search or args.query)


def _query_of(view):
    from .model.query import QueryError, parse_query

    try:
        return parse_query(view.query)
    except QueryError as exc:
        raise CommandError(f"timeline: bad filter: {exc}") from None


EAGER_LIMIT = 32 * 1024 * 1024
"""Inputs up to this size load before the screen appears (so errors print first); bigger ones
load behind a progress screen that can be quit."""


def cmd_explore(args) -> int:
    if "-" in args.paths:
        raise CommandError("timeline: the explorer cannot read standard input (its keys come from the terminal)")
    if closed_at_start(0) or closed_at_start(2):
        raise CommandError("timeline: the explorer needs a terminal: standard "
                           f"{'input' if closed_at_start(0) else 'error'} is closed")
    encoding = getattr(sys.__stderr__, "encoding", None)  # Textual draws on standard error
    if not is_utf8(encoding):
        raise CommandError(f"timeline: the explorer needs a UTF-8 terminal, and this one is {encoding} "
                           "(set a UTF-8 locale such as LANG=C.UTF-8, or PYTHONIOENCODING=utf-8); "
                           "'timeline list' writes in any encoding")
    from .store.loader import bundled_path

    paths = args.paths or [str(bundled_path())]
    session = _notes(args, paths)
    size = sum(os.path.getsize(p) for p in paths if os.path.isfile(p))
    timeline = None
    watcher = None
    if not args.no_watch:  # the files' stamps before they are read: a change meanwhile is seen
        from .store.watcher import Watcher

        watcher = Watcher(paths)
    from .interchange import sniff

    reopening = None
    if size <= EAGER_LIMIT or any(sniff(p) for p in paths):  # other formats are converted first
        timeline = _load(args, paths)
    else:  # a big file's cache restored while Textual imports (its filters are checked by the explorer)
        from .reopening import Reopening

        reopening = Reopening.start(paths, cache=not args.no_cache)
    query, cursor = start_view(args, session, timeline)
    from .app import TimelineApp

    zone = getattr(args, "zone", None)
    if zone:
        from .model.clock import ZoneError, parse_zone

        try:
            parse_zone(zone)
        except ZoneError as exc:
            raise CommandError(f"timeline: --zone: {exc}") from None
    opened = reopening.handoff() if reopening is not None else {"timeline": timeline}
    app = TimelineApp(paths, query=query, cache=not args.no_cache, zone=zone,
                      watch=not args.no_watch, watcher=watcher, mapping=args.map, notes=session,
                      cursor=cursor, **opened)
    import asyncio

    loop = asyncio.new_event_loop()  # not asyncio.run(), which would join a busy thread
    try:
        app.run(loop=loop)
    finally:
        if app.signalled is not None:
            # the terminal is given back (unless it is gone: a hangup); stop every helper and
            # leave at once, rather than wait for threads at work
            from .shutdown import stop_children

            stop_children()
            _flush_quietly()
            os._exit(128 + app.signalled)
    if app.load_error is not None:
        raise CommandError(app.load_error)
    if app.busy:
        # Quit while a million events load, or the cache is written: a thread cannot be
        # stopped, and Python joins it before exiting, so the terminal would hang until it
        # is done. Leave at once; a half-written cache is a temporary file removed later,
        # a word index being built finishes in its own process, and a process reading the
        # quotes of the file being loaded is stopped.
        from .store.aside import stop_all

        stop_all()
        _flush_quietly()
        os._exit(EXIT_OK)
    loop.close()  # idle worker threads are told to stop; they are joined at exit
    return EXIT_OK


def _filter_options(args) -> list[str]:
    """The filter flags as given, to hand on to another ``timeline`` command."""
    options = [f"--actor={actor}" for actor in args.actor] + [f"--tag={tag}" for tag in args.tag]
    for flag, value in (("--from", args.date_from), ("--to", args.date_to),
                        ("--search", args.search), ("--query", args.query)):
        if value is not None:
            options.append(f"{flag}={value}")
    return options


def cmd_serve(args) -> int:
    try:
        from .web import ExplorerServer, explorer_command, is_local
    except ImportError:
        raise CommandError("timeline serve needs textual-serve: pip install 'timeline-explorer[serve]'") from None
    from .store.loader import bundled_path
    from .model.text import visible

    if "-" in args.paths:
        raise CommandError("timeline: serve cannot read standard input (each browser tab reads the files anew)")
    if not 0 < args.port < 65536:
        raise CommandError(f"timeline: bad port {args.port} (1 to 65535)")
    paths = [str(Path(p).absolute()) for p in args.paths] or [str(bundled_path())]
    names = visible(", ".join(args.paths) or "the bundled dataset")
    query = _query(args)
    # Every tab reads the files itself: check them (and the filters) once here, so that a
    # mistake is told now, on this terminal, rather than as a session that ends at once.
    for path in paths:
        if not os.path.isfile(path):
            raise CommandError(f"timeline: {visible(path)}: no such file")
    if sum(os.path.getsize(p) for p in paths) <= EAGER_LIMIT:
        _run_query(_load(args, paths), query)
    if not is_local(args.host):
        print(f"timeline: warning: --host {visible(args.host)} serves beyond this computer: anyone "
              f"who can reach port {args.port} can open the explorer and read everything in {names} "
              "(there is no password, and the connection is not encrypted). Use --host 127.0.0.1 "
              "to serve this computer only.", file=sys.stderr)
    options = _filter_options(args) + (["--no-cache"] if args.no_cache else []) \
        + ([f"--map={args.map}"] if args.map else []) \
        + (["--no-watch"] if args.no_watch else [])
    server = ExplorerServer(explorer_command(paths, options), host=args.host, port=args.port, names=names)
    try:
        server.serve()
    except OSError as exc:
        raise CommandError(f"timeline: cannot serve on {visible(args.host)}:{args.port}: "
                           f"{exc.strerror or exc}") from None
    return EXIT_OK


def _flush_quietly() -> None:
    """Flush what is still buffered before ``os._exit`` (which does not), whatever the
    streams have become (a closed terminal)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError, OutputError):
            pass


def main(argv: list[str] | None = None) -> int:
    claim_closed()  # before anything is opened: a closed fd 1 must not become an input file
    restore = guard_stdout()
    try:
        code = _dispatch(argv)
        finish()
    except OutputError as exc:
        if not exc.pipe:
            say(str(exc))
        return EXIT_PIPE if exc.pipe else EXIT_USAGE
    finally:
        restore()
    return code


def _dispatch(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "explore")
    # "--query -tag:x" would read -tag:x as an option: glue values that start with "-".
    for flag in ("--query", "--search"):
        while flag in argv[:-1] and argv[argv.index(flag) + 1].startswith("-"):
            i = argv.index(flag)
            argv[i:i + 2] = [f"{flag}={argv[i + 1]}"]
    parser = build_parser()
    from .interchange.document import ConvertError

    try:
        args = parser.parse_args(argv)
        handler = {"explore": cmd_explore, "list": cmd_list, "actors": cmd_actors,
                   "validate": cmd_validate, "import": cmd_import, "publish": cmd_publish,
                   "serve": cmd_serve}[args.command]
        return handler(args)
    except CommandError as exc:
        from .model.text import visible  # a message may quote the data or the command line

        say(visible(str(exc), multiline=True))
        return exc.code
    except ConvertError as exc:  # another format's file that cannot be converted
        from .model.text import visible

        say(visible(f"timeline: {exc}", multiline=True))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
