"""The loader: the bundled dataset, every kind of problem with its path and line, unreadable
inputs, merging several files, JSON Lines, and the fast (msgspec) path."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

import tui.store.json_fast as json_fast
import tui.store.loader as loader
from helpers_model import BASE, by_path, doc, line_of, load_error, write, write_jsonl
from tui.model import LoadError, Timeline
from tui.store import bundled_path, load
from tui.model.problems import format_path

# --- the bundled dataset -----------------------------------------------------------------------


def test_bundled_dataset_loads_sorted_and_clean():
    timeline = load()
    raw = json.loads(bundled_path().read_text(encoding="utf-8"))
    assert isinstance(timeline, Timeline)
    assert len(timeline) == len(raw["events"]) >= 20
    assert len(timeline.actors) == len(raw["actors"])
    assert len(timeline.sources) == len(raw["sources"])
    assert len(timeline.quotes) == len(raw["quotes"])
    assert timeline.warnings == []
    assert timeline.title == raw["title"]
    lowers = [d.lower for d in timeline.dates]
    assert lowers == sorted(lowers)
    assert [d.text for d in timeline.dates] == [e.date for e in timeline.events]
    assert {e.id for e in timeline.events} == {e["id"] for e in raw["events"]}


def test_bundled_dataset_covers_the_story():
    timeline = load()
    first, last = timeline.dates[0], timeline.dates[-1]
    assert (first.start.year, first.start.month) == (2024, 3)
    assert last.start.year >= 2025  # March 2024 to at least May 2025
    assert {"edmundo-gonzalez", "omar-gonzalez", "nicolas-maduro", "javier-milei"} <= set(timeline.actors)
    siege = timeline.events[timeline.position["power-cut-2024-09-06"]]
    assert siege.sources and timeline.quotes_for(siege.id)


def test_load_with_no_paths_or_empty_list_is_the_bundled_dataset():
    assert len(load()) == len(load([])) == len(load(bundled_path())) == len(load(str(bundled_path())))


def test_small_file_loads_records_and_links(tmp_path):
    t = load(write(tmp_path / "t.json", doc()))
    assert [e.id for e in t.events] == ["second", "first"]  # Sep 2024 starts before 6 Sep
    assert t.actors["ana"].name == "Ana Núñez"
    assert t.events[0].actor_roles() == [("party", "host")]
    assert [q.id for q in t.quotes_for("first")] == ["q1"]
    assert [s.id for s in t.via_chain("post")] == ["post", "paper"]
    assert t.members_of("party") == ["ana"]


def test_first_dated_finds_an_event_in_year_one(tmp_path):
    # an open start and 0001-01-01 share the lower bound 0: only the start tells them apart
    d = doc(events=[{"id": "open", "date": "../2024", "title": "Open", "sources": ["paper"]},
                    {"id": "early", "date": "0001", "title": "Early", "sources": ["paper"]}], quotes=[])
    t = load(write(tmp_path / "t.json", d))
    assert t.events[t.first_dated()].id == "early"


# --- every kind of problem, with its path and line ------------------------------------------------

def _mutate(fn):
    d = doc()
    fn(d)
    return d


# (mutation, path, message fragment, (needle, which occurrence, line offset from the needle's line))
CASES = {
    "missing field": (
        lambda d: d["events"][0].pop("title"),
        "events[0]", "missing required field 'title'", ('"id": "first"', 1, -1)),
    "missing actor name": (
        lambda d: d["actors"][1].pop("name"),
        "actors[1]", "missing required field 'name'", ('"id": "party"', 1, -1)),
    "wrong type (number for string)": (
        lambda d: d["events"][0].update(title=5),
        "events[0].title", "must be a string, not a number", ('"title": 5', 1, 0)),
    "wrong type (string for list)": (
        lambda d: d["events"][0].update(actors="ana"),
        "events[0].actors", "must be a list, not a string", ('"actors": "ana"', 1, 0)),
    "wrong type (bool in list)": (
        lambda d: d["events"][0].update(tags=["ok", True]),
        "events[0].tags[1]", "must be a string, not true/false", ("true", 1, 0)),
    "wrong type (null for required)": (
        lambda d: d["quotes"][0].update(text=None),
        "quotes[0].text", "must be a string, not null", ('"text": null', 1, 0)),
    "wrong type (record not an object)": (
        lambda d: d["sources"].append("not-an-object"),
        "sources[2]", "must be an object, not a string", ('"not-an-object"', 1, 0)),
    "wrong type (top list not a list)": (
        lambda d: d.update(quotes={"q": 1}),
        "quotes", "must be a list, not an object", ('"quotes"', 1, 0)),
    "wrong type (actor ref)": (
        lambda d: d["events"][0].update(actors=["ana", 7]),
        "events[0].actors[1]", "must be a string or an object, not a number", ("7", 1, 0)),
    "unknown field": (
        lambda d: d["events"][1].update(colour="red"),
        "events[1].colour", "unknown field 'colour'", ('"colour"', 1, 0)),
    "unknown field in actor ref": (
        lambda d: d["events"][1]["actors"][0].update(weight=1),
        "events[1].actors[0].weight", "unknown field 'weight' (known: actor, role)", ('"weight"', 1, 0)),
    "unknown top-level field": (
        lambda d: d.update(authors=[]),
        "authors", "unknown field 'authors'", ('"authors"', 1, 0)),
    "bad id": (
        lambda d: d["actors"][1].update(id="The Party"),
        "actors[1].id", 'id "The Party" must be lower-case letters', ('"id": "The Party"', 1, 0)),
    "bad id (leading dash)": (
        lambda d: d["sources"][0].update(id="-paper"),
        "sources[0].id", 'id "-paper"', ('"id": "-paper"', 1, 0)),
    "duplicate id": (
        lambda d: d["events"][1].update(id="first"),
        "events[1].id", "duplicate id 'first' (first used by events[0])", ('"id": "first"', 2, 0)),
    "unknown actor in event": (
        lambda d: d["events"][0]["actors"].append("nobody"),
        "events[0].actors[1]", "unknown actor 'nobody'", ('"nobody"', 1, 0)),
    "unknown actor in {actor, role}": (
        lambda d: d["events"][1]["actors"][0].update(actor="nobody"),
        "events[1].actors[0].actor", "unknown actor 'nobody'", ('"actor": "nobody"', 1, 0)),
    "unknown affiliation": (
        lambda d: d["actors"][0]["affiliations"].append("nobody"),
        "actors[0].affiliations[1]", "unknown actor 'nobody'", ('"nobody"', 1, 0)),
    "self affiliation": (
        lambda d: d["actors"][1].update(affiliations=["party"]),
        "actors[1].affiliations[0]", "cannot be affiliated with itself", ('"affiliations"', 2, 1)),
    "unknown author": (
        lambda d: d["sources"][1].update(author="nobody"),
        "sources[1].author", "unknown actor 'nobody'", ('"author": "nobody"', 1, 0)),
    "unknown via": (
        lambda d: d["sources"][1].update(via="nowhere"),
        "sources[1].via", "unknown source 'nowhere'", ('"via": "nowhere"', 1, 0)),
    "unknown event source": (
        lambda d: d["events"][1]["sources"].append("nowhere"),
        "events[1].sources[1]", "unknown source 'nowhere'", ('"nowhere"', 1, 0)),
    "unknown quote speaker": (
        lambda d: d["quotes"][0].update(speaker="nobody"),
        "quotes[0].speaker", "unknown actor 'nobody'", ('"speaker": "nobody"', 1, 0)),
    "unknown quote source": (
        lambda d: d["quotes"][0].update(source="nowhere"),
        "quotes[0].source", "unknown source 'nowhere'", ('"source": "nowhere"', 1, 0)),
    "unknown quote event": (
        lambda d: d["quotes"][0].update(event="never"),
        "quotes[0].event", "unknown event 'never'", ('"event": "never"', 1, 0)),
    "bad event date": (
        lambda d: d["events"][1].update(date="2024-02-30"),
        "events[1].date", "day 30 does not exist in February 2024", ('"2024-02-30"', 1, 0)),
    "bad published date": (
        lambda d: d["sources"][1].update(published="yesterday"),
        "sources[1].published", "'yesterday' is not a date", ('"yesterday"', 1, 0)),
    "bad said date": (
        lambda d: d["quotes"][0].update(said="2024-13"),
        "quotes[0].said", "month 13 is not between 01 and 12", ('"2024-13"', 1, 0)),
    "interval ends before it starts": (
        lambda d: d["events"][0].update(date="2024-09-06/2024-09-01"),
        "events[0].date", "the interval ends (2024-09-01) before it starts (2024-09-06)", ('"2024-09-06/', 1, 0)),
    "unknown format": (
        lambda d: d.update(format="timeline/2"),
        "format", 'unknown format "timeline/2"', ('"timeline/2"', 1, 0)),
    "missing format": (
        lambda d: d.pop("format"),
        "format", 'missing "format": "timeline/1"', ("{", 1, 0)),
    "missing title": (
        lambda d: d.pop("title"),
        "title", "missing title", ("{", 1, 0)),
    "empty top-level title": (
        lambda d: d.update(title=" "),
        "title", "title is empty", ('"title": " "', 1, 0)),
    "wrong type top-level title": (
        lambda d: d.update(title=["x"]),
        "title", "title must be a non-empty string, not a list", ('"title": [', 1, 0)),
    "unknown actor kind": (
        lambda d: d["actors"][0].update(kind="alien"),
        "actors[0].kind", 'kind "alien" is not one of person, organization', ('"alien"', 1, 0)),
    "unknown source kind": (
        lambda d: d["sources"][0].update(kind="rumour"),
        "sources[0].kind", 'kind "rumour" is not one of article', ('"rumour"', 1, 0)),
    "unknown confidence": (
        lambda d: d["events"][0].update(confidence="sure"),
        "events[0].confidence", 'confidence "sure" is not one of confirmed, reported, disputed', ('"sure"', 1, 0)),
    "empty title": (
        lambda d: d["events"][0].update(title="  "),
        "events[0].title", "title is empty", ('"title": "  "', 1, 0)),
    "via loop": (
        lambda d: d["sources"][0].update(via="post"),
        "sources[0].via", "the 'via' chain loops: paper -> post -> paper", ('"via": "post"', 1, 0)),
    "via to itself": (
        lambda d: d["sources"][0].update(via="paper"),
        "sources[0].via", "the 'via' chain loops: paper -> paper", ('"via": "paper"', 1, 0)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_problem_has_its_path_and_line(tmp_path, case):
    mutate, path, fragment, (needle, occurrence, offset) = CASES[case]
    file = write(tmp_path / "t.json", _mutate(mutate))
    error = load_error(file)
    assert not error.unreadable
    problems = by_path(error)
    assert path in problems, [str(p) for p in error.problems]
    problem = problems[path]
    assert fragment in problem.message
    assert not problem.warning
    assert problem.file == str(file)
    line = line_of(file, needle, occurrence) + offset
    assert problem.line == line
    assert str(problem).startswith(f"{file}:{line}: error: {path}: ")


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    d = doc()
    d["events"][0].update(title=5, date="2024-13")
    d["events"][1]["actors"].append("nobody")
    d["quotes"][0].update(speaker="ghost")
    d["actors"][1].update(id="Bad")
    error = load_error(write(tmp_path / "t.json", d))
    paths = set(by_path(error))
    assert {"events[0].title", "events[1].actors[1]", "quotes[0].speaker", "actors[1].id"} <= paths
    # the broken event's own date is not checked (the record is skipped), but its id still counts:
    assert "quotes[0].event" not in paths
    # problems are listed in file order
    lines = [p.line for p in error.problems]
    assert lines == sorted(lines)
    assert str(error).count("\n") == len(error.problems) - 1


def test_reference_to_a_broken_record_is_not_reported_twice(tmp_path):
    d = doc()
    d["actors"][0]["name"] = 5  # ana is broken; events and quotes that name her are not "unknown"
    error = load_error(write(tmp_path / "t.json", d))
    assert [format_path(p.path) for p in error.problems] == ["actors[0].name"]


def test_duplicate_json_key_is_an_error_with_its_line(tmp_path):
    text = json.dumps(doc(), indent=2).replace('"title": "Something else"',
                                                 '"title": "Something else",\n      "title": "Again"')
    file = write(tmp_path / "t.json", text)
    error = load_error(file)
    problem = by_path(error)["events[1].title"]
    assert "duplicate key 'title'" in problem.message
    assert problem.line == line_of(file, '"title": "Again"')  # where the duplicate is


def test_duplicate_top_level_key(tmp_path):
    file = write(tmp_path / "t.json", '{"format": "timeline/1",\n "title": "a",\n "title": "b"}')
    error = load_error(file)
    assert [(format_path(p.path), p.line) for p in error.problems] == [("title", 3)]
    assert "duplicate key 'title'" in error.problems[0].message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(tmp_path, constant):
    file = write(tmp_path / "t.json", json.dumps(doc(), indent=2).replace('"Something else"', constant))
    error = load_error(file)
    problem = by_path(error)["events[1].title"]
    assert f"not {constant} (which is not valid JSON)" in problem.message
    assert problem.line == line_of(file, constant)


def test_lone_surrogate_is_an_error_with_its_path_and_line(tmp_path):
    text = json.dumps(doc(), indent=2).replace('"Something else"', '"Something \\ud800 else"')
    text = text.replace('"We said it."', '"We said it \\udc9b"').replace('"host"', '"host \\ud83d\\ude00"')
    file = write(tmp_path / "t.json", text)
    problems = by_path(load_error(file))
    assert set(problems) == {"events[1].title", "quotes[0].text"}  # a proper pair is fine
    assert problems["events[1].title"].message == "holds a lone surrogate (\\ud800), which is not valid Unicode"
    assert problems["events[1].title"].line == line_of(file, "ud800")
    assert problems["quotes[0].text"].line == line_of(file, "We said")
    assert "\\udc9b" in str(problems["quotes[0].text"])


def test_lone_surrogate_in_jsonl_and_on_the_fast_path(tmp_path, monkeypatch):
    d = doc()
    d["events"][1]["title"] = "SURROGATE"
    file = write_jsonl(tmp_path / "t.jsonl", d)
    file.write_text(file.read_text().replace("SURROGATE", "\\ud800"))
    [problem] = load_error(file).errors
    assert "lone surrogate" in problem.message and problem.line == line_of(file, '"second"')
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    json_file = write(tmp_path / "t.json", json.dumps(d).replace("SURROGATE", "\\ud800"))
    assert load_error(json_file).errors  # msgspec refuses it as malformed JSON
    assert load_error(file).errors[0].line == line_of(file, '"second"')


def test_huge_number_is_a_wrong_type_not_a_crash(tmp_path):
    file = write(tmp_path / "t.json", json.dumps(doc(), indent=2).replace('"2024-09-06",', "1e999999,", 1))
    error = load_error(file)
    assert "must be a string, not a number" in by_path(error)["events[0].date"].message


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"format": "timeline/1", "title": "x", "events": [' + "[" * 100_000
                                  + "]" * 100_000 + "]}",
                                  '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_deep_nesting_is_one_clear_error(tmp_path, text):
    error = load_error(write(tmp_path / "t.json", text))
    assert error.unreadable
    assert len(error.problems) == 1
    assert "nested too deeply" in error.problems[0].message


@pytest.mark.parametrize("text, described", [("[1, 2]", "a list"), ('"timeline"', "a string"), ("42", "a number"),
                                             ("null", "null"), ("true", "true/false")])
def test_top_level_must_be_an_object(tmp_path, text, described):
    error = load_error(write(tmp_path / "t.json", text))
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.path == () and problem.line == 1
    assert f'the top level must be a JSON object with "format": "timeline/1", not {described}' in problem.message


def test_warnings_do_not_stop_loading(tmp_path):
    d = doc()
    d["events"][0]["sources"] = []
    d["quotes"][0].pop("event")
    file = write(tmp_path / "t.json", d)
    timeline = load(file)
    assert len(timeline) == 2
    assert [(format_path(w.path), w.warning) for w in timeline.warnings] == [("events[0]", True), ("quotes[0]", True)]
    assert "event 'first' cites no source" in timeline.warnings[0].message
    assert "quote 'q1' is not tied to an event" in timeline.warnings[1].message
    assert timeline.warnings[0].line == line_of(file, '"id": "first"') - 1
    assert str(timeline.warnings[0]).startswith(f"{file}:{timeline.warnings[0].line}: warning: events[0]: ")


def test_warnings_are_listed_with_errors(tmp_path):
    d = doc()
    d["events"][0]["sources"] = []
    d["events"][1]["title"] = 1
    error = load_error(write(tmp_path / "t.json", d))
    assert len(error.errors) == 1
    assert [p.warning for p in error.problems].count(True) == 1


# --- unreadable inputs -------------------------------------------------------------------------------

def _unreadable(path) -> str:
    error = load_error(path)
    assert error.unreadable
    assert len(error.problems) == 1
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    assert text.startswith(str(path))
    return text


def test_no_such_file(tmp_path):
    assert _unreadable(tmp_path / "missing.json").endswith("error: no such file")


def test_a_folder(tmp_path):
    assert _unreadable(tmp_path).endswith("error: is a folder, not a timeline file")


def test_not_utf8(tmp_path):
    data = json.dumps(doc(), indent=2, ensure_ascii=False).encode("latin-1")
    text = _unreadable(write(tmp_path / "latin1.json", data))
    assert "is not UTF-8 text (byte" in text
    assert f"latin1.json:{line_of_bytes(data, 'Ana')}:" in text


def line_of_bytes(data: bytes, needle: str) -> int:
    return data[: data.index(needle.encode())].count(b"\n") + 1


@pytest.mark.parametrize("text, line", [("hello", 1), ('{"format": "timeline/1",\n "title": ', 2),
                                        ('{"format": "timeline/1"\n "title": "x"}', 2), ("{'a': 1}", 1)])
def test_not_json(tmp_path, text, line):
    message = _unreadable(write(tmp_path / "bad.json", text))
    assert f"bad.json:{line}: error: is not valid JSON" in message


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n"])
def test_empty_and_whitespace_only(tmp_path, data):
    assert _unreadable(write(tmp_path / "empty.json", data)).endswith("error: is empty")


def test_bom_and_crlf_files_load(tmp_path):
    text = json.dumps(doc(), indent=2, ensure_ascii=False)
    bom = write(tmp_path / "bom.json", b"\xef\xbb\xbf" + text.encode())
    crlf = write(tmp_path / "crlf.json", text.replace("\n", "\r\n").encode())
    both = write(tmp_path / "both.json", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    for path in (bom, crlf, both):
        t = load(path)
        assert len(t) == 2 and t.actors["ana"].name == "Ana Núñez"


def test_crlf_line_numbers_are_right(tmp_path):
    d = doc()
    d["events"][1]["date"] = "bad"
    file = write(tmp_path / "crlf.json", json.dumps(d, indent=2).replace("\n", "\r\n").encode())
    assert by_path(load_error(file))["events[1].date"].line == line_of(file, '"bad"')


def test_stdin(monkeypatch):
    data = json.dumps(doc()).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    t = load("-")
    assert len(t) == 2 and t.files == ["<stdin>"]


def test_stdin_problems_are_named_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"nope"), encoding="utf-8"))
    assert str(load_error("-")).startswith("<stdin>:1: error: is not valid JSON")


# --- several files ------------------------------------------------------------------------------------

OTHER = {
    "format": "timeline/1",
    "title": "Other timeline",
    "actors": [{"id": "zed", "name": "Zed", "kind": "person"}],
    "events": [{"id": "zed-speaks", "date": "2023", "title": "Zed", "actors": ["zed", "ana"], "sources": ["paper"]}],
}


def test_several_files_merge_and_refer_to_each_other(tmp_path):
    a = write(tmp_path / "a.json", doc())
    b = write(tmp_path / "b.json", OTHER)
    t = load([a, b])
    assert [e.id for e in t.events] == ["zed-speaks", "second", "first"]
    assert set(t.actors) == {"ana", "party", "zed"}
    assert t.title == "Test timeline + Other timeline"
    assert t.files == [str(a), str(b)]
    # the second file alone does not know ana or paper
    error = load_error(b)
    assert {format_path(p.path) for p in error.problems} == {"events[0].actors[1]", "events[0].sources[0]"}


def test_identical_records_in_two_files_are_fine(tmp_path):
    a = write(tmp_path / "a.json", doc())
    b = write(tmp_path / "b.json", doc(title="Copy"), indent=None)
    t = load([a, b])
    assert len(t) == 2 and len(t.actors) == 2 and len(t.quotes) == 1


def test_same_file_twice(tmp_path):
    a = write(tmp_path / "a.json", doc())
    assert len(load([a, a])) == 2


def test_id_defined_differently_in_two_files_names_both(tmp_path):
    a = write(tmp_path / "a.json", doc())
    changed = doc()
    changed["events"][0]["title"] = "Told differently"
    b = write(tmp_path / "b.json", changed)
    error = load_error([a, b])
    assert len(error.errors) == 1
    problem = error.errors[0]
    assert problem.file == str(b)
    assert str(a) in problem.message and "events[0]" in problem.message
    assert "event 'first' is defined differently" in problem.message
    assert problem.line == line_of(b, '"id": "first"') - 1


def test_broken_record_in_one_file_and_valid_in_another_does_not_crash(tmp_path):
    broken = doc()
    broken["events"][0]["title"] = 5
    a = write(tmp_path / "a.json", broken)
    b = write(tmp_path / "b.json", doc())
    for paths in ([a, b], [b, a]):
        error = load_error(paths)
        assert [(p.file, format_path(p.path)) for p in error.errors] == [(str(a), "events[0].title")]


def test_an_unreadable_file_among_several(tmp_path):
    a = write(tmp_path / "a.json", doc())
    error = load_error([a, tmp_path / "missing.json"])
    assert error.unreadable and str(error) == f"{tmp_path / 'missing.json'}: error: no such file"


# --- JSON Lines -------------------------------------------------------------------------------------------

def test_jsonl_loads_like_json(tmp_path):
    t_json = load(write(tmp_path / "a.json", doc()))
    t_jsonl = load(write_jsonl(tmp_path / "a.jsonl", doc()))
    assert [e.id for e in t_jsonl.events] == [e.id for e in t_json.events]
    assert [(e.title, e.date, e.actor_roles()) for e in t_jsonl.events] == \
        [(e.title, e.date, e.actor_roles()) for e in t_json.events]
    assert t_jsonl.title == t_json.title
    assert set(t_jsonl.actors) == set(t_json.actors)


def test_jsonl_with_bom_and_crlf(tmp_path):
    data = write_jsonl(tmp_path / "a.jsonl", doc()).read_bytes()
    t = load(write(tmp_path / "b.jsonl", b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")))
    assert [e.id for e in t.events] == ["second", "first"]


def test_jsonl_with_other_suffix_or_none(tmp_path):
    data = write_jsonl(tmp_path / "a.jsonl", doc()).read_bytes()
    assert len(load(write(tmp_path / "a.ndjson", data))) == 2
    assert len(load(write(tmp_path / "noext", data))) == 2


def test_jsonl_errors_name_the_line(tmp_path):
    d = doc()
    d["events"][0]["date"] = "2024-13"
    d["events"][1]["title"] = 5
    d["quotes"][0]["speaker"] = "nobody"
    file = write_jsonl(tmp_path / "bad.jsonl", d)
    error = load_error(file)
    got = {(p.line, p.message.split(":")[0] if "'2024-13'" in p.message else p.message) for p in error.errors}
    assert got == {
        (line_of(file, '"2024-13"'), "'2024-13'"),
        (line_of(file, '"title": 5'), "must be a string, not a number"),
        (line_of(file, '"speaker": "nobody"'), "unknown actor 'nobody'"),
    }
    assert all(str(p).startswith(f"{file}:{p.line}: error: ") for p in error.errors)


def test_jsonl_bad_type_and_non_object_lines(tmp_path):
    file = write(tmp_path / "t.jsonl", '{"format": "timeline/1", "title": "a"}\n{"type": "thing", "id": "x"}\n[1]\n')
    error = load_error(file)
    assert [(p.line, p.message) for p in error.problems] == [
        (2, '"type" must be one of actor, source, event, quote, not "thing"'),
        (3, "must be an object, not a list"),
    ]


def test_jsonl_invalid_json_line_is_unreadable_with_its_line(tmp_path):
    file = write(tmp_path / "t.jsonl", '{"format": "timeline/1", "title": "a"}\n{"type": "actor",\n')
    error = load_error(file)
    assert error.unreadable and error.problems[0].line == 2


def test_jsonl_header_problems(tmp_path):
    error = load_error(write(tmp_path / "h.jsonl", '{"format": "timeline/9", "title": "a", "title": "b"}\n'
                                                   '{"type": "actor", "id": "x", "name": "X", "kind": "person"}\n'))
    assert sorted((p.line, format_path(p.path)) for p in error.problems) == [(1, "format"), (1, "title")]
    assert any("duplicate key 'title'" in p.message for p in error.problems)


def test_jsonl_duplicate_and_differing_ids(tmp_path):
    ok = write_jsonl(tmp_path / "ok.jsonl", doc())
    dup = write(tmp_path / "dup.jsonl", ok.read_text() + '{"type": "event", "id": "first", "date": "2024", '
                                                       '"title": "x", "sources": ["paper"]}\n')
    error = load_error(dup)
    assert [(p.line, p.message) for p in error.errors] == [(9, f"duplicate id 'first' (first used by line {line_of(ok, 'first')})")]
    changed = doc()
    changed["events"][0]["title"] = "changed"
    other = write_jsonl(tmp_path / "other.jsonl", changed)
    error = load_error([ok, other])
    assert len(error.errors) == 1
    assert str(ok) in error.errors[0].message and error.errors[0].file == str(other)
    assert error.errors[0].line == line_of(other, '"changed"')


def test_jsonl_and_json_together(tmp_path):
    t = load([write_jsonl(tmp_path / "a.jsonl", doc()), write(tmp_path / "b.json", OTHER)])
    assert len(t) == 3


# --- the fast (msgspec) path ----------------------------------------------------------------------------------

@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)


def _snapshot(t: Timeline):
    return ([(e, d.text, d.lower, d.upper) for e, d in zip(t.events, t.dates)], t.actors, t.sources, list(t.quotes),
            t.title, t.description, [str(w) for w in t.warnings])


def test_fast_path_loads_the_bundled_dataset_identically(monkeypatch):
    strict = _snapshot(load())
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    assert _snapshot(load()) == strict


def test_fast_path_is_really_taken(fast, monkeypatch):
    called = []
    real = json_fast.read_json_fast
    monkeypatch.setattr(json_fast, "read_json_fast", lambda *a: called.append(1) or real(*a))
    load()
    assert called


def test_fast_path_reports_a_structural_error_with_its_path(fast, tmp_path):
    d = doc()
    d["events"][1]["title"] = 5
    error = load_error(write(tmp_path / "f.json", d))
    assert len(error.errors) == 1
    assert format_path(error.errors[0].path) == "events[1].title"
    assert "expected 'str', got 'int'" in error.errors[0].message


def test_fast_path_unknown_field_and_semantic_checks(fast, tmp_path):
    d = doc()
    d["events"][0]["colour"] = "red"
    assert "unknown field 'colour'" in load_error(write(tmp_path / "u.json", d)).errors[0].message
    d = doc()
    d["events"][1]["id"] = "first"
    d["events"][0]["actors"] = ["nobody"]
    errors = load_error(write(tmp_path / "s.json", d)).errors
    assert {(format_path(p.path), p.message) for p in errors} == {
        ("events[0].actors[0]", "unknown actor 'nobody'"),
        ("events[1].id", "duplicate id 'first' (first used by events[0])"),
    }


def test_fast_path_checks_the_header_like_the_strict_path(fast, tmp_path):
    error = load_error(write(tmp_path / "t.json", doc(title="  ", format="timeline/0")))
    assert sorted((format_path(p.path), p.message) for p in error.errors) == [
        ("format", 'unknown format "timeline/0" (this version reads "timeline/1")'), ("title", "title is empty")]


def test_fast_path_unreadable(fast, tmp_path):
    assert load_error(write(tmp_path / "a.json", '{"format": ')).unreadable
    error = load_error(write(tmp_path / "b.json", b'{"format": "timeline/1",\n"title": "\xff"}'))
    assert error.unreadable and "is not UTF-8 text" in str(error) and error.problems[0].line == 2
    error = load_error(write(tmp_path / "c.json", '{"format": "timeline/1",\n"title": x}'))
    assert error.unreadable and error.problems[0].line == 2


def test_fast_path_jsonl(fast, tmp_path):
    assert len(load(write_jsonl(tmp_path / "a.jsonl", doc()))) == 2
    d = doc()
    d["events"][1]["title"] = 5
    file = write_jsonl(tmp_path / "b.jsonl", d)
    error = load_error(file)
    assert [p.line for p in error.errors] == [line_of(file, '"title": 5')]


def test_fast_path_broken_record_in_another_file(fast, tmp_path):
    a = write(tmp_path / "a.json", doc(events=[BASE["events"][0]]))
    assert len(load([a, write(tmp_path / "b.json", doc())])) == 2


# --- the loader never modifies its input ---------------------------------------------------------------------------

def test_loader_never_writes_to_its_inputs(tmp_path):
    good = write(tmp_path / "good.json", doc())
    bad_doc = doc()
    bad_doc["events"][0]["title"] = 5
    bad = write(tmp_path / "bad.json", bad_doc)
    jsonl = write_jsonl(tmp_path / "good.jsonl", doc())
    files = [good, bad, jsonl, bundled_path()]
    old = 1_000_000_000
    for f in files[:3]:
        os.utime(f, (old, old))
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    listing = sorted(os.listdir(tmp_path))
    load([good, jsonl])
    load()
    load_error(bad)
    load_error([good, bad])
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files} == before
    assert sorted(os.listdir(tmp_path)) == listing


def test_load_error_lists_errors_and_formats_each_problem():
    error = LoadError([])
    assert error.errors == [] and str(error) == ""
