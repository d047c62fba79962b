"""The disputed view (``D``): events whose confidence is disputed or that a source disputes,
and for the highlighted one who says what, the two sides next to each other.

It lists the disputed events among those the main screen shows (its filters apply, an
as-of day included). Enter goes back to the timeline with the cursor on the event.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ..model.clock import ZoneChoice, in_zone
from ..model.stances import Claim, claims, disputed_positions, sides
from ..model.text import clip, one_line, visible
from ..model.timeline import Timeline
from ..widgets.lens import Lens

__all__ = ["DisputedScreen"]

_LIMIT = 5000
"""At most this many events are listed (an OptionList holds one widget line per option)."""


def claim_lines(claim: Claim, zone: ZoneChoice | None = None) -> list[Content]:
    """One claim: publisher and title, date (its time in ``zone``), note."""
    head: list = [("• ", "dim")]
    if claim.publisher:
        head += [(visible(clip(claim.publisher, 100)), "bold"), ": "]
    head.append(visible(clip(claim.title, 300)))
    when = "undated" if claim.date is None else (in_zone(claim.date, zone) if zone else claim.date).display()
    if claim.via and claim.date is not None:
        when += " (date of the source it is known through)"
    lines = [Content.assemble(*head), Content.styled(f"  {when}", "dim")]
    if claim.note:
        lines.append(Content.assemble("  ", ("“" + visible(clip(claim.note), multiline=True) + "”", "italic")))
    return lines


class DisputedScreen(Screen[int | None]):
    """Disputed events on the left; supporting and disputing sources side by side."""

    BINDINGS = [
        Binding("escape,D", "close", "Back", id="disputed-close", tooltip="Back to the timeline"),
        Binding("enter", "choose", "Go to event", id="disputed-choose", priority=True,
                tooltip="Back to the timeline, the cursor on this event"),
        Binding("tab", "app.focus_next", "Next side", id="disputed-next", tooltip="Scroll a side: the list, supports, disputes"),
    ]

    DEFAULT_CSS = """
    DisputedScreen #disputed-body { height: 1fr; }
    DisputedScreen #disputed-list { width: 36%; height: 1fr; border: round $accent; }
    DisputedScreen #sides { height: 1fr; }
    DisputedScreen #disputed-sides { width: 1fr; }
    DisputedScreen #disputed-head { height: auto; padding: 0 1; }
    DisputedScreen .side { width: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    DisputedScreen #side-disputes { border: round $error; }
    DisputedScreen #side-supports { border: round $success; }
    DisputedScreen.-narrow #disputed-body { layout: vertical; }
    DisputedScreen.-narrow #disputed-list { width: 100%; height: 7; }
    DisputedScreen.-narrow #disputed-head { max-height: 4; }
    """

    def __init__(self, timeline: Timeline, shown: Sequence[int], lens: Lens) -> None:
        super().__init__()
        self.timeline = timeline
        self.lens = lens
        keep = set(shown) if len(shown) != len(timeline) else None
        self.positions = [p for p in disputed_positions(timeline) if keep is None or p in keep]

    def compose(self):
        with Horizontal(id="disputed-body"):
            yield OptionList(id="disputed-list")
            with Vertical(id="disputed-sides"):
                yield Static(id="disputed-head", markup=False)
                with Horizontal(id="sides"):
                    with VerticalScroll(id="side-supports", classes="side"):
                        yield Static(id="supports", markup=False)
                    with VerticalScroll(id="side-disputes", classes="side"):
                        yield Static(id="disputes", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        t = self.timeline
        listed = self.query_one("#disputed-list", OptionList)
        listed.border_title = f"Disputed: {len(self.positions)} event{'s' * (len(self.positions) != 1)}"
        options = []
        for p in self.positions[:_LIMIT]:
            found = claims(t, p, upper=self.lens.upper)
            n_dis = sum(c.stance == "disputes" for c in found)
            label = Content.assemble((in_zone(t.dates[p], self.lens.zone).display(), "bold $text-accent"), "\n",
                                     one_line(clip(t.events[p].title, 300)), "\n",
                                     (f"{len(found) - n_dis} for · {n_dis} against"
                                      + (" · confidence: disputed" if t.events[p].confidence == "disputed" else ""),
                                      "dim"))
            options.append(Option(label, id=str(p)))
        listed.add_options(options)
        if options:
            listed.highlighted = 0
        else:
            self._show(None)
        listed.focus()

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < 100, "-narrow")

    @on(OptionList.OptionHighlighted, "#disputed-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(int(event.option.id))

    @on(OptionList.OptionSelected, "#disputed-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def _show(self, position: int | None) -> None:
        head = self.query_one("#disputed-head", Static)
        supports_box, disputes_box = self.query_one("#supports", Static), self.query_one("#disputes", Static)
        if position is None:
            head.update(Content.styled("No disputed event among those shown. Esc: back.", "dim italic"))
            supports_box.update("")
            disputes_box.update("")
            return
        t = self.timeline
        event = t.events[position]
        lines = [Content.assemble((in_zone(t.dates[position], self.lens.zone).display(), "bold $text-accent"), "  ",
                                  (visible(clip(event.title, 300)), "bold"))]
        if event.note:
            lines.append(Content.assemble(("Note: ", "bold $text-warning"), visible(clip(event.note, 600))))
        head.update(Content("\n").join(lines))
        supports, disputes, mentions = sides(claims(t, position, upper=self.lens.upper))
        for box, scroll, title, group in (
                (supports_box, "#side-supports", "Supports", supports + mentions),
                (disputes_box, "#side-disputes", "Disputes", disputes)):
            self.query_one(scroll).border_title = f"{title} ({len(group)})"
            body: list[Content] = []
            for claim in group:
                if claim.stance == "mentions":
                    body.append(Content.styled("mentions only:", "dim italic"))
                body += claim_lines(claim, self.lens.zone)
            if not body:
                body = [Content.styled("no cited source is marked this way" +
                                       ("; see the note" if event.confidence == "disputed" else ""), "dim italic")]
            box.update(Content("\n").join(body))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_choose(self) -> None:
        """Enter, in the list or on a side: back with the highlighted event (a priority key, so
        the footer shows it over the list's own Enter)."""
        listed = self.query_one("#disputed-list", OptionList)
        option = listed.highlighted_option
        self.dismiss(int(option.id) if option is not None else None)
