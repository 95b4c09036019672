"""The link cache: successes only, a maximum age, and a file that can never stop a run."""

from __future__ import annotations

from pathlib import Path

from kbtool.links.cache import (
    CACHE_FILE,
    LinkCache,
    cache_from_json,
    cache_to_json,
    load_link_cache,
    save_link_cache,
)
from kbtool.links.status import LinkResult, LinkStatus

OK = LinkResult("https://a.example/", LinkStatus.OK, "HTTP 200", 200)
MOVED = LinkResult("http://b.example/", LinkStatus.REDIRECTED, "moved", 200, "https://b.example/")


def test_successes_are_kept_for_max_age() -> None:
    cache = LinkCache()
    cache.record(OK.url, OK, now=1000.0)
    cache.record(MOVED.url, MOVED, now=1000.0)
    assert cache.fresh(OK.url, now=1000.0 + 59, max_age=60) == OK
    assert cache.fresh(MOVED.url, now=1000.0 + 60, max_age=60) == MOVED
    assert cache.fresh(OK.url, now=1000.0 + 61, max_age=60) is None
    # A clock that went backwards does not make an entry fresh for ever.
    assert cache.fresh(OK.url, now=900.0, max_age=60) is None


def test_failures_are_never_cached_and_evict_an_old_success() -> None:
    cache = LinkCache()
    for status in (LinkStatus.BROKEN, LinkStatus.UNVERIFIED, LinkStatus.EXPIRED):
        cache.record("https://c.example/", LinkResult("https://c.example/", status, "x"), 0.0)
        assert cache.entries == {}
    cache.record(OK.url, OK, 0.0)
    cache.record(OK.url, LinkResult(OK.url, LinkStatus.BROKEN, "HTTP 404", 404), 1.0)
    assert cache.fresh(OK.url, 1.0, 60) is None


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    cache = LinkCache()
    cache.record(OK.url, OK, 10.0)
    cache.record("arxiv:2410.05677", LinkResult("x", LinkStatus.OK, "exists"), 11.0)
    cache.record(MOVED.url, MOVED, 12.0)
    save_link_cache(tmp_path / ".kbtool-cache", cache)
    loaded = load_link_cache(tmp_path / ".kbtool-cache")
    assert loaded.entries == cache.entries
    assert cache_from_json(cache_to_json(cache)).entries == cache.entries


def test_prune_drops_old_entries() -> None:
    cache = LinkCache()
    cache.record(OK.url, OK, 0.0)
    cache.record(MOVED.url, MOVED, 100.0)
    cache.prune(now=150.0, max_age=60.0)
    assert list(cache.entries) == [MOVED.url]


def test_unreadable_cache_is_empty(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    assert load_link_cache(directory).entries == {}
    directory.mkdir()
    for text in (
        "{not json",
        '["a list"]',
        '{"format": "other/9", "entries": {}}',
        '{"format": "kbtool-links-cache/1", "entries": []}',
    ):
        (directory / CACHE_FILE).write_text(text, encoding="utf-8")
        assert load_link_cache(directory).entries == {}
    (directory / CACHE_FILE).write_bytes(b"\xff\xfe")
    assert load_link_cache(directory).entries == {}


def test_bad_records_are_skipped_good_ones_kept() -> None:
    text = """{"format": "kbtool-links-cache/1", "entries": {
      "https://good.example/": {"url": "https://good.example/", "status": "ok",
                                "reason": "HTTP 200", "http_status": 200, "target": null,
                                "checked_at": 5},
      "https://broken.example/": {"url": "https://broken.example/", "status": "broken",
                                  "reason": "HTTP 404", "checked_at": 5},
      "https://odd.example/": {"status": "ok"},
      "https://weird.example/": "text"
    }}"""
    assert list(cache_from_json(text).entries) == ["https://good.example/"]
