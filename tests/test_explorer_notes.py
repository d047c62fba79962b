"""Pilot tests of the analyst's layer in the explorer: star, note and label events, quit,
reopen and find them; two explorers annotating the same story at once; saved views and the
last session; citations copied (and shown where the clipboard may not take them); sources
opened only when they are http(s); the help screen and the palette listing the new keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList, Static, TextArea

from conftest import HOSTILE_BITS, hostile_document, settle
from tui.app import TimelineApp
from tui.cli import build_parser, start_view
from tui.model import parse_query
from tui.store.loader import load
from tui.model.annotations import Annotation, Layer, View, decode, encode
from tui.model.citation import cite_event, cite_quote
from tui.notes.session import NotesSession
from tui.notes.sidecar import Sidecar, sidecar_for
from tui.screens.annotate import ChoiceScreen, CopiedScreen, LabelScreen, NoteScreen, ViewNameScreen
from tui.screens.help import HelpScreen
from tui.widgets.timeline_view import TimelineView

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "argentine-embassy-siege.json"
SIZE = (120, 40)
SIEGE = "siege-begins"


@pytest.fixture
def story(tmp_path) -> Path:
    path = tmp_path / "story.json"
    path.write_bytes(DATA.read_bytes())
    return path


@pytest.fixture(autouse=True)
def a_good_terminal(monkeypatch):
    """A terminal known to take clipboard writes, unless a test says otherwise."""
    for name in ("TMUX", "STY", "VTE_VERSION", "KITTY_WINDOW_ID", "WT_SESSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM_PROGRAM", "WezTerm")


def explorer(path: Path, *, argv: tuple[str, ...] = ()) -> TimelineApp:
    """The explorer as ``timeline PATH [argv]`` opens it: its notes file beside the data,
    the filters and cursor of --view or of the last session."""
    args = build_parser().parse_args(["explore", str(path), *argv])
    session = NotesSession(Sidecar(args.notes or sidecar_for([str(path)]), data_name=path.name))
    timeline = load([str(path)])
    query, cursor = start_view(args, session, timeline)
    return TimelineApp([str(path)], timeline=timeline, query=query, notes=session, cursor=cursor)


def view(app) -> TimelineView:
    return app.screen.query_one(TimelineView)


def row_of(app, event_id: str) -> str:
    """The drawn timeline row of an event."""
    tv = view(app)
    position = tv.timeline.position[event_id]
    index = list(tv.positions).index(position)
    strip = tv._event_strip(position, 80, tv.rich_style, False)
    assert index >= 0
    return "".join(segment.text for segment in strip)


def detail(app) -> str:
    return str(app.screen.query_one("#detail-body", Static).render())


async def go_to(app, pilot, event_id: str) -> None:
    assert view(app).go_to_position(view(app).timeline.position[event_id])
    await pilot.pause()


async def opened(app, pilot, kind) -> bool:
    """Whether a dialog of ``kind`` is on top once the keys before it are handled: keys pass
    through the app's key order one at a time, so a dialog can open a few frames after the key."""
    for _ in range(200):
        if isinstance(app.screen, kind):
            return True
        await pilot.pause()
    return False


def ids_shown(app) -> list[str]:
    t = view(app).timeline
    return [t.events[p].id for p in view(app).positions]


# --- star, note, labels; quit; reopen -----------------------------------------------------------

async def test_star_note_label_quit_reopen_and_find_them(story):
    app = explorer(story)
    t = None
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        t = app.screen.timeline
        first, second, third = (t.events[p].id for p in range(3))
        await pilot.press("s")                                         # star the first event
        await pilot.press("j", "n")                                    # note on the second
        assert await opened(app, pilot, NoteScreen)
        await pilot.press(*"Ask [sic] about this", "enter", *"second line")
        await pilot.press("ctrl+s")
        await pilot.press("j", "l")                                    # a new label on the third
        assert await opened(app, pilot, LabelScreen)
        await pilot.press(*"followup", "enter", "enter")
        await pilot.pause()
        assert "★" in row_of(app, first) and "✎" in row_of(app, second)
        assert "My labels: followup" in detail(app)
        await pilot.press("q")
    on_disk = decode(sidecar_for([str(story)]).read_bytes())
    assert on_disk.events[first].starred
    assert on_disk.events[second].note == "Ask [sic] about this\nsecond line"
    assert on_disk.events[third].labels == ("followup",)

    again = explorer(story)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert "★" in row_of(again, first) and "✎" in row_of(again, second)
        await go_to(again, pilot, second)
        assert "My note: Ask [sic] about this\nsecond line" in detail(again)   # literally, [sic] kept
        again.screen.filters = parse_query("is:starred")
        await settle(again, pilot)
        assert ids_shown(again) == [first]
        again.screen.filters = parse_query("label:followup")
        await settle(again, pilot)
        assert ids_shown(again) == [third]
        again.screen.filters = parse_query('"about this"')                    # text search covers notes
        await settle(again, pilot)
        assert second in ids_shown(again)


async def test_esc_cancels_a_note_and_an_empty_note_removes_it(story):
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        event_id = app.screen.timeline.events[0].id
        await pilot.press("n", *"draft", "escape")
        assert not app.screen.session.notes.get(event_id)
        await pilot.press("n", *"kept", "ctrl+s")
        assert app.screen.session.notes.get(event_id).note == "kept"
        await pilot.press("n")
        assert await opened(app, pilot, NoteScreen)
        assert app.screen.query_one("#note-text", TextArea).text == "kept"   # editing what is there
        app.screen.query_one("#note-text", TextArea).clear()
        await pilot.press("ctrl+s")
        assert not app.screen.session.notes.get(event_id)
    assert decode(sidecar_for([str(story)]).read_bytes()).events == {}


async def test_the_label_picker_offers_labels_in_use_and_unticks(story):
    sidecar_for([str(story)]).write_bytes(encode(Layer({SIEGE: Annotation(labels=("followup", "CNN error"))})))
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = app.screen.timeline.events[0].id
        await pilot.press("l")
        picker = app.screen
        assert [o.value for o in picker.selection_list._options] == ["CNN error", "followup"]
        await pilot.press(*"FOLLOWUP", "enter")                # an existing label, whatever its case
        await pilot.press("enter")
        assert app.screen.session.notes.get(first).labels == ("followup",)
        await go_to(app, pilot, SIEGE)
        await pilot.press("l")
        assert [o.value for o in app.screen.selection_list._options] == ["followup", "CNN error"]  # most used first
        await pilot.press("down", "down", "space", "ctrl+s")    # untick "CNN error"
        assert app.screen.session.notes.get(SIEGE).labels == ("followup",)


# --- two explorers ---------------------------------------------------------------------------------

async def test_two_explorers_annotate_together_and_lose_nothing(story, monkeypatch):
    from tui.screens import annotating

    monkeypatch.setattr(annotating, "POLL_SECONDS", 3600)  # each takes the other's work in when told to
    a, b = explorer(story), explorer(story)
    async with a.run_test(size=SIZE) as pa, b.run_test(size=SIZE) as pb:
        await settle(a, pa)
        await settle(b, pb)
        t = a.screen.timeline
        e0, e1, e2 = (t.events[p].id for p in range(3))
        await pa.press("s")                         # A stars the first event
        await pb.press("j", "s")                    # B, which never saw it, stars the second
        await pb.press("j", "n", *"from B", "ctrl+s")
        a.screen._take_in_others()                  # what A's timer does every 2 s
        await pa.pause()
        assert "★" in row_of(a, e1) and "✎" in row_of(a, e2)
        # both change the same note: the last write wins, and the writer is told
        await pa.press("j", "j", "n")
        a.screen.query_one("#note-text", TextArea).text = "from A"
        await pa.press("ctrl+s")
        await pb.press("n")
        b.screen.query_one("#note-text", TextArea).text = "B again"
        await pb.press("ctrl+s")
        await pb.pause()
        assert any("Another explorer had changed note of event" in n.message for n in b._notifications)
    final = decode(sidecar_for([str(story)]).read_bytes())
    assert final.events[e0].starred and final.events[e1].starred
    assert final.events[e2].note == "B again"


# --- saved views and the last session -------------------------------------------------------------

async def test_a_saved_view_reopens_with_its_filters_and_cursor(story):
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.filters = parse_query("tag:siege")
        await settle(app, pilot)
        await pilot.press("j")
        cursor = app.screen.timeline.events[view(app).current_position].id
        await pilot.press("v")
        assert isinstance(app.screen, ViewNameScreen)
        await pilot.press(*"siege nights", "enter")
        await pilot.press("x")                       # filters cleared before quitting
        await settle(app, pilot)
        await pilot.press("q")
    saved = decode(sidecar_for([str(story)]).read_bytes())
    assert saved.views["siege nights"].query == "tag:siege" and saved.views["siege nights"].cursor == cursor

    again = explorer(story, argv=("--view", "siege nights"))
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert str(again.screen.filters) == "tag:siege"
        assert again.screen.timeline.events[view(again).current_position].id == cursor


async def test_the_last_session_comes_back_unless_fresh(story):
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.filters = parse_query("tag:siege")
        await settle(app, pilot)
        await pilot.press("j")
        cursor = app.screen.timeline.events[view(app).current_position].id
        await pilot.press("q")
    again = explorer(story)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert str(again.screen.filters) == "tag:siege"
        assert again.screen.timeline.events[view(again).current_position].id == cursor
    fresh = explorer(story, argv=("--fresh",))
    async with fresh.run_test(size=SIZE) as pilot:
        await settle(fresh, pilot)
        assert str(fresh.screen.filters) == "" and view(fresh).cursor == 0


async def test_just_looking_writes_nothing_beside_the_data(story):
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
    assert sorted(p.name for p in story.parent.iterdir()) == ["story.json"]
    assert story.read_bytes() == DATA.read_bytes()


async def test_the_palette_lists_views_and_note_filters(story):
    sidecar_for([str(story)]).write_bytes(encode(Layer({SIEGE: Annotation(True, labels=("followup",))},
                                                       {"my stars": View("is:starred", SIEGE)})))
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for typed, expected, query in (("open view", "Open view: my stars", "is:starred"),
                                       ("label: foll", "Filter by label: followup", "label:followup"),
                                       ("not starred", "Filter: events not starred", "-is:starred")):
            app.screen.filters = parse_query("")
            await settle(app, pilot)
            await pilot.press("ctrl+p")
            await pilot.press(*typed)
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            await palette.workers.wait_for_complete()
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert prompts and prompts[0].splitlines()[0] == expected, prompts
            await pilot.press("enter")
            await settle(app, pilot)
            assert str(app.screen.filters) == query


# --- citations ------------------------------------------------------------------------------------

async def test_y_copies_a_citation_and_Y_changes_its_style(story):
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, SIEGE)
        t = app.screen.timeline
        await pilot.press("y")
        assert app.clipboard == cite_event(t, t.position[SIEGE], "plain")
        assert app.clipboard.startswith("6 Sep 2024 20:00–20:30 -04:00: Security forces besiege")
        assert any("Copied citation of" in n.message for n in app._notifications)
        assert str(app.screen.query_one("#hint", Static).render()).startswith("copied: citation of “Security forces")
        assert not isinstance(app.screen, CopiedScreen)          # a terminal that takes OSC 52
        await pilot.press("Y")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")                      # Markdown
        assert app.clipboard == cite_event(t, t.position[SIEGE], "markdown")
        await pilot.press("4")                                  # in the quotes pane: the quote
        await pilot.press("y")
        quote = t.quotes_at(t.position[SIEGE])[0]
        assert app.clipboard == cite_quote(t, quote, "markdown")


async def test_where_the_clipboard_may_not_take_it_the_citation_is_shown(story, monkeypatch):
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("y")
        assert isinstance(app.screen, CopiedScreen)
        assert app.screen.query_one("#copied-text", TextArea).text == app.clipboard
        await pilot.press("escape")
        assert not isinstance(app.screen, CopiedScreen)


async def test_a_citation_carries_no_control_character_from_the_data(hostile_path):
    app = explorer(hostile_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for keys, sic in ((("y",), "[sic]"), (("Y", "down", "enter"), "\\[sic\\]"),   # Markdown escapes it
                          (("Y", "down", "down", "enter"), "[sic]")):
            await pilot.press(*keys)
            copied = app.clipboard
            assert sic in copied
            assert not any(ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) < 0xa0 or c in "\u202e\u200b"
                           for c in copied), repr(copied)
            assert HOSTILE_BITS["sgr"] not in copied


# --- opening sources ---------------------------------------------------------------------------------

@pytest.fixture
def links(tmp_path) -> Path:
    """A timeline whose event cites an http, an https, a javascript: and a file: URL."""
    doc = hostile_document()
    doc["sources"] = [
        {"id": "web", "kind": "article", "title": "Web", "url": "https://example.org/story"},
        {"id": "plain", "kind": "article", "title": "Plain", "url": "http://example.org/old"},
        {"id": "js", "kind": "article", "title": "Script", "url": "javascript:alert(1)"},
        {"id": "file", "kind": "article", "title": "Local", "url": "file:///etc/passwd"},
        {"id": "one", "kind": "article", "title": "Only", "url": "javascript:alert(2)"},
    ]
    for event in doc["events"]:
        event["sources"] = ["one"]
    doc["events"][0]["sources"] = ["web", "plain", "js", "file"]
    doc["quotes"] = []
    path = tmp_path / "links.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


async def test_o_opens_only_http_links_with_a_picker_for_several(links):
    app = explorer(links)
    opened: list[str] = []
    app.open_url = lambda url, new_tab=True: opened.append(url)  # the browser is the system's, not ours
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "ev-1")
        await pilot.press("o")
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        options = picker.query_one(OptionList)
        enabled = [options.get_option_at_index(i).id for i in range(options.option_count)
                   if not options.get_option_at_index(i).disabled]
        assert enabled == ["https://example.org/story", "http://example.org/old"]
        assert "not http(s): not opened" in str(options.get_option_at_index(2).prompt)
        await pilot.press("down", "enter")
        assert opened == ["http://example.org/old"]
        await go_to(app, pilot, "ev-2")                         # one link, and not http(s)
        await pilot.press("o")
        assert opened == ["http://example.org/old"]
        assert any("Not opened" in n.message and "javascript:alert(2)" in n.message for n in app._notifications)


# --- help ----------------------------------------------------------------------------------------------

async def test_help_lists_every_new_key(story):
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "Your notes, views and citations" in shown
        for key in ("s", "n", "l", "v", "y", "Y", "o"):
            assert f" {key} " in f" {shown} "
        assert "is:starred" in shown


async def test_a_shared_notes_file_with_hostile_text_is_shown_literally(story):
    """A notes file can come from someone else: its text is shown like the data's, with
    markup literal and controls visible, in the event pane, the label picker and the note editor."""
    hostile = " ".join(HOSTILE_BITS.values())
    sidecar_for([str(story)]).write_bytes(encode(Layer({SIEGE: Annotation(True, f"note {hostile}", (f"lab [/ {hostile}",))})))
    app = explorer(story)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, SIEGE)
        shown = detail(app)
        assert "[sic]" in shown and "[bold]x[/bold]" in shown and "␛[31m" in shown
        assert "\x1b" not in shown and "\u202e" not in shown
        await pilot.press("l")
        label = str(app.screen.selection_list.get_option_at_index(0).prompt)
        assert "[/" in label and "\x1b" not in label
        await pilot.press("escape", "n")
        text = app.screen.query_one("#note-text", TextArea).text
        assert "[sic]" in text and "\x1b" not in text
