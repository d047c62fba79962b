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
