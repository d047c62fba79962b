"""``timeline serve``: the explorer in a web browser, through textual-serve.

textual-serve runs one explorer process per browser tab and streams its screen over a
websocket to a terminal drawn in the page. What this module adds to it:

* the command each tab runs (the same files and filters, every word shell-quoted: the
  command goes through ``/bin/sh``, and file names are untrusted text);
* a page of our own (``web_page/app_index.html``): titled, with the font textual-serve ships served
  from this server, and no request to Google Fonts, so the page works offline and tells no
  third party that a timeline is being read;
* two checks textual-serve does not make, because a browser lets *any* web page open a
  websocket to localhost: the ``Origin`` of a websocket must be this server (another site
  cannot drive the explorer and read its screen), and while serving on a loopback address
  the ``Host`` must be a loopback name (a site whose name is re-pointed at 127.0.0.1, "DNS
  rebinding", is refused).

Importing this module needs the ``serve`` extra; ``tui/cli.py`` says so if it is missing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import shlex
import signal
import socket
import sys
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

__all__ = ["ExplorerServer", "explorer_command", "is_local"]

PAGE = Path(__file__).with_name("web_page") / "app_index.html"
"""Our page; textual-serve looks for it by that name in the folder it is given."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def explorer_command(paths: list[str], options: list[str]) -> str:
    """The shell command a browser tab runs: this Python, this package, ``explore``."""
    words = [sys.executable, "-m", "tui", "explore", *paths, *options]
    return "exec " + " ".join(shlex.quote(word) for word in words)


def is_local(host: str) -> bool:
    """Whether ``host`` names only this computer (a loopback address), so that nobody else
    can reach the port. A name is resolved; one that does not resolve is not local."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def _host_name(host: str | None) -> str:
    """The name in a Host header, without its port: ``[::1]:8000`` -> ``[::1]``."""
    host = host or ""
    if host.startswith("["):
        return host[:host.find("]") + 1]
    return host.rsplit(":", 1)[0]


class ExplorerServer(Server):
    """textual-serve's server with our page, and the Origin and Host checks above."""

    def __init__(self, command: str, *, host: str, port: int, names: str) -> None:
        super().__init__(command, host=host, port=port, title="Timeline Explorer",
                         templates_path=PAGE.parent)
        self.names = names
        """The files served, for the start-up message."""
        self.local = is_local(host)

    def _allowed(self, request: web.Request) -> bool:
        if self.local and _host_name(request.host).lower() not in (*LOOPBACK_NAMES, self.host.lower()):
            return False
        origin = request.headers.get("Origin")
        # A client that is not a browser sends no Origin; it could claim any Origin anyway.
        return origin is None or origin in (f"http://{request.host}", f"https://{request.host}")

    async def handle_index(self, request: web.Request):
        if not self._allowed(request):
            raise web.HTTPForbidden(text="This explorer is only served to its own address.")
        # The page connects its websocket back to the address it was loaded from, not to the
        # address the server was bound to (0.0.0.0 is no address a browser can reach).
        self.public_url = f"{request.scheme}://{request.host}"
        response = await super().handle_index(request)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request):
        if not self._allowed(request):
            raise web.HTTPForbidden(text="A websocket from another site is refused.")
        return await super().handle_websocket(request)

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: textual-serve prints its logo here, before the port is even open."""

    def _listening(self, *_) -> None:
        where = f"[{self.host}]" if ":" in self.host else self.host
        self.console.print(f"Serving the explorer of {self.names} on http://{where}:{self.port}/ "
                           "(each browser tab runs its own explorer; Ctrl+C stops)",
                           markup=False, highlight=False, soft_wrap=True)

    def serve(self, debug: bool = False) -> None:
        """textual-serve's ``serve``, but it says where it serves once the port is open (a
        script or a test can wait for that line), and a port that cannot be opened is an
        OSError for the caller rather than a traceback."""
        self.debug = debug
        self.initialize_logging()  # one line per request: who opened the page, and from where
        loop = asyncio.new_event_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False,
                        loop=loop, print=self._listening)
        finally:
            loop.close()
