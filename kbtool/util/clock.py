"""Time, injected: the arXiv client waits through a :class:`Clock`, never ``time.sleep``.

:class:`SystemClock` is the real one. :class:`ManualClock` only moves when told to
sleep, and remembers every wait: tests and benchmarks use it to check (and add up)
the pauses the client asked for without spending them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for spacing requests)."""

    def now(self) -> datetime:
        """The wall-clock time, timezone-aware UTC (for cache ages and HTTP dates)."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that advances only by its own ``sleep`` (or :meth:`advance`), recording each wait."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 4, 13, 9, 0, tzinfo=UTC)
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._elapsed += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        """Let time pass without anyone waiting (e.g. days between two runs)."""
        self._elapsed += seconds

    @property
    def slept(self) -> float:
        return sum(self.sleeps)
