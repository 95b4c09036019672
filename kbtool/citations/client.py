"""The polite Semantic Scholar client: batches of papers and pages of references, nothing else.

What "polite" means here, after the API's documentation:

* **Batches**: ``POST /graph/v1/paper/batch`` with up to 500 ids (``citations.batch_size``)
  and only the fields kbtool keeps. An answer that would be too large (the API caps
  a response at 10 MB) is asked again in two halves.
* **One request at a time**, at least 1 s apart with an API key (the key's documented
  rate) and 3 s apart without one (anonymous callers share one pool), here and
  across kbtool processes (a time stamp in the cache folder).
* **Backoff** on 429, 5xx, timeouts and malformed answers, through
  :mod:`kbtool.util.retry`: ``Retry-After`` when the server sends it, else doubling
  waits with jitter; at most ``citations.retries`` retries.
* **Fail fast** when the network is unreachable (no route, refused, DNS): nothing to
  wait for, so no retries; and an **overall deadline** (``citations.deadline``) for
  every request and wait of the run together.
* The optional key (``SEMANTIC_SCHOLAR_API_KEY``) is sent as ``x-api-key`` and
  appears in no message.

Parsing is :mod:`kbtool.citations.parse`'s; this module only moves bytes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from kbtool import __version__
from kbtool.citations.keys import is_s2_paper_id, request_id
from kbtool.citations.parse import (
    CitedWork,
    S2FormatError,
    S2Paper,
    error_message,
    parse_batch,
    parse_reference_page,
)
from kbtool.citations.settings import CitationSettings
from kbtool.errors import RemoteError
from kbtool.util.clock import Clock, SystemClock
from kbtool.util.pacing import Pacer
from kbtool.util.retry import Backoff, parse_retry_after

USER_AGENT = f"kbtool/{__version__} (personal research-notes knowledge base; python-httpx)"
#: What a batch asks for: the paper's ids, title and counts, and each reference's ids,
#: title and year (for the "missing papers"). Citing papers are not asked for: the
#: API returns at most 9999 citations per batch, and the citations *between notes*
#: are the references of the notes themselves.
BATCH_FIELDS = (
    "paperId,externalIds,title,citationCount,referenceCount,"
    "references.paperId,references.externalIds,references.title,references.year"
)
REFERENCE_FIELDS = "paperId,externalIds,title,year"
PAGE_LIMIT = 1000  # the API's limit per page of /references
MAX_PAGES = 10  # offset + limit may not pass 10,000
INTERVAL_WITH_KEY = 1.0
INTERVAL_ANONYMOUS = 3.0
#: The first retry waits 2–4 s, then twice as long each time, at most 60 s.
BACKOFF = Backoff(base=4.0, cap=60.0)
MAX_RETRY_AFTER = 300.0  # a longer Retry-After means "not today": give up and say so
_TOO_LARGE = re.compile(r"exceed|too large|too big|maximum|10 ?mb|9999", re.IGNORECASE)

T = TypeVar("T")


@dataclass
class S2Stats:
    """What the client did: for reports and the benchmark."""

    requests: int = 0
    retries: int = 0
    pages: int = 0  # reference pages fetched
    splits: int = 0  # batches asked again in halves
    paced_seconds: float = 0.0
    backoff_seconds: float = 0.0


@dataclass(frozen=True)
class _Transient:
    reason: str
    status: int | None = None
    retry_after: float | None = None


class _TooLarge(Exception):
    """The API refused to send an answer this large."""


class _NotFound(Exception):
    """HTTP 404: no such paper (or no such endpoint)."""


class SemanticScholarClient:
    """The polite client; see the module docstring. Close it (or use ``with``) when done."""

    def __init__(
        self,
        settings: CitationSettings,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        *,
        stamp: Path | None = None,
        write_stamp: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.stats = S2Stats()
        interval = INTERVAL_WITH_KEY if settings.api_key else INTERVAL_ANONYMOUS
        self.pacer = Pacer(self.clock, interval, stamp, self.stats, write_stamp)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if settings.api_key:
            headers["x-api-key"] = settings.api_key
        self._http = httpx.Client(headers=headers, follow_redirects=False, transport=transport)
        self._ends_at = self.clock.monotonic() + settings.deadline

    def __enter__(self) -> SemanticScholarClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- what callers ask ----------------------------------------------------------------------

    def fetch_batch(self, keys: Sequence[str]) -> list[S2Paper | None]:
        """The papers with these keys (``arXiv:…``, ``DOI:…``), in order; None for unknown ones.

        At most ``batch_size`` keys. Raises RemoteError when S2 fails after retries,
        is unreachable, refuses the request, or the deadline passes.
        """
        if not keys or len(keys) > self.settings.batch_size:
            raise ValueError(f"a batch holds 1 to {self.settings.batch_size} ids")
        ids = [request_id(key) for key in keys]
        what = _describe(ids)
        try:
            return self._request(
                "POST",
                "/paper/batch",
                what,
                lambda body: parse_batch(body, len(ids)),
                params={"fields": BATCH_FIELDS},
                body={"ids": ids},
            )
        except _TooLarge as err:
            if len(keys) == 1:
                raise RemoteError(
                    f"Semantic Scholar would not send {what}: {err}", self._url("/paper/batch")
                ) from err
            self.stats.splits += 1
            half = len(keys) // 2
            return self.fetch_batch(keys[:half]) + self.fetch_batch(keys[half:])
        except _NotFound as err:
            raise RemoteError(
                f"Semantic Scholar has no batch endpoint at {self._url('/paper/batch')} (HTTP 404)",
                self._url("/paper/batch"),
                404,
            ) from err

    def fetch_references(self, paper_id: str) -> tuple[CitedWork, ...]:
        """Every reference of the paper with S2 id ``paper_id``, page by page (empty if unknown)."""
        if not is_s2_paper_id(paper_id):
            raise ValueError(f"not a Semantic Scholar paper id: {paper_id!r}")
        found: dict[str, CitedWork] = {}
        offset = 0
        for _ in range(MAX_PAGES):
            try:
                page = self._request(
                    "GET",
                    f"/paper/{paper_id}/references",
                    f"the references of {paper_id}",
                    parse_reference_page,
                    params={"fields": REFERENCE_FIELDS, "offset": offset, "limit": PAGE_LIMIT},
                )
            except _NotFound:
                break
            except _TooLarge as err:
                raise RemoteError(f"Semantic Scholar refused a page: {err}") from err
            self.stats.pages += 1
            for work in page.works:
                found.setdefault(work.key, work)
            if page.next is None or page.next <= offset or not page.items:
                break
            offset = page.next
        return tuple(found.values())

    # -- one request, politely -----------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.settings.url + path

    def _remaining(self) -> float:
        return self._ends_at - self.clock.monotonic()

    def _deadline_error(self, what: str, url: str) -> RemoteError:
        return RemoteError(
            f"Semantic Scholar: stopped asking for {what}: the run's deadline "
            f"({self.settings.deadline:g} s, citations.deadline) has passed",
            url,
        )

    def _request(
        self,
        method: str,
        path: str,
        what: str,
        parse: Callable[[bytes], T],
        *,
        params: dict[str, Any],
        body: Any = None,
    ) -> T:
        url = self._url(path)
        retries = self.settings.retries
        for attempt in range(retries + 1):
            outcome = self._attempt(method, url, what, parse, params, body)
            if not isinstance(outcome, _Transient):
                return outcome
            if outcome.retry_after is not None and outcome.retry_after > MAX_RETRY_AFTER:
                raise RemoteError(
                    f"Semantic Scholar asked us to wait {outcome.retry_after:.0f} s "
                    f"({outcome.reason}); try again later ({url})",
                    url,
                    outcome.status,
                    attempt,
                )
            if attempt == retries:
                tries = f"{attempt + 1} tr{'ies' if attempt else 'y'}"
                raise RemoteError(
                    f"Semantic Scholar did not answer for {what}: {outcome.reason} "
                    f"after {tries} ({url})",
                    url,
                    outcome.status,
                    attempt,
                )
            delay = BACKOFF.delay(attempt, self.rng, outcome.retry_after)
            if delay >= self._remaining():
                raise self._deadline_error(what, url)
            self.stats.retries += 1
            self.stats.backoff_seconds += delay
            self.clock.sleep(delay)
        raise AssertionError("unreachable")

    def _attempt(
        self,
        method: str,
        url: str,
        what: str,
        parse: Callable[[bytes], T],
        params: dict[str, Any],
        body: Any,
    ) -> T | _Transient:
        if self._remaining() <= 0:
            raise self._deadline_error(what, url)
        self.pacer.wait_turn()
        remaining = self._remaining()
        if remaining <= 0:
            raise self._deadline_error(what, url)
        timeout = max(min(self.settings.timeout, remaining), 0.001)
        try:
            response = self._http.request(
                method,
                url,
                params=params,
                json=body,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:
            # Unreachable: asking again in a few seconds would not change that.
            raise RemoteError(
                f"cannot reach Semantic Scholar at {self.settings.url} ({_network_reason(err)})",
                url,
            ) from err
        except httpx.TimeoutException:
            return _Transient(f"no answer within {timeout:g} s")
        except httpx.HTTPError as err:
            return _Transient(f"a broken answer ({_short(err)})")
        finally:
            self.stats.requests += 1
            self.pacer.done()
        return self._answer(response, url, what, parse)

    def _answer(
        self, response: httpx.Response, url: str, what: str, parse: Callable[[bytes], T]
    ) -> T | _Transient:
        status = response.status_code
        if status == 200:
            try:
                return parse(response.content)
            except S2FormatError as err:
                return _Transient(f"a malformed answer ({err})", status)
        if status == 429 or status >= 500:
            header = response.headers.get("Retry-After")
            return _Transient(f"HTTP {status}", status, parse_retry_after(header, self.clock.now()))
        message = error_message(response.content)
        if status == 413 or (status == 400 and message and _TOO_LARGE.search(message)):
            raise _TooLarge(message or f"HTTP {status}")
        if status == 404:
            raise _NotFound(message or "not found")
        if status in (401, 403):
            whose = "the API key in $SEMANTIC_SCHOLAR_API_KEY" if self.settings.api_key else "us"
            raise RemoteError(
                f"Semantic Scholar refused {whose} (HTTP {status}"
                + (f": {message})" if message else ")"),
                url,
                status,
            )
        raise RemoteError(
            f"Semantic Scholar rejected the request for {what}: {message or 'no reason given'} "
            f"(HTTP {status}, {url})",
            url,
            status,
        )


def _describe(ids: Sequence[str]) -> str:
    """Ids for a message: all of a few, the first three of many."""
    if len(ids) == 1:
        return ids[0]
    if len(ids) <= 3:
        return ", ".join(ids)
    return f"{', '.join(ids[:3])}… ({len(ids)} papers)"


def _network_reason(err: BaseException) -> str:
    """The root cause of a connection failure, e.g. ``Connection refused``."""
    text = " ".join(str(e) for e in _chain(err))
    match = re.search(r"\[Errno -?\d+\] ([^'\")\[\]]+)", text)
    if match:
        return match.group(1).strip()
    return _short(err) or type(err).__name__


def _chain(err: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _short(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 160 else text[:157] + "..."
