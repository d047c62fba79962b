"""Import: TimelineJS3 JSON, the TimelineJS sheet template, Timesketch and any CSV/TSV to
timeline/1, on real files from those projects (tests/fixtures/README.md names their sources),
and opening them directly with ``timeline FILE`` / ``timeline list FILE``."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import pytest

from tui.cli import main
from tui.interchange import ConvertError, convert, detect
from tui.interchange.html_text import to_text
from tui.interchange.opening import load_any
from tui.interchange.parts import Unstorable, edtf
from tui.store import load
from tui.model.dates import parse_edtf

FIXTURES = Path(__file__).parent / "fixtures"
TJS = FIXTURES / "timelinejs3"
TS = FIXTURES / "timesketch"
ALL = sorted(p for folder in (TJS, TS) for p in folder.iterdir() if p.suffix in (".json", ".jsonl", ".csv"))
ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def warnings(conversion) -> list[str]:
    return [str(w) for w in conversion.warnings]


def events(conversion) -> dict[str, dict]:
    return {e["title"]: e for e in conversion.document["events"]}


# --- every real fixture -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_fixture_converts_to_a_valid_timeline(path, tmp_path):
    conversion = convert(str(path))
    out = tmp_path / "out.json"
    out.write_bytes(json.dumps(conversion.document).encode())
    timeline = load([str(out)], cache=False)  # the loader is the judge
    assert len(timeline) == len(conversion.document["events"])
    for kind in ("events", "actors", "sources"):
        ids = [r["id"] for r in conversion.document[kind]]
        assert all(ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_a_second_import_gives_the_same_ids(path):
    assert convert(str(path)).document == convert(str(path)).document


def test_detection_by_content():
    assert [detect(p.name, p.read_bytes()) for p in ALL] == [
        "timelinejs", "timelinejs", "timelinejs", "timelinejs-sheet", "timesketch", "timesketch"]
    assert detect("x.json", Path("data/argentine-embassy-siege.json").read_bytes()) is None
    assert detect("x.csv", b"When,What\n2024,x\n") == "csv"
    assert detect("x.tsv", b"When\tWhat\n2024\tx\n") == "tsv"


# --- TimelineJS3 JSON ----------------------------------------------------------------------------

def test_eras_json_years_intervals_and_eras():
    c = convert(str(TJS / "eras.json"))
    ev = events(c)
    assert c.document["title"] == "Eras Test"
    assert c.document["description"].startswith("Events in the 7th century")
    assert ev["Last great Roman-Persian War."]["date"] == "0602/0629"           # a year stays a year
    assert ev["Muhammad Migrates from Mecca to Medina"]["date"] == "0622-08-09/0622-08-23"
    assert ev["Battle of Nineveh"]["date"] == "0627-12-12"
    assert ev["Era Test 650-700"]["tags"] == ["era"] and ev["Era Test 650-700"]["date"] == "0650/0700"
    source = {s["id"]: s for s in c.document["sources"]}[ev["Battle of Nineveh"]["sources"][0]]
    assert source["url"] == "https://en.wikipedia.org/wiki/Battle_of_Nineveh_(627)"
    assert any("background not kept (presentation only) (and 6 more like it)" in w for w in warnings(c))


def test_cosmo_json_years_that_cannot_be_stored_are_skipped_with_a_warning():
    c = convert(str(TJS / "cosmo.json"))
    assert c.document["events"] == []
    skipped = [w for w in warnings(c) if "cannot be stored" in w]
    assert len(skipped) == 7
    assert "events[0].start_date: year -13800000000 cannot be stored (timeline/1 holds years 0001 to 9999): skipped" in skipped[0]


def test_marktwain_json_times_tweets_places_and_missing_headlines():
    c = convert(str(TJS / "marktwain.json"))
    ev = events(c)
    sources = {s["id"]: s for s in c.document["sources"]}
    florida = ev["Florida, Missouri"]
    assert florida["date"] == "2000-01-05T06:45:56"                    # hour "6": every part given is kept
    assert florida["place"] == "Florida, Missouri (39.491711, -91.79326)"
    tweet = sources[florida["sources"][0]]
    assert tweet["kind"] == "social-post" and tweet["url"].startswith("https://twitter.com/")
    assert sources[ev["a tweet"]["sources"][0]]["kind"] == "social-post"
    assert sources[ev["a Youtube video"]["sources"][0]]["kind"] == "broadcast"
    assert ev["Hannibal, Missouri"]["date"] == "1920-01-05T06:45:56/1923-01-05T06:45:56"
    w = warnings(c)
    assert any("events[3].text.headline: no headline: the title is 'a Youtube video'" in x for x in w)
    assert any("events[0].media: an image URL, kept as a source of kind other" in x for x in w)


def test_html_becomes_text_and_links_become_sources():
    text, links = to_text('<p>Take <a href="https://en.wikipedia.org/wiki/Ada">Ada</a> &amp; co.</p>'
                          '<p>second<br>line</p><script>alert(1)</script><img src=x onerror=alert(1)>')
    assert text == "Take Ada & co.\n\nsecond\nline"
    assert links == [("https://en.wikipedia.org/wiki/Ada", "Ada")]
    assert to_text("a < b & c")[0] == "a < b & c"


def _tjs(tmp_path, *slides, **top) -> str:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"title": {"text": {"headline": "T"}}, "events": list(slides), **top}))
    return str(path)


def test_never_invents_a_day_or_a_month(tmp_path):
    def date(**parts):
        got = []
        return edtf(parts, None, lambda place, m: got.append(m)), got

    assert date(year="2024") == ("2024", [])
    assert date(year="2024", month="9") == ("2024-09", [])
    assert date(year="2024", month="Sept") == ("2024-09", ["month 'Sept' read as 09"])
    assert date(year="2024", day="6")[0] == "2024"                         # a day without a month
    assert date(year="2024", month="9", day="31")[0] == "2024-09"          # no 31 September
    assert date(year="2024", month="9", day="6", hour="20")[0] == "2024-09-06"  # no minutes: no invented :00
    assert date(year=2024, month=9, day=6, hour=20, minute=30) == ("2024-09-06T20:30", [])
    with pytest.raises(Unstorable):
        date(year="")


def test_unique_ids_are_made_valid_and_unique(tmp_path):
    slide = {"start_date": {"year": "2024"}, "text": {"headline": "Same"}, "unique_id": "My Slide!"}
    c = convert(_tjs(tmp_path, slide, slide, {"start_date": {"year": "2024"}, "text": {"headline": "Same"}}))
    assert [e["id"] for e in c.document["events"]] == ["my-slide", "my-slide-2", "same"]
    assert any("unique_id 'My Slide!' is not a valid or unique id: it became 'my-slide'" in w for w in warnings(c))


def test_display_date_group_and_end_before_start(tmp_path):
    c = convert(_tjs(tmp_path, {"start_date": {"year": "2024", "month": "3"}, "end_date": {"year": "2023"},
                                "display_date": "<b>Spring</b> 2024", "group": "Siege",
                                "text": {"headline": "<i>Refuge</i> &lt;script&gt;"}}))
    e = c.document["events"][0]
    assert (e["date"], e["date_text"], e["tags"], e["title"]) == ("2024-03", "Spring 2024", ["Siege"], "Refuge <script>")
    assert any("events[0].end_date" in w and "the end is dropped" in w for w in warnings(c))


# --- the TimelineJS sheet template ---------------------------------------------------------------

def test_sheet_template_rows():
    c = convert(str(TJS / "my-own-timeline.csv"))
    ev = events(c)
    assert c.format == "timelinejs-sheet"
    assert c.document["title"] == "MY OWN CSV"                                # the Type=title row
    assert c.document["description"].startswith("In this sample timeline")
    assert ev["Ada Lovelace"]["date"] == "1815-12-10/1852-11-27"
    assert ev["...And the women who made it work"]["date"] == "1943-07/1946"   # month and year stay so
    assert ev["Rózsa Péter writes recursion"]["date"] == "1951"
    assert ev["Rózsa Péter writes recursion"]["id"] == "rozsa-peter-writes-recursion"
    assert ev['"The Mother of the Internet"']["date"] == "1985"
    sources = {s["id"]: s for s in c.document["sources"]}
    ada = [sources[i] for i in ev["Ada Lovelace"]["sources"]]
    assert [s["url"] for s in ada][1:3] == ["https://en.wikipedia.org/wiki/Ada_Lovelace",
                                            "https://en.wikipedia.org/wiki/Analytical_Engine"]
    assert "<" not in ev["Ada Lovelace"]["summary"] and "Take Ada Lovelace: Daughter" in ev["Ada Lovelace"]["summary"]
    assert ev["Edith Clarke: Bucking the Trend"]["summary"].startswith("There is no demand for women engineers")
    w = warnings(c)
    assert any("row 3, Media: an image URL, kept as a source of kind other" in x for x in w)
    assert any("row 4, Media: an embed code" in x for x in w)


def test_sheet_warnings_name_the_row(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("Year,Month,Day,Time,Headline,Type\n2024,Sept,6,8:30 PM,Siege,\n2024,9,,,No day,\n"
                    ",,,,Nothing,\n2024,13,1,,Bad month,\n")
    c = convert(str(path))
    ev = events(c)
    assert ev["Siege"]["date"] == "2024-09-06T20:30"
    assert ev["No day"]["date"] == "2024-09"
    assert ev["Bad month"]["date"] == "2024"
    w = warnings(c)
    assert any("row 2, Year/Month/Day/Time: month 'Sept' read as 09" in x for x in w)
    assert any("row 4, Year/Month/Day/Time: no year: skipped" in x for x in w)
    assert any("row 5, Year/Month/Day/Time: month '13' is not between 1 and 12" in x for x in w)


# --- generic CSV / TSV ---------------------------------------------------------------------------

def test_timeline_csv_reads_back_to_the_same_events(capsys, tmp_path):
    code, out, _ = run(capsys, "list", "--format", "csv")
    assert code == 0
    path = tmp_path / "siege.csv"
    path.write_text(out)
    c = convert(str(path))
    original = load()
    assert len(c.document["events"]) == len(original)
    fields = ("id", "date", "title", "date_text", "summary", "place", "tags", "note")
    got = {e["id"]: e for e in c.document["events"]}
    for event in original.events:
        back = got[event.id]
        for field in fields:
            assert back.get(field, [] if field == "tags" else None) == (getattr(event, field) or
                                                                        ([] if field == "tags" else None)), field
        assert back.get("confidence", "confirmed") == event.confidence
        assert back.get("actors", []) == event.actor_ids()
        # sources come back by URL (a title holding "; " cannot be told from two titles)
        urls = {s["id"]: s.get("url") for s in c.document["sources"]}
        assert {urls[s] for s in back.get("sources", [])} >= {original.sources[s].url for s in event.source_ids()} - {None}


def test_mapped_spreadsheet_actors_are_matched_or_created(tmp_path):
    path = tmp_path / "notes.tsv"
    path.write_text("When\tWhat\tWho\tDesk\n6 Sep 2024\tSiege\tMilei; Maduro\tLatAm\n"
                    "2024-09\tTalks\tmilei\t\n01/02/2024\tAmbiguous\t\t\n")
    c = convert(str(path), None, "date=When,title=What,actors=Who")
    ev = events(c)
    assert [a["name"] for a in c.document["actors"]] == ["Milei", "Maduro"]
    assert ev["Siege"]["actors"] == ["milei", "maduro"] and ev["Talks"]["actors"] == ["milei"]
    assert ev["Siege"]["date"] == "2024-09-06" and ev["Talks"]["date"] == "2024-09"
    assert ev["Siege"]["note"] == "Desk: LatAm"
    assert "Ambiguous" not in ev
    w = warnings(c)
    assert any("row 4: '01/02/2024' is ambiguous" in x for x in w)
    assert any("'Desk' are not mapped" in x for x in w)


def test_short_rows_read_as_if_padded_and_defused_formulas_are_undone(tmp_path):
    """A row with fewer cells than the header (a spreadsheet drops trailing empty cells) reads
    as the same row padded with empty cells; a formula ``--format csv`` defused (``'=``) is
    given back, in a short row and a full one, and a quote inside a cell is left alone."""
    header = "id,date,title,summary,place,tags,note\n"
    short = tmp_path / "short.csv"
    short.write_text(header + "e1,2024-09,Talks\ne2,2024,'=SUM(A1),it's\n"
                     "e3,2024-10,Full,'+1,Caracas,a; b,'@x\n,\n")
    padded = tmp_path / "padded.csv"
    padded.write_text(header + "e1,2024-09,Talks,,,,\ne2,2024,'=SUM(A1),it's,,,\n"
                      "e3,2024-10,Full,'+1,Caracas,a; b,'@x\n,,,,,,\n")
    a, b = convert(str(short)), convert(str(padded))
    assert a.document["events"] == b.document["events"]
    assert [str(w).replace("short", "padded") for w in a.warnings] == [str(w) for w in b.warnings]
    ev = events(a)
    assert ev["=SUM(A1)"]["summary"] == "it's" and ev["Talks"]["id"] == "e1"
    assert ev["Full"]["summary"] == "+1" and ev["Full"]["note"] == "@x" and ev["Full"]["tags"] == ["a", "b"]


@pytest.mark.parametrize("shape", ["lf", "crlf", "cr", "bom", "formula-late", "formula-early", "multiline"])
def test_a_big_csv_read_on_both_cores_is_the_same_as_in_one_process(tmp_path, monkeypatch, shape):
    """A big CSV's bytes are cut and decoded part by part, each process its own lines; the
    document and warnings are the same as the whole text read in one process, whatever the
    line ends, a byte order mark, a defused formula in one part only, or a quoted cell over
    several lines. (A file whose lines end in CR alone has no place to cut: one process.)"""
    from tui.interchange import table

    rows = [f"e{i},2024-{i % 12 + 1:02},Title {i} ø 𝄞,Sum {i}; more,Caracas,a; b,n{i}" for i in range(600)]
    if shape == "formula-late":
        rows[500] = "e500,2024,'=SUM(A1),it's,,,"
    elif shape == "formula-early":
        rows[3] = "e3,2024,'+1,'@x,,,"
    elif shape == "multiline":
        rows[200] = 'e200,2024,"two\nlines, ""quoted""",x,,,'
        rows[450] = 'e450,2024,Kept,"a\r\nb",,,'
        rows[451] = "e451,2024,Unquoted ls\u2028 nel\x85 ff\x0c fs\x1c,x,,,"  # not line ends to csv
    end = {"crlf": "\r\n", "cr": "\r"}.get(shape, "\n")
    text = ("\ufeff" if shape == "bom" else "") + end.join(["id,date,title,summary,place,tags,note", *rows]) + end
    path = tmp_path / "big.csv"
    path.write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(table, "HALVES_FROM", 1_000)
    halved = []
    real = table._read_halves
    monkeypatch.setattr(table, "_read_halves", lambda *a: halved.append(real(*a)) or halved[-1])
    both = convert(str(path))
    assert len(halved) == (shape != "cr")  # read the both-cores way
    monkeypatch.setattr(table, "HALVES_FROM", 1 << 40)
    one = convert(str(path))
    assert both.json() == one.json() and warnings(both) == warnings(one)
    assert both.counts()["events"] == 600


def test_a_big_csv_that_is_not_utf8_late_on_is_the_same_clear_error(tmp_path, monkeypatch):
    from tui.interchange import table

    path = tmp_path / "bad.csv"
    path.write_bytes(b"id,date,title\n" + b"".join(b"e%d,2024,T %d\n" % (i, i) for i in range(500)) + b"e,2024,\xff\n")
    monkeypatch.setattr(table, "HALVES_FROM", 1_000)
    with pytest.raises(ConvertError, match=r"bad.csv:502: is not UTF-8 text \(byte"):
        convert(str(path))


def test_a_csv_without_a_map_says_which_columns_it_has(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("When,What\n2024,x\n")
    with pytest.raises(ConvertError, match=r"x.csv: which column holds what\? Give --map .* \(columns: When, What;"):
        convert(str(path))
    with pytest.raises(ConvertError, match="not in the header: 'Nope'"):
        convert(str(path), None, "date=Nope,title=What")
    with pytest.raises(ConvertError, match="unknown field 'when'"):
        convert(str(path), None, "when=When")


# --- Timesketch ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sigma_events.csv", "sigma_events.jsonl"])
def test_timesketch_samples(name):
    c = convert(str(TS / name))
    first = c.document["events"][0]
    assert (first["title"], first["date"], first["date_text"]) == ("A message", "2015-07-24T19:01:01+00:00", "Write time")
    assert first["note"] == "extra_field_1: foo"
    if name.endswith(".jsonl"):
        assert c.document["events"][4]["date"] == "2022-01-22T23:07:43+00:00"
        assert any("line 5: datetime '2022-01-22T23:07:43.502205+00:00': the fraction" in w for w in warnings(c))


# --- the command line ----------------------------------------------------------------------------

def test_import_writes_a_timeline_and_reports(capsys, tmp_path):
    out = tmp_path / "out.json"
    code, stdout, err = run(capsys, "import", TJS / "my-own-timeline.csv", "-o", out, "--report")
    assert code == 0 and stdout == ""
    assert "row 3, Media: an image URL, kept as a source of kind other" in err
    assert err.rstrip().endswith("read as timelinejs-sheet: 10 events, 0 actors, 14 sources, 0 quotes, 5 warnings")
    assert json.loads(out.read_text())["format"] == "timeline/1"
    code, _, err = run(capsys, "validate", out)
    assert code == 0


def test_import_to_stdout_and_from(capsys, tmp_path):
    code, out, err = run(capsys, "import", TS / "sigma_events.csv", "--from", "timesketch")
    assert code == 0 and json.loads(out)["events"][0]["title"] == "A message"
    assert err.count("\n") == 1  # without --report: only the summary line


@pytest.mark.parametrize("argv, message", [
    (["import", "nope.json"], "timeline: nope.json: no such file"),
    (["import", "data/argentine-embassy-siege.json"], "is already a timeline/1 file"),
    (["import", "data/argentine-embassy-siege.json", "--from", "word"], "--from: unknown format 'word'"),
    (["import", str(TJS / "eras.json"), "--from", "timesketch"], "eras.json:1: not JSON ("),  # not JSON Lines
])
def test_import_errors_are_one_clear_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err and err.count("\n") == 1


def test_broken_timelinejs_json_is_a_clear_error(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"events": [{"start_date": {"year": "2024"}')
    code, _, err = run(capsys, "import", path, "--from", "timelinejs")
    assert code == 2 and err.startswith(f"timeline: {path}: not JSON (")


def test_list_and_explore_open_other_formats_directly(capsys):
    code, out, err = run(capsys, "list", TJS / "eras.json")
    assert code == 0 and "Battle of Nineveh" in out and "23 of 23 events" in out
    assert "read as timelinejs (1 warning: 'timeline import" in err
    code, out, _ = run(capsys, "list", TJS / "my-own-timeline.csv", "--from", "1950", "--format", "csv")
    assert code == 0 and "Grace Hopper invents the compiler" in out and "Ada Lovelace" not in out
    timeline = load_any([str(TS / "sigma_events.jsonl"), "data/argentine-embassy-siege.json"])
    assert len(timeline) == 5 + 28 and timeline.files[0] == str(TS / "sigma_events.jsonl")


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
async def test_every_fixture_opens_in_the_explorer(path):
    from textual.widgets import Static

    from tui.app import TimelineApp

    timeline = load_any([str(path)])
    app = TimelineApp([str(path)], timeline=timeline)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.export_screenshot().replace("&#160;", " ")
        assert timeline.title in screen
        n = len(timeline)
        assert str(app.screen.query_one("#count", Static).render()) == f"{n} events"  # unfiltered: the count alone
        if path.name == "my-own-timeline.csv":
            assert timeline.title == "MY OWN CSV" and "Ada Lovelace" in screen


def test_import_never_replaces_a_file_without_force(capsys, tmp_path):
    out = tmp_path / "out.json"
    out.write_text("mine")
    code, _, err = run(capsys, "import", TS / "sigma_events.csv", "-o", out)
    assert code == 2 and err == f"timeline: {out} already exists; add --force to replace it\n"
    assert out.read_text() == "mine"
    code, _, err = run(capsys, "import", TS / "sigma_events.csv", "-o", out, "--force")
    assert code == 0 and err.endswith("read as timesketch: 4 events, 0 actors, 0 sources, 0 quotes, 0 warnings\n")


def test_validate_checks_another_format_as_what_it_converts_to(capsys):
    code, out, err = run(capsys, "validate", TJS / "eras.json")
    assert code == 0 and out.rstrip().endswith(f"ok: {TJS / 'eras.json'}: 23 events, 0 actors, 19 sources, 0 quotes, 4 warnings")
    assert f"{TJS / 'eras.json'} (as timeline/1): warning: events[22]: event 'era-test-700-720' cites no source" in out
    assert "read as timelinejs" in err
