"""Keys typed in a burst reach what they were typed for, in order.

Textual routes each key as it arrives: to the focused widget, whose queue handles it
later; a key bound further up (``d`` opening the date dialog, ``Tab`` moving to the next
field) only acts once it has bubbled back up to the app, and what it does (a dialog that
mounts and focuses its field, a focus change, a dialog closing) takes more messages still.
Keys typed right behind it were already routed to the old focus by then: ``d2024-09`` lost
the date, ``2024-09<Tab>2024-09-30`` put both dates in one field, ``/siege`` searched for
nothing. That is how a paste, a key macro or a quick typist on a loaded machine types.

So the app lets one key through at a time, and the next one only once the last one is
done with: the widget it went to and every widget it bubbles through up to the app have
handled everything in their queues and wait for more (a message the key set off, such as
an Input's Submitted that closes a dialog, is handled too), and the screen on top now (a
dialog the key opened, or the screen under the one it closed) is mounted, has handled its
own messages and callbacks, and has its focus (a dialog focuses its field). The next key
goes where the user saw it go, and no clock decides: a slow machine only makes the wait
longer. A character typed into a text field waits for nothing when the next key is one
for the same field (it goes into the same queue, behind it, and nothing a character sets
off moves the focus); any other key waits until the field has taken them all. Widgets elsewhere (a chart redrawn, a search result arriving) do not hold keys
back. (A handler that never returns holds the keys back for at most ``_MAX_CHECKS``
checks, so it cannot swallow the keyboard.)

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
            self._typed_pending = None
            """The field the last characters went to without waiting (``_typed_into``)."""

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
            target = self.focused or self.screen
        except ScreenStackError:  # no screen yet: nothing to keep in order
            await super().on_event(event)
            return
        typed = self._typed_into(target, event)
        pending, self._typed_pending = self._typed_pending, None
        self._key_in_flight = True
        if pending is not None and not (typed and target is pending):
            # characters let through at once are still in their field's queue: they are
            # handled before this key (Ctrl+S must save the note with all its text)
            self._held_keys.appendleft(event)
            asyncio.get_running_loop().create_task(self._when_done(pending))
            return
        await super().on_event(event)  # Textual's routing: priority bindings, else the focus
        if typed:  # a character for a text field: the next one goes into the same queue
            self._typed_pending = target
            self._let_next_go()
        else:
            asyncio.get_running_loop().create_task(self._when_done(target))

    def _typed_into(self, target, event: events.Key) -> bool:
        """A character the focused field takes as text (no binding can act on it first):
        nothing it sets off moves the focus, so the next key need not wait for it."""
        if target is self.screen or not target.check_consume_key(event.key, event.character):
            return False
        return not any(active.binding.priority for key, active in self.screen.active_bindings.items()
                       if key == event.key)

    def _done(self, target) -> bool:
        """The key sent to ``target`` is handled, and so is what it set off (see the module
        docstring)."""
        if not _parked(self):
            return False
        if target.is_attached and not all(map(_parked, target.ancestors_with_self)):
            return False
        screen = self.screen
        if not screen.is_mounted or not _parked(screen) or screen._callbacks:
            return False
        return self.focused is not None or not screen.focus_chain

    async def _when_done(self, target) -> None:
        """Let the next key go once the last one is done with (see the module docstring)."""
        try:
            for check in range(_MAX_CHECKS):
                await asyncio.sleep(0 if check < _FAST_CHECKS else 0.001)
                if not self._running or self._done(target):
                    break
        finally:
            self._let_next_go()

    def _let_next_go(self) -> None:
        self._key_in_flight = False
        if self._held_keys and self._running:
            self.call_later(self._route_held)

    async def _route_held(self) -> None:
        if self._held_keys and not self._key_in_flight:
            await self._route_key(self._held_keys.popleft())
