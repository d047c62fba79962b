"""The word index (``store/words.py``) answers every text search exactly as a scan of the
search text does, including through the closures of its hot words (the merged positions of
a frequent word inside any other word), on timelines made to have words inside words."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.model.haystack import searchable
from tui.model.postings import union
from tui.store import cache, loader, words
from tui.store.loader import load

from helpers_model import write

# Few letters, so that words hold one another ("the" in "other", "据the"), some words are
# in most events and a needle may be in many vocabulary words.
PIECES = ["the", "other", "a", "ab", "ba", "据", "据the", "théa", "the,", "e", "(the)"]
titles = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map(" ".join)
needles = st.one_of(st.sampled_from(PIECES + ["th", "he", "the ab", "a b", "据t", "thea", "ÉA", "zz"]),
                    st.text(alphabet="theaob据, ", min_size=1, max_size=5))


def _indexed(folder, texts: list[str]):
    doc = {"format": "timeline/1", "title": "w", "actors": [], "sources": [], "quotes": [],
           "events": [{"id": f"e{i}", "date": f"2024-01-{i % 28 + 1:02d}", "title": t} for i, t in enumerate(texts)]}
    path = write(folder / "t.json", doc)
    first = load(path)
    first.haystack()
    assert cache.save(first) is not None
    assert words.build(cache.cache_path(path)) is not None
    with_index, without = load(path), load(path)
    assert with_index.words is not None
    without.words = None
    return with_index, without


@pytest.fixture
def big(monkeypatch):
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)  # every file takes the cached path
    monkeypatch.setattr(words, "_MERGE", 0)  # lookup merges whatever it finds (``_merged``)
    monkeypatch.setattr(words, "MAX_WORDS", 10**9)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=st.lists(titles, min_size=1, max_size=40), asked=st.lists(needles, min_size=1, max_size=6),
       data=st.data())
def test_the_index_answers_as_a_scan_does(big, tmp_path_factory, texts, asked, data):
    with_index, without = _indexed(tmp_path_factory.mktemp("words"), texts)
    every = range(len(texts))
    some = array("I", sorted(data.draw(st.sets(st.sampled_from(every)))))
    for needle in asked:
        for candidates in (None, some):
            expected = list(without.text_positions(needle, candidates))
            assert list(with_index.text_positions(needle, candidates)) == expected, (needle, candidates)
        for piece in searchable(needle).encode().split():  # the index alone, with no limit to fall back
            found = with_index.words.lookup(piece, 10**9)
            assert found is not None and list(union(found)) == list(without.text_positions(piece.decode())), piece


def test_a_hot_word_is_answered_by_its_closure(big, tmp_path):
    texts = ["the cat", "other", "the", "据the dog", "a", "the", "x", "y", "z", "w"] * 2  # cat: 1 in 10
    with_index, without = _indexed(tmp_path, texts)
    merged = with_index.words.lookup(b"the", 0)  # no merge allowed: the closure needs none
    assert merged is not None and len(merged) == 1
    assert list(merged[0]) == list(without.text_positions("the"))
    assert set(without.text_positions("the")) == {p for p, t in enumerate(with_index.events) if "the" in t.title}
    assert with_index.words.lookup(b"cat", 0) is None  # not hot, and over the limit: a scan


def test_hot_words_are_the_most_frequent_and_at_most_hot(monkeypatch, big, tmp_path):
    monkeypatch.setattr(words, "HOT", 2)
    texts = ["the a b", "the a", "the", "c"] * 5
    with_index, _ = _indexed(tmp_path, texts)
    with_index.words.lookup(b"x", 10)
    assert set(with_index.words._hot) == {b"the", b"a"}
