"""A terminal below the explorer's minimum size (issue 18, section 5): a "terminal too
small" screen instead of panes laid out at no width (which crashed Textual's wrapping), every
key still safe, and everything back as it was once the terminal is big enough."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from conftest import settle
from tui.app import TimelineApp
from tui.screens.main import MainScreen
from tui.screens.too_small import MIN_SIZE, TooSmallScreen
from tui.store.loader import bundled_path

KEYS = ["question_mark", "slash", "x", "escape", "a", "t", "d", "colon", "ctrl+g", "ctrl+p", "enter",
        "tab", "2", "3", "4", "j", "backspace"]


def shown(app) -> str:
    return str(app.screen.query_one("#too-small", Static).render())


@pytest.mark.parametrize("size", [(3, 2), (1, 1), (MIN_SIZE[0] - 1, 40), (120, MIN_SIZE[1] - 1)])
async def test_below_the_minimum_every_key_is_safe(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert f"({size[0]}×{size[1]})" in shown(app) and f"needs {MIN_SIZE[0]}×{MIN_SIZE[1]}" in shown(app)
        for key in KEYS:
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, TooSmallScreen), key  # no dialog or palette opened under it
        await pilot.resize_terminal(100, 30)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


@pytest.mark.parametrize("key", ["question_mark", "ctrl+p", "a", "d", "ctrl+g"])
async def test_shrinking_with_a_dialog_open_and_growing_back(make_app, key):
    """The screens under a dialog still get laid out (Textual draws what a dialog lets show
    through), under the too-small screen too: at their minimum width, never at none."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        dialog = app.screen
        assert not isinstance(dialog, MainScreen)
        await pilot.resize_terminal(3, 2)
        await settle(app, pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert "(3×2)" in shown(app)
        await pilot.resize_terminal(30, 8)
        await settle(app, pilot)
        assert "(30×8)" in shown(app)  # the size it says follows the terminal
        await pilot.resize_terminal(*MIN_SIZE)
        await settle(app, pilot)
        assert app.screen is dialog  # as it was


async def test_q_quits_from_the_too_small_screen(make_app):
    app = make_app()
    async with app.run_test(size=(3, 2)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_file_loaded_while_too_small_shows_once_there_is_room():
    """The loading screen is under the too-small one when the timeline arrives."""
    app = TimelineApp([str(bundled_path())])
    async with app.run_test(size=(3, 2)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert isinstance(app.screen_stack[-2], MainScreen)
        await pilot.resize_terminal(100, 30)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(app.screen_stack) == 2  # Textual's default screen, then ours: nothing left over
