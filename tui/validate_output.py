"""What ``timeline validate`` prints beyond its problems: the sourcing report
(``--sourcing``) as a table for people, and the whole result as JSON (``--format json``)
for other tools.

Text from the file (ids, publisher names) is made visible as everywhere else: a table
printed to a terminal never acts on it. JSON carries it exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from .model.problems import Problem, format_path
from .model.sourcing_report import CHECKS, Finding, Report, SourcingReport
from .model.text import visible_all
from .model.timeline import Timeline

__all__ = ["sourcing_table", "problem_json", "sourcing_json", "dump"]


def sourcing_table(timeline: Timeline, report: Report, sourcing: SourcingReport, positions: range | None = None,
                   *, header: bool = True) -> Iterator[str]:
    """One line per event, in timeline order: its date, how many independent sources,
    whether one has a URL, the earliest published date, its id (``positions``: only
    these events' lines, by position in ``report``; ``header``: the columns' names first)."""
    if header:
        yield f"{'Date':<30} {'Independent':>11}  {'URL':<3}  {'First published':<24}  Event"
    texts = getattr(timeline.dates, "texts", None)  # a big file's: parsed only when shown
    shown = sourcing.displays
    ids, firsts, independent, with_url = report.ids, report.first, report.independent, report.with_url
    positions = range(len(ids)) if positions is None else positions
    for a in range(positions.start, positions.stop, _BLOCK):  # each block's lines made by C-level maps
        b = min(a + _BLOCK, positions.stop)
        dates = shown(texts[a:b] if texts is not None else [timeline.dates[p].text for p in range(a, b)])
        first = shown([f.text if f else None for f in firsts[a:b]])
        yield from map(_LINE.__mod__, zip(dates, independent[a:b], map(_YES_NO.__getitem__, with_url[a:b]), first,
                                          visible_all(ids[a:b])))


_BLOCK = 4096
_LINE = "%-30s %11d  %-3s  %-24s  %s"
"""One line of the table: date, independent sources, URL, first published, the event's id."""
_YES_NO = ("no", "yes")
"""The URL column, by ``Report.with_url`` (0 or 1)."""


def problem_json(problem: Problem, check: str | None = None) -> dict:
    """One problem (or sourcing warning) as a JSON object."""
    out = {"file": problem.file, "line": problem.line, "path": format_path(problem.path) if problem.path else None,
           "severity": "warning" if problem.warning else "error", "message": problem.message}
    if check is not None:
        out["check"] = check
    return out


def sourcing_json(timeline: Timeline, report: Report, findings: list[Finding], placed: list[Problem]) -> dict:
    """The ``sourcing`` section of ``validate --sourcing --format json``."""
    events = []
    texts = getattr(timeline.dates, "texts", None)
    for pos, event_id in enumerate(report.ids):
        first = report.first[pos]
        events.append({
            "id": event_id, "date": texts[pos] if texts is not None else timeline.dates[pos].text, "independent": report.independent[pos],
            "sources": list(report.names[pos]) if report.names is not None else None,
            "url": bool(report.with_url[pos]), "first_published": first.text if first else None,
        })
    return {
        "events": events,
        "warnings": [problem_json(p, f.check) for f, p in zip(findings, placed)],
        "counts": report.counts(),
        "summary": report.summary(),
        "checks": CHECKS,
    }


_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]")
"""What ``list --format json`` also writes as escapes (see ``output._json_safe``), and lone
surrogates, which no terminal encoding can carry."""


def dump(data: dict) -> str:
    """JSON for another tool: the data exactly, one object, a newline at the end; DEL, C1,
    bidi, zero-width and separator characters as \\uXXXX escapes, so it is inert printed raw."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _UNSAFE.sub(lambda m: "\\u%04x" % ord(m.group()), text) + "\n"
