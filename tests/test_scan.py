"""Scanning the search text (``scan.py``): on both cores through memmem, or on one through
``find``, the positions are those whose own text holds the needle."""

from __future__ import annotations

import mmap
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.store import scan
from tui.store.scan import Scanner

TEXTS = ["power cut at the residence", "", "the embassy", "cut", "uncut power", "x" * 50, "résidence ∅ 🙂",
         "embassy embassy", "cu", "t"]


def _blob(texts: list[str]) -> tuple[bytearray, array]:
    """The layout of ``Timeline.haystack``: each text, then a NUL; offsets where each starts."""
    blob, offsets = bytearray(), array("q", [0])
    for text in texts:
        blob += text.encode() + b"\x00"
        offsets.append(len(blob))
    return blob, offsets


def _expected(texts: list[str], needle: bytes) -> list[int]:
    return [p for p, text in enumerate(texts) if needle in text.encode()]


@pytest.fixture(params=["memmem, one thread", "memmem, two threads", "find (read-only mapping)"])
def scanner_for(request, monkeypatch, tmp_path):
    """Build a Scanner over texts in each of the three ways a scan can run."""
    if request.param == "memmem, two threads":
        monkeypatch.setattr(scan, "_PARALLEL", 2)

    def make(texts: list[str]) -> Scanner:
        blob, offsets = _blob(texts)
        if request.param.startswith("find"):
            path = tmp_path / "text"
            path.write_bytes(bytes(blob) or b"\x00")
            with open(path, "rb") as f:
                blob = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # ctypes cannot point into it
        scanner = Scanner(blob, offsets)
        assert scanner.parallel == (not request.param.startswith("find") and scan._MEMMEM is not None)
        return scanner

    return make


@pytest.mark.parametrize("needle", [b"cut", b"embassy", b"power cut", b"x" * 50, b"x" * 51, "∅".encode(), b"t",
                                    b"\xc3", b"no such thing", b"residence"])
def test_positions_are_those_whose_text_holds_the_needle(scanner_for, needle):
    assert list(scanner_for(TEXTS).positions(needle)) == _expected(TEXTS, needle)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.text(alphabet="abc é\n", max_size=12), min_size=1, max_size=30),
       needle=st.text(alphabet="abc é", min_size=1, max_size=4))
def test_any_needle_in_any_texts(texts, needle):
    """As the explorer runs it (memmem where there is one), on two threads and on one, and
    event by event (as for a needle in most events), from any first position."""
    blob, offsets = _blob(texts)
    raw = needle.encode()
    expected = _expected(texts, raw)
    assert list(Scanner(blob, offsets).positions(raw)) == expected
    for first in (0, len(texts) // 2):
        assert list(Scanner(blob, offsets)._each(raw, first, len(texts))) == [p for p in expected if p >= first]
    scan_parallel = Scanner(bytearray(blob), offsets)
    old, scan._PARALLEL = scan._PARALLEL, 2
    try:
        assert list(scan_parallel.positions(raw)) == expected
    finally:
        scan._PARALLEL = old


def test_a_failure_in_the_helper_thread_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(scan, "_PARALLEL", 2)
    scanner = Scanner(*_blob(TEXTS))
    if not scanner.parallel:
        pytest.skip("no memmem here: scans never use a second thread")
    real = scanner._hits

    def failing_later_half(needle, first, last):
        if first:
            raise MemoryError("later half")
        return real(needle, first, last)

    monkeypatch.setattr(scanner, "_hits", failing_later_half)
    with pytest.raises(MemoryError, match="later half"):
        scanner.positions(b"cut")


@pytest.mark.parametrize("needle, way", [(b"common", "each event"), (b"medium", "memmem"),
                                         (b"rare", "memmem, two threads")])
def test_the_first_64th_of_the_text_decides_how_the_rest_is_scanned(monkeypatch, needle, way):
    texts = ["common" + (" medium" if p % 10 == 0 else "") + (" rare" if p == 3000 else "") for p in range(6400)]
    scanner = Scanner(*_blob(texts))
    if not scanner.parallel:
        pytest.skip("no memmem here: every scan uses find")
    monkeypatch.setattr(scan, "_PARALLEL", 64)
    scans = []
    hits, each = scanner._hits, scanner._each

    def spy(real, label):
        def spied(needle, first, last):
            scans.append((first, last, label))
            return real(needle, first, last)
        return spied

    monkeypatch.setattr(scanner, "_hits", spy(hits, "memmem"))
    monkeypatch.setattr(scanner, "_each", spy(each, "each event"))
    assert list(scanner.positions(needle)) == _expected(texts, needle)
    rest = {"each event": [(100, 6400, "each event")], "memmem": [(100, 6400, "memmem")],
            "memmem, two threads": [(3250, 6400, "memmem"), (100, 3250, "memmem")]}[way]
    assert scans[0] == (0, 100, "memmem") and sorted(scans[1:]) == sorted(rest)


def test_where_a_private_mapping_is_refused_the_text_is_mapped_read_only_and_scanned_by_find(tmp_path, monkeypatch):
    blob, offsets = _blob(TEXTS)
    path = tmp_path / "text"
    path.write_bytes(bytes(blob))
    real = mmap.mmap

    def strict_overcommit(fileno, length, **kwargs):
        if kwargs.get("access") == mmap.ACCESS_COPY:
            raise OSError(12, "Cannot allocate memory")
        return real(fileno, length, **kwargs)

    monkeypatch.setattr(scan.mmap, "mmap", strict_overcommit)
    with open(path, "rb") as f:
        text = scan.map_text(f.fileno())
    scanner = Scanner(text, offsets)
    assert not scanner.parallel
    assert list(scanner.positions(b"cut")) == _expected(TEXTS, b"cut")


def test_prepare_does_ahead_what_the_first_scan_would_and_changes_no_answer():
    blob, offsets = _blob(TEXTS)
    scanner = Scanner(blob, offsets)
    assert scanner._bounds is offsets  # the array it was given, not yet a list
    scanner.prepare()
    assert isinstance(scanner._bounds, list) and scanner._bounds == list(offsets)  # now the one copy it keeps
    assert list(scanner.positions(b"cut")) == _expected(TEXTS, b"cut")


def test_a_scanner_is_freed_without_the_garbage_collector():
    """No cycle: dropping the last reference frees the scanner (and lets its mapping and
    file go) at once, not at some later collection."""
    import gc
    import weakref

    blob = bytearray(b"alpha\x00beta\x00")
    scanner = Scanner(blob, array("Q", [0, 6, 11]))
    assert scanner.parallel == (scan._MEMMEM is not None)
    assert list(scanner.positions(b"beta")) == [1]
    gone = weakref.ref(scanner)
    gc.disable()
    try:
        del scanner
        assert gone() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("prepared", [True, False])
def test_a_scanner_grown_from_another_answers_as_one_made_afresh(prepared):
    """``grown``: the scanner of a text that starts with this one's (an append) carries this
    one's offsets list on, extended, and answers as a scanner made from nothing."""
    more = TEXTS + ["power cut again", "", "embassy residence"]
    old = Scanner(*_blob(TEXTS))
    if prepared:
        old.prepare()
    blob, offsets = _blob(more)
    grown = old.grown(blob, offsets)
    assert isinstance(grown._bounds, list) == prepared
    if prepared:
        assert grown._bounds == list(offsets) and grown._bounds is not old._bounds
    assert list(old._bounds) == list(_blob(TEXTS)[1])  # the old one's unchanged
    for needle in (b"cut", b"embassy", b"power cut", b"residence", b"t", b"nowhere"):
        assert list(grown.positions(needle)) == _expected(more, needle), needle
        assert list(old.positions(needle)) == _expected(TEXTS, needle), needle
