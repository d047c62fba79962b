"""Shown while a big timeline loads: what is being read, how far along, and how to leave."""

from __future__ import annotations

import os
import time

from textual.binding import Binding
from textual.containers import Center, Middle
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ..model.text import one_line

__all__ = ["LoadingScreen"]


def _size(paths) -> int:
    total = 0
    for p in paths:
        try:
            total += os.path.getsize(p)
        except OSError:
            pass
    return total


class LoadingScreen(Screen[None]):
    """Elapsed time and the loader's current step, refreshed ten times a second."""

    BINDINGS = [Binding("q,escape", "app.quit", "Quit")]

    def __init__(self, paths: list[str]) -> None:
        super().__init__()
        self.paths = paths
        self.step = "reading"
        self.started = time.monotonic()
        self.total = _size(paths)

    def compose(self):
        with Middle():
            with Center():
                yield Static(id="loading", markup=False)

    def on_mount(self) -> None:
        self._tick()
        self.set_interval(0.1, self._tick)

    def _tick(self) -> None:
        names = ", ".join(one_line(os.path.basename(str(p))) for p in self.paths)
        size = f" ({self.total / 1e6:,.0f} MB)" if self.total >= 1e6 else ""
        elapsed = time.monotonic() - self.started
        self.query_one("#loading", Static).update(Content.assemble(
            ("Loading ", "bold"), (names + size, "bold $text-accent"), "\n",
            (f"{self.step}… {elapsed:.1f} s", ""), "\n\n", ("q to quit", "dim"),
        ))
