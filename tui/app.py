"""The explorer application: loads the timeline in a worker, then shows the main screen."""

from __future__ import annotations

import os
import weakref

from textual import events, on, work
from textual._files import generate_datetime_filename
from textual.app import App, SystemCommand
from textual.binding import Binding

from .commands import TimelineCommands
from .live_reload import LiveReload
from .messages import Loaded, LoadFailed, TextIndexed
from .model.density import Density
from .model.names import actor_labels
from .model.problems import LoadError
from .model.query import Query
from .model.text import one_line
from .model.timeline import Timeline
from .notes.session import NotesSession
from .store.cache import cache_path, save
from .store.loader import bundled_path, load
from .store.words import build_aside
from .screens.loading import LoadingScreen
from .screens.main import MainScreen
from .screens.too_small import TooSmallScreen, too_small
from .screenshot import write_svg
from .settings import load_settings, save_setting
from .shutdown import end_on_signals
from .cell_widths import spacing_marks_take_a_cell
from .typeahead import KeyOrder

__all__ = ["TimelineApp"]


SAVE_AFTER_RELOAD = 30.0
"""Seconds a reloaded version must stay the one shown before its cache is written."""


class TimelineApp(KeyOrder, LiveReload, App[None]):
    """Timeline Explorer. Give it paths to load (in a worker) or an already loaded Timeline."""

    CSS_PATH = "app.tcss"
    TITLE = "Timeline Explorer"
    COMMANDS = App.COMMANDS | {TimelineCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit the explorer"),
        Binding("N", "next_new", "Next new", id="next-new", show=False,
                tooltip="Cursor to the next event the last reload added or changed"),
        # as in htop and lazygit; with text selected the screen's own Ctrl+C copies it first
        Binding("ctrl+c", "quit", "Quit", id="quit-ctrl-c", show=False, tooltip="Quit (copies selected text instead)"),
    ]

    def __init__(self, paths: list[str] | None = None, *, query: Query | None = None,
                 timeline: Timeline | None = None, cache: bool = True, zone: str | None = None,
                 watch: bool = True, watcher=None, mapping: str | None = None,
                 notes: NotesSession | None = None, cursor: str | None = None,
                 density: Density | None = None, reopening=None) -> None:
        spacing_marks_take_a_cell()  # before anything is measured
        super().__init__()
        self.zone = zone
        """The zone ``z`` offers besides "as stored" and UTC (``--zone``)."""
        self.notes = notes or NotesSession()
        """The analyst's notes: a sidecar's (``notes/``), or in memory only."""
        self.initial_cursor = cursor
        """The event id to open on (a saved view's, or the last session's)."""
        self.use_cache = cache
        """Read and write the on-disk cache of a big file (``store/cache.py``)."""
        self.paths = [str(p) for p in paths] if paths else [str(bundled_path())]
        self.initial_query = query or Query()
        self.timeline = timeline
        self.density = density
        """``timeline``'s density strip, when it was worked out with it (``reopening.py``)."""
        self.reopening = reopening
        """A reopen from the cache started before the app (``reopening.Reopening``): the
        loader waits for it before reading the file."""
        self.load_error: str | None = None
        """Set when loading failed; the command line prints it after the app exits."""
        self._told: tuple[weakref.ref, int] = (lambda: None, 0)
        """Which timeline's notices were shown, and how many."""
        self.busy: set[str] = set()
        """Threads at work ("load", "index", "cache", "reload", "watch"), marked before they start and unmarked
        by themselves: quitting meanwhile must not wait for them (Textual marks their workers
        cancelled, but a thread runs on until it is done)."""
        self.signalled: int | None = None
        """The signal that ended the explorer (``shutdown.py``), if one did."""
        self.init_live_reload(watch, watcher, mapping)

    def on_mount(self) -> None:
        end_on_signals(self)
        theme = load_settings().get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda theme: save_setting("theme", theme.name))
        if self.timeline is not None:
            self.push_screen(MainScreen(self.timeline, self.initial_query, density=self.density, zone=self.zone,
                                        notes=self.notes, start_event=self.initial_cursor))
            self.start_watching()
        else:
            self.push_screen(LoadingScreen(self.paths))
            # Only once the loading screen is on the terminal: the loader's first pass holds
            # the GIL for seconds at a million events, and would delay the first frame.
            self.busy.add("load")  # from now: a quit before the thread even starts must not wait
            self.call_after_refresh(self._load)
        self._fit(self.size)

    def on_resize(self, event: events.Resize) -> None:
        if self.screen_stack[1:]:  # once on_mount has put the first screen up (then: _fit there)
            self._fit(event.size)  # before Textual's own handler: self.size is still the old one

    def action_command_palette(self) -> None:
        if not isinstance(self.screen, TooSmallScreen):  # it could not be drawn either
            super().action_command_palette()

    def _fit(self, size) -> None:
        """The "terminal too small" screen on top while the terminal is below its minimum."""
        small = too_small(*size)
        if small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())
        elif not small and isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    def get_system_commands(self, screen):
        """Textual's commands, except that "Keys" opens the explorer's own help (Textual's
        side panel lists generic keys such as "Scroll Left": a second, noisier help)."""
        for command in super().get_system_commands(screen):
            if command.title == "Keys":
                if isinstance(screen, MainScreen):
                    yield SystemCommand("Keys", "Every key of the explorer, and what the marks mean",
                                        screen.action_help)
                continue
            if command.title == "Screenshot":
                command = SystemCommand("Screenshot", "Save an SVG of the screen in the current folder",
                                        command.callback)
            yield command

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """The palette's Screenshot (``screenshot.py``): saved in the current folder."""
        name = filename or generate_datetime_filename(self.title, ".svg", time_format)
        try:
            saved = write_svg(self.export_screenshot(), path or os.getcwd(), name)
        except OSError as exc:
            self.notify(f"Could not save the screenshot: {exc.strerror or exc}", title="Screenshot",
                        severity="error", markup=False)
            return None
        self.notify(f"Saved {saved}", title="Screenshot", markup=False, timeout=6)
        return str(saved)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        try:
            found = self.reopening.result() if self.reopening is not None else None
            if found is not None:
                timeline, density = found
            else:
                timeline = load(self.paths, cache=self.use_cache)
                density = Density(timeline)
                actor_labels(timeline)  # the main screen's, worked out here rather than on the event loop
        except LoadError as exc:
            self.post_message(LoadFailed(exc))
            return
        finally:
            self.busy.discard("load")
        self.post_message(Loaded(timeline, density))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.timeline = message.timeline
        main = MainScreen(message.timeline, self.initial_query, density=message.density, zone=self.zone,
                          notes=self.notes, start_event=self.initial_cursor)
        if isinstance(self.screen, TooSmallScreen):  # the loading screen is under it: replace that
            self.pop_screen()
            self.switch_screen(main)
            self.push_screen(TooSmallScreen())
        else:
            self.switch_screen(main)
        self._tell_notices(message.timeline)
        self.start_watching()

    async def action_quit(self) -> None:
        """Quit; the main screen first keeps its filters and cursor for the next session."""
        for screen in self.screen_stack:  # a dialog may be on top
            if isinstance(screen, MainScreen):
                screen.remember_session()
        self.exit()

    def _tell_notices(self, timeline: Timeline) -> None:
        """What the store noticed (a damaged cache read around), once each."""
        if self._told[0]() is not timeline:  # another timeline (reloaded): all of its own
            self._told = (weakref.ref(timeline), 0)
        for notice in timeline.notices[self._told[1]:]:
            self.notify(one_line(notice), title="Cache", severity="warning", markup=False, timeout=10)
        self._told = (self._told[0], len(timeline.notices))

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.load_error = str(message.error)
        self.exit(return_code=2)

    @on(TextIndexed)
    def _text_indexed(self, message: TextIndexed) -> None:
        self._tell_notices(message.timeline)  # the cached search text is checked when first used
        if self.use_cache and message.timeline.origin is not None and message.timeline is self.timeline:
            if self.reloaded(message.timeline):  # a file being written to: once it has rested
                self.set_timer(SAVE_AFTER_RELOAD, lambda kept=weakref.ref(message.timeline): self._save_rested(kept))
                return
            self.busy.add("cache")
            self._save_cache(message.timeline)

    def _save_rested(self, kept: weakref.ref) -> None:
        """The cache of a reloaded version, written once no other version has replaced it
        for ``SAVE_AFTER_RELOAD`` seconds: a script appending every few seconds would
        otherwise have the whole cache written again (1 GB at 1M) and its word index built
        again after each append, in the background of every reload."""
        timeline = kept()
        if timeline is not None and timeline is self.timeline:
            self.busy.add("cache")
            self._save_cache(timeline)

    @work(thread=True, group="cache", exit_on_error=False)
    def _save_cache(self, timeline: Timeline) -> None:
        """With the search text built, the cache holds everything a reopen needs; then a
        low-priority child process builds its word index, used as soon as it is there."""
        try:
            written = save(timeline)
            if timeline.words is None or getattr(timeline.words, "cover", None) is not None:  # none, or a part
                target = written or (cache_path(timeline.origin.path) if timeline.from_cache else None)
                if target is not None:
                    built = build_aside(target)
                    if built is not None:
                        timeline.words = built
        finally:
            self.busy.discard("cache")
