"""Export: ``timeline list --format timelinejs | timesketch | ics``, and the round trips
TimelineJS JSON -> timeline -> TimelineJS and timeline -> Timesketch -> timeline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers_model import doc, write
from tui.cli import main
from tui.interchange import convert
from tui.interchange.html_text import to_text
from tui.interchange.opening import load_any
from tui.store import load

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = '<img src=x onerror=alert(1)> [bold] "quoted" & \'single\''


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def hostile_timeline(tmp_path) -> Path:
    events = [
        {"id": "hostile", "date": "2024-09", "title": HOSTILE, "summary": "</script><script>alert(2)</script>",
         "date_text": "<b>in September</b>", "place": "<i>Caracas</i>", "actors": ["ana"],
         "sources": ["evil"], "tags": ["<tag>"], "note": "a & b"},
        {"id": "day", "date": "2024-09-06T20:30-04:00/2024-09-06T21:00-04:00", "title": "Day, with; commas\nand lines",
         "sources": ["paper"]},
        {"id": "about", "date": "2024-03-20~", "title": "About then", "sources": ["paper"]},
        {"id": "open", "date": "2024-11-23/..", "title": "Still going", "sources": ["paper"]},
    ]
    sources = [*doc()["sources"], {"id": "evil", "kind": "other", "title": "<script>x</script>",
                                   "url": "javascript:alert(3)"}]
    return write(tmp_path / "hostile.json", doc(events=events, sources=sources, quotes=[]))


# --- TimelineJS ------------------------------------------------------------------------------------

def test_timelinejs_export_escapes_every_data_string(capsys, tmp_path):
    code, out, _ = run(capsys, "list", hostile_timeline(tmp_path), "--format", "timelinejs")
    assert code == 0
    data = json.loads(out)
    slides = {s["unique_id"]: s for s in data["events"]}
    hostile = slides["hostile"]
    assert hostile["text"]["headline"] == ("&lt;img src=x onerror=alert(1)&gt; [bold] &quot;quoted&quot; "
                                           "&amp; &#x27;single&#x27;")
    assert hostile["start_date"] == {"year": "2024", "month": "9"}          # a month has no day
    assert hostile["display_date"] == "Sep 2024 (&lt;b&gt;in September&lt;/b&gt;)"  # the date, then its words
    assert hostile["group"] == "&lt;tag&gt;"
    body = hostile["text"]["text"]
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in body and "<script" not in body
    assert "javascript:" not in json.dumps(data)                             # not a link, not media
    assert "&lt;script&gt;x&lt;/script&gt;" in body
    assert "media" not in hostile
    tags = re.findall(r"</?([a-z]+)", body)
    assert set(tags) <= {"p", "strong", "blockquote", "a", "br"}
    assert slides["about"]["display_date"] == "~20 Mar 2024"                  # the qualifier is shown
    assert slides["open"]["display_date"] == "from 23 Nov 2024" and "end_date" not in slides["open"]
    assert slides["day"]["end_date"] == {"year": "2024", "month": "9", "day": "6", "hour": "21", "minute": "0"}
    assert slides["day"]["display_date"] == "6 Sep 2024 20:30–21:00 -04:00"


def test_timelinejs_export_of_the_bundled_dataset(capsys):
    code, out, _ = run(capsys, "list", "--format", "timelinejs")
    data = json.loads(out)
    timeline = load()
    assert code == 0 and len(data["events"]) == len(timeline)
    assert [to_text(s["text"]["headline"])[0] for s in data["events"]] == [e.title for e in timeline.events]
    assert not re.search("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", out.replace("\n", ""))


@pytest.mark.parametrize("name", ["eras.json", "marktwain.json"])
def test_timelinejs_round_trip_keeps_headlines_texts_dates_and_media(capsys, tmp_path, name):
    original = json.loads((FIXTURES / "timelinejs3" / name).read_text())
    imported = tmp_path / "imported.json"
    assert run(capsys, "import", FIXTURES / "timelinejs3" / name, "-o", imported)[0] == 0
    code, out, _ = run(capsys, "list", imported, "--format", "timelinejs")
    back = {s["unique_id"]: s for s in json.loads(out)["events"]}
    ids = [e["id"] for e in json.loads(imported.read_text())["events"]]
    slides = [*original["events"], *original.get("eras", [])]
    assert len(back) == len(slides)

    def parts(d):
        return {k: str(int(v)) for k, v in (d or {}).items() if k in ("year", "month", "day", "hour", "minute", "second") and str(v).strip()}

    for slide, event_id in zip(slides, ids):
        got = back[event_id]
        headline = to_text(slide["text"].get("headline") or "")[0]
        if headline:
            assert to_text(got["text"]["headline"])[0] == headline
        text = to_text(slide["text"].get("text") or "")[0]
        assert to_text(got["text"]["text"])[0].startswith(text)
        assert parts(got["start_date"]) == parts(slide["start_date"])
        if parts(slide.get("end_date")) and parts(slide["end_date"]) != parts(slide["start_date"]):
            assert parts(got["end_date"]) == parts(slide["end_date"])
        if (slide.get("media") or {}).get("url"):
            assert got["media"]["url"] == slide["media"]["url"]


# --- Timesketch ----------------------------------------------------------------------------------

def test_timesketch_export_has_the_required_fields_and_reads_back(capsys, tmp_path):
    code, out, _ = run(capsys, "list", "--format", "timesketch")
    lines = [json.loads(line) for line in out.splitlines()]
    timeline = load()
    assert code == 0 and len(lines) == len(timeline)
    for record in lines:
        assert {"message", "datetime", "timestamp_desc", "timestamp"} <= set(record)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d)?", record["datetime"])
    siege = next(r for r in lines if r["id"] == "siege-begins")
    assert siege["datetime"] == "2024-09-06T20:00:00-04:00" and siege["date_end"] == "2024-09-06T20:30:00-04:00"
    assert siege["timestamp"] == 1725667200 * 10**6                          # 00:00 UTC on 7 Sep
    path = tmp_path / "sketch.jsonl"
    path.write_text(out)
    back = {e["id"]: e for e in convert(str(path)).document["events"]}
    for event in timeline.events:
        assert (back[event.id]["date"], back[event.id]["title"]) == (event.date, event.title)
        assert back[event.id].get("tags", []) == event.tags


# --- iCalendar -----------------------------------------------------------------------------------

def test_ics_holds_dated_events_escaped_and_folded(capsys, tmp_path):
    code, out, err = run(capsys, "list", hostile_timeline(tmp_path), "--format", "ics")
    assert code == 0
    raw = out.encode()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    unfolded = out.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 3                               # the month-only event is left out
    assert "UID:hostile@" not in unfolded
    assert "SUMMARY:Day\\, with\\; commas\\nand lines" in unfolded
    assert "DTSTART:20240907T003000Z\r\nDTEND:20240907T010100Z" in unfolded  # 20:30-04:00, to 21:00 inclusive
    assert "DTSTART;VALUE=DATE:20240320\r\nDTEND;VALUE=DATE:20240321" in unfolded
    assert "STATUS:TENTATIVE" in unfolded                                    # ~20 Mar
    assert "1 event less precise than a day is not in the calendar" in err


def test_ics_of_an_imported_sheet(capsys):
    code, out, err = run(capsys, "list", FIXTURES / "timelinejs3" / "my-own-timeline.csv", "--format", "ics")
    assert code == 0
    assert out.count("BEGIN:VEVENT") == 3                                    # Ada, Edith Clarke, the First Computer
    assert "DTSTART;VALUE=DATE:18151210\r\nDTEND;VALUE=DATE:18521128" in out
    assert load_any([str(FIXTURES / "timelinejs3" / "my-own-timeline.csv")]).title == "MY OWN CSV"


def test_bundled_dataset_through_timelinejs_and_back(capsys, tmp_path):
    code, out, _ = run(capsys, "list", "--format", "timelinejs")
    path = tmp_path / "story.json"
    path.write_text(out)
    back = {e["id"]: e for e in convert(str(path)).document["events"]}
    timeline = load()
    for event, edate in zip(timeline.events, timeline.dates):
        got = back[event.id]                                                 # unique_id keeps the id
        assert got["title"] == event.title
        plain = not edate.qualifier and not any(p and p.offset for p in (edate.start, edate.end)) \
            and not (edate.interval and (edate.start is None or edate.end is None))
        if plain:
            assert got["date"] == event.date
        assert got.get("date_text") == event.date_text or not plain
        assert got["summary"].startswith(event.summary or "")


def test_a_big_export_written_in_two_halves_is_the_same(monkeypatch, tmp_path):
    import glob
    import tempfile

    from tui.interchange import halves
    from tui.output import render

    timeline = load()
    alone = b"".join(render(timeline, range(len(timeline)), "timelinejs"))
    monkeypatch.setattr(halves, "HALVES_FROM", 2)                            # the bundled 28 events in two halves
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert b"".join(render(timeline, range(len(timeline)), "timelinejs")) == alone
    chunks = render(timeline, range(len(timeline)), "timelinejs")
    next(chunks), next(chunks)
    chunks.close()                                                           # the reader went away half-way
    assert glob.glob(str(tmp_path / "timeline-export-*")) == []


@pytest.mark.parametrize("text", ["2024", "0044", "2024-09", "2024-02-29", "1999-12-31", "2024/2025",
                                  "2024-09-06/2024-09-06", "2011-06/2012-01", "2017-01-26/2017-03-03"])
def test_a_plain_dates_parts_read_from_its_digits_are_its_parsed_parts(text):
    """The export reads a year, month or day (or an interval of two) from its own digits;
    they are the parts the parsed date gives, and it needs no display_date."""
    from tui.interchange.timelinejs import _DAY_DATE, _day_parts, _parts, display_date
    from tui.model.dates import parse_edtf

    edate = parse_edtf(text)
    start, _, end = text.partition("/")
    assert _DAY_DATE.fullmatch(text)
    assert _day_parts(start) == _parts(edate.start or edate.end)
    assert (_day_parts(end) if end else None) == (_parts(edate.end) if edate.interval else None)
    assert display_date(edate, None) is None


@pytest.mark.parametrize("text", ["2024-09~", "2024?", "2024-09-06T20:30Z", "2024/..", "../2024", "2024-09-06%"])
def test_other_dates_are_not_read_from_their_digits(text):
    from tui.interchange.timelinejs import _DAY_DATE

    assert not _DAY_DATE.fullmatch(text)


def test_an_actor_with_a_role_or_unknown_is_named_as_before(capsys, tmp_path):
    """Names of known actors are joined in one call; an actor with a role, or an id that is
    no actor's, goes the long way, with the same HTML."""
    events = [{"id": "e1", "date": "2024-09", "title": "T", "sources": ["paper"],
               "actors": ["ana", {"actor": "ana", "role": "<host>"}, {"actor": "ana"}]}]
    path = write(tmp_path / "roles.json", doc(events=events, quotes=[]))
    code, out, _ = run(capsys, "list", path, "--format", "timelinejs")
    text = json.loads(out)["events"][0]["text"]["text"]
    name = next(a["name"] for a in doc()["actors"] if a["id"] == "ana")
    assert code == 0 and f"<p><strong>Actors:</strong> {name}, {name} (&lt;host&gt;), {name}</p>" in text
