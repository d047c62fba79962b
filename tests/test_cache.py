"""The on-disk cache: a big file reopens from it, unchanged, and any doubt means a full read.

"Big" is whatever is over ``loader.STRICT_LIMIT`` (64 MB); these tests lower that limit so
the bundled dataset and small variants of it take the big-file path.
"""

from __future__ import annotations

import json
import os
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.store import cache, loader, words
from tui.store.loader import bundled_path, load
from tui.store.records import UNREADABLE

from helpers_model import bundled_doc, same_timeline, variants


@pytest.fixture
def big(monkeypatch):
    """Every file counts as big: loads take the big-file path (columns) and may be cached."""
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)


@pytest.mark.parametrize("variant", ["pretty", "compact", "crlf", "jsonl"])
def test_a_big_file_reopens_from_its_cache_exactly_as_loaded(big, tmp_path, variant):
    path = variants(tmp_path)[variant]
    before = path.read_bytes()
    fresh = load(path)
    assert fresh.origin is not None and not fresh.from_cache
    fresh.haystack()
    written = cache.save(fresh)
    assert written is not None and written.parent == Path(os.environ["TIMELINE_CACHE_DIR"])

    restored = load(path)
    assert restored.from_cache and restored.cached_text
    assert not isinstance(restored.events, list)  # records are read back on demand
    same_timeline(fresh, restored)
    for actor in list(fresh.actors)[:20]:  # the reverse links, from the packed actors' affiliations alone
        assert restored.members_of(actor) == fresh.members_of(actor)
    assert restored._members == fresh._members
    assert path.read_bytes() == before  # the data file is only ever read


def test_without_the_search_text_the_cache_still_serves_and_is_completed_later(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    fresh = load(path)
    assert cache.save(fresh) is not None  # no text index yet
    restored = load(path)
    assert restored.from_cache and not restored.cached_text and not restored.text_ready
    same_timeline(fresh, restored)  # text queries build the search text from records read back
    assert restored.text_ready
    assert cache.save(restored) is not None  # now with the text
    again = load(path)
    assert again.cached_text
    same_timeline(fresh, again)
    assert cache.save(again) is None  # nothing to add


def test_small_files_and_several_files_are_never_cached(tmp_path):
    assert load(bundled_path()).origin is None  # under the limit: decoded whole, nothing to keep
    assert cache.save(load(bundled_path())) is None


def test_several_big_files_together_are_not_cached(big, tmp_path):
    v = variants(tmp_path)
    assert load([v["pretty"], v["compact"]]).origin is None


def _cached(path: Path):
    t = load(path)
    t.haystack()
    assert cache.save(t) is not None
    assert load(path).from_cache
    return t


def test_a_changed_file_is_read_again(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    _cached(path)
    data = bundled_doc()
    data["title"] = "A new title"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    t = load(path)
    assert not t.from_cache and t.title == "A new title"


def test_same_size_and_time_but_other_bytes_is_a_miss(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    _cached(path)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("embassy", "EMBASSY", 1)  # in the title, near the start
    assert edited != text and len(edited.encode()) == st.st_size
    with open(path, "r+b") as f:  # in place: same inode, same size
        f.write(edited.encode())
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    t = load(path)
    assert not t.from_cache and "EMBASSY" in t.title


def test_a_file_replaced_by_another_is_a_miss(big, tmp_path):
    v = variants(tmp_path)
    _cached(v["pretty"])
    other = tmp_path / "other.json"
    other.write_bytes(v["pretty"].read_bytes())
    os.replace(other, v["pretty"])  # same bytes, another inode
    assert not load(v["pretty"]).from_cache


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other-version", "toc-garbage"])
def test_a_damaged_cache_is_a_miss_never_an_error(big, tmp_path, damage):
    path = variants(tmp_path)["pretty"]
    fresh = _cached(path)
    target = cache.cache_path(path)
    data = target.read_bytes()
    damaged = {
        "truncated": data[: len(data) // 2],
        "garbage": os.urandom(len(data)),
        "empty": b"",
        "other-version": data[:8] + (99).to_bytes(4, "little") + data[12:],
        "toc-garbage": data[:-40] + b"\xc1" * 40,
    }[damage]
    target.write_bytes(damaged)
    t = load(path)
    assert not t.from_cache
    same_timeline(fresh, t)


def test_no_cache_reads_the_file(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    _cached(path)
    assert not load(path, cache=False).from_cache


def test_an_unwritable_cache_folder_is_silent(big, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(blocker / "cache"))
    path = variants(tmp_path)["pretty"]
    t = load(path)
    assert cache.save(t) is None
    assert not load(path).from_cache


def test_cache_folder_follows_xdg_when_not_overridden(monkeypatch, tmp_path):
    monkeypatch.delenv("TIMELINE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "timeline-explorer"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "timeline-explorer"


def test_only_the_most_recently_used_caches_are_kept(big, tmp_path):
    paths = []
    for i in range(cache.KEEP + 2):
        p = tmp_path / f"t{i}.json"
        p.write_bytes(bundled_path().read_bytes())
        paths.append(p)
    for i, p in enumerate(paths):
        assert cache.save(load(p)) is not None
        os.utime(cache.cache_path(p), ns=(i * 10**9, i * 10**9))  # written in this order
    assert load(paths[0]).from_cache is False  # pruned: the oldest two went
    assert load(paths[1]).from_cache is False
    kept = sorted(Path(os.environ["TIMELINE_CACHE_DIR"]).glob("*.cache"))
    assert len(kept) == cache.KEEP
    assert all(load(p).from_cache for p in paths[2:])


def test_a_file_rewritten_in_place_while_open_shows_a_stand_in_not_a_crash(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    _cached(path)
    t = load(path)
    quoted = next(p for p in range(len(t)) if t.quotes_at(p))
    event_id, date = t.events[quoted].id, t.dates[quoted].display()
    size = path.stat().st_size
    with open(path, "r+b") as f:  # e.g. `> file` by another program while the explorer runs
        f.write(b" " * size)
    event = t.events[quoted]
    assert event.title == UNREADABLE
    assert event.id == event_id and t.dates[quoted].display() == date  # these come from the cache
    assert [q.text for q in t.quotes_at(quoted)] == [UNREADABLE] * len(t.quotes_at(quoted))
    # read together (an export): stand-ins too, one per record, in place
    events = t.events_at([0, quoted])
    assert [e.title for e in events] == [UNREADABLE] * 2 and events[1].id == event_id
    assert [q.text for q in t.quotes_of([quoted])] == [UNREADABLE] * len(t.quotes_at(quoted))


# --- the word index beside the cache -------------------------------------------------------------------

NEEDLES = ["embassy", "mbass", "EMBASSY", "power cut", " cut", "cut ", "power-cut", "núñez", "nunez", "sic]",
           "[sic", "maduro", "machado said", "caracas,", "2024", "e", "a", "de la", "no such words here",
           "zzzz", "'", "”", "—", "argentine embassy residence", "the"]


def _indexed(path: Path):
    """A cached timeline with its word index, and one without (text search by scanning)."""
    _cached(path)
    assert words.build(cache.cache_path(path)) is not None
    with_index, without = load(path), load(path)
    assert with_index.words is not None
    without.words = None
    return with_index, without


@pytest.mark.parametrize("variant", ["pretty", "jsonl"])
def test_the_word_index_finds_exactly_what_a_scan_finds(big, tmp_path, variant):
    with_index, without = _indexed(variants(tmp_path)[variant])
    every = range(len(with_index))
    some = array("I", every[::3])
    for needle in NEEDLES:
        for candidates in (None, some):
            expected = list(without.text_positions(needle, candidates))
            assert list(with_index.text_positions(needle, candidates)) == expected, (needle, candidates)
    assert list(with_index.text_positions("embassy")) != []  # the needles do find things


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_piece_of_the_text_is_found_by_the_index_as_by_a_scan(big, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("words") / "t.json"
    path.write_bytes(bundled_path().read_bytes())
    with_index, without = _indexed(path)
    blob, offsets = without.haystack()
    p = data.draw(st.integers(0, len(without) - 1))
    text = bytes(blob[offsets[p]:offsets[p + 1] - 1]).decode("utf-8")
    start = data.draw(st.integers(0, max(0, len(text) - 1)))
    needle = text[start:start + data.draw(st.integers(1, 30))]
    found = with_index.text_positions(needle)
    assert p in found or not needle.strip()
    assert list(found) == list(without.text_positions(needle))


def test_a_word_index_of_an_older_cache_is_not_used(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    _indexed(path)
    data = bundled_doc()
    data["title"] = "Changed"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    t = load(path)
    t.haystack()
    cache.save(t)  # a new cache for the new content; the old index stays beside it
    assert words.sidecar(cache.cache_path(path)).exists()
    reopened = load(path)
    assert reopened.from_cache and reopened.words is None


def test_the_index_is_built_by_a_child_process(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    _cached(path)
    index = words.build_aside(cache.cache_path(path))
    assert index is not None
    assert list(index.lookup(b"embass", 10**6)[0])  # some event holds "embassy"


@pytest.mark.parametrize("variant", ["pretty", "compact", "crlf", "jsonl"])
def test_a_big_file_is_read_back_on_demand_and_matches_a_full_decode(monkeypatch, tmp_path, variant):
    path = variants(tmp_path)[variant]
    decoded = load(path, cache=False)  # small: every record decoded and kept
    assert isinstance(decoded.events, list) and decoded.origin is None
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)
    big_one = load(path, cache=False)
    assert not isinstance(big_one.events, list) and big_one.origin is not None
    same_timeline(decoded, big_one)
    assert not isinstance(big_one.haystack()[0], bytearray)  # its search text is a mapped scratch file


def test_a_file_changed_after_it_was_read_is_not_cached(big, tmp_path):
    path = variants(tmp_path)["pretty"]
    t = load(path)
    data = bundled_doc()
    data["title"] = "Edited while the explorer was open"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert cache.save(t) is None  # its indexes are the old file's
    assert not cache.cache_path(path).exists()
    assert load(path).title == "Edited while the explorer was open"


def test_a_cache_whose_sections_disagree_is_a_miss(big, tmp_path, monkeypatch):
    path = variants(tmp_path)["pretty"]
    fresh = _cached(path)
    fresh._qstart = fresh._qstart[:-1]  # one entry short: written as is, must not be trusted
    fresh.from_cache = False
    os.unlink(cache.cache_path(path))
    assert cache.save(fresh) is not None
    assert not load(path).from_cache


def test_a_file_replaced_while_or_after_it_is_read_is_read_as_it_was(big, tmp_path, monkeypatch):
    """A program writing a new version and renaming it over the old one: the records shown
    are those of the version that was read, never the old spans applied to the new file."""
    from tui.store.columns import Columns

    path = variants(tmp_path)["pretty"]
    expected = list(load(path, cache=False).events)
    newer = tmp_path / "newer.json"
    data = bundled_doc()
    data["events"].reverse()
    newer.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    real = Columns.timeline

    def replaced_meanwhile(self, *args, **kwargs):  # just after reading, before anything is read back
        os.replace(newer, path)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Columns, "timeline", replaced_meanwhile)
    t = load(path, cache=False)
    assert list(t.events) == expected
    assert cache.save(t) is None  # and never cached as the new file's


def test_a_reopened_big_timeline_has_a_child_scan_half_its_cached_text(big, tmp_path, monkeypatch):
    """What the word index leaves to a scan is scanned on both cores after a reopen too, once
    the explorer prepares its search: a child maps the later half of the cached text (through
    the descriptor it was handed)."""
    from tui.store import aside

    path = variants(tmp_path)["pretty"]
    fresh = load(path)
    fresh.haystack()
    assert cache.save(fresh) is not None
    monkeypatch.setattr(aside, "TEXT_ASIDE_LIMIT", 0)
    restored = load(path)
    assert restored.cached_text and not restored.text_ready and not aside._RUNNING  # not for any reopen
    restored.haystack()  # the cached text, checked on first use
    assert restored._scanner._helper is None and not aside._RUNNING  # nor for its first use
    restored.prepare_search()  # as the explorer does
    helper = restored._scanner._helper
    assert helper is not None and helper.first == len(restored) // 2
    asked = []
    real = aside.TextAside.answer
    monkeypatch.setattr(aside.TextAside, "answer", lambda self: asked.append(1) or real(self))
    for needle in ["embajada", "a", "maduro", "zzzz", "2024 el"]:
        assert list(restored._scanner.positions(needle.encode())) == list(fresh._scanner.positions(needle.encode()))
    assert len(asked) == 5
    helper.close()
    assert not aside._RUNNING
