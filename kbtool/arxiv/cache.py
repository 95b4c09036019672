"""The local arXiv metadata cache: ``.kbtool-cache/arxiv/metadata.json`` (ignored by git).

Policy:

* A paper's record is reused for ``arxiv.cache_max_age`` (default 7d) after it
  was fetched; after that the next ``new``/``enrich`` asks arXiv again, so new
  versions are noticed within a week. ``kbtool enrich --refresh`` asks at once.
  ``cache_max_age: 0s`` turns reuse off.
* An id arXiv did not know is remembered for one day (or ``cache_max_age``, if
  shorter): a rerun does not ask again at once, but a paper announced tomorrow is
  found.
* The cache belongs to one API endpoint (``KBTOOL_ARXIV_URL``); records fetched
  from another endpoint are not reused.
* A missing, unreadable or damaged cache file counts as empty (and is rewritten):
  the cache can always be deleted. Saving is atomic, so a killed run leaves the
  previous cache or the new one, never a broken file.

``kbtool watch`` (a later issue) stores the records of its search pages here too,
so adopting a paper from the inbox with ``kbtool new`` needs no request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kbtool.arxiv.record import ArxivRecord
from kbtool.util.clock import Clock
from kbtool.util.state_file import read_state, write_state

CACHE_FORMAT = 1
UNKNOWN_MAX_AGE = timedelta(days=1)


@dataclass
class MetadataCache:
    """Records by base id (no version), each with the time it was fetched."""

    path: Path
    clock: Clock
    max_age: timedelta
    endpoint: str
    records: dict[str, tuple[datetime, ArxivRecord]] = field(default_factory=dict)
    unknown: dict[str, datetime] = field(default_factory=dict)
    warning: str | None = None

    @classmethod
    def load(cls, path: Path, clock: Clock, max_age: timedelta, endpoint: str) -> MetadataCache:
        """The cache at ``path``; empty (with a ``warning``) when it cannot be used."""
        cache = cls(path, clock, max_age, endpoint)
        data, cache.warning = read_state(path, CACHE_FORMAT, "metadata cache")
        if data is None or data.get("endpoint") != endpoint:
            return cache
        try:
            cache.records = {
                base: (_time(entry["fetched"]), ArxivRecord.from_json(entry["record"]))
                for base, entry in _mapping(data.get("records")).items()
            }
            cache.unknown = {
                base: _time(when) for base, when in _mapping(data.get("unknown")).items()
            }
        except (KeyError, TypeError, ValueError) as err:
            cache.records, cache.unknown = {}, {}
            cache.warning = f"{path}: damaged metadata cache ignored ({err})"
        return cache

    def _is_fresh(self, fetched: datetime, max_age: timedelta) -> bool:
        age = self.clock.now() - fetched
        # A time in the future (a clock that jumped) is not trusted either.
        return timedelta(minutes=-5) <= age < max_age

    def fresh_record(self, base: str) -> ArxivRecord | None:
        """The cached record for ``base`` if it is younger than the cache's age limit."""
        entry = self.records.get(base)
        if entry is None or not self._is_fresh(entry[0], self.max_age):
            return None
        return entry[1]

    def known_unknown(self, base: str) -> bool:
        """True when arXiv recently said it has no paper ``base``."""
        when = self.unknown.get(base)
        return when is not None and self._is_fresh(when, min(self.max_age, UNKNOWN_MAX_AGE))

    def store(self, records: Iterable[ArxivRecord], unknown: Iterable[str] = ()) -> None:
        """Remember ``records`` and ``unknown`` ids as fetched now (in memory; see :meth:`save`)."""
        now = self.clock.now()
        for record in records:
            self.records[record.base] = (now, record)
            self.unknown.pop(record.base, None)
        for base in unknown:
            self.unknown[base] = now
            self.records.pop(base, None)

    def save(self) -> None:
        """Write the cache atomically."""
        data = {
            "endpoint": self.endpoint,
            "records": {
                base: {"fetched": fetched.isoformat(), "record": record.to_json()}
                for base, (fetched, record) in sorted(self.records.items())
            },
            "unknown": {base: when.isoformat() for base, when in sorted(self.unknown.items())},
        }
        write_state(self.path, CACHE_FORMAT, data)


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
