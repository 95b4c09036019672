"""Link classification: a pure function of what the checker saw and the host rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kbtool.links.settings import LinkSettings
from kbtool.links.status import (
    Failure,
    FetchOutcome,
    Hop,
    LinkStatus,
    classify_outcome,
    expiring_reason,
    host_matches,
    permanent_target,
)

RULES = LinkSettings()
URL = "https://example.org/paper"


def final(status: int, url: str = URL, retries: int = 0) -> FetchOutcome:
    return FetchOutcome(url, (Hop(url, status),), retries=retries)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, LinkStatus.OK),
        (204, LinkStatus.OK),
        (404, LinkStatus.BROKEN),
        (410, LinkStatus.BROKEN),
        (400, LinkStatus.BROKEN),
        (401, LinkStatus.BROKEN),
        (403, LinkStatus.BROKEN),
        (451, LinkStatus.BROKEN),
        (500, LinkStatus.BROKEN),
        (503, LinkStatus.BROKEN),
        (429, LinkStatus.UNVERIFIED),
        (999, LinkStatus.BROKEN),
    ],
)
def test_final_status_on_an_ordinary_host(status: int, expected: LinkStatus) -> None:
    assert classify_outcome(final(status), RULES).status is expected


@pytest.mark.parametrize("status", [403, 401, 429, 500, 503, 999])
def test_hosts_that_block_bots_are_unverified_not_broken(status: int) -> None:
    for url in ("https://openreview.net/forum?id=x", "https://api.openreview.net/x"):
        result = classify_outcome(final(status, url), RULES)
        assert result.status is LinkStatus.UNVERIFIED, url
    # …but a 404 there is still a 404.
    assert classify_outcome(final(404, "https://x.com/a"), RULES).status is LinkStatus.BROKEN


def test_bot_blocking_applies_to_the_host_a_redirect_reached() -> None:
    outcome = FetchOutcome(
        "https://doi.org/10.1/x",
        (
            Hop("https://doi.org/10.1/x", 302, "https://dl.acm.org/doi/10.1/x"),
            Hop("https://dl.acm.org/doi/10.1/x", 403),
        ),
    )
    result = classify_outcome(outcome, RULES)
    assert result.status is LinkStatus.UNVERIFIED
    assert "dl.acm.org" in result.reason


def test_accepted_statuses_count_as_ok() -> None:
    rules = replace(RULES, accept=frozenset({999, 403}))
    assert classify_outcome(final(999), rules).status is LinkStatus.OK
    assert classify_outcome(final(403), rules).status is LinkStatus.OK
    assert classify_outcome(final(404), rules).status is LinkStatus.BROKEN


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (Failure.DNS, LinkStatus.BROKEN),
        (Failure.REFUSED, LinkStatus.BROKEN),
        (Failure.TLS, LinkStatus.BROKEN),
        (Failure.REDIRECT_LOOP, LinkStatus.BROKEN),
        (Failure.TOO_MANY_REDIRECTS, LinkStatus.BROKEN),
        (Failure.BAD_REDIRECT, LinkStatus.BROKEN),
        (Failure.TIMEOUT, LinkStatus.UNVERIFIED),
        (Failure.CONNECTION, LinkStatus.UNVERIFIED),
        (Failure.RETRY_AFTER_TOO_LONG, LinkStatus.UNVERIFIED),
        (Failure.NOT_CHECKED, LinkStatus.UNVERIFIED),
    ],
)
def test_failures(failure: Failure, expected: LinkStatus) -> None:
    result = classify_outcome(FetchOutcome(URL, failure=failure, retries=2), RULES)
    assert result.status is expected
    assert result.reason.startswith(failure.value)


def test_timeout_reason_says_how_often_it_was_tried() -> None:
    result = classify_outcome(FetchOutcome(URL, failure=Failure.TIMEOUT, retries=2), RULES)
    assert result.reason == "timed out after 2 retries"
    result = classify_outcome(final(500, retries=1), RULES)
    assert result.reason == "HTTP 500 server error after 1 retry"


def test_permanent_redirects_are_reported_with_their_target() -> None:
    outcome = FetchOutcome(
        "http://github.com/old/repo",
        (
            Hop("http://github.com/old/repo", 301, "https://github.com/old/repo"),
            Hop("https://github.com/old/repo", 301, "https://github.com/new/repo"),
            Hop("https://github.com/new/repo", 200),
        ),
    )
    result = classify_outcome(outcome, RULES)
    assert result.status is LinkStatus.REDIRECTED
    assert result.target == "https://github.com/new/repo"


def test_temporary_redirects_are_ok() -> None:
    outcome = FetchOutcome(
        "https://doi.org/10.1/x",
        (
            Hop("https://doi.org/10.1/x", 302, "https://pub.example/x"),
            Hop("https://pub.example/x", 200),
        ),
    )
    assert classify_outcome(outcome, RULES).status is LinkStatus.OK


def test_permanent_redirect_to_a_broken_page_is_broken() -> None:
    outcome = FetchOutcome(
        URL, (Hop(URL, 301, "https://example.org/gone"), Hop("https://example.org/gone", 404))
    )
    assert classify_outcome(outcome, RULES).status is LinkStatus.BROKEN


def test_only_leading_permanent_redirects_give_the_target() -> None:
    hops = [
        Hop("http://a/", 308, "https://a/"),
        Hop("https://a/", 302, "https://b/"),
        Hop("https://b/", 301, "https://c/"),
        Hop("https://c/", 200),
    ]
    assert permanent_target(hops) == "https://a/"
    assert permanent_target(hops[1:]) is None


# Real links from the notes app's export (the researcher's seed notes): no query survives.
EXPORTED_S3 = (
    "https://prod-files-secure.s3.us-west-2.amazonaws.com/81e645bc-1e8a-41e9-a2c2-29d1d1d98df5/"
    "dc652825-7ee1-449a-9d4d-4cc8abbf4cf1/image.png"
)
SIGNED_S3 = (
    "https://prod-files-secure.s3.us-west-2.amazonaws.com/81e6/dc65/image.png?"
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&"
    "X-Amz-Credential=AKIAT73L2G45EIPT3X45%2F20240101%2Fus-west-2%2Fs3%2Faws4_request&"
    "X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=abc123&X-Amz-SignedHeaders=host"
)


@pytest.mark.parametrize(
    "url",
    [
        EXPORTED_S3,
        SIGNED_S3,
        "https://prod-files-secure.s3.eu-central-1.amazonaws.com/a/b/c.jpg",
        "https://bucket.s3.amazonaws.com/key.png?X-Amz-Signature=ff&X-Amz-Expires=60",
        "https://my-bucket.s3.amazonaws.com/a.png?AWSAccessKeyId=AK&Signature=x&Expires=1700000000",
        "https://storage.googleapis.com/b/o.png?X-Goog-Algorithm=GOOG4&X-Goog-Signature=aa",
        "https://acct.blob.core.windows.net/c/img.png?sv=2020&se=2024-01-01&sig=abc",
        "https://d111.cloudfront.net/img.png?Expires=1&Signature=x&Key-Pair-Id=K",
    ],
)
def test_signed_and_notes_app_file_links_are_expired(url: str) -> None:
    assert expiring_reason(url, RULES.expiring_hosts) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://bucket.s3.amazonaws.com/public/image.png",
        "https://github.com/org/repo?signature=none",
        "https://example.org/search?sig=1",
        "https://prod-files-secure.example.org/image.png",
    ],
)
def test_ordinary_links_are_not_expired(url: str) -> None:
    assert expiring_reason(url, RULES.expiring_hosts) is None


def test_host_matching() -> None:
    assert host_matches("openreview.net", ["openreview.net"])
    assert host_matches("API.OpenReview.net.", ["openreview.net"])
    assert not host_matches("notopenreview.net", ["openreview.net"])
    assert host_matches(
        "prod-files-secure.s3.us-west-2.amazonaws.com", ["prod-files-secure.s3.*.amazonaws.com"]
    )
    assert not host_matches(
        "prod-files-secure.s3.amazonaws.com", ["prod-files-secure.s3.*.amazonaws.com"]
    )
