"""Every event's cited sources are gathered by the loader in its one pass (into columns, or
record by record), kept in the cache, and read by the sourcing report and the views: the
same refs whichever way the file was read, and the same report as when each event's
``sources`` were read back from the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pytest

from tui import report_halves
from tui.cli import main
from tui.model.first_report import NOT_DATED, first_reports, source_date
from tui.model import source_refs
from tui.model.source_refs import read_refs, refs_at
from tui.store import cache, loader
from tui.store.loader import load

from helpers_model import variants
from helpers_sourcing import write_synthetic


@pytest.fixture
def big(monkeypatch):
    """Every file counts as big: read into columns (and cached); the report in two processes."""
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(report_halves, "HALVES_LIMIT", 1000)


def _columns(refs) -> tuple:
    return (refs.starts, refs.sources, refs.stances, refs.notes, refs.event_notes, refs.ids)


def _as_written(timeline) -> tuple[list, dict]:
    """Each event's refs and note as its record holds them (the file read back)."""
    events = list(timeline.events)
    return [e.source_refs() for e in events], {p: e.note for p, e in enumerate(events) if e.note is not None}


def _files(tmp_path):
    found = variants(tmp_path)  # "compact" has its events before its sources
    found["synthetic"] = write_synthetic(tmp_path / "synthetic.json", 2000, seed=3)  # out of date order
    return found


@pytest.mark.parametrize("arrayed", [False, True], ids=["python", "numpy"])
@pytest.mark.parametrize("variant", ["pretty", "compact", "jsonl", "synthetic"])
def test_the_columns_and_the_record_by_record_read_gather_the_same_refs(tmp_path, monkeypatch, variant, arrayed):
    """``arrayed``: the columns put the refs in timeline order in numpy (as from 20,000
    events), the record-by-record read in Python."""
    path = _files(tmp_path)[variant]
    by_record = load(path, cache=False)
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    if arrayed:
        monkeypatch.setattr(source_refs, "ARRAYED_FROM", 0)
    by_columns = load(path, cache=False)
    assert isinstance(by_record.events, list) and not isinstance(by_columns.events, list)
    assert _columns(by_columns.source_refs) == _columns(by_record.source_refs)
    refs, notes = _as_written(by_columns)
    assert [refs_at(by_columns.source_refs, p) for p in range(len(by_columns))] == refs
    assert by_columns.source_refs.event_notes == notes
    assert _columns(read_refs(by_columns.events, list(by_columns.sources))) == _columns(by_columns.source_refs)
    if variant == "synthetic":  # every stance, with and without a note
        assert set(by_columns.source_refs.stances) == {0, 1, 2} and by_columns.source_refs.notes


def test_a_big_file_read_record_by_record_keeps_the_refs_it_gathered(big, tmp_path, monkeypatch):
    """A big file the columns give up on (here: always) is read record by record; its records
    are then let go, but not the refs gathered from them."""
    path = _files(tmp_path)["synthetic"]

    def broken(_path, _quote_facts=False):
        raise loader.Broken("for the test")

    monkeypatch.setattr(loader, "_load_columns", broken)
    t = load(path, cache=False)
    assert not isinstance(t.events, list)  # read back on demand
    refs, notes = _as_written(t)
    assert [refs_at(t.source_refs, p) for p in range(len(t))] == refs and t.source_refs.event_notes == notes


def test_the_refs_from_the_cache_are_those_of_a_full_read(big, tmp_path):
    path = _files(tmp_path)["synthetic"]
    fresh = load(path)
    assert cache.save(fresh) is not None
    restored = load(path)
    assert restored.from_cache and not restored.notices
    assert _columns(restored.source_refs) == _columns(load(path, cache=False).source_refs)


@pytest.mark.parametrize("damage", ["source past the end", "unknown stance", "starts short", "starts falling",
                                    "note past the end", "event note past the end"])
def test_a_cache_whose_refs_disagree_is_a_miss(big, tmp_path, damage):
    """Refs that passed their checksums but do not fit the timeline are never served."""
    path = _files(tmp_path)["synthetic"]
    fresh = load(path)
    refs = fresh.source_refs
    if damage == "source past the end":
        refs.sources[len(refs.sources) // 2] = len(fresh.sources)
    elif damage == "unknown stance":
        refs.stances = refs.stances[:-1] + b"\x07"
    elif damage == "starts short":
        refs.starts = refs.starts[:-1]
    elif damage == "starts falling":
        refs.starts[5], refs.starts[6] = refs.starts[6] + 1, refs.starts[5]
    elif damage == "note past the end":
        refs.notes[len(refs.sources)] = "a note of no ref"
    else:
        refs.event_notes[len(fresh)] = "a note of no event"
    assert cache.save(fresh) is not None
    again = load(path)
    assert not again.from_cache and "damaged" in " ".join(again.notices)
    assert _columns(again.source_refs) == _columns(load(path, cache=False).source_refs)


def test_first_reports_are_each_events_earliest_dated_source(tmp_path):
    """The C-level passes over the refs' columns give what a walk event by event gives."""
    t = load(_files(tmp_path)["synthetic"], cache=False)
    known = first_reports(t)
    for p, event in enumerate(t.events):
        dates = [source_date(t, r.source)[0] for r in event.source_refs()]
        upper = min((d.upper for d in dates if d is not None), default=NOT_DATED)
        assert known.known_by[p] == upper
        assert bool(known.flags[p] & 1) == (None in dates)
    disputing = [p for p, e in enumerate(t.events) if any(r.stance == "disputes" for r in e.source_refs())]
    assert disputing and list(known.disputing) == disputing
    assert set(known.undated_only) == {p for p in range(len(t)) if known.known_by[p] == NOT_DATED and known.flags[p] & 1}


def _report(path, fmt: str) -> bytes:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["validate", "--sourcing", "--no-cache", "--format", fmt, str(path)]) == 0
    return out.getvalue().encode()


# What ``validate --sourcing --no-cache --format F synthetic.json`` printed of
# ``write_synthetic(path, 10_000)`` when each event's sources were still read back from the
# file (commit 7918c47), before the loader gathered them: the report must not change by a byte.
_BEFORE = {"text": "a70c89ef8313563244a1de16bde4aeb43e8fc13d6b2f71236ed24ba034a755a7",
           "json": "5041454c181cb862adeddc6869d416f6e25d6e7f0ae29d970d71d593a21fa8c6"}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_report_is_byte_for_byte_what_it_was_on_a_synthetic_10k_file(tmp_path, monkeypatch, fmt):
    write_synthetic(tmp_path / "synthetic.json", 10_000)
    monkeypatch.chdir(tmp_path)  # the report names the file as given: the same name as then
    small = _report("synthetic.json", fmt)
    assert hashlib.sha256(small).hexdigest() == _BEFORE[fmt]
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(report_halves, "HALVES_LIMIT", 1000)
    assert _report("synthetic.json", fmt) == small  # read into columns, the report in two processes


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_report_of_the_bundled_story_is_the_same_whichever_way_it_was_read(monkeypatch, fmt):
    path = loader.bundled_path()
    small = _report(path, fmt)
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(report_halves, "HALVES_LIMIT", 10)  # the bundled story in two processes
    assert _report(path, fmt) == small
