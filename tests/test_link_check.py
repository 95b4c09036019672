"""The link checker against a real HTTP(S) server on 127.0.0.1, with sleeps injected."""

from __future__ import annotations

import asyncio
import random
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import trustme

from kbtool.links.http import HostGate, LinkChecker
from kbtool.links.settings import LinkSettings
from kbtool.links.status import Failure, LinkResult, LinkStatus, classify_outcome
from tests.support.link_server import Concurrency, LinkTestServer, running

FAST = LinkSettings(timeout=0.5, run_timeout=30.0, host_interval=0.0)


class RecordingSleep:
    """An injected sleep: remembers each delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def server() -> Iterator[LinkTestServer]:
    with running(LinkTestServer()) as srv:
        yield srv


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[LinkTestServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with running(LinkTestServer(tls=context)) as srv:
        yield srv


def check(
    urls: list[str], settings: LinkSettings = FAST, **kwargs: object
) -> tuple[dict[str, LinkResult], LinkChecker]:
    sleep = kwargs.pop("sleep", RecordingSleep())
    checker = LinkChecker(settings, sleep=sleep, rng=random.Random(1), **kwargs)  # type: ignore[arg-type]
    outcomes = asyncio.run(checker.check_all(urls))
    return {url: classify_outcome(o, settings) for url, o in outcomes.items()}, checker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


EXPECTED = {
    "/ok": LinkStatus.OK,
    "/redirect/3/a": LinkStatus.REDIRECTED,
    "/temporary": LinkStatus.OK,
    "/permanent-then-temp": LinkStatus.REDIRECTED,
    "/loop/a": LinkStatus.BROKEN,
    "/status/404": LinkStatus.BROKEN,
    "/status/410": LinkStatus.BROKEN,
    "/rate-limited/k1": LinkStatus.OK,
    "/server-error/k1": LinkStatus.OK,
    "/no-head": LinkStatus.OK,
    "/hang": LinkStatus.UNVERIFIED,
    "/endless": LinkStatus.OK,
    "/huge": LinkStatus.OK,
    "/always-429": LinkStatus.UNVERIFIED,
    "/status/500": LinkStatus.BROKEN,
}


def test_every_endpoint_class_within_the_bound(
    server: LinkTestServer, tls_server: LinkTestServer
) -> None:
    urls = [server.url(path) for path in EXPECTED]
    tls_url = tls_server.url("/ok")
    dns_url = "http://no-such-host.invalid/paper"
    refused_url = f"http://127.0.0.1:{free_port()}/paper"
    start = time.monotonic()
    results, checker = check([*urls, tls_url, dns_url, refused_url])
    elapsed = time.monotonic() - start

    got = {path: results[server.url(path)].status for path in EXPECTED}
    assert got == EXPECTED
    assert results[tls_url].status is LinkStatus.BROKEN
    assert "TLS" in results[tls_url].reason
    assert results[dns_url].status is LinkStatus.BROKEN
    assert results[dns_url].reason.startswith("DNS lookup failed")
    assert results[refused_url].status is LinkStatus.BROKEN
    assert results[refused_url].reason.startswith("connection refused")
    # /hang: three attempts of the 0.5 s timeout, the backoff sleeps injected.
    assert elapsed < 3 * FAST.timeout + 3
    # Every attempt counts, also those that never reached a server (TLS, DNS, refused).
    assert checker.requests == sum(server.requests.values()) + 3


def test_permanent_redirect_reports_its_target(server: LinkTestServer) -> None:
    url = server.url("/redirect/3/a")
    results, _ = check([url])
    assert results[url].target == server.url("/redirect/0/a")
    assert results[url].reason == f"moved permanently to {server.url('/redirect/0/a')}"
    # Temporary after permanent: the note should point where the permanent one leads.
    url = server.url("/permanent-then-temp")
    results, _ = check([url])
    assert results[url].target == server.url("/temporary")


def test_too_many_redirects_is_broken(server: LinkTestServer) -> None:
    url = server.url("/redirect/5/b")
    results, _ = check([url], replace(FAST, max_redirects=3))
    assert results[url].status is LinkStatus.BROKEN
    assert results[url].reason.startswith(Failure.TOO_MANY_REDIRECTS.value)
    assert server.requests[("HEAD", "/redirect/2/b")] == 1
    assert server.requests[("HEAD", "/redirect/1/b")] == 0


def test_redirect_loop_is_detected_without_running_to_the_limit(server: LinkTestServer) -> None:
    url = server.url("/loop/a")
    results, _ = check([url])
    assert results[url].reason.startswith("redirect loop")
    assert server.requests[("HEAD", "/loop/a")] == 1
    assert server.requests[("HEAD", "/loop/b")] == 1


def test_head_refused_falls_back_to_get(server: LinkTestServer) -> None:
    url = server.url("/no-head")
    results, _ = check([url])
    assert results[url].status is LinkStatus.OK
    assert server.requests[("HEAD", "/no-head")] == 1
    assert server.requests[("GET", "/no-head")] == 1
    # HEAD that works is never followed by GET.
    check([server.url("/ok")])
    assert server.requests[("GET", "/ok")] == 0


def test_huge_and_endless_bodies_are_not_downloaded(server: LinkTestServer) -> None:
    urls = [server.url("/huge"), server.url("/endless")]
    start = time.monotonic()
    results, _ = check(urls)
    assert all(results[url].status is LinkStatus.OK for url in urls)
    assert server.requests[("GET", "/huge")] == 1
    assert time.monotonic() - start < 2
    time.sleep(0.2)  # let the server notice the closed connections
    # Only what socket buffers held before the client hung up; the body is 10 GiB.
    assert server.body_bytes_sent < 64 * 2**20


def test_retry_after_is_honoured_then_ok(server: LinkTestServer) -> None:
    url = server.url("/rate-limited/k2")
    sleep = RecordingSleep()
    results, _ = check([url], sleep=sleep)
    assert results[url].status is LinkStatus.OK
    assert server.requests[("HEAD", "/rate-limited/k2")] == 2
    assert sleep.delays == [1.0]


def test_server_error_retried_with_backoff_and_jitter(server: LinkTestServer) -> None:
    url = server.url("/server-error/k3")
    sleep = RecordingSleep()
    results, _ = check([url], sleep=sleep)
    assert results[url].status is LinkStatus.OK
    assert len(sleep.delays) == 1
    assert 0.5 <= sleep.delays[0] <= 1.0  # first backoff: 1 s with equal jitter


def test_persistent_server_error_backs_off_exponentially(server: LinkTestServer) -> None:
    url = server.url("/status/503")
    sleep = RecordingSleep()
    results, _ = check([url], replace(FAST, retries=3), sleep=sleep)
    assert results[url].status is LinkStatus.BROKEN
    assert results[url].reason == "HTTP 503 server error after 3 retries"
    assert 0.5 <= sleep.delays[0] <= 1 and 1 <= sleep.delays[1] <= 2 and 2 <= sleep.delays[2] <= 4
    assert server.requests[("HEAD", "/status/503")] == 4


def test_long_retry_after_is_not_waited_for(server: LinkTestServer) -> None:
    url = server.url("/always-429")
    sleep = RecordingSleep()
    results, _ = check([url], sleep=sleep)
    assert results[url].status is LinkStatus.UNVERIFIED
    assert "Retry-After 3600" in results[url].reason
    assert sleep.delays == []


def test_tls_is_verified_and_a_trusted_ca_passes(
    tls_server: LinkTestServer, ca: trustme.CA
) -> None:
    url = tls_server.url("/ok")
    results, _ = check([url])
    assert results[url].status is LinkStatus.BROKEN
    # The same endpoint with its CA trusted is fine: the failure above was verification.
    context = ssl.create_default_context()
    ca.configure_trust(context)
    results, _ = check([url], verify=context)
    assert results[url].status is LinkStatus.OK


def test_verification_cannot_be_switched_off() -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="cannot be switched off"):
        LinkChecker(FAST, verify=context)


def test_run_bound_leaves_pending_links_unverified(server: LinkTestServer) -> None:
    slow = replace(FAST, timeout=20.0, run_timeout=1.5)
    urls = [server.url("/hang"), server.url("/ok")]
    start = time.monotonic()
    results, _ = check(urls, slow)
    elapsed = time.monotonic() - start
    assert elapsed < slow.run_timeout + 1.0
    assert results[urls[0]].status is LinkStatus.UNVERIFIED
    assert results[urls[0]].reason == Failure.NOT_CHECKED.value
    assert results[urls[1]].status is LinkStatus.OK


def test_per_host_limit_holds(server: LinkTestServer) -> None:
    urls = [server.url(f"/slow/150/{i}") for i in range(8)]
    results, _ = check(urls, replace(FAST, per_host=2))
    assert all(r.status is LinkStatus.OK for r in results.values())
    assert server.concurrency.most == 2


def test_global_limit_holds_across_hosts() -> None:
    shared = Concurrency()
    with (
        running(LinkTestServer("127.0.0.1", concurrency=shared)) as one,
        running(LinkTestServer("127.0.0.2", concurrency=shared)) as two,
    ):
        urls = [srv.url(f"/slow/150/{i}") for srv in (one, two) for i in range(6)]
        check(urls, replace(FAST, per_host=8, concurrency=3))
        assert shared.most == 3
        # Without a tight limit the same number of links overlap more.
        shared.most = 0
        check([u + "b" for u in urls], replace(FAST, per_host=8, concurrency=12))
        assert shared.most > 3


def test_host_interval_spaces_request_starts() -> None:
    """The per-host gate, on a fake clock that sleeping advances."""
    now = [100.0]
    sleeps: list[float] = []
    starts: list[tuple[str, float]] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    async def scenario() -> None:
        gates = {host: HostGate(4, 0.5, clock=lambda: now[0], sleep=sleep) for host in ("a", "b")}

        async def enter(host: str) -> None:
            async with gates[host].slot():
                starts.append((host, now[0]))

        await asyncio.gather(enter("a"), enter("a"), enter("a"), enter("b"))

    asyncio.run(scenario())
    assert [t for host, t in starts if host == "a"] == [100.0, 100.5, 101.0]
    assert sleeps == [0.5, 0.5]  # the other host never waited
