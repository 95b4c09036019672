"""The polite arXiv API client, shared by ``new``, ``enrich``, ``watch`` and ``links``.

The ``arxiv`` package (lukasschwab/arxiv.py) builds the query URLs and parses the
Atom feed; kbtool wraps it so that it behaves as the arXiv API terms ask:

* **One request at a time, at least 3 s apart** — counted from the end of the
  previous request, in this process and (through a time stamp in the cache
  folder) across kbtool processes on the same knowledge base.
* **Backoff**: on 429, 5xx, timeouts, connection errors, malformed or empty
  feeds, wait ``6·2^n`` seconds with jitter (half fixed, half random, at most
  60 s), or longer when the server sends ``Retry-After``; give up after
  ``arxiv.retries`` retries (default 4) with :class:`~kbtool.errors.RemoteError`.
* A **request timeout** (``arxiv.timeout``, default 30 s) and a descriptive
  **User-Agent** with the contact address from ``kbtool.yml`` (``arxiv.contact``).
* **Batches**: one ``id_list`` query per batch (``arxiv.batch_size``, default
  100, also its ``max_results``); entries are matched to the request by id, never
  by position, and ids without an entry come back as unknown.
* arXiv's **error feed** (HTTP 400, e.g. a malformed id) becomes
  :class:`~kbtool.errors.ArxivQueryError` naming the id.

How the ``arxiv`` package is used: an ``arxiv.Client(delay_seconds=0,
num_retries=0)`` whose documented ``query_url_format`` points at
``KBTOOL_ARXIV_URL``, so its own sleeping and retrying are off and ours apply.
Every HTTP request it makes goes through :class:`_PoliteTransport`, a requests
adapter mounted on its session (``Client._session``, the one private attribute
we touch): the adapter paces, sets the timeout and User-Agent, and keeps the raw
response, whose body and ``Retry-After`` the package does not expose.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import arxiv
import requests
from requests.adapters import HTTPAdapter
from requests.exceptions import InvalidSchema, InvalidURL, MissingSchema

from kbtool.arxiv.feed import FeedCheck, error_subject, inspect_feed
from kbtool.arxiv.record import ArxivRecord, record_from_result
from kbtool.arxiv.settings import ArxivSettings, user_agent
from kbtool.core.arxiv_id import find_arxiv_id
from kbtool.errors import ArxivQueryError, RemoteError
from kbtool.util.clock import Clock, SystemClock
from kbtool.util.pacing import Pacer
from kbtool.util.retry import Backoff, parse_retry_after

MIN_INTERVAL = 3.0  # seconds between requests: the arXiv API terms of use
#: The first retry waits 3–6 s, so it already keeps the 3-second rule; at most 60 s.
BACKOFF = Backoff(base=6.0, cap=60.0)
MAX_RETRY_AFTER = 300.0  # a longer Retry-After means "not today": give up and say so

# The package logs what we already handle (malformed feeds, skipped entries);
# without a handler Python would print those warnings on stderr.
logging.getLogger("arxiv").addHandler(logging.NullHandler())


# --- waiting ------------------------------------------------------------------------------------


@dataclass
class ClientStats:
    """What the client did: for reports and the benchmark."""

    requests: int = 0
    retries: int = 0
    paced_seconds: float = 0.0  # waits imposed by the 3-second rule alone
    backoff_seconds: float = 0.0  # waits before retries


class _PoliteTransport(HTTPAdapter):
    """The only way the ``arxiv`` package reaches the network: paced, timed out, identified."""

    def __init__(self, pacer: Pacer, agent: str, timeout: float, stats: ClientStats) -> None:
        super().__init__(max_retries=0)
        self.pacer = pacer
        self.agent = agent
        self.timeout = (min(timeout, 10.0), timeout)
        self.stats = stats
        self.responses: list[requests.Response] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        request.headers["User-Agent"] = self.agent
        self.pacer.wait_turn()
        try:
            response = super().send(request, stream, self.timeout, verify, cert, proxies)
        finally:
            self.stats.requests += 1
            self.pacer.done()
        self.responses.append(response)
        return response


# --- what came back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IdBatch:
    """The answer to one ``id_list`` query, by base id."""

    records: dict[str, ArxivRecord]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class SearchPage:
    """One page of a ``search_query``, newest submissions first."""

    records: list[ArxivRecord]
    start: int
    total_results: int


@dataclass(frozen=True)
class _Transient:
    reason: str
    status: int | None = None
    retry_after: float | None = None


# --- the client ---------------------------------------------------------------------------------


@dataclass
class ArxivClient:
    """The polite client; see the module docstring for what "polite" means here."""

    settings: ArxivSettings = field(default_factory=ArxivSettings)
    clock: Clock = field(default_factory=SystemClock)
    rng: random.Random = field(default_factory=random.Random)
    stamp: Path | None = None  # the cross-process "last request" time stamp
    write_stamp: bool = True  # False for runs that write nothing (--dry-run): read it only

    def __post_init__(self) -> None:
        self.stats = ClientStats()
        self.pacer = Pacer(self.clock, MIN_INTERVAL, self.stamp, self.stats, self.write_stamp)
        self.transport = _PoliteTransport(
            self.pacer, user_agent(self.settings.contact), self.settings.timeout, self.stats
        )
        self._arxiv = arxiv.Client(
            page_size=self.settings.batch_size, delay_seconds=0, num_retries=0
        )
        separator = "&" if "?" in self.settings.url else "?"
        self._arxiv.query_url_format = self.settings.url + separator + "{}"
        session = getattr(self._arxiv, "_session", None)
        if not isinstance(session, requests.Session):
            raise RuntimeError(
                "the arxiv package has no requests session to pace (arxiv.Client._session); "
                "kbtool supports arxiv 4.x"
            )
        session.mount("http://", self.transport)
        session.mount("https://", self.transport)
        self._last_check: FeedCheck | None = None

    def _display_url(self, search: arxiv.Search, start: int, page_size: int) -> str:
        """The query URL, for messages (the package builds the one it sends the same way)."""
        query = {"search_query": search.query, "id_list": ",".join(search.id_list)}
        query.update({"start": str(start), "max_results": str(page_size)})
        return str(self._arxiv.query_url_format).format(urlencode(query))

    def fetch_ids(self, bases: Sequence[str]) -> IdBatch:
        """Metadata for up to ``batch_size`` papers (base ids, no versions) in one query."""
        wanted = list(dict.fromkeys(bases))
        if not wanted or len(wanted) > self.settings.batch_size:
            raise ValueError(f"a batch holds 1 to {self.settings.batch_size} ids")
        for base in wanted:
            parsed = find_arxiv_id(base)
            if parsed is None or parsed.version is not None or parsed.base != base:
                raise ValueError(f"not a base arXiv id: {base!r}")
        search = arxiv.Search(id_list=wanted, max_results=self.settings.batch_size)
        results = self._run(search, 0, self.settings.batch_size, _describe_ids(wanted))
        records: dict[str, ArxivRecord] = {}
        for result in results:
            record = record_from_result(result)
            if record is None or record.base not in wanted:
                continue  # an entry we did not ask for is not guessed onto one we did
            known = records.get(record.base)
            if known is None or record.version > known.version:
                records[record.base] = record
        unknown = tuple(base for base in wanted if base not in records)
        return IdBatch(records, unknown)

    def search_page(self, query: str, start: int = 0, page_size: int | None = None) -> SearchPage:
        """One page of ``search_query`` results, by submission date, newest first."""
        size = page_size or self.settings.batch_size
        search = arxiv.Search(
            query=query,
            max_results=start + size,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        results = self._run(search, start, size, repr(query))
        records = [r for r in map(record_from_result, results) if r is not None]
        total = self._last_check.total_results if self._last_check else None
        return SearchPage(records, start, total if total is not None else start + len(records))

    def _run(self, search: arxiv.Search, start: int, page_size: int, what: str) -> list[Any]:
        """Run one query, retrying transient failures; the parsed ``arxiv.Result`` entries."""
        self._arxiv.page_size = page_size
        url = self._display_url(search, start, page_size)
        retries = self.settings.retries
        for attempt in range(retries + 1):
            self.transport.responses = []
            self._last_check = None
            outcome = self._attempt(search, start, url, what)
            if not isinstance(outcome, _Transient):
                return outcome
            endpoint = self.settings.url
            if outcome.retry_after is not None and outcome.retry_after > MAX_RETRY_AFTER:
                raise RemoteError(
                    f"arXiv asked us to wait {outcome.retry_after:.0f} s ({outcome.reason}); "
                    f"try again later ({endpoint})",
                    url,
                    outcome.status,
                    attempt,
                )
            if attempt == retries:
                tries = f"{attempt + 1} tr{'ies' if attempt else 'y'}"
                raise RemoteError(
                    f"arXiv did not answer for {what}: {outcome.reason} after {tries} ({endpoint})",
                    url,
                    outcome.status,
                    attempt,
                )
            delay = BACKOFF.delay(attempt, self.rng, outcome.retry_after)
            self.stats.retries += 1
            self.stats.backoff_seconds += delay
            self.clock.sleep(delay)
        raise AssertionError("unreachable")

    def _attempt(
        self, search: arxiv.Search, start: int, url: str, what: str
    ) -> list[Any] | _Transient:
        try:
            results = list(self._arxiv.results(search, offset=start))
        except arxiv.HTTPError as err:
            return self._http_error(err.status, url, what)
        except arxiv.UnexpectedEmptyPageError:
            return _Transient("an unexpectedly empty page")
        except requests.Timeout:
            return _Transient(f"no response within {self.settings.timeout:g} s")
        except requests.ConnectionError as err:
            return _Transient(f"cannot connect ({_network_reason(err)})")
        except (InvalidURL, InvalidSchema, MissingSchema) as err:
            raise RemoteError(f"bad arXiv API URL {url}: {err}", url) from err
        except requests.RequestException as err:
            return _Transient(f"a broken response ({_short(err)})")
        for response in self.transport.responses:
            check = inspect_feed(response.content)
            self._last_check = self._last_check or check
            if check.api_error:
                raise ArxivQueryError(
                    f"arXiv rejected the query for {what}: {check.api_error}",
                    url,
                    response.status_code,
                    error_subject(check.api_error),
                )
            if check.problem:
                return _Transient(f"arXiv sent {check.problem}")
        check = self._last_check or FeedCheck()
        if not results and (check.total_results or 0) > start:
            return _Transient(f"an empty feed although it reported {check.total_results} results")
        return results

    def _http_error(self, status: int, url: str, what: str) -> _Transient:
        response = self.transport.responses[-1] if self.transport.responses else None
        if status == 429 or status >= 500:
            header = response.headers.get("Retry-After") if response is not None else None
            return _Transient(f"HTTP {status}", status, parse_retry_after(header, self.clock.now()))
        message = None
        if response is not None:
            message = inspect_feed(response.content).api_error
        if message:
            subject = error_subject(message)
            raise ArxivQueryError(
                f"arXiv rejected {subject!r}: {message} (HTTP {status})"
                if subject
                else f"arXiv rejected the query for {what}: {message} (HTTP {status})",
                url,
                status,
                subject,
            )
        raise RemoteError(
            f"arXiv answered HTTP {status} for {what} ({self.settings.url})", url, status
        )


def _describe_ids(ids: Sequence[str]) -> str:
    """Ids for a message: all of a few, the first three of many."""
    if len(ids) <= 3:
        return ", ".join(ids)
    return f"{', '.join(ids[:3])}… ({len(ids)} ids)"


def _network_reason(err: BaseException) -> str:
    """The root cause of a requests connection error, e.g. ``Connection refused``."""
    cause: object = err
    while True:
        inner = getattr(cause, "reason", None)
        if inner is None and getattr(cause, "args", None):
            first = cause.args[0]  # type: ignore[attr-defined]
            inner = first if isinstance(first, BaseException) else None
        if inner is None or inner is cause:
            break
        cause = inner
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(cause))
    return match.group(1).strip() if match else _short(Exception(cause))


def _short(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 160 else text[:157] + "..."
