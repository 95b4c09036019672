"""The one retry policy: Retry-After as seconds or an HTTP date, and jittered backoff."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from kbtool.util.retry import LONGEST_WAIT, Backoff, parse_retry_after

NOW = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Mon, 13 Apr 2026 09:01:00 GMT", 60.0),
        ("Mon, 13 Apr 2026 08:00:00 GMT", 0.0),  # in the past: now
        ("Mon, 13 Apr 2026 09:00:30 -0000", 30.0),  # no zone: GMT, as RFC 9110 says
        ("Mon, 13 Apr 2026 11:00:30 +0200", 30.0),
        ("9" * 400, LONGEST_WAIT),  # finite, whatever its length
        ("86401", LONGEST_WAIT),
        ("²", None),  # a digit, but not ASCII
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_backoff_doubles_with_jitter_is_capped_and_respects_a_floor() -> None:
    backoff = Backoff(base=6.0, cap=60.0)
    rng = random.Random(3)
    waits = [backoff.delay(n, rng) for n in range(8)]
    assert 3 <= waits[0] <= 6 and 6 <= waits[1] <= 12 and 12 <= waits[2] <= 24
    assert all(30 <= w <= 60 for w in waits[4:])
    assert len(set(waits)) == len(waits)  # jittered
    assert backoff.delay(0, rng, floor=30) == 30
    assert backoff.delay(10_000, rng) <= 60  # no overflow
