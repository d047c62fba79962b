"""The command line: list (every format), actors, validate, --version, exit codes, -o, and the
safety of what it prints (issue 5 preview). Runs ``tui.cli.main`` in-process, plus a few real
subprocesses from an unrelated folder."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tui
import tui.store.loader as loader
from helpers_model import doc, write, write_jsonl
from tui.cli import main
from tui.store import bundled_path, load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bundled():
    return load()


def count(timeline, query: str) -> int:
    from tui.model import parse_query, run as run_query

    return len(run_query(timeline, parse_query(query)).positions)


def run(capsys, *argv, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """Run the command in-process; return (exit code, stdout, stderr)."""
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_clean_line(err: str) -> None:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(("timeline", "/")), err  # the command's name, or the file at fault


# --- list ---------------------------------------------------------------------------------------------

def test_list_table_is_the_default(capsys, bundled):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    assert out.splitlines()[0].split()[:4] == ["Date", "Event", "Actors", "Tags"]
    assert out.rstrip().endswith(f"{len(bundled)} of {len(bundled)} events")
    assert "20–21 Mar 2024" in out and "from 23 Nov 2024" in out
    assert "\x1b" not in out  # no colour when not a terminal


def test_list_table_with_filters(capsys, bundled):
    code, out, err = run(capsys, "list", "--tag", "icc", "--from", "2024-09", "--to", "Sep 2024")
    assert code == 0
    expected = count(bundled, 'tag:icc from:2024-09 to:"Sep 2024"')
    assert expected >= 1
    assert out.rstrip().endswith(f"{expected} of {len(bundled)} events")
    assert "Argentina asks the ICC" in out


def test_list_actor_note_goes_to_stderr(capsys):
    code, out, err = run(capsys, "list", "--actor", "gonzalez", "--format", "csv")
    assert code == 0
    assert err.startswith("timeline: note: actor 'gonzalez' matches 2 actors")
    rows = list(csv.DictReader(io.StringIO(out)))
    timeline = load()
    expected = [e.id for e in timeline.events if {"edmundo-gonzalez", "omar-gonzalez"} & set(e.actor_ids())]
    assert [r["id"] for r in rows] == expected


def test_list_markdown(capsys, bundled):
    code, out, err = run(capsys, "list", "--format", "markdown", "--query", "tag:icc")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# " + bundled.title.replace("(", r"\(").replace(")", r"\)")
    assert lines[2] == f"_{count(bundled, 'tag:icc')} of {len(bundled)} events, filtered by `tag:icc`._"
    assert "## September 2024" in lines
    assert any(line.startswith("- **6 Sep 2024**: Argentina asks the ICC") for line in lines)
    assert any(line.startswith("  - Source: [") and "](https://" in line for line in lines)
    assert any(line.startswith("  - > “") for line in lines)  # the quote, with its speaker and source


def test_list_csv(capsys):
    code, out, _ = run(capsys, "list", "--format", "csv", "--search", "power cut")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:5] == ["id", "date", "date_display", "date_text", "title"]
    assert len({len(r) for r in rows}) == 1
    ids = [r[0] for r in rows[1:]]
    assert "power-cut-2024-09-06" in ids
    assert len(ids) == len(set(ids)) > 1


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_list_json_is_a_valid_timeline_file(capsys, tmp_path, fmt):
    code, out, _ = run(capsys, "list", "--format", fmt, "--actor", "omar-gonzalez")
    assert code == 0
    path = write(tmp_path / f"out.{fmt}", out)
    again = load(path)
    original = load()
    expected = [e for e in original.events if "omar-gonzalez" in e.actor_ids()]
    assert [e.id for e in again.events] == [e.id for e in expected]
    assert again.events == expected
    assert again.warnings == []
    # only what the events reach: quotes of these events, their speakers, sources and via chains
    assert {q.id for q in again.quotes} == {q.id for e in expected for q in original.quotes_for(e.id)}
    assert set(again.actors) < set(original.actors)
    assert "(filtered: actor:omar-gonzalez)" in again.title


def test_list_json_of_everything_round_trips_exactly(capsys, tmp_path):
    code, out, _ = run(capsys, "list", "--format", "json")
    assert code == 0
    data = json.loads(out)
    original = json.loads(bundled_path().read_text(encoding="utf-8"))
    assert data["format"] == "timeline/1"
    for kind in ("actors", "sources", "quotes"):
        assert sorted(data[kind], key=lambda r: r["id"]) == sorted(original[kind], key=lambda r: r["id"]), kind
    assert sorted(data["events"], key=lambda r: r["id"]) == sorted(original["events"], key=lambda r: r["id"])


def test_list_from_stdin_and_from_jsonl(capsys, monkeypatch, tmp_path):
    code, out, _ = run(capsys, "list", "-", "--format", "csv", stdin=json.dumps(doc()).encode(),
                       monkeypatch=monkeypatch)
    assert code == 0 and [r["id"] for r in csv.DictReader(io.StringIO(out))] == ["second", "first"]
    jsonl = str(write_jsonl(tmp_path / "a.jsonl", doc()))
    code, out, _ = run(capsys, "list", jsonl, "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 3
    for fmt in ("json", "jsonl"):  # records read from JSON Lines are written back in either form
        code, out, _ = run(capsys, "list", jsonl, "--format", fmt)
        again = load(write(tmp_path / f"again.{fmt}", out))
        assert [(e.id, e.title, e.actor_roles()) for e in again.events] == \
            [("second", "Something else", [("party", "host")]), ("first", "Something happened", [("ana", None)])]


def test_list_several_files(capsys, tmp_path):
    other = {"format": "timeline/1", "title": "More", "events": [
        {"id": "later", "date": "2030", "title": "Later", "sources": ["paper"]}]}
    code, out, _ = run(capsys, "list", str(write(tmp_path / "a.json", doc())), str(write(tmp_path / "b.json", other)),
                       "--format", "csv")
    assert code == 0
    assert [r["id"] for r in csv.DictReader(io.StringIO(out))] == ["second", "first", "later"]


FILTERS = [
    [],
    ["--actor", "gonzalez"],
    ["--actor", "maduro", "--actor", "milei"],
    ["--tag", "siege,power-cut"],
    ["--from", "2024-09", "--to", "2024-09"],
    ["--to", "March 2024"],
    ["--search", "embassy", "--tag", "diplomacy"],
    ["--query", 'actor:milei,maduro -tag:icc "argentin"'],
    ["--query", "confidence:reported,disputed"],
    ["--tag", "no-such-tag"],
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: " ".join(f) or "all")
def test_list_json_pipes_into_validate(capsys, monkeypatch, filters):
    """`timeline list --format json … | timeline validate -` passes for any filter."""
    for fmt in ("json", "jsonl"):
        code, out, _ = run(capsys, "list", "--format", fmt, *filters)
        assert code == 0
        code, report, err = run(capsys, "validate", "-", stdin=out.encode(), monkeypatch=monkeypatch)
        assert (code, err) == (0, ""), report
        assert report.startswith("ok: <stdin>: ")
        assert "warning" not in report


def test_list_unreadable_input_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "list", str(tmp_path / "missing.json"))
    assert code == 2 and out == ""
    assert_one_clean_line(err)
    assert err == f"{tmp_path / 'missing.json'}: error: no such file\n"


def test_list_invalid_input_exits_2_with_every_problem(capsys, tmp_path):
    d = doc()
    d["events"][0]["title"] = 5
    d["quotes"][0]["speaker"] = "ghost"
    code, out, err = run(capsys, "list", str(write(tmp_path / "bad.json", d)))
    assert code == 2 and out == ""
    assert "events[0].title" in err and "quotes[0].speaker" in err and "Traceback" not in err


# --- -o / --output -----------------------------------------------------------------------------------

def test_output_writes_the_same_as_stdout(capsys, tmp_path):
    _, expected, _ = run(capsys, "list", "--format", "csv")
    target = tmp_path / "out.csv"
    code, out, err = run(capsys, "list", "--format", "csv", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]  # no temporary file left


def test_output_file_gets_normal_permissions(capsys, tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "out.csv"
        assert run(capsys, "list", "--format", "csv", "-o", str(target))[0] == 0
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_output_refuses_to_overwrite_without_force(capsys, tmp_path):
    target = write(tmp_path / "out.md", "keep me")
    code, out, err = run(capsys, "list", "--format", "markdown", "-o", str(target))
    assert code == 2
    assert_one_clean_line(err)
    assert "already exists; add --force" in err
    assert target.read_text() == "keep me"
    code, _, _ = run(capsys, "list", "--format", "markdown", "-o", str(target), "--force")
    assert code == 0 and target.read_text(encoding="utf-8").startswith("# Siege")


def test_output_is_atomic_when_writing_fails(capsys, tmp_path, monkeypatch):
    import tui.output

    target = write(tmp_path / "out.csv", "old content")

    def broken_render(*args, **kwargs):
        yield "id,date\n"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tui.output, "render", broken_render)
    code, out, err = run(capsys, "list", "--format", "csv", "-o", str(target), "--force")
    assert code == 2
    assert_one_clean_line(err)
    assert "No space left on device" in err
    assert target.read_text() == "old content"
    assert os.listdir(tmp_path) == ["out.csv"]


@pytest.mark.parametrize("force", [False, True])
def test_output_is_written_beside_then_given_its_name(capsys, tmp_path, monkeypatch, force):
    # a new name is taken with a hard link (which cannot replace a file), --force renames
    renames = []
    operation = "replace" if force else "link"
    real = getattr(os, operation)

    def spy(src, dst):
        renames.append((Path(src), Path(dst), Path(src).read_text(encoding="utf-8")))
        return real(src, dst)

    monkeypatch.setattr(os, operation, spy)
    target = tmp_path / "out.json"
    assert run(capsys, "list", "--format", "json", "-o", str(target), *(["--force"] if force else []))[0] == 0
    [(src, dst, content)] = renames
    assert src.parent == tmp_path and src != target and dst == target
    assert content == target.read_text(encoding="utf-8")


def test_output_refuses_to_overwrite_an_input_file(capsys, tmp_path):
    source = write(tmp_path / "in.json", doc())
    before = source.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(source)
    hard = tmp_path / "hard.json"
    os.link(source, hard)
    for target in (source, link, hard, tmp_path / "." / "in.json"):
        code, out, err = run(capsys, "list", str(source), "--format", "json", "-o", str(target), "--force")
        assert code == 2, target
        assert_one_clean_line(err)
        assert "refusing to write over an input file" in err
    assert source.read_bytes() == before


def test_output_refuses_to_overwrite_the_bundled_dataset(capsys, tmp_path, monkeypatch):
    copy = write(tmp_path / "bundled.json", bundled_path().read_bytes())
    monkeypatch.setattr(loader, "bundled_path", lambda: copy)
    code, _, err = run(capsys, "list", "--format", "json", "--tag", "icc", "-o", str(copy), "--force")
    assert code == 2 and "refusing to write over an input file" in err
    assert copy.read_bytes() == bundled_path().read_bytes()


@pytest.mark.parametrize("where, message", [("missing-dir/out.csv", "does not exist"), (".", "is a folder"),
                                            ("afile/out.csv", "cannot write")])
def test_output_to_a_bad_place(capsys, tmp_path, where, message):
    write(tmp_path / "afile", "x")
    code, _, err = run(capsys, "list", "--format", "csv", "-o", str(tmp_path / where))
    assert code == 2
    assert_one_clean_line(err)
    assert message in err


# --- actors ---------------------------------------------------------------------------------------

def test_actors(capsys):
    code, out, err = run(capsys, "actors")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["Id", "Name", "Kind", "Events", "Quotes", "First", "Last"]
    timeline = load()
    stats = timeline.actor_stats("omar-gonzalez")
    row = next(line for line in lines if line.startswith("omar-gonzalez "))
    assert "…" not in out  # no id, name or date is cut short
    assert re.search(rf"Omar González\s+person\s+{stats.events}\s+{stats.quotes}\s+{re.escape(stats.first.display())}\s+"
                     rf"{re.escape(stats.last.display())}", row), row
    assert sum(1 for line in lines if re.match(r"[a-z0-9][a-z0-9-]* ", line)) == len(timeline.actors)


def test_actors_with_no_events_show_a_dash(capsys, tmp_path):
    d = doc()
    d["actors"].append({"id": "idle", "name": "Idle", "kind": "other"})
    code, out, _ = run(capsys, "actors", str(write(tmp_path / "a.json", d)))
    assert code == 0
    assert re.search(r"^idle\s+Idle\s+other\s+0\s+0\s+—\s+—", out, re.M)


# --- validate ----------------------------------------------------------------------------------------

def test_validate_ok(capsys, bundled):
    code, out, err = run(capsys, "validate", str(bundled_path()))
    assert (code, err) == (0, "")
    assert out == (f"ok: {bundled_path()}: {len(bundled)} events, {len(bundled.actors)} actors, "
                   f"{len(bundled.sources)} sources, {len(bundled.quotes)} quotes\n")


def test_validate_ok_with_warnings(capsys, tmp_path):
    d = doc()
    d["events"][0]["sources"] = []
    path = write(tmp_path / "w.json", d)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert "warning: events[0]: event 'first' cites no source" in out
    assert out.splitlines()[-1].endswith(", 1 warning")


def test_validate_problems_exit_1_and_lists_them_all(capsys, tmp_path):
    d = doc()
    d["events"][0]["date"] = "2024-02-30"
    d["events"][1]["actors"].append("ghost")
    d["quotes"][0]["source"] = "nowhere"
    d["events"][0]["sources"] = []
    path = write(tmp_path / "bad.json", d)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert len(lines) == 5
    assert all(line.startswith(f"{path}:") for line in lines[:4])
    assert {"events[0].date:", "events[1].actors[1]:", "quotes[0].source:", "events[0]:"} == \
        {line.split(": ")[2] + ":" for line in lines[:4]}
    assert lines[-1] == "3 errors, 1 warning"


def test_validate_several_files_and_stdin(capsys, monkeypatch, tmp_path):
    good = write(tmp_path / "good.json", doc())
    assert run(capsys, "validate", str(good), str(good))[0] == 0
    code, out, _ = run(capsys, "validate", "-", stdin=b"{", monkeypatch=monkeypatch)
    assert code == 2 and out.startswith("<stdin>:1: error: is not valid JSON")


@pytest.mark.parametrize("content", [None, b"", b"\xff\xfe", b"not json", "folder"])
def test_validate_unreadable_exits_2(capsys, tmp_path, content):
    if content is None:
        path = tmp_path / "missing.json"
    elif content == "folder":
        path = tmp_path
    else:
        path = write(tmp_path / "x.json", content)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    assert "Traceback" not in out + err
    assert (out + err).count("\n") == 1 and (out + err).startswith(str(path))


# --- usage ----------------------------------------------------------------------------------------------

def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out == f"timeline-explorer {tui.__version__}\n"


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["list", "--format", "xml"], "invalid choice: 'xml'"),
        (["list", "--bogus"], "unrecognized arguments: --bogus"),
        (["list", "--from"], "expected one argument"),
        (["validate"], "the following arguments are required"),
        (["--bogus"], "unrecognized arguments"),
        (["list", "--from", "banana"], "bad filter: from: 'banana' is not a date"),
        (["list", "--to", "31 June 2024"], "bad filter"),
        (["list", "--from", "2024-10", "--to", "2024-09"], "the date range is reversed"),
        (["list", "--actor", "nobody-at-all"], "no actor matches 'nobody-at-all'"),
        (["list", "--query", 'tag:x "unclosed'], "a quote is not closed"),
        (["list", "--query", "foo:bar"], "unknown qualifier 'foo:'"),
        (["list", "--query", "confidence:sure"], "confidence 'sure'"),
        (["actors", "/no/such/file.json"], "no such file"),
        (["list", "--from", "12 June"], "has no year"),
        (["explore", "-"], "cannot read standard input"),
        (["explore", "--from", "banana"], "bad filter"),
    ],
)
def test_bad_usage_and_bad_filters_exit_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert_one_clean_line(err)
    assert fragment in err


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "list", "--help")
    assert code == 0 and "--format" in out


# --- real processes ----------------------------------------------------------------------------------------

def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("COLUMNS", None)
    return env


def _python(tmp_path, *args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=_env(), input=stdin, capture_output=True,
                          timeout=60)


def test_subprocess_list_pipes_into_validate_from_another_folder(tmp_path, bundled):
    listed = _python(tmp_path, "-m", "tui", "list", "--format", "json", "--actor", "gonzalez")
    assert listed.returncode == 0
    assert listed.stderr.decode().startswith("timeline: note: actor 'gonzalez' matches 2 actors")
    checked = _python(tmp_path, "-m", "tui", "validate", "-", stdin=listed.stdout)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.decode().startswith(f"ok: <stdin>: {count(bundled, 'actor:gonzalez')} events")


def test_subprocess_exit_codes_and_no_traceback(tmp_path):
    bad = _python(tmp_path, "-m", "tui", "list", "--from", "31 June 2024")
    assert bad.returncode == 2 and bad.stdout == b""
    assert bad.stderr.decode().count("\n") == 1 and b"Traceback" not in bad.stderr
    version = _python(tmp_path, "-m", "tui", "--version")
    assert (version.returncode, version.stdout.decode()) == (0, f"timeline-explorer {tui.__version__}\n")


def test_non_interactive_commands_never_import_textual(tmp_path):
    path = write(tmp_path / "t.json", doc())
    script = (
        "import sys, io, contextlib\n"
        "from tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    for argv in (['list'], ['list', '--format', 'markdown', '--actor', 'maduro'], ['list', '--format', 'csv'],\n"
        f"                 ['list', '--format', 'json'], ['actors'], ['validate', {str(path)!r}],\n"
        f"                 ['list', '--from', 'banana'], ['validate', 'missing.json']):\n"
        "        main(argv)\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n"
        "print('clean')\n"
    )
    result = _python(tmp_path, "-c", script)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == "clean\n"


def test_importing_the_model_does_not_import_textual(tmp_path):
    result = _python(tmp_path, "-c", "import sys, tui.store; tui.store.load(); "
                                     "assert not [m for m in sys.modules if m.startswith('textual')]; print('ok')")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"ok\n"


# --- output safety (issue 5 preview) -------------------------------------------------------------------------

ESC, BEL, CSI_C1, OSC_C1 = "\x1b", "\x07", "\x9b", "\x9d"
HOSTILE = {
    "ansi": f"{ESC}[31mRED{ESC}[0m",
    "clear": f"{ESC}[2J{ESC}[H",
    "osc52": f"{ESC}]52;c;ZXZpbA=={BEL}",
    "osc8": f"{ESC}]8;;http://evil.example{ESC}\\link{ESC}]8;;{ESC}\\",
    "c1": f"{CSI_C1}31m{OSC_C1}0;title{BEL}\x85",
    "bidi": "abc\u202edcba\u2066x\u2069\u200f",
    "zero-width": "a\u200bb\u200dc\ufeff",
    "c0": "nul\x00 bs\x08 cr\r del\x7f vt\x0b",
    "separators": "line\u2028para\u2029",
    "markup": "[bold]bold[/bold] [/] [link=http://evil.example]x[/link] [@click=app.quit]y[/]",
}
FORMULAS = {"=": "=HYPERLINK(\"http://evil.example\",\"x\")", "+": "+1+1", "-": "-2+3", "@": "@SUM(A1)"}


def hostile_doc() -> dict:
    bad = " ".join(HOSTILE.values())
    return {
        "format": "timeline/1",
        "title": "Hostile " + bad,
        "description": bad,
        "actors": [{"id": "villain", "name": "Villain " + bad, "kind": "person", "aliases": [bad]},
                   {"id": "formula", "name": FORMULAS["@"], "kind": "person"}],
        "sources": [{"id": "src", "kind": "article", "title": "Source " + bad, "publisher": bad,
                     "url": "https://example.org/" + HOSTILE["ansi"] + "?q=[x](y)"},
                    {"id": "src2", "kind": "social-post", "title": bad, "url": "javascript:alert(1)" + HOSTILE["osc8"],
                     "via": "src"}],
        "events": [
            {"id": "e1", "date": "2024-09-06", "date_text": bad, "title": "Event " + bad, "summary": bad,
             "place": bad, "note": bad, "tags": [HOSTILE["ansi"], HOSTILE["markup"]],
             "actors": ["villain", {"actor": "formula", "role": bad}], "sources": ["src", "src2"],
             "confidence": "disputed"},
            {"id": "e2", "date": "2024-09-07", "title": FORMULAS["="], "summary": FORMULAS["+"],
             "place": FORMULAS["-"], "note": FORMULAS["@"], "date_text": "\t=1+2", "sources": ["src"],
             "actors": ["formula"]},
        ],
        "quotes": [{"id": "q", "text": bad, "speaker": "villain", "source": "src2", "event": "e1", "original": bad}],
    }


_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]")


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    return write(path, hostile_doc(), indent=None)


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_no_control_character_from_data_reaches_the_output(capsys, hostile_file, fmt):
    code, out, err = run(capsys, "list", str(hostile_file), "--format", fmt)
    assert code == 0, err
    found = _UNSAFE.findall(out)
    assert found == [], [hex(ord(c)) for c in found]
    # made visible, not dropped
    assert ("␛\\[31mRED␛\\[0m" if fmt == "markdown" else "␛[31mRED␛[0m") in out
    assert ("U\\+202E" if fmt == "markdown" else "<U+202E>") in out
    assert ("U\\+009B" if fmt == "markdown" else "<U+009B>") in out


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_markup_is_shown_literally(capsys, hostile_file, fmt):
    code, out, _ = run(capsys, "list", str(hostile_file), "--format", fmt)
    assert code == 0
    assert "[bold]bold[/bold] [/]" in out and "[@click=app.quit]y[/]" in out
    assert "[link=http://evil.example]x[/l" in out
    assert "…" not in out  # the table folds long words onto the next line: nothing is cut


def test_markdown_escapes_markup_and_links_only_http(capsys, hostile_file):
    code, out, _ = run(capsys, "list", str(hostile_file), "--format", "markdown")
    assert code == 0
    assert r"\[bold\]bold\[/bold\] \[/\]" in out
    assert "](javascript:" not in out and "javascript:alert" in out  # shown, not linked
    link = re.search(r"\]\((https://example\.org/[^)\s]*)\)", out)
    assert link and "[" not in link.group(1) and "␛" not in link.group(1)


def test_actors_command_is_safe_too(capsys, hostile_file):
    code, out, _ = run(capsys, "actors", str(hostile_file))
    assert code == 0
    assert _UNSAFE.findall(out) == []
    assert "[bold]" in out


def test_csv_defuses_formulas(capsys, hostile_file):
    code, out, _ = run(capsys, "list", str(hostile_file), "--format", "csv")
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    row = rows["e2"]
    assert row["title"] == "'" + FORMULAS["="]
    assert row["summary"] == "'" + FORMULAS["+"]
    assert row["place"] == "'" + FORMULAS["-"]
    assert row["note"] == "'" + FORMULAS["@"]
    assert row["actors"] == "'" + FORMULAS["@"]
    for r in rows.values():
        for value in r.values():
            assert not value or value[0] not in "=+-@\t\r", value


def test_json_output_is_exact(capsys, hostile_file):
    code, out, _ = run(capsys, "list", str(hostile_file), "--format", "json")
    assert code == 0
    data = json.loads(out)
    original = hostile_doc()
    assert data["events"] == original["events"]
    assert data["actors"] == original["actors"]
    assert data["sources"] == original["sources"]
    assert data["quotes"] == original["quotes"]
    assert data["description"] == original["description"]
    # exact data, yet nothing in it a terminal would act on: controls, C1, bidi are \\u escapes
    assert _UNSAFE.findall(out.replace("\n", "")) == []
    assert "\\u001b[31mRED" in out and "\\u009b" in out and "\\u202e" in out


def test_jsonl_output_is_exact_and_splits_into_lines_anywhere(capsys, hostile_file):
    code, out, _ = run(capsys, "list", str(hostile_file), "--format", "jsonl")
    assert code == 0
    lines = out.splitlines()  # str.splitlines also splits at U+2028, U+0085, ...
    assert lines == out.split("\n")[:-1]
    records = [json.loads(line) for line in lines]
    original = hostile_doc()
    assert [r for r in records if r.get("type") == "event"] == [{"type": "event", **e} for e in original["events"]]
    assert records[0]["title"] == original["title"]


def test_problems_and_notes_never_print_controls_from_data(capsys, tmp_path):
    d = doc()
    d["quotes"][0]["speaker"] = "\x1b[2Jghost"
    d["events"][1]["id"] = "bad\x9bid"
    d["events"][1]["date"] = "2024\x1b]52;c;eA==\x07"
    d["events"][0]["colour\u202e"] = 1
    path = write(tmp_path / "bad.json", d)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    assert _UNSAFE.findall(out.replace("\n", "")) == []
    assert "unknown actor '␛[2Jghost'" in out and "bad<U+009B>id" in out and "colour<U+202E>" in out
    code, out, err = run(capsys, "list", str(path))
    assert code == 2 and out == "" and err.count("\n") == 4  # one line per problem
    assert _UNSAFE.findall(err.replace("\n", "")) == []
    # JSON Lines problems name the record by its id
    lines = write_jsonl(tmp_path / "bad.jsonl", doc(events=[{"id": "e\x1b[2J", "date": "2024", "title": "t",
                                                                 "sources": ["nowhere"]}]))
    code, out, _ = run(capsys, "validate", str(lines))
    assert code == 1 and _UNSAFE.findall(out.replace("\n", "")) == [] and "e␛[2J" in out
    # a note that lists actors by name
    names = doc(actors=[{"id": "z1", "name": "Zed \x1b]52;c;eA==\x07 One", "kind": "person"},
                        {"id": "z2", "name": "Zed \u202e Two", "kind": "person"}],
                events=[{"id": "e", "date": "2024", "title": "t", "actors": ["z1", "z2"]}], sources=[], quotes=[])
    code, out, err = run(capsys, "list", str(write(tmp_path / "names.json", names)), "--actor", "zed")
    assert code == 0 and "matches 2 actors" in err
    assert _UNSAFE.findall(err.replace("\n", "")) == [] and "<U+202E>" in err


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json", "jsonl"])
def test_non_utf8_command_line_does_not_crash_the_output(capsys, fmt):
    # Python decodes a non-UTF-8 argument as lone surrogates ("\xff" -> "\udcff")
    code, out, err = run(capsys, "list", "--format", fmt, "--query", "tag:icc -\udcff")
    assert code == 0, err
    out.encode("utf-8")  # writable as UTF-8
    if fmt == "markdown":
        assert "<U+DCFF>" in out
    if fmt == "json":
        assert json.loads(out)["title"].endswith("(filtered: tag:icc -\udcff)")
    code, out, err = run(capsys, "list", "--actor", "\udcff")
    assert code == 2 and "<U+DCFF>" in err
    err.encode("utf-8")


@pytest.mark.parametrize("command", [["list"], ["validate", "-"], ["actors"]])
def test_running_out_of_memory_is_one_line_not_a_traceback(monkeypatch, capsys, command):
    def too_big(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("tui.store.loader._load", too_big)  # deep inside load()
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert "does not fit in this machine's memory" in out + err
    assert "Traceback" not in out + err


def test_output_never_replaces_a_file_that_appears_while_writing(tmp_path):
    from tui.cli import CommandError, write_atomically

    target = tmp_path / "out.csv"

    def chunks():
        yield "a,b\n"
        target.write_text("someone else's file")  # appears after the existence check
        yield "1,2\n"

    with pytest.raises(CommandError, match="already exists"):
        write_atomically(str(target), chunks(), force=False, inputs=[])
    assert target.read_text() == "someone else's file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


# --- the on-disk cache of big files ------------------------------------------------------------------

def test_list_writes_the_cache_of_a_big_file_and_reads_it_next_time(capsys, monkeypatch, tmp_path):
    from tui.store import cache

    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)  # the copy counts as big
    path = tmp_path / "big.json"
    path.write_bytes(bundled_path().read_bytes())
    argv = ("list", str(path), "--search", "embassy", "--format", "json")
    code, first, _ = run(capsys, *argv)
    assert code == 0 and cache.cache_path(path).is_file()
    restored = []
    real = cache.restore
    monkeypatch.setattr(loader, "restore", lambda p, reread: restored.append(real(p, reread)) or restored[-1])
    code, second, _ = run(capsys, *argv)
    assert code == 0 and second == first
    assert restored and restored[0] is not None and restored[0].from_cache
    assert path.read_bytes() == bundled_path().read_bytes()


def test_no_cache_neither_reads_nor_writes(capsys, monkeypatch, tmp_path):
    from tui.store import cache

    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    path = tmp_path / "big.json"
    path.write_bytes(bundled_path().read_bytes())
    for command in ("list", "actors", "validate"):
        assert run(capsys, command, str(path), "--no-cache")[0] == 0
        assert not cache.cache_path(path).exists()
    assert run(capsys, "actors", str(path))[0] == 0
    assert cache.cache_path(path).exists()
    monkeypatch.setattr(loader, "restore", lambda *args: pytest.fail("read the cache"))
    assert run(capsys, "list", str(path), "--no-cache")[0] == 0


def test_validate_always_reads_the_file_itself(capsys, monkeypatch, tmp_path):
    from tui.store import cache

    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    path = tmp_path / "big.json"
    path.write_bytes(bundled_path().read_bytes())
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0 and out.startswith("ok:") and cache.cache_path(path).exists()  # written for the explorer
    monkeypatch.setattr(loader, "restore", lambda *args: pytest.fail("validate read the cache"))
    code, again, _ = run(capsys, "validate", str(path))
    assert code == 0 and again == out
