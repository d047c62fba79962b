"""Keys typed in a burst reach what they were typed for, in order.

Textual routes each key as it arrives: to the focused widget, whose queue handles it
later; a key bound further up (``d`` opening the date dialog, ``Tab`` moving to the next
field) only acts once it has bubbled back up to the app. Keys typed right behind it were
already routed to the old focus by then: ``d2024-09`` lost the date, ``2024-09<Tab>2024-09-30``
put both dates in one field, ``/siege`` searched for nothing. That is how a paste, a key
macro or a quick typist on a loaded machine types.

So the app lets one key through at a time. Behind each key goes a marker (``KeyDone``)
along the same queues; when it is back at the app, every widget has handled the key, and
after the focus changes that caused (they are queued as callbacks) and once the screen
has a focused widget (a dialog that just opened focuses its field first), the next key
goes. A key whose marker is lost (its widget went away) waits at most ``PATIENCE``.
"""

from __future__ import annotations

from collections import deque

from textual import events
from textual.app import ScreenStackError
from textual.message import Message
from textual.timer import Timer

__all__ = ["KeyOrder", "KeyDone"]

PATIENCE = 0.3
"""Seconds a key may hold the next ones back when its marker never comes back."""
_READY_TRIES = 30
"""Refreshes to wait for a newly shown screen to focus something, before keys go anyway."""


class KeyDone(Message, bubble=True):
    """Follows a key through the queues it took (see the module docstring)."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class KeyOrder:
    """Mix into the App (before ``App``): keys are handled one after the other."""

    def _key_order_state(self) -> None:
        if not hasattr(self, "_held_keys"):
            self._held_keys: deque[events.Key] = deque()
            self._key_serial = 0
            self._key_in_flight = False
            self._key_timer: Timer | None = None
            self._ready_tries = 0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._key_order_state()
            if self._key_in_flight or self._held_keys:
                self._held_keys.append(event)
            else:
                await self._route_key(event)
            return
        await super().on_event(event)

    async def _route_key(self, event: events.Key) -> None:
        try:
            target = self.focused or self.screen
        except ScreenStackError:  # no screen yet: nothing to keep in order
            await super().on_event(event)
            return
        self._key_in_flight = True
        self._key_serial += 1
        await super().on_event(event)  # Textual's routing: priority bindings, else the focus
        target.post_message(KeyDone(self._key_serial))
        if self._key_timer is not None:
            self._key_timer.stop()
        serial = self._key_serial
        self._key_timer = self.set_timer(PATIENCE, lambda: self._next_key(serial, force=True))

    def on_key_done(self, message: KeyDone) -> None:
        message.stop()
        if message.serial == self._key_serial and self._key_in_flight:
            # after the focus changes the key queued (set_focus is a callback, queued later)
            self.call_later(self._next_key, message.serial)

    def _focus_settled(self) -> bool:
        """A widget has the focus, or the screen has nothing to focus."""
        if self.focused is not None:
            return True
        screen = self.screen
        return screen.is_mounted and not screen.focus_chain

    def _next_key(self, serial: int, force: bool = False) -> None:
        if not self._key_in_flight or serial != self._key_serial:
            return  # that key was let go already
        if not force and not self._focus_settled() and self._ready_tries < _READY_TRIES:
            self._ready_tries += 1
            self.call_after_refresh(self._next_key, serial)
            return
        self._ready_tries = 0
        self._key_in_flight = False
        if self._key_timer is not None:
            self._key_timer.stop()
            self._key_timer = None
        if self._held_keys:
            self.call_later(self._route_held)

    async def _route_held(self) -> None:
        if self._held_keys and not self._key_in_flight:
            await self._route_key(self._held_keys.popleft())
