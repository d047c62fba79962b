"""The model behind issue 14's views: when it was known (first report, lag, as-of), stances
and the disputed filter, within vs possibly, co-occurrence, swimlanes and the story clock.
No Textual here."""

from __future__ import annotations

from bisect import bisect_right

import pytest

from tui.store import load
from tui.model.clock import ZoneChoice, ZoneError, parse_zone, relative, shifted
from tui.model.cooccur import appears_with
from tui.model.presence import actor_columns
from tui.model.dates import parse_edtf
from tui.model.entities import Actor, Event, Source, SourceRef
from tui.model.known import first_report, lag_words, report_mark
from tui.model.query import QueryError, from_options, parse_query, run
from tui.model.stances import claims, disputed_positions, sides
from tui.model.swimlane import Cell, Lanes
from tui.model.timeline import Timeline


def make(events: list[Event], sources: list[Source] | None = None, actors: list[Actor] | None = None) -> Timeline:
    """A timeline built in memory (the loader's checks are tested elsewhere)."""
    sources = sources if sources is not None else SOURCES
    actors = actors if actors is not None else ACTORS
    return Timeline(title="t", description=None, actors=actors, sources=sources, events=events,
                    dates=[parse_edtf(e.date) for e in events], quotes=[])


ACTORS = [Actor(id=a, name=a.title(), kind="person") for a in ("ana", "bo", "cy", "di", "ed", "fa")]
SOURCES = [
    Source(id="wire", kind="article", title="Wire", publisher="AFP", published="2024-09-07"),
    Source(id="late", kind="article", title="Late", publisher="CNN", published="2024-09-20"),
    Source(id="post", kind="social-post", title="A post", via="wire"),  # dated through the wire
    Source(id="orphan", kind="statement", title="No date anywhere"),
    Source(id="month", kind="article", title="Monthly", publisher="Review", published="2024-10"),
    Source(id="early", kind="article", title="Too early", publisher="Daily", published="2024-09-01"),
]


def ev(id: str, date: str, sources=(), actors=(), **kw) -> Event:
    return Event(id=id, date=date, title=id, sources=list(sources), actors=list(actors), **kw)


# --- when it was known --------------------------------------------------------------------

def test_first_report_is_the_earliest_dated_source_and_its_lag_keeps_precision():
    t = make([ev("a", "2024-09-06", ["late", "wire", "orphan"]), ev("b", "2024-09", ["late"]),
              ev("c", "2024-09-05", ["early"]), ev("d", "2024-09-06", ["orphan"]),
              ev("e", "2024-09-06T20:00", ["post"])])
    pos = {e.id: i for i, e in enumerate(t.events)}
    a = first_report(t, pos["a"])
    assert (a.source_id, a.undated, a.late, a.before) == ("wire", 1, False, False)
    assert lag_words(t.dates[pos["a"]], a.date) == "1 day later"
    b = first_report(t, pos["b"])
    assert lag_words(t.dates[pos["b"]], b.date) == "same month"  # never a made-up day count
    c = first_report(t, pos["c"])
    assert c.before and report_mark(c) == "‼" and lag_words(t.dates[pos["c"]], c.date) == "4 days before it happened"
    assert first_report(t, pos["d"]) is None  # only undated: nothing guessed
    e = first_report(t, pos["e"])
    assert (e.source_id, e.via) == ("post", "wire")  # the post is dated by the article quoting it
    late = first_report(make([ev("x", "2024-09-06", ["late"])]), 0)
    assert late.late and report_mark(late) == "»"
    assert first_report(t, pos["a"], upper=parse_edtf("2024-09-06").upper) is None


def test_as_of_shows_only_what_was_known_and_counts_undated():
    t = make([ev("a", "2024-09-06", ["wire"]), ev("b", "2024-09-10", ["late"]),
              ev("c", "2024-09-05", ["orphan"]), ev("d", "2024-12-01", ["orphan"]), ev("e", "2024-09-06")])
    ids = lambda q: [t.events[p].id for p in run(t, parse_query(q)).positions]
    assert ids("asof:2024-09-06") == ["c"]  # wire is out on the 7th; c has only undated sources
    assert ids("asof:2024-09-07") == ["c", "a"]
    assert ids("asof:2024-09-20") == ["c", "a", "b"]
    assert ids("asof:2025") == ["c", "a", "b", "d"]  # d (undated only) once it had begun
    result = run(t, parse_query("asof:2024-09-07"))
    assert result.undated == 1
    assert ids("asof:2024-09-30 from:2024-09-06") == ["a", "b"]


def test_a_month_precision_source_is_known_only_once_the_month_is_over():
    t = make([ev("a", "2024-09-06", ["month"])])
    assert not run(t, parse_query("asof:2024-10-15")).positions
    assert list(run(t, parse_query("asof:2024-10-31")).positions) == [0]


# --- stances ---------------------------------------------------------------------------

def test_stances_plain_ids_support_and_disputed_lists_both_kinds():
    t = make([
        ev("a", "2024-09-06", ["wire", SourceRef("late", "disputes", "says it was the 5th")]),
        ev("b", "2024-09-07", [SourceRef("wire", "mentions")]),
        ev("c", "2024-09-08", ["wire"], confidence="disputed"),
        ev("d", "2024-09-09", ["wire"]),
    ])
    found = claims(t, 0)
    assert [(c.source_id, c.stance, c.note, c.publisher) for c in found] == [
        ("wire", "supports", "", "AFP"), ("late", "disputes", "says it was the 5th", "CNN")]
    supports, disputes, mentions = sides(found)
    assert [c.source_id for c in supports] == ["wire"] and [c.source_id for c in disputes] == ["late"]
    assert [t.events[p].id for p in disputed_positions(t)] == ["a", "c"]
    assert [t.events[p].id for p in run(t, parse_query("is:disputed")).positions] == ["a", "c"]
    assert [t.events[p].id for p in run(t, parse_query("-is:disputed")).positions] == ["b", "d"]
    assert [c.source_id for c in claims(t, 0, upper=parse_edtf("2024-09-10").upper)] == ["wire"]
    with pytest.raises(QueryError, match="not known"):
        parse_query("is:starry")


def test_bundled_dataset_records_the_refuge_date_dispute():
    t = load()
    pos = t.position["six-take-refuge"]
    assert pos in set(disputed_positions(t))
    _, disputes, _ = sides(claims(t, pos))
    assert [c.source_id for c in disputes] == ["cnn-2024-09-07"]
    assert "Friday" in disputes[0].note
    supports, _, _ = sides(claims(t, pos))
    assert {"pledgetimes-maduros-forces", "brazil-statement-2024-09-07", "cnn-2024-11-24"} <= {
        c.source_id for c in supports}


def test_stances_are_read_and_checked_on_every_reading_path(tmp_path, monkeypatch):
    """The object form loads from JSON (strict and big-file paths) and JSON Lines alike; a
    bad stance or an unknown source in it is one placed error."""
    from helpers_model import bundled_doc, load_error, write, write_jsonl
    from tui.store import loader

    data = bundled_doc()
    strict = load([str(write(tmp_path / "a.json", data))])
    lines = load([str(write_jsonl(tmp_path / "a.jsonl", data))])
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    fast = load([str(write(tmp_path / "b.json", data))], cache=False)
    for t in (strict, lines, fast):
        assert [c.stance for c in claims(t, t.position["six-take-refuge"])].count("disputes") == 1
    refuge = next(e for e in data["events"] if e["id"] == "six-take-refuge")
    refuge["sources"].append({"source": "nowhere", "stance": "denies"})
    j = len(refuge["sources"]) - 1
    for strict_limit in (1 << 40, 0):
        monkeypatch.setattr(loader, "STRICT_LIMIT", strict_limit)
        text = str(load_error([str(write(tmp_path / "bad.json", data))]))
        assert f"sources[{j}].source: unknown source 'nowhere'" in text
        assert f'sources[{j}].stance: stance "denies" is not one of supports, disputes, mentions' in text


# --- within vs possibly -----------------------------------------------------------------

def test_within_is_certainly_inside_and_the_difference_is_counted():
    t = make([ev("sep", "2024-09"), ev("y", "2024"), ev("day", "2024-09-06"), ev("span", "2024-08-30/2024-09-02"),
              ev("open", "2024-09-20/..")])
    result = run(t, parse_query("within:2024-09"))
    assert sorted(t.events[p].id for p in result.positions) == ["day", "sep"]
    assert result.within_words() == "2 within, 3 more possibly"
    assert run(t, parse_query("from:2024-09 to:2024-09")).within_words() == "2 within, 3 only possibly"
    assert run(t, parse_query("tag:x")).within_words() is None
    assert len(run(t, parse_query("from:2024-09 to:2024-09")).positions) == 5
    assert [t.events[p].id for p in run(t, from_options(within=["2024"])).positions] == ["y", "span", "sep", "day"]


# --- co-occurrence and swimlanes --------------------------------------------------------

def test_appears_most_often_with_counts_shared_events_beyond_four_actors():
    many = ["ana", "bo", "cy", "di", "ed", "fa"]  # six: two beyond the fixed columns
    t = make([ev("a", "2024-09-06", actors=many), ev("b", "2024-09-07", actors=["fa", "ana"]),
              ev("c", "2024-09-08", actors=["ana", "bo"]), ev("d", "2024-09-09", actors=["cy"])])
    assert appears_with(t, "fa") == [("ana", 2), ("bo", 1), ("cy", 1), ("di", 1), ("ed", 1)]
    assert appears_with(t, "ana", top=2) == [("bo", 2), ("fa", 2)]
    assert appears_with(t, "fa", positions=[1]) == [("ana", 1)]
    assert appears_with(t, "cy", top=1) == [("ana", 1)]  # a tie at the floor: settled by name
    counts = actor_columns(t).presence([0, 1])  # the actors of some events, the two beyond four included
    assert {actor_columns(t).ids[k]: n for k, n in counts.items()} == {
        "ana": 2, "bo": 1, "cy": 1, "di": 1, "ed": 1, "fa": 2}


@pytest.mark.parametrize("masked_from", [0, 10**9])  # the numpy mask, and the set
def test_appears_with_agrees_with_a_count_over_every_event(monkeypatch, masked_from):
    import random
    from collections import Counter

    from tui.model import cooccur

    monkeypatch.setattr(cooccur, "MASKED_FROM", masked_from)
    rng = random.Random(7)
    names = [f"a{i:02d}" for i in range(30)]
    events = [ev(f"e{i}", f"2024-09-{1 + i % 28:02d}",
                 actors=list(dict.fromkeys(rng.choices(names, weights=[30, 20, 10] + [1] * 27,
                                                       k=rng.randint(1, 5)))) if i % 9 else [])
              for i in range(300)]
    t = make(events, actors=[Actor(id=a, name=a.upper(), kind="person") for a in names])
    for actor in ("a00", "a01", "a17"):
        mine = [e for e in t.events if actor in (e.actors or [])]
        counts = Counter(o for e in mine for o in set(e.actors) if o != actor)
        expected = sorted(counts.items(), key=lambda item: (-item[1], t.actor_name(item[0])))[:5]
        assert appears_with(t, actor) == expected
        assert appears_with(t, actor, positions=range(0, 300, 2)) == sorted(
            Counter(o for e in mine if t.position[e.id] % 2 == 0 for o in set(e.actors) if o != actor).items(),
            key=lambda item: (-item[1], t.actor_name(item[0])))[:5]


def test_swimlanes_pick_a_unit_that_fits_and_mark_imprecise_dates_as_possible():
    t = make([ev("a", "2024-09-02", actors=["ana"]), ev("b", "2024-09", actors=["ana", "bo"]),
              ev("c", "2024-09-20", actors=["bo"]), ev("d", "2024-09-21", actors=["bo"])])
    lanes = Lanes(t, range(len(t)), 40)
    assert lanes.unit == "day" and lanes.count == 21  # from 1 Sep (the month's start) to 21 Sep, the latest start
    assert lanes.actors == ["bo", "ana"]
    weeks = Lanes(t, range(len(t)), 4)
    assert weeks.unit == "week"
    row = weeks.row(weeks.actors.index("ana"))
    sure = {c for c, cell in row.items() if cell.sure}
    maybe = {c for c, cell in row.items() if cell.maybe}
    assert sure == {1} and maybe == {0, 1, 2, 3}  # "Sep 2024" is only possibly in each week
    assert weeks.label(1) == "week of 2 Sep 2024" and weeks.period(1) == ("2024-09-02", "2024-09-08")
    months = Lanes(t, range(len(t)), 1)
    assert months.unit == "month" and months.period(0) == ("2024-09", "2024-09")
    assert Lanes(t, [2, 3], 40).actors == ["bo"]  # obeys the filter
    until = make([ev("u", "../2024-09-03", actors=["ana"]), ev("a", "2024-09-02", actors=["ana"]),
                  ev("z", "2024-09-05", actors=["ana"])])
    days = Lanes(until, range(3), 40)
    assert days.unit == "day" and days.count == 4  # 2 to 5 Sep: the open start is not a start
    cells = days.row(0)
    assert cells[0] == Cell(1, 1) and cells[1] == Cell(0, 1) and 2 not in cells and cells[3] == Cell(1, 0)
    assert Lanes(t, range(len(t)), 40, picked=["ana"]).actors == ["ana", "bo"]  # picked first


@pytest.mark.parametrize("arrayed_from, many_actors", [(0, 0), (10**9, 10**9)])  # numpy, and Python
def test_swimlane_rows_agree_with_each_event_placed_by_hand(monkeypatch, arrayed_from, many_actors):
    """Every kind of date (days, months, years, intervals, open starts and ends) in lanes of
    each unit, whole and filtered: each lane's cells are what placing its events one by one
    in the columns gives."""
    import random
    from collections import Counter

    from tui.model import presence, swimlane
    from tui.model.dates import MIN_SECOND

    monkeypatch.setattr(swimlane, "ARRAYED_FROM", arrayed_from)
    monkeypatch.setattr(swimlane, "MANY_ACTORS", many_actors)
    monkeypatch.setattr(presence, "COUNTED_FROM", arrayed_from)
    rng = random.Random(3)
    forms = ["2024-{m:02d}-{d:02d}", "2024-{m:02d}", "2024", "2024-{m:02d}-{d:02d}/2024-{m2:02d}-03",
             "../2024-{m:02d}-{d:02d}", "../2023-{m:02d}-{d:02d}", "2024-{m:02d}-{d:02d}/..",
             "2023-{m:02d}-{d:02d}T10:00"]
    names = ["ana", "bo", "cy", "di", "ed", "fa"]
    events = []
    for i in range(400):
        m, d = rng.randint(1, 11), rng.randint(1, 28)
        date = rng.choice(forms).format(m=m, d=d, m2=m + 1)
        events.append(ev(f"e{i}", date, actors=rng.sample(names, rng.randint(1, 3))))
    t = make(events)
    for columns in (400, 60, 12, 1):
        for positions in (range(len(t)), list(range(0, len(t), 3))):
            lanes = Lanes(t, positions, columns)
            shown = set(positions)
            for index, actor in enumerate(lanes.actors):
                sure, maybe = Counter(), Counter()
                for p in t.actor_positions(actor):
                    if p not in shown:
                        continue
                    a = bisect_right(lanes.bounds, t.lower[p])
                    b = bisect_right(lanes.bounds, t.upper[p])
                    if a == b and t.lower[p] > MIN_SECOND:
                        sure[a] += 1
                    else:
                        maybe.update(range(a, b + 1))
                expected = {c: Cell(sure[c], maybe[c]) for c in sure.keys() | maybe.keys()}
                assert lanes.row(index) == expected, (columns, actor)
            counts = Counter(a for p in positions for a in t.events[p].actors)
            assert lanes.actors == sorted(counts, key=lambda a: (-counts[a], t.actor_name(a)))
            assert lanes.totals == [counts[a] for a in lanes.actors]


# --- story clock --------------------------------------------------------------------------

@pytest.mark.parametrize("anchor, date, expected", [
    ("2024-09-06", "2024-09-08", "D+2 days"),
    ("2024-09-06", "2024-09-06", "D"),
    ("2024-09-06", "2024-10", "D+1 month"),
    ("2024-09-06", "2024-09", "D, same month"),
    ("2024-09-06", "2023", "D−1 year"),
    ("2024-09-06T20:00-04:00", "2024-09-06T21:30-04:00", "D+1 h 30 min"),
    ("2024-09-06", "2024-09-05~", "~D−1 day"),
    ("2024-09-06T20:00-04:00/2024-09-06T20:30-04:00", "2024-11-23/..", "D+78 days"),
])
def test_relative_dates_keep_the_stored_precision(anchor, date, expected):
    assert relative(parse_edtf(anchor), parse_edtf(date)) == expected


def test_zone_toggle_moves_only_times_with_an_offset():
    assert shifted(parse_edtf("2024-09-06T20:30-04:00"), ZoneChoice("UTC")) == "7 Sep 2024 00:30 UTC"
    assert shifted(parse_edtf("2024-09-06T20:30-04:00"), ZoneChoice("Europe/Madrid")) == "7 Sep 2024 02:30 CEST"
    assert shifted(parse_edtf("2024-09-06"), ZoneChoice("UTC")) == "6 Sep 2024"  # no time: never shifted
    assert shifted(parse_edtf("2024-09-06T20:30"), ZoneChoice("UTC")) == "6 Sep 2024 20:30"  # zone unknown
    assert shifted(parse_edtf("2024-09-06T20:30-04:00"), ZoneChoice()) == "6 Sep 2024 20:30 -04:00"
    assert shifted(parse_edtf("2024-09-06T20:00-04:00/2024-09-06T20:30-04:00"),
                   ZoneChoice("UTC")) == "7 Sep 2024 00:00–00:30 UTC"
    with pytest.raises(ZoneError):
        parse_zone("Mars/Olympus")


def test_anchor_must_name_an_event():
    t = make([ev("a", "2024-09-06")])
    assert parse_query("anchor:a").anchor == "a"
    with pytest.raises(QueryError, match="no event has the id"):
        run(t, parse_query("anchor:zzz"))


def test_markdown_writes_disputed_events_with_both_sides(capsys):
    from tui.cli import main

    assert main(["list", "--query", "is:disputed", "--format", "markdown", "--no-cache"]) == 0
    out = capsys.readouterr().out
    refuge = out[out.index("Six opposition figures take refuge"):]
    assert "**Disputed**: supported by" in refuge and "disputed by 1 source" in refuge
    assert "    - Disputes: [CNN: Venezuelan security forces" in refuge
    assert "took refuge inside" in refuge.split("- Disputes:")[1]
    assert "    - Supports: " in refuge
    assert "**Disputed** (its confidence): no cited source is marked as disputing it" in out  # the May 2025 exit


def test_as_of_and_within_on_the_command_line(capsys):
    from tui.cli import main

    assert main(["list", "--within", "2024", "--format", "csv", "--no-cache"]) == 0
    assert "within, 1 more possibly" in capsys.readouterr().err
    assert main(["list", "--as-of", "2024-09-06", "--from", "2024-09-06", "--format", "csv", "--no-cache"]) == 0
    ids = [line.split(",")[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert "siege-begins" in ids and "venezuela-revokes-brazil-custody" not in ids
    assert main(["list", "--anchor", "no-such-event"]) == 2
    assert "no event has the id 'no-such-event'" in capsys.readouterr().err


# --- the two-mode date range ----------------------------------------------------------------

def test_within_takes_a_range_with_open_ends():
    from tui.model.date_range import within_points

    t = make([ev("y", "2024"), ev("m", "2024-09"), ev("d1", "2024-09-02"), ev("d8", "2024-09-08"),
              ev("w", "2024-09-06/2024-09-10"), ev("o", "2024-11-23/..")])
    ids = lambda q: [t.events[p].id for p in run(t, parse_query(q)).positions]
    assert ids("within:2024-09-02/2024-09-08") == ["d1", "d8"]
    assert ids("within:2024-09") == ["m", "d1", "w", "d8"]  # 2024 only possibly overlaps September
    assert ids("within:2024-09-06/..") == ["w", "d8", "o"]  # an open end: still going, still within
    assert ids("within:../2024-09-08") == ["d1", "d8"]
    assert ids('within:"2 Sep 2024/8 Sep 2024"') == ["d1", "d8"]  # everyday forms on both sides
    result = run(t, parse_query("within:2024-09-02/2024-09-08"))
    assert result.within_words() == "2 within, 3 more possibly"  # 2024, 2024-09 and the 6–10 Sep span
    assert str(parse_query("within:2024-09-02/..")) == "within:2024-09-02/.."
    start, end = within_points("2024-09")
    assert start is end and start.precision == "month"
    for bad, words in (("within:2024-09-08/2024-09-02", "reversed"), ("within:../..", "needs at least one"),
                       ("within:2024-13/..", "month 13")):
        with pytest.raises(QueryError, match=words):
            parse_query(bad)


def test_from_to_says_how_many_only_possibly_fall_in_the_range():
    t = load()
    for q in ("from:2024-09 to:2024-09-30", "from:2024 to:2024", "from:2024-09-06", "to:2024-03", "from:2025-05 to:2025"):
        result = run(t, parse_query(q))
        inside = run(t, parse_query(q.replace("from:", "within:").replace(" to:", "/") if "to:" in q and "from:" in q
                                    else q.replace("from:", "within:").replace("to:", "within:../")
                                    if "from:" not in q else q.replace("from:", "within:") + "/.."))
        assert result.only_possibly == len(result.positions) - len(inside.positions), q
    assert run(t, parse_query("from:2024-09 to:2024-09-30")).within_words() == "all within"
    words = run(t, parse_query("from:2024 to:2024")).within_words()
    assert words == "24 within, 1 only possibly"  # the second siege, from 23 Nov and still going


def test_the_date_dialog_fields_and_terms_round_trip():
    from tui.model.date_range import dialog_fields, range_terms_values

    assert range_terms_values("2024-09-02", "2024-09-08", False) == [("from", "2024-09-02"), ("to", "2024-09-08")]
    assert range_terms_values("2024-09-02", "2024-09-08", True) == [("within", "2024-09-02/2024-09-08")]
    assert range_terms_values("2024-09", "2024-09", True) == [("within", "2024-09")]
    assert range_terms_values("2024-09", "", True) == [("within", "2024-09/..")]
    assert range_terms_values("", "", True) == []
    assert dialog_fields(parse_query("within:2024-09-02/2024-09-08")) == ("2024-09-02", "2024-09-08", True)
    assert dialog_fields(parse_query("within:2024-09-02/..")) == ("2024-09-02", "", True)
    assert dialog_fields(parse_query("within:2024")) == ("2024", "2024", True)
    assert dialog_fields(parse_query("from:2024-09 tag:x")) == ("2024-09", "", False)
