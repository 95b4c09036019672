"""The polite client against a real local server: batches, matching, pacing, backoff, errors."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from kbtool.arxiv.client import BACKOFF, MIN_INTERVAL, ArxivClient
from kbtool.arxiv.feed import error_subject, inspect_feed
from kbtool.arxiv.settings import URL_ENV, ArxivSettings, load_arxiv_settings, user_agent
from kbtool.config import Layout, load_settings
from kbtool.errors import ArxivQueryError, ConfigError, InputError, RemoteError
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import (
    DATA_DIR,
    FakeArxiv,
    MakeClient,
    Reply,
    entry_xml,
    error_feed,
    feed_xml,
)
from tests.support.kb import SETTINGS_TEMPLATE, KnowledgeBaseFactory


def recorded_body(name_prefix: str) -> bytes:
    path = next(DATA_DIR.glob(f"{name_prefix}_s0_*.json"))
    body: str = json.loads(path.read_text(encoding="utf-8"))["body"]
    return body.encode("latin-1")


# --- batches and matching -----------------------------------------------------------------------


def test_one_request_for_a_batch_matched_by_id_with_unknown_ids_reported(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    client = make_client()
    batch = client.fetch_ids(["1605.08386", "0808.05394", "2104.12255", "quant-ph/0201082"])
    assert len(fake_arxiv.requests) == 1
    sent = fake_arxiv.requests[0].query
    assert sent["id_list"] == "1605.08386,0808.05394,2104.12255,quant-ph/0201082"
    assert sent["max_results"] == "100"
    assert set(batch.records) == {"1605.08386", "2104.12255", "quant-ph/0201082"}
    assert batch.unknown == ("0808.05394",)
    heat = batch.records["1605.08386"]
    assert heat.title == "Heat-bath random walks with Markov bases"
    assert heat.authors == ("Caprice Stanley", "Tobias Windisch")
    assert heat.categories == ("math.CO", "math.ST")
    assert str(heat.arxiv_id) == "1605.08386v1"
    assert batch.records["2104.12255"].title == "0"
    old = batch.records["quant-ph/0201082"]
    assert old.primary_category == "quant-ph" and old.abstract.startswith("We show")


def test_the_recorded_two_id_response_where_one_id_is_unknown(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    batch = make_client().fetch_ids(["0808.05394", "1707.08567"])
    assert "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json" in fake_arxiv.recordings_used
    assert list(batch.records) == ["1707.08567"]
    assert batch.unknown == ("0808.05394",)
    record = batch.records["1707.08567"]
    assert (
        record.comment == "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck"
    )
    assert "Dirk Wübben" in record.authors and len(record.authors) == 34


def test_entries_are_matched_by_id_never_by_position(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    # arXiv answers in its own order, and may send an entry nobody asked for.
    feed = feed_xml(
        [
            entry_xml("2401.00003v1", "Not requested"),
            entry_xml("2401.00002v3", "Second"),
            entry_xml("2401.00001v1", "First"),
        ]
    )
    fake_arxiv.script(Reply(200, feed))
    batch = make_client().fetch_ids(["2401.00001", "2401.00002", "2401.00004"])
    assert batch.records["2401.00001"].title == "First"
    assert batch.records["2401.00002"].title == "Second"
    assert batch.records["2401.00002"].version == 3
    assert "2401.00003" not in batch.records
    assert batch.unknown == ("2401.00004",)


def test_old_style_ids_with_and_without_version(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    batch = make_client().fetch_ids(["astro-ph/0601001"])
    record = batch.records["astro-ph/0601001"]
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.title.startswith("Frequency of Hot Jupiters")
    assert fake_arxiv.requests[0].query["id_list"] == "astro-ph/0601001"


def test_strings_are_kept_as_data(fake_arxiv: FakeArxiv, make_client: MakeClient) -> None:
    title = "<script>alert('x')</script> & \"Quotes\": a  test\n of  titles"
    fake_arxiv.add_entry("2410.05677v2", title, summary="a &amp; b <b>bold</b>")
    record = make_client().fetch_ids(["2410.05677"]).records["2410.05677"]
    assert record.title == "<script>alert('x')</script> & \"Quotes\": a test of titles"
    assert record.abstract == "a &amp; b <b>bold</b>"


def test_a_batch_must_hold_base_ids_within_the_batch_size(make_client: MakeClient) -> None:
    client = make_client(batch_size=2)
    with pytest.raises(ValueError, match="1 to 2"):
        client.fetch_ids(["2401.00001", "2401.00002", "2401.00003"])
    with pytest.raises(ValueError, match="base arXiv id"):
        client.fetch_ids(["2401.00001v2"])
    with pytest.raises(ValueError, match="base arXiv id"):
        client.fetch_ids(["../x"])


# --- politeness ---------------------------------------------------------------------------------


def test_every_request_goes_through_our_transport_identified(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    client = make_client(contact="researcher@example.org")
    client.fetch_ids(["1605.08386"])
    client.search_page("testing", 0, 10)
    assert client.stats.requests == len(fake_arxiv.requests) == 2
    for request in fake_arxiv.requests:
        agent = request.headers["User-Agent"]
        assert agent.startswith("kbtool/") and "mailto:researcher@example.org" in agent


def test_requests_are_three_seconds_apart_on_the_injected_clock(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    client = make_client()
    client.fetch_ids(["1605.08386"])
    assert clock.sleeps == []  # the first request waits for nobody
    client.fetch_ids(["2104.12255"])
    clock.advance(1.0)
    client.fetch_ids(["1707.08567"])
    clock.advance(10.0)
    client.fetch_ids(["astro-ph/0601001"])
    assert clock.sleeps == [MIN_INTERVAL, MIN_INTERVAL - 1.0]
    assert client.stats.paced_seconds == pytest.approx(5.0)
    assert len(fake_arxiv.requests) == 4


def test_pacing_holds_across_processes_through_the_stamp(
    fake_arxiv: FakeArxiv, clock: ManualClock, tmp_path: Path
) -> None:
    stamp = tmp_path / "last-request"
    settings = ArxivSettings(url=fake_arxiv.url)
    ArxivClient(settings, clock, stamp=stamp).fetch_ids(["1605.08386"])
    clock.advance(0.5)
    # A new client (another kbtool run) sees the stamp and waits out the rest.
    second = ArxivClient(settings, clock, stamp=stamp)
    second.fetch_ids(["2104.12255"])
    assert clock.sleeps == [pytest.approx(2.5, abs=0.01)]
    # A stamp from the future (a clock that jumped) costs at most one interval.
    stamp.write_text(f"{clock.now().timestamp() + 3600}\n")
    ArxivClient(settings, clock, stamp=stamp).fetch_ids(["1707.08567"])
    assert clock.sleeps[-1] == pytest.approx(MIN_INTERVAL)


def test_429_with_retry_after_then_200(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(Reply(429, b"slow down", {"Retry-After": "17"}))
    client = make_client()
    batch = client.fetch_ids(["1605.08386"])
    assert list(batch.records) == ["1605.08386"]
    assert clock.sleeps == [17.0]  # the server's wait beats the jittered 3–6 s
    assert client.stats.retries == 1 and client.stats.requests == 2
    assert client.stats.paced_seconds == 0  # the backoff already spaced the requests


def test_retry_after_as_an_http_date(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    when = format_datetime(clock.now() + timedelta(seconds=42), usegmt=True)
    fake_arxiv.script(Reply(503, b"", {"Retry-After": when}))
    make_client().fetch_ids(["1605.08386"])
    assert clock.sleeps == [pytest.approx(42.0)]


def test_503_then_200_backs_off_with_jitter(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(Reply(503), Reply(502), Reply(500))
    batch = make_client().fetch_ids(["1605.08386"])
    assert list(batch.records) == ["1605.08386"]
    assert len(clock.sleeps) == 3
    for retry, wait in enumerate(clock.sleeps):
        ceiling = BACKOFF.base * 2**retry
        assert ceiling / 2 <= wait <= ceiling


def test_a_response_that_never_arrives_times_out_and_is_retried(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(Reply(hang=True))
    client = make_client(timeout=0.3)
    batch = client.fetch_ids(["1605.08386"])
    assert list(batch.records) == ["1605.08386"]
    assert client.stats.retries == 1 and len(fake_arxiv.requests) == 2


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b""),
        Reply(200, b"  \n"),
        Reply(200, b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"),
        Reply(200, b"<html><body>Service temporarily unavailable</body></html>"),
        Reply(200, feed_xml([], total=1)),
    ],
    ids=["empty-body", "blank-body", "malformed-xml", "not-a-feed", "empty-feed-with-total"],
)
def test_empty_and_malformed_feeds_are_retried(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock, reply: Reply
) -> None:
    fake_arxiv.script(reply)
    client = make_client()
    batch = client.fetch_ids(["1605.08386"])
    assert list(batch.records) == ["1605.08386"]
    assert client.stats.retries == 1 and len(clock.sleeps) == 1


def test_an_empty_feed_that_says_zero_results_means_unknown_ids(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    batch = make_client().fetch_ids(["0808.05394"])
    assert batch.records == {} and batch.unknown == ("0808.05394",)
    assert len(fake_arxiv.requests) == 1 and clock.sleeps == []


def test_giving_up_after_the_retries_raises_remote_error(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(*[Reply(503) for _ in range(10)])
    client = make_client(retries=3)
    with pytest.raises(RemoteError) as caught:
        client.fetch_ids(["1605.08386"])
    assert caught.value.exit_code == 6
    assert caught.value.status == 503 and caught.value.retries == 3
    assert "HTTP 503 after 4 tries" in caught.value.message
    assert "\n" not in caught.value.message
    assert len(fake_arxiv.requests) == 4 and len(clock.sleeps) == 3
    assert clock.sleeps == sorted(clock.sleeps)  # exponential: each wait longer


def test_a_retry_after_beyond_reason_fails_at_once(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.script(Reply(429, b"", {"Retry-After": "86400"}))
    with pytest.raises(RemoteError, match="wait 86400 s"):
        make_client().fetch_ids(["1605.08386"])
    assert clock.sleeps == [] and len(fake_arxiv.requests) == 1


def test_malformed_xml_every_time_is_a_remote_error(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    fake_arxiv.script(*[Reply(200, b"<feed><entry>") for _ in range(3)])
    with pytest.raises(RemoteError, match="malformed XML"):
        make_client(retries=2).fetch_ids(["1605.08386"])


def test_the_400_error_feed_names_the_id(fake_arxiv: FakeArxiv, make_client: MakeClient) -> None:
    # The real recorded answer to id_list=abc, served for a query our parser lets through.
    fake_arxiv.script(Reply(400, recorded_body("id_abc")))
    with pytest.raises(ArxivQueryError) as caught:
        make_client().fetch_ids(["1605.08386"])
    error = caught.value
    assert error.exit_code == 4 and error.status == 400 and error.value == "abc"
    assert error.message == "arXiv rejected 'abc': incorrect id format for abc (HTTP 400)"
    assert len(fake_arxiv.requests) == 1  # a rejected query is not retried


def test_other_client_errors_are_not_retried(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    fake_arxiv.script(Reply(404, b"not here"))
    with pytest.raises(RemoteError) as caught:
        make_client().fetch_ids(["1605.08386"])
    assert caught.value.status == 404 and "HTTP 404" in caught.value.message
    assert len(fake_arxiv.requests) == 1


def test_network_down_after_retries(clock: ManualClock) -> None:
    settings = ArxivSettings(url="http://127.0.0.1:9/api/query", retries=2, timeout=1)
    with pytest.raises(RemoteError) as caught:
        ArxivClient(settings, clock, random.Random(1)).fetch_ids(["1605.08386"])
    assert "cannot connect (Connection refused) after 3 tries" in caught.value.message
    assert len(clock.sleeps) == 2


# --- search pages (for kbtool watch) ------------------------------------------------------------


def test_the_recorded_search_page(fake_arxiv: FakeArxiv, make_client: MakeClient) -> None:
    page = make_client().search_page("testing", start=0, page_size=10)
    assert len(page.records) == 10 and page.total_results == 214881
    assert page.records[0].doi == "10.1109/ICSTW55395.2022.00035"
    query = fake_arxiv.requests[0].query
    assert query["search_query"] == "testing" and query["max_results"] == "10"
    assert query["sortBy"] == "submittedDate" and query["sortOrder"] == "descending"


def test_paged_search_one_request_per_page_paced(
    fake_arxiv: FakeArxiv, make_client: MakeClient, clock: ManualClock
) -> None:
    fake_arxiv.pages["cat:cs.CV"] = [entry_xml(f"2604.{n:05d}v1", f"Paper {n}") for n in range(5)]
    client = make_client()
    titles: list[str] = []
    start = 0
    while True:
        page = client.search_page("cat:cs.CV", start=start, page_size=2)
        titles += [r.title for r in page.records]
        start += len(page.records)
        if not page.records or start >= page.total_results:
            break
    assert titles == [f"Paper {n}" for n in range(5)]
    assert [r.query["start"] for r in fake_arxiv.requests] == ["0", "2", "4"]
    assert clock.sleeps == [MIN_INTERVAL, MIN_INTERVAL]


def test_an_empty_search_page_within_the_total_is_retried(
    fake_arxiv: FakeArxiv, make_client: MakeClient
) -> None:
    fake_arxiv.pages["cat:cs.CV"] = [entry_xml(f"2604.{n:05d}v1", f"Paper {n}") for n in range(4)]
    fake_arxiv.script(Reply(200, feed_xml([], total=4, start=2)))
    page = make_client().search_page("cat:cs.CV", start=2, page_size=2)
    assert [r.title for r in page.records] == ["Paper 2", "Paper 3"]


# --- pure parts ---------------------------------------------------------------------------------


def test_inspect_feed_on_recorded_bodies() -> None:
    assert inspect_feed(recorded_body("id_0808.05394")).total_results == 0
    check = inspect_feed(recorded_body("id_abc"))
    assert check.api_error == "incorrect id format for abc" and check.problem is None
    assert inspect_feed(recorded_body("q_testing")).entries == 10
    assert inspect_feed(b"<feed").problem is not None
    assert inspect_feed(error_feed("x")).api_error == "incorrect id format for x"
    assert error_subject("incorrect id format for 1234.5678v") == "1234.5678v"


def test_user_agent_names_the_tool_and_the_contact() -> None:
    assert "mailto:me@example.org" in user_agent("me@example.org")
    assert "https://example.org/me" in user_agent("https://example.org/me")
    assert "set arxiv.contact" in user_agent(None)


def test_settings_from_kbtool_yml_and_the_environment(kb: KnowledgeBaseFactory) -> None:
    kb.write("kbtool.yml", "arxiv:\n  contact: me@example.org\n  batch_size: 50\n")
    settings = load_arxiv_settings(load_settings(Layout(kb.root)), {URL_ENV: "http://h:1/q"})
    assert settings == ArxivSettings(url="http://h:1/q", contact="me@example.org", batch_size=50)
    assert load_arxiv_settings(load_settings(Layout(kb.root)), {}).url.startswith("https://export")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("arxiv:\n  batch_size: 0\n", 2, "arxiv.batch_size: must be from 1 to 2000, not 0"),
        ("arxiv:\n  contact: me@x.org\n  batch_size: many\n", 3, "not 'many'"),
        ("arxiv:\n  timeout: -1\n", 2, "arxiv.timeout: must be longer than zero"),
        ("arxiv:\n  timeout: 11m\n", 2, "arxiv.timeout: must be at most 10m"),
        ("arxiv:\n  cache_max_age: soon\n", 2, "arxiv.cache_max_age: must be a duration"),
        ('arxiv:\n  contact: "a\\r\\nX-Evil: 1"\n', 2, "arxiv.contact: must be"),
        ("arxiv:\n  batchsize: 10\n", 2, "arxiv.batchsize: unknown setting (known: contact,"),
        ("arxiv: [1]\n", 1, "section 'arxiv' must be a mapping"),
    ],
)
def test_bad_settings_name_file_and_line(
    kb: KnowledgeBaseFactory, text: str, line: int, fragment: str
) -> None:
    kb.write("kbtool.yml", text)
    with pytest.raises(ConfigError) as caught:
        load_arxiv_settings(load_settings(Layout(kb.root)), {})
    assert fragment in caught.value.message
    assert caught.value.line == line and caught.value.exit_code == 4


def test_a_bad_endpoint_url_is_an_input_error(kb: KnowledgeBaseFactory) -> None:
    with pytest.raises(InputError, match="KBTOOL_ARXIV_URL"):
        load_arxiv_settings(load_settings(Layout(kb.root)), {URL_ENV: "file:///etc/passwd"})


def test_the_documented_settings_are_the_defaults(kb: KnowledgeBaseFactory) -> None:
    template = (SETTINGS_TEMPLATE).read_text()
    all_lines = template.splitlines()
    start = next(i for i, line in enumerate(all_lines) if line.startswith("# arxiv:"))
    lines = [all_lines[start][2:]]
    for line in all_lines[start + 1 :]:  # the arxiv section only: other sections follow
        if not line.startswith("#   "):
            break
        lines.append(line[2:])
    kb.write("kbtool.yml", "\n".join(lines) + "\n")
    settings = load_arxiv_settings(load_settings(Layout(kb.root)), {})
    assert settings == ArxivSettings(contact="you@example.org")
