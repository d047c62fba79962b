"""Search matches are marked in the event and quote panes too, not only in the row
(issue 17 D15): "/power" on an event whose title lacks it marks "power" in its tags."""

from __future__ import annotations

from textual.content import Content

from conftest import settle
from tui.model.query import parse_query
from tui.widgets.search_marks import MATCH_STYLE, marked

ARGENTINA_CONFIRMS = "argentina-confirms-asylees-power-cut"


def marked_words(content: Content) -> list[str]:
    return [content.plain[s.start:s.end] for s in content.spans if s.style == MATCH_STYLE]


def test_marked_marks_every_match_folded_as_the_search_folds():
    content = marked(Content("Power cut; the POWER is back, power-cut over"), ("power",))
    assert marked_words(content) == ["Power", "POWER", "power"]
    assert marked(Content("no search"), ()) == Content("no search")


async def test_the_event_and_quote_panes_mark_what_the_search_found(make_app):
    app = make_app(parse_query('"power"'))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        tv = app.screen.timeline_view
        assert tv.go_to_position(app.timeline.position[ARGENTINA_CONFIRMS])
        await settle(app, pilot)
        detail = app.screen.query_one("#detail-body").render()
        assert marked_words(detail) and all(w.casefold() == "power" for w in marked_words(detail))
        assert "Tags: asylum, power-cut" in detail.plain
        app.screen.filters = parse_query('"embassy since"')
        await settle(app, pilot)
        t = app.timeline
        assert tv.go_to_position(next(p for p in range(len(t)) if any("embassy since" in q.text for q in t.quotes_at(p))))
        await settle(app, pilot)
        quotes = app.screen.query_one("#quotes")
        prompts = [quotes.get_option_at_index(i).prompt for i in range(quotes.option_count)]
        assert [marked_words(p) for p in prompts if "embassy since" in p.plain] == [["embassy since"]], \
            [p.plain for p in prompts]
