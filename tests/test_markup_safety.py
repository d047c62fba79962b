"""Text from the data is shown literally and can never act on the terminal.

The hostile dataset (see conftest) puts markup (``[sic]``, ``[/``, ``[bold]``, ``[link=…]``,
``[@click=app.quit]``), escape sequences (SGR, OSC 52 clipboard writes), a bidi override, a
zero-width space, a C1 CSI, CJK and emoji into every text field. The explorer is driven
through every event and every pane and dialog, and after each step what it rendered is read
back: the brackets must be there verbatim, and no control character may reach a Strip.
"""

from __future__ import annotations

import re

import pytest
from textual.command import CommandPalette
from textual.geometry import Region
from textual.widgets import OptionList, Static

from conftest import settle
from tui.screens.dialogs import PickerScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.widgets.status_bar import Chip
from tui.widgets.timeline_view import TimelineView

# Everything model.text.visible() must have replaced: C0 (newlines included: a Strip is one
# row), DEL, C1, zero-width and bidi controls, line/paragraph separators, BOM.
FORBIDDEN = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x200B, 0x2010),
                              *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029, 0xFEFF)}
_FORBIDDEN = re.compile("[" + "".join(sorted(re.escape(ch) for ch in FORBIDDEN)) + "]")
LITERAL = ["[sic]", "[/", "[bold]x[/bold]", "[link=https://x]y[/link]", "[@click=app.quit]z[/]"]


def strips_of(widget) -> list[str]:
    """Every rendered line of a widget, as the text that would reach the terminal."""
    if isinstance(widget, (TimelineView, OptionList)):
        return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]
    width, height = widget.size
    if not width or not height:
        return []
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


def assert_clean(lines: list[str], where: str) -> None:
    for y, line in enumerate(lines):
        bad = sorted({f"U+{ord(ch):04X}" for ch in _FORBIDDEN.findall(line)})
        assert not bad, f"{where} line {y} renders {bad}: {line!r}"


def assert_screen_clean(app, where: str) -> None:
    """The whole screen, as exported (every widget the compositor drew)."""
    svg = app.export_screenshot()
    bad = sorted({f"U+{ord(ch):04X}" for ch in _FORBIDDEN.findall(svg) if ch != "\n"})
    assert not bad, f"{where}: the screen contains {bad}"


def assert_no_actions(content, where: str) -> None:
    """No span of a rendered Content carries a link or an @click action from the data."""
    for span in getattr(content, "spans", ()):
        style = str(span.style)
        assert "@click" not in style and "link" not in style, f"{where}: span style {style!r}"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_hostile_text_is_literal_and_inert(make_app, hostile_timeline, size):
    t = hostile_timeline
    app = make_app(data=t)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(app, pilot)
        screen = app.screen
        tv = screen.query_one(TimelineView)
        body = screen.query_one("#detail-body", Static)
        assert "[sic]" in str(screen.query_one("#title", Static).render())

        # every event: the timeline rows and every pane
        for index in range(len(t)):
            if index:
                await pilot.press("j")
            await pilot.pause()
            assert tv.cursor == index
            where = f"{size} event {t.events[tv.current_position].id}"
            assert_clean(strips_of(tv), f"{where} timeline")
            detail = str(body.render())
            assert_no_actions(body.render(), where)
            assert_clean(strips_of(body), f"{where} detail")
            narrow = screen.has_class("-narrow")
            for pane in ("detail", "actors", "quotes") if narrow else ("all",):
                if narrow:  # one side pane at a time: show each
                    await pilot.press({"detail": "2", "actors": "3", "quotes": "4"}[pane])
                    await pilot.pause()
                for widget in (screen.query_one("#actor-list"), screen.query_one("#actor-info"),
                               screen.query_one("#quotes"), body):
                    assert_clean(strips_of(widget), f"{where} {pane}: {widget.id}")
            assert_screen_clean(app, where)
            if narrow:
                await pilot.press("1")
            if index == 0:
                for literal in LITERAL:
                    assert literal in detail, f"{literal!r} not shown literally in the detail"
                assert "Summary [sic] [/ with\nnewline" in detail  # multi-line text keeps its lines
                assert "␛[31mred␛[0m" in detail and "␛]52;c;aGk=␇" in detail
                assert "<U+202E>evil" in detail and "zero<U+200B>width" in detail
                assert "包围阿根廷大使馆 🇦🇷🔌⚡" in detail
                rows = " ".join(strips_of(tv))
                assert "Title [sic] and [/" in rows  # (the row cuts the title after it)
                info = str(screen.query_one("#actor-info", Static).render())
                assert "Ana [sic] [sic] [/ [bold]x[/bold]" in info
                assert "Described as [bold]x[/bold] [/" in info
                [quote] = [str(o.prompt) for o in screen.query_one("#quotes", OptionList).options]
                assert quote.startswith("“Quote [sic] [/ [sic]")
                assert "original: Orig [bold]x[/bold]" in quote
                # Enter on the quote: its speaker (a hostile name) in the actor pane
                await pilot.press("4", "enter")
                await pilot.pause()
                assert screen.query_one("#actor-list", OptionList).highlighted_option.id == "sic-person"
                assert_screen_clean(app, f"{where} speaker")
                await pilot.press("1")

        # dialogs that list data: the pickers (with counts)
        for key in ("a", "t"):
            await pilot.press(key)
            assert isinstance(app.screen, PickerScreen)
            picker = app.screen.query_one("#picker-list")
            labels = [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)]
            if key == "a":
                assert any(label.startswith("Ana [sic] [sic] [/") for label in labels)
                assert any(label.startswith("李 [@click=app.quit]z[/] 🇦🇷") for label in labels)
            assert_clean(strips_of(picker), f"{size} picker {key}")
            assert_screen_clean(app, f"{size} picker {key}")
            await pilot.press("escape")
        if size == (120, 40):  # the rest is the same at any size: once is enough
            await pilot.press("ctrl+p")
            app.screen.query_one("CommandInput").value = "actor"
            await settle(app, pilot)
            assert isinstance(app.screen, CommandPalette)
            assert_screen_clean(app, f"{size} palette")
            await pilot.press("escape")

            # a search for brackets, and a query naming two actors (a notification with their names)
            await pilot.press("slash")
            app.screen.query_one("#query-input").value = "[sic]"
            await pilot.press("enter")
            await settle(app, pilot)
            assert str(app.screen.filters) == "[sic]"
            assert "“[sic]” ×" in [str(c.render()) for c in app.screen.query(Chip) if c.display]
            assert len(tv.positions) == 2
            await pilot.press("x", "f")
            app.screen.query_one("#query-input").value = "actor:[sic]"
            await pilot.press("enter")
            await settle(app, pilot)
            assert [str(c.render()) for c in app.screen.query(Chip) if c.display] == ["actor: [sic] ×"]
            toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
            assert any("matches 2 actors" in t and "Ana [sic] [sic] [/" in t for t in toasts), toasts
            assert_screen_clean(app, f"{size} chips and notification")

        # help (no data, but it opens over hostile panes)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert_screen_clean(app, f"{size} help")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert app.is_running  # [@click=app.quit] never became an action
    assert app.return_code != 1
    assert app.return_code in (None, 0)


async def test_hostile_file_through_the_loading_path(hostile_path):
    """Loaded from disk by the app's own worker (file name shown on the loading screen)."""
    from tui.app import TimelineApp

    named = hostile_path.with_name("[sic] [bold]x.json")
    hostile_path.rename(named)
    app = TimelineApp([str(named)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "[sic]" in str(app.screen.query_one("#detail-body", Static).render())
        assert_screen_clean(app, "loaded from disk")
    assert app.return_code in (None, 0) and app.load_error is None


def test_loading_screen_shows_a_hostile_file_name_literally(tmp_path):
    """The name goes through Content, not markup (checked without running the loader)."""
    from tui.screens.loading import LoadingScreen

    screen = LoadingScreen([str(tmp_path / "[sic] \x1b[2J[bold]x.json")])
    screen.query_one = lambda *a, **k: captured  # type: ignore[method-assign]

    class Captured:
        content = None

        def update(self, content):
            self.content = content

    captured = Captured()
    screen._tick()
    shown = str(captured.content)
    assert "[sic] ␛[2J[bold]x.json" in shown
    assert "\x1b" not in shown
