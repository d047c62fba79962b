"""Actor labels tell apart actors who share a name: the name alone when it is unique (folded:
"Núñez" and "nunez" are the same name), else with the kind, else with the id."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.model.entities import ACTOR_KINDS, Actor
from tui.model.names import distinct_labels
from tui.model.text import fold


def reference(actors: list[Actor]) -> dict[str, str]:
    """The rule, walked the plain way."""
    names = Counter(fold(a.name) for a in actors)
    kinds = Counter((fold(a.name), a.kind) for a in actors)
    return {a.id: a.name if names[fold(a.name)] == 1 else
            f"{a.name} ({a.kind})" if kinds[(fold(a.name), a.kind)] == 1 else f"{a.name} ({a.id})" for a in actors}


def test_namesakes_get_their_kind_then_their_id():
    actors = [Actor(id="rc1", name="Robert Clark", kind="person"), Actor(id="rc2", name="ROBERT CLARK", kind="person"),
              Actor(id="rc3", name="Robert Clark", kind="organization"), Actor(id="nu", name="Núñez", kind="person"),
              Actor(id="nu2", name="Nunez", kind="group"), Actor(id="solo", name="Solo", kind="person")]
    assert distinct_labels(actors) == {"rc1": "Robert Clark (rc1)", "rc2": "ROBERT CLARK (rc2)",
                                       "rc3": "Robert Clark (organization)", "nu": "Núñez (person)",
                                       "nu2": "Nunez (group)", "solo": "Solo"}


@given(st.lists(st.tuples(st.sampled_from(["Ana", "ana", "Åna", "Bo", "BO", "Cy"]), st.sampled_from(ACTOR_KINDS)),
                max_size=12))
@settings(max_examples=200)
def test_labels_follow_the_rule(pairs):
    actors = [Actor(id=f"a{i}", name=name, kind=kind) for i, (name, kind) in enumerate(pairs)]
    assert distinct_labels(actors) == reference(actors)


async def test_a_big_files_labels_are_worked_out_after_the_first_frame(tmp_path, monkeypatch):
    """At a million events the labels fold 50,000 names: a big file's main screen shows its
    first result without them, then tells the namesakes apart in its rows (issue 20)."""
    import json
    import threading

    from conftest import settle
    from tui.app import TimelineApp
    from tui.model import names
    from tui.store import loader
    from tui.store.loader import load

    doc = {"format": "timeline/1", "title": "Namesakes", "sources": [], "quotes": [],
           "actors": [{"id": "rc1", "name": "Al", "kind": "person"},
                      {"id": "rc2", "name": "Al", "kind": "organization"}],
           "events": [{"id": "e1", "date": "2024-01-01", "title": "First", "actors": ["rc1"]},
                      {"id": "e2", "date": "2024-01-02", "title": "Second", "actors": ["rc2"]}]}
    path = tmp_path / "namesakes.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)  # a big file: events read back, labels aside
    timeline = load(path, cache=False)
    gate = threading.Event()
    real = names.distinct_labels
    monkeypatch.setattr(names, "distinct_labels", lambda actors: (gate.wait(30), real(actors))[1])
    app = TimelineApp(timeline=timeline)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            while not len(app.screen.timeline_view.positions):
                await pilot.pause()
            screen = app.screen
            assert screen.labels is None and screen.actor_label("rc2") == "Al"  # the first frame
            view = screen.timeline_view
            assert view.go_to_position(timeline.position["e2"])
            await pilot.pause()
            before = view.render_line(view.row_layout.row_of(view.cursor) - int(view.scroll_offset.y)).text
            gate.set()
            await settle(app, pilot)
            assert screen.labels is not None and screen.actor_label("rc2") == "Al (organization)"
            row = view.render_line(view.row_layout.row_of(view.cursor) - int(view.scroll_offset.y)).text
            assert before.rstrip().endswith(" Al") and not row.rstrip().endswith(" Al")  # drawn again with the label
            assert row != before
    finally:
        gate.set()
