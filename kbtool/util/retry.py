"""When to try a request again: the server's ``Retry-After``, else exponential backoff.

One policy for every client kbtool has (arXiv, Semantic Scholar, the link checker):

* ``Retry-After`` is delay-seconds or an HTTP date (RFC 9110 §10.2.3). An HTTP date is
  always GMT, so one written without a zone is read as GMT too. A date in the past
  means "now"; a value that is neither is ignored. Absurdly long values are capped at
  :data:`LONGEST_WAIT`, so the arithmetic stays finite and callers can compare them
  with their own limit.
* Backoff doubles from ``base`` up to ``cap``; half of each wait is fixed and half
  random ("equal jitter"), so clients retrying together spread out; a server's
  ``Retry-After`` is a floor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: A cap on any wait read from a header: a day.
LONGEST_WAIT = 86_400.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or None when it says nothing."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return min(float(int(value[:12])), LONGEST_WAIT) if len(value) <= 12 else LONGEST_WAIT
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), LONGEST_WAIT)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with equal jitter: retry ``n`` (0 first) waits in
    ``[c/2, c]`` where ``c = min(cap, base·2ⁿ)``, and never less than ``floor``."""

    base: float
    cap: float

    def delay(self, retry: int, rng: random.Random, floor: float | None = None) -> float:
        ceiling = min(self.cap, self.base * 2.0 ** min(retry, 64))
        return max(ceiling / 2 + rng.uniform(0, ceiling / 2), floor or 0.0)
