"""Runs of equal values (``model/runs.py``): splitting a sorted filter result by bisection
gives exactly what the plain pass over every position gives (headings, density counts)."""

from __future__ import annotations

import random
from array import array
from collections import Counter
from itertools import compress
from operator import ne

from tui.model import Query
from tui.model.density import Density
from tui.model.query import make_term, run
from tui.model.runs import Runs, runs_of
from tui.store import load
from tui.widgets.timeline_view import compute_layout

from helpers_model import doc, write


def plain_split(column, positions):
    """The pass the runs replace: compare each shown position's value with the previous one."""
    values = [column[p] for p in positions]
    if not values:
        return [], []
    starts = [0, *compress(range(1, len(values)), map(ne, values[1:], values))]
    return starts, [values[s] for s in starts]


def test_split_and_counts_match_the_plain_pass():
    rnd = random.Random(20)
    for trial in range(3000):
        n = rnd.randint(0, 60)
        if trial % 2:  # in date order: values rise, as months do
            column = array("I", sorted(rnd.randint(0, 6) for _ in range(n)))
        else:  # any order: a value may come back after others (runs still hold)
            column = array("I", [rnd.randint(0, 3) for _ in range(n)])
        positions = sorted(rnd.sample(range(n), rnd.randint(0, n)))
        if trial % 3:
            positions = array("I", positions)
        if trial % 7 == 0:
            positions = range(n)
        runs = Runs(column)
        assert runs.split(positions) == plain_split(column, positions), (list(column), list(positions))
        assert runs.counts(positions) == dict(Counter(column[p] for p in positions))


def test_worth_it_only_when_runs_are_few():
    runs = Runs(array("I", [1] * 50 + [2] * 50))
    assert runs.worth_it(range(100))
    assert not runs.worth_it(range(30))
    assert not Runs(array("I", [i % 2 for i in range(100)])).worth_it(range(100))


def test_runs_are_found_once_per_column():
    column = array("I", [1, 1, 2])
    assert runs_of(column) is runs_of(column)
    assert runs_of(array("I", [1, 1, 2])) is not runs_of(column)
    column.append(3)  # grown in place: its runs are found again
    assert list(runs_of(column).values) == [1, 2, 3]


def test_layout_and_density_of_a_filter_match_the_plain_pass(timeline):
    """On the bundled story: for every tag's result and for all events, the months' runs
    give the headings and the density counts of the pass over the positions (the bundled
    story is too small for ``compute_layout`` to take the bisection, so it is called here)."""
    density = Density(timeline)
    results = [run(timeline, Query((make_term("tag", (tag,)),))).positions for tag in timeline.tag_counts()]
    for positions in [range(len(timeline)), *results]:
        expected = plain_split(timeline.group_keys, positions)
        assert runs_of(timeline.group_keys).split(positions) == expected
        layout = compute_layout(timeline, positions)
        assert (layout.starts, layout.keys) == expected
        counted = Counter(map(density.bucket.__getitem__, positions))
        assert runs_of(density.bucket).counts(positions) == dict(counted)
        assert density.counts(positions) == [counted.get(b, 0) for b in range(density.size)]


def test_the_runs_of_a_column_grown_at_its_end_are_its_old_runs_and_the_new_values():
    """A file that grew (``live_reload``): the runs handed on are those found afresh; values
    put in anywhere but the end, or a column changed before it, are left to ``runs_of``."""
    from array import array

    from tui.model import runs
    from tui.model.runs import runs_grown, runs_of

    old = array("q", [1, 1, 2, 2, 2, 5])
    runs_of(old)
    for tail in ([5, 5], [6], [2, 7, 7, 1]):
        new = array("q", [*old, *tail])
        runs_grown(old, new, range(len(old), len(new)))
        handed = runs_of(new)
        fresh = runs.Runs(new)
        assert (list(handed.starts), list(handed.values), handed.size) == \
            (list(fresh.starts), list(fresh.values), fresh.size)
    for new, added in ((array("q", [0, *old]), [0]), (array("q", [9, 1, 2, 2, 2, 5, 5]), [6])):
        runs_grown(old, new, added)
        assert id(new) not in runs._CACHE  # found when first asked, by a pass


def test_runs_and_density_found_in_numpy_for_a_big_column_are_those_of_the_pass(monkeypatch, timeline, tmp_path):
    """From ``NUMPY_FROM`` values the runs and the density's buckets are worked out in numpy
    (the explorer's way to its first frame at a million events): the same as the pass."""
    from tui.model import density as density_module, runs

    rnd = random.Random(7)
    columns = [array(code, sorted(rnd.randint(0, 9) for _ in range(300))) for code in "IiqB"]
    columns += [array("i", [rnd.randint(-3, 3) for _ in range(300)]), array("I", [4] * 300), array("q", [7])]
    passes = [(list(r.starts), list(r.values), r.size) for r in map(runs.Runs, columns)]
    monkeypatch.setattr(runs, "NUMPY_FROM", 1)
    assert [(list(r.starts), list(r.values), r.size) for r in map(runs.Runs, columns)] == passes
    weekly = []
    for dated in (timeline, _weeks(tmp_path)):  # monthly buckets, and weekly ones
        monkeypatch.setattr(density_module, "NUMPY_FROM", 1 << 30)
        plain = Density(dated)
        monkeypatch.setattr(density_module, "NUMPY_FROM", 1)
        vector = Density(dated)
        assert (vector.weekly, vector.first, vector.size) == (plain.weekly, plain.first, plain.size)
        assert list(vector.bucket) == list(plain.bucket) and vector.total == plain.total and sum(plain.total)
        assert vector.bucket.typecode == plain.bucket.typecode
        weekly.append(plain.weekly)
    assert weekly == [False, True] and -1 in plain.bucket  # the open start


def _weeks(tmp_path):
    """A story of five weeks, an undated event and one with only a year among them."""
    events = [{"id": f"e{i}", "date": f"2024-03-{1 + i % 28:02}", "title": "t"} for i in range(40)]
    events += [{"id": "open", "date": "../2024-03-05", "title": "t"}, {"id": "year", "date": "2024", "title": "t"}]
    return load([str(write(tmp_path / "weeks.json", doc(events=events, quotes=[])))])
