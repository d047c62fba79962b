"""The cache's packed columns (issue 20): strings and records kept as one blob with offsets,
found by id through hashes kept sorted, decoded when asked for; and sections checked on
first use, read around when damaged."""

from __future__ import annotations

import pytest

from tui.model.entities import Actor
from tui.store import idhash
from tui.store.deferred import DeferredMapping, DeferredSequence, Recovery
from tui.store.packed import Packed, PackedRecords, Positions, pack, pack_records

IDS = ["ev-1", "ev-2", "", "événement-ü", "ev-1", "x" * 3000, "日本語", "ev-10"]
"""Odd ones on purpose: an empty id, one longer than a hashing chunk's share, a repeated one,
non-ASCII ones."""


def _packed(items: list[str]) -> Packed:
    return Packed(*pack(s.encode() for s in items))


def test_packed_strings_read_back_as_written():
    packed = _packed(IDS)
    assert len(packed) == len(IDS) and list(packed) == IDS and packed[3] == IDS[3] and packed[-1] == IDS[-1]
    assert packed[1:3] == IDS[1:3] and list(reversed(packed)) == IDS[::-1]
    with pytest.raises(IndexError):
        packed[len(IDS)]


def test_packed_slices_are_the_strings_one_by_one_whatever_holds_them():
    """A slice (cut and decoded in C: a reopened file's million ids, spliced when it grows)
    is the list of those strings, read from bytes, a mapped view or a bytearray."""
    items = [*IDS, "ünï-😀", "", "z"]
    blob, offsets = pack(s.encode() for s in items)
    for held in (bytes(blob), memoryview(bytes(blob)), blob):
        packed = Packed(held, memoryview(offsets))
        for cut in (slice(None), slice(2, 5), slice(-3, None), slice(5, 2), slice(None, None, 2),
                    slice(len(items), None), slice(None, -1)):
            assert packed[cut] == items[cut], cut


def test_bulk_hashes_are_the_hashes_of_each_id():
    packed = _packed(IDS)
    hashes, order = idhash.build(packed.blob, packed.offsets)
    assert sorted(order) == list(range(len(IDS)))
    assert [hashes[k] for k in range(len(IDS))] == sorted(idhash.hash_one(s.encode()) for s in IDS)
    assert all(hashes[k] == idhash.hash_one(IDS[order[k]].encode()) for k in range(len(IDS)))


def test_many_ids_hash_in_chunks_like_one_by_one():
    ids = [f"event-{i:07d}" for i in range(200_000)]  # over a megabyte: several chunks
    ids[100_000] = "y" * (idhash._CHUNK + 5)  # one id longer than a chunk
    packed = _packed(ids)
    hashes, order = idhash.build(packed.blob, packed.offsets)
    assert hashes[list(order).index(100_000)] == idhash.hash_one(ids[100_000].encode())
    for k in (0, 1, 77_777, 199_999):
        assert hashes[k] == idhash.hash_one(ids[order[k]].encode())
    assert len(set(hashes)) == len(ids)  # no collision among these


@pytest.mark.parametrize("lookups", [1, 5000], ids=["by hash", "by dict, once lookups are many"])
def test_positions_find_each_id_first_of_equals(lookups):
    packed = _packed(IDS)
    positions = Positions(packed, *idhash.build(packed.blob, packed.offsets))
    for _ in range(lookups):
        positions.get("ev-2")
    assert [positions[s] for s in IDS] == [IDS.index(s) for s in IDS]  # "ev-1" twice: the first
    assert positions.get("missing") is None and "missing" not in positions and 3 not in positions
    with pytest.raises(KeyError):
        positions["missing"]
    assert list(positions) == list(dict.fromkeys(IDS)) and len(positions) == len(set(IDS))


def test_packed_records_decode_what_is_asked_for_and_all_at_once():
    actors = [Actor(id=f"a{i}", name=f"Name {i}", kind="person") for i in range(50)]
    ids, id_offsets, blob, offsets = pack_records(actors)
    packed_ids = Packed(ids, id_offsets)
    records = PackedRecords(packed_ids, Positions(packed_ids, *idhash.build(ids, id_offsets)), Packed(blob, offsets),
                            Actor)
    first = records["a7"]
    assert first == actors[7] and records.get("nope") is None and "a49" in records and len(records) == 50
    assert records.values() == actors and records["a7"] is first  # handed out once: the same object
    assert list(records) == [a.id for a in actors] and dict(records.items()) == {a.id: a for a in actors}


def test_packed_records_project_only_some_fields_of_every_record_in_order():
    """What a list of 50,000 actors or their reverse links need, decoded without the rest
    of each record: the same ids, names, kinds and affiliations as the whole records."""
    from tui.model.entities import ActorName, Membership
    from tui.model.timeline import project

    actors = [Actor(id=f"a{i}", name=f"Näme {i}", kind="person", aliases=["x"] * (i % 3),
                    description="¬affiliations" if i % 5 else None, affiliations=[f"a{j}" for j in range(i % 4)])
              for i in range(60)]
    ids, id_offsets, blob, offsets = pack_records(actors)
    packed_ids = Packed(ids, id_offsets)
    records = PackedRecords(packed_ids, Positions(packed_ids, *idhash.build(ids, id_offsets)), Packed(blob, offsets),
                            Actor)
    deferred = DeferredMapping(lambda: records)
    names = project(deferred, ActorName)
    assert [(a.id, a.name, a.kind) for a in names] == [(a.id, a.name, a.kind) for a in actors]
    assert all(type(a) is ActorName for a in names)
    assert [(a.id, a.affiliations) for a in project(records, Membership)] == [(a.id, a.affiliations) for a in actors]
    plain = {a.id: a for a in actors}  # a timeline read from the file: the records themselves
    assert project(plain, ActorName) == actors


def test_packed_postings_cut_each_key_s_postings_when_asked_for():
    from array import array

    from tui.store.packed import PackedPostings

    index = {"a": array("I", [0, 4, 9]), "": array("I"), "ü": array("I", [2]), "b": array("I", [1, 2, 3, 8])}
    flat = array("I")
    for postings in index.values():
        flat.extend(postings)
    packed = PackedPostings(list(index), array("Q", map(len, index.values())), flat)
    assert packed == index and list(packed) == list(index) and len(packed) == 4
    assert packed["b"] == array("I", [1, 2, 3, 8]) and packed.get("nope") is None and "" in packed
    assert packed.lengths() == {key: len(p) for key, p in index.items()}
    with pytest.raises(KeyError):
        packed["nope"]


def test_a_deferred_section_is_read_once_when_first_used():
    loads = []
    section = DeferredSequence(lambda: loads.append(1) or ["as cached"], length=1)
    assert len(section) == 1 and not loads  # its length is known without reading it
    assert list(section) == ["as cached"] and section[0] == "as cached" and loads == [1]
    mapping = DeferredMapping(lambda: loads.append(2) or {"k": 1})
    assert "k" in mapping and mapping["k"] == 1 and mapping.get("j") is None and loads == [1, 2]


def test_damage_found_on_first_use_reads_the_file_once_and_says_so_once():
    said, reread, saved = [], [], []
    recovery = Recovery("story.json", lambda: reread.append(1) or "fresh timeline", saved.append, said,
                        lambda name, what: f"the cache of {name} was damaged ({what})")
    assert recovery.fresh("section 'warnings'") == recovery.fresh("section 'actors'") == "fresh timeline"
    assert reread == [1] and saved == ["fresh timeline"]
    assert said == ["the cache of story.json was damaged (section 'warnings')"]
