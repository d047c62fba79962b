"""What a view builds once per timeline is built once, even when a worker and a query ask
for it at the same time, and is built again for another timeline."""

from __future__ import annotations

import gc
import threading
import weakref

from tui.model.per_timeline import once_per_timeline
from tui.store.loader import load


def test_two_threads_asking_at_once_share_one_build():
    started, release = threading.Event(), threading.Event()
    builds = []

    @once_per_timeline
    def slow(timeline):
        builds.append(timeline)
        started.set()
        assert release.wait(10)  # held until the other thread is waiting on the lock
        return object()

    timeline = load()
    got = []
    first = threading.Thread(target=lambda: got.append(slow(timeline)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: got.append(slow(timeline)))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert len(builds) == 1 and len(got) == 2 and got[0] is got[1]
    other = load()
    assert slow(other) is not got[0] and len(builds) == 2


def test_a_timeline_is_let_go_with_what_was_built_for_it(monkeypatch):
    """What is kept per timeline must not keep the timeline (nor its open file) alive."""
    from tui.model.first_report import first_reports
    from tui.model.presence import actor_columns
    from tui.model.sourcing_report import shared
    from tui.store import loader

    monkeypatch.setattr(loader, "STRICT_LIMIT", 0)  # read back from the file: an open descriptor
    timeline = load(cache=False)
    first_reports(timeline), actor_columns(timeline), shared(timeline).event(timeline.events[0])
    gone = weakref.ref(timeline)
    del timeline
    gc.collect()
    assert gone() is None
