"""The event detail pane: everything known about the highlighted event and where it comes from."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from ..model.clock import ZoneChoice, in_zone
from ..model.dates import parse_edtf, DateError
from ..model.sourcing_report import shared
from ..model.stances import claims
from ..model.text import clip, visible
from ..model.timeline import Timeline
from .lens import Lens, clock_line, hidden_sources, report_line, stance_label
from .search_marks import marked
from .hanging import hanging
from .vim_scroll import VimScroll

__all__ = ["EventDetail", "source_lines", "safe_date"]


def safe_date(text: str | None, zone: ZoneChoice | None = None) -> str:
    """A stored date for display (already validated on load; shown raw if it somehow is not),
    its times in ``zone`` when one is chosen (``clock.in_zone``)."""
    if not text:
        return ""
    try:
        edate = parse_edtf(text)
        return (in_zone(edate, zone) if zone is not None else edate).display()
    except DateError:
        return visible(clip(text, 100))


def source_lines(timeline: Timeline, source_id: str, indent: str = "  ", width: int = 0,
                 zone: ZoneChoice | None = None) -> list[Content]:
    """A source as display lines: publisher, title, date (its time in ``zone``), URL, then
    its ``via`` chain; with a ``width``, wrapped lines hang under their text."""
    lines: list[Content] = []
    for depth, source in enumerate(timeline.via_chain(source_id)):
        lead = indent + ("via " if depth else "• ")
        head = [(lead, "dim")]
        if source.publisher:
            head.append((visible(clip(source.publisher)), "bold"))
            head.append(": ")
        head.append(visible(clip(source.title)))
        if source.published:
            head.append((f" ({safe_date(source.published, zone)})", "dim"))
        head.append((f" [{source.kind}]", "dim italic"))
        lines.append(hanging(Content.assemble(*head), width, len(lead)) if width else Content.assemble(*head))
        if source.url:
            url = Content.assemble(indent + "  ", (visible(clip(source.url)), "underline $text-primary"))
            lines.append(hanging(url, width, len(indent) + 2) if width else url)
    if not lines:
        lines.append(Content.assemble(indent, (f"unknown source {visible(clip(source_id, 100))}", "dim")))
    return lines


class EventDetail(VimScroll, can_focus=True):
    """Date (with the source's own words), title, summary, place, tags, confidence, note, sources."""

    current: reactive[int | None] = reactive(None)
    """Position of the event shown (bound to the screen's cursor)."""
    ready: reactive[bool] = reactive(True)
    """False while the timeline is still being prepared (bound to the screen)."""

    def __init__(self, timeline: Timeline, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline = timeline
        self.border_title = "2 Event"
        self.annotation_of = None
        """Event id -> the analyst's annotation (``annotations.Annotation``), set by the screen."""
        self.lens = Lens()
        """As of when, from which anchor, in which zone (set by the screen, ``set_lens``)."""
        self.needles: tuple[str, ...] = ()
        """The text search's words (folded), marked where they are found."""

    def adopt(self, timeline: Timeline) -> None:
        """Show events of ``timeline`` from now on (a reload; the screen fills the pane again)."""
        self.timeline = timeline

    def set_needles(self, needles: tuple[str, ...]) -> None:
        if needles != self.needles:
            self.needles = needles
            if self.is_mounted:
                self.query_one("#detail-body", Static).update(self.describe(self.current))

    def refresh_event(self) -> None:
        """Show the event again (its annotation changed), keeping the scroll position."""
        self.query_one("#detail-body", Static).update(self.describe(self.current))

    def set_lens(self, lens: Lens) -> None:
        if lens != self.lens:
            self.lens = lens
            self.query_one("#detail-body", Static).update(self.describe(self.current))

    def compose(self):
        yield Static(id="detail-body", markup=False)

    def watch_current(self, position: int | None) -> None:
        self.query_one("#detail-body", Static).update(self.describe(position))
        self.scroll_home(animate=False)

    def on_show(self) -> None:
        # a pane hidden in the narrow layout was filled at no width: wrap it again now
        self.on_resize()

    def on_resize(self) -> None:
        # the sources' hanging indents are wrapped for the width
        self.query_one("#detail-body", Static).update(self.describe(self.current))

    def watch_ready(self) -> None:
        if not self.is_mounted:
            return
        self.watch_current(self.current)

    def describe(self, position: int | None) -> Content:
        if position is None:
            return Content.styled("No event selected." if self.ready else "Loading…", "dim italic")
        t = self.timeline
        event = t.events[position]
        edate = t.dates[position]
        parts: list = [(edate.display(), "bold $text-accent")]
        if edate.qualifier:
            parts.append((f"  ({_qualifier_words(edate.qualifier)})", "italic $text-warning"))
        if event.date_text:
            parts.append(("  “" + visible(clip(event.date_text)) + "”", "italic dim"))
        # clip: Textual wraps the whole text on every render (minutes for a 10 MB title)
        lines = [Content.assemble(*parts)]
        clock = clock_line(t, position, self.lens)
        if clock is not None:
            lines.append(clock)
        found = self.needles
        lines.append(marked(Content.styled(visible(clip(event.title)), "bold"), found))
        if event.place:
            lines.append(Content.assemble(("Place: ", "dim"), marked(Content(visible(clip(event.place))), found)))
        number = t.event_files.get(event.id) if len(t.files) > 1 else None
        if number is not None:
            name = t.files[number].replace("\\", "/").rsplit("/", 1)[-1]  # the full path is in help
            lines.append(Content.assemble(("File: ", "dim"), f"{number + 1} ", visible(clip(name))))
        if event.tags:
            lines.append(Content.assemble(("Tags: ", "dim"), marked(Content(visible(clip(", ".join(event.tags)))), found)))
        style = {"confirmed": "$text-success", "reported": "$text-warning", "disputed": "bold $text-error"}
        lines.append(Content.assemble(("Confidence: ", "dim"), (event.confidence, style.get(event.confidence, ""))))
        lines.append(report_line(t, position, self.lens))
        lines.extend(self._annotation(event.id))
        if event.summary:
            lines += [Content(""), marked(Content(visible(clip(event.summary), multiline=True)), found)]
        if event.note:
            lines += [Content(""), Content.assemble(("Note: ", "bold $text-warning"),
                                                    marked(Content(visible(clip(event.note), multiline=True)), found))]
        cited = claims(t, position, upper=self.lens.upper)
        lines += [Content(""), self._sources_head(event, len(cited), hidden_sources(t, position, self.lens))]
        for claim in cited:
            lines.extend(source_lines(t, claim.source_id, width=self.scrollable_content_region.width,
                                      zone=self.lens.zone))
            if claim.stance != "supports" or claim.note:
                label, style = stance_label(claim.stance)
                lines.append(Content.assemble("    ", (label, style),
                                              (": " + visible(clip(claim.note)) if claim.note else "", "italic")))
            if claim.date is None:
                lines.append(Content.styled("    undated: when it came out is not known", "dim italic"))
        if not event.sources:
            lines.append(Content.styled("  none cited", "dim italic"))
        return Content("\n").join(lines)


    def _sources_head(self, event, shown: int, hidden: int) -> Content:
        """"Sources (3) · 2 independent sources · first published 7 Sep 2024": how many are
        cited, how many independent ones they come down to (``model/sourcing_report.py``);
        as of a day, how many came out after it (``hidden``, not shown)."""
        head = [(f"Sources ({shown})", "bold")]
        if hidden:
            head.append((f", {hidden} more published after {self.lens.as_of.display()}", "bold"))
        if event.sources:
            sourcing = shared(self.timeline).event(event)
            single = len(sourcing.independent) == 1
            head += [("  ·  ", "dim"), (sourcing.describe(), "$text-warning" if single else "")]
            if not sourcing.has_url:
                head += [("  ·  ", "dim"), ("no URL", "$text-warning")]
            if sourcing.first is not None:
                head += [("  ·  first published ", "dim"), (in_zone(sourcing.first, self.lens.zone).display(), "dim")]
        return Content.assemble(*head)

    def _annotation(self, event_id: str) -> list[Content]:
        """The analyst's star, labels and note, set apart from the data."""
        mine = self.annotation_of(event_id) if self.annotation_of is not None else None
        if not mine:
            return []
        head = [("★ starred  ", "bold $text-warning")] if mine.starred else []
        if mine.labels:
            head += [("My labels: ", "dim"), (visible(clip(", ".join(mine.labels))), "$text-accent")]
        lines = [Content.assemble(*head)] if head else []
        if mine.note:
            lines.append(Content.assemble(("My note: ", "bold $text-accent"), visible(clip(mine.note), multiline=True)))
        return lines


def _qualifier_words(qualifier: str) -> str:
    return {"?": "uncertain", "~": "approximate", "%": "uncertain, approximate"}[qualifier]
