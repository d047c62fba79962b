"""The sourcing report (``validate --sourcing``, ``model/sourcing_report.py``): one small file per
warning in ``tests/fixtures/sourcing/``, the count of independent sources (syndicated
copies, ``via`` chains, posts), where warnings are placed (JSON, JSON Lines, standard
input, a big file read back), the JSON form, the exit codes, and the bundled story."""

from __future__ import annotations

import copy
import io
import json
import re
import sys
from pathlib import Path

import pytest

from tui.store import loader
from helpers_model import line_of, write, write_jsonl
from tui.cli import main
from tui.store.loader import bundled_path, load
from tui.model.sourcing_report import CHECKS, SourcingReport

FIXTURES = Path(__file__).parent / "fixtures" / "sourcing"
WARNING = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): warning: (?P<path>[^:]+): (?P<message>.*)$")


def run(capsys, *argv, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def warnings(out: str) -> list[tuple[int, str, str]]:
    """(line, path, message) of each placed warning printed."""
    return [(int(m["line"]), m["path"], m["message"]) for m in map(WARNING.match, out.splitlines()) if m]


def report(name: str):
    return SourcingReport(load(FIXTURES / name)).report(names=True)


# --- one file per warning ----------------------------------------------------------------------

def test_clean_file_has_no_warning_and_a_summary(capsys):
    code, out = run(capsys, "validate", "--sourcing", "--strict", str(FIXTURES / "clean.json"))
    assert code == 0
    assert warnings(out) == []
    assert "sourcing: 1 event, 0 on one independent source, 0 with none, 0 with no URL; 0 warnings" in out
    table = out.splitlines()
    assert table[0].split() == ["Date", "Independent", "URL", "First", "published", "Event"]
    assert table[1].split() == ["6", "Sep", "2024", "2", "yes", "6", "Sep", "2024", "speech"]


def test_confirmed_on_one_independent_source(capsys):
    path = FIXTURES / "single-source.json"
    code, out = run(capsys, "validate", "--sourcing", str(path))
    assert code == 0  # warnings alone do not fail
    found = warnings(out)
    assert [(line, p) for line, p, _ in found] == [
        (line_of(path, '"id": "by-default"'), "events[0]"), (line_of(path, '"id": "said-so"'), "events[1]")]
    assert "rests on one independent source (AFP)" in found[0][2]  # three copies count once
    assert not any("only-reported" in m for _, _, m in found)
    assert "2 confirmed on one independent source" in out
    assert run(capsys, "validate", "--sourcing", "--strict", str(path))[0] == 1


def test_no_url_in_the_chain(capsys):
    path = FIXTURES / "no-url.json"
    _, out = run(capsys, "validate", "--sourcing", str(path))
    found = warnings(out)
    assert [p for _, p, _ in found] == ["events[0].sources[0]", "events[0].sources[1]"]
    assert "chain of 'post' has an http(s) URL (post -> statement)" in found[0][2]
    assert "(archive)" in found[1][2]  # ftp:// is not a link; 'paper' has one, and is not named
    assert report("no-url.json").with_url[0] == 1  # the event itself can be clicked through


def test_translation_without_original(capsys):
    path = FIXTURES / "translation.json"
    _, out = run(capsys, "validate", "--sourcing", str(path))
    assert warnings(out) == [(line_of(path, '"id": "bare"'), "quotes[0].language",
                              "quote 'bare' is in 'en' but its source 'post' is in 'es', and it has no "
                              "'original' (a translation shown as verbatim)")]


def test_speaker_neither_in_the_event_nor_the_source(capsys):
    path = FIXTURES / "speaker.json"
    _, out = run(capsys, "validate", "--sourcing", str(path))
    # the ministry (an actor of the event, the communiqué's author) and the outlet quoting
    # itself (publisher "THE DÁILY" = actor "The Daily") pass; the minister does not
    assert warnings(out) == [(line_of(path, '"id": "credited-to-minister"'), "quotes[0].speaker",
                              "speaker 'minister' is neither an actor of event 'rejected' nor the author or "
                              "publisher of source 'communique'")]


def test_source_published_before_the_event(capsys):
    path = FIXTURES / "published-early.json"
    _, out = run(capsys, "validate", "--sourcing", str(path))
    found = warnings(out)
    # "2024-09" may be after the 6th; "2024-09-05~" is only about then: neither shows it came first
    assert [p for _, p, _ in found] == ["events[0].sources[0]", "events[0].sources[2]"]
    assert found[0][2] == ("source 'day-before' was published 5 Sep 2024, before the event it reports on "
                           "(6 Sep 2024 20:00–20:30)")
    assert "6 Sep 2024 17:00" in found[1][2]


def test_note_naming_an_outlet_that_is_no_source(capsys):
    path = FIXTURES / "note-outlet.json"
    _, out = run(capsys, "validate", "--sourcing", str(path))
    # "EL PAIS" is the event's own source (accents and case ignored), "X" a platform,
    # "Le Mondeville" not the word "Le Monde"; event 'two' stands on Le Monde through a via link
    assert warnings(out) == [(line_of(path, '"note": "EL PAIS'), "events[0].note",
                              "the note names Le Monde, which publishes none of this event's sources")]


def test_a_note_may_name_the_outlet_of_the_event_s_quote():
    data = json.loads((FIXTURES / "note-outlet.json").read_text(encoding="utf-8"))
    data["actors"].append({"id": "monde-actor", "name": "Le Monde", "kind": "organization"})
    data["quotes"] = [{"id": "q", "text": "Oui", "speaker": "monde-actor", "source": "monde", "event": "one"}]
    t = loader.load(write_tmp(data))
    assert [f.check for f in SourcingReport(t).report().findings] == []


def write_tmp(data) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    return write(folder / "t.json", data)


# --- counting independent sources ---------------------------------------------------------------

def test_syndicated_copies_count_once():
    r = report("single-source.json")
    assert list(r.independent) == [1, 1, 1]
    assert r.names[0] == ("AFP",)  # the first spelling met is the one shown


def test_via_chains_end_where_a_source_is_known_from(tmp_path):
    data = {
        "format": "timeline/1", "title": "Chains",
        "actors": [{"id": "ana", "name": "Ana", "kind": "person"}, {"id": "bo", "name": "Bo", "kind": "person"}],
        "sources": [
            {"id": "wire", "kind": "article", "title": "Wire", "publisher": "Wire", "url": "https://w.example"},
            {"id": "paper", "kind": "article", "title": "Paper", "publisher": "Paper", "via": "wire"},
            {"id": "post", "kind": "social-post", "title": "Post", "publisher": "X", "author": "ana", "via": "paper"},
            {"id": "ana-own", "kind": "social-post", "title": "Ana", "publisher": "X", "author": "ana",
             "url": "https://x.example/ana"},
            {"id": "bo-own", "kind": "social-post", "title": "Bo", "publisher": "X", "author": "bo",
             "url": "https://x.example/bo"},
            {"id": "leaflet", "kind": "other", "title": "A leaflet", "url": "https://l.example"},
            {"id": "letter", "kind": "statement", "title": "A letter", "author": "bo"},
        ],
        "events": [
            # post -> paper -> wire, paper -> wire and wire: all known from the wire
            {"id": "chain", "date": "2024-01-01", "title": "A", "sources": ["post", "paper", "wire"]},
            # two people's posts on one platform are two sources
            {"id": "posts", "date": "2024-01-02", "title": "B", "sources": ["ana-own", "bo-own"]},
            # no publisher: the author stands for the source, else the source itself
            {"id": "unpublished", "date": "2024-01-03", "title": "C", "sources": ["leaflet", "letter", "bo-own"]},
        ],
    }
    t = load(write(tmp_path / "chains.json", data))
    r = SourcingReport(t).report(names=True)
    assert list(r.independent) == [1, 2, 3]
    assert r.names == [("Wire",), ("Ana on X", "Bo on X"), ("A leaflet", "Bo", "Bo on X")]
    assert SourcingReport(t).facts("post").length == 3
    assert SourcingReport(t).event(t.events[1]).describe() == "2 independent sources"


def test_earliest_published_follows_the_chains(tmp_path):
    data = {
        "format": "timeline/1", "title": "First report",
        "sources": [
            {"id": "late", "kind": "article", "title": "Late", "publisher": "L", "published": "2024-02",
             "url": "https://l.example"},
            {"id": "post", "kind": "social-post", "title": "Post", "publisher": "X",
             "published": "2024-01-05T10:00", "via": "late"},
        ],
        "events": [{"id": "e", "date": "2024-01-05", "title": "E", "sources": ["late", "post"]},
                   {"id": "none", "date": "2024-01-06", "title": "F", "sources": ["late"]}],
    }
    r = SourcingReport(load(write(tmp_path / "first.json", data))).report()
    assert [d.text for d in r.first] == ["2024-01-05T10:00", "2024-02"]


# --- where warnings are placed, and the forms of the report --------------------------------------

def test_json_lines_name_the_record_and_its_line(capsys, tmp_path):
    data = json.loads((FIXTURES / "single-source.json").read_text(encoding="utf-8"))
    path = write_jsonl(tmp_path / "t.jsonl", data)
    _, out = run(capsys, "validate", "--sourcing", str(path))
    assert [(line, p) for line, p, _ in warnings(out)] == [
        (line_of(path, '"id": "by-default"'), "event 'by-default'"),
        (line_of(path, '"id": "said-so"'), "event 'said-so'")]


def test_standard_input_names_the_record(capsys, monkeypatch):
    data = (FIXTURES / "translation.json").read_bytes()
    _, out = run(capsys, "validate", "--sourcing", "-", stdin=data, monkeypatch=monkeypatch)
    assert "<stdin>: warning: quote 'bare'.language: quote 'bare' is in 'en'" in out


def test_a_big_file_read_back_gives_the_same_report(monkeypatch, tmp_path):
    """A file over the strict limit is read into columns and its records read back from the
    file on demand: the report is the same (its warnings name records by id, without lines)."""
    data = json.loads((FIXTURES / "speaker.json").read_text(encoding="utf-8"))
    path = write(tmp_path / "big.json", data)
    small = SourcingReport(load(path, cache=False)).report(names=True)
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    big_timeline = load(path, cache=False)
    assert type(big_timeline.events).__name__ == "FileRecords"
    big = SourcingReport(big_timeline).report(names=True)
    assert (list(big.independent), big.names, big.findings) == (list(small.independent), small.names, small.findings)


def test_json_format(capsys):
    code, out = run(capsys, "validate", "--sourcing", "--format", "json", str(FIXTURES / "no-url.json"))
    assert code == 0
    data = json.loads(out)
    assert (data["ok"], data["events"], data["warnings"]) == (True, 1, 2)
    events = data["sourcing"]["events"]
    assert events == [{"id": "posted", "date": "2024-09-06", "independent": 2,
                       "sources": ["The Party", "Archive"], "url": True, "first_published": None}]
    assert [(w["check"], w["path"], w["severity"]) for w in data["sourcing"]["warnings"]] == [
        ("no-url", "events[0].sources[0]", "warning"), ("no-url", "events[0].sources[1]", "warning")]
    assert data["sourcing"]["counts"] == {**dict.fromkeys(CHECKS, 0), "no-url": 2}


def test_json_format_of_a_file_that_does_not_load(capsys, tmp_path):
    path = write(tmp_path / "bad.json", {"format": "timeline/1", "title": "Bad",
                                         "events": [{"id": "e", "date": "2024-13", "title": "E"}]})
    code, out = run(capsys, "validate", "--sourcing", "--format", "json", str(path))
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["errors"] == 1
    assert [p["path"] for p in data["problems"] if p["severity"] == "error"] == ["events[0].date"]


def test_without_sourcing_validate_prints_as_before(capsys):
    code, out = run(capsys, "validate", str(FIXTURES / "single-source.json"))
    assert code == 0 and out == "ok: " + str(FIXTURES / "single-source.json") + ": 3 events, 0 actors, 3 sources, 0 quotes\n"
    assert run(capsys, "validate", "--strict", str(FIXTURES / "single-source.json"))[0] == 0


def test_strict_counts_the_loader_warnings_too(capsys, tmp_path):
    path = write(tmp_path / "t.json", {"format": "timeline/1", "title": "T",
                                       "events": [{"id": "e", "date": "2024", "title": "E"}]})
    assert run(capsys, "validate", str(path))[0] == 0
    assert run(capsys, "validate", "--strict", str(path))[0] == 1


def test_text_from_the_file_is_printed_inert(capsys, tmp_path):
    data = json.loads((FIXTURES / "single-source.json").read_text(encoding="utf-8"))
    for s in data["sources"]:
        s["publisher"] = "AFP\x1b[2J\u202e"
    _, out = run(capsys, "validate", "--sourcing", str(write(tmp_path / "t.json", data)))
    assert "\x1b" not in out and "\u202e" not in out and "AFP␛[2J<U+202E>" in out
    _, out = run(capsys, "validate", "--sourcing", "--format", "json", str(tmp_path / "t.json"))
    assert "\x1b" not in out and "\u202e" not in out
    assert json.loads(out)["sourcing"]["events"][0]["sources"] == ["AFP\x1b[2J\u202e"]


# --- the bundled story --------------------------------------------------------------------------

def test_the_bundled_story_answers_every_warning_left_in_a_note(capsys):
    """Each warning left on the bundled story is answered by its event's note."""
    code, out = run(capsys, "validate", "--sourcing", "--format", "json", str(bundled_path()))
    assert code == 0
    raw = json.loads(bundled_path().read_text(encoding="utf-8"))["events"]
    left = {}
    for w in json.loads(out)["sourcing"]["warnings"]:
        event = raw[int(re.match(r"events\[(\d+)\]", w["path"])[1])]
        left[event["id"]] = w["check"]
        answer = {"single-source": "one independent source", "published-early": "report the announcement"}[w["check"]]
        assert answer in event.get("note", ""), (event["id"], w["message"])
    assert left == {"presidential-election": "single-source", "meda-reports-siege-continues": "single-source",
                    "edmundo-gonzalez-departure-announced": "single-source", "icc-formal-note-due": "published-early"}


def test_the_bundled_story_counts_what_is_known_through_one_outlet_once():
    t = load()
    siege = t.events[t.position["siege-begins"]]
    # CNN's article, and the post and the statement known only through it, are one source; CNN's
    # November piece is known through The Nation; Urruchurtu's post through bldlc
    assert len(siege.sources) == 11
    assert SourcingReport(t).event(siege).independent == (
        "CNN", "bldlc.tdvxyc.com", "TalCual", "A24", "D24AM", "Pledge Times", "T13", "The Nation")


# --- both cores ---------------------------------------------------------------------------------

def _same(a, b) -> None:
    assert (a.ids, list(a.independent), a.with_url, a.first, a.names, a.findings) == \
        (b.ids, list(b.independent), b.with_url, b.first, b.names, b.findings)


def test_the_report_in_two_halves_is_the_report(monkeypatch):
    """A big timeline's report is worked out by a forked child (the later half) and this
    process (the first): joined, it is the same as one process's, quotes tied to no event
    included once."""
    import tui.report_halves as halves

    data = json.loads((FIXTURES / "speaker.json").read_text(encoding="utf-8"))
    data["events"] += [{"id": f"e{i}", "date": f"2024-10-{i + 1:02}", "title": f"E{i}", "sources": ["paper"]}
                       for i in range(9)]
    data["quotes"].append({"id": "loose", "text": "Hm.", "speaker": "minister", "source": "paper"})
    t = load(write_tmp(data))
    whole = SourcingReport(t).report(names=True)
    monkeypatch.setattr(halves, "HALVES_LIMIT", 2)
    _, joined = halves.report(t, names=True)
    _same(joined, whole)
    assert [f.record for f in joined.findings].count("loose") == 1

    def no_fork():
        raise OSError("no processes left")

    monkeypatch.setattr(halves.os, "fork", no_fork)  # cannot start a child: all done here
    _same(halves.report(t, names=True)[1], whole)



@pytest.mark.parametrize("stream", ["text", "binary"])
def test_the_text_report_in_two_parts_is_the_text_report(monkeypatch, tmp_path, stream):
    """``validate --sourcing`` of a big timeline: this process writes the table and the
    first part's warnings, a forked child the later part's (through a scratch file, copied
    onto the output as bytes, or decoded again for a stream without them); the lines are
    those of one process, in the same order, and so is the count. If the child fails, or
    cannot start, this process writes its part."""
    import tui.places as places
    import tui.report_halves as halves
    from helpers_sourcing import write_synthetic

    t = load(write_synthetic(tmp_path / "synthetic.json", 600, seed=4))
    monkeypatch.setattr(places, "read_again", lambda files: False)  # as for a big file

    def written() -> tuple[str, int]:
        if stream == "text":
            out = io.StringIO()
            found = halves.write(t, out)
            return out.getvalue(), found
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        found = halves.write(t, out)
        out.flush()
        return raw.getvalue().decode("utf-8"), found

    alone, found = written()  # below HALVES_LIMIT: one process
    assert found == len(SourcingReport(t).report().findings) > 100
    assert alone.count("\n") == 1 + len(t) + found + 1  # header, table, warnings, summary
    monkeypatch.setattr(halves, "HALVES_LIMIT", 2)
    assert written() == (alone, found)

    def boom(*args, **kwargs):
        raise RuntimeError("the child breaks down")

    monkeypatch.setattr(halves.pickle, "dump", boom)  # only the child pickles
    assert written() == (alone, found)

    def no_fork():
        raise OSError("no processes left")

    monkeypatch.setattr(halves.os, "fork", no_fork)
    assert written() == (alone, found)

# --- numpy and Python give the same columns -------------------------------------------------------

@pytest.mark.parametrize("which", ["bundled", "synthetic", *sorted(p.stem for p in FIXTURES.glob("*.json"))])
def test_the_numpy_columns_are_the_python_ones(tmp_path, which):
    """A big timeline's per-event columns (independent count, URL, first published, the lone
    source of a confirmed event, the flagged refs) are worked out in numpy, a small one's in
    Python: both give the same, and so the same report (ties on the earliest date included:
    the first cited wins)."""
    from helpers_sourcing import write_synthetic

    if which == "bundled":
        t = load()
    elif which == "synthetic":
        t = load(write_synthetic(tmp_path / "synthetic.json", 3000, seed=5))
    else:
        t = load(FIXTURES / f"{which}.json")
    python, numpy = SourcingReport(t), SourcingReport(t)
    a, b = python.prepare(vector=False), numpy.prepare(vector=True)
    assert (list(a.independent), a.with_url, a.first, a.lone, a.fstarts, a.flagged, a.kinds) == \
        (list(b.independent), b.with_url, b.first, b.lone, b.fstarts, b.flagged, b.kinds)
    if which == "synthetic":  # the checks had something to find
        assert len(a.lone) > 100 and a.kinds.count(1) > 100 and a.kinds.count(2) > 100 and 3 in a.kinds
    _same(python.report(names=True), numpy.report(names=True))
    # the findings made in numpy (a big timeline's) are the loop's, in the same order, whole or in parts
    loop = python.report(names=True, vector=False)
    _same(loop, numpy.report(names=True, vector=True))
    n = len(t)
    parts = numpy.report(names=True, positions=range(0, n // 3), untied=False, vector=True)
    parts.extend(numpy.report(names=True, positions=range(n // 3, n), vector=True))
    _same(loop, parts)
    if which == "synthetic":
        assert min(loop.counts().values()) > 50  # every check found some


@pytest.mark.parametrize("aside", [True, False], ids=["json-quotes-child", "jsonl"])
def test_the_quotes_facts_gathered_on_load_are_those_read_back(tmp_path, monkeypatch, aside):
    """A big file's first open gathers what the report checks of each quote (by the child
    that reads a JSON file's quotes, or as a JSON Lines file is read), in the timeline's
    quote order: the same as the quotes read back, and so the same report."""
    from helpers_sourcing import synthetic

    data = synthetic(1500, seed=6)
    data["quotes"][3]["original"] = "   "  # blank: no original
    data["quotes"][5]["original"] = " Palabras "
    if aside:
        path = write_tmp(data)
        monkeypatch.setattr(loader, "ASIDE_LIMIT", 0)
    else:
        path = write_jsonl(tmp_path / "synthetic.jsonl", data)
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    assert load(path, cache=False).quote_facts is None  # only validate --sourcing asks for them
    t = load(path, cache=False, quote_facts=True)
    facts = t.quote_facts
    assert facts is not None and len(facts) == len(t.quotes) == 1500
    quotes = list(t.quotes)
    assert list(zip(facts.ids, facts.speakers, facts.sources, facts.languages, facts.originals)) == \
        [(q.id, q.speaker, q.source, q.language, int(bool((q.original or "").strip()))) for q in quotes]
    gathered = SourcingReport(t).report(names=True)
    t.quote_facts = None  # read back from the file
    _same(gathered, SourcingReport(t).report(names=True))


def test_a_text_report_whose_output_closes_stops_its_child(monkeypatch, tmp_path):
    """The reader of ``validate --sourcing | head`` goes away: the error reaches the
    command (which says so) and the forked child is ended and waited for, not left to work."""
    import os

    import tui.places as places
    import tui.report_halves as halves
    from helpers_sourcing import write_synthetic

    t = load(write_synthetic(tmp_path / "synthetic.json", 600, seed=4))
    monkeypatch.setattr(places, "read_again", lambda files: False)
    monkeypatch.setattr(halves, "HALVES_LIMIT", 2)

    class Closing(io.StringIO):
        def write(self, text):
            raise BrokenPipeError("the reader is gone")

    with pytest.raises(BrokenPipeError):
        halves.write(t, Closing())
    with pytest.raises(ChildProcessError):  # no child left, running or unreaped
        os.waitpid(-1, os.WNOHANG)
