"""Requests spaced out in time: here, and across kbtool processes on one knowledge base.

Every client kbtool has for a public API (arXiv, Semantic Scholar) makes one request
at a time, at least ``interval`` seconds after the previous one ended. A time stamp
file in the cache folder carries the last request's time across processes, so two
commands run back to back (``kbtool new`` then ``kbtool enrich``) keep the rule too.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Protocol

from kbtool.util.atomic_write import write_text_atomic
from kbtool.util.clock import Clock


class PacingStats(Protocol):
    """Where a pacer adds up the waits it imposed (a client's statistics)."""

    paced_seconds: float


class Pacer:
    """Keeps requests at least ``interval`` seconds apart, here and across processes."""

    def __init__(
        self,
        clock: Clock,
        interval: float,
        stamp: Path | None,
        stats: PacingStats,
        write_stamp: bool = True,
    ) -> None:
        self.clock = clock
        self.interval = interval
        self.stamp = stamp
        self.stats = stats
        self.write_stamp = write_stamp
        self._last: float | None = None

    def _stamp_wait(self) -> float:
        if self.stamp is None:
            return 0.0
        try:
            last = float(self.stamp.read_text(encoding="ascii"))
        except (OSError, ValueError):
            return 0.0
        since = self.clock.now().timestamp() - last
        # A stamp from the future (a clock that jumped) costs at most one interval.
        return min(max(self.interval - since, 0.0), self.interval)

    def wait_turn(self) -> None:
        """Sleep (on the injected clock) until the next request may start."""
        wait = self._stamp_wait()
        if self._last is not None:
            wait = max(wait, self.interval - (self.clock.monotonic() - self._last))
        if wait > 0:
            self.clock.sleep(wait)
            self.stats.paced_seconds += wait

    def done(self) -> None:
        """Note that a request just ended (in this process and in the time stamp)."""
        self._last = self.clock.monotonic()
        if self.stamp is not None and self.write_stamp:
            # Pacing across processes is a courtesy; this process paces regardless.
            with contextlib.suppress(OSError):
                write_text_atomic(self.stamp, f"{self.clock.now().timestamp():.3f}\n")
