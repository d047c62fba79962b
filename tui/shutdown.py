"""The explorer ended by a signal, the way ``q`` ends it.

SIGTERM (``kill``, a service manager), SIGHUP (the terminal window or the SSH session closed)
and SIGINT sent from outside (Ctrl+C at the keyboard is a key, not a signal, in raw mode)
would by default kill the process where it stands: raw mode, the alternate screen and mouse
reporting would stay on and the cursor hidden, in the user's shell. Here each becomes
``App.exit()``, so Textual's normal shutdown gives the terminal back; then the command line
stops every helper process (``stop_children``) and leaves with 128 + the signal's number,
as a shell reports a program a signal ended.

Two cases leave at once instead (helpers stopped, nothing restored): a terminal that is gone
(a real hangup: there is nothing to give back, and Textual would wait forever for its output
thread, which died writing to it), and a second signal while the first is being handled.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import termios

from .store.aside import stop_all
from .store.words import stop_building

__all__ = ["SIGNALS", "end_on_signals", "stop_children"]

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def end_on_signals(app) -> None:
    """From now on, each of ``SIGNALS`` sets ``app.signalled`` and exits the app. Called in
    the app's event loop, in the main thread. A plain handler rather than the loop's: it
    runs even while the loop waits on a lock (Textual's output queue)."""
    loop = asyncio.get_running_loop()

    def handle(signum: int, frame) -> None:
        if app.signalled is not None or not _terminal_alive():
            stop_children()
            os._exit(128 + signum)
        app.signalled = signum
        loop.call_soon_threadsafe(app.exit, None, 128 + signum)

    for signum in SIGNALS:
        signal.signal(signum, handle)


def _terminal_alive() -> bool:
    try:
        termios.tcgetattr(sys.__stdin__.fileno())
    except (termios.error, OSError, ValueError, AttributeError):
        return False
    return True


def stop_children() -> None:
    """Every helper process the explorer started: the ones reading or scanning the file
    (``aside.py``) and the one building a word index (``words.py``)."""
    stop_all()
    stop_building()
