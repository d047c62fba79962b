"""``timeline list --as-of DAY`` writes the story as it could be known that day in every
format: only events with a source published by then, each citing only those sources, with
only the quotes published in them (issue 14 §1). On the bundled dataset, the siege night:
as of 6 Sep 2024 the siege rests on Urruchurtu's X post of 20:30 and undated reports; CNN
(7 Sep, syndicated on KSL), T13 (7 Sep) and Vente Venezuela's statement (6–7 Sep, whose
quote opens "Patrols with regime agents") came out later.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tui.cli import main
from tui.model.dates import parse_edtf
from tui.model.known_then import KnownThen, known_then
from tui.model.first_report import published_by
from tui.output import FORMATS
from tui.store import load

DAY = ["--from", "2024-09-06", "--to", "2024-09-07"]
LATER_QUOTE = "Patrols with regime"

LATER = {  # format -> text of a source published after 6 Sep that the format writes
    "markdown": "t13.cl", "csv": "t13.cl", "json": "t13.cl", "jsonl": "t13.cl",
    "timelinejs": "t13.cl", "timesketch": "KSL", "ics": "t13.cl",
}


def listed(capsys, *args: str) -> str:
    assert main(["list", "--no-cache", *DAY, *args]) == 0
    return capsys.readouterr().out


def test_every_format_is_tested():
    assert set(LATER) | {"table"} == set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(LATER))
def test_as_of_leaves_out_later_sources_and_quotes_in_every_format(capsys, fmt):
    everything = listed(capsys, "--format", fmt)
    quoted = fmt != "csv"  # CSV counts the quotes (test_as_of_csv_counts_only_the_quotes_known_then)
    assert LATER[fmt] in everything and (LATER_QUOTE in everything) == quoted  # the control: without as-of
    then = listed(capsys, "--format", fmt, "--as-of", "2024-09-06")
    assert "Security forces besiege" in then or "Security forces besiege" in json.dumps(then)
    assert LATER[fmt] not in then
    assert LATER_QUOTE not in then
    assert "announces it is revoking" not in then and "announces it is revoking" in everything  # 7 Sep


def test_as_of_table_lists_only_what_was_known(capsys):
    from tui.model import parse_query, run

    t = load()
    known = len(run(t, parse_query("from:2024-09-06 to:2024-09-07 asof:2024-09-06")).positions)
    assert known < len(run(t, parse_query("from:2024-09-06 to:2024-09-07")).positions)
    then = listed(capsys, "--as-of", "2024-09-06")
    assert then.endswith(f"\n{known} of 28 events\n") and "Security forces besiege" in then


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_as_of_json_is_a_valid_timeline_citing_only_what_was_out(capsys, tmp_path, fmt):
    out = tmp_path / f"then.{fmt}"
    assert main(["list", "--no-cache", *DAY, "--as-of", "2024-09-06", "--format", fmt, "-o", str(out)]) == 0
    capsys.readouterr()
    t = load([str(out)])  # a valid timeline/1 file: every id it cites is in it
    full = load()
    upper = parse_edtf("2024-09-06").upper
    siege = t.events[t.position["siege-begins"]]
    expected = [s for s in full.events[full.position["siege-begins"]].source_ids()
                if published_by(full, s, upper)]
    assert siege.source_ids() == expected and "cnn-2024-09-07" not in expected
    assert [q.id for q in t.quotes_for("siege-begins")] == ["urruchurtu-siege-post"]


def test_as_of_csv_counts_only_the_quotes_known_then(capsys):
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(listed(capsys, "--format", "csv", "--as-of", "2024-09-06")))}
    assert rows["siege-begins"]["quotes"] == "1"
    assert "T13" not in rows["siege-begins"]["sources"]


def test_known_then_is_the_timeline_itself_without_a_day():
    t = load()
    assert known_then(t, None) is t
    view = known_then(t, parse_edtf("2024-09-06").upper)
    assert isinstance(view, KnownThen) and len(view) == len(t) and view.title == t.title
    p = t.position["siege-begins"]
    assert len(view.events[p].sources) < len(t.events[p].sources)
    assert view.events_at([p])[0] == view.events[p]
    assert view.quote_count(p) == 1 < t.quote_count(p)


def test_as_of_publish_writes_the_page_as_known_then(capsys, tmp_path):
    for name, extra in (("all", []), ("then", ["--as-of", "2024-09-06"])):
        assert main(["publish", "--no-cache", *DAY, *extra, "-o", str(tmp_path / name)]) == 0
    capsys.readouterr()
    everything = (tmp_path / "all" / "timeline.json").read_text()
    then = (tmp_path / "then" / "timeline.json").read_text()
    assert "t13.cl" in everything and LATER_QUOTE in everything
    assert "t13.cl" not in then and LATER_QUOTE not in then and "Security forces besiege" in then
