"""The serve loop as a writer sees it: write a file, then poll the page until it shows the change.

Used by ``bench_site.py``. :class:`ServeLoop` starts ``kbtool serve`` (or plain
``mkdocs serve``) on a free port of 127.0.0.1, times how long until the first
page is served, and :meth:`ServeLoop.save_and_wait` times one save: from the
moment the file is written to the moment a plain HTTP request gets the page
with the new text. Nothing inside the server is trusted for the figure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

POLL_SECONDS = 0.01


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return int(err.code), ""
    except OSError:
        return 0, ""


class ServeLoop:
    """A running ``kbtool serve`` (or ``mkdocs serve``) and the time it took to serve a page."""

    def __init__(self, root: Path, first_page: str, log: Path, *, plain: bool = False) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/"
        address = f"127.0.0.1:{port}"
        if plain:
            command = [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml")]
            command += ["-a", address]
        else:
            command = [sys.executable, "-m", "kbtool", "--root", str(root), "serve", "-a", address]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        self._log = log.open("w", encoding="utf-8")
        start = time.perf_counter()
        self.process = subprocess.Popen(command, stdout=self._log, stderr=self._log, env=env)
        self.start_seconds = self._wait(lambda: fetch(self.url + first_page)[0] == 200, start)

    def _wait(self, done: Callable[[], bool], start: float, limit: float = 900) -> float:
        while not done():
            if self.process.poll() is not None:
                raise SystemExit(f"serve stopped: see {self._log.name}")
            if time.perf_counter() - start > limit:
                raise SystemExit(f"serve did not answer within {limit:.0f} s: see {self._log.name}")
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - start

    def save_and_wait(self, path: Path, text: str, page: str, expected: str) -> float:
        """Write ``text`` to ``path``; seconds until ``page`` is served showing ``expected``."""
        start = time.perf_counter()
        path.write_text(text, encoding="utf-8")
        return self._wait(lambda: expected in fetch(self.url + page)[1], start)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()
