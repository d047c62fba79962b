"""Keys typed in a burst reach what they were typed for, in order.

Textual routes each key as it arrives: to the focused widget, whose queue handles it
later; a key bound further up (``d`` opening the date dialog, ``Tab`` moving to the next
field) only acts once it has bubbled back up to the app, and what it does (a dialog that
mounts and focuses its field, a focus change, a dialog closing) takes more messages still.
Keys typed right behind it were already routed to the old focus by then: ``d2024-09`` lost
the date, ``2024-09<Tab>2024-09-30`` put both dates in one field, ``/siege`` searched for
nothing. That is how a paste, a key macro or a quick typist on a loaded machine types.

So the app lets one key through at a time, and the next one only once the app is quiet:
every message pump of the app and of its screens (the widgets) has handled everything in
its queue and is parked waiting for more, and no callback waits for a repaint. Whatever the
key set off, mounting a dialog and focusing its field included, is done by then, so the
next key goes where the user saw it go. No clock decides: a slow machine only makes the
wait longer. (A pump that is still inside a handler, or that never empties its queue, holds
the keys back for at most ``_MAX_CHECKS`` checks, so a handler that never ends cannot
swallow the keyboard.)

This reads three private attributes (Textual 8.2.8 is pinned): a pump's ``_message_queue``
and whether its task waits on it (asyncio's ``Queue._getters``), and a screen's
``_callbacks`` (``call_after_refresh``).
"""

from __future__ import annotations

import asyncio
from collections import deque

from textual import events
from textual.app import ScreenStackError

__all__ = ["KeyOrder"]

_FAST_CHECKS = 500
"""Checks made at every turn of the event loop before the checks slow down to one a
millisecond (a pump busy for long: the keys wait, the processor does not spin)."""
_MAX_CHECKS = 5000
"""Checks after which the next key goes even though the app is not quiet."""


def _parked(pump) -> bool:
    """The pump has handled everything it was sent and waits for its next message."""
    if getattr(pump, "_closed", False) or not getattr(pump, "_running", False):
        return True  # gone, or not started (a new widget's first messages are its own)
    queue = pump._message_queue
    if not queue.empty() or pump._next_callbacks:
        return False
    return bool(getattr(queue, "_getters", True))  # its task waits in queue.get()


class KeyOrder:
    """Mix into the App (before ``App``): keys are handled one after the other."""

    def _key_order_state(self) -> None:
        if not hasattr(self, "_held_keys"):
            self._held_keys: deque[events.Key] = deque()
            self._key_in_flight = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._key_order_state()
            if self._key_in_flight or self._held_keys:
                self._held_keys.append(event)
            else:
                await self._route_key(event)
            return
        await super().on_event(event)

    @property
    def keys_pending(self) -> bool:
        """A key is still being handled, or waits for its turn."""
        self._key_order_state()
        return self._key_in_flight or bool(self._held_keys)

    async def _route_key(self, event: events.Key) -> None:
        try:
            self.screen
        except ScreenStackError:  # no screen yet: nothing to keep in order
            await super().on_event(event)
            return
        self._key_in_flight = True
        await super().on_event(event)  # Textual's routing: priority bindings, else the focus
        asyncio.get_running_loop().create_task(self._when_quiet())

    def _quiet(self) -> bool:
        if not _parked(self):
            return False
        for screen in self.screen_stack:
            if screen._callbacks:
                return False
            for node in screen.walk_children(with_self=True):
                if not _parked(node):
                    return False
        return True

    async def _when_quiet(self) -> None:
        """Let the next key go once the app is quiet (see the module docstring)."""
        try:
            for check in range(_MAX_CHECKS):
                await asyncio.sleep(0 if check < _FAST_CHECKS else 0.001)
                if not self._running or self._quiet():
                    break
        finally:
            self._key_in_flight = False
            if self._held_keys and self._running:
                self.call_later(self._route_held)

    async def _route_held(self) -> None:
        if self._held_keys and not self._key_in_flight:
            await self._route_key(self._held_keys.popleft())
