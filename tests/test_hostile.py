"""Hostile and broken input (issue 5): nothing crashes, nothing reaches the terminal, nothing is lost.

Property-based tests (hypothesis, strategies in tests/strategies.py) feed

* arbitrary JSON (duplicate keys, NaN, huge numbers, lone surrogates, wrong types everywhere),
  arbitrary JSON Lines and arbitrary or damaged bytes to the loader, on its strict and its fast
  path: it returns a Timeline or raises LoadError, whose every line is short, names the file
  and holds no control character;
* valid timelines with hostile text in every field through load -> query -> every renderer:
  ``table``/``markdown``/``csv`` hold no control character (a newline between lines only) and
  show each text literally, ``json``/``jsonl`` load again to exactly the same records;
* arbitrary query strings, filter flags and typed dates: only QueryError / DateError, a bad
  term located inside the string, and answers that do not depend on today's date;
* the explorer's panes, dialogs, query bar and command palette: nothing crashes, no control
  character is drawn, markup in data stays literal, and bad input keeps the filters.

Then deterministic tests: each kind of broken file (both loader paths, JSON and JSON Lines),
``--output`` atomicity, and the real explorer in a pseudo-terminal, whose output bytes must not
carry any escape sequence from the data.

Run the long version with ``HYPOTHESIS_PROFILE=thorough`` (see tests/strategies.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import select
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path
from unittest import mock

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tui.store.loader as loader_module
from strategies import (PROFILE, broken_bytes, documents, edtf_dates, examples, hostile_text,
                        json_texts, jsonl_texts, query_strings, typed_dates, ui_examples)
from tui.cli import CommandError, main, write_atomically
from tui.model import DateError, LoadError, Query, QueryError, Timeline, parse_edtf, parse_query, parse_user_date, run
from tui.store import load
from tui.model.query import check_dates, from_options, make_term
from tui.model.text import clip, one_line, visible
from tui.interchange import convert
from tui.output import CSV_COLUMNS, FORMATS, md, render

settings.load_profile(PROFILE)

# What must never reach a terminal from the data: C0 controls (a newline only between lines of
# output), DEL, C1 controls, bidi embeddings/overrides/isolates and marks, zero-width
# characters, line/paragraph separators, BOM, interlinear annotations and lone surrogates.
UNSAFE = {chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x200B, 0x2010),
                           *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0x2028, 0x2029, 0xFEFF,
                           0x061C, *range(0xFFF9, 0xFFFC), *range(0xD800, 0xE000))}


def unsafe_in(text: str, allow: str = "") -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if c in UNSAFE and c not in allow})


def assert_clean(text: str, where: str, allow: str = "") -> None:
    bad = unsafe_in(text, allow)
    assert not bad, f"{where}: {bad} in {text[:300]!r}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@contextlib.contextmanager
def fast_path():
    """Files of any size take the fast (msgspec) path, as files over 64 MB do."""
    with mock.patch.object(loader_module, "STRICT_LIMIT", 0):
        yield


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def check_load(path: Path) -> Timeline | LoadError:
    """Load ``path``: a Timeline, or a LoadError whose report is short, placed and inert."""
    try:
        return load([str(path)])
    except LoadError as exc:
        assert exc.errors, "a LoadError must hold at least one error"
        for problem in exc.problems:
            line = str(problem)
            assert line.startswith(str(path)), line
            assert len(line) < 1500, f"a problem line of {len(line)} characters"
            assert_clean(line, "problem")
        if exc.unreadable:
            assert len(exc.problems) == 1
        return exc


def check_both_paths(path: Path) -> None:
    strict = check_load(path)
    with fast_path():
        fast = check_load(path)
    if isinstance(strict, Timeline):
        # what the strict path accepts, the fast one accepts too (it is only less thorough)
        assert isinstance(fast, Timeline), str(fast)
        assert [e.id for e in fast.events] == [e.id for e in strict.events]
    code, out, err = cli("validate", str(path))
    expected = 0 if isinstance(strict, Timeline) else (2 if strict.unreadable else 1)
    assert code == expected, (code, out, err)
    assert_clean(out + err, "validate output", allow="\n")
    assert "Traceback" not in out + err


# --- (a) the loader: any JSON, any JSON Lines, any bytes ----------------------------------------

@settings(max_examples=examples(150))
@given(text=json_texts(), suffix=st.sampled_from([".json", ".jsonl", ".txt"]))
def test_any_json_loads_or_is_refused_clearly(scratch, text, suffix):
    check_both_paths(write(scratch, "any" + suffix, text))


@settings(max_examples=examples(100))
@given(text=jsonl_texts())
def test_any_json_lines_load_or_are_refused_clearly(scratch, text):
    check_both_paths(write(scratch, "any.jsonl", text))


@settings(max_examples=examples(150))
@given(data=broken_bytes(), suffix=st.sampled_from([".json", ".jsonl"]))
def test_any_bytes_load_or_are_refused_clearly(scratch, data, suffix):
    check_both_paths(write(scratch, "bytes" + suffix, data))


# --- (b) any text in every field: load -> query -> every renderer ----------------------------------

def _queries(doc: dict) -> st.SearchStrategy[Query]:
    """Queries built from the document's own (hostile) values, as the explorer builds them."""
    tags = [t for e in doc["events"] for t in e.get("tags", [])]
    words = [w for e in doc["events"] for w in (e["title"].split() or [e["title"]]) if w.strip()]
    names = [a["name"] for a in doc["actors"]]
    ids = [a["id"] for a in doc["actors"]]
    term = st.one_of(
        st.sampled_from(ids).map(lambda v: make_term("actor", (v,))),
        st.sampled_from(names).map(lambda v: ("actor", v)),
        *( [st.sampled_from(tags).map(lambda v: make_term("tag", (v,)))] if tags else []),
        *( [st.sampled_from(words).map(lambda v: ("text", v))] if words else []),
        st.sampled_from(["2024", "0001-01-01", "9999-12-31", "Sep 2024"]).map(lambda v: make_term("from", (v,))),
        st.sampled_from(["2025", "Mar 9999", "0001"]).map(lambda v: make_term("to", (v,))),
        st.sampled_from(["confirmed", "disputed"]).map(lambda v: make_term("confidence", (v,))),
    )

    def build(items) -> Query:
        q = Query()
        for item in items:
            if isinstance(item, tuple):
                try:
                    item = make_term(*item[:1], (item[1],))
                except QueryError:
                    continue
            q = q.add(item)
        return q

    return st.lists(term, max_size=3).map(build)


def _records(items) -> list:
    out = []
    for r in items:
        d = msgspec.to_builtins(r)
        d.pop("type", None)
        out.append(d)
    return out


@settings(max_examples=examples(60))
@given(doc=documents(), data=st.data())
def test_any_text_survives_every_renderer(scratch, doc, data):
    path = write(scratch, "doc.json", json.dumps(doc, ensure_ascii=data.draw(st.booleans())))
    timeline = load([str(path)])  # a valid document always loads, whatever its text
    query = data.draw(_queries(doc))
    try:
        positions = run(timeline, query).positions
    except QueryError as exc:  # an actor name matching nobody, a reversed range: said, not raised
        assert str(exc)
        positions = range(len(timeline))
    positions = list(positions)
    assert positions == sorted(set(positions)) and all(0 <= p < len(timeline) for p in positions)
    shown = [timeline.events[p] for p in positions]
    width = data.draw(st.sampled_from([None, 40, 100, 200]))
    for fmt in FORMATS:
        out = "".join(c if isinstance(c, str) else c.decode("utf-8")  # json, jsonl: UTF-8 bytes
                      for c in render(timeline, positions, fmt, query=str(query), width=width))
        if fmt in ("table", "markdown", "csv"):
            assert_clean(out, fmt, allow="\n")
        if fmt == "table":
            assert f"{len(positions)} of {len(timeline)} events" in out
        elif fmt == "markdown":
            for e in shown:
                assert md(one_line(e.title)) in out, e.title
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(out)))
            assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == len(shown) + 1
            for row, e in zip(rows[1:], shown):
                for column, value in (("id", e.id), ("title", e.title), ("summary", e.summary or ""),
                                      ("note", e.note or ""), ("date_text", e.date_text or "")):
                    cell, expected = row[CSV_COLUMNS.index(column)], visible(value, multiline=True)
                    assert cell == expected or (cell == "'" + expected and expected[0] in "=+-@"), (column, cell)
                assert all(not c or c[0] not in "=+-@\t\r" for c in row), row
        elif fmt in ("timelinejs", "timesketch", "ics"):  # other programs' formats: tests/test_interchange_*.py
            assert_clean(out, fmt, allow="\n\r")
            if fmt != "ics" and shown:
                back = convert(str(write(scratch, "again." + ("json" if fmt == "timelinejs" else "jsonl"), out)), fmt)
                assert len(back.document["events"]) == len(shown)
        else:
            # exact data: the same records when read back, and still nothing a terminal acts on
            assert_clean(out, fmt, allow="\n")
            again = load([str(write(scratch, "again." + fmt, out))])
            assert _records(again.events) == _records(shown)
            expected_quotes = [q for e in shown for q in timeline.quotes_for(e.id)]
            assert sorted(map(json.dumps, _records(again.quotes))) == sorted(map(json.dumps, _records(expected_quotes)))
            for a in again.actors.values():
                assert _records([a]) == _records([timeline.actors[a.id]])
            for s in again.sources.values():
                assert _records([s]) == _records([timeline.sources[s.id]])
            assert again.title.startswith(timeline.title)
            assert again.description == timeline.description


# --- (c) queries and flags ---------------------------------------------------------------------------

@settings(max_examples=examples(300))
@given(text=query_strings())
def test_any_query_string_parses_or_points_at_the_bad_term(timeline, text):
    try:
        query = parse_query(text)
    except QueryError as exc:
        assert str(exc)
        assert 0 <= exc.start <= exc.end <= len(text), (exc.start, exc.end, len(text))
        return
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"parse_query({text!r}) raised {type(exc).__name__}: {exc}")
    try:
        result = run(timeline, query)
    except QueryError as exc:
        assert str(exc)
        return
    positions = list(result.positions)
    assert positions == sorted(set(positions)) and all(0 <= p < len(timeline) for p in positions)
    # a query can always be shown and typed back: same terms, same events
    again = parse_query(str(query))
    if not any('"' in v for t in query.terms for v in t.values):
        assert again == query, (str(query), again)
    assert list(run(timeline, again).positions) == positions


@settings(max_examples=examples(40))
@given(actor=st.lists(hostile_text(max_pieces=2), max_size=2), date_from=st.none() | typed_dates(),
       date_to=st.none() | typed_dates(), tag=st.lists(hostile_text(max_pieces=2), max_size=2),
       search=st.none() | hostile_text(), query=st.none() | query_strings(),
       fmt=st.sampled_from(["table", "csv", "markdown", "json"]))
def test_any_filter_flags_give_output_or_one_clear_error(scratch, actor, date_from, date_to, tag, search, query, fmt):
    path = scratch / "flags.json"
    if not path.exists():
        path.write_text(json.dumps(_FLAGS_DOC), encoding="utf-8")
    argv = ["list", str(path), "--format", fmt]
    for a in actor:
        argv += ["--actor", a]
    for t in tag:
        argv += ["--tag", t]
    for flag, value in (("--from", date_from), ("--to", date_to), ("--search", search), ("--query", query)):
        if value is not None:
            argv += [flag, value]
    code, out, err = cli(*argv)
    assert code in (0, 2), (code, err)
    assert_clean(err, "stderr", allow="\n")
    if code == 2:
        assert err.startswith("timeline"), err
        assert out == ""
    try:
        from_options(actors=actor, date_from=date_from, date_to=date_to, tags=tag, search=search, query=query)
    except QueryError:  # a filter that cannot be parsed must have been refused
        assert code == 2
        return


_FLAGS_DOC = {
    "format": "timeline/1", "title": "flags",
    "actors": [{"id": "ana", "name": "Ana [b]Núñez[/b]", "kind": "person"}],
    "sources": [{"id": "s", "kind": "article", "title": "t"}],
    "events": [{"id": "e1", "date": "2024-09-06", "title": "power cut \x1b[2J", "actors": ["ana"],
                "tags": ["siege"], "sources": ["s"]},
               {"id": "e2", "date": "0001/9999", "title": "always", "sources": ["s"]}],
}


# --- (d) typed dates ----------------------------------------------------------------------------------

@contextlib.contextmanager
def pretend_today(year: int):
    """dateutil reads two-digit years, and fills missing fields, from the current date: make it
    believe it is ``year``."""
    import datetime as real
    from dateutil.parser import _parser

    class Frozen(real.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(year, 7, 15, 12, 0, 0, tzinfo=tz)

        @classmethod
        def today(cls):
            return cls(year, 7, 15, 12, 0, 0)

    shim = type(sys)("datetime")
    shim.__dict__.update(vars(real))
    shim.datetime = Frozen
    info = _parser.DEFAULTPARSER.info
    saved = info._year, info._century
    info._year, info._century = year, year // 100 * 100
    try:
        with mock.patch.object(_parser, "datetime", shim):
            yield
    finally:
        info._year, info._century = saved


def _outcome(text: str):
    try:
        p = parse_user_date(text)
        return (p.year, p.month, p.day, p.hour, p.minute, p.second, p.lower, p.upper)
    except DateError as exc:
        return str(exc)


@settings(max_examples=examples(300))
@given(text=typed_dates())
def test_any_typed_date_is_a_date_or_a_clear_error_whatever_the_day(text):
    try:
        with warnings.catch_warnings():  # nothing on stderr either (dateutil warns about zone names)
            warnings.simplefilter("error")
            point = parse_user_date(text)
    except DateError as exc:
        assert str(exc)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"parse_user_date({text!r}) raised {type(exc).__name__}: {exc}")
    else:
        assert 1 <= point.year <= 9999 and point.lower <= point.upper
    now = _outcome(text)
    for year in (1999, 2024, 2077):
        with pretend_today(year):
            assert _outcome(text) == now, f"{text!r} reads differently when today is in {year}"


@settings(max_examples=examples(300))
@given(text=st.one_of(typed_dates(), edtf_dates(), st.text(max_size=30)))
def test_any_stored_date_parses_or_says_why(text):
    try:
        edate = parse_edtf(text)
    except DateError as exc:
        assert str(exc)
    else:
        assert edate.lower <= edate.upper
        assert_clean(edate.display(), "date display")


@pytest.mark.parametrize("text", ["31 June 2024", "31 June", "29 Feb 2023", "10000", "-5", "0000",
                                  "1 Jan 10000", "2024-02-30", "2024-13", "not a date", "", "today",
                                  "6/9/2024", "6 Sep 24", "Jan 0001"])
def test_impossible_dates_are_refused_with_a_reason(text, capsys):
    with pytest.raises(DateError) as info:
        parse_user_date(text)
    assert len(str(info.value)) > len(text)
    code, out, err = cli("list", "--from", text) if text else (2, "", "timeline: empty")
    assert code == 2 and err.startswith("timeline")


@pytest.mark.parametrize("text, year", [("0001", 1), ("9999", 9999), ("0001-01-01", 1), ("9999-12-31T23:59:59", 9999),
                                        ("29 Feb 2024", 2024), ("1 Jan 2024", 2024)])
def test_far_past_and_far_future_years_work(text, year, timeline):
    assert parse_user_date(text).year == year
    run(timeline, parse_query(f'from:"{text}"'))
    run(timeline, parse_query(f'to:"{text}"'))


def test_a_reversed_range_is_an_error_everywhere(timeline):
    with pytest.raises(QueryError, match="reversed"):
        run(timeline, parse_query("from:2025 to:2024"))
    code, _, err = cli("list", "--from", "9999", "--to", "0001")
    assert code == 2 and "reversed" in err


# --- (e) the explorer ------------------------------------------------------------------------------------

def _screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _check_screen(app, where: str) -> None:
    for y, line in enumerate(_screen_lines(app)):
        assert_clean(line, f"{where}, screen line {y}")
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            assert not (segment.style and segment.style.link), f"{where}: a link {segment.style.link!r}"


async def _submit(app, pilot, fields: dict[str, str], valid: bool, what: str) -> None:
    """Type into the open dialog's fields and press Enter: a valid entry closes it, a bad one
    keeps it open with a clean error on screen, and Escape then leaves without applying."""
    from textual.widgets import Input

    dialog, main = app.screen, app.screen_stack[-2]
    for selector, value in fields.items():
        dialog.query_one(selector, Input).value = value
    dialog.query_one(next(iter(fields)), Input).focus()
    await pilot.press("enter")
    await _settle(app, pilot)
    if valid:
        assert app.screen is main
        return
    assert app.screen is dialog, "a bad date must keep the dialog open"
    _check_screen(app, what)
    await pilot.press("escape")
    await _settle(app, pilot)


async def _settle(app, pilot) -> None:
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


def _load_doc(scratch: Path, doc: dict) -> Timeline:
    return load([str(write(scratch, "ui.json", json.dumps(doc)))])


@settings(max_examples=ui_examples(6))
@given(doc=documents(max_events=4), size=st.sampled_from([(100, 30), (80, 24), (150, 40)]))
def test_explorer_panes_draw_any_text_literally(scratch, doc, size):
    from tui.app import TimelineApp

    timeline = _load_doc(scratch, doc)

    async def drive() -> None:
        app = TimelineApp(timeline=timeline)
        async with app.run_test(size=size) as pilot:
            await _settle(app, pilot)
            screen = app.screen
            _check_screen(app, "start")
            detail, actors, quotes = screen.pane("detail"), screen.pane("actors"), screen.pane("quotes")
            for pos, event in enumerate(timeline.events):  # literal, never parsed as markup
                text = detail.describe(pos).plain
                assert visible(clip(event.title)) in text
                if event.summary:
                    assert visible(clip(event.summary), multiline=True) in text
                for q in timeline.quotes_for(event.id):
                    assert visible(clip(q.text), multiline=True) in quotes.render_quote(q).plain
            for actor in timeline.actors.values():
                assert visible(clip(actor.name)) in actors.profile(actor.id).plain
            for key in ("j", "3", "4", "G"):
                await pilot.press(key)
                await _settle(app, pilot)
                _check_screen(app, f"after {key}")
            assert app.is_running

    asyncio.run(drive())


@settings(max_examples=ui_examples(4))
@given(doc=documents(max_events=3), data=st.data())
def test_explorer_dialogs_chips_and_palette_draw_any_text_literally(scratch, doc, data):
    from tui.app import TimelineApp
    from tui.commands import TimelineCommands

    timeline = _load_doc(scratch, doc)
    tags = list(timeline.tag_counts())
    query = Query((make_term("tag", (data.draw(st.sampled_from(tags)),)),)) if tags else Query()

    async def drive() -> None:
        app = TimelineApp(timeline=timeline, query=query)
        async with app.run_test(size=(110, 32)) as pilot:
            await _settle(app, pilot)
            _check_screen(app, "with a hostile chip")
            await pilot.press("colon")  # the query bar opens on the filters: tags from the data
            await _settle(app, pilot)
            assert app.screen.query_bar.input.value == str(query)
            _check_screen(app, "query bar")
            await pilot.press("escape")
            for key in ("a", "t"):
                await pilot.press(key)
                await _settle(app, pilot)
                _check_screen(app, f"picker {key}")
                await pilot.press("escape")
                await _settle(app, pilot)
            provider = TimelineCommands(app.screen)
            hits = [h async for h in provider.search("filter by")] + [h async for h in provider.search("go to event")]
            hits += [h async for h in provider.discover()]
            for hit in hits:  # the prompt is the text itself, never markup read from it
                assert hit.prompt.plain == hit.text
                assert_clean(hit.text, "palette")
            await pilot.press("ctrl+p")
            await _settle(app, pilot)
            await pilot.press(*"filter")
            await _settle(app, pilot)
            _check_screen(app, "palette")
            await pilot.press("escape")
            await _settle(app, pilot)
            assert app.is_running

    asyncio.run(drive())


def _expected_bar(timeline, text: str):
    try:
        q = parse_query(text)
        check_dates(q)
        from tui.model.query import resolve_actors
        for term in q.terms:
            if term.field == "actor":
                resolve_actors(timeline, term)
        return q
    except QueryError:
        return None


def _expected_range(values: tuple[str, str]):
    points = []
    for v in values:
        v = v.strip()
        try:
            points.append(parse_user_date(v) if v else None)
        except DateError:
            return None
    if points[0] and points[1] and points[0].lower > points[1].upper:
        return None
    return points


@settings(max_examples=ui_examples(5))
@given(typed=query_strings(), dates=st.tuples(typed_dates(), typed_dates()))
def test_bad_input_in_the_explorer_keeps_the_filters(timeline, typed, dates):

    from tui.app import TimelineApp
    from tui.screens.dialogs import DateRangeScreen

    start = parse_query("tag:siege")

    async def drive() -> None:
        app = TimelineApp(timeline=timeline, query=start)
        async with app.run_test(size=(100, 30)) as pilot:
            await _settle(app, pilot)
            screen = app.screen
            await pilot.press("colon")
            screen.query_bar.input.value = typed
            await pilot.press("enter")
            await _settle(app, pilot)
            expected = _expected_bar(timeline, typed)
            if expected is None:
                assert screen.query_bar.is_open and screen.filters == start
                _check_screen(app, "query bar error")
                await pilot.press("escape")
                await _settle(app, pilot)
                assert screen.filters == start
            else:
                assert not screen.query_bar.is_open and screen.filters == expected
            before = screen.filters
            await pilot.press("d")
            await _settle(app, pilot)
            dialog = app.screen
            assert isinstance(dialog, DateRangeScreen)
            valid = _expected_range(dates) is not None
            await _submit(app, pilot, {"#date-from": dates[0], "#date-to": dates[1]}, valid, "date error")
            assert screen.filters == before or valid
            cursor = screen.current
            await pilot.press("ctrl+g")
            await _settle(app, pilot)
            try:
                parse_user_date(dates[0])
                valid = True
            except DateError:
                valid = False
            await _submit(app, pilot, {"#goto-date": dates[0]}, valid, "go-to-date error")
            assert screen.current == cursor or valid
            assert app.is_running

    asyncio.run(drive())


def test_an_actor_listed_twice_in_an_event_shows_once(scratch):
    from tui.app import TimelineApp

    doc = {"format": "timeline/1", "title": "t", "actors": [{"id": "a", "name": "A", "kind": "person"}],
           "sources": [{"id": "s", "kind": "article", "title": "s"}],
           "events": [{"id": "e", "date": "2024", "title": "x", "sources": ["s"],
                       "actors": ["a", {"actor": "a", "role": "host"}]}]}
    timeline = _load_doc(scratch, doc)

    async def drive() -> None:
        app = TimelineApp(timeline=timeline)
        async with app.run_test(size=(100, 30)) as pilot:
            await _settle(app, pilot)
            options = app.screen.pane("actors").option_list
            assert options.option_count == 1 and "host" in options.get_option_at_index(0).prompt.plain
            await pilot.press("3", "enter")
            await _settle(app, pilot)
            assert app.is_running and str(app.screen.filters) == "actor:a"

    asyncio.run(drive())


def test_the_palette_matches_long_hostile_titles_quickly(scratch):
    """Textual's fuzzy matcher tries every combination of letter positions: on a 60-letter
    title "abab…" and the query "aaaaaaaab" it takes half a minute, per keystroke."""
    from tui.app import TimelineApp
    from tui.commands import TimelineCommands

    doc = {"format": "timeline/1", "title": "t", "sources": [{"id": "s", "kind": "article", "title": "s"}],
           "events": [{"id": f"e{i}", "date": "2024", "title": "ab" * (30 + i), "sources": ["s"]} for i in range(5)]}
    timeline = _load_doc(scratch, doc)

    async def drive() -> None:
        app = TimelineApp(timeline=timeline)
        async with app.run_test(size=(100, 30)) as pilot:
            await _settle(app, pilot)
            provider = TimelineCommands(app.screen)
            started = time.monotonic()
            hits = [h async for h in provider.search("aaaaaaaab")]
            assert time.monotonic() - started < 2
            assert len(hits) == 5 and all(h.prompt.plain == h.text for h in hits)
            assert [h async for h in provider.search("zzz")] == []

    asyncio.run(drive())


def test_a_notification_quoting_actor_names_is_inert(scratch):
    from tui.app import TimelineApp

    name = "Twin \x1b]52;c;U0VDUkVU\x07 [bold]x[/bold] \u202eRLO"
    doc = {"format": "timeline/1", "title": "t",
           "actors": [{"id": "a1", "name": name, "kind": "person"}, {"id": "a2", "name": name, "kind": "person"}],
           "sources": [{"id": "s", "kind": "article", "title": "s"}],
           "events": [{"id": "e", "date": "2024", "title": "x", "actors": ["a1", "a2"], "sources": ["s"]}]}
    timeline = _load_doc(scratch, doc)

    async def drive() -> None:
        app = TimelineApp(timeline=timeline, query=Query((make_term("actor", ("twin",)),)))
        async with app.run_test(size=(120, 30)) as pilot:
            await _settle(app, pilot)
            notes = list(app._notifications)
            assert notes and "matches 2 actors" in notes[0].message
            assert "[bold]x[/bold]" in notes[0].message and not notes[0].markup
            _check_screen(app, "notification")

    asyncio.run(drive())


# --- broken files, one by one, on both loader paths --------------------------------------------------

DEEP = b"[" * 100_000
BIG_STRING = "a" * 10_000_000
BIG_NUMBER = "9" * 100_000
HEADER = '{"format":"timeline/1","title":"t"}'

BROKEN = {
    # name: (bytes, {mode: (exit code(s), fragment(s))}) ; mode "any" applies to both
    "empty.json": (b"", {"any": (2, "is empty")}),
    "blank.json": (b" \n\t\r\n", {"any": (2, "is empty")}),
    "truncated.json": (b'{"format": "timeline/1", "title": "x", "events": [{"id": ', {"any": (2, "is not valid JSON")}),
    "latin1.json": ('{"format":"timeline/1","title":"caf\xe9"}'.encode("latin-1"), {"any": (2, "is not UTF-8")}),
    "nul.json": (b"\x00" * 64, {"any": (2, "is not valid JSON")}),
    "deep.json": (DEEP, {"strict": (2, "nested too deeply"), "fast": (1, "expected 'object'")}),
    "deep-closed.json": (DEEP + b"]" * 100_000, {"strict": (2, "nested too deeply"), "fast": (1, "expected 'object'")}),
    "deep-inside.json": (b'{"format":"timeline/1","title":"t","events":' + DEEP + b"]" * 100_000 + b"}",
                         {"strict": (2, "nested too deeply"), "fast": ((1, 2), ("events[0]", "nested too deeply"))}),
    "deep-no-suffix": (b'{"format":"timeline/1","title":' + DEEP + b"}\n{}\n",
                       {"strict": (2, "nested too deeply"), "fast": (1, "title: expected 'str'")}),
    "huge-number.json": (f'{{"format":"timeline/1","title":{BIG_NUMBER}}}'.encode(),
                         {"strict": (1, "title must be a non-empty string, not a number"), "fast": (1, "title")}),
    "huge-number-date.json": (f'{{"format":"timeline/1","title":"t","sources":[{{"id":"s","kind":"other","title":"s"}}],'
                              f'"events":[{{"id":"e","date":{BIG_NUMBER},"title":"x","sources":["s"]}}]}}'.encode(),
                              {"any": (1, "events[0].date")}),
    "huge-key.json": (('{"format":"timeline/1","title":"t","' + BIG_STRING + '":1}').encode(),
                      {"any": (1, "unknown field")}),
    "huge-format.json": (('{"format":"' + BIG_STRING + '","title":"t"}').encode(), {"any": (1, "format")}),
    "nan.json": (b'{"format":"timeline/1","title":NaN,"events":[Infinity]}',
                 {"strict": (1, "NaN (which is not valid JSON)"), "fast": (2, "is not valid JSON")}),
    "top-level.json": (b'"a timeline"', {"strict": (1, "top level must be a JSON object"), "fast": (1, "expected 'object'")}),
    "wrong-types.json": (b'{"format":1,"title":[],"description":{},"actors":{},"sources":"x",'
                         b'"events":[1,"a",null,{"id":1,"date":2,"title":3,"actors":"x","tags":[1],"sources":{}}],'
                         b'"quotes":[[]]}', {"strict": (1, "events[3].tags[0]: must be a string"), "fast": (1, "format")}),
    "surrogate.json": (b'{"format":"timeline/1","title":"\\ud800"}', {"strict": (1, "lone surrogate"), "fast": (2, "lone surrogate")}),
    "bad.jsonl": (f'{HEADER}\n{{"type":"event","id":"e","date":NaN,"title":"x"}}\n'.encode(),
                  {"strict": (1, "NaN"), "fast": (1, "not valid JSON")}),
    "deep.jsonl": (HEADER.encode() + b"\n" + DEEP + b"\n", {"strict": (2, "nested too deeply"), "fast": (1, ":2:")}),
    "truncated.jsonl": (f'{HEADER}\n{{"type":"event","id":'.encode(), {"strict": (2, "not valid JSON"), "fast": (1, "not valid JSON")}),
    "header.jsonl": (b'[1]\n{"type":"event"}\n', {"any": (2, "first line must be a header")}),
    "empty.jsonl": (b"\n\n\n", {"any": (2, "is empty")}),
    "tags.json": (b'{"format":"timeline/1","title":"t","sources":[{"id":"s","kind":"other","title":"s"}],'
                  b'"events":[{"id":"e","date":"2024","title":"x","sources":["s"],"tags":["", " pad", "ok"]}]}',
                  {"any": (1, "events[0].tags[0]: tag \"\" is empty")}),
}


@pytest.mark.parametrize("mode", ["strict", "fast"])
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_file_is_one_clear_message(tmp_path, name, mode):
    data, expect = BROKEN[name]
    codes, fragments = expect.get(mode, expect.get("any"))
    codes = codes if isinstance(codes, tuple) else (codes,)
    fragments = fragments if isinstance(fragments, tuple) else (fragments,)
    path = write(tmp_path, name, data)
    with fast_path() if mode == "fast" else contextlib.nullcontext():
        got, out, err = cli("validate", str(path))
        assert got in codes, (got, out[:500], err[:500])
        assert any(f in out for f in fragments), out[:1000]
        assert out.startswith(str(path))
        assert len(out) < 5000 and "Traceback" not in out + err
        assert_clean(out, name, allow="\n")
        code2, out2, err2 = cli("list", str(path))
        assert code2 == 2 and out2 == "" and err2.startswith(str(path)), err2[:300]


@pytest.mark.parametrize("mode", ["strict", "fast"])
def test_duplicate_keys_strict_refuses_fast_takes_the_last(tmp_path, mode):
    path = write(tmp_path, "dup.json", '{"format":"timeline/1","title":"first","title":"last"}')
    with fast_path() if mode == "fast" else contextlib.nullcontext():
        code, out, _ = cli("validate", str(path))
        if mode == "strict":
            assert code == 1 and "title: duplicate key 'title'" in out
        else:  # documented (docs/format.md): files over 64 MB are checked less thoroughly
            assert code == 0 and load([str(path)]).title == "last"


@pytest.mark.parametrize("mode", ["strict", "fast"])
@pytest.mark.parametrize("name, data", [
    ("bom.json", b"\xef\xbb\xbf" + json.dumps(_FLAGS_DOC).encode()),
    ("crlf.json", json.dumps(_FLAGS_DOC, indent=2).replace("\n", "\r\n").encode()),
    ("bom-crlf.jsonl", ("\ufeff" + "\r\n".join(
        [json.dumps({"format": "timeline/1", "title": "t"})]
        + [json.dumps({"type": k[:-1], **r}) for k in ("actors", "sources", "events") for r in _FLAGS_DOC[k]]) + "\r\n")
     .encode()),
])
def test_bom_and_crlf_files_simply_load(tmp_path, name, data, mode):
    with fast_path() if mode == "fast" else contextlib.nullcontext():
        timeline = load([str(write(tmp_path, name, data))])
    assert [e.id for e in timeline.events] == ["e2", "e1"]


def test_a_folder_and_a_device_are_refused(tmp_path):
    code, out, _ = cli("validate", str(tmp_path))
    assert code == 2 and "is a folder" in out
    if os.path.exists("/dev/zero"):  # read forever, were it read
        code, out, _ = cli("validate", "/dev/zero")
        assert code == 2 and "is a device" in out


def test_an_enormous_key_is_reported_in_bounded_memory(tmp_path):
    """A 10 MB key once cost 1.2 GB in the line finder's regular expression."""
    path = write(tmp_path, "key.json", '{"format":"timeline/1","title":"t","' + BIG_STRING + '":1}')
    tracemalloc.start()
    try:
        with pytest.raises(LoadError) as info:
            load([str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 150 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB for a 10 MB file"
    assert len(str(info.value)) < 1500 and "characters]" in str(info.value)


def test_an_enormous_string_loads_and_is_shown_cut(tmp_path):
    doc = dict(_FLAGS_DOC, events=[dict(_FLAGS_DOC["events"][0], title="\x1b" + BIG_STRING)])
    path = write(tmp_path, "big.json", json.dumps(doc))
    code, out, err = cli("list", str(path))  # the table: seconds, not minutes
    assert code == 0 and "more characters]" in out and len(out) < 100_000
    assert_clean(out, "table", allow="\n")
    code, out, _ = cli("list", str(path), "--format", "json")
    assert code == 0 and json.loads(out)["events"][0]["title"] == "\x1b" + BIG_STRING  # nothing lost


@pytest.mark.parametrize("kind", ["sparse", "brackets", "string"])
def test_a_200_mb_file_is_refused_quickly(tmp_path, kind):
    path = tmp_path / f"huge-{kind}.json"
    size = 200 * 1024 * 1024
    with open(path, "wb") as f:
        if kind == "sparse":
            f.truncate(size)  # 200 MB of NUL bytes, no disk used
        else:
            chunk = (b"[" if kind == "brackets" else b"a") * (1 << 20)
            f.write(b"" if kind == "brackets" else b'"')
            for _ in range(200):
                f.write(chunk)
    started = time.monotonic()
    try:
        code, out, _ = cli("validate", str(path))
    finally:
        path.unlink()
    assert code in (1, 2) and out.startswith(str(path)) and len(out) < 1000
    assert time.monotonic() - started < 10


# --- nothing lost: --output -------------------------------------------------------------------------

def _chunks_then(exc: BaseException):
    yield "half of "
    yield "the output"
    raise exc


@pytest.mark.parametrize("exc", [RuntimeError("renderer bug"), KeyboardInterrupt(), OSError(28, "No space left on device")])
@pytest.mark.parametrize("existing", [True, False])
def test_a_failure_mid_write_leaves_the_target_untouched_and_no_temp_file(tmp_path, exc, existing):
    target = tmp_path / "out.md"
    if existing:
        target.write_text("OLD")
    expected = CommandError if isinstance(exc, OSError) else type(exc)
    with pytest.raises(expected):
        write_atomically(str(target), _chunks_then(exc), force=True, inputs=[])
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out.md"] if existing else [])
    if existing:
        assert target.read_text() == "OLD"


def test_output_never_replaces_without_force_and_never_an_input(tmp_path):
    src = write(tmp_path, "in.json", json.dumps(_FLAGS_DOC))
    before = src.read_bytes(), src.stat().st_mtime_ns
    target = write(tmp_path, "out.csv", "KEEP")
    started = []

    def chunks():
        started.append(True)
        yield "x"

    with pytest.raises(CommandError, match="--force"):
        write_atomically(str(target), chunks(), force=False, inputs=[str(src)])
    assert target.read_text() == "KEEP" and not started
    os.symlink(src, tmp_path / "link.json")
    os.link(src, tmp_path / "hard.json")
    for alias in ("in.json", "link.json", "hard.json"):
        code, _, err = cli("list", str(src), "-o", str(tmp_path / alias), "--force")
        assert code == 2 and "input file" in err
    for argv in (["list", str(src), "--format", "json", "-o", str(tmp_path / "new.json")],
                 ["list", str(src), "-o", str(target)],
                 ["actors", str(src)], ["validate", str(src)]):
        cli(*argv)
    assert (src.read_bytes(), src.stat().st_mtime_ns) == before
    assert target.read_text() == "KEEP"
    code, _, _ = cli("list", str(src), "--format", "csv", "-o", str(target), "--force")
    assert code == 0 and target.read_text().startswith("id,date")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hard.json", "in.json", "link.json", "new.json", "out.csv"]


# --- the real terminal ---------------------------------------------------------------------------------

PAYLOADS = {
    "osc52": "\x1b]52;c;U0VDUkVU\x07",
    "osc8": "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "sgr": "\x1b[38;5;123mUNIQ1",
    "clear": "\x1b[2JUNIQ2",
    "c1": "\x9b31mUNIQ4",
    "bidi": "\u202eRLO",
    "title": "\x1b]0;pwned\x07",
}
TAG = "tag\x1b[38;5;200mUNIQ3"


def _pty_document() -> dict:
    p = " ".join(PAYLOADS.values())
    return {
        "format": "timeline/1", "title": "PTYTITLE " + p, "description": p,
        "actors": [{"id": "a", "name": "Actor " + p, "kind": "person", "description": p, "aliases": [p], "roles": [p]}],
        "sources": [{"id": "s", "kind": "article", "title": "Src " + p, "publisher": p, "url": "https://x.example/" + p}],
        "events": [{"id": f"e{i}", "date": f"2024-09-0{i + 1}", "title": f"{name} {value} row {i}", "summary": p,
                    "place": p, "note": p, "date_text": p, "tags": [TAG], "sources": ["s"],
                    "actors": [{"actor": "a", "role": p}]} for i, (name, value) in enumerate(PAYLOADS.items())],
        "quotes": [{"id": f"q{i}", "text": p, "speaker": "a", "source": "s", "event": f"e{i}", "original": p}
                   for i in range(len(PAYLOADS))],
    }


@pytest.mark.skipif(not hasattr(os, "openpty") or sys.platform == "win32", reason="needs a pseudo-terminal")
def test_the_explorer_sends_no_control_sequence_from_the_data_to_a_real_terminal(tmp_path):
    import fcntl
    import struct
    import termios

    path = write(tmp_path, "payloads.json", json.dumps(_pty_document()))
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "NO_COLOR", "PYTEST"))}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="30", PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "tui", str(path), "--tag", TAG], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    out = bytearray()

    def read(until=None, quiet: float | None = None, timeout: float = 30.0) -> bool:
        """Read until ``until`` is in the output, or nothing came for ``quiet`` seconds, or EOF."""
        deadline = time.monotonic() + timeout
        while True:
            if until is not None and until in out:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([master], [], [], min(left, quiet or left))
            if not ready:
                if quiet is not None:
                    return True
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: the process closed the terminal
                return until is None
            if not chunk:
                return until is None
            out.extend(chunk)

    try:
        assert read(until=b"PTYTITLE"), f"the screen never drew: {bytes(out[-2000:])!r}"
        read(quiet=0.5, timeout=10)
        for key in (b"j", b"j", b"4", b"3", b"2", b":"):
            os.write(master, key)
            read(quiet=0.4, timeout=10)
        os.write(master, b"\x1b")  # close the query bar (it shows the tag from the data)
        read(quiet=0.6, timeout=10)
        os.write(master, b"q")
        read(timeout=30)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    data = bytes(out)
    assert code == 0, data[-2000:]
    for name, payload in [*PAYLOADS.items(), ("tag", TAG)]:
        assert payload.encode("utf-8") not in data, f"{name} payload reached the terminal raw"
    assert b"\x1b]52" not in data and b"\x1b]8;" not in data and b"\x1b]0;pwned" not in data
    assert "\x9b".encode() not in data and "\u202e".encode() not in data
    # shown, harmlessly: the stand-in for ESC and the text around it
    assert "␛".encode() in data and b"UNIQ1" in data and b"UNIQ3" in data
