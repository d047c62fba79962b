"""The quote pane: who said what about the highlighted event, and where it was published."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..model.clock import ZoneChoice
from ..model.first_report import published_by
from ..model.text import clip, one_line, visible
from ..model.timeline import Timeline
from .event_detail import safe_date
from .hanging import hanging
from .pick_list import PickList
from .search_marks import marked

__all__ = ["QuotePane", "known_quotes"]


def known_quotes(timeline: Timeline, position: int | None, as_of: int | None) -> list:
    """The event's quotes (those published by second ``as_of``, when given): what the pane
    lists and its tab counts."""
    quotes = timeline.quotes_at(position) if position is not None else []
    if as_of is not None:
        quotes = [q for q in quotes if published_by(timeline, q.source, as_of)]
    return quotes


class QuotePane(PickList):
    """Each quote with its speaker, its source (publisher, date, via) and when it was said."""

    current: reactive[int | None] = reactive(None)
    """Position of the event whose quotes are listed (bound to the screen's cursor)."""
    ready: reactive[bool] = reactive(True)
    """False while the timeline is still being prepared (bound to the screen)."""

    @dataclass
    class SpeakerRequested(Message):
        """Enter on a quote: show its speaker in the actor pane."""

        actor_id: str

    def __init__(self, timeline: Timeline, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline = timeline
        self.border_title = "4 Quotes"
        self.as_of: int | None = None
        """With an as-of day: its last second; quotes published later are not shown."""
        self.zone: ZoneChoice | None = None
        """The zone times are shown in (``z``); None: as stored."""
        self.needles: tuple[str, ...] = ()
        """The text search's words (folded), marked in the quotes."""

    def adopt(self, timeline: Timeline) -> None:
        """Show quotes of ``timeline`` from now on (a reload; the screen fills the pane again)."""
        self.timeline = timeline

    def set_needles(self, needles: tuple[str, ...]) -> None:
        if needles != self.needles:
            self.needles = needles
            if self.is_mounted:
                self.watch_current(self.current)

    def set_as_of(self, upper: int | None, zone: ZoneChoice | None = None) -> None:
        if (upper, zone) != (self.as_of, self.zone):
            self.as_of, self.zone = upper, zone
            self.watch_current(self.current)

    def watch_current(self, position: int | None) -> None:
        quotes = known_quotes(self.timeline, position, self.as_of)
        options = [Option(self.render_quote(q), id=q.id) for q in quotes]
        if not options:
            empty = "No quotes for this event." if self.ready else "Loading…"
            options = [Option(Content.styled(empty, "dim italic"), disabled=True)]
        self.set_options(options)
        self.border_subtitle = str(len(quotes))
        self._speakers = {q.id: q.speaker for q in quotes}
        if quotes:
            self.highlighted = 0

    def watch_ready(self) -> None:
        if not self.is_mounted:
            return
        self.watch_current(self.current)

    def on_show(self) -> None:
        # a pane hidden in the narrow layout was filled at no width: wrap it again now
        self.on_resize()

    def on_resize(self) -> None:
        # the sources' hanging indents are wrapped for the width
        highlighted = self.highlighted
        self.watch_current(self.current)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def render_quote(self, quote) -> Content:
        t = self.timeline
        text = marked(Content.styled(visible(clip(quote.text), multiline=True), "italic"), self.needles)
        lines = [Content.assemble(("“", "dim"), text, ("”", "dim"))]
        if quote.original:
            original = marked(Content.styled(visible(clip(quote.original), multiline=True), "dim italic"), self.needles)
            lines.append(Content.assemble(("original: ", "dim"), original))
        who = [("— ", "dim"), (one_line(clip(t.actor_name(quote.speaker))), "bold")]
        if quote.said:
            who.append((f", said {safe_date(quote.said, self.zone)}", "dim"))
        if quote.language:
            who.append((f" [{visible(clip(quote.language, 100))}]", "dim"))
        lines.append(Content.assemble(*who))
        width = self.scrollable_content_region.width - 2  # an option's padding
        chain = t.via_chain(quote.source)
        for depth, source in enumerate(chain):
            lead = "  in " if not depth else "  via "
            label = [(lead, "dim")]
            if source.publisher:
                label.append((one_line(clip(source.publisher)) + ": ", "bold"))
            label.append(one_line(clip(source.title)))
            if source.published:
                label.append((f" ({safe_date(source.published, self.zone)})", "dim"))
            lines.append(hanging(Content.assemble(*label), width, len(lead)))
            if source.url:
                url = Content.assemble(" " * len(lead), (one_line(clip(source.url)), "underline $text-primary"))
                lines.append(hanging(url, width, len(lead)))
        return Content("\n").join(lines)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        speaker = self._speakers.get(event.option.id or "")
        if speaker:
            self.post_message(self.SpeakerRequested(speaker))
