"""Headless Chromium on a built site served from 127.0.0.1: what the browser did, watched.

For the citation map's browser tests (tests/test_citations_browser.py). A page's
requests, console errors and dialogs are recorded; anything not on 127.0.0.1 is
refused outright (and recorded).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, Request

CHROMIUM = Path(os.environ.get("KBTOOL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    """A static server that says nothing when a browser drops a request it no longer needs."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a broken pipe, a reset
            super().handle_error(request, client_address)


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1; yields its base URL (with a trailing slash)."""
    server = _Server(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Watch:
    """What the browser did while a test ran: requests, console errors, dialogs."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).hostname != "127.0.0.1"
        ]

    def assert_clean(self) -> None:
        assert self.foreign_requests() == [], "requests left 127.0.0.1"
        assert self.errors == [], "console errors"
        assert self.dialogs == [], "a dialog opened: markup in data ran as script"
        assert self.requests, "the page made no request at all: the watch is broken"


@contextmanager
def watched_page(browser: Browser, **context_options: object) -> Iterator[tuple[Page, Watch]]:
    """A fresh page whose requests, console errors and dialogs are recorded, then checked."""
    context: BrowserContext = browser.new_context(**context_options)  # type: ignore[arg-type]
    context.route(
        lambda url: urlsplit(url).hostname not in ("127.0.0.1", None),
        lambda route: route.abort(),
    )
    page = context.new_page()
    watch = Watch()
    page.on("request", watch.on_request)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("dialog", watch.on_dialog)
    try:
        yield page, watch
    finally:
        context.close()
    watch.assert_clean()
