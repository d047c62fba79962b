"""The analyst's layer without the explorer: the sidecar's format and errors, the merge of
two explorers' work, the query terms on notes, the sidecar on disk (atomic writes that
survive SIGKILL, locking, backups), and ``timeline list`` with notes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.cli import main
from tui.model import parse_query, run
from tui.store.loader import load
from tui.model.annotations import Annotation, Layer, Notes, NotesError, View, decode, encode, merge
from tui.model.query import QueryError
from tui.notes.session import NotesSession
from tui.notes.sidecar import Sidecar, sidecar_for

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "argentine-embassy-siege.json"
SIEGE, POWER_CUT, REFUGE = "siege-begins", "power-cut-2024-09-06", "six-take-refuge"


@pytest.fixture
def story(tmp_path) -> Path:
    """A copy of the bundled dataset in a folder of its own (its sidecar goes beside it)."""
    path = tmp_path / "story.json"
    path.write_bytes(DATA.read_bytes())
    return path


def positions(timeline, query: str, notes: Notes) -> list[int]:
    return list(run(timeline, parse_query(query), annotations=notes).positions)


# --- the format --------------------------------------------------------------------------------

def test_a_layer_reads_back_exactly_what_was_written():
    layer = Layer({SIEGE: Annotation(True, "check the time\n[sic] \x1b[31m", ("followup", "tiempo"), "2026-01-01T00:00:00Z"),
                   "ev\ud800": Annotation(note="lone surrogate in an id")},
                  {"siege week": View("is:starred from:2024-09", SIEGE, "2026-01-01T00:00:00Z")},
                  View("tag:siege", POWER_CUT))
    raw = encode(layer, "story.json")
    assert decode(raw) == layer
    assert json.loads(raw)["format"] == "timeline-notes/1"


def test_empty_annotations_are_not_written():
    raw = encode(Layer({SIEGE: Annotation(), POWER_CUT: Annotation(starred=True)}))
    assert list(json.loads(raw)["events"]) == [POWER_CUT]


@pytest.mark.parametrize("content, place", [
    (b'{"format": "timeline-notes/1", "events": {', "line 1, column 43"),
    (b'{"format": "timeline-notes/1",\n "events": {"a": {"starred": "yes"}}}', '$.events.a.starred: expected true or false'),
    (b'{"format": "timeline-notes/1", "events": {"a b": {"labels": "x"}}}', '$.events["a b"].labels: expected a list'),
    (b'{"format": "timeline-notes/1", "events": {"a": {"labels": [""]}}}', '$.events.a.labels[0]: expected a non-empty string'),
    (b'{"format": "timeline-notes/1", "events": {"a": {"stared": true}}}', 'unknown field "stared"'),
    (b'{"format": "timeline-notes/2"}', '$.format: expected "timeline-notes/1"'),
    (b'{"format": "timeline-notes/1", "views": {"v": {"query": 3}}}', '$.views.v.query: expected a string'),
    (b'{"format": "timeline-notes/1", "events": {"a": {}, "a": {}}}', 'key "a" is given twice'),
    (b'\xff\xfe', "not UTF-8"),
    (b'[]', "$: expected an object"),
])
def test_a_broken_sidecar_is_an_error_naming_the_place(content, place):
    with pytest.raises(NotesError, match=re_escape(place)):
        decode(content)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


# --- merging ----------------------------------------------------------------------------------

def test_merge_keeps_both_sides_changes_field_by_field():
    base = Layer({SIEGE: Annotation(starred=True)})
    mine = Layer({SIEGE: Annotation(starred=True, note="mine")})                 # I added a note
    theirs = Layer({SIEGE: Annotation(starred=True, labels=("theirs",)),       # they added a label
                    REFUGE: Annotation(starred=True)}, {"v": View("tag:x")})  # and starred another
    merged, conflicts = merge(base, mine, theirs)
    assert merged.events[SIEGE].same(Annotation(True, "mine", ("theirs",)))
    assert merged.events[REFUGE].starred
    assert merged.views == {"v": View("tag:x")}
    assert conflicts == []


def test_merge_the_last_write_of_a_field_wins_and_is_reported():
    base = Layer({SIEGE: Annotation(note="old")})
    merged, conflicts = merge(base, Layer({SIEGE: Annotation(note="mine")}), Layer({SIEGE: Annotation(note="theirs")}))
    assert merged.events[SIEGE].note == "mine"
    assert conflicts == [f"note of event {SIEGE}"]


def test_merge_an_unstar_on_one_side_removes_the_annotation():
    base = Layer({SIEGE: Annotation(starred=True)})
    merged, _ = merge(base, Layer(), base)
    assert SIEGE not in merged.events


# --- queries ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def timeline():
    return load()


@pytest.fixture
def notes(timeline):
    n = Notes()
    n.change(SIEGE, starred=True, note="Ask the Foreign Ministry about the DAET")
    n.change(POWER_CUT, starred=True, labels=("followup",))
    n.change(REFUGE, labels=("FollowUp", "timeline"))
    n.change("an-event-since-deleted", starred=True, note="kept")
    return n


def test_note_terms_select_annotated_events(timeline, notes):
    at = timeline.position
    assert positions(timeline, "is:starred", notes) == sorted([at[SIEGE], at[POWER_CUT]])
    assert positions(timeline, "-is:starred", notes) == [p for p in range(len(timeline)) if p not in (at[SIEGE], at[POWER_CUT])]
    assert positions(timeline, "has:note", notes) == [at[SIEGE]]
    assert positions(timeline, "label:followup", notes) == sorted([at[POWER_CUT], at[REFUGE]])  # case-insensitive
    assert positions(timeline, "label:timeline,followup is:starred", notes) == [at[POWER_CUT]]
    assert positions(timeline, "has:label -label:timeline", notes) == [at[POWER_CUT]]


def test_text_search_also_covers_the_analysts_notes(timeline, notes):
    at = timeline.position
    assert positions(timeline, '"foreign ministry" tag:siege', notes) == [at[SIEGE]]  # only in my note
    assert at[SIEGE] not in positions(timeline, '"foreign ministry"', Notes())
    assert at[SIEGE] not in positions(timeline, '-"foreign ministry"', notes)


def test_annotations_of_events_gone_are_kept_and_reported(timeline, notes):
    assert notes.orphans(timeline) == ["an-event-since-deleted"]
    assert "an-event-since-deleted" in notes.layer.events


def test_a_query_cache_follows_changes(timeline, notes):
    assert len(positions(timeline, "is:starred", notes)) == 2
    notes.change(SIEGE, starred=False)
    assert positions(timeline, "is:starred", notes) == [timeline.position[POWER_CUT]]


@pytest.mark.parametrize("query, message", [("is:stared", "'is:stared' is not known"),
                                            ("has:notes", "'has:notes' is not known"),
                                            ("label:", "needs a value")])
def test_bad_note_terms_are_refused(query, message):
    with pytest.raises(QueryError, match=message):
        parse_query(query)


# --- the sidecar on disk --------------------------------------------------------------------------

def test_the_sidecar_goes_beside_the_data(tmp_path):
    assert sidecar_for([str(tmp_path / "story.json")]) == tmp_path / "story.notes.json"
    assert sidecar_for([str(tmp_path / "big.jsonl")]) == tmp_path / "big.notes.json"


def test_the_bundled_datasets_sidecar_is_never_inside_the_package(monkeypatch, tmp_path):
    from tui.store.loader import bundled_path

    monkeypatch.setenv("TIMELINE_NOTES_DIR", str(tmp_path))
    assert sidecar_for([str(bundled_path())]) == tmp_path / "argentine-embassy-siege.notes.json"


def test_each_change_is_written_and_two_sessions_lose_nothing(story):
    path = sidecar_for([str(story)])
    a, b = NotesSession(Sidecar(path)), NotesSession(Sidecar(path))
    a.notes.change(SIEGE, starred=True)
    assert a.save() == []
    b.notes.change(REFUGE, note="from b")              # b never read a's star
    assert b.save() == []
    assert a.refresh()                                  # a takes b's note in
    a.notes.change(SIEGE, note="from a")
    a.save()
    b.notes.change(SIEGE, note="b overwrites")         # both changed the note: the last write wins
    assert b.save() == [f"note of event {SIEGE}"]
    final = decode(path.read_bytes())
    assert final.events[SIEGE].same(Annotation(True, "b overwrites"))
    assert final.events[REFUGE].note == "from b"


def test_a_sidecar_broken_meanwhile_is_backed_up_before_it_is_written(story):
    path = sidecar_for([str(story)])
    session = NotesSession(Sidecar(path))
    session.notes.change(SIEGE, starred=True)
    session.save()
    path.write_text('{"format": "timeline-notes/1", "events": {"x": ')  # someone's editor crashed
    session.notes.change(REFUGE, starred=True)
    report = session.save()
    backups = list(path.parent.glob("story.notes.json.broken-*"))
    assert len(backups) == 1 and backups[0].read_text().endswith('"x": ')
    assert str(backups[0]) in report[0]
    assert set(decode(path.read_bytes()).events) == {SIEGE, REFUGE}


def test_a_broken_sidecar_stops_the_explorer_naming_the_file_and_place(story, capsys):
    sidecar = sidecar_for([str(story)])
    sidecar.write_text('{"format": "timeline-notes/1",\n "events": {"a": {"starred": 1}}}')
    before = sidecar.read_bytes()
    assert main([str(story)]) == 2
    err = capsys.readouterr().err
    assert str(sidecar) in err and "$.events.a.starred" in err and "Traceback" not in err
    assert sidecar.read_bytes() == before


WRITER = textwrap.dedent("""
    import sys
    from tui.notes.session import NotesSession
    from tui.notes.sidecar import Sidecar

    session = NotesSession(Sidecar(sys.argv[1]))
    for i in range(10**6):
        for k in range(200):  # a big file, so that a kill often lands inside a write
            session.notes.change(f"event-{k}", note=f"version {i} " + "x" * 500, starred=bool(i % 2))
        session.save()
        print(i, flush=True)
""")


@pytest.mark.parametrize("writes", [1, 3, 7, 12])
def test_a_kill_in_the_middle_of_a_write_leaves_the_sidecar_whole(tmp_path, writes):
    path = tmp_path / "story.notes.json"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        for _ in range(writes):
            assert child.stdout.readline()
    finally:
        child.send_signal(signal.SIGKILL)  # the next write is under way
        child.wait()
    layer = decode(path.read_bytes())
    versions = {a.note.split()[1] for a in layer.events.values()}
    assert len(layer.events) == 200 and len(versions) == 1 and int(versions.pop()) >= writes - 1
    # the next writer removes what the killed one left half-written
    NotesSession(Sidecar(path)).save()
    assert [p.name for p in tmp_path.iterdir()] == ["story.notes.json"]


# --- timeline list ---------------------------------------------------------------------------------

def annotate(story: Path) -> Path:
    sidecar = sidecar_for([str(story)])
    sidecar.write_bytes(encode(Layer(
        {SIEGE: Annotation(True, "Check the time <script>", ("followup",)), "gone": Annotation(note="old")},
        {"siege": View("is:starred", SIEGE)})))
    return sidecar


def test_list_filters_on_notes_and_includes_them(story, capsys):
    annotate(story)
    assert main(["list", str(story), "--query", "is:starred", "--with-notes", "--format", "markdown"]) == 0
    out, err = capsys.readouterr()
    assert "besiege the Argentine embassy residence ★" in out
    assert "My labels: followup" in out and "My note: Check the time \\<script\\>" in out
    assert "1 annotation for events no longer in the data" in err
    assert main(["list", str(story), "--view", "siege", "--with-notes", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].endswith(",starred,my_note,my_labels") and rows[1].endswith(",yes,Check the time <script>,followup")


def test_list_json_with_notes_writes_a_valid_timeline_and_its_sidecar_beside(story, tmp_path, capsys):
    annotate(story)
    out = tmp_path / "out.json"
    assert main(["list", str(story), "--query", "tag:siege", "--with-notes", "--format", "json", "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    beside = decode((tmp_path / "out.notes.json").read_bytes())
    assert list(beside.events) == [SIEGE] and beside.views == {}
    capsys.readouterr()
    assert main(["list", str(story), "--with-notes", "--format", "json"]) == 2
    assert "needs -o FILE" in capsys.readouterr().err


def test_list_with_an_unknown_view_names_the_known_ones(story, capsys):
    annotate(story)
    assert main(["list", str(story), "--view", "nope"]) == 2
    assert "no saved view 'nope'" in capsys.readouterr().err


def test_list_never_writes_the_data_or_the_sidecar(story):
    sidecar = annotate(story)
    before = (story.read_bytes(), sidecar.read_bytes(), sorted(p.name for p in story.parent.iterdir()))
    main(["list", str(story), "--query", "is:starred", "--with-notes"])
    assert before == (story.read_bytes(), sidecar.read_bytes(), sorted(p.name for p in story.parent.iterdir()))
