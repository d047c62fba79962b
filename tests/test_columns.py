"""A big file read into columns (``columns.py``) is the timeline the record-by-record path
builds, and anything wrong sends the loader back to that path, which reports it.

"Big" is whatever is over ``loader.STRICT_LIMIT`` (64 MB); these tests lower that limit.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest

from tui.store import aside as aside_module
from tui.store import loader
from tui.store.aside import QuotesAside, TextAside, stop_all
from tui.store.aside import main as aside_main
from tui.store.columns import Broken
from tui.store.loader import load

from helpers_model import BASE, bundled_doc, doc, load_error, same_timeline, variants, write, write_jsonl
from test_loader import CASES, _mutate


@pytest.fixture
def big(monkeypatch):
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)


def _outcomes(monkeypatch, owner, name: str, on_broken: str, label) -> list[str]:
    """Wrap ``owner.name`` so that each call's outcome is recorded: ``on_broken`` when it
    raises ``Broken``, else ``label(result)``."""
    seen: list[str] = []
    real = getattr(owner, name)

    def spy(*args):
        try:
            result = real(*args)
        except Broken:
            seen.append(on_broken)
            raise
        seen.append(label(result))
        return result

    monkeypatch.setattr(owner, name, spy)
    return seen


@pytest.fixture
def columns_used(monkeypatch) -> list[str]:
    """How each big load went: "columns", or "broken" when it went back to the records."""
    return _outcomes(monkeypatch, loader, "_load_columns", "broken", lambda timeline: "columns")


@contextlib.contextmanager
def records_only(monkeypatch):
    """Loads in this block skip the columns: the record-by-record path alone."""
    def refuse(path, quote_facts=False):
        raise Broken("records only")

    with monkeypatch.context() as m:
        m.setattr(loader, "_load_columns", refuse)
        yield


def _as_the_records_give(path, monkeypatch):
    """Load ``path`` (the big-file way), then through the records alone: the same timeline,
    and the same spans and fingerprint (what the cache keeps)."""
    by_columns = load(path, cache=False)
    with records_only(monkeypatch):
        by_records = load(path, cache=False)
    same_timeline(by_columns, by_records)
    assert by_columns.origin.events == by_records.origin.events
    assert by_columns.origin.quotes == by_records.origin.quotes
    assert by_columns.origin.fingerprint == by_records.origin.fingerprint
    everything = range(len(by_columns))  # read back together, as an export does
    assert by_columns.events_at(everything) == list(by_records.events)
    assert by_columns.quotes_of(everything) == [q for p in everything for q in by_records.quotes_at(p)]
    return by_columns, by_records


def _shuffled() -> dict:
    """Events out of date order, quotes in any order, an actor named twice in one event,
    and the warnings (uncited events, quotes tied to no event)."""
    data = bundled_doc()
    rng = random.Random(4)
    rng.shuffle(data["events"])
    rng.shuffle(data["quotes"])
    first = data["events"][0]
    first["actors"] = [*first.get("actors", []), *first.get("actors", [])[:1]]
    data["events"][1]["sources"] = []
    data["quotes"][0].pop("event", None)
    return data


@pytest.mark.parametrize("variant", ["pretty", "compact", "crlf", "jsonl", "shuffled", "shuffled-jsonl"])
def test_a_big_file_read_into_columns_is_the_timeline_the_records_give(big, columns_used, tmp_path, monkeypatch,
                                                                         variant):
    if variant.startswith("shuffled"):
        data = _shuffled()
        path = (write_jsonl(tmp_path / "s.jsonl", data) if variant.endswith("jsonl")
                else write(tmp_path / "s.json", data))
    else:
        path = variants(tmp_path)[variant]
    by_columns, by_records = _as_the_records_give(path, monkeypatch)
    assert columns_used == ["columns"]
    assert (by_columns.lower, by_columns.upper, by_columns._long, by_columns._qstart) == \
        (by_records.lower, by_records.upper, by_records._long, by_records._qstart)
    if variant.startswith("shuffled"):
        data = _shuffled()
        messages = [w.message for w in by_columns.warnings]
        assert f"event '{data['events'][1]['id']}' cites no source" in messages
        assert f"quote '{data['quotes'][0]['id']}' is not tied to an event" in messages
        actor = data["events"][0]["actors"][0]
        actor = actor if isinstance(actor, str) else actor["actor"]
        position = by_columns.position[data["events"][0]["id"]]
        assert list(by_columns.actor_positions(actor)).count(position) == 1  # named twice, counted once
        if variant.endswith("jsonl"):
            assert all(w.line for w in by_columns.warnings)


def _problems(error) -> list[tuple]:
    return [(p.file, p.path, p.message, p.warning, p.line) for p in error.problems]


@pytest.mark.parametrize("case", list(CASES))
def test_anything_wrong_is_reported_as_the_records_report_it(big, columns_used, tmp_path, monkeypatch, case):
    path = write(tmp_path / "t.json", _mutate(CASES[case][0]))
    error = load_error(path)
    assert columns_used == ["broken"]
    with records_only(monkeypatch):
        assert _problems(load_error(path)) == _problems(error)
    assert error.errors


JSONL_CASES = {
    "broken line": lambda d: d["events"][1].update(title=5),
    "unknown actor": lambda d: d["events"][0]["actors"].append("nobody"),
    "duplicate id": lambda d: d["quotes"].append(dict(d["quotes"][0])),
    "bad date": lambda d: d["events"][1].update(date="2024-02-30"),
    "bad header": lambda d: d.update(format="timeline/0"),
}


@pytest.mark.parametrize("case", list(JSONL_CASES))
def test_anything_wrong_in_json_lines_is_reported_with_its_line(big, columns_used, tmp_path, monkeypatch, case):
    path = write_jsonl(tmp_path / "t.jsonl", _mutate(JSONL_CASES[case]))
    error = load_error(path)
    assert columns_used == ["broken"]
    with records_only(monkeypatch):
        assert _problems(load_error(path)) == _problems(error)
    assert all(p.line for p in error.errors)


def test_a_file_with_only_warnings_loads_from_columns(big, columns_used, tmp_path):
    d = doc()
    d["events"][0]["sources"] = []
    d["quotes"][0].pop("event")
    timeline = load(write(tmp_path / "w.json", d), cache=False)
    assert columns_used == ["columns"]
    assert [(w.path, w.message, w.warning) for w in timeline.warnings] == [
        (("events", 0), "event 'first' cites no source", True),
        (("quotes", 0), "quote 'q1' is not tied to an event", True),
    ]
    assert [q.id for q in timeline.quotes] == [BASE["quotes"][0]["id"]]  # kept, after every event's quotes
    assert not any(timeline.quote_count(p) for p in range(len(timeline)))


# --- quotes read by a second process (aside.py) -----------------------------------------------------


@pytest.fixture
def aside(monkeypatch) -> list[str]:
    """Every big JSON file has its quotes read aside; records how each child answered."""
    monkeypatch.setattr(loader, "ASIDE_LIMIT", 0)
    return _outcomes(monkeypatch, QuotesAside, "result", "problem",
                     lambda answer: "columns" if answer is not None else "none")


@pytest.mark.parametrize("variant", ["pretty", "compact", "crlf"])
def test_quotes_read_aside_give_the_timeline_the_records_give(big, aside, tmp_path, monkeypatch, variant):
    _as_the_records_give(variants(tmp_path)[variant], monkeypatch)
    assert aside == ["columns"]


def test_a_shuffled_file_with_quotes_read_aside(big, aside, tmp_path, monkeypatch):
    _as_the_records_give(write(tmp_path / "s.json", _shuffled()), monkeypatch)
    assert aside == ["columns"]


def test_when_the_child_cannot_start_or_fails_the_quotes_are_read_here(big, aside, tmp_path, monkeypatch):
    path = variants(tmp_path)["pretty"]
    with records_only(monkeypatch):
        expected = load(path, cache=False)
    monkeypatch.setattr("tui.store.aside.sys.executable", "/bin/false")  # starts, exits 1
    same_timeline(load(path, cache=False), expected)
    monkeypatch.setattr("tui.store.aside.sys.executable", str(tmp_path / "no-such-python"))  # cannot start
    same_timeline(load(path, cache=False), expected)
    assert aside == ["none"]  # the second one never started: no child to ask


def test_a_child_that_read_another_version_of_the_file_is_not_believed(big, aside, tmp_path, monkeypatch):
    path = variants(tmp_path)["pretty"]
    real = QuotesAside.result

    def stale(self):
        answer = real(self)
        answer.fingerprint = [*answer.fingerprint[:-1], "another file"]
        answer.lower = bytes(len(answer.lower))  # every date at the epoch: wrong if believed
        return answer

    monkeypatch.setattr(QuotesAside, "result", stale)
    with records_only(monkeypatch):
        expected = load(path, cache=False)
    same_timeline(load(path, cache=False), expected)


@pytest.mark.parametrize("case", ["wrong type (null for required)", "unknown quote speaker", "bad said date"])
def test_a_problem_in_the_quotes_read_aside_is_reported_as_the_records_report_it(big, aside, tmp_path,
                                                                                  monkeypatch, case):
    path = write(tmp_path / "t.json", _mutate(CASES[case][0]))
    error = load_error(path)
    with records_only(monkeypatch):
        assert _problems(load_error(path)) == _problems(error)
    # the child checks what it reads and arranges; this process, who the quotes name
    assert aside == (["columns"] if case == "unknown quote speaker" else ["problem"])


@pytest.mark.parametrize("case", list(CASES))
def test_anything_wrong_with_the_child_arranging_is_reported_as_the_records_report_it(big, aside, tmp_path,
                                                                                      monkeypatch, case):
    """The child checks ids, quote links and dates as it arranges the timeline: whichever
    process finds a problem, the records report it."""
    path = write(tmp_path / "t.json", _mutate(CASES[case][0]))
    error = load_error(path)
    with records_only(monkeypatch):
        assert _problems(load_error(path)) == _problems(error)
    assert error.errors and aside in ([], ["columns"], ["problem"])


def test_the_child_says_nothing_and_fails_on_a_bad_file(tmp_path, capfd):
    assert aside_main([str(tmp_path / "missing.json")]) == 1
    assert aside_main([str(write(tmp_path / "t.json", _mutate(CASES["wrong type (null for required)"][0])))]) == 3
    assert aside_main([]) == 2
    assert capfd.readouterr().out == ""


def test_stop_all_kills_a_child_still_reading(tmp_path, monkeypatch):
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    monkeypatch.setattr("tui.store.aside.sys.executable", str(slow))
    child = QuotesAside.start(tmp_path / "t.json")
    stop_all()
    assert child.result() is None
    assert child._process.returncode < 0  # killed, not finished


@pytest.mark.parametrize("halves", ["here", "aside"])
@pytest.mark.parametrize("variant", ["pretty", "jsonl"])
def test_the_search_text_of_a_big_file_is_that_of_its_records(tmp_path, monkeypatch, variant, halves):
    """Read back from the file with only its text fields decoded, in this process or half
    of it by a child process, the search text is the one built from the records in memory."""
    path = variants(tmp_path)[variant]
    small = load(path, cache=False)
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    if halves == "aside":
        started = _outcomes(monkeypatch, TextAside, "blocks", "", lambda blocks: "built" if blocks else "none")
        monkeypatch.setattr(aside_module, "TEXT_ASIDE_LIMIT", 0)
    big = load(path, cache=False)
    assert big.origin is not None and small.origin is None
    (blob, offsets), (expected, expected_offsets) = big.haystack(), small.haystack()
    assert bytes(blob) == bytes(expected) and offsets == expected_offsets
    assert big.text_progress == 1
    if halves == "aside":
        assert started == ["built"]
        big._scanner._helper.close()
        assert not aside_module._RUNNING


NEEDLES = ["embajada", "power cut", "maduro", "a", "e", "zzzz", "caracas", "2024"]


def test_the_child_that_built_half_the_search_text_scans_that_half(tmp_path, monkeypatch):
    """Text search with the child scanning its half finds what a scan here finds, from
    several threads at once; once the child is gone, its half is scanned here."""
    path = variants(tmp_path)["pretty"]
    small = load(path, cache=False)
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(aside_module, "TEXT_ASIDE_LIMIT", 0)
    big = load(path, cache=False)
    big.haystack()
    helper = big._scanner._helper
    assert helper is not None and helper.first == len(big) // 2
    asked = _outcomes(monkeypatch, TextAside, "answer", "", lambda found: "answered" if found is not None else "gone")
    expected = {needle: list(small.text_positions(needle)) for needle in NEEDLES}
    assert {needle: list(big.text_positions(needle)) for needle in NEEDLES} == expected
    assert any(expected.values()) and not all(expected.values())
    assert set(asked) == {"answered"}

    with ThreadPoolExecutor(4) as pool:  # questions and answers never cross
        found = list(pool.map(lambda needle: list(big.text_positions(needle)), NEEDLES * 4))
    assert found == [expected[needle] for needle in NEEDLES * 4]

    helper._process.kill()
    helper._process.wait()
    sent = _outcomes(monkeypatch, TextAside, "ask", "", lambda ok: "sent" if ok else "refused")
    assert {needle: list(big.text_positions(needle)) for needle in NEEDLES} == expected
    assert sent == ["refused"] and big._scanner._helper is None and not aside_module._RUNNING


def test_a_child_gone_before_it_answers_has_its_half_scanned_here(tmp_path, monkeypatch):
    path = variants(tmp_path)["pretty"]
    expected = list(load(path, cache=False).text_positions("maduro"))
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(aside_module, "TEXT_ASIDE_LIMIT", 0)
    big = load(path, cache=False)
    big.haystack()
    real_ask = TextAside.ask

    def ask_then_die(self, message):  # stopped first, so that it cannot answer before it dies
        os.kill(self._process.pid, signal.SIGSTOP)
        sent = real_ask(self, message)
        self._process.kill()
        self._process.wait()
        return sent

    monkeypatch.setattr(TextAside, "ask", ask_then_die)
    answered = _outcomes(monkeypatch, TextAside, "answer", "", lambda found: "answered" if found is not None else "gone")
    assert list(big.text_positions("maduro")) == expected and expected
    assert answered == ["gone"] and big._scanner._helper is None and not aside_module._RUNNING


def test_with_no_room_for_the_scratch_file_the_search_text_is_built_in_memory(tmp_path, monkeypatch):
    """The disk fills up while the text is written: it is built again in memory, and the
    child that built half of it is stopped."""
    from tui.store import text as text_module

    path = variants(tmp_path)["pretty"]
    expected = load(path, cache=False).haystack()
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(aside_module, "TEXT_ASIDE_LIMIT", 0)

    def disk_full(chunks):
        for _ in chunks:  # all of it, the child's half too, then no room to finish
            pass
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(text_module, "_mapped", disk_full)
    big = load(path, cache=False)
    blob, offsets = big.haystack()
    assert isinstance(blob, bytearray) and bytes(blob) == bytes(expected[0]) and offsets == expected[1]
    assert big._scanner._helper is None and not aside_module._RUNNING


@pytest.mark.parametrize("python", ["/bin/false", "no-such-python"])
def test_when_the_child_cannot_build_its_half_of_the_search_text_it_is_built_here(tmp_path, monkeypatch, python):
    path = variants(tmp_path)["pretty"]
    expected = load(path, cache=False).haystack()
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    monkeypatch.setattr(aside_module, "TEXT_ASIDE_LIMIT", 0)
    monkeypatch.setattr("tui.store.aside.sys.executable", python if python.startswith("/") else str(tmp_path / python))
    started = _outcomes(monkeypatch, TextAside, "start", "", lambda child: "started" if child else "not started")
    answered = _outcomes(monkeypatch, TextAside, "blocks", "", lambda blocks: "built" if blocks else "none")
    timeline = load(path, cache=False)
    blob, offsets = timeline.haystack()
    assert bytes(blob) == bytes(expected[0]) and offsets == expected[1]
    assert (started, answered) == ((["started"], ["none"]) if python == "/bin/false" else (["not started"], []))
    assert not aside_module._RUNNING and timeline._scanner._helper is None


def test_the_child_building_search_text_says_nothing_and_fails_on_bad_input(tmp_path, capfd, monkeypatch):
    for content in ({"not": "msgpack"}, {}):
        with open(write(tmp_path / "junk", content), encoding="utf-8") as junk:
            monkeypatch.setattr("sys.stdin", junk)
            assert aside_module.text_main() == 1
    assert capfd.readouterr().out == ""


def test_a_big_file_gone_before_it_is_read_is_a_clear_error(big, tmp_path, monkeypatch):
    path = variants(tmp_path)["pretty"]
    monkeypatch.setattr(loader, "ASIDE_LIMIT", 0)
    real = loader._one_big_file

    def vanishing(paths):  # found big, then deleted before it is opened
        found = real(paths)
        path.unlink(missing_ok=True)
        return found

    monkeypatch.setattr(loader, "_one_big_file", vanishing)
    error = load_error(path)
    assert error.unreadable and str(error) == f"{path}: error: no such file"
