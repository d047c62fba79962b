"""The on-disk cache fails closed (issue 18, sections 1 and 2), tested the way SQLite tests
its file format: a real cache of a real file (the bundled dataset, counted as big), with its
word index, is damaged section by section (a flipped bit, a zeroed run, a truncation, two
sections swapped), and every command that reads the cache must print exactly what it prints
with ``--no-cache``: never wrong data, never a traceback, one line on standard error saying
the cache was damaged, and a sound cache written again for next time.
"""

from __future__ import annotations

import gc
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from tui.cli import main
from tui.store import cache, loader, words
from tui.store.cachefile import HEADER, read_toc
from tui.store.loader import load

from helpers_model import bundled_doc, variants


@pytest.fixture
def big(monkeypatch):
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _commands(path: Path) -> list[list[str]]:
    """Every command that reads the cache, each with a filter that reads another part of it."""
    t = load(path, cache=False)
    actor = Counter({a: n for a, n in t.actor_event_counts().items()}).most_common(1)[0][0]
    tag = next(iter(t.tag_counts()))
    month = t.dates[len(t) // 2].start
    p = str(path)
    return [
        ["list", p, "--format", "json"],  # every event, quote, actor, source: ids, dates, spans, grouping
        ["list", p, "--actor", actor, "--format", "json"],
        ["list", p, "--tag", tag, "--format", "csv"],
        ["list", p, "--from", f"{month.year}-{month.month:02}", "--to", f"{month.year}-{month.month:02}"],
        ["list", p, "--query", "confidence:reported", "--format", "json"],
        ["list", p, "--query", f"anchor:{t.events[len(t) // 3].id}", "--from", f"{month.year}"],  # event ids -> positions
        ["list", p, "--search", "embassy", "--format", "json"],  # the word index, else the search text
        ["list", p, "--search", "the embassy", "--format", "json"],  # a scan of the candidates' own text
        ["actors", p],  # counts, first and last dates, quotes by speaker
        ["list", p, "--query", "is:disputed", "--format", "markdown"],  # cited sources, stances and notes
        ["list", p, "--query", "asof:2024-08-01", "--format", "json"],  # when each cited source came out
    ]


@pytest.fixture
def damaged_setup(big, tmp_path, capsys):
    """A file, its sound cache (with the search text) and word index, the bytes of both,
    and what each command prints without the cache."""
    path = variants(tmp_path)["pretty"]
    fresh = load(path)
    fresh.haystack()
    target = cache.save(fresh)
    assert target is not None and words.build(target) is not None
    commands = _commands(path)
    expected = []
    for argv in commands:
        code, out, err = _run(capsys, *argv, "--no-cache")
        assert code == 0 and err == "" and out
        expected.append(out)
    restored = load(path)
    assert restored.from_cache and restored.cached_text and restored.words is not None and not restored.notices
    return path, target, target.read_bytes(), words.sidecar(target).read_bytes(), commands, expected


def _sections(data: bytes, target: Path) -> dict[str, tuple[int, int]]:
    with open(target, "rb") as f:
        toc, _, at = read_toc(f, target)
    found = {name: span for name, span in toc.sections.items()}
    found["(header)"] = (0, HEADER.size)
    found["(table of contents)"] = (at, len(data) - at)
    return found


def _flip(data: bytes, off: int, n: int) -> bytes:
    at = off + n // 2
    return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1:]


def _zero(data: bytes, off: int, n: int) -> bytes:
    run = min(n, 16)
    damaged = data[:off] + bytes(run) + data[off + run:]
    return damaged if damaged != data else _flip(data, off, n)  # a run of zeros already: flip instead


def _check_commands(capsys, path, target, cache_bytes, words_bytes, commands, expected) -> list[str]:
    """Run every command on the damaged cache (damaged again before each): the same output as
    without the cache, exit 0, at most one line on standard error. The lines said."""
    said = []
    for argv, out_expected in zip(commands, expected):
        target.write_bytes(cache_bytes)
        words.sidecar(target).write_bytes(words_bytes)
        code, out, err = _run(capsys, *argv)
        assert (code, out) == (0, out_expected), (argv, err)
        assert "Traceback" not in err and err.count("\n") <= 1, err
        if err:
            assert err.startswith("timeline: ") and "damaged" in err, err
            said.append(err)
            _cache_is_sound_again(path)  # the command that noticed wrote it anew
    return said


def _use_everything(t) -> None:
    """Read every section of a timeline restored from the cache, those checked when first used too."""
    for column in (t.events.ids, t.dates.texts, t.actors.values(), t.sources.values(), t.warnings):
        list(column)
    assert t.position[t.events.ids[-1]] == len(t) - 1
    t.haystack()


def _cache_is_sound_again(path) -> None:
    t = load(path)
    assert t.from_cache
    _use_everything(t)
    assert not t.notices
    del t
    gc.collect()  # its scanner's files (a cycle), before a command's gc.freeze() keeps them for good


SECTIONS = ["(header)", "(table of contents)", "actors.ids", "actors.ids.offsets", "actors.ids.hashes", "actors.ids.order", "actors",
            "actors.offsets", "sources.ids", "sources.ids.offsets", "sources.ids.hashes", "sources.ids.order", "sources", "sources.offsets",
            "event_ids", "event_ids.offsets", "event_ids.hashes", "event_ids.order", "event_dates", "event_dates.offsets", "event_starts",
            "event_ends", "quote_starts", "quote_ends", "lower", "upper", "group_keys", "_long", "_qstart",
            "_by_actor.keys", "_by_actor.counts", "_by_actor.postings", "_by_tag.keys", "_by_tag.counts",
            "_by_tag.postings", "_by_confidence.keys", "_by_confidence.counts", "_by_confidence.postings",
            "quotes_by_speaker", "refs.starts", "refs.sources", "refs.stances", "refs.notes", "refs.event_notes",
            "warnings", "text_offsets", "text"]
DEFERRED = {name for name in SECTIONS if name.startswith(("actors", "sources", "event_ids", "event_dates", "text"))
            or name == "warnings"}
"""Checked when first used (``store/deferred.py``, the search text): only the commands that
read them notice; the others are right without them."""


@pytest.mark.parametrize("how", ["bit flip", "zeroed run"])
@pytest.mark.parametrize("section", SECTIONS)
def test_a_damaged_section_changes_no_output(damaged_setup, capsys, section, how):
    path, target, data, index, commands, expected = damaged_setup
    sections = _sections(data, target)
    assert set(SECTIONS) == set(sections)  # every section of the format is tested
    off, n = sections[section]
    if n == 0:
        pytest.skip("empty in this dataset")  # nothing to damage (e.g. no long spans)
    damaged = (_flip if how == "bit flip" else _zero)(data, off, n)
    said = _check_commands(capsys, path, target, damaged, index, commands, expected)
    if section not in DEFERRED:  # checked on every reopen, by every command
        assert len(said) == len(commands), "the damage went unnoticed by some command"
        return
    target.write_bytes(damaged)  # checked when first used: whatever uses it notices
    t = load(path)
    assert t.from_cache and not t.notices
    _use_everything(t)
    assert len(t.notices) == 1 and "damaged" in t.notices[0], t.notices
    cache.save(t)  # as a command or the explorer does once done (the search text built again)
    del t
    gc.collect()  # its scanner's files, before a command's gc.freeze() keeps them for good
    _cache_is_sound_again(path)


@pytest.mark.parametrize("where", ["header", "a section", "the table of contents", "one byte short"])
def test_a_truncated_cache_changes_no_output(damaged_setup, capsys, where):
    path, target, data, index, commands, expected = damaged_setup
    sections = _sections(data, target)
    cut = {"header": 10, "a section": sections["lower"][0] + 3, "the table of contents": sections["(table of contents)"][0] + 5,
           "one byte short": len(data) - 1}[where]
    said = _check_commands(capsys, path, target, data[:cut], index, commands, expected)
    assert len(said) == len(commands)
    _cache_is_sound_again(path)


def _same_length_pairs() -> list[tuple[str, str]]:
    return [("lower", "upper"), ("event_starts", "event_ends"), ("event_starts", "lower"),
            ("quote_starts", "quote_ends"), ("group_keys", "_qstart")]


@pytest.mark.parametrize("a, b", _same_length_pairs())
def test_swapped_sections_change_no_output(damaged_setup, capsys, a, b):
    path, target, data, index, commands, expected = damaged_setup
    sections = _sections(data, target)
    (oa, na), (ob, nb) = sections[a], sections[b]
    if na != nb:  # the same length, so that nothing else moves: only the checksums can tell
        na = nb = min(na, nb)
    first, second = sorted([(oa, na), (ob, nb)])
    swapped = (data[:first[0]] + data[second[0]:second[0] + second[1]] + data[first[0] + first[1]:second[0]]
               + data[first[0]:first[0] + first[1]] + data[second[0] + second[1]:])
    assert len(swapped) == len(data) and swapped != data
    said = _check_commands(capsys, path, target, swapped, index, commands, expected)
    assert len(said) == len(commands)
    _cache_is_sound_again(path)


@pytest.mark.parametrize("how", ["bit flip", "zeroed run", "truncated"])
@pytest.mark.parametrize("region", ["header", "vocabulary", "postings"])
def test_a_damaged_word_index_changes_no_output_and_is_built_again(damaged_setup, capsys, region, how):
    path, target, data, index, commands, expected = damaged_setup
    at = {"header": 8 + 4 + 16 + 8 * 4 + 2, "vocabulary": words._HEADER.size + 5, "postings": len(index) - 3}[region]
    damaged = index[:at] if how == "truncated" else (_flip if how == "bit flip" else _zero)(index, at, 1)
    said = _check_commands(capsys, path, target, data, damaged, commands, expected)
    assert said and all("word index" in line for line in said)
    words.sidecar(target).write_bytes(damaged)
    _run(capsys, *next(argv for argv in commands if "--search" in argv))  # a search
    assert not words.sidecar(target).exists()  # deleted: the explorer builds it again
    assert words.build(target) is not None and load(path).words is not None


def test_a_file_edited_in_the_middle_with_its_old_time_put_back_is_read_again(big, tmp_path):
    """Same size, same modification time, same first and last 64 KiB: only the inode's change
    time (which tools cannot set back) tells."""
    doc = bundled_doc()
    doc["description"] = "x" * 100_000 + " MIDDLE " + "x" * 100_000
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    t = load(path)
    assert cache.save(t) is not None and load(path).from_cache
    st = os.stat(path)
    data = path.read_bytes()
    at = data.index(b" MIDDLE ")
    assert 64 * 1024 < at < len(data) - 64 * 1024
    with open(path, "r+b") as f:  # in place: same inode, same size
        f.seek(at)
        f.write(b" MIDDLF ")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as touch -r or a sync tool would
    again = load(path)
    assert not again.from_cache and "MIDDLF" in again.description


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.delenv("TIMELINE_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "timeline-explorer"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "timeline-explorer"


@pytest.mark.parametrize("section", ["lower", "text"])
async def test_the_explorer_reads_around_a_damaged_cache_and_says_so(damaged_setup, section):
    """A damaged cache in the explorer: the same events as without it, one notification."""
    from conftest import settle
    from tui.app import TimelineApp
    from tui.model.query import from_options

    path, target, data, index, commands, expected = damaged_setup
    off, n = _sections(data, target)[section]
    target.write_bytes(_flip(data, off, n))
    shown = []
    for use_cache in (False, True):
        app = TimelineApp([str(path)], query=from_options(search="embassy"), cache=use_cache)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(3):  # load -> filter -> search text -> cache
                await settle(app, pilot)
            shown.append(list(app.screen.timeline_view.positions))
            notes = [n.message for n in app._notifications]
        assert [n for n in notes if "damaged" in n] == ([] if not use_cache else notes[-1:]), notes
    assert shown[0] == shown[1] and shown[0]
    _cache_is_sound_again(path)
