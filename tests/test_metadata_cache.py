"""The metadata cache (expiry, damage, endpoint), the sync record, and the batch lookup."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kbtool.arxiv.cache import MetadataCache
from kbtool.arxiv.record import ArxivRecord
from kbtool.arxiv.sync import SyncRecord, fingerprint
from kbtool.core.arxiv_id import ArxivId
from kbtool.errors import ArxivQueryError, RemoteError
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv, MakeLookup, Reply, error_feed
from tests.support.kb import KnowledgeBaseFactory

WEEK = timedelta(days=7)


def record(base: str = "2410.05677", version: int = 1) -> ArxivRecord:
    when = datetime(2024, 10, 7, tzinfo=UTC)
    return ArxivRecord(ArxivId(base, version), "T", ("A",), "abs", when, when)


def test_records_are_fresh_for_the_configured_age(tmp_path: Path) -> None:
    clock = ManualClock()
    path = tmp_path / "metadata.json"
    cache = MetadataCache.load(path, clock, WEEK, "http://x")
    cache.store([record()], unknown=["0808.05394"])
    cache.save()
    again = MetadataCache.load(path, clock, WEEK, "http://x")
    assert again.fresh_record("2410.05677") == record()
    assert again.known_unknown("0808.05394")
    clock.advance(timedelta(days=1, seconds=1).total_seconds())
    assert again.fresh_record("2410.05677") == record()
    assert not again.known_unknown("0808.05394")  # unknown ids: a day at most
    clock.advance(timedelta(days=6).total_seconds())
    assert again.fresh_record("2410.05677") is None


def test_zero_days_turns_reuse_off(tmp_path: Path) -> None:
    cache = MetadataCache.load(tmp_path / "m.json", ManualClock(), timedelta(0), "http://x")
    cache.store([record()], ["0808.05394"])
    assert cache.fresh_record("2410.05677") is None and not cache.known_unknown("0808.05394")


def test_records_from_another_endpoint_are_not_reused(tmp_path: Path) -> None:
    clock = ManualClock()
    cache = MetadataCache.load(tmp_path / "m.json", clock, WEEK, "http://one")
    cache.store([record()])
    cache.save()
    other = MetadataCache.load(tmp_path / "m.json", clock, WEEK, "http://two")
    assert other.fresh_record("2410.05677") is None and other.warning is None


def test_a_time_in_the_future_is_not_trusted(tmp_path: Path) -> None:
    clock = ManualClock()
    cache = MetadataCache.load(tmp_path / "m.json", clock, WEEK, "http://x")
    cache.records["2410.05677"] = (clock.now() + timedelta(days=30), record())
    assert cache.fresh_record("2410.05677") is None


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        "[]",
        '{"format": 99}',
        '{"format": 1, "endpoint": "http://x", "records": {"a": {"fetched": "x"}}}',
        '{"format": 1, "endpoint": "http://x", "records": []}',
        '{"format": 1, "endpoint": "http://x", "unknown": {"a": "2024-01-01T00:00:00"}}',
    ],
)
def test_a_damaged_cache_counts_as_empty(tmp_path: Path, content: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(content)
    cache = MetadataCache.load(path, ManualClock(), WEEK, "http://x")
    assert cache.records == {} and cache.unknown == {}
    assert cache.warning is not None and str(path) in cache.warning
    cache.store([record()])
    cache.save()  # and is rewritten whole
    assert MetadataCache.load(path, ManualClock(), WEEK, "http://x").warning is None


def test_sync_record_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "synced.json"
    sync = SyncRecord.load(path)
    sync.remember("2410.05677", {"version": 2, "published": date(2024, 10, 7)})
    sync.save()
    again = SyncRecord.load(path)
    assert again.written_by_kbtool("2410.05677", "version", 2)
    assert not again.written_by_kbtool("2410.05677", "version", 3)
    assert again.written_by_kbtool("2410.05677", "published", "2024-10-07")
    assert "2410" not in json.dumps(list(again.papers["2410.05677"].values()))
    path.write_text("[1, 2]")
    assert SyncRecord.load(path).papers == {} and SyncRecord.load(path).warning


def test_fingerprints_are_stable_and_distinct() -> None:
    assert fingerprint(["A", "B"]) == fingerprint(["A", "B"]) != fingerprint(["B", "A"])
    assert fingerprint(1) != fingerprint("1")


# --- the lookup: cache first, then batches ------------------------------------------------------


def test_cache_first_then_batches_saved_one_by_one(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  batch_size: 2\n")
    ids = ["1605.08386", "2104.12255", "1707.08567", "0808.05394", "astro-ph/0601001"]
    batches = list(make_lookup().batches(ids))
    assert [b.from_cache for b in batches] == [False, False, False]
    assert fake_arxiv.id_requests() == [ids[0:2], ids[2:4], ids[4:5]]
    assert all(r.query["max_results"] == "2" for r in fake_arxiv.requests)
    assert batches[1].unknown == ("0808.05394",)
    # A warm rerun: one batch from the cache, no request.
    again = list(make_lookup().batches(ids))
    assert len(again) == 1 and again[0].from_cache
    assert set(again[0].records) == set(ids) - {"0808.05394"}
    assert again[0].unknown == ("0808.05394",)
    assert len(fake_arxiv.requests) == 3
    # --refresh asks again.
    list(make_lookup().batches(ids[:1], refresh=True))
    assert len(fake_arxiv.requests) == 4


def test_one_failed_batch_does_not_lose_the_others(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  batch_size: 1\n  retries: 0\n")
    fake_arxiv.script(Reply(200, fake_arxiv.answer({"id_list": "1605.08386"}).body), Reply(503))
    batches = list(make_lookup().batches(["1605.08386", "2104.12255", "1707.08567"]))
    assert list(batches[0].records) == ["1605.08386"]
    assert isinstance(batches[1].error, RemoteError) and batches[1].records == {}
    assert list(batches[2].records) == ["1707.08567"]
    cached = make_lookup().cache
    assert cached.fresh_record("1605.08386") and cached.fresh_record("1707.08567")


def test_after_two_failed_batches_in_a_row_the_rest_are_not_attempted(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    kb.write("kbtool.yml", "arxiv:\n  batch_size: 1\n  retries: 0\n")
    fake_arxiv.script(Reply(503), Reply(503))
    batches = list(make_lookup().batches(["1605.08386", "2104.12255", "1707.08567"]))
    assert all(isinstance(b.error, RemoteError) for b in batches)
    assert "not attempted" in str(batches[2].error)
    assert len(fake_arxiv.requests) == 2


def test_an_id_arxiv_rejects_is_reported_and_the_rest_asked_again(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    fake_arxiv.script(Reply(400, error_feed("2104.12255")))
    [batch] = list(make_lookup().batches(["1605.08386", "2104.12255"]))
    assert batch.rejected == {
        "2104.12255": "arXiv rejected '2104.12255': incorrect id format for 2104.12255 (HTTP 400)"
    }
    assert list(batch.records) == ["1605.08386"] and batch.error is None
    assert fake_arxiv.id_requests() == [["1605.08386", "2104.12255"], ["1605.08386"]]


def test_a_rejection_naming_no_id_of_ours_fails_the_batch(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    fake_arxiv.script(Reply(400, error_feed("abc")))
    [batch] = list(make_lookup().batches(["1605.08386"]))
    assert isinstance(batch.error, ArxivQueryError) and batch.error.value == "abc"


def test_a_dry_lookup_writes_nothing(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, make_lookup: MakeLookup
) -> None:
    list(make_lookup(persist=False).batches(["1605.08386"]))
    assert not (kb.root / ".kbtool-cache").exists()
