"""The link cache: recent successes, so a rerun asks the network only about the rest.

Stored as JSON in ``.kbtool-cache/links.json`` (git-ignored; CI saves and restores
the directory). Only **ok** and **redirected** verdicts are kept, each with the
time it was reached; they are trusted for ``cache_max_age``. Failures are never
cached: a broken, unverified or expired link is looked at again on every run. A
missing, unreadable or foreign cache file is treated as empty: the cache is
disposable and never stops a run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.links.status import LinkResult, LinkStatus
from kbtool.util.atomic_write import write_text_atomic
from kbtool.util.locks import file_lock
from kbtool.util.safe_read import read_regular_text

CACHE_FILE = "links.json"
FORMAT = "kbtool-links-cache/1"
CACHEABLE = frozenset({LinkStatus.OK, LinkStatus.REDIRECTED})


@dataclass(frozen=True)
class CachedResult:
    result: LinkResult
    checked_at: float


@dataclass
class LinkCache:
    """Cached verdicts by key (a URL, or ``arxiv:<id>`` for arXiv links)."""

    entries: dict[str, CachedResult] = field(default_factory=dict)
    #: What this run learnt (None: forgotten), to lay over the file as it is when saving.
    changes: dict[str, CachedResult | None] = field(default_factory=dict, repr=False)

    def fresh(self, key: str, now: float, max_age: float) -> LinkResult | None:
        """The cached verdict for ``key`` when younger than ``max_age`` seconds, else None."""
        cached = self.entries.get(key)
        if cached is None or not 0 <= now - cached.checked_at <= max_age:
            return None
        return cached.result

    def record(self, key: str, result: LinkResult, now: float) -> None:
        """Remember a success; forget ``key`` on anything else (failures are never cached)."""
        if result.status in CACHEABLE:
            self.entries[key] = self.changes[key] = CachedResult(result, now)
        else:
            self.entries.pop(key, None)
            self.changes[key] = None

    def prune(self, now: float, max_age: float) -> None:
        """Drop entries older than ``max_age``, so the file does not grow for ever."""
        self.entries = {
            key: cached
            for key, cached in self.entries.items()
            if 0 <= now - cached.checked_at <= max_age
        }


def cache_to_json(cache: LinkCache) -> str:
    records = {
        key: {
            "url": cached.result.url,
            "status": cached.result.status.value,
            "reason": cached.result.reason,
            "http_status": cached.result.http_status,
            "target": cached.result.target,
            "checked_at": cached.checked_at,
        }
        for key, cached in sorted(cache.entries.items())
    }
    return json.dumps({"format": FORMAT, "entries": records}, ensure_ascii=False, indent=1) + "\n"


def _entry(record: Any) -> CachedResult | None:
    if not isinstance(record, dict):
        return None
    try:
        status = LinkStatus(record["status"])
        checked_at = float(record["checked_at"])
        url, reason = str(record["url"]), str(record["reason"])
    except (KeyError, TypeError, ValueError):
        return None
    if status not in CACHEABLE:
        return None
    http_status = record.get("http_status")
    target = record.get("target")
    return CachedResult(
        LinkResult(
            url,
            status,
            reason,
            http_status if isinstance(http_status, int) else None,
            target if isinstance(target, str) else None,
        ),
        checked_at,
    )


def cache_from_json(text: str) -> LinkCache:
    """The cache in ``text``; anything unreadable (or of another format) gives an empty cache."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return LinkCache()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return LinkCache()
    records = data.get("entries")
    if not isinstance(records, dict):
        return LinkCache()
    entries = {}
    for key, record in records.items():
        entry = _entry(record)
        if entry is not None:
            entries[str(key)] = entry
    return LinkCache(entries)


def load_link_cache(cache_dir: Path) -> LinkCache:
    """The cache in ``cache_dir`` (empty when absent or unreadable)."""
    try:
        text = read_regular_text(cache_dir / CACHE_FILE)
    except (OSError, UnicodeDecodeError):
        return LinkCache()
    return cache_from_json(text)


def save_link_cache(
    cache_dir: Path, cache: LinkCache, *, now: float | None = None, max_age: float | None = None
) -> None:
    """Write the cache atomically (creating ``cache_dir``), with what other runs saved meanwhile.

    Under a lock, what this run learnt is laid over the file as it is now; with ``now``
    and ``max_age``, entries older than that are dropped.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / CACHE_FILE
    with file_lock(cache_dir / f"{CACHE_FILE}.lock", "updating the link cache"):
        merged = load_link_cache(cache_dir)
        for key, cached in cache.changes.items():
            if cached is None:
                merged.entries.pop(key, None)
            else:
                merged.entries[key] = cached
        if now is not None and max_age is not None:
            merged.prune(now, max_age)
        write_text_atomic(path, cache_to_json(merged))
    cache.entries, cache.changes = merged.entries, {}
