"""A real HTTP server on 127.0.0.1 that answers like the Semantic Scholar Graph API.

It knows the papers in ``tests/data/s2/papers.json`` (crafted, arXiv-keyed, in the
shape of a batch answer) and replays the recorded answers in ``tests/data/s2/*.json``
(a batch with an unknown id, two pages of references, 404, 400). Tests add papers,
and script one-off replies (429 with or without ``Retry-After``, 503, malformed
JSON, an answer that never comes) that are served before anything else. It
enforces the API's documented limit of 500 ids per batch, and can play the
"response too large" refusal. Every request is logged with its headers and body.

Used by the tests and by ``benchmarks/bench_citations.py``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kbtool.citations.update import CitationSession
from kbtool.util.clock import Clock

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "s2"
#: The ``make_session`` fixture: ``persist`` and ``key`` as keywords.
MakeCitationSession = Callable[..., CitationSession]
API = "/graph/v1"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # accept the request and never answer (until the server stops)


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    at: float | None = None  # the injected clock's monotonic time, if the test set one

    @property
    def ids(self) -> list[str]:
        """The ids of a batch request."""
        return list(self.body["ids"]) if isinstance(self.body, dict) else []


def normalize_id(value: str) -> str:
    """An S2 paper id as the server matches it: prefixes and DOIs in lowercase."""
    text = value.strip()
    lower = text.lower()
    if lower.startswith("doi:"):
        return lower[4:]
    if lower.startswith(("arxiv:", "corpusid:")):
        return lower
    return lower if lower.startswith("10.") else text


def crafted_paper_id(name: str) -> str:
    """A made-up 40-hex S2 id for a crafted paper (what papers.json uses)."""
    return hashlib.sha1(f"kbtool fixture {name}".encode()).hexdigest()


def paper_json(
    arxiv_id: str,
    title: str,
    references: Sequence[dict[str, Any]] = (),
    *,
    citation_count: int = 0,
    reference_count: int | None = None,
    doi: str | None = None,
) -> dict[str, Any]:
    """A crafted paper in the shape of a batch answer's item."""
    ids: dict[str, Any] = {"ArXiv": arxiv_id, "DOI": doi or f"10.48550/arXiv.{arxiv_id}"}
    return {
        "paperId": crafted_paper_id(arxiv_id),
        "externalIds": ids,
        "title": title,
        "citationCount": citation_count,
        "referenceCount": len(references) if reference_count is None else reference_count,
        "references": list(references),
    }


def reference_json(arxiv_id: str, title: str, year: int | None = None) -> dict[str, Any]:
    """A crafted nested reference (``references[i]`` / ``citedPaper``)."""
    return {
        "paperId": crafted_paper_id(arxiv_id),
        "externalIds": {"ArXiv": arxiv_id, "DOI": f"10.48550/arXiv.{arxiv_id}"},
        "title": title,
        "year": year,
    }


def load_recording(name: str) -> dict[str, Any]:
    recording: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return recording


class FakeSemanticScholar:
    """The S2 Graph API, served for real on 127.0.0.1 from crafted and recorded data."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.papers: dict[str, dict[str, Any]] = {}  # normalized id → batch item
        self.reference_pages: dict[str, list[Reply]] = {}  # paperId → pages by offset order
        self.references: dict[str, list[dict[str, Any]]] = {}  # paperId → full list (crafted)
        self.recorded_batches: dict[tuple[str, ...], Reply] = {}
        self.scripted: deque[Reply] = deque()
        self.requests: list[SeenRequest] = []
        #: Batches of more ids than this are refused as "too large" (None: never).
        self.too_large_over: int | None = None
        self.clock: Clock | None = None
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
        for item in json.loads((data_dir / "papers.json").read_text(encoding="utf-8")):
            self.add_paper(item)
        recorded = load_recording("batch_with_unknown.json")
        ids = json.loads(recorded["request_body"])["ids"]
        key = tuple(sorted(normalize_id(i) for i in ids))
        self.recorded_batches[key] = Reply(200, recorded["body"].encode("utf-8"))
        # The recorded pages of references of 10.2139/ssrn.2250500 (67 references).
        pages = [load_recording(n) for n in ("references_page_0.json", "references_page_50.json")]
        self.reference_pages["cb1ebd913c3724c599f6b276b14b5c6253da68f3"] = [
            Reply(200, page["body"].encode("utf-8")) for page in pages
        ]

    def add_paper(self, item: dict[str, Any]) -> None:
        """Serve ``item`` (a batch answer's item) for each id it has."""
        ids = item.get("externalIds") or {}
        names = [item["paperId"]]
        if "ArXiv" in ids:
            names.append(f"ARXIV:{ids['ArXiv']}")
        if "DOI" in ids:
            names.append(ids["DOI"])
        if "CorpusId" in ids:
            names.append(f"CorpusId:{ids['CorpusId']}")
        for name in names:
            self.papers[normalize_id(name)] = item

    def script(self, *replies: Reply) -> None:
        """Serve ``replies`` to the next requests, in order, before anything else."""
        with self._lock:
            self.scripted.extend(replies)

    def batch_answer(self, ids: list[str]) -> Reply:
        if len(ids) > 500:
            return _json_reply(400, {"error": "Cannot process more than 500 ids"})
        if self.too_large_over is not None and len(ids) > self.too_large_over:
            return _json_reply(
                400,
                {
                    "error": "Response would exceed maximum size of 10 MB. "
                    "Please use a smaller batch or fewer fields."
                },
            )
        recorded = self.recorded_batches.get(tuple(sorted(normalize_id(i) for i in ids)))
        if recorded is not None:
            return recorded
        return _json_reply(200, [self.papers.get(normalize_id(i)) for i in ids])

    def references_answer(self, paper_id: str, offset: int, limit: int) -> Reply:
        pages = self.reference_pages.get(paper_id)
        if pages is not None:
            for page in pages:
                if json.loads(page.body).get("offset") == offset:
                    return page
        full = self.references.get(paper_id)
        if full is None:
            return _json_reply(404, {"error": f"Paper with id {paper_id} not found"})
        items = [{"citedPaper": ref} for ref in full[offset : offset + limit]]
        body: dict[str, Any] = {"offset": offset, "data": items}
        if offset + limit < len(full):
            body["next"] = offset + limit
        return _json_reply(200, body)

    # -- serving -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{API}"

    def start(self) -> FakeSemanticScholar:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def batch_requests(self) -> list[list[str]]:
        """The ids of each batch request so far, in order."""
        return [r.ids for r in self.requests if r.path.endswith("/paper/batch")]

    def _answer(self, method: str, path: str, query: dict[str, str], body: Any) -> Reply:
        if method == "POST" and path == f"{API}/paper/batch":
            if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
                return _json_reply(400, {"error": "Body must be a JSON object with ids"})
            if "fields" not in query:
                return _json_reply(400, {"error": "fields is required by this stand-in"})
            return self.batch_answer([str(i) for i in body["ids"]])
        parts = path.split("/")
        if method == "GET" and len(parts) == 6 and parts[5] == "references":
            offset, limit = int(query.get("offset", "0")), int(query.get("limit", "100"))
            if limit > 1000:
                return _json_reply(400, {"error": "limit must be <= 1000"})
            return self.references_answer(parts[4], offset, limit)
        return _json_reply(404, {"error": f"no such endpoint: {method} {path}"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = None
                with fake._lock:
                    at = fake.clock.monotonic() if fake.clock is not None else None
                    seen = SeenRequest(method, parts.path, query, dict(self.headers), body, at)
                    fake.requests.append(seen)
                    reply = fake.scripted.popleft() if fake.scripted else None
                if reply is None:
                    reply = fake._answer(method, parts.path, query, body)
                if reply.hang:
                    fake._release.wait(30)
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _json_reply(status: int, value: Any) -> Reply:
    return Reply(status, json.dumps(value).encode("utf-8"))
