"""The Semantic Scholar client against a real local stand-in: batches, unknown ids, paging,
backoff on 429/5xx (with and without Retry-After), the deadline, failing fast, the API key."""

from __future__ import annotations

import json
import random
import socket

import pytest

from kbtool.citations.client import (
    BACKOFF,
    INTERVAL_ANONYMOUS,
    INTERVAL_WITH_KEY,
    SemanticScholarClient,
)
from kbtool.citations.settings import CitationSettings
from kbtool.errors import RemoteError
from kbtool.util.clock import ManualClock
from tests.support.s2_server import (
    DATA_DIR,
    FakeSemanticScholar,
    Reply,
    paper_json,
    reference_json,
)

LORA = "arXiv:2106.09685"
QLORA = "arXiv:2305.14314"
UNKNOWN = "arXiv:2406.99999"


def client_for(
    server: FakeSemanticScholar, clock: ManualClock, **settings: object
) -> SemanticScholarClient:
    values: dict[str, object] = {"url": server.url, "timeout": 2.0}
    values.update(settings)
    return SemanticScholarClient(
        CitationSettings(**values),  # type: ignore[arg-type]
        clock,
        random.Random(7),
    )


def test_a_batch_asks_once_for_every_id_and_keeps_their_order(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    with client_for(fake_s2, clock) as client:
        papers = client.fetch_batch([QLORA, UNKNOWN, LORA])
    assert fake_s2.batch_requests() == [
        ["ARXIV:2305.14314", "ARXIV:2406.99999", "ARXIV:2106.09685"]
    ]
    qlora, unknown, lora = papers
    assert unknown is None  # S2's null: reported by the caller, not an error
    assert qlora is not None and qlora.title == "QLoRA: Efficient Finetuning of Quantized LLMs"
    assert lora is not None and lora.keys == (LORA,)  # arXiv's own DOI is the arXiv id
    assert lora.citation_count == 11000
    # Every reference S2 could identify, by key; the one without any id is left out.
    assert [w.key for w in lora.references] == [
        "arXiv:1706.03762",
        "arXiv:2005.14165",
        "DOI:10.1162/neco.1997.9.8.1735",
    ]
    assert lora.reference_items == 4 and not lora.references_cut_short
    request = fake_s2.requests[0]
    assert request.method == "POST" and request.path == "/graph/v1/paper/batch"
    fields = request.query["fields"].split(",")
    assert {"externalIds", "citationCount", "references.externalIds"} <= set(fields)
    assert not any(f.startswith("citations") for f in fields)  # capped at 9999 per batch


RECORDED_KEYS = [
    "CorpusId:211530585",
    "CorpusId:470667",
    "DOI:10.2139/ssrn.2250500",
    "S2:0f40b1f08821e22e859c6050916cec3667778613",
]


def test_the_recorded_batch_with_an_unknown_id(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    with client_for(fake_s2, clock) as client:
        papers = client.fetch_batch(RECORDED_KEYS)
    assert papers[0] is None
    assert [p.title for p in papers[1:] if p] == [
        "How Much Should We Trust Differences-in-Differences Estimates?",
        "The Miracle of Microfinance? Evidence from a Randomized Evaluation",
        "Improving Third-Party Audits and Regulatory Compliance in India",
    ]
    assert fake_s2.batch_requests() == [
        [
            "CorpusId:211530585",
            "CorpusId:470667",
            "DOI:10.2139/ssrn.2250500",
            "0f40b1f08821e22e859c6050916cec3667778613",
        ]
    ]


def test_references_are_paged_when_the_batch_lists_fewer_than_it_counts(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    # The recorded paper (67 references, 23 without any id) came without its list:
    # the two recorded pages of /references fill it in.
    with client_for(fake_s2, clock) as client:
        paper = client.fetch_batch(RECORDED_KEYS)[2]
        assert paper is not None and paper.reference_count == 67
        assert paper.references_cut_short
        works = client.fetch_references(paper.paper_id)
        assert client.stats.pages == 2
    offsets = [r.query["offset"] for r in fake_s2.requests if r.path.endswith("/references")]
    assert offsets == ["0", "50"]
    assert len(works) == 67 - 23
    assert works[0].key == "S2:e945ca4fdcf45b1a118f1462db7afa12629a131f"
    assert works[0].title.startswith("Group lending or individual lending?")
    assert not paper.with_references(works).references_cut_short


def test_paging_follows_next_until_the_last_page(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    refs = [reference_json(f"2301.{n:05d}", f"Reference {n}", 2023) for n in range(2500)]
    paper = paper_json("2401.00001", "A survey", refs[:10], reference_count=2500)
    fake_s2.add_paper(paper)
    fake_s2.references[paper["paperId"]] = refs
    with client_for(fake_s2, clock) as client:
        works = client.fetch_references(paper["paperId"])
    pages = [r.query for r in fake_s2.requests]
    assert [(q["offset"], q["limit"]) for q in pages] == [
        ("0", "1000"),
        ("1000", "1000"),
        ("2000", "1000"),
    ]
    assert len(works) == 2500 and works[-1].key == "arXiv:2301.02499"


def test_an_unknown_paper_has_no_references_to_page(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    with client_for(fake_s2, clock) as client:
        assert client.fetch_references("0" * 40) == ()  # 404: nothing, not an error


@pytest.mark.parametrize(
    ("reply", "floor"),
    [
        (Reply(429, b'{"message": "Too Many Requests"}', {"Retry-After": "20"}), 20.0),
        (Reply(429, b'{"message": "Too Many Requests"}'), None),  # no Retry-After: backoff
        (Reply(503, b""), None),
        (Reply(504, b"", {"Retry-After": "Mon, 13 Apr 2026 09:00:45 GMT"}), 45.0),
        (Reply(200, b"[{"), None),  # a malformed answer is worth another try
    ],
)
def test_a_transient_failure_then_success(
    fake_s2: FakeSemanticScholar, clock: ManualClock, reply: Reply, floor: float | None
) -> None:
    fake_s2.script(reply)
    with client_for(fake_s2, clock) as client:
        (paper,) = client.fetch_batch([LORA])
        assert paper is not None and paper.keys == (LORA,)
        assert client.stats.requests == 2 and client.stats.retries == 1
    backoff = clock.sleeps[0]
    if floor is not None:
        assert backoff == pytest.approx(floor)  # the server's Retry-After, honoured
    else:
        assert BACKOFF.base / 2 <= backoff <= BACKOFF.base  # the first backoff, jittered
    # The second request also kept the pacing rule after the wait.
    assert fake_s2.requests[1].at is not None
    assert fake_s2.requests[1].at - fake_s2.requests[0].at >= INTERVAL_ANONYMOUS


def test_backoff_doubles_and_gives_up_after_the_retries(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    fake_s2.script(*[Reply(429, b'{"message": "Too Many Requests"}')] * 4)
    with client_for(fake_s2, clock, retries=3) as client, pytest.raises(RemoteError) as caught:
        client.fetch_batch([LORA])
    assert "HTTP 429 after 4 tries" in str(caught.value)
    assert caught.value.status == 429 and caught.value.retries == 3
    waits = [s for s in clock.sleeps if s > INTERVAL_ANONYMOUS] or clock.sleeps
    assert len(fake_s2.requests) == 4
    assert waits == sorted(waits)  # longer each time


def test_a_retry_after_too_long_gives_up_at_once(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    fake_s2.script(Reply(429, b"{}", {"Retry-After": "3600"}))
    with client_for(fake_s2, clock) as client, pytest.raises(RemoteError) as caught:
        client.fetch_batch([LORA])
    assert "asked us to wait 3600 s" in str(caught.value)
    assert len(fake_s2.requests) == 1 and clock.slept == 0


def test_the_deadline_bounds_the_whole_run(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    fake_s2.script(*[Reply(503)] * 10)
    with client_for(fake_s2, clock, deadline=30.0) as client, pytest.raises(RemoteError) as caught:
        client.fetch_batch([LORA])
    assert "deadline (30 s, citations.deadline)" in str(caught.value)
    assert clock.monotonic() <= 30.0  # no wait went past it


def test_requests_are_paced_one_second_apart_with_a_key(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    with client_for(fake_s2, clock, api_key="k-123") as client:
        client.fetch_batch([LORA])
        client.fetch_batch([QLORA])
    first, second = fake_s2.requests
    assert first.headers["x-api-key"] == "k-123"
    assert second.at is not None and first.at is not None
    assert second.at - first.at == pytest.approx(INTERVAL_WITH_KEY)


def test_without_a_key_no_key_header_is_sent(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    with client_for(fake_s2, clock) as client:
        client.fetch_batch([LORA])
    headers = {k.lower() for k in fake_s2.requests[0].headers}
    assert "x-api-key" not in headers
    assert fake_s2.requests[0].headers["User-Agent"].startswith("kbtool/")


def test_a_refused_key_is_named_but_never_shown(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    fake_s2.script(Reply(403, b'{"message": "Forbidden"}'))
    secret = "s2-SECRET-abc123"
    settings = CitationSettings(url=fake_s2.url, api_key=secret)
    assert secret not in repr(settings)
    with SemanticScholarClient(settings, clock) as client, pytest.raises(RemoteError) as caught:
        client.fetch_batch([LORA])
    message = str(caught.value)
    assert "SEMANTIC_SCHOLAR_API_KEY" in message and "HTTP 403" in message
    assert secret not in message and secret not in repr(caught.value.__dict__)


def test_network_down_fails_fast_without_retries(clock: ManualClock) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = CitationSettings(url=f"http://127.0.0.1:{port}/graph/v1", retries=4)
    with SemanticScholarClient(settings, clock) as client, pytest.raises(RemoteError) as caught:
        client.fetch_batch([LORA])
    assert "cannot reach Semantic Scholar" in str(caught.value)
    assert "Connection refused" in str(caught.value)
    assert client.stats.requests == 1 and client.stats.retries == 0 and clock.slept == 0


def test_a_hanging_server_times_out_and_is_retried(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    fake_s2.script(Reply(hang=True))
    with client_for(fake_s2, clock, timeout=1.0) as client:
        (paper,) = client.fetch_batch([LORA])
    assert paper is not None and len(fake_s2.requests) == 2


def test_an_answer_too_large_is_asked_again_in_halves(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    fake_s2.too_large_over = 2
    keys = [LORA, QLORA, UNKNOWN, "arXiv:2402.09353", "arXiv:2309.12307"]
    with client_for(fake_s2, clock) as client:
        papers = client.fetch_batch(keys)
        assert client.stats.splits >= 1
    assert [p.keys[0] if p else None for p in papers] == [
        LORA,
        QLORA,
        None,
        "arXiv:2402.09353",
        "arXiv:2309.12307",
    ]
    # 5 refused, then 2 and 3; 3 refused, then 1 and 2.
    assert [len(ids) for ids in fake_s2.batch_requests()] == [5, 2, 3, 1, 2]


def test_a_rejected_request_is_one_clear_error(
    fake_s2: FakeSemanticScholar, clock: ManualClock
) -> None:
    # The recorded 400 for an unknown field.
    recorded = json.loads((DATA_DIR / "bad_fields.json").read_text(encoding="utf-8"))
    fake_s2.script(Reply(400, recorded["body"].encode("utf-8")))
    with client_for(fake_s2, clock) as client, pytest.raises(RemoteError) as caught:
        client.fetch_batch([LORA])
    assert "Unrecognized or unsupported fields: [unknown]" in str(caught.value)
    assert "HTTP 400" in str(caught.value) and len(fake_s2.requests) == 1


def test_batches_never_exceed_the_setting(fake_s2: FakeSemanticScholar, clock: ManualClock) -> None:
    with client_for(fake_s2, clock, batch_size=2) as client, pytest.raises(ValueError):
        client.fetch_batch([LORA, QLORA, UNKNOWN])
    assert fake_s2.requests == []
