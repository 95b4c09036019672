"""The local Semantic Scholar cache: ``.kbtool-cache/s2/papers.json`` (ignored by git).

The same policy as the arXiv metadata cache (:mod:`kbtool.arxiv.cache`):

* a paper's answer is reused for ``citations.cache_max_age`` (default 7d), so a
  rerun of ``enrich`` makes no request; ``kbtool enrich --refresh`` asks at once;
* an id S2 did not know is remembered for a day (or ``cache_max_age``, if shorter);
* the cache belongs to one endpoint (``KBTOOL_S2_URL``);
* a missing, unreadable or damaged cache counts as empty, and saving is atomic.

It keeps S2's whole answer for each paper (every reference with its title), so
the committed data file can be rebuilt from it when notes come and go, without
a request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kbtool.citations.parse import S2Paper
from kbtool.util.atomic_write import write_text_atomic
from kbtool.util.clock import Clock
from kbtool.util.state_file import read_state

CACHE_FORMAT = 1
UNKNOWN_MAX_AGE = timedelta(days=1)


@dataclass
class CitationCache:
    """S2's answers by paper key, each with the time it was fetched."""

    path: Path
    clock: Clock
    max_age: timedelta
    endpoint: str
    papers: dict[str, tuple[datetime, S2Paper]] = field(default_factory=dict)
    unknown: dict[str, datetime] = field(default_factory=dict)
    warning: str | None = None

    @classmethod
    def load(cls, path: Path, clock: Clock, max_age: timedelta, endpoint: str) -> CitationCache:
        """The cache at ``path``; empty (with a ``warning``) when it cannot be used."""
        cache = cls(path, clock, max_age, endpoint)
        data, cache.warning = read_state(path, CACHE_FORMAT, "citation cache")
        if data is None or data.get("endpoint") != endpoint:
            return cache
        try:
            cache.papers = {
                str(key): (_time(entry["fetched"]), S2Paper.from_json(entry["paper"]))
                for key, entry in _mapping(data.get("papers")).items()
            }
            cache.unknown = {
                str(key): _time(when) for key, when in _mapping(data.get("unknown")).items()
            }
        except (KeyError, TypeError, ValueError) as err:
            cache.papers, cache.unknown = {}, {}
            cache.warning = f"{path}: damaged citation cache ignored ({err})"
        return cache

    def _is_fresh(self, fetched: datetime, max_age: timedelta) -> bool:
        age = self.clock.now() - fetched
        # A time in the future (a clock that jumped) is not trusted either.
        return timedelta(minutes=-5) <= age < max_age

    def fresh(self, key: str) -> S2Paper | None:
        """The cached answer for ``key`` if it is younger than the cache's age limit."""
        entry = self.papers.get(key)
        if entry is None or not self._is_fresh(entry[0], self.max_age):
            return None
        return entry[1]

    def entry(self, key: str) -> tuple[datetime, S2Paper] | None:
        """The cached answer for ``key`` and when it was fetched, however old."""
        return self.papers.get(key)

    def known_unknown(self, key: str) -> bool:
        """True when S2 recently said it has no paper ``key``."""
        when = self.unknown.get(key)
        return when is not None and self._is_fresh(when, min(self.max_age, UNKNOWN_MAX_AGE))

    def store(self, papers: Iterable[tuple[str, S2Paper]], unknown: Iterable[str] = ()) -> None:
        """Remember answers (by key) and unknown keys as fetched now; see :meth:`save`."""
        now = self.clock.now()
        for key, paper in papers:
            self.papers[key] = (now, paper)
            self.unknown.pop(key, None)
        for key in unknown:
            self.unknown[key] = now
            self.papers.pop(key, None)

    def save(self) -> None:
        """Write the cache atomically."""
        data = {
            "endpoint": self.endpoint,
            "papers": {
                key: {"fetched": fetched.isoformat(), "paper": paper.to_json()}
                for key, (fetched, paper) in sorted(self.papers.items())
            },
            "unknown": {key: when.isoformat() for key, when in sorted(self.unknown.items())},
        }
        # Compact, unlike the committed files: nobody reads this one, and it can be large.
        document = {"format": CACHE_FORMAT, **data}
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        write_text_atomic(self.path, text + "\n")


def _mapping(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError("not a mapping")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("time is not text")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without time zone: {value}")
    return parsed
