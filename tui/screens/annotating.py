"""The main screen's keys for the analyst's own layer: star, note, label, save and open
views, copy a citation, open a source.

A mixin of ``MainScreen`` (kept apart so that screen stays about filtering and panes): it
uses the screen's ``timeline``, ``current``, ``filters``, ``timeline_view`` and ``pane``.
Every change is written to the sidecar at once (``notes/session.py``); what another
explorer writes meanwhile is taken in every few seconds.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from textual import work
from textual.binding import Binding
from textual.content import Content

from ..model.annotations import NotesError, View, now
from ..model.citation import STYLE_NAMES, STYLES, cite_event, cite_quote
from ..model.query import QueryError, on_notes, parse_query
from ..model.text import clip, one_line, visible
from ..notes.session import NotesSession
from ..widgets.status_bar import StatusBar
from .annotate import ChoiceScreen, CopiedScreen, LabelScreen, NoteScreen, ViewNameScreen

__all__ = ["Annotating", "ANNOTATION_BINDINGS", "clipboard_doubt", "openable"]

_MINE = Binding.Group("notes & cite")
"""One footer entry for the six keys (``s n l v y o``), shown when the screen is wide."""

ANNOTATION_BINDINGS = [
    Binding("s", "star", "Star", id="star", group=_MINE,
            tooltip="Star or unstar the event (is:starred shows the starred)"),
    Binding("n", "note", "Note", id="note", group=_MINE,
            tooltip="Write or edit your note on the event (Ctrl+S saves, Esc cancels)"),
    Binding("l", "labels", "Labels", id="labels", group=_MINE,
            tooltip="Your labels on the event: pick one in use or type a new one"),
    Binding("v", "save_view", "Save view", id="save-view", group=_MINE,
            tooltip="Save the filters and cursor under a name (Ctrl+P lists views; timeline --view NAME)"),
    Binding("y", "cite", "Cite", id="cite", group=_MINE,
            tooltip="Copy a citation of the event (or of the quote, in the quotes pane) with its sources"),
    Binding("Y", "cite_style", "Citation style", id="cite-style", show=False,
            tooltip="Choose the citation style (plain, Markdown, APA-like) and copy"),
    Binding("o", "open_source", "Open", id="open-source", group=_MINE,
            tooltip="Open a source's web page (a list when there are several; only http(s) links open)"),
]
_IDS = {b.id for b in ANNOTATION_BINDINGS}

POLL_SECONDS = 2.0
"""How often the sidecar is checked for another explorer's changes (one stat call)."""

_GOOD_TERMINALS = ("WezTerm", "iTerm.app", "ghostty", "vscode", "Tabby", "contour")


def clipboard_doubt(environ=os.environ) -> str | None:
    """Why a clipboard write (OSC 52) may not reach the system clipboard here, or None
    where the terminal is known to take it. No terminal answers whether it did."""
    if environ.get("TMUX"):
        return "Inside tmux the clipboard gets it only with `set -g set-clipboard on`."
    if environ.get("STY"):
        return "GNU screen does not pass clipboard writes on."
    program = environ.get("TERM_PROGRAM", "")
    term = environ.get("TERM", "")
    if program == "Apple_Terminal":
        return "macOS Terminal ignores clipboard writes (OSC 52)."
    if program in _GOOD_TERMINALS or environ.get("KITTY_WINDOW_ID") or environ.get("WT_SESSION") \
            or term.startswith(("xterm-kitty", "foot", "alacritty", "wezterm", "xterm-ghostty")):
        return None
    if environ.get("VTE_VERSION"):
        return "GNOME Terminal and other VTE terminals ignore clipboard writes (OSC 52)."
    return "This terminal may not take clipboard writes (OSC 52)."


def openable(url: str) -> bool:
    """Only plain http(s) links with a host are opened; anything else is shown, never opened."""
    if not url or visible(url) != url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


class Annotating:
    """Star, note, label, views, citations and sources, for ``MainScreen``."""

    session: NotesSession
    cite_style = "plain"

    # --- setup (called by MainScreen.on_mount) -----------------------------------------------

    @property
    def active_bindings(self):
        """The footer's keys: below 100 columns there is no room for these six (the help
        screen, ``?``, lists them); they work at any width. (Textual reads this property
        only to show keys, never to dispatch them.)"""
        bindings = super().active_bindings
        if not self.narrow:
            return bindings
        return {key: b for key, b in bindings.items() if b.binding.id not in _IDS}

    def start_annotating(self, cursor: str | None) -> None:
        self.timeline_view.marks = self._marks
        self.timeline_view.marks_shown = lambda: len(self.session.notes) > 0
        self.pane("detail").annotation_of = self.session.notes.get
        if cursor is not None and self._start is None:  # MainScreen._start: where the first result puts the cursor
            self._start = self.timeline.position.get(cursor)
        if self.session.persistent:
            self.set_interval(POLL_SECONDS, self._take_in_others)
            self._report_orphans()

    @work(thread=True, group="notes", exit_on_error=False)
    def _report_orphans(self) -> None:
        """Notes kept for events the data no longer has (a thread: at a million events the
        id lookup table takes a moment to build)."""
        if not len(self.session.notes):
            return
        gone = self.session.notes.orphans(self.timeline)
        if gone:
            n = len(gone)
            self.app.call_from_thread(
                self.notify, f"{n} annotation{'s' * (n != 1)} for events no longer in the data, kept in "
                             f"{visible(str(self.session.sidecar.path))}: {one_line(clip(', '.join(gone), 300))}",
                title="Notes kept", markup=False, timeout=10)

    # --- the event under the cursor -----------------------------------------------------------

    def _event_id(self, position: int) -> str:
        ids = getattr(self.timeline.events, "ids", None)
        return ids[position] if ids is not None else self.timeline.events[position].id

    def _marks(self, event_id: str) -> str:
        a = self.session.notes.get(event_id)
        return ("★" if a.starred else " ") + ("✎" if a.note else " ")

    def _target(self) -> tuple[int, str] | None:
        """The event under the timeline's cursor (read from the pane itself: a key pressed
        right after a move comes before the pane's message that it moved)."""
        position = self.timeline_view.current_position
        if position is None:
            self.notify("No event is selected.", severity="warning", markup=False)
            return None
        return position, self._event_id(position)

    def _title(self, position: int) -> str:
        return one_line(clip(self.timeline.events[position].title, 80))

    # --- star, note, labels -------------------------------------------------------------------

    def action_star(self) -> None:
        target = self._target()
        if target is None:
            return
        position, event_id = target
        starred = not self.session.notes.get(event_id).starred
        self.session.notes.change(event_id, starred=starred)
        self._changed(f"{'Starred' if starred else 'Unstarred'}: {self._title(position)}")

    def action_note(self) -> None:
        target = self._target()
        if target is None:
            return
        position, event_id = target

        def done(note: str | None) -> None:
            if note is None or note == self.session.notes.get(event_id).note:
                return
            self.session.notes.change(event_id, note=note)
            self._changed(f"{'Note saved' if note else 'Note removed'}: {self._title(position)}")

        self.app.push_screen(NoteScreen(self.timeline.events[position].title, self.session.notes.get(event_id).note),
                             done)

    def action_labels(self) -> None:
        target = self._target()
        if target is None:
            return
        position, event_id = target

        def done(labels: list[str] | None) -> None:
            if labels is None or tuple(labels) == self.session.notes.get(event_id).labels:
                return
            self.session.notes.change(event_id, labels=tuple(labels))
            shown = one_line(clip(", ".join(labels), 100)) or "none"
            self._changed(f"Labels ({shown}): {self._title(position)}")

        self.app.push_screen(LabelScreen(self.timeline.events[position].title, self.session.notes.labels(),
                                         self.session.notes.get(event_id).labels), done)

    def _changed(self, what: str) -> None:
        """Write the change, say so, and show it (rows, event pane, a filter on notes)."""
        saved = self._save()
        where = "" if self.session.persistent else " (not kept: no notes file)"
        if saved:
            self.notify(what + where, markup=False, timeout=3)
        self._notes_shown()

    def _save(self) -> bool:
        try:
            report = self.session.save()
        except NotesError as exc:
            self.notify(one_line(str(exc)), title="Notes not saved", severity="error", markup=False, timeout=10)
            return False
        if report:
            self.notify("Another explorer had changed " + one_line(clip("; ".join(report), 300))
                        + " too: yours was kept (the last write wins).",
                        title="Notes merged", severity="warning", markup=False, timeout=8)
        return True

    def _notes_shown(self) -> None:
        self.timeline_view.refresh_marks()
        self.pane("detail").refresh_event()
        if any(map(on_notes, self.filters.terms)):
            self._filter(self.filters)

    def _take_in_others(self) -> None:
        try:
            changed = self.session.refresh()
        except NotesError as exc:
            self.notify(one_line(str(exc)), title="Notes file unreadable", severity="error", markup=False)
            return
        if changed:
            self._notes_shown()

    # --- views ----------------------------------------------------------------------------------

    def current_view(self) -> View:
        position = self.timeline_view.current_position
        cursor = self._event_id(position) if position is not None else None
        return View(str(self.filters), cursor, now())

    def action_save_view(self) -> None:
        def done(name: str | None) -> None:
            if name is None:
                return
            replaced = name in self.session.notes.layer.views
            self.session.notes.save_view(name, self.current_view())
            if self._save():
                kept = "" if self.session.persistent else " (not kept: no notes file)"
                self.notify(f"View {'replaced' if replaced else 'saved'}: {one_line(name)}{kept}", markup=False)

        self.app.push_screen(ViewNameScreen(str(self.filters), sorted(self.session.notes.layer.views)), done)

    def open_view(self, name: str) -> None:
        view = self.session.notes.layer.views.get(name)
        if view is None:
            return
        try:
            query = parse_query(view.query)
        except QueryError as exc:
            self.notify(one_line(str(exc)), title=f"View {one_line(name)} not opened", severity="error", markup=False)
            return
        position = self.timeline.position.get(view.cursor) if view.cursor else None
        if query == self.filters:
            if position is not None:
                self.timeline_view.go_to_position(position)
        else:
            self._start = position  # the cursor goes there when the result arrives
            self.filters = query
        self.notify(f"View: {one_line(name)}", markup=False, timeout=3)

    def delete_view(self, name: str) -> None:
        self.session.notes.delete_view(name)
        if self._save():
            self.notify(f"View deleted: {one_line(name)}", markup=False)

    def remember_session(self) -> None:
        """On quit: the filters and cursor, for the next session (not written for a plain
        look at a file that has no notes file yet)."""
        if not self.session.persistent:
            return
        view = self.current_view()
        first = self._event_id(0) if len(self.timeline) else None
        if self.session.sidecar.signature() is None and not view.query and view.cursor in (None, first):
            return
        last = self.session.notes.layer.last
        if last is not None and (last.query, last.cursor) == (view.query, view.cursor):
            return
        self.session.notes.set_last(view)
        try:
            self.session.save()
        except NotesError:
            pass  # quitting: nothing to tell the user on a screen that is going away

    # --- citations ----------------------------------------------------------------------------------

    def _quote_in_focus(self):
        """The highlighted quote when the quotes pane has the focus, else None."""
        pane = self.pane("quotes")
        if self.shown is None or not pane.has_focus or pane.highlighted is None:
            return None  # (the quotes pane shows the quotes of ``shown``)
        option = pane.get_option_at_index(pane.highlighted)
        return next((q for q in self.timeline.quotes_at(self.shown) if q.id == option.id), None)

    def action_cite(self, style: str | None = None) -> None:
        style = style or self.cite_style
        quote = self._quote_in_focus()
        if quote is not None:
            text = cite_quote(self.timeline, quote, style)
            what = f"quote of {one_line(clip(self.timeline.actor_name(quote.speaker), 60))}"
        else:
            target = self._target()
            if target is None:
                return
            text = cite_event(self.timeline, target[0], style)
            what = f"citation of “{self._title(target[0])}”"
        self.app.copy_to_clipboard(text)
        self.query_one(StatusBar).say(f"copied: {what}")
        lines = text.count("\n")
        self.notify(f"Copied {what} ({STYLE_NAMES[style]}, {lines} line{'s' * (lines != 1)})", markup=False,
                    timeout=4)
        doubt = clipboard_doubt()
        if doubt is not None:
            self.app.push_screen(CopiedScreen(f"{what} ({STYLE_NAMES[style]})", text, doubt))

    def action_cite_style(self) -> None:
        def done(style: str | None) -> None:
            if style is not None:
                self.cite_style = style
                self.action_cite(style)

        choices = [(s, ("● " if s == self.cite_style else "  ") + STYLE_NAMES[s], True) for s in STYLES]
        self.app.push_screen(ChoiceScreen("Citation style (then copy)", choices), done)

    # --- sources ------------------------------------------------------------------------------------

    def action_open_source(self) -> None:
        quote = self._quote_in_focus()
        if quote is not None:
            source_ids = [quote.source]
        else:
            target = self._target()
            if target is None:
                return
            source_ids = self.timeline.events[target[0]].source_ids()
        links: dict[str, str] = {}
        for sid in source_ids:
            for depth, source in enumerate(self.timeline.via_chain(sid)):
                if source.url and source.url not in links:
                    label = f"{source.publisher}: {source.title}" if source.publisher else source.title
                    links[source.url] = ("via " if depth else "") + label
        if not links:
            self.notify("No source of this event has a URL.", severity="warning", markup=False)
            return
        if len(links) == 1:
            self._open(next(iter(links)))
            return
        choices = [(url, Content.assemble(one_line(clip(label, 120)), "\n  ",
                                          (one_line(clip(url, 300)), "underline" if openable(url) else "dim strike"),
                                          ("" if openable(url) else "  (not http(s): not opened)", "dim")),
                    openable(url)) for url, label in links.items()]
        self.app.push_screen(ChoiceScreen(f"Open a source ({len(links)})", choices,
                                          "↑↓ choose · Enter open in the browser · Esc cancel"),
                             lambda url: url and self._open(url))

    def _open(self, url: str) -> None:
        if not openable(url):
            self.notify(f"Not opened (only http and https links are): {one_line(clip(url, 300))}",
                        severity="warning", markup=False, timeout=8)
            return
        self.app.open_url(url)
        self.notify(f"Opening {one_line(clip(url, 200))}", markup=False, timeout=4)
