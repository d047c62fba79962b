"""``timeline actors``: every format (table, json, jsonl, csv) lists every actor once, in the
file's order, with the same counts and dates; user data stays text; rows are streamed (the
first row reaches a reader while later rows are still being computed); a closed or broken
standard output ends in one line (or quietly, for a reader gone) and a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from helpers_model import write
from tui import actors_output
from tui.cli import main
from tui.model.timeline import Timeline
from tui.store import load

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "argentine-embassy-siege.json"
TIMEOUT = 60
ESC = "\x1b"
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","x")', "+1+1", "<script>alert(1)</script>",
                 "[/] [bold]b[/bold]", f"{ESC}[31mRED{ESC}[0m", "tab\there", "line\nbreak"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def many_actors(n: int) -> dict:
    """A valid timeline with ``n`` actors, each in one or two of a few events, some quoted."""
    actors = [{"id": f"a{i}", "name": f"Actor {i}", "kind": "person"} for i in range(n)]
    events = [{"id": f"e{k}", "date": f"2024-01-{k % 28 + 1:02d}", "title": f"Event {k}",
               "actors": [f"a{i}" for i in range(k, n, 10)]} for k in range(10)]
    return {"format": "timeline/1", "title": "Many", "actors": actors, "sources": [], "events": events,
            "quotes": []}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    doc = {"format": "timeline/1", "title": "Hostile", "sources": [], "quotes": [],
           "actors": [{"id": f"h{i}", "name": name, "kind": "person"} for i, name in enumerate(HOSTILE_NAMES)],
           "events": [{"id": "e1", "date": "2024-09-06?", "title": "t", "actors": ["h0", "h3"]},
                      {"id": "e2", "date": "2024-09/2024-10", "title": "t", "actors": ["h0"]}]}
    return write(tmp_path_factory.mktemp("hostile") / "hostile.json", doc), doc


def _expected(timeline):
    return [(a.id, a.name, a.kind, timeline.actor_stats(a.id)) for a in timeline.actors.values()]


# --- every format, in order --------------------------------------------------------------------------

def test_json_is_one_array_of_every_actor_in_order(capsys):
    code, out, err = run(capsys, "actors", "--format", "json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    expected = _expected(load())
    assert [r["id"] for r in rows] == [e[0] for e in expected]
    for row, (actor_id, name, kind, stats) in zip(rows, expected):
        assert row == {"id": actor_id, "name": name, "kind": kind, "events": stats.events, "quotes": stats.quotes,
                       "first": stats.first.text if stats.first else None,
                       "last": stats.last.text if stats.last else None}
    assert any(r["first"] is None for r in rows) and any(r["events"] > 1 for r in rows)


def test_jsonl_is_the_same_records_one_a_line(capsys):
    _, as_json, _ = run(capsys, "actors", "--format", "json")
    code, out, _ = run(capsys, "actors", "--format", "jsonl")
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == json.loads(as_json)


def test_csv_has_stored_and_shown_dates(capsys):
    code, out, _ = run(capsys, "actors", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == actors_output.CSV_COLUMNS
    expected = _expected(load())
    assert [r["id"] for r in rows] == [e[0] for e in expected]
    for row, (_, name, _, stats) in zip(rows, expected):
        assert row["name"] == name and int(row["events"]) == stats.events and int(row["quotes"]) == stats.quotes
        assert row["first"] == (stats.first.text if stats.first else "")
        assert row["first_display"] == (stats.first.display() if stats.first else "")
        assert row["last_display"] == (stats.last.display() if stats.last else "")


def test_the_table_lists_the_same_actors_in_the_same_order(capsys):
    code, out, _ = run(capsys, "actors")
    assert code == 0
    starts = [line.split()[0] for line in out.splitlines()[1:] if re.match(r"[a-z0-9][a-z0-9-]* ", line)]
    assert starts == [e[0] for e in _expected(load())]


def test_an_empty_list_is_still_a_valid_document(capsys, tmp_path):
    path = write(tmp_path / "none.json", {"format": "timeline/1", "title": "t", "actors": [], "sources": [],
                                          "events": [], "quotes": []})
    assert json.loads(run(capsys, "actors", str(path), "--format", "json")[1]) == []
    assert run(capsys, "actors", str(path), "--format", "jsonl")[1] == ""
    assert run(capsys, "actors", str(path), "--format", "csv")[1].splitlines() == [",".join(actors_output.CSV_COLUMNS)]
    assert run(capsys, "actors", str(path))[1].split() == list(actors_output.HEADERS)


def test_output_to_a_file(capsys, tmp_path):
    target = tmp_path / "actors.csv"
    assert run(capsys, "actors", "--format", "csv", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == run(capsys, "actors", "--format", "csv")[1]
    code, _, err = run(capsys, "actors", "--format", "csv", "-o", str(target))
    assert code == 2 and "already exists" in err


# --- user data is text ------------------------------------------------------------------------------

def test_json_carries_every_name_exactly(capsys, hostile):
    path, doc = hostile
    code, out, _ = run(capsys, "actors", str(path), "--format", "json")
    assert code == 0 and ESC not in out  # escaped in the JSON, not raw
    assert [r["name"] for r in json.loads(out)] == HOSTILE_NAMES
    first = json.loads(out)[0]
    assert {first["first"], first["last"]} == {"2024-09/2024-10", "2024-09-06?"}  # the dates as stored


def test_csv_defuses_formulas_and_shows_controls(capsys, hostile):
    path, _ = hostile
    code, out, _ = run(capsys, "actors", str(path), "--format", "csv")
    assert code == 0 and ESC not in out
    names = [r["name"] for r in csv.DictReader(io.StringIO(out))]
    assert names[0] == "'" + HOSTILE_NAMES[0] and names[1] == "'+1+1"
    assert names[2] == "<script>alert(1)</script>" and names[3] == "[/] [bold]b[/bold]"
    assert names[4] == "␛[31mRED␛[0m"


@pytest.mark.parametrize("columns", [20, 120])
def test_the_table_shows_names_literally(capsys, monkeypatch, hostile, columns):
    path, _ = hostile
    monkeypatch.setattr(actors_output, "SAMPLE", 2)  # later rows come after the table is laid out
    out = "".join(actors_output.render(load([str(path)]), "table", width=columns))
    assert ESC not in out and "\t" not in out
    flat = " ".join(out.split())
    for shown in ('=HYPERLINK("http://evil.example","x")', "<script>alert(1)</script>", "[/] [bold]b[/bold]",
                  "␛[31mRED␛[0m", "line break"):
        assert shown in flat or shown.replace(" ", "") in "".join(out.split())


def test_a_field_is_told_shown_as_is_only_when_the_table_shows_it_unchanged():
    """The table sizes its columns by 50,000 names without making each visible: what it
    takes as shown unchanged (``shown_as_is``, alone or a column at once) must be so."""
    from tui.model.text import CLIP_LIMIT, all_shown_as_is, clip, one_line, shown_as_is

    chars = [chr(cp) for cp in (*range(0x3000), *range(0xD7F0, 0xE010), *range(0xFE00, 0x10000),
                                *range(0x1F300, 0x1F400), 0xE0001, 0x10FFFF)]
    texts = [*chars, *HOSTILE_NAMES, "Agustín Álvarez", "❤\ufe0f", "👍\U0001f3fd", "x" * CLIP_LIMIT,
             "é" * (CLIP_LIMIT + 1), "a\u202eb", "nbsp\u00a0here", ""]
    told = [text for text in texts if shown_as_is(text)]
    assert told and all(one_line(clip(text)) == text for text in told)
    assert len(told) < len(texts)  # some are not: controls, bidi, emoji modifiers, too long
    assert all_shown_as_is(told) and not any(all_shown_as_is([*told, text]) for text in texts if text not in told)


def test_a_later_date_longer_than_its_column_wraps_inside_it(monkeypatch, tmp_path):
    doc = many_actors(3)
    doc["events"].append({"id": "late", "date": "2024-09-06T20:00:00Z/2024-09-07T06:30:00Z", "title": "t",
                          "actors": ["a2"]})
    monkeypatch.setattr(actors_output, "SAMPLE", 1)
    lines = "".join(actors_output.render(load([str(write(tmp_path / "t.json", doc))]), "table")).splitlines()
    col = lines[0].index("Last")
    row = next(i for i, line in enumerate(lines) if line.startswith("a2 "))
    below = lines[row + 1:]
    assert below and all(line[:col].strip() == "" and len(line) - col <= 11 for line in below)  # inside it
    assert " ".join(line[col:].strip() for line in lines[row:]) == "6 Sep 2024 20:00:00 UTC – 7 Sep 2024 06:30:00 UTC"


# --- streamed -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", actors_output.FORMATS)
def test_the_first_row_is_yielded_before_later_rows_are_computed(monkeypatch, tmp_path, fmt):
    timeline = load([str(write(tmp_path / "many.json", many_actors(3000)))])
    asked = []
    real = Timeline.actor_stats
    monkeypatch.setattr(Timeline, "actor_stats", lambda self, a: asked.append(a) or real(self, a))
    monkeypatch.setattr(actors_output, "SAMPLE", 50)
    chunks = actors_output.render(timeline, fmt)
    seen = ""
    while "a0" not in seen:
        chunk = next(chunks)
        seen += chunk.decode() if isinstance(chunk, bytes) else chunk
    assert len(asked) <= 50 + 1 < len(timeline.actors)
    rest = "".join(c.decode() if isinstance(c, bytes) else c for c in chunks)
    assert len(asked) == len(timeline.actors)
    if fmt == "json":
        assert len(json.loads(seen + rest)) == 3000


GATED = r"""
import os, sys
from tui.model.timeline import Timeline
real, gate, seen = Timeline.actor_stats, int(sys.argv[1]), []
def stats(self, actor_id):
    seen.append(actor_id)
    if len(seen) == int(sys.argv[2]):
        os.read(gate, 1)  # wait here, mid-list, until the test says go on
    return real(self, actor_id)
Timeline.actor_stats = stats
from tui.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _gated(path: Path, fmt: str, stop_at: int):
    """``timeline actors`` in a child that stops computing rows at the ``stop_at``-th actor
    until a byte is written to the returned gate; its stdout is a pipe."""
    gate_read, gate_write = os.pipe()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("COLUMNS", None)
    child = subprocess.Popen([sys.executable, "-c", GATED, str(gate_read), str(stop_at), "actors", str(path),
                              "--format", fmt, "--no-cache"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(gate_read,), env=env)
    os.close(gate_read)
    return child, gate_write


def _read_lines(stream, n: int) -> bytes:
    """At least ``n`` lines from a pipe, or a failure after TIMEOUT (never a hang)."""
    got = b""
    while got.count(b"\n") < n:
        ready, _, _ = select.select([stream], [], [], TIMEOUT)
        assert ready, f"no line came: {got!r}"
        chunk = os.read(stream.fileno(), 65536)
        assert chunk, f"the output ended: {got!r}"
        got += chunk
    return got


@pytest.mark.parametrize("fmt", actors_output.FORMATS)
def test_a_reader_gets_the_first_row_while_later_rows_are_still_to_be_computed(tmp_path, fmt):
    path = write(tmp_path / "many.json", many_actors(actors_output.SAMPLE + 200))
    child, gate = _gated(path, fmt, actors_output.SAMPLE + 100)
    try:
        head = _read_lines(child.stdout, 1 if fmt == "jsonl" else 2)  # a header (or "["), then a row
        assert child.poll() is None  # still waiting at the gate: the rest is not computed yet
        assert b"a0" in head and f"a{actors_output.SAMPLE + 100}".encode() not in head
        os.write(gate, b"go")
        rest, err = child.communicate(timeout=TIMEOUT)
    finally:
        os.close(gate)
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    out = (head + rest).decode()
    if fmt == "json":
        assert [r["id"] for r in json.loads(out)] == [f"a{i}" for i in range(actors_output.SAMPLE + 200)]
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(out)))) == actors_output.SAMPLE + 200


@pytest.mark.parametrize("fmt", actors_output.FORMATS)
def test_a_reader_that_goes_away_mid_list_is_a_quiet_non_zero_exit(tmp_path, fmt):
    path = write(tmp_path / "many.json", many_actors(actors_output.SAMPLE + 200))
    child, gate = _gated(path, fmt, actors_output.SAMPLE + 100)
    try:
        _read_lines(child.stdout, 1)
        child.stdout.close()  # like `timeline actors | head -1`
        os.write(gate, b"go")
        _, err = child.communicate(timeout=TIMEOUT)
    finally:
        os.close(gate)
        if child.poll() is None:
            child.kill()
    assert child.returncode == 141 and err == b""


@pytest.mark.parametrize("fmt", actors_output.FORMATS)
def test_a_closed_or_full_standard_output_is_one_line(fmt):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    closed = subprocess.run([sys.executable, "-m", "tui", "actors", "--format", fmt], env=env, timeout=TIMEOUT,
                            stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 2
    assert closed.stderr == b"timeline: cannot write the output: standard output is closed\n"
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "tui", "actors", "--format", fmt], env=env, timeout=TIMEOUT,
                              stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr == b"timeline: cannot write to standard output: No space left on device\n"
