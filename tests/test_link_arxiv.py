"""arXiv links: recognised, then judged through the polite arXiv lookup in batches, against
a real local server replaying recorded arXiv API responses (tests/data/arxiv/)."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import replace

import pytest

from kbtool.arxiv.lookup import ArxivLookup
from kbtool.arxiv.settings import URL_ENV
from kbtool.config import Layout, load_settings
from kbtool.core.arxiv_id import ArxivId, parse_arxiv_id
from kbtool.links.arxiv import ArxivAnswers, arxiv_link, classify_arxiv_ids, judge_arxiv_id
from kbtool.links.cache import LinkCache
from kbtool.links.http import LinkChecker
from kbtool.links.job import decide_links, plan_links
from kbtool.links.settings import LinkSettings
from kbtool.links.status import Failure, LinkStatus
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, Reply
from tests.support.kb import KnowledgeBaseFactory, RunKbtool, note_text


@pytest.fixture
def lookup(kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, clock: ManualClock) -> ArxivLookup:
    layout = Layout(kb.root)
    return ArxivLookup.open(
        layout,
        load_settings(layout),
        clock=clock,
        environ={URL_ENV: fake_arxiv.url},
        rng=random.Random(3),
    )


@pytest.mark.parametrize(
    ("url", "arxiv_id"),
    [
        ("https://arxiv.org/abs/2410.05677", "2410.05677"),
        ("https://arxiv.org/pdf/2410.05677v2", "2410.05677v2"),
        ("https://arxiv.org/pdf/2311.15127.pdf", "2311.15127"),
        ("https://www.arxiv.org/html/2410.05677v1", "2410.05677v1"),
        ("http://export.arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
    ],
)
def test_arxiv_paper_links_are_recognised(url: str, arxiv_id: str) -> None:
    found = arxiv_link(url)
    assert found is not None and found.arxiv_id == parse_arxiv_id(arxiv_id)


def test_other_arxiv_pages_and_other_hosts() -> None:
    listing = arxiv_link("https://arxiv.org/list/cs.CV/recent")
    assert listing is not None and listing.problem is not None
    assert listing.problem.status is LinkStatus.UNVERIFIED
    malformed = arxiv_link("https://arxiv.org/abs/2410.5677")
    assert malformed is not None and malformed.problem is not None
    assert malformed.problem.status is LinkStatus.BROKEN
    assert arxiv_link("https://arxiv.tachicoma.top/abs/2410.05677") is None
    assert arxiv_link("https://github.com/arxiv/arxiv-docs") is None


def test_judgement_is_a_pure_function_of_the_answers() -> None:
    answers = ArxivAnswers(
        {"2410.05677": 2},
        frozenset({"0808.05394"}),
        {"2401.56789": "incorrect id format"},
        {"2501.00001": "HTTP 503 after 5 tries"},
    )

    def judge(text: str) -> tuple[LinkStatus, str]:
        result = judge_arxiv_id(parse_arxiv_id(text), answers, "u")
        return result.status, result.reason

    assert judge("2410.05677") == (LinkStatus.OK, "arXiv 2410.05677 exists (latest v2)")
    assert judge("2410.05677v1")[0] is LinkStatus.OK  # older versions stay online
    assert judge("2410.05677v3") == (
        LinkStatus.BROKEN,
        "arXiv 2410.05677 has no v3 (latest v2)",
    )
    assert judge("0808.05394") == (LinkStatus.BROKEN, "arXiv has no paper 0808.05394")
    assert judge("2401.56789")[0] is LinkStatus.BROKEN
    assert judge("2501.00001") == (
        LinkStatus.UNVERIFIED,
        "arXiv API failed: HTTP 503 after 5 tries",
    )


def test_one_batched_request_for_all_ids(lookup: ArxivLookup, fake_arxiv: FakeArxiv) -> None:
    ids = [
        parse_arxiv_id(text)
        for text in (
            "1605.08386",
            "1707.08567v1",
            "1707.08567v9",
            "2104.12255v1",
            "0808.05394",
            "astro-ph/0601001",
            "quant-ph/0201082v1",
        )
    ]
    verdicts = classify_arxiv_ids(ids, lookup)
    status = {str(i): v.status for i, v in verdicts.items()}
    assert status == {
        "1605.08386": LinkStatus.OK,
        "1707.08567v1": LinkStatus.OK,
        "1707.08567v9": LinkStatus.BROKEN,
        "2104.12255v1": LinkStatus.OK,
        "0808.05394": LinkStatus.BROKEN,
        "astro-ph/0601001": LinkStatus.OK,
        "quant-ph/0201082v1": LinkStatus.OK,
    }
    assert len(fake_arxiv.requests) == 1
    assert sorted(fake_arxiv.id_requests()[0]) == sorted(
        {"1605.08386", "1707.08567", "2104.12255", "0808.05394", "astro-ph/0601001"}
        | {"quant-ph/0201082"}
    )
    assert fake_arxiv.requests[0].headers["User-Agent"].startswith("kbtool/")


def test_the_recorded_two_id_response(lookup: ArxivLookup, fake_arxiv: FakeArxiv) -> None:
    ids = [parse_arxiv_id("0808.05394"), parse_arxiv_id("1707.08567")]
    verdicts = classify_arxiv_ids(ids, lookup)
    assert fake_arxiv.recordings_used == {"id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json"}
    assert verdicts[ids[0]].reason == "arXiv has no paper 0808.05394"
    assert verdicts[ids[1]].status is LinkStatus.OK


def test_a_failing_api_leaves_links_unverified_after_polite_retries(
    lookup: ArxivLookup, fake_arxiv: FakeArxiv, clock: ManualClock
) -> None:
    fake_arxiv.script(*[Reply(503) for _ in range(10)])
    arxiv_id = parse_arxiv_id("1605.08386")
    verdict = classify_arxiv_ids([arxiv_id], lookup)[arxiv_id]
    assert verdict.status is LinkStatus.UNVERIFIED
    assert verdict.reason.startswith("arXiv API failed: arXiv did not answer")
    assert len(fake_arxiv.requests) == lookup.client.settings.retries + 1
    assert clock.slept > 0  # backoff, waited on the injected clock


def test_second_lookup_comes_from_the_metadata_cache(
    lookup: ArxivLookup, fake_arxiv: FakeArxiv
) -> None:
    ids: list[ArxivId] = [parse_arxiv_id("1605.08386"), parse_arxiv_id("0808.05394")]
    classify_arxiv_ids(ids, lookup)
    again = classify_arxiv_ids(ids, lookup)
    assert len(fake_arxiv.requests) == 1
    assert [v.status for v in again.values()] == [LinkStatus.OK, LinkStatus.BROKEN]
    classify_arxiv_ids(ids, lookup, refresh=True)
    assert len(fake_arxiv.requests) == 2


def test_links_command_checks_arxiv_links_through_the_api(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    fake_arxiv: FakeArxiv,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(URL_ENV, fake_arxiv.url)
    kb.write_note(
        "1605.08386-paper.md",
        note_text(
            "[pdf](https://arxiv.org/pdf/1605.08386v1), [v3](https://arxiv.org/abs/1605.08386v3)\n"
            "[gone](https://arxiv.org/abs/0808.05394) and https://arxiv.org/list/cs.CV/recent\n",
            title="Paper",
            topics="[rlhf]",
            abs_url="https://arxiv.org/abs/1605.08386",
        ),
    )
    result = run_kbtool("links", "--format", "json")
    data = json.loads(result.stdout)
    status = {link["url"]: link["status"] for link in data["links"]}
    assert status == {
        "https://arxiv.org/abs/1605.08386": "ok",
        "https://arxiv.org/pdf/1605.08386v1": "ok",
        "https://arxiv.org/abs/1605.08386v3": "broken",
        "https://arxiv.org/abs/0808.05394": "broken",
        "https://arxiv.org/list/cs.CV/recent": "unverified",
    }
    assert result.exit_code == 1
    assert data["summary"]["requests"] == 0  # arxiv.org itself is never requested
    assert data["summary"]["arxiv_requests"] == 1
    assert fake_arxiv.id_requests() == [["1605.08386", "0808.05394"]]
    # A warm rerun asks arXiv nothing: its metadata cache answers.
    rerun = json.loads(run_kbtool("links", "--format", "json").stdout)
    assert rerun["summary"]["arxiv_requests"] == 0
    assert len(fake_arxiv.requests) == 1


def test_arxiv_lookup_is_bounded_by_the_run_time_limit(
    lookup: ArxivLookup, fake_arxiv: FakeArxiv
) -> None:
    fake_arxiv.script(*[Reply(hang=True) for _ in range(10)])
    settings = replace(LinkSettings(), run_timeout=1.0)
    plan = plan_links(["https://arxiv.org/abs/1605.08386"], settings)
    start = time.monotonic()
    results, _ = asyncio.run(
        decide_links(
            plan, settings, LinkCache(), arxiv=lookup, checker=LinkChecker(settings), now=0.0
        )
    )
    assert time.monotonic() - start < 2.0
    verdict = results["https://arxiv.org/abs/1605.08386"]
    assert verdict.status is LinkStatus.UNVERIFIED
    assert verdict.reason == Failure.NOT_CHECKED.value


def test_plan_sorts_links_by_how_they_are_decided() -> None:
    plan = plan_links(
        [
            "https://arxiv.org/pdf/2410.05677",
            "https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png",
            "https://arxiv.org/list/cs.CV/recent",
            "https://github.com/a/b",
            "https://github.com/a/b",
        ],
        LinkSettings(),
    )
    assert plan.arxiv == {"https://arxiv.org/pdf/2410.05677": parse_arxiv_id("2410.05677")}
    assert plan.http == ["https://github.com/a/b"]
    assert {url: r.status for url, r in plan.decided.items()} == {
        "https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png": LinkStatus.EXPIRED,
        "https://arxiv.org/list/cs.CV/recent": LinkStatus.UNVERIFIED,
    }
