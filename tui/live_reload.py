"""Live reload: the explorer follows its files as they change on disk.

A timer polls the files' stamps (``store/watcher.py``). When one changes, a worker thread loads
the files again while the last version stays on screen; only a timeline that loaded whole
and valid replaces it, so a half-written file is never shown. The new main screen keeps
the filters, the cursor (by event id: on the same event, or where it was if it is gone)
and the focused pane, and a notification says what changed; ``N`` steps through the new
and changed events. A file that no longer loads, or is gone, gets a panel with its problems
(``widgets/reload_panel.py``) and the last good version stays. Nothing here ever ends the
app: whatever goes wrong while reloading is shown in that panel.

A mixin of ``TimelineApp`` (``app.py``), which provides ``paths``, ``timeline``, ``busy``
and ``use_cache``.
"""

from __future__ import annotations

import time
import weakref
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from .interchange import ConvertError
from .interchange.opening import load_any
from .model.changes import Changes, appended, diff
from .messages import Filtered
from .model.density import Density
from .model.first_report import first_reports
from .model.names import Labels, actor_labels
from .model.problems import LoadError
from .model.text import visible
from .model.timeline import Timeline
from .model.query import Query, QueryError
from .model.runs import runs_grown
from .notes.session import NotesSession
from .screens.main import MainScreen, filtered
from .store.loader import JSONL_SUFFIXES
from .store.watcher import POLL_SECONDS, Watcher, stamp
from .widgets.reload_panel import ReloadPanel
from .widgets.timeline_row import measure_grown
from .widgets.timeline_view import layout_grown

if TYPE_CHECKING:
    from .store.growth import Tail

__all__ = ["LiveReload", "Reloaded", "ReloadFailed"]


@dataclass
class Reloaded(Message):
    """The files loaded again, whole and valid."""

    timeline: Timeline
    density: Density
    changes: Changes
    tail: Tail | None
    """Where this read of a JSON Lines file ended (the next one starts there)."""
    labels: Labels | None = None
    """The actors' labels (``model/names.py``), worked out here rather than on the screen."""
    result: Filtered | None = None
    """For a file that grew: the shown filters' answer over the new version, so the screen
    shows it in place (``MainScreen.adopt``) rather than a new screen being composed."""


@dataclass
class ReloadFailed(Message):
    """The files changed and no longer load: the problems, one line each."""

    problems: list[str]


def _clock() -> str:
    return time.strftime("%H:%M:%S")


class LiveReload:
    """Watching, reloading, and ``N`` (mixed into ``TimelineApp``)."""

    def init_live_reload(self, watch: bool, watcher: Watcher | None = None, mapping: str | None = None) -> None:
        self.mapping = mapping
        """A CSV file's ``--map``: files of other formats are converted again on each reload."""
        self.watcher: Watcher | None = (watcher or Watcher(self.paths)) if watch else None
        """The files' stamps, taken before the first load so a change made while loading is
        seen; None with ``--no-watch``."""
        self._tail: Tail | None = None
        """Where the last read of a JSON Lines file ended (``store/growth.py``)."""
        self.fresh: tuple[str, ...] = ()
        """Ids of the events the last reload added or changed (what ``N`` steps through)."""
        self._dirty = False
        self._reloading = False
        self._pending: Reloaded | None = None
        self._loaded_at = _clock()
        self._reloaded: weakref.ref | None = None
        """The version the last reload showed (its cache is written once it has rested)."""

    def reloaded(self, timeline: Timeline) -> bool:
        """This timeline came from a reload (the file changed while it was open)."""
        return self._reloaded is not None and self._reloaded() is timeline

    def start_watching(self) -> None:
        """Called once the first main screen shows."""
        if self.watcher is not None and not hasattr(self, "_poller"):
            first = self.watcher.stamps.get(self.paths[0]) if len(self.paths) == 1 else None
            if first is not None and str(self.paths[0]).lower().endswith(JSONL_SUFFIXES):
                # only a JSON Lines file grows by lines; what reads them takes 0.05 s to import,
                # on the way to the first frame
                from .store.growth import tail_of

                self._tail = tail_of(self.paths, first.size)
            self._poller = self.set_interval(POLL_SECONDS, self.poll_files)
            if self._tail is not None:
                self.busy.add("watch")  # quitting meanwhile must not wait for the thread
                self._warm_positions(self.timeline)

    @work(thread=True, group="watch", exit_on_error=False)
    def _warm_positions(self, timeline: Timeline) -> None:
        """Event id -> position (``Timeline.position``), which the first growth checks the new
        ids against and carries on: built now, in the background (a second at a million
        events), rather than after the first append, while the reader waits for it."""
        try:
            timeline.position
        finally:
            self.busy.discard("watch")

    def poll_files(self) -> None:
        """One look at the files' stamps; a reload if one changed and none is running."""
        if self.watcher.poll():
            self._dirty = True
        if self._pending is not None:
            self._apply(self._pending)
        if not self._dirty or self._reloading:
            return
        self._dirty = False
        missing = self.watcher.missing()
        if missing:
            self._show_problems(f"{self._names(missing)} is gone (deleted, or being replaced); still "
                                f"showing the version loaded at {self._loaded_at}.", [],
                                "It reloads by itself when the file is back. Esc or a click hides this.")
            return
        self._reloading = True
        self.busy.add("reload")  # quitting meanwhile must not wait for the thread
        shown = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        mine = shown is not None and shown.timeline is self.timeline
        density = shown.density if mine and shown.density.timeline is self.timeline else None
        self._reload(self.timeline, self._tail, density, shown.labels if mine else None,
                     (shown.filters, shown.session) if mine else None)

    @work(thread=True, exclusive=True, group="reload", exit_on_error=False)
    def _reload(self, old: Timeline, tail: Tail | None, density: Density | None = None,
                labels: Labels | None = None, shown: tuple[Query, NotesSession] | None = None) -> None:
        from .store.growth import grow, tail_of

        result = None
        try:
            try:
                grown = grow(old, tail) if tail is not None else None
            except LoadError as exc:  # a new line that does not decode: named, with its line
                self.post_message(ReloadFailed([str(p) for p in exc.errors] or [str(exc)]))
                return
            if grown is not None:  # a JSON Lines file that only grew: its new lines only
                new, tail = grown.timeline, grown.tail
                changes = appended(new, grown.added)
                before, density = density, density.grown(new, grown.positions) if density is not None else Density(new)
                runs_grown(old.group_keys, new.group_keys, grown.positions)  # the headings' runs, and the strip's
                if before is not None:
                    runs_grown(before.bucket, density.bucket, grown.positions)
                measure_grown(old, new, grown.positions)  # the new screen's columns, without a new sample
                layout_grown(old, new, grown.positions)  # and its headings, unfiltered
                reports = first_reports.built_for(old)  # as-of and is:disputed: the new events' only
                if reports is not None:
                    first_reports.handed(new, reports.grown(new, grown.positions))
                labels = labels.grown(new.actors, len(old.actors)) if labels is not None else None
                if shown is not None:  # what the screen will show, found here (the old version stays meanwhile)
                    try:
                        result = filtered(new, density, *shown)
                    except QueryError:
                        result = None  # the new screen says why
            else:
                before = stamp(self.paths[0]) if len(self.paths) == 1 else None
                try:  # as the command line opened them (TimelineJS, CSV... converted again)
                    new = load_any(self.paths, mapping=self.mapping, cache=self.use_cache)
                except LoadError as exc:
                    self.post_message(ReloadFailed([str(p) for p in exc.errors] or [str(exc)]))
                    return
                except ConvertError as exc:
                    self.post_message(ReloadFailed([str(exc)]))
                    return
                tail = tail_of(self.paths, before.size if before else None)
                # a big file's events would all have to be read back to compare: ids only
                changes = diff(old, new, compare=new.origin is None and old.origin is None)
                density = Density(new)
                labels = result = None
            if labels is None:
                labels = actor_labels(new)
            else:
                actor_labels.handed(new, labels)
            self.post_message(Reloaded(new, density, changes, tail, labels, result))
        except Exception as exc:  # never end the explorer over a reload
            self.post_message(ReloadFailed([f"could not reload: {exc}"]))
        finally:
            self.busy.discard("reload")

    # handlers by name: ``@on`` is only collected from Textual classes, not from a mixin
    def on_reloaded(self, message: Reloaded) -> None:
        self._reloading = False
        if not message.changes and message.timeline.title == self.timeline.title:
            self._tail = message.tail
            self._hide_problems()  # saved again as it was (or put back as it was): keep the screen
            return
        self._apply(message)

    def on_reload_failed(self, message: ReloadFailed) -> None:
        self._reloading = False
        if self.watcher.poll():  # changed again while being read: a write in progress
            self._dirty = True
            return
        names = self._names(self.paths)
        self._show_problems(
            f"{names} changed at {_clock()} and no longer loads; still showing the version loaded "
            f"at {self._loaded_at}.", message.problems,
            "It reloads by itself once the file is fixed (timeline validate lists every problem). "
            "Esc or a click hides this.")

    def _apply(self, message: Reloaded) -> None:
        """Show the new version, unless a dialog or the query bar is open: then at the next
        poll after it closes (what is typed there must not vanish under the reader)."""
        screen = self.screen
        if not isinstance(screen, MainScreen) or screen.query_bar.is_open:
            self._pending = message
            return
        self._pending = None
        new, changes = message.timeline, message.changes
        self._reloaded = weakref.ref(new)
        cursor = _carry_cursor(screen.timeline, screen.current, new)
        if message.result is not None and screen.adopt(new, message.result, density=message.density,
                                                       labels=message.labels, cursor=cursor):
            self.timeline, self._tail = new, message.tail
            self.fresh = changes.fresh
            self._loaded_at = _clock()
            self._hide_problems()  # a new screen would not have them either
            self._tell(changes)
            return
        replacement = MainScreen(new, screen.filters, density=message.density, zone=self.zone,
                                 cursor=cursor,
                                 notes=screen.session,  # the analyst's notes go on with the new version
                                 labels=message.labels)
        focused = _focused_pane(screen)
        self.timeline, self._tail = new, message.tail  # together: the next read starts where this one ended
        self.fresh = changes.fresh
        self._loaded_at = _clock()
        self.switch_screen(replacement)
        if focused != "timeline":
            self.call_after_refresh(replacement.action_focus_pane, focused)
        self._tell(changes)

    def _tell(self, changes: Changes) -> None:
        hint = " · N: next new" if changes.fresh else ""
        self.notify(f"{changes.summary()}{hint}", title=f"Reloaded {self._names(self.paths)}",
                    markup=False, timeout=8)

    def action_next_new(self) -> None:
        """The cursor to the next event the last reload added or changed (wrapping)."""
        screen = self.screen
        if not isinstance(screen, MainScreen):
            return
        where = screen.timeline.position
        fresh = sorted(where[i] for i in self.fresh if i in where)
        if not fresh:
            self.notify("Nothing new: no reload has added or changed an event yet.", markup=False)
            return
        view = screen.timeline_view
        shown = [p for p in fresh if _shows(view.positions, p)]
        if not shown:
            self.notify(f"The {len(fresh)} new or changed events are hidden by the filters "
                        "(x clears them).", markup=False)
            return
        current = screen.current if screen.current is not None else -1
        target = next((p for p in shown if p > current), shown[0])
        view.go_to_position(target)
        screen.action_focus_pane("timeline")
        self.notify(f"New or changed: {shown.index(target) + 1} of {len(shown)}"
                    + (f" ({len(fresh) - len(shown)} hidden by the filters)" if len(shown) < len(fresh) else ""),
                    markup=False, timeout=3)

    def _show_problems(self, headline: str, problems: list[str], hint: str) -> None:
        screen = self.screen if isinstance(self.screen, MainScreen) else None
        if screen is None:
            screen = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if screen is None:
            return
        shown = screen.query(ReloadPanel)
        if shown:  # updated in place: one removed and another mounted at once would share its id
            shown.first().show(headline, problems, hint)
        else:
            screen.mount(ReloadPanel(headline, problems, hint))

    def _hide_problems(self) -> None:
        for screen in self.screen_stack:
            for panel in screen.query(ReloadPanel):
                panel.remove()

    def _names(self, paths) -> str:
        return visible(", ".join(str(p) for p in paths))


def _shows(positions, position: int) -> bool:
    index = bisect_left(positions, position)
    return index < len(positions) and positions[index] == position


def _carry_cursor(old: Timeline, current: int | None, new: Timeline) -> int | None:
    """Where the cursor goes in the new version: the same event, or if it is gone, the
    first event after it (in the old order) that is still there, else the one before."""
    if current is None or not len(old):
        return None
    ids = getattr(old.events, "ids", None)
    id_at = ids.__getitem__ if ids is not None else (lambda p: old.events[p].id)
    where = new.position
    for p in range(current, len(old)):
        if id_at(p) in where:
            return where[id_at(p)]
    for p in range(current - 1, -1, -1):
        if id_at(p) in where:
            return where[id_at(p)]
    return None


def _focused_pane(screen: MainScreen) -> str:
    focused = screen.focused
    for name in ("timeline", "detail", "actors", "quotes"):
        pane = screen.pane(name)
        if focused is not None and (focused is pane or pane in focused.ancestors):
            return name
    return "timeline"
