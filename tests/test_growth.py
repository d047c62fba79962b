"""A JSON Lines file that only grew: only its new lines are read (``store/growth.py``), and the
timeline that gives must be the one a full read of the grown file gives, index for index.

The file is the bundled dataset (the real story) written out as JSON Lines. Each test runs
twice: as a small file (records in memory) and as a big one (``STRICT_LIMIT`` lowered, so
records are read back from disk by their spans and the indexes are spliced, the path of a
million-event file).
"""

from __future__ import annotations

import json

import pytest

from tui.cli import main
from tui.model.density import Density
from tui.model.first_report import FirstReports
from tui.model.names import distinct_labels
from tui.model.problems import LoadError
from tui.model.query import from_options, run
from tui.store import growth, load, loader

SOURCE = "lnginnorthernbc-2026-01-11"  # a source of the bundled dataset
ACTOR = "argentina-government"


def line(**record) -> str:
    return json.dumps(record) + "\n"


def event(n: int, date: str, **more) -> str:
    fields = {"type": "event", "id": f"new-{n}", "date": date, "title": f"Appended event number {n}",
              "actors": [ACTOR], "sources": [SOURCE]}
    fields.update(more)
    return line(**fields)


@pytest.fixture(params=[False, True], ids=["in-memory", "read-back-from-disk"])
def big(request, monkeypatch):
    if request.param:  # the path of files over 64 MB, on a small file
        monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    return request.param


@pytest.fixture
def story(tmp_path, capsys):
    path = tmp_path / "story.jsonl"
    assert main(["list", "--format", "jsonl", "-o", str(path)]) == 0
    capsys.readouterr()
    return path


def opened(path):
    timeline = load([str(path)], cache=False)
    return timeline, growth.tail_of([str(path)], path.stat().st_size)


def append(path, text: str) -> None:
    with path.open("a") as f:
        f.write(text)


def same(grown, path, before=None) -> None:
    """The grown timeline is what a full read of the file gives: order, records, every index,
    the id -> position map, warnings, query answers and the density strip; given the
    timeline it grew from, the first reports (as-of, is:disputed) grown from that one's."""
    full = load([str(path)], cache=False)
    if before is not None:
        reports, fresh = FirstReports(before).grown(grown.timeline, grown.positions), FirstReports(full)
        assert (list(reports.known_by), list(reports.flags), list(reports.disputing), list(reports.undated_only)) == \
            (list(fresh.known_by), list(fresh.flags), list(fresh.disputing), list(fresh.undated_only))
        assert list(reports.lower) == list(fresh.lower)
        labels = distinct_labels(before.actors.values()).grown(grown.timeline.actors, len(before.actors))
        assert labels == distinct_labels(full.actors.values())  # the explorer's actor labels, carried on
    a, b = grown.timeline, full
    n = len(b)
    assert len(a) == n
    assert [e.id for e in a.events_at(range(n))] == [e.id for e in b.events_at(range(n))]
    assert a.events_at(range(n)) == b.events_at(range(n))
    assert [a.dates[p] for p in range(n)] == [b.dates[p] for p in range(n)]
    for column in ("lower", "upper", "group_keys", "_long", "_qstart"):
        assert list(getattr(a, column)) == list(getattr(b, column)), column
    for index in ("_by_actor", "_by_tag", "_by_confidence"):
        mine, theirs = getattr(a, index), getattr(b, index)
        assert {k: list(v) for k, v in mine.items() if v} == {k: list(v) for k, v in theirs.items() if v}, index
    assert list(a._by_tag) == list(b._by_tag)  # most used first, as the tag picker lists them
    assert a.actors == b.actors and a.sources == b.sources
    assert [q.id for q in a.quotes_of(range(n))] == [q.id for q in b.quotes_of(range(n))]
    assert dict(a.position.items()) == b.position and list(a.position) == list(b.position)
    assert [str(w) for w in a.warnings] == [str(w) for w in b.warnings]
    assert a.actor_event_counts() == b.actor_event_counts() and a.tag_counts() == b.tag_counts()
    ra, rb = a.source_refs, b.source_refs  # the cited sources, stances and notes (as-of, is:disputed, the report)
    assert (ra.starts, ra.sources, ra.stances, ra.notes, ra.event_notes, ra.ids) == \
        (rb.starts, rb.sources, rb.stances, rb.notes, rb.event_notes, rb.ids)
    for query in (from_options(actors=[ACTOR]), from_options(tags=["asylum"]), from_options(date_from="2024-03"),
                  from_options(date_from="2010", date_to="2024-03-10"), from_options(search="appended"),
                  from_options(search="embassy"), *([from_options(actors=["newcomer"])] if "newcomer" in b.actors else [])):
        assert list(run(a, query).positions) == list(run(b, query).positions), query
    assert sorted(grown.positions) == list(grown.positions)
    assert [a.events[p].id for p in grown.positions] == sorted(grown.added, key=b.position.__getitem__)


def grown_density(before, grown) -> None:
    """The density strip grown from the old one is the one counted afresh."""
    density = Density(before).grown(grown.timeline, grown.positions)
    fresh = Density(grown.timeline)
    assert (density.weekly, density.first, density.size) == (fresh.weekly, fresh.first, fresh.size)
    assert list(density.bucket) == list(fresh.bucket) and density.total == fresh.total


def test_events_dated_last_are_added_at_the_end(story, big):
    old, tail = opened(story)
    append(story, event(2, "2027-02-01") + event(1, "2027-01-01") + event(3, "2027-03-01")[:20])  # the last line half written
    first = growth.grow(old, tail)
    assert sorted(first.added) == ["new-1", "new-2"] and len(first.timeline) == 30
    assert list(first.positions) == [28, 29]
    grown_density(old, first)
    append(story, event(3, "2027-03-01")[20:])
    second = growth.grow(first.timeline, first.tail)
    assert second.added == ["new-3"]
    same(second, story, first.timeline)
    nothing = growth.grow(second.timeline, second.tail)
    assert nothing.timeline is second.timeline and nothing.added == []  # nothing more: the same timeline


def test_events_dated_in_the_middle_go_where_a_full_read_puts_them(story, big):
    old, tail = opened(story)
    dates = sorted({d.text for d in old.dates})
    some = dates[len(dates) // 2]  # a date other events have: the new one goes after them (a stable sort)
    append(story, event(1, some) + event(2, "1999") + event(3, some[:7]) + event(4, "2024-03-21/2024-09")
           + event(5, "2027-01-01", tags=["asylum"], confidence="disputed")
           + event(6, some, note="As CNN said.", sources=[SOURCE, {"source": SOURCE, "stance": "disputes",
                                                                   "note": "says it was later"}]))
    grown = growth.grow(old, tail)
    assert grown is not None and len(grown.timeline) == 34
    assert grown.positions[0] == 0  # 1999: before every other event
    same(grown, story, old)
    grown_density(old, grown)


def test_growth_after_growth_keeps_every_index_right(story, big, monkeypatch):
    monkeypatch.setattr(growth.Renumbered, "_DEPTH", 2)  # the id -> position map is made a dict again on the way
    timeline, tail = opened(story)
    for n, date in enumerate(["2024-01", "2027-01-01", "2000-05-05", "2024-03-21", "2024-03-21T10:00Z", "2030"]):
        append(story, event(n, date, tags=[f"round-{n}"]))
        grown = growth.grow(timeline, tail)
        same(grown, story, timeline)
        timeline, tail = grown.timeline, grown.tail
    assert isinstance(timeline.position, (dict, growth.Renumbered, growth.Appended))


def test_new_actors_and_sources_come_in_with_the_events_that_name_them(story, big):
    old, tail = opened(story)
    append(story, line(type="actor", id="newcomer", name="A Newcomer", kind="person")
           + line(type="source", id="new-wire", title="A wire story", kind="article", via=SOURCE)
           + event(1, "2024-03-22", actors=["newcomer", {"actor": ACTOR, "role": "host"}],
                   sources=[{"source": "new-wire", "stance": "supports"}])
           + event(2, "2024-02-02", sources=[]))  # cites no source: a warning, with its line
    grown = growth.grow(old, tail)
    assert grown is not None and "newcomer" in grown.timeline.actors and "new-wire" in grown.timeline.sources
    assert list(run(grown.timeline, from_options(actors=["newcomer"])).positions) == [grown.timeline.position["new-1"]]
    assert [w.message for w in grown.timeline.warnings[len(old.warnings):]] == ["event 'new-2' cites no source"]
    same(grown, story, old)
    namesake = next(iter(grown.timeline.actors.values()))  # a name already taken: labels told apart again
    append(story, line(type="actor", id="namesake", name=namesake.name.upper(), kind=namesake.kind)
           + event(3, "2024-03-23", actors=["namesake"]))
    again = growth.grow(grown.timeline, grown.tail)
    same(again, story, grown.timeline)
    assert distinct_labels(again.timeline.actors.values())["namesake"] == f"{namesake.name.upper()} (namesake)"


def snapshot(timeline):
    """What a grown timeline shares with the one it grew from (rather than copies): the
    id -> actor, source and position maps and the cited sources' columns, as plain values."""
    refs = timeline.source_refs
    return (dict(timeline.actors.items()), dict(timeline.sources.items()), dict(timeline.position.items()),
            list(timeline.position), list(timeline.actors.values()), len(timeline.sources),
            (list(refs.starts), list(refs.sources), refs.stances, dict(refs.notes), dict(refs.event_notes),
             list(refs.ids)))


def test_what_a_growth_shares_with_the_old_timeline_leaves_the_old_one_as_it_was(story, big, tmp_path):
    """The grown timeline shares the old one's maps and adds to them (``growth.Appended``,
    the source numbering of ``source_refs.spliced``): the old one still answers as before,
    a growth of a growth stays two lookups deep, and growing the same old timeline again by
    other lines (a reload redone) gives what a full read gives, not what the first gave."""
    old, tail = opened(story)
    before = snapshot(old)
    original = story.read_bytes()
    first_lines = (line(type="source", id="wire-a", title="Wire A", kind="article")
                   + line(type="actor", id="newcomer-a", name="Newcomer A", kind="person")
                   + event(1, "2027-01-01", actors=["newcomer-a"], sources=["wire-a", SOURCE])
                   + event(2, "2027-01-02", sources=[{"source": "wire-a", "stance": "disputes", "note": "no"}]))
    append(story, first_lines)
    first = growth.grow(old, tail)
    same(first, story, old)
    assert snapshot(old) == before
    append(story, event(3, "2027-02-01", sources=["wire-a"]))
    second = growth.grow(first.timeline, first.tail)
    same(second, story, first.timeline)
    if big:
        for mapping in (second.timeline.actors, second.timeline.sources, second.timeline.position):
            assert isinstance(mapping, growth.Appended) and not isinstance(mapping._base, growth.Appended)
        assert second.timeline.actors._base is old.actors
    story.write_bytes(original)  # the same old file grown by other lines: source ids in another order
    append(story, line(type="source", id="wire-b", title="Wire B", kind="article")
           + line(type="source", id="wire-a", title="Wire A again", kind="article")
           + event(4, "2027-01-01", sources=["wire-a", "wire-b"], note="a note"))
    again = growth.grow(old, tail)
    same(again, story, old)
    assert snapshot(old) == before and "wire-b" not in old.sources and "new-4" not in old.position


def test_a_line_that_does_not_decode_is_refused_with_its_line_number(story, monkeypatch):
    """A big file's broken line is named here, in the loader's words, without reading the
    million lines before it (a small file is read again whole: quick, in the strict reader's words)."""
    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    old, tail = opened(story)
    lines = len(story.read_bytes().splitlines())
    append(story, event(1, "2027-01-01") + '{"type": "event", "id": "new-2", "date": "2027-01-02", "title": \n')
    with pytest.raises(LoadError) as refused:
        growth.grow(old, tail)
    with pytest.raises(LoadError) as full:
        load([str(story)], cache=False)
    (problem,) = refused.value.problems
    assert problem.line == lines + 2 and str(problem) in str(full.value)  # the loader's own words for it
    assert f"story.jsonl:{lines + 2}: error: is not valid JSON" in str(problem)
    assert len(old) == 28 and "new-1" not in old.position  # the old timeline is untouched


def test_a_small_file_with_a_broken_line_is_read_again_whole(story):
    old, tail = opened(story)
    append(story, event(1, "2027-01-01") + '{"type": "event", "id": "new-2"\n')
    assert growth.grow(old, tail) is None


def test_what_growth_cannot_take_sends_the_reload_to_the_whole_file(story, big):
    old, tail = opened(story)
    original = story.read_bytes()
    for appended in (
            event(1, "2027-01-01", id="brazil-ends-custody"),  # an id used again
            event(1, "2027-01-01", actors=["nobody"]),  # an actor that is not there
            event(1, "2027-13-01"),  # not a date
            line(type="source", id="loop-a", title="a", kind="article", via="loop-b")
            + line(type="source", id="loop-b", title="b", kind="article", via="loop-a"),
            line(type="quote", id="q-new", text="x", speaker="javier-milei", source=SOURCE)):
        story.write_bytes(original + appended.encode())
        assert growth.grow(old, tail) is None, appended
    story.write_bytes(original[:-10] + b"edited!!!\n" + event(1, "2027-01-01").encode())  # not just grown
    assert growth.grow(old, tail) is None
    assert growth.tail_of([str(story)], len(original) - 5) is None  # not at a line's end


def test_quotes_tied_to_no_event_stay_where_they_are(story, big):
    append(story, line(type="quote", id="untied", text="said somewhere", speaker=ACTOR, source=SOURCE))
    old, tail = opened(story)
    append(story, event(1, "2027-01-01") + event(2, "2001"))
    grown = growth.grow(old, tail)
    same(grown, story)
    new = grown.timeline
    assert [q.id for q in new.quotes[new._qstart[len(new)]:]] == ["untied"]


def test_the_search_text_of_events_added_at_the_end_is_the_old_one_and_theirs(story, monkeypatch):
    """The old search text is reused (not built again) and gives the answers a search text
    built from the whole file gives."""
    from tui.store import text
    from tui.store.grown_text import GrownText

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    old, tail = opened(story)
    old.haystack()
    append(story, event(1, "2027-01-01", title="Embassy siege appended late", summary="Ünïcode àccents"))
    grown = growth.grow(old, tail)
    new = grown.timeline
    assert isinstance(new.text_source, GrownText)
    built = []
    monkeypatch.setattr(text.FileText, "build_text", lambda self, t: built.append(t))
    blob, offsets = new.haystack()
    assert built == []  # the old text was not built again
    full = load([str(story)], cache=False)
    monkeypatch.undo()
    full_blob, full_offsets = full.haystack()
    assert bytes(blob[:offsets[-1]]) == bytes(full_blob[:full_offsets[-1]]) and list(offsets) == list(full_offsets)
    for word in ("embassy", "unicode accents", "siege", "appended late", "zzz-nowhere"):
        assert list(new.text_positions(word)) == list(full.text_positions(word)), word


TEXT_QUERIES = (from_options(search="embassy"), from_options(search="appended late"),  # a word, a phrase
                from_options(search="siege", actors=[ACTOR], date_from="2024-09"),  # with an actor and dates
                from_options(search="unicode accents"), from_options(search="number"),
                from_options(search="zzz-nowhere"))


def text_answers(timeline) -> list[list[int]]:
    """Every text query's answer over ``timeline`` (its search text built first)."""
    timeline.haystack()
    return [list(run(timeline, query).positions) for query in TEXT_QUERIES]


def test_the_search_text_of_events_added_at_the_end_is_appended_to_the_old_one_s_file(story, monkeypatch):
    """Growth after growth at the end appends the new events' text to the scratch file the
    first text was written to (no copy of the old text), and every text search, alone or
    with an actor and dates, answers as a full read and a fresh search text do; the old
    versions, still mapping the shorter text, answer as before."""
    from tui.store import text
    from tui.store.grown_text import GrownText

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    current, tail = opened(story)
    current.haystack()
    scratch = current.text_source.scratch
    assert scratch is not None and scratch.end == current.haystack()[1][-1]
    versions = [(current, text_answers(current))]
    copies = []
    real_mapped = text._mapped
    monkeypatch.setattr("tui.store.grown_text._mapped", lambda chunks: copies.append(1) or real_mapped(chunks))
    for n, more in enumerate(([event(1, "2027-01-01", title="Embassy siege appended late", summary="Ünïcode àccents")],
                              [event(2, "2027-02-01", title="Siege: appended late again", date_text="early Feb")],
                              [event(3, "2027-03-01"), event(4, "2027-03-02", title="Embassy")]), 1):
        append(story, "".join(more))
        grown = growth.grow(current, tail)
        new = grown.timeline
        assert isinstance(new.text_source, GrownText)
        answers = text_answers(new)
        assert new.text_source.scratch is scratch and copies == []  # appended, not copied
        full = load([str(story)], cache=False)
        assert answers == text_answers(full)
        blob, offsets = new.haystack()
        full_blob, full_offsets = full.haystack()
        assert bytes(blob[:offsets[-1]]) == bytes(full_blob[:full_offsets[-1]]) and list(offsets) == list(full_offsets)
        assert list(new.text_positions("appended event number")) == list(full.text_positions("appended event number"))
        for version, before in versions:  # the older versions read the text they always had
            assert [list(run(version, query).positions) for query in TEXT_QUERIES] == before
        versions.append((new, answers))
        current, tail = new, grown.tail


def test_two_versions_grown_from_one_text_keep_their_own(story, monkeypatch):
    """A second version grown from the same old one (after the first appended its text) has
    the old text copied, with its own new events after it: the first one's text stays as it
    was, and both answer as a full read of their file does."""
    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    old, tail = opened(story)
    old.haystack()
    append(story, event(1, "2027-01-01", title="Embassy siege appended late"))
    first = growth.grow(old, tail).timeline
    first_answers = text_answers(first)
    assert first_answers == text_answers(load([str(story)], cache=False))
    append(story, event(2, "2026-12-01", title="Unicode accents appended late"))  # before the first new one
    grown = growth.grow(old, tail)  # from the same old version: both new lines
    second = grown.timeline
    second_answers = text_answers(second)
    assert second.text_source.scratch is not old.text_source.scratch  # copied: the first one's text is in use
    assert second_answers == text_answers(load([str(story)], cache=False))
    assert [list(run(first, query).positions) for query in TEXT_QUERIES] == first_answers
    append(story, event(3, "2027-03-01", title="Embassy once more"))  # that copy is appended to in turn
    third = growth.grow(second, grown.tail).timeline
    assert text_answers(third) == text_answers(load([str(story)], cache=False))
    assert third.text_source.scratch is second.text_source.scratch


def test_the_search_text_of_events_put_in_among_the_old_ones_is_the_old_one_spliced(story, monkeypatch):
    """Events dated among the old ones (before the first, in the middle, two at one place,
    and one at the end) move positions: the old text is copied with theirs put in where
    they go, not built again from the file, and it is byte for byte, offset for offset, the
    text a full read builds; searches alone or with an actor and dates answer as there. A
    growth at the end after that appends to the copy."""
    from tui.store import text
    from tui.store.grown_text import GrownText

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    old, tail = opened(story)
    old.haystack()
    dates = sorted({d.text for d in old.dates})
    middle = dates[len(dates) // 2]
    append(story, event(1, middle, title="Embassy siege appended late") + event(2, "2027-01-01", title="Embassy")
           + event(3, "1999-01-01", title="Ünïcode àccents, appended late") + event(4, middle, title="Siege number")
           + event(5, "2024-09-06", summary="embassy"))
    grown = growth.grow(old, tail)
    new = grown.timeline
    assert isinstance(new.text_source, GrownText) and grown.positions[0] == 0 and grown.positions[-1] == len(new) - 1
    built = []
    monkeypatch.setattr(text.FileText, "build_text", lambda self, t: built.append(t))
    blob, offsets = new.haystack()
    assert built == []  # spliced, not built again from the file
    monkeypatch.undo()
    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    full = load([str(story)], cache=False)
    full_blob, full_offsets = full.haystack()
    assert bytes(blob[:offsets[-1]]) == bytes(full_blob[:full_offsets[-1]]) and list(offsets) == list(full_offsets)
    assert text_answers(new) == text_answers(full)
    same(grown, story, old)
    append(story, event(6, "2027-02-01", title="Siege appended late"))
    later = growth.grow(new, grown.tail).timeline
    assert text_answers(later) == text_answers(load([str(story)], cache=False))
    assert later.text_source.scratch is new.text_source.scratch


def test_the_explorer_s_widths_and_headings_of_a_grown_timeline_are_those_found_afresh(story, big):
    """What the reload worker hands the new screen (``measure_grown``, ``layout_grown``): the
    old timeline's row widths and unfiltered headings, extended for the new events."""
    from tui.widgets import timeline_row, timeline_view

    old, tail = opened(story)
    whole = timeline_view.compute_layout(old, range(len(old)))
    columns = timeline_row.measure(old)
    append(story, event(1, "2027-01-01", actors=["argentina-government", ACTOR]) + event(2, "2027-01-02")
           + event(3, "2028-05-05T10:00:00+05:30"))
    grown = growth.grow(old, tail)
    new = grown.timeline
    timeline_row.measure_grown(old, new, grown.positions)
    timeline_view.layout_grown(old, new, grown.positions)
    assert timeline_view.compute_layout(new, range(len(new))) is not whole
    assert timeline_view.compute_layout(new, range(len(new))) == timeline_view.compute_layout(new, list(range(len(new))))
    measured, fresh = timeline_row.measure(new), timeline_row._widest(new, range(len(new)))
    assert (measured.date, measured.actors) == (fresh.date, fresh.actors) == (columns.date, columns.actors)
    assert measured.markers == timeline_row.present_markers(new)  # the marker columns found afresh
    timeline_row._MEASURED[old] = timeline_row.Columns(1, 1)  # as if the old events were all narrow
    newer = growth.grow(old, tail).timeline
    timeline_row.measure_grown(old, newer, grown.positions)
    measured, fresh = timeline_row.measure(newer), timeline_row._widest(newer, grown.positions)
    assert (measured.date, measured.actors) == (fresh.date, fresh.actors) != (1, 1)


def _reopened(story, monkeypatch):
    """The story as the explorer holds it after a reopen: read once as a big file, its search
    text built and its cache written, then loaded again from that cache."""
    from tui.store import cache

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    first = load([str(story)])
    first.haystack()
    assert cache.save(first) is not None
    return load([str(story)])


def test_a_timeline_reopened_from_the_cache_grows_as_one_read_grows(story, monkeypatch):
    """What the explorer holds after a reopen (indexes restored from the on-disk cache, the
    search text mapped from it) grows like a first read; and the grown timeline's cache,
    written again, serves the grown file, never the old one's."""
    from tui.store import cache
    from tui.store.grown_text import GrownText

    old = _reopened(story, monkeypatch)
    assert old.from_cache and old.cached_text
    tail = growth.tail_of([str(story)], story.stat().st_size)
    old.haystack()
    append(story, event(1, "2027-01-01", title="Embassy news after the reopen") + event(2, "2001-02-03"))
    grown = growth.grow(old, tail)
    same(grown, story, old)
    assert load([str(story)]).from_cache is False  # the old cache does not serve the grown file
    append(story, event(3, "2027-02-01"))
    later = growth.grow(grown.timeline, grown.tail)
    same(later, story, grown.timeline)
    later.timeline.haystack()
    assert cache.save(later.timeline) is not None
    reopened = load([str(story)])
    assert reopened.from_cache and len(reopened) == 31
    assert list(reopened.text_positions("embassy news")) == list(later.timeline.text_positions("embassy news"))
    reopened.haystack()  # the search text mapped from the cache: the next growth copies it
    tail = growth.tail_of([str(story)], story.stat().st_size)
    append(story, event(4, "2027-03-01", title="Embassy news once more"))
    end = growth.grow(reopened, tail)
    assert isinstance(end.timeline.text_source, GrownText)
    same(end, story, reopened)
    full = load([str(story)], cache=False)
    assert list(end.timeline.text_positions("embassy news")) == list(full.text_positions("embassy news"))


def test_a_text_reopened_from_the_cache_grows_after_the_cache_s_pages_never_copied(story, monkeypatch):
    """A search text mapped from the on-disk cache, grown at its end once and twice: the
    cache's pages of text are mapped as they are and the new events' text after them in a
    scratch file (the old text is never copied, the cache file never written); byte for byte
    and offset for offset the text a full read builds, and a word, a phrase and a word with
    an actor and dates answer as over a fresh full load; the older versions answer as
    before. A second version grown from the same reopened one has its own file after the
    same pages. The cache then written for the grown version reopens as a full read."""
    import mmap

    from tui.store import cache, text

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    first = load([str(story)])
    first.haystack()
    target = cache.save(first)
    written = target.read_bytes()
    old = load([str(story)])
    assert old.from_cache and old.cached_text
    tail = growth.tail_of([str(story)], story.stat().st_size)
    length = old.haystack()[1][-1]
    assert length > mmap.PAGESIZE and length % mmap.PAGESIZE  # whole pages, and a part-page copied
    versions = [(old, text_answers(old))]
    copies = []
    real_mapped = text._mapped
    monkeypatch.setattr("tui.store.grown_text._mapped", lambda chunks: copies.append(1) or real_mapped(chunks))
    current, scratch, old_tail = old, None, tail
    for n, more in enumerate(([event(1, "2027-01-01", title="Embassy siege appended late", summary="Ünïcode àccents")],
                              [event(2, "2027-02-01", title="Siege: appended late again"),
                               event(3, "2027-02-02", title="Embassy number")]), 1):
        append(story, "".join(more))
        grown = growth.grow(current, tail)
        new = grown.timeline
        answers = text_answers(new)
        assert copies == []  # the cache's text mapped, not copied
        assert scratch is None or new.text_source.scratch is scratch  # the second growth appends to the first's file
        scratch = new.text_source.scratch
        full = load([str(story)], cache=False)
        assert answers == text_answers(full)
        blob, offsets = new.haystack()
        full_blob, full_offsets = full.haystack()
        assert len(blob) == offsets[-1]
        assert bytes(blob) == bytes(full_blob[:full_offsets[-1]]) and list(offsets) == list(full_offsets)
        assert list(new.text_positions("appended event number")) == list(full.text_positions("appended event number"))
        same(grown, story, current)
        for version, before in versions:  # the older versions read the text they always had
            assert [list(run(version, query).positions) for query in TEXT_QUERIES] == before
        versions.append((new, answers))
        current, tail = new, grown.tail
    assert target.read_bytes() == written  # the cache file was never written
    other = growth.grow(old, old_tail)
    assert text_answers(other.timeline) == versions[-1][1] and copies == []  # all three new lines, after the same pages
    assert other.timeline.text_source.scratch is not scratch
    assert cache.save(current) == target
    reopened = load([str(story)])
    assert reopened.from_cache and reopened.cached_text and len(reopened) == len(full)
    blob, offsets = reopened.haystack()
    assert not reopened.notices  # its text matched its checksum
    assert bytes(blob) == bytes(full_blob[:full_offsets[-1]]) and list(offsets) == list(full_offsets)
    assert text_answers(reopened) == text_answers(full)
    for version, before in versions:  # the cache file replaced: the versions mapping the old one still answer
        assert [list(run(version, query).positions) for query in TEXT_QUERIES] == before


def test_a_cached_text_is_copied_where_two_files_cannot_be_mapped_as_one(story, monkeypatch):
    """Without ``mmap(2)`` to place mappings (not Linux), the first growth of a text mapped
    from the cache copies it, as before, and answers as a full read."""
    from tui.store import joined

    old = _reopened(story, monkeypatch)
    tail = growth.tail_of([str(story)], story.stat().st_size)
    old.haystack()
    monkeypatch.setattr(joined, "_MMAP", None)
    append(story, event(1, "2027-01-01", title="Embassy siege appended late"))
    new = growth.grow(old, tail).timeline
    assert text_answers(new) == text_answers(load([str(story)], cache=False))
    assert new.text_source.scratch is not None and new.text_source.scratch._lead is None  # a copy, appended to next


def test_a_reopened_timeline_s_ids_and_dates_grow_as_the_cache_s_columns_and_a_tail(story, monkeypatch):
    """A timeline reopened from the cache, grown at its end once and twice: its event ids and
    date texts are the cache's packed columns, not decoded into lists, with the new ones
    after them (``Extended``, one level deep), and the timeline is what a full read gives;
    the older versions keep theirs. A growth among the old events then makes plain lists,
    and the cache written for a grown version reopens as a full read."""
    from tui.store import cache
    from tui.store.deferred import DeferredSequence
    from tui.store.extended import Extended

    old = _reopened(story, monkeypatch)
    assert old.from_cache and isinstance(old.events.ids, DeferredSequence)
    old_ids, old_texts = list(old.events.ids), list(old.dates.texts)
    tail = growth.tail_of([str(story)], story.stat().st_size)
    versions = [(old, old_ids, old_texts, text_answers(old))]
    current = old
    for n, more in enumerate(([event(1, "2027-01-01", title="Embassy news after the reopen")],
                              [event(2, "2027-02-01"), event(3, "2027-02-01", title="Embassy again")]), 1):
        append(story, "".join(more))
        grown = growth.grow(current, tail)
        new = grown.timeline
        for column, cached in ((new.events.ids, old.events.ids), (new.dates.texts, old.dates.texts)):
            assert isinstance(column, Extended) and column.base is cached  # the cache's own column, shared
        assert isinstance(new.position, growth.Appended) and new.position._base is old.position  # its lookup too
        full = load([str(story)], cache=False)
        assert list(new.events.ids) == [e.id for e in full.events] and new.events.ids == full.events.ids
        assert list(new.dates.texts) == [d.text for d in full.dates]
        assert new.events.ids[len(old) - 1:] == [e.id for e in full.events][len(old) - 1:]
        assert list(reversed(new.events.ids)) == [e.id for e in full.events][::-1]
        assert new.events.ids[-1] == full.events[-1].id and new.events[len(new) - 1] == full.events[-1]
        same(grown, story, current)
        assert text_answers(new) == text_answers(full)
        for version, ids, texts, answers in versions:  # the older versions keep what they had
            assert list(version.events.ids) == ids and list(version.dates.texts) == texts
            assert text_answers(version) == answers
        versions.append((new, list(new.events.ids), list(new.dates.texts), text_answers(new)))
        current, tail = new, grown.tail
    append(story, event(4, "2001-02-03"))  # among the old events: the columns spliced into lists
    among = growth.grow(current, tail)
    assert type(among.timeline.events.ids) is list and type(among.timeline.dates.texts) is list
    same(among, story, current)
    among.timeline.haystack()
    assert cache.save(among.timeline) is not None
    reopened = load([str(story)])
    full = load([str(story)], cache=False)
    assert reopened.from_cache and list(reopened.events.ids) == [e.id for e in full.events]
    assert list(reopened.dates.texts) == [d.text for d in full.dates]


def test_a_grown_version_s_cache_holds_its_extended_columns(story, monkeypatch):
    """The cache written for a version grown at its end from a reopened one (its ids and
    dates a packed column and a tail) reopens as a full read of the grown file."""
    from tui.store import cache
    from tui.store.extended import Extended

    old = _reopened(story, monkeypatch)
    tail = growth.tail_of([str(story)], story.stat().st_size)
    append(story, event(1, "2027-01-01", title="Ünïcode àccents") + event(2, "2027-01-02"))
    new = growth.grow(old, tail).timeline
    assert isinstance(new.events.ids, Extended)
    new.haystack()
    assert cache.save(new) is not None
    reopened = load([str(story)])
    full = load([str(story)], cache=False)
    assert reopened.from_cache and len(reopened) == len(full)
    assert list(reopened.events.ids) == [e.id for e in full.events]
    assert list(reopened.dates.texts) == [d.text for d in full.dates]
    assert dict(reopened.position.items()) == full.position
    assert text_answers(reopened) == text_answers(full)


def test_a_version_grown_at_its_end_answers_words_from_the_old_index_and_its_new_text(story, monkeypatch):
    """A timeline reopened with its word index, grown at its end once and twice: the old
    index answers for the old events (their text is unchanged) and the new events' own text
    is looked through, with no scan of the whole text; every text query answers as over a
    fresh full read, the older versions as before. Events put in among the old ones move
    the positions: that version has no index (it scans)."""
    from tui.store import cache, words

    monkeypatch.setattr(loader, "STRICT_LIMIT", 1000)
    first = load([str(story)])
    first.haystack()
    target = cache.save(first)
    assert target is not None and words.build(target) is not None
    old = load([str(story)])
    assert old.words is not None and getattr(old.words, "cover", None) is None
    n = len(old)
    tail = growth.tail_of([str(story)], story.stat().st_size)
    versions = [(old, text_answers(old))]
    current = old
    for more in ([event(1, "2027-01-01", title="Embassy siege appended late", summary="Ünïcode àccents")],
                 [event(2, "2027-02-01", title="Siege: appended late again"), event(3, "2027-02-02", title="Embassy")]):
        append(story, "".join(more))
        grown = growth.grow(current, tail)
        new = grown.timeline
        assert isinstance(new.words, growth.WordsBefore) and new.words.cover == n
        new.haystack()
        scans = []
        real = new._scanner.positions
        monkeypatch.setattr(new._scanner, "positions", lambda raw: scans.append(raw) or real(raw), raising=False)
        full = load([str(story)], cache=False)
        for word in ("embassy", "siege", "appended", "unicode", "accents", "number"):
            assert list(new.text_positions(word)) == list(full.text_positions(word)), word
        assert scans == []  # the index and the new events' text answered
        assert text_answers(new) == text_answers(full)
        same(grown, story, current)
        for version, answers in versions:
            assert text_answers(version) == answers
        versions.append((new, text_answers(new)))
        current, tail = new, grown.tail
    append(story, event(4, "2001-02-03", title="Embassy long ago"))
    among = growth.grow(current, tail).timeline
    assert among.words is None
    assert text_answers(among) == text_answers(load([str(story)], cache=False))
