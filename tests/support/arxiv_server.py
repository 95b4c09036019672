"""A real HTTP server on 127.0.0.1 that answers like the arXiv API.

It replays the responses recorded from arXiv (``tests/data/arxiv/*.json``, see the
README there), matched on the query's ``id_list`` or ``search_query`` — never on
the whole URL. An ``id_list`` with no recording of its own gets a feed assembled
from the recorded entries of its ids (ids without one are left out, as arXiv
does). Tests add crafted entries and pages, and script one-off replies (429 with
``Retry-After``, 503, a reply that never comes, malformed XML…) that are served
before anything else. Every request is logged with its query and headers.

Used by the tests and by ``benchmarks/bench_enrich.py``.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from kbtool.arxiv.client import ArxivClient
from kbtool.arxiv.lookup import ArxivLookup
from kbtool.core.arxiv_id import find_arxiv_id
from kbtool.util.clock import Clock

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "arxiv"
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
NSMAP = {None: ATOM, "arxiv": ARXIV, "opensearch": OPENSEARCH}

#: The ``make_client`` and ``make_lookup`` fixtures: settings as keywords.
MakeClient = Callable[..., ArxivClient]
MakeLookup = Callable[..., ArxivLookup]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # accept the request and never answer (until the server stops)
    drip: float | None = None  # send the whole answer a byte at a time, this many seconds apart
    cut_at: int | None = None  # announce the whole body, send this many bytes of it, hang up
    to_self: bool = False  # a redirect (the status given) back to the URL just requested


@dataclass(frozen=True)
class SeenRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float | None = None  # the injected clock's monotonic time when it arrived, if known

    @property
    def id_list(self) -> list[str]:
        value = self.query.get("id_list", "")
        return value.split(",") if value else []


def _base(text: str) -> str:
    parsed = find_arxiv_id(text)
    return parsed.base if parsed is not None else text


def entry_xml(
    arxiv_id: str,
    title: str,
    summary: str = "An abstract.",
    *,
    authors: tuple[str, ...] = ("Ada Lovelace",),
    published: str = "2024-10-07T17:59:59Z",
    updated: str | None = None,
    primary: str = "cs.CV",
    categories: tuple[str, ...] = ("cs.CV",),
    comment: str | None = None,
    journal_ref: str | None = None,
    doi: str | None = None,
) -> bytes:
    """A crafted ``<entry>`` shaped like arXiv's (``arxiv_id`` with its version)."""
    entry = etree.Element(f"{{{ATOM}}}entry", nsmap=NSMAP)

    def add(tag: str, text: str | None = None, **attrs: str) -> Any:
        element = etree.SubElement(entry, tag, **attrs)
        element.text = text
        return element

    add(f"{{{ATOM}}}id", f"http://arxiv.org/abs/{arxiv_id}")
    add(f"{{{ATOM}}}title", title)
    add(f"{{{ATOM}}}updated", updated or published)
    add(f"{{{ATOM}}}link", href=f"https://arxiv.org/abs/{arxiv_id}", rel="alternate")
    add(f"{{{ATOM}}}link", href=f"https://arxiv.org/pdf/{arxiv_id}", rel="related", title="pdf")
    add(f"{{{ATOM}}}summary", summary)
    for category in categories:
        add(f"{{{ATOM}}}category", term=category, scheme="http://arxiv.org/schemas/atom")
    add(f"{{{ATOM}}}published", published)
    if comment is not None:
        add(f"{{{ARXIV}}}comment", comment)
    add(f"{{{ARXIV}}}primary_category", term=primary)
    if journal_ref is not None:
        add(f"{{{ARXIV}}}journal_ref", journal_ref)
    for name in authors:
        author = add(f"{{{ATOM}}}author")
        etree.SubElement(author, f"{{{ATOM}}}name").text = name
    if doi is not None:
        add(f"{{{ARXIV}}}doi", doi)
    result: bytes = etree.tostring(entry)
    return result


def feed_xml(entries: list[bytes], total: int | None = None, start: int = 0) -> bytes:
    """A feed around ``entries``, with arXiv's opensearch header."""
    parts = [
        b"<?xml version='1.0' encoding='UTF-8'?>\n",
        f'<feed xmlns:opensearch="{OPENSEARCH}" xmlns:arxiv="{ARXIV}" xmlns="{ATOM}">\n'.encode(),
        b"  <id>https://arxiv.org/api/fixture</id>\n",
        b"  <title>arXiv Query: fixture</title>\n",
        b"  <updated>2026-04-12T22:09:26Z</updated>\n",
        f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n".encode(),
        f"  <opensearch:totalResults>{len(entries) if total is None else total}"
        "</opensearch:totalResults>\n".encode(),
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n".encode(),
    ]
    parts += [b"  " + entry + b"\n" for entry in entries]
    parts.append(b"</feed>\n")
    return b"".join(parts)


def error_feed(value: str) -> bytes:
    """arXiv's error feed for a malformed id (shaped like the recorded one for ``abc``)."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<feed xmlns:opensearch="{OPENSEARCH}" xmlns:arxiv="{ARXIV}" xmlns="{ATOM}">\n'
        "  <id>https://arxiv.org/</id><title>arXiv Search Results</title>\n"
        "  <updated>2026-04-12T22:59:06Z</updated>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        f"  <entry><id>https://arxiv.org/api/errors#incorrect_id_format_for_{value}</id>\n"
        "    <title>Error</title><updated>2026-04-12T22:59:06Z</updated>\n"
        f"    <summary>incorrect id format for {value}</summary>\n"
        "    <author><name>arXiv api core</name></author></entry>\n"
        "</feed>\n"
    ).encode()


class FakeArxiv:
    """The arXiv API, served for real on 127.0.0.1 from recordings and crafted data."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.entries: dict[str, bytes] = {}
        self.by_ids: dict[tuple[str, ...], Reply] = {}
        self.by_query: dict[str, Reply] = {}
        self.pages: dict[str, list[bytes]] = {}
        self.scripted: deque[Reply] = deque()
        self.requests: list[SeenRequest] = []
        self.recordings_used: set[str] = set()
        #: The client's injected clock, if a test sets it: requests are stamped with its time.
        self.clock: Clock | None = None
        #: Called with each request as it arrives (before it is answered): what someone
        #: else does while a kbtool waits for arXiv.
        self.on_request: Callable[[SeenRequest], None] | None = None
        self._recording_names: dict[int, str] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._load(data_dir)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- data ----------------------------------------------------------------------------------

    def _load(self, data_dir: Path) -> None:
        for path in sorted(data_dir.glob("*.json")):
            recording = json.loads(path.read_text(encoding="utf-8"))
            query = {k: v[0] for k, v in parse_qs(urlsplit(recording["url"]).query).items()}
            reply = Reply(recording["status_code"], recording["body"].encode("latin-1"))
            self._recording_names[id(reply)] = path.name
            if query.get("id_list"):
                key = tuple(sorted(_base(i) for i in query["id_list"].split(",")))
                self.by_ids[key] = reply
            elif query.get("search_query"):
                self.by_query[query["search_query"]] = reply
            if reply.status == 200:
                root = etree.fromstring(reply.body)
                for entry in root.iterfind(f"{{{ATOM}}}entry"):
                    self.entries[_base(entry.findtext(f"{{{ATOM}}}id").rsplit("/abs/", 1)[1])] = (
                        etree.tostring(entry)
                    )

    def add_entry(self, arxiv_id: str, title: str, **kwargs: Any) -> None:
        """Serve a crafted paper (``arxiv_id`` with version, e.g. ``2410.05677v2``).

        It replaces any recorded response for that id: arXiv has a new version.
        """
        base = _base(arxiv_id)
        self.entries[base] = entry_xml(arxiv_id, title, **kwargs)
        self.by_ids = {ids: reply for ids, reply in self.by_ids.items() if base not in ids}

    def script(self, *replies: Reply) -> None:
        """Serve ``replies`` to the next requests, in order, before anything else."""
        with self._lock:
            self.scripted.extend(replies)

    def answer(self, query: dict[str, str]) -> Reply:
        ids = [i for i in query.get("id_list", "").split(",") if i]
        start = int(query.get("start", "0"))
        size = int(query.get("max_results", "10"))
        if ids:
            key = tuple(sorted(_base(i) for i in ids))
            if key in self.by_ids:
                return self._recorded(self.by_ids[key])
            bad = [i for i in ids if find_arxiv_id(i) is None]
            if bad:
                return Reply(400, error_feed(bad[0]))
            found = [self.entries[_base(i)] for i in ids if _base(i) in self.entries]
            return Reply(200, feed_xml(found[start : start + size], len(found), start))
        search = query.get("search_query", "")
        if search in self.pages:
            entries = self.pages[search]
            return Reply(200, feed_xml(entries[start : start + size], len(entries), start))
        if search in self.by_query and start == 0:
            return self._recorded(self.by_query[search])
        return Reply(200, feed_xml([], 0, start))

    def _recorded(self, reply: Reply) -> Reply:
        self.recordings_used.add(self._recording_names[id(reply)])
        return reply

    # -- serving -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/query"

    def start(self) -> FakeArxiv:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def id_requests(self) -> list[list[str]]:
        """The ``id_list`` of each request so far, in order."""
        return [r.id_list for r in self.requests]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with fake._lock:
                    # The client waits for this reply, so its clock stands still meanwhile.
                    at = fake.clock.monotonic() if fake.clock is not None else None
                    seen = SeenRequest(parts.path, query, dict(self.headers), at)
                    fake.requests.append(seen)
                    reply = fake.scripted.popleft() if fake.scripted else None
                if fake.on_request is not None:
                    fake.on_request(seen)
                if reply is None:
                    reply = fake.answer(query) if parts.path == "/api/query" else Reply(404)
                if reply.hang:
                    fake._release.wait(30)
                    return
                if reply.drip is not None:
                    self._drip(reply)
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(reply.body)))
                if reply.to_self:
                    self.send_header("Location", self.path)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.cut_at is not None:
                    self.wfile.write(reply.body[: reply.cut_at])
                    self.close_connection = True
                    return
                self.wfile.write(reply.body)

            def _drip(self, reply: Reply) -> None:
                head = [f"HTTP/1.1 {reply.status} OK", f"Content-Length: {len(reply.body)}"]
                head += [f"{name}: {value}" for name, value in reply.headers.items()]
                data = ("\r\n".join(head) + "\r\n\r\n").encode() + reply.body
                self.close_connection = True
                for index in range(len(data)):
                    if fake._release.wait(reply.drip):
                        return
                    try:
                        self.wfile.write(data[index : index + 1])
                        self.wfile.flush()
                    except OSError:  # the client gave up: as it should
                        return

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
