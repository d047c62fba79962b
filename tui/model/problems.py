"""Problems found while loading, and where to find them in the file.

A person fixing a timeline by hand needs three things per problem: the file, the JSON path
(``events[3].actors[1]``) and the line. JSON decoders do not keep positions, so lines are
found afterwards, only when there is something to report, by one scan of the text that
follows the paths of interest and skips every other value whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import visible

__all__ = ["Problem", "LoadError", "format_path", "locate_lines", "out_of_memory"]

Path = tuple  # of str keys and int indexes


def format_path(path: Path) -> str:
    """('events', 3, 'actors', 1) -> 'events[3].actors[1]'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


@dataclass(slots=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file."""

    file: str
    path: Path
    message: str
    warning: bool = False
    line: int | None = None

    def __str__(self) -> str:
        """One line for a person. Ids, keys and values quoted from the file are untrusted, so
        control characters are made visible: printing a problem never acts on the terminal."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        kind = "warning" if self.warning else "error"
        path = f" {_shorten(format_path(self.path), 120)}:" if self.path else ""
        return visible(f"{where}: {kind}:{path} {_shorten(self.message, 600)}")


def _shorten(text: str, limit: int) -> str:
    """A 10 MB key or value quoted in full helps nobody: keep its start and its end."""
    if len(text) <= limit:
        return text
    keep = limit // 3
    return f"{text[:keep]}…[{len(text) - 2 * keep:,} characters]…{text[-keep:]}"


@dataclass
class LoadError(Exception):
    """Input that could not be loaded; ``problems`` lists every error (and warning) found.

    ``unreadable`` is set when the input could not even be read as a timeline (missing file,
    not UTF-8, not JSON), which the command line reports with exit code 2 rather than 1.
    """

    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _string_end(text: str, pos: int) -> int:
    """The position after the JSON string that starts (with its quote) at ``pos``, or the end
    of the text. A hand loop rather than one regular expression: ``re`` keeps a backtracking
    entry per character of a repeated group, over a gigabyte for a 10 MB string."""
    start = pos + 1
    while True:
        quote = text.find('"', start)
        if quote < 0:
            return len(text)
        slashes = quote
        while slashes > pos + 1 and text[slashes - 1] == "\\":
            slashes -= 1
        if (quote - slashes) % 2 == 0:  # not escaped (an even run of backslashes before it)
            return quote + 1
        start = quote + 1


_SCALAR = re.compile(r'[^\s{}\[\],:"]+')
_SKIP_WS = re.compile(r"[\s,:]*")
_STRUCTURE = re.compile(r'[\[\]{}"]')


def locate_lines(text: str, paths: list[Path]) -> dict[Path, int]:
    """Map each wanted path to the (1-based) line where its value starts.

    Paths that do not exist in the text (a missing field) map to the line of their nearest
    existing ancestor, which is where the fix goes.
    """
    wanted = set(paths)
    prefixes = {p[:i] for p in wanted for i in range(len(p) + 1)}
    found: dict[Path, int] = {}
    line, seen = 1, 0

    def line_at(pos: int) -> int:
        nonlocal line, seen
        line += text.count("\n", seen, pos)
        seen = pos
        return line

    def skip(pos: int) -> int:
        """Skip one value starting at pos; return the position after it."""
        ch = text[pos]
        if ch == '"':
            return _string_end(text, pos)
        if ch not in "[{":
            m = _SCALAR.match(text, pos)
            return m.end() if m else pos + 1
        depth = 0
        while True:
            m = _STRUCTURE.search(text, pos)
            if m is None:
                return len(text)
            c = m.group()
            if c == '"':
                pos = _string_end(text, m.start())
                continue
            depth += 1 if c in "[{" else -1
            pos = m.end()
            if depth == 0:
                return pos

    def walk(pos: int, path: Path) -> int:
        pos = _SKIP_WS.match(text, pos).end()
        if pos >= len(text):
            return pos
        if path in prefixes:
            found[path] = line_at(pos)
        if path not in prefixes or text[pos] not in "[{":
            return skip(pos)
        is_obj = text[pos] == "{"
        pos += 1
        index = 0
        while True:
            pos = _SKIP_WS.match(text, pos).end()
            if pos >= len(text) or text[pos] in "]}":
                return pos + 1
            if is_obj:
                if text[pos] != '"':
                    return len(text)
                after = _string_end(text, pos)
                key = text[pos + 1:after - 1]
                pos = _SKIP_WS.match(text, after).end()
                pos = walk(pos, path + (key,))
            else:
                pos = walk(pos, path + (index,))
                index += 1

    try:
        walk(0, ())
    except RecursionError:
        pass
    for path in wanted - found.keys():
        for i in range(len(path) - 1, -1, -1):
            if path[:i] in found:
                found[path] = found[path[:i]]
                break
    return found


def out_of_memory(paths) -> LoadError:
    """What to say when a timeline does not fit in memory (rather than a traceback)."""
    names = ", ".join(str(p) for p in paths) or "the timeline"
    return LoadError([Problem(names, (), "does not fit in this machine's memory; split it, or "
                              "use JSON Lines, which loads with less")], unreadable=True)
