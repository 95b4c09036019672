"""A real HTTP(S) server on 127.0.0.1 with the endpoints link checking meets in the wild.

Runs in a thread (one thread per connection); counts every request by method
and path so tests can assert what was asked. Paths:

    /ok                     200
    /redirect/N/NAME        301 to /redirect/N-1/NAME; /redirect/0/NAME is 200
    /temporary              302 to /ok
    /permanent-then-temp    301 to /temporary (then 302 to /ok)
    /loop/a, /loop/b        301 to each other
    /status/CODE            that status (404, 410, 403, 500…)
    /rate-limited/KEY       first 429 with Retry-After: 1, then 200
    /server-error/KEY       first 500, then 200
    /always-429             429 with Retry-After: 3600, always
    /no-head                405 for HEAD, 200 for GET
    /hang                   reads the request and never answers
    /endless                405 for HEAD; GET: 200, then a chunked body that never ends
    /huge                   405 for HEAD; GET: 200, a 10 GiB body (Content-Length)
    /slow/MS/ANY            answers 200 after MS milliseconds
    /to?u=URL               302 to URL (percent-encoded in the query)

Every ``Authorization`` header received is kept in ``authorizations``.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


class Concurrency:
    """How many /slow requests are being answered at once (shareable between servers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            yield
        finally:
            with self._lock:
                self.now -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LinkTestServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _reply(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _serve(self, head: bool) -> None:
        path, _, query = self.path.partition("?")
        owner = self.server
        with owner.lock:
            if self.headers.get("Authorization") is not None:
                owner.authorizations.append(self.headers["Authorization"])
            owner.requests[(self.command, path)] += 1
            seen = owner.seen[path]
            owner.seen[path] += 1
        parts = path.strip("/").split("/")
        if path == "/ok":
            self._reply(200)
        elif parts[0] == "redirect" and len(parts) == 3:
            hops = int(parts[1])
            if hops == 0:
                self._reply(200)
            else:
                self._reply(301, {"Location": f"/redirect/{hops - 1}/{parts[2]}"})
        elif path == "/to":
            self._reply(302, {"Location": parse_qs(query).get("u", ["/ok"])[0]})
        elif path == "/temporary":
            self._reply(302, {"Location": "/ok"})
        elif path == "/permanent-then-temp":
            self._reply(301, {"Location": "/temporary"})
        elif path == "/loop/a":
            self._reply(301, {"Location": "/loop/b"})
        elif path == "/loop/b":
            self._reply(301, {"Location": "/loop/a"})
        elif parts[0] == "status":
            self._reply(int(parts[1]))
        elif parts[0] == "rate-limited":
            self._reply(429, {"Retry-After": "1"}) if seen == 0 else self._reply(200)
        elif parts[0] == "server-error":
            self._reply(500) if seen == 0 else self._reply(200)
        elif path == "/always-429":
            self._reply(429, {"Retry-After": "3600"})
        elif path == "/no-head":
            self._reply(405 if head else 200)
        elif path == "/hang":
            owner.stopping.wait(60)
            self.close_connection = True
        elif path in ("/endless", "/huge") and head:
            self._reply(405)
        elif path == "/endless":
            self._stream({"Transfer-Encoding": "chunked"}, chunked=True)
        elif path == "/huge":
            self._stream({"Content-Length": str(10 * 2**30)}, chunked=False)
        elif parts[0] == "slow":
            with owner.concurrency.busy():
                time.sleep(int(parts[1]) / 1000)
            self._reply(200)
        else:
            self._reply(404)

    def _stream(self, headers: dict[str, str], chunked: bool) -> None:
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        block = b"x" * 65536
        self.close_connection = True
        try:
            while not self.server.stopping.is_set():
                data = b"%x\r\n%s\r\n" % (len(block), block) if chunked else block
                self.wfile.write(data)
                with self.server.lock:
                    self.server.body_bytes_sent += len(block)
        except OSError:
            return  # the client closed the connection: what a link checker should do


class LinkTestServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
        concurrency: Concurrency | None = None,
    ) -> None:
        super().__init__((host, 0), _Handler)
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.seen: Counter[str] = Counter()
        self.body_bytes_sent = 0
        self.authorizations: list[str] = []
        self.concurrency = concurrency or Concurrency()
        self.stopping = threading.Event()
        self.scheme = "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed TLS handshakes and clients hanging up are expected here

    def url(self, path: str) -> str:
        host, port = self.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}{path}"


@contextlib.contextmanager
def running(server: LinkTestServer) -> Iterator[LinkTestServer]:
    """Serve in a thread for the duration of the block."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
