"""Check web links concurrently and politely: the only part of ``kbtool links`` that does HTTP.

:class:`LinkChecker` requests each URL once and records what happened as a
:class:`~kbtool.links.status.FetchOutcome`, which :mod:`kbtool.links.status` classifies.

* Limits: at most ``concurrency`` requests in flight overall, ``per_host`` to one
  host, and request starts to one host spaced by ``host_interval`` seconds.
* HEAD first; GET when HEAD is refused (405, 403, 501). Bodies are never
  downloaded: the response is closed as soon as its status and headers are in.
* Redirects are followed one hop at a time (up to ``max_redirects``), so permanent
  redirects and loops can be reported.
* Each request has a timeout; timeouts, connection resets, 5xx and 429 are retried
  with exponential backoff and jitter, honouring ``Retry-After`` up to
  ``max_retry_after``; the whole run has a bound, after which the links still
  pending are reported as not checked.
* TLS certificates are always verified; a caller may add trusted CAs through a
  verifying ``ssl.SSLContext`` but cannot switch verification off.

Sleeping, the clock and the jitter are injected so tests never wait out a backoff.
"""

from __future__ import annotations

import asyncio
import random
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from kbtool import __version__
from kbtool.links.addresses import IPAddress, redirect_refusal, resolve
from kbtool.links.settings import LinkSettings
from kbtool.links.status import REDIRECTS, Failure, FetchOutcome, Hop
from kbtool.util.causes import causes
from kbtool.util.retry import Backoff, parse_retry_after
from kbtool.util.urls import split_url

USER_AGENT = f"kbtool/{__version__} (link checker; python-httpx)"
#: Statuses that mean "HEAD is not welcome here": ask again with GET.
HEAD_REFUSED = frozenset({403, 405, 501})
#: The first retry waits 0.5–1 s (then twice as long each time, jittered), at most 30 s.
BACKOFF = Backoff(base=1.0, cap=30.0)

Sleep = Callable[[float], Awaitable[None]]
MonotonicClock = Callable[[], float]


@dataclass(frozen=True)
class _Response:
    status: int
    location: str | None
    retry_after: float | None


def transport_failure(err: BaseException) -> Failure:
    """The kind of a network failure, from the exception and what caused it."""
    for cause in causes(err):
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return Failure.TLS
        if isinstance(cause, socket.gaierror):
            return Failure.DNS
        if isinstance(cause, ConnectionRefusedError):
            return Failure.REFUSED
    text = " ".join(str(cause) for cause in causes(err)).lower()
    if "certificate" in text or "ssl" in text or "tls" in text:
        return Failure.TLS
    if "name or service not known" in text or "nodename nor servname" in text:
        return Failure.DNS
    if "getaddrinfo" in text or "name resolution" in text:
        return Failure.DNS
    if "connection refused" in text or "errno 111" in text:
        return Failure.REFUSED
    return Failure.CONNECTION


class HostGate:
    """At most ``limit`` requests in flight to one host, their starts ``interval`` apart."""

    def __init__(self, limit: int, interval: float, clock: MonotonicClock, sleep: Sleep) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._lock = asyncio.Lock()
        self._next_start = float("-inf")
        self._interval = interval
        self._clock = clock
        self._sleep = sleep

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            async with self._lock:
                now = self._clock()
                start = max(now, self._next_start)
                self._next_start = start + self._interval
            if start > now:
                await self._sleep(start - now)
            yield


class LinkChecker:
    """Fetches URLs under the limits of ``settings``; :attr:`requests` counts HTTP requests."""

    def __init__(
        self,
        settings: LinkSettings,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: MonotonicClock = time.monotonic,
        rng: random.Random | None = None,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        if verify is not None and (
            verify.verify_mode is not ssl.CERT_REQUIRED or not verify.check_hostname
        ):
            raise ValueError("TLS verification cannot be switched off")
        self.settings = settings
        self.requests = 0
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._verify: ssl.SSLContext | bool = verify if verify is not None else True
        self._gates: dict[str, HostGate] = {}
        self._addresses: dict[str, list[IPAddress]] = {}
        self._in_flight = asyncio.Semaphore(settings.concurrency)

    async def _refusal(self, origin: str, target: str) -> str | None:
        """Why the redirect from the link ``origin`` to ``target`` must not be followed, or None."""
        origin_host = urlsplit(origin).hostname or ""
        target_host = urlsplit(target).hostname or ""
        return redirect_refusal(await self._resolve(origin_host), await self._resolve(target_host))

    async def _resolve(self, host: str) -> list[IPAddress]:
        if host not in self._addresses:
            self._addresses[host] = await resolve(host)
        return self._addresses[host]

    def _gate(self, url: str) -> HostGate:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._gates:
            self._gates[host] = HostGate(
                self.settings.per_host, self.settings.host_interval, self._clock, self._sleep
            )
        return self._gates[host]

    def _client(self) -> httpx.AsyncClient:
        limit = self.settings.concurrency
        return httpx.AsyncClient(
            verify=self._verify,
            follow_redirects=False,
            timeout=httpx.Timeout(self.settings.timeout),
            # In-flight requests are bounded by our own semaphores; the pool may keep idle
            # connections to more hosts than that, so links on many hosts reuse them.
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=4 * limit),
            headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
            trust_env=False,
        )

    async def check_all(
        self,
        urls: Iterable[str],
        on_outcome: Callable[[FetchOutcome], None] | None = None,
    ) -> dict[str, FetchOutcome]:
        """Fetch every URL (each once); links still pending at ``run_timeout`` are not checked."""
        unique = list(dict.fromkeys(urls))
        outcomes: dict[str, FetchOutcome] = {}
        if not unique:
            return outcomes
        async with self._client() as client:

            async def one(url: str) -> None:
                try:
                    outcome = await self.fetch(client, url)
                except (ValueError, OverflowError, UnicodeError, httpx.HTTPError) as err:
                    # A URL the HTTP stack cannot even try: broken, said in one line.
                    outcome = FetchOutcome(url, failure=Failure.BAD_URL, detail=_short(err))
                except ExceptionGroup as group:  # the same, out of one of anyio's task groups
                    if group.split((ValueError, OverflowError, OSError))[1] is not None:
                        raise
                    outcome = FetchOutcome(url, failure=Failure.BAD_URL, detail=_short(group))
                outcomes[url] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)

            tasks = [asyncio.create_task(one(url)) for url in unique]
            _, pending = await asyncio.wait(tasks, timeout=self.settings.run_timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for url in unique:
            if url not in outcomes:
                outcome = FetchOutcome(url, failure=Failure.NOT_CHECKED)
                outcomes[url] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
        return {url: outcomes[url] for url in unique}

    async def fetch(self, client: httpx.AsyncClient, url: str) -> FetchOutcome:
        """Follow ``url``'s redirects hop by hop and record every response or the failure."""
        hops: list[Hop] = []
        seen = {url}
        current = url
        retries = 0
        for _ in range(self.settings.max_redirects + 1):
            response, failure, detail, used = await self._request_with_retries(client, current)
            retries += used
            if failure is not None:
                return FetchOutcome(url, tuple(hops), failure, detail, retries)
            assert response is not None
            if response.status not in REDIRECTS:
                hops.append(Hop(current, response.status))
                return FetchOutcome(url, tuple(hops), retries=retries)
            following = _redirect_target(current, response.location)
            hops.append(Hop(current, response.status, following))
            if following is None:
                return FetchOutcome(
                    url, tuple(hops), Failure.BAD_REDIRECT, str(response.location), retries
                )
            refusal = await self._refusal(url, following)
            if refusal is not None:
                return FetchOutcome(url, tuple(hops), Failure.PRIVATE_REDIRECT, refusal, retries)
            if following in seen:
                return FetchOutcome(
                    url, tuple(hops), Failure.REDIRECT_LOOP, f"back to {following}", retries
                )
            seen.add(following)
            current = following
        return FetchOutcome(
            url,
            tuple(hops),
            Failure.TOO_MANY_REDIRECTS,
            f"more than {self.settings.max_redirects}",
            retries,
        )

    async def _request_with_retries(
        self, client: httpx.AsyncClient, url: str
    ) -> tuple[_Response | None, Failure | None, str, int]:
        """(response, failure, detail, retries used) for one hop, retrying what may pass."""
        attempt = 0
        while True:
            wait: float | None = None
            failure: Failure | None = None
            detail = ""
            try:
                response = await self._head_then_get(client, url)
            except (httpx.TimeoutException, TimeoutError):
                failure, detail = Failure.TIMEOUT, f"no answer within {self.settings.timeout:g} s"
            except httpx.TransportError as err:
                failure, detail = transport_failure(err), str(err) or type(err).__name__
                if failure is not Failure.CONNECTION:
                    return None, failure, detail, attempt
            except httpx.InvalidURL as err:
                return None, Failure.BAD_REDIRECT, str(err), attempt
            else:
                if response.status != 429 and response.status < 500:
                    return response, None, "", attempt
                if attempt >= self.settings.retries:
                    return response, None, "", attempt
                wait = response.retry_after
                if wait is not None and wait > self.settings.max_retry_after:
                    detail = f"HTTP {response.status}, Retry-After {wait:g} s"
                    return None, Failure.RETRY_AFTER_TOO_LONG, detail, attempt
            if wait is None and attempt >= self.settings.retries:
                return None, failure, detail, attempt
            await self._sleep(wait if wait is not None else BACKOFF.delay(attempt, self._rng))
            attempt += 1

    async def _head_then_get(self, client: httpx.AsyncClient, url: str) -> _Response:
        response = await self._send(client, "HEAD", url)
        if response.status in HEAD_REFUSED:
            response = await self._send(client, "GET", url)
        return response

    async def _send(self, client: httpx.AsyncClient, method: str, url: str) -> _Response:
        async with self._gate(url).slot(), self._in_flight:
            self.requests += 1
            async with asyncio.timeout(self.settings.timeout):
                # Leaving the stream unread closes the connection: no body is downloaded.
                async with client.stream(method, url) as response:
                    retry_after = None
                    if response.status_code in (429, 503):
                        retry_after = parse_retry_after(
                            response.headers.get("Retry-After"), datetime.now(UTC)
                        )
                    return _Response(
                        response.status_code, response.headers.get("Location"), retry_after
                    )


def _redirect_target(current: str, location: str | None) -> str | None:
    """The absolute http(s) URL a ``Location`` points to (fragment dropped), or None."""
    if not location or not location.strip():
        return None
    try:
        target = urljoin(current, location.strip())
    except ValueError:
        return None
    joined = split_url(target)
    if joined is None or joined.scheme not in ("http", "https") or not joined.hostname:
        return None
    # Credentials in a Location are never sent (httpx would send them as Basic auth).
    netloc = joined.netloc.rpartition("@")[2]
    return urlunsplit((joined.scheme, netloc, joined.path, joined.query, ""))


def _short(err: BaseException) -> str:
    if isinstance(err, BaseExceptionGroup):
        err = err.exceptions[0]
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= 200 else text[:199] + "…"
