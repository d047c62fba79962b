"""The footer lists the keys that work where the focus is (issue 17 D16): while the query
bar is open, its Enter and Esc, worded for search or query, and not the screen's "/"."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from conftest import settle


async def footer(app, pilot) -> list[str]:
    await pilot.pause()
    return [key.description for key in app.screen.query(FooterKey)]


async def test_the_footer_shows_the_query_bars_keys_while_it_is_open(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "Search" in await footer(app, pilot)
        await pilot.press("slash")
        keys = await footer(app, pilot)
        assert keys[:2] == ["Keep search", "Undo search"] and "Search" not in keys
        await pilot.press(*"siege", "escape")
        assert "Search" in await footer(app, pilot) and not app.screen.query_bar.is_open
        await pilot.press("colon")
        keys = await footer(app, pilot)
        assert keys[:2] == ["Apply query", "Cancel"]
        await pilot.press(*"tag:siege", "enter")
        await settle(app, pilot)
        assert str(app.screen.filters) == "tag:siege" and "Search" in await footer(app, pilot)
