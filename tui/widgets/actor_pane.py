"""The actor pane: the event's actors with their roles, and the focused actor's profile."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.style import Style
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..model.cooccur import appears_with
from ..model.text import clip, one_line, visible
from ..model.timeline import Timeline
from .pick_list import PickList

__all__ = ["ActorPane"]

COUNT_ASIDE_FROM = 50_000
"""Timelines with more events count "appears most often with" in a worker."""
KEEP_COUNTED = 256


class ActorPane(Vertical):
    """Lists the highlighted event's actors; Enter toggles "filter by this actor"."""

    current: reactive[int | None] = reactive(None)
    """Position of the event whose actors are listed (bound to the screen's cursor)."""
    ready: reactive[bool] = reactive(True)
    """False while the timeline is still being prepared (bound to the screen)."""

    @dataclass
    class FilterToggled(Message):
        """Add or remove a filter on this actor."""

        actor_id: str

    def __init__(self, timeline: Timeline, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline = timeline
        self.border_title = "3 Actors"
        self._shown: int | None = None
        self._together: dict[str, list[tuple[str, int]]] = {}
        """Actor id -> "appears most often with" (the last ``KEEP_COUNTED`` actors asked)."""
        self._counting: str | None = None
        """The actor a worker is counting for."""
        self.filtered: set[str] = set()
        """Actors the current query filters on (marked in the list)."""

    def adopt(self, timeline: Timeline) -> None:
        """Show actors of ``timeline`` from now on (a reload; the screen fills the pane again):
        the counts of who appears with whom are counted again."""
        self.timeline = timeline
        self._together = {}

    def compose(self):
        yield PickList(id="actor-list")
        with VerticalScroll(id="actor-info-scroll", can_focus=False):
            yield Static(id="actor-info", markup=False)

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#actor-list", OptionList)

    def watch_current(self, position: int | None) -> None:
        self._fill(position)

    def watch_ready(self) -> None:
        if not self.is_mounted:
            return
        self._fill(self.current)

    def _fill(self, position: int | None, extra: str | None = None) -> None:
        t = self.timeline
        options: list[Option] = []
        roles: list[tuple[str, str | None]] = []
        if position is not None:
            merged: dict[str, list[str]] = {}
            for actor_id, role in t.events[position].actor_roles():
                # an actor listed twice in one event shows once (option ids must be unique),
                # with each of its roles once
                seen = merged.setdefault(actor_id, [])
                if role and role not in seen:
                    seen.append(role)
            roles = [(actor_id, "; ".join(seen) or None) for actor_id, seen in merged.items()]
        if extra and extra not in {a for a, _ in roles}:
            roles.append((extra, "speaker"))
        for actor_id, role in roles:
            actor = t.actors.get(actor_id)
            mark = "● " if actor_id in self.filtered else "  "
            parts: list = [(mark, "$text-accent"), (one_line(clip(actor.name if actor else actor_id)), "bold")]
            if role:
                parts.append((f" — {one_line(clip(role))}", "italic"))
            if actor:
                parts.append((f"  {actor.kind}", "dim"))
            options.append(Option(Content.assemble(*parts), id=actor_id))
        option_list = self.option_list
        # Refilling the same event (after a filter toggle) keeps the highlighted actor;
        # another event starts from its first actor.
        keep = self.highlighted_actor if extra is None and position == self._shown else None
        self._shown = position
        option_list.set_options(options)
        self.border_subtitle = f"{len(options)}"
        if options:
            shown = [a for a, _ in roles]
            target = extra if extra is not None else keep
            # the same actor stays highlighted when the list is refilled (e.g. after Enter)
            option_list.highlighted = shown.index(target) if target in shown else 0
        else:
            self._show_profile(None)

    def mark_filtered(self, actor_ids: set[str]) -> None:
        """Mark the actors the filters name, keeping the list where it was."""
        if actor_ids != self.filtered:
            self.filtered = actor_ids
            self._fill(self.current)

    def show_actor(self, actor_id: str) -> None:
        """Highlight an actor (adding it as "speaker" if the event does not list it)."""
        self._fill(self.current, extra=actor_id)
        self.option_list.focus()

    def on_descendant_focus(self) -> None:
        if len(self.timeline) > COUNT_ASIDE_FROM and self.highlighted_actor not in self._together:
            self._show_profile(self.highlighted_actor)  # now it counts "appears most often with"

    def on_click(self) -> None:
        self.option_list.focus()  # a click anywhere in the pane (the profile too) focuses it

    @property
    def highlighted_actor(self) -> str | None:
        option = self.option_list.highlighted_option
        return option.id if option else None

    @on(OptionList.OptionHighlighted, "#actor-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_profile(event.option.id)

    @on(OptionList.OptionSelected, "#actor-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.FilterToggled(event.option.id))

    def _show_profile(self, actor_id: str | None) -> None:
        self.query_one("#actor-info", Static).update(self.profile(actor_id))

    def appears_with(self, actor_id: str) -> Content:
        """"Appears most often with": the top five, each a link that filters on both.

        Counting takes a few intersections of the actor's events with the most present
        actors': microseconds on a story, a third of a second for a popular actor of a
        million events. Big timelines count only while this pane has the focus (the analyst
        is looking at actors, not scrolling events), in a worker (the line says "counting…"
        until it is done), and the last actors' answers are kept: the cursor never waits for
        it (issue 20)."""
        t = self.timeline
        top = self._together.get(actor_id)
        if top is None:
            if len(t) > COUNT_ASIDE_FROM:
                if not self.option_list.has_focus:
                    return Content.styled("Appears most often with: counted when this pane has the focus (3)",
                                          "dim italic")
                self._count_aside(actor_id)
                return Content.styled("Appears most often with: counting…", "dim italic")
            top = self._remember(actor_id, appears_with(t, actor_id))
        if not top:
            return Content.styled("Appears with no other actor.", "dim italic")
        parts: list = [("Appears most often with: ", "dim")]
        for i, (other, count) in enumerate(top):
            if i:
                parts.append((", ", "dim"))
            link = Style.from_meta({"@click": f"screen.filter_pair('{actor_id}', '{other}')"})
            parts += [(one_line(clip(t.actor_name(other), 80)), Style(underline=True) + link), (f" {count}", "bold")]
        return Content.assemble(*parts)

    def _remember(self, actor_id: str, top: list[tuple[str, int]]) -> list[tuple[str, int]]:
        self._together[actor_id] = top
        while len(self._together) > KEEP_COUNTED:
            del self._together[next(iter(self._together))]  # the oldest answer
        return top

    def _count_aside(self, actor_id: str) -> None:
        """Count for the highlighted actor in a worker; one at a time (a count cannot be
        stopped half-way: when the cursor has moved on, the next is for where it is now)."""
        if self._counting is None:
            self._counting = actor_id
            self._count(actor_id)

    @work(thread=True, group="appears-with", exit_on_error=False)
    def _count(self, actor_id: str) -> None:
        timeline = self.timeline
        top = appears_with(timeline, actor_id)
        self.app.call_from_thread(self._counted, actor_id, top, timeline)

    def _counted(self, actor_id: str, top: list[tuple[str, int]], timeline: Timeline | None = None) -> None:
        if timeline is None or timeline is self.timeline:  # not counted over a version reloaded meanwhile
            self._remember(actor_id, top)
        self._counting = None
        wanted = self.highlighted_actor if self.is_mounted else None
        if wanted == actor_id:
            self._show_profile(actor_id)
        elif wanted is not None and wanted not in self._together:
            self._count_aside(wanted)

    def profile(self, actor_id: str | None) -> Content:
        if actor_id is None:
            return Content.styled("No actors for this event." if self.ready else "Loading…", "dim italic")
        t = self.timeline
        actor = t.actors.get(actor_id)
        if actor is None:
            return Content.styled(f"Unknown actor {visible(clip(actor_id, 100))}", "dim")
        stats = t.actor_stats(actor_id)
        lines = [Content.assemble((visible(clip(actor.name)), "bold"), (f"  {actor.kind}", "dim"),
                                  (f"  {visible(clip(actor.country, 100))}" if actor.country else "", "dim"))]
        if actor.description:
            lines.append(Content(visible(clip(actor.description), multiline=True)))
        if actor.roles:
            lines.append(Content.assemble(("Roles: ", "dim"), visible(clip("; ".join(actor.roles)))))
        if actor.aliases:
            lines.append(Content.assemble(("Also: ", "dim"), visible(clip(", ".join(actor.aliases)))))
        if actor.affiliations:
            lines.append(Content.assemble(("Part of: ", "dim"),
                                          visible(clip(", ".join(t.actor_name(a) for a in actor.affiliations)))))
        members = t.members_of(actor_id)
        if members:
            lines.append(Content.assemble(("Members: ", "dim"),
                                          visible(clip(", ".join(t.actor_name(a) for a in members)))))
        span = ""
        if stats.first:
            span = f", first {stats.first.display()}, last {stats.last.display()}"
        lines.append(Content.assemble(
            ("In ", "dim"), (f"{stats.events} event{'s' * (stats.events != 1)}", "bold"), (span, "dim"),
            ("; ", "dim"), (f"{stats.quotes} quote{'s' * (stats.quotes != 1)}", "bold"),
        ))
        lines.append(self.appears_with(actor_id))
        lines.append(Content.styled("Enter: filter by this actor (again to remove); click a name above: "
                                    "the events of both", "dim italic"))
        return Content("\n").join(lines)
