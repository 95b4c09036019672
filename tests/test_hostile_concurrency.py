"""Two kbtools at once: no bookkeeping is lost, and a second one waits or says who is running.

Each shared file (.kbtool-sync.json, the metadata and link caches, inbox.yml, the
import manifest) is merged with what is on disk under a lock when it is written.
The lock is tested against real other processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import kbtool.util.locks
from kbtool.arxiv.cache import MetadataCache
from kbtool.arxiv.sync import SyncRecord
from kbtool.config import Layout, lock_file
from kbtool.errors import BusyError
from kbtool.links.cache import LinkCache, load_link_cache, save_link_cache
from kbtool.links.status import LinkResult, LinkStatus
from kbtool.util.clock import ManualClock
from kbtool.util.locks import file_lock
from kbtool.watch.inbox import load_inbox, render_inbox
from tests.support.arxiv_server import FakeArxiv, SeenRequest
from tests.support.inbox import BASE_ENTRY, make_record
from tests.support.kb import DATA_DIR, KnowledgeBaseFactory, RunKbtool, note_text
from tests.test_watch import START, Watcher, configure, paper

# --- merged at write time -----------------------------------------------------------------------


def test_two_runs_of_the_sync_record_keep_each_others_papers(tmp_path: Path) -> None:
    path = tmp_path / ".kbtool-sync.json"
    SyncRecord(path).save()
    first, second = SyncRecord.load(path), SyncRecord.load(path)  # both read, then both work
    first.remember("2401.00001", {"title": "One"})
    second.remember("2401.00002", {"title": "Two"})
    first.save()
    second.save()
    papers = json.loads(path.read_text(encoding="utf-8"))["papers"]
    assert set(papers) == {"2401.00001", "2401.00002"}
    assert SyncRecord.load(path).written_by_kbtool("2401.00001", "title", "One")


def test_two_runs_of_the_metadata_cache_keep_each_others_records(tmp_path: Path) -> None:
    path = tmp_path / ".kbtool-cache" / "arxiv" / "metadata.json"
    clock = ManualClock()

    def cache() -> MetadataCache:
        return MetadataCache.load(path, clock, timedelta(days=7), "http://arxiv.test/api")

    first, second = cache(), cache()
    first.store([make_record("2401.00001v1", "One")])
    second.store([make_record("2401.00002v1", "Two")], unknown=["2401.00009"])
    first.save()
    second.save()
    merged = cache()
    assert merged.fresh_record("2401.00001") is not None
    assert merged.fresh_record("2401.00002") is not None
    assert merged.known_unknown("2401.00009")


def test_two_runs_of_the_link_cache_keep_each_others_results(tmp_path: Path) -> None:
    directory = tmp_path / ".kbtool-cache"
    first, second = load_link_cache(directory), load_link_cache(directory)
    first.record("https://a.example/", LinkResult("https://a.example/", LinkStatus.OK, "200"), 1.0)
    second.record("https://b.example/", LinkResult("https://b.example/", LinkStatus.OK, "200"), 2.0)
    save_link_cache(directory, first)
    save_link_cache(directory, second)
    assert set(load_link_cache(directory).entries) == {"https://a.example/", "https://b.example/"}
    # A failure learnt later forgets a success on disk, whoever saved it.
    third = LinkCache()
    broken = LinkResult("https://a.example/", LinkStatus.BROKEN, "HTTP 404")
    third.record("https://a.example/", broken, 3.0)
    save_link_cache(directory, third)
    assert set(load_link_cache(directory).entries) == {"https://b.example/"}


def test_an_inbox_change_made_while_watch_waits_for_arxiv_is_kept(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    waiting = replace(BASE_ENTRY, title="A motion benchmark", first_seen=START.date())
    adopted = replace(waiting, id="2602.09999", title="Another motion benchmark")
    kb.write("inbox.yml", render_inbox([waiting, adopted]))
    fake_arxiv.pages["cat:cs.CV"] = [paper(1, "Video diffusion for motion", 2)]

    def meanwhile(_request: SeenRequest) -> None:
        # While watch waits for arXiv, the researcher summarises one paper and adopts the other.
        text = (kb.root / "inbox.yml").read_text(encoding="utf-8")
        text = text.replace("  abstract:", "  summary: Worth reading.\n  abstract:", 1)
        (kb.root / "inbox.yml").write_text(text, encoding="utf-8")
        kb.write_note("adopted.md", note_text(title="Adopted", arxiv="2602.09999"))

    fake_arxiv.on_request = meanwhile
    Watcher(kb, fake_arxiv, ManualClock(START)).run()
    inbox = {entry.id: entry for entry in load_inbox(Layout(kb.root))}
    assert set(inbox) == {"2602.05191", "2604.00001"}
    assert inbox["2602.05191"].summary == "Worth reading."


# --- the lock, held by another process ----------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kbtool.util.locks import file_lock
    with file_lock(Path(sys.argv[1]), "testing"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def hold_lock(lock: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding ``lock`` for ``seconds``; returns once it holds it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_kbtool_waits_for_the_first_then_writes(tmp_path: Path) -> None:
    path = tmp_path / ".kbtool-sync.json"
    holder = hold_lock(lock_file(path), 1.0)
    record = SyncRecord.load(path)
    record.remember("2401.00001", {"title": "One"})
    started = time.monotonic()
    record.save()
    assert time.monotonic() - started >= 0.5
    assert holder.wait(10) == 0
    assert "2401.00001" in json.loads(path.read_text(encoding="utf-8"))["papers"]


def test_a_second_kbtool_says_who_holds_the_lock_after_a_bounded_wait(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kbtool.util.locks, "LOCK_WAIT", 1.5)
    kb.write_note("a.md", note_text(title="A", topics="[rlhf]"))
    lock = lock_file(Layout(kb.root).root / ".kbtool-import.json")
    holder = hold_lock(lock, 30)
    try:
        source = DATA_DIR / "import" / "awesome_list.md"
        started = time.monotonic()
        result = run_kbtool("import", str(source))
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 75, result.output
    assert 1.5 <= took < 10
    said, error = result.stderr.splitlines()
    assert said == (
        f"kbtool: warning: waiting for another kbtool (pid {holder.pid}: python), "
        "importing (the import manifest)"
    )
    assert error == (
        f"kbtool: error: another kbtool (pid {holder.pid}: python) is importing (the import "
        "manifest); waited 1.5 s for it: try again when it has finished"
    )
    assert list((kb.root / "notes").glob("*.md")) == [kb.root / "notes" / "a.md"]


def test_a_lock_held_by_a_killed_process_is_free(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    holder = hold_lock(lock, 60)
    holder.kill()
    holder.wait()
    with file_lock(lock, "testing", wait=1):
        pass


def test_the_lock_is_exclusive_within_a_process_too(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with (
        file_lock(lock, "testing"),
        pytest.raises(BusyError) as caught,
        file_lock(lock, "testing", wait=0.2),
    ):
        pass
    assert caught.value.exit_code == 75 and caught.value.lock == lock
    assert f"pid {os.getpid()}" in caught.value.message


# --- the whole thing: two `kbtool enrich` processes at once -------------------------------------


def test_two_enrich_processes_at_once_lose_no_record(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    published = datetime(2024, 10, 7, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for n in range(1, 5):
        fake_arxiv.add_entry(f"2401.0000{n}v1", f"Paper {n}", published=published)
        kb.write_note(f"p{n}.md", note_text(title=f"Paper {n}", arxiv=f"2401.0000{n}"))
    # arXiv answers after 2 s: both runs have read .kbtool-sync.json before either writes it.
    fake_arxiv.on_request = lambda _request: time.sleep(2)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "kbtool", "--root", str(kb.root), "enrich", *notes],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for notes in (["notes/p1.md", "notes/p2.md"], ["notes/p3.md", "notes/p4.md"])
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=60)
        assert run.returncode == 0, stderr
    record = json.loads((kb.root / ".kbtool-sync.json").read_text(encoding="utf-8"))
    assert set(record["papers"]) == {f"2401.0000{n}" for n in range(1, 5)}


def test_two_news_for_one_paper_write_one_note(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    fake_arxiv.add_entry("2401.00001v1", "A paper")

    def meanwhile(_request: SeenRequest) -> None:
        # The other `new` for the same paper finishes while this one waits for arXiv.
        kb.write_note("2401.00001-by-the-other.md", note_text(title="A", arxiv="2401.00001"))

    fake_arxiv.on_request = meanwhile
    result = run_kbtool("new", "2401.00001")
    assert result.exit_code == 1, result.output
    assert "2401.00001 already has a note: notes/2401.00001-by-the-other.md" in result.stderr
    assert [p.name for p in (kb.root / "notes").glob("*.md")] == ["2401.00001-by-the-other.md"]
