"""Whether the user is still pressing keys: the side panes wait for the cursor to settle.

A cursor key redraws two rows; filling the event, actor and quote panes lays out the screen
again (tens of ms at any size). While keys are queued (a key held down, a burst from the
terminal) the panes wait, so every key is answered within a frame and the panes are filled
once, for the event the cursor stops on (issue 20). A filter's result is not a key: the
screen hands its event to the panes at once (``MainScreen._filtered``), drawn in the same
frame as the rows.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen

__all__ = ["keys_waiting"]


def keys_waiting(screen: Screen) -> bool:
    """True when a key is still to be handled: held back by the app's key order
    (``typeahead.KeyOrder``: one key at a time, the others in ``_held_keys``), on its way
    (``_key_in_flight``), or queued for the app, the screen or the focused widget.

    Reads the message queues' contents (Textual has no public peek); a queue it cannot read
    counts as holding no key, so the panes are never held back by a change inside Textual.
    """
    app = screen.app
    if getattr(app, "_held_keys", None) or getattr(app, "_key_in_flight", False):
        return True
    pumps = (app, screen, screen.focused)
    return any(_holds_key(pump) for pump in pumps if pump is not None)


def _holds_key(pump) -> bool:
    queue = getattr(pump, "_message_queue", None)
    pending = getattr(queue, "values", None)  # textual._queue.Queue keeps a deque
    if pending is None:
        pending = getattr(queue, "_queue", ())  # an asyncio.Queue
    return any(isinstance(message, events.Key) for message in pending)
