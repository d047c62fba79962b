"""How the panes look at dates and sources right now: as of a day, from an anchor event, in
a time zone. The screen owns one ``Lens`` and hands it to the panes; the lines built here are
what the event pane adds for it (first report and lag, D±n, the shifted time, stances)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.content import Content

from ..model.clock import ZoneChoice, in_zone, relative, shifted, times_without_zone
from ..model.dates import Point
from ..model.known import first_report, lag_words
from ..model.stances import claims
from ..model.text import clip, one_line, visible
from ..model.timeline import Timeline

__all__ = ["Lens", "clock_line", "report_line", "stance_label"]


@dataclass(frozen=True)
class Lens:
    as_of: Point | None = None
    """Only what was published by the end of this date is shown (``asof:``)."""
    anchor: int | None = None
    """Position of the anchor event (``anchor:``): dates also show as D−n / D+n from it."""
    zone: ZoneChoice = field(default_factory=ZoneChoice)

    @property
    def upper(self) -> int | None:
        return self.as_of.upper if self.as_of is not None else None


def publisher_of(timeline: Timeline, source_id: str) -> str:
    """Who put the source out: its publisher (or the nearest via's), with its author's name
    ("X (Pedro Urruchurtu)")."""
    chain = timeline.via_chain(source_id)
    publisher = next((s.publisher for s in chain if s.publisher), None)
    author = chain[0].author if chain else None
    if author:
        name = timeline.actor_name(author)
        return f"{publisher} ({name})" if publisher and publisher != name else name
    return publisher or source_id


def report_line(timeline: Timeline, position: int, lens: Lens) -> Content:
    """"First reported 7 Sep 2024 by CNN, 1 day later", or why there is no such date."""
    report = first_report(timeline, position, upper=lens.upper)
    if report is None:
        undated = len(dict.fromkeys(timeline.events[position].source_ids()))
        text = f"no dated source ({undated} undated)" if undated else "no source cited"
        return Content.assemble(("First report: ", "dim"), (text, "italic $text-warning"))
    via = f" (dated by {visible(clip(publisher_of(timeline, report.via), 80))}, which it is known through)" \
        if report.via else ""
    lag = lag_words(timeline.dates[position], report.date)
    parts: list = [("First report: ", "dim"), (in_zone(report.date, lens.zone).display(), "bold"),
                   f" by {visible(clip(publisher_of(timeline, report.source_id), 80))}{via}, "]
    if report.before:
        parts.append((f"{lag} ‼ check the dates", "bold $text-error"))
    elif report.late:
        parts.append((f"reported {lag} »", "bold $text-warning"))
    else:
        parts.append(f"reported {lag}")
    if report.undated:
        parts.append((f"; {report.undated} undated source{'s' * (report.undated != 1)}", "dim"))
    return Content.assemble(*parts)


def clock_line(timeline: Timeline, position: int, lens: Lens) -> Content | None:
    """The date in the chosen zone and/or counted from the anchor; None when neither is on."""
    edate = timeline.dates[position]
    lines: list[Content] = []
    if lens.zone.zone is not None:
        if times_without_zone(edate):
            lines.append(Content.styled(f"{lens.zone.name}: the time is stored without a zone, shown as stored",
                                        "dim italic"))
        elif edate.point is not None and edate.point.hour is not None:
            lines.append(Content.assemble((f"In {lens.zone.name}: ", "dim"), (shifted(edate, lens.zone), "bold")))
        else:
            lines.append(Content.styled(f"{lens.zone.name}: no time of day, so never shifted", "dim italic"))
    if lens.anchor is not None:
        title = one_line(timeline.events[lens.anchor].title)
        if len(title) > 48:
            title = title[:47] + "…"
        lines.append(Content.assemble((relative(timeline.dates[lens.anchor], edate), "bold $text-accent"),
                                      (f"  from D = {timeline.dates[lens.anchor].display()}, ", "dim"),
                                      (visible(title), "dim italic")))
    return Content("\n").join(lines) if lines else None


def stance_label(stance: str) -> tuple[str, str]:
    return {"disputes": ("disputes", "bold $text-error"), "mentions": ("mentions", "italic $text-muted"),
            }.get(stance, ("supports", "$text-success"))


def hidden_sources(timeline: Timeline, position: int, lens: Lens) -> int:
    """How many of the event's sources came out after the as-of day (not shown)."""
    if lens.upper is None:
        return 0
    return len(timeline.events[position].sources) - len(claims(timeline, position, upper=lens.upper))
