"""A hostile or broken arXiv: dripping, truncated, redirecting, oversized, lying about dates, gone.

Through a real local server (FakeArxiv) and the real client: every request has one
deadline, offline fails fast, waits are said on the terminal, and bad data is a
one-line error naming what was wrong, never an internal error.
"""

from __future__ import annotations

import logging
import os
import random
import time

import pytest

import kbtool.arxiv.http
from kbtool.arxiv.client import ArxivClient
from kbtool.arxiv.settings import URL_ENV, ArxivSettings
from kbtool.errors import RemoteError
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, MakeClient, Reply, feed_xml
from tests.support.kb import KnowledgeBaseFactory, RunKbtool, run_process

ID = "1605.08386"  # a paper with a recorded answer


def recorded_body(fake_arxiv: FakeArxiv) -> bytes:
    return fake_arxiv.answer({"id_list": ID, "max_results": "100"}).body


def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    # 3 KB at 20 bytes a second: a minute and a half, and no read ever waits 0.5 s.
    body = recorded_body(fake_arxiv)
    fake_arxiv.script(Reply(200, body, drip=0.05), Reply(200, body, drip=0.05))
    client = make_client(timeout=0.5, retries=1)
    started = time.perf_counter()
    with pytest.raises(RemoteError) as caught:
        client.fetch_ids([ID])
    assert time.perf_counter() - started < 5
    assert "no complete answer within 0.5 s after 2 tries" in caught.value.message


def test_dripped_headers_are_cut_off_too(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    slow_headers = {f"X-Padding-{n}": "x" * 60 for n in range(20)}
    fake_arxiv.script(Reply(200, recorded_body(fake_arxiv), slow_headers, drip=0.02))
    client = make_client(timeout=0.5, retries=1)
    started = time.perf_counter()
    batch = client.fetch_ids([ID])  # the second try gets the recorded answer at once
    assert time.perf_counter() - started < 5
    assert list(batch.records) == [ID] and client.stats.retries == 1


def test_a_truncated_answer_is_not_a_connection_failure(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    body = recorded_body(fake_arxiv)
    fake_arxiv.script(*[Reply(200, body, cut_at=len(body) // 2) for _ in range(2)])
    with pytest.raises(RemoteError) as caught:
        make_client(retries=1).fetch_ids([ID])
    message = caught.value.message
    assert "the answer was cut short" in message and "cannot connect" not in message


def test_an_endpoint_that_redirects_to_itself_costs_one_request(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(*[Reply(302, to_self=True) for _ in range(40)])
    with pytest.raises(RemoteError) as caught:
        make_client().fetch_ids([ID])
    assert "redirects in a loop" in caught.value.message and "not retried" in caught.value.message
    assert len(fake_arxiv.requests) == 1 and clock.sleeps == []


def test_a_redirect_back_to_a_visited_url_stops_there(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(
        Reply(301, headers={"Location": fake_arxiv.url + "?moved=1"}),
        Reply(302, to_self=True),
    )
    with pytest.raises(RemoteError, match="redirects in a loop"):
        make_client().fetch_ids([ID])
    assert len(fake_arxiv.requests) == 2


def test_one_redirect_is_followed_within_the_request(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    client = make_client()
    moved = Reply(301, headers={"Location": fake_arxiv.url + "?moved=1"})
    fake_arxiv.script(moved, recorded_reply(fake_arxiv))
    assert list(client.fetch_ids([ID]).records) == [ID]
    assert client.stats.requests == 1 and len(fake_arxiv.requests) == 2


def recorded_reply(fake_arxiv: FakeArxiv) -> Reply:
    return Reply(200, recorded_body(fake_arxiv))


def test_an_oversized_answer_is_refused_as_it_arrives(
    fake_arxiv: FakeArxiv,
    make_client: MakeClient,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kbtool.arxiv.http, "MAX_BODY_BYTES", 1024 * 1024)
    fake_arxiv.script(Reply(200, b"<feed>" + b" " * 3 * 1024 * 1024 + b"</feed>"))
    with pytest.raises(RemoteError, match="larger than 1 MiB; not retried"):
        make_client().fetch_ids([ID])
    assert len(fake_arxiv.requests) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published", "2024-02-30T00:00:00Z"),
        ("published", "yesterday"),
        ("updated", "2024-13-01T00:00:00Z"),
    ],
)
def test_an_entry_with_an_impossible_date_is_named_not_a_crash(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock, field: str, value: str
) -> None:
    dates = {"published": "2024-10-07T17:59:59Z", "updated": None, field: value}
    fake_arxiv.add_entry("2401.00001v1", "Bad dates", **dates)  # type: ignore[arg-type]
    with pytest.raises(RemoteError) as caught:
        make_client().fetch_ids(["2401.00001"])
    message = caught.value.message
    assert f"<{field}> {value!r} is no date" in message and "2401.00001v1" in message
    assert "not retried" in message and len(fake_arxiv.requests) == 1


def test_impossible_dates_through_kbtool_new_are_one_line(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    fake_arxiv.add_entry("2401.00001v1", "Bad dates", published="2024-02-30T00:00:00Z")
    result = run_kbtool("new", "2401.00001")
    assert result.exit_code == 6, result.output
    assert result.stderr.count("\n") == 1 and "is no date" in result.stderr
    assert list((kb.root / "notes").glob("*.md")) == []


def test_waiting_on_a_busy_server_is_said(
    fake_arxiv: FakeArxiv,
    make_client: MakeClient,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_arxiv.script(Reply(503, headers={"Retry-After": "20"}), Reply(429))
    with caplog.at_level(logging.WARNING, logger="kbtool"):
        assert list(make_client().fetch_ids([ID]).records) == [ID]
    said = [r.getMessage() for r in caplog.records]
    assert said[0] == "arXiv asked us to wait 20 s (HTTP 503), retry 1 of 4"
    assert said[1].startswith("no answer from arXiv (HTTP 429); waiting ")
    assert said[1].endswith(" s, retry 2 of 4")


def test_an_absurd_retry_after_is_a_number_of_seconds_not_inf(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(Reply(503, headers={"Retry-After": "9" * 400}))
    with pytest.raises(RemoteError) as caught:
        make_client().fetch_ids([ID])
    assert "wait 86400 s" in caught.value.message and "inf" not in caught.value.message


def test_a_name_that_does_not_resolve_is_retried_once(clock: ManualClock) -> None:
    settings = ArxivSettings(url="http://no-such-host.invalid/api/query", timeout=5)
    client = ArxivClient(settings, clock, random.Random(1))
    started = time.perf_counter()
    with pytest.raises(RemoteError) as caught:
        client.fetch_ids([ID])
    assert time.perf_counter() - started < 15
    assert "the name no-such-host.invalid does not resolve (2 tries)" in caught.value.message
    assert len(clock.sleeps) == 1


def test_offline_kbtool_new_says_so_within_seconds(kb: KnowledgeBaseFactory) -> None:
    env = {**os.environ, URL_ENV: "http://no-such-host.invalid/api/query"}
    started = time.perf_counter()
    done = run_process(kb.root, "new", "2309.17453", timeout=60, env=env)
    took = time.perf_counter() - started
    assert done.returncode == 6, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(
        "kbtool: warning: cannot reach arXiv (the name no-such-host.invalid does not resolve); "
        "waiting "
    )
    assert lines[0].endswith(" s, retry 1 of 1")
    assert lines[-1] == (
        "kbtool: error: cannot reach arXiv for 2309.17453: the name no-such-host.invalid does not "
        "resolve (2 tries); offline? (http://no-such-host.invalid/api/query)"
    )
    assert took < 20, took  # was 64 s: four retries with growing backoff


def test_a_malformed_url_as_an_id_is_a_usage_error(run_kbtool: RunKbtool) -> None:
    result = run_kbtool("new", "http://[::1")
    assert result.exit_code == 4
    assert result.stderr == "kbtool: error: not an arXiv id: 'http://[::1' " + (
        "(expected e.g. 2410.05677, 2410.05677v2, hep-th/9901001 or an arxiv.org URL)\n"
    )


def test_a_feed_with_an_empty_page_and_an_impossible_total_is_not_believed(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(Reply(200, feed_xml([], total=10**30)))
    assert list(make_client().fetch_ids([ID]).records) == [ID]
