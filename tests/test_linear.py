"""Cost stays linear in hostile shapes (issue 18, section 4): long ``via`` chains and loops,
wide and deep affiliation graphs.

Speed itself is measured in ``bench/run.py`` (the "hostile shapes" table); here the number of
steps is counted, which does not depend on the machine: finding every ``via`` loop looks each
link up a bounded number of times, however long the chain. And the shapes load, export and
report their loops correctly at a size where a quadratic walk would not finish in minutes.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from helpers_model import write
from tui.cli import main
from tui.store import load
from tui.store.columns import via_loop_from, via_loops

_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).resolve().parent.parent / "bench" / "run.py")
_bench = sys.modules["bench_run"] = importlib.util.module_from_spec(_spec)  # dataclasses look it up
_spec.loader.exec_module(_bench)
shape_file = _bench.shape_file  # the bench's own hostile files


class CountingLinks(dict):
    """A ``via`` map that counts how often a link is looked up."""

    lookups = 0

    def get(self, key, default=None):
        CountingLinks.lookups += 1
        return super().get(key, default)


@pytest.mark.parametrize("n", [10, 1_000, 20_000])
@pytest.mark.parametrize("shape", ["chain", "loop", "lasso", "many loops"])
def test_finding_via_loops_looks_each_link_up_once(n, shape):
    ids = [f"s{i}" for i in range(n)]
    links = {ids[i]: ids[i + 1] for i in range(n - 1)}
    expected = []
    if shape == "loop":
        links[ids[-1]] = ids[0]
        expected = [ids]
    elif shape == "lasso":  # a long tail into a small loop at its end
        links[ids[-1]] = ids[-3]
        expected = [ids[-3:]]
    elif shape == "many loops":  # pairs pointing at each other
        links = {}
        for a, b in zip(ids[::2], ids[1::2]):
            links[a], links[b] = b, a
        expected = [[a, b] for a, b in zip(ids[::2], ids[1::2])]
    counted = CountingLinks(links)
    CountingLinks.lookups = 0
    assert via_loops(counted) == expected
    assert CountingLinks.lookups <= len(links) + 1


def test_a_loop_is_told_from_the_member_it_is_met_at():
    assert via_loop_from("c", ["a", "b", "c", "d"]) == ["c", "d", "a", "b"]


def test_a_chain_of_5000_sources_loads_and_exports_whole(tmp_path, capsys):
    path = shape_file("chain", 5_000, tmp_path)
    timeline = load([str(path)])
    assert [s.id for s in timeline.via_chain("s0")] == [f"s{i}" for i in range(5_000)]
    assert main(["list", str(path), "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert len(exported["sources"]) == 5_000  # every source the event is known through


def test_a_loop_of_5000_sources_is_reported_once(tmp_path, capsys):
    path = shape_file("loop", 5_000, tmp_path)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("the 'via' chain loops: s0 -> s1 -> ") == 1
    assert out.splitlines()[0].endswith(" -> s4999 -> s0")


@pytest.mark.parametrize("shape", ["wide", "deep"])
def test_wide_and_deep_affiliations_export_every_actor_they_reach(tmp_path, capsys, shape):
    path = shape_file(shape, 20_000, tmp_path)
    assert main(["list", str(path), "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    # wide: a0 and its group; deep: a0 and all 19,999 it leads to
    assert len(exported["actors"]) == (2 if shape == "wide" else 20_000)


def test_loop_messages_in_several_files_are_unchanged(tmp_path, capsys):
    """Two loops split across two files: each reported once, at its first member in file order."""
    first = write(tmp_path / "a.json", {
        "format": "timeline/1", "title": "A", "actors": [], "events": [], "quotes": [],
        "sources": [{"id": "x", "kind": "article", "title": "X", "via": "y"},
                    {"id": "p", "kind": "article", "title": "P", "via": "p"}]})
    second = write(tmp_path / "b.json", {
        "format": "timeline/1", "title": "B", "actors": [], "events": [], "quotes": [],
        "sources": [{"id": "y", "kind": "article", "title": "Y", "via": "x"}]})
    assert main(["validate", str(first), str(second)]) == 1
    out = capsys.readouterr().out
    assert "the 'via' chain loops: x -> y -> x" in out and "the 'via' chain loops: p -> p" in out
    assert out.count("chain loops") == 2
