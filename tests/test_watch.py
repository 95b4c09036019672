"""``kbtool watch`` against a real local arXiv server, with the injected clock (no real waits)."""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from rich.console import Console

from kbtool.arxiv.client import MIN_INTERVAL
from kbtool.arxiv.lookup import ArxivLookup
from kbtool.arxiv.settings import URL_ENV
from kbtool.cli.watch import _table
from kbtool.config import Layout, load_settings
from kbtool.errors import InboxFormatError, RemoteError
from kbtool.util.clock import ManualClock
from kbtool.watch.inbox import InboxEntry, load_inbox, render_inbox
from kbtool.watch.run import WatchOptions, WatchReport, run_watch, search_query
from tests.support.arxiv_server import FakeArxiv, Reply, entry_xml, feed_xml
from tests.support.inbox import BASE_ENTRY
from tests.support.kb import KnowledgeBaseFactory, RunKbtool, note_text
from tests.support.terminal import run_on_terminal

START = datetime(2026, 4, 13, 9, 0, tzinfo=UTC)
QUERY = "cat:cs.CV"

WATCH_CV = """\
watch:
  categories: [cs.CV]
  keywords: [video diffusion, motion, benchmark]
  exclude_keywords: [survey]
  min_score: 1
  max_papers: {max_papers}
  days_back: 3
  keep_days: {keep_days}
  page_size: 2
  max_scanned: {max_scanned}
"""


def configure(
    kb: KnowledgeBaseFactory, *, max_papers: int = 30, keep_days: int = 14, max_scanned: int = 100
) -> None:
    kb.write(
        "kbtool.yml",
        WATCH_CV.format(max_papers=max_papers, keep_days=keep_days, max_scanned=max_scanned),
    )


def paper(
    n: int,
    title: str,
    hours_ago: float,
    *,
    version: int = 1,
    abstract: str = "We study things.",
    now: datetime = START,
) -> bytes:
    """A crafted search entry ``2604.0000n`` submitted ``hours_ago`` before ``now``."""
    published = (now - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return entry_xml(
        f"2604.{n:05d}v{version}",
        title,
        abstract,
        published=published,
        authors=("Ada Lovelace", "Alan Turing"),
        primary="cs.CV",
        categories=("cs.CV", "cs.LG"),
    )


class Watcher:
    """Runs watch on the test knowledge base, through its own lookup, on one manual clock."""

    def __init__(self, kb: KnowledgeBaseFactory, fake: FakeArxiv, clock: ManualClock) -> None:
        self.kb, self.fake, self.clock = kb, fake, clock
        fake.clock = clock  # requests are stamped with the clock's time

    @property
    def layout(self) -> Layout:
        return Layout(self.kb.root)

    def lookup(self, persist: bool = True) -> ArxivLookup:
        return ArxivLookup.open(
            self.layout,
            load_settings(self.layout),
            clock=self.clock,
            environ={URL_ENV: self.fake.url},
            rng=random.Random(7),
            persist=persist,
        )

    def run(self, *, dry_run: bool = False, days: int | None = None) -> WatchReport:
        lookup = self.lookup(persist=not dry_run)
        return run_watch(self.layout, WatchOptions(days, dry_run), lookup=lookup)

    def inbox(self) -> list[InboxEntry]:
        return load_inbox(self.layout)

    def request_gaps(self) -> list[float]:
        times = [r.at for r in self.fake.requests]
        assert all(t is not None for t in times)
        return [b - a for a, b in itertools.pairwise(times)]  # type: ignore[operator]


@pytest.fixture
def watcher(kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv) -> Watcher:
    return Watcher(kb, fake_arxiv, ManualClock(START))


def ids(entries: list[InboxEntry]) -> list[str]:
    return [e.id for e in entries]


# --- the recorded search page -------------------------------------------------------------------


def test_the_recorded_search_page(kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv) -> None:
    """arXiv's own answer: ten papers from 2012 to 2025, not in date order."""
    fake_arxiv.by_query["cat:cs.SE"] = fake_arxiv.by_query["testing"]
    kb.write(
        "kbtool.yml",
        "watch:\n"
        "  categories: [cs.SE]\n"
        "  keywords: [testing, test case, interoperability, learning to rank]\n"
        "  min_score: 1\n"
        "  days_back: 365\n"
        "  keep_days: 365\n"
        "  page_size: 10\n",
    )
    watcher = Watcher(kb, fake_arxiv, ManualClock(datetime(2025, 3, 10, 9, 0, tzinfo=UTC)))
    report = watcher.run()
    assert "q_testing_s0_m10_bc5a6c384fe9.json" in fake_arxiv.recordings_used
    # Three papers fall in the year before 2025-03-10, and the page reaches back to 2012:
    # the window ends on this page, so there is one request.
    assert len(fake_arxiv.requests) == 1
    assert [r.base for r in report.search.records] == ["2503.05378", "2502.07719", "2405.13786"]
    # "A Survey on Web Testing…" is dropped by the default exclude keyword "survey".
    assert report.selection.excluded == 1
    opencat, tcp = sorted(watcher.inbox(), key=InboxEntry.rank_key)
    # By hand: OpenCat has "Interoperability" and "Testing" in its title (2 × 1.5) and
    # "test cases" in its abstract (1): 4. The TCP paper has "Test Case" and
    # "Learning-to-Rank" in its title (2 × 1.5) and "testing" in its abstract (1): 4.
    # Equal scores: the more recent first.
    assert (opencat.id, opencat.score, tcp.id, tcp.score) == ("2502.07719", 4.0, "2405.13786", 4.0)
    assert opencat.keywords == ("testing", "test case", "interoperability")
    assert opencat.title_keywords == ("testing", "interoperability")
    assert tcp.keywords == ("testing", "test case", "learning to rank")
    assert tcp.title_keywords == ("test case", "learning to rank")
    assert opencat.authors == (
        "Qurban Ali",
        "Andrea Stocco",
        "Leonardo Mariani",
        "Oliviero Riganelli",
    )
    assert (opencat.version, opencat.category, opencat.published) == (2, "cs.SE", date(2025, 2, 11))
    assert opencat.first_seen == date(2025, 3, 10)
    assert opencat.abstract.startswith("Testing Advanced Driving Assistance Systems (ADAS)")


def test_the_query_asks_for_the_newest_submissions_in_the_digest_categories(
    watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    watcher.run()
    sent = fake_arxiv.requests[0].query
    assert sent["search_query"] == "cat:cs.AI OR cat:cs.CL OR cat:cs.DC OR cat:cs.LG"
    assert sent["sortBy"] == "submittedDate" and sent["sortOrder"] == "descending"
    assert (sent["start"], sent["max_results"]) == ("0", "200")
    assert "kbtool/" in fake_arxiv.requests[0].headers["User-Agent"]
    assert search_query(["cs.CV", "stat.ML"]) == "cat:cs.CV OR cat:stat.ML"


# --- paging -------------------------------------------------------------------------------------


def test_paging_stops_at_days_back_one_request_at_a_time_three_seconds_apart(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    # Ten papers, one every 12 hours; days_back is 3 (72 h): papers 0-5 are in the window.
    fake_arxiv.pages[QUERY] = [
        paper(n, f"Motion benchmark {n}", hours_ago=12 * n + 1) for n in range(10)
    ]
    report = watcher.run()
    # Pages of two: the fourth page (papers 6, 7) reaches past the window; no fifth request.
    assert [r.query["start"] for r in fake_arxiv.requests] == ["0", "2", "4", "6"]
    assert all(r.query["max_results"] == "2" for r in fake_arxiv.requests)
    assert watcher.request_gaps() == [MIN_INTERVAL] * 3
    assert watcher.clock.sleeps == [MIN_INTERVAL] * 3
    assert report.search.scanned == 8 and not report.search.truncated
    assert ids(watcher.inbox()) == [f"2604.{n:05d}" for n in range(6)]
    assert report.requests == 4


def test_paging_stops_when_the_results_run_out(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(n, "Motion", hours_ago=n + 1) for n in range(3)]
    watcher.run()
    assert [r.query["start"] for r in fake_arxiv.requests] == ["0", "2"]
    assert len(watcher.inbox()) == 3


def test_an_empty_answer(kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = []
    report = watcher.run()
    assert len(fake_arxiv.requests) == 1
    assert report.search.records == [] and watcher.inbox() == []


def test_paging_stops_at_max_scanned_and_says_so(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb, max_scanned=3)
    fake_arxiv.pages[QUERY] = [paper(n, "Motion", hours_ago=n + 1) for n in range(10)]
    report = watcher.run()
    assert [(r.query["start"], r.query["max_results"]) for r in fake_arxiv.requests] == [
        ("0", "2"),
        ("2", "1"),
    ]
    assert report.search.truncated and report.search.scanned == 3
    assert any("watch.max_scanned" in w for w in report.warnings)


def test_only_the_best_max_papers_arrive(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb, max_papers=2)
    fake_arxiv.pages[QUERY] = [
        paper(1, "Motion", 1),  # 1.5
        paper(2, "Motion benchmark", 2),  # 3
        paper(3, "Video diffusion with motion", 3, abstract="A benchmark."),  # 4
        paper(4, "Nothing to see", 4),  # 0: no keyword
    ]
    report = watcher.run()
    assert ids(watcher.inbox()) == ["2604.00002", "2604.00003"]  # file order: by id
    assert [e.score for e in sorted(watcher.inbox(), key=InboxEntry.rank_key)] == [4.0, 3.0]
    assert (report.selection.over_limit, report.selection.below) == (1, 1)


def test_a_paper_on_two_pages_is_kept_once_at_its_latest_version(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [
        paper(1, "Motion", 1),
        paper(2, "Motion", 2),
        paper(2, "Motion v2", 2, version=2),  # a new submission shifted the pages meanwhile
    ]
    watcher.run()
    _first, second = watcher.inbox()
    assert (second.id, second.version, second.title) == ("2604.00002", 2, "Motion v2")


# --- arXiv trouble ------------------------------------------------------------------------------


def test_429_and_503_are_waited_out_on_the_injected_clock(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(n, "Motion", hours_ago=n + 1) for n in range(3)]
    fake_arxiv.script(Reply(429, b"slow down", {"Retry-After": "20"}), Reply(503, b"busy"))
    report = watcher.run()
    assert [r.query["start"] for r in fake_arxiv.requests] == ["0", "0", "0", "2"]
    gaps = watcher.request_gaps()
    assert gaps[0] >= 20  # Retry-After honoured
    assert all(gap >= MIN_INTERVAL for gap in gaps)
    assert len(watcher.inbox()) == 3 and report.requests == 4


def test_arxiv_down_leaves_the_inbox_untouched(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(n, "Motion", hours_ago=n + 1) for n in range(4)]
    watcher.run()
    before = watcher.layout.inbox_file.read_bytes()
    kb.write("kbtool.yml", (kb.root / "kbtool.yml").read_text() + "arxiv:\n  retries: 2\n")
    fake_arxiv.pages[QUERY].insert(0, paper(9, "Motion benchmark", 0.5))
    # The first page comes back; the second fails three times.
    fake_arxiv.script(
        Reply(200, feed_xml(fake_arxiv.pages[QUERY][:2], total=5)),
        Reply(503),
        Reply(503),
        Reply(503),
    )
    watcher.clock.advance(3600)
    with pytest.raises(RemoteError) as caught:
        watcher.run()
    assert caught.value.exit_code == 6 and "HTTP 503 after 3 tries" in caught.value.message
    assert watcher.layout.inbox_file.read_bytes() == before
    assert not list(kb.root.glob(".inbox.yml*"))


def test_a_damaged_inbox_stops_the_run_before_any_request(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    kb.write("inbox.yml", render_inbox([BASE_ENTRY]).replace("version: 1", "version: one"))
    with pytest.raises(InboxFormatError, match=r"^inbox\.yml:8: `version:` must be"):
        watcher.run()
    assert fake_arxiv.requests == []


# --- what goes in and what leaves ---------------------------------------------------------------


def test_papers_already_in_the_knowledge_base_are_skipped(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    kb.write_note("a.md", note_text(title="A", arxiv="2604.00001v1", topics="[rlhf]"))
    fake_arxiv.pages[QUERY] = [
        paper(1, "Motion", 1, version=3),  # a newer version of a paper with a note
        paper(2, "Motion", 2),
    ]
    report = watcher.run()
    assert ids(watcher.inbox()) == ["2604.00002"]
    assert report.selection.with_note == 1


def test_exclude_keywords_keep_papers_out(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [
        paper(1, "A Survey of Motion Benchmarks", 1),
        paper(2, "Motion", 2, abstract="Unlike prior surveys, we..."),
        paper(3, "Motion", 3),
    ]
    report = watcher.run()
    assert ids(watcher.inbox()) == ["2604.00003"] and report.selection.excluded == 2


def test_papers_age_out_and_keep_their_first_seen_date(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb, keep_days=4)
    fake_arxiv.pages[QUERY] = [paper(1, "Motion", 1)]
    watcher.run()
    assert [(e.id, e.first_seen) for e in watcher.inbox()] == [("2604.00001", date(2026, 4, 13))]
    # Two days on, a new paper; the first is still in the window and keeps its date.
    watcher.clock.advance(2 * 86400)
    fake_arxiv.pages[QUERY] = [
        paper(2, "Motion", 1, now=watcher.clock.now()),
        paper(1, "Motion", 1),  # the same paper, 49 hours old now
    ]
    report = watcher.run()
    assert ids(report.changes.added) == ["2604.00002"]
    assert ids(report.changes.refreshed) == ["2604.00001"]
    assert [(e.id, e.first_seen) for e in watcher.inbox()] == [
        ("2604.00002", date(2026, 4, 15)),
        ("2604.00001", date(2026, 4, 13)),
    ]
    # Four days after it arrived, the first leaves; the second stays.
    watcher.clock.advance(2 * 86400)
    fake_arxiv.pages[QUERY] = []
    report = watcher.run()
    assert ids(report.changes.aged_out) == ["2604.00001"]
    assert ids(watcher.inbox()) == ["2604.00002"]


def test_reruns_are_idempotent(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(n, "Motion benchmark", hours_ago=n + 1) for n in range(5)]
    first = watcher.run()
    text = watcher.layout.inbox_file.read_text(encoding="utf-8")
    assert first.written and len(first.changes.added) == 5
    watcher.clock.advance(3600)
    again = watcher.run()
    assert not again.written and again.changes.added == []
    assert len(again.changes.refreshed) == 5
    assert watcher.layout.inbox_file.read_text(encoding="utf-8") == text


def test_a_dry_run_writes_nothing(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(1, "Motion", 1)]
    report = watcher.run(dry_run=True)
    assert ids(report.changes.added) == ["2604.00001"] and not report.written
    assert not watcher.layout.inbox_file.exists()
    assert not (kb.root / ".kbtool-cache").exists()  # no cache, no pacing time stamp


def test_days_overrides_days_back(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(1, "Motion", 1), paper(2, "Motion", 100)]
    report = watcher.run(days=5)
    assert report.days == 5 and ids(watcher.inbox()) == ["2604.00001", "2604.00002"]


def test_settings_changes_rescore_the_inbox(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(1, "Motion", 1), paper(2, "Motion benchmark", 2)]
    watcher.run()
    kb.write(
        "kbtool.yml",
        WATCH_CV.format(max_papers=30, keep_days=14, max_scanned=100).replace(
            "min_score: 1", "min_score: 2"
        ),
    )
    fake_arxiv.pages[QUERY] = []
    report = watcher.run()
    assert ids(report.changes.dropped) == ["2604.00001"]
    assert ids(watcher.inbox()) == ["2604.00002"]


def test_a_summary_written_by_hand_is_kept_across_runs(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(1, "Motion", 1), paper(2, "Motion benchmark", 2)]
    watcher.run()
    assert all(e.summary is None for e in watcher.inbox())  # kbtool writes none
    inbox = kb.root / "inbox.yml"
    text = inbox.read_text(encoding="utf-8")
    anchor = "- id: '2604.00001'\n" if "- id: '2604.00001'\n" in text else "- id: 2604.00001\n"
    assert anchor in text, text
    inbox.write_text(text.replace(anchor, anchor + "  summary: Worth a look.\n"), "utf-8")
    watcher.run()
    by_id = {e.id: e for e in watcher.inbox()}
    assert by_id["2604.00001"].summary == "Worth a look."
    assert by_id["2604.00002"].summary is None


# --- adopting a paper ---------------------------------------------------------------------------


def test_kbtool_new_adopts_a_paper_from_the_inbox_without_a_request(
    kb: KnowledgeBaseFactory,
    fake_arxiv: FakeArxiv,
    arxiv_url: str,
    run_kbtool: RunKbtool,
) -> None:
    configure(kb)
    now = datetime.now(UTC)  # `kbtool new` runs on the real clock: the cache must be fresh
    watcher = Watcher(kb, fake_arxiv, ManualClock(now))
    fake_arxiv.pages[QUERY] = [
        paper(1, "Motion benchmark", 1, now=now),
        paper(2, "Motion", 2, now=now),
    ]
    watcher.run()
    assert ids(watcher.inbox()) == ["2604.00001", "2604.00002"]
    searches = len(fake_arxiv.requests)
    result = run_kbtool("new", "2604.00001", "--topic", "rlhf")
    assert result.exit_code == 0, result.output
    assert "(removed from the inbox)" in result.stdout
    assert len(fake_arxiv.requests) == searches  # the metadata came from watch's cache
    assert ids(watcher.inbox()) == ["2604.00002"]
    # The next run does not bring it back: it has a note now.
    report = watcher.run()
    assert ids(watcher.inbox()) == ["2604.00002"] and report.selection.with_note == 1


def test_a_note_made_by_hand_also_takes_its_paper_out(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(1, "Motion", 1), paper(2, "Motion", 2)]
    watcher.run()
    kb.write_note("mine.md", note_text(title="Mine", arxiv="2604.00002v1", topics="[rlhf]"))
    fake_arxiv.pages[QUERY] = []
    report = watcher.run()
    assert ids(report.changes.adopted) == ["2604.00002"]
    assert ids(watcher.inbox()) == ["2604.00001"]


def test_kbtool_new_with_a_damaged_inbox_still_creates_the_note(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, arxiv_url: str, run_kbtool: RunKbtool
) -> None:
    kb.write("inbox.yml", "papers: {}\n")
    result = run_kbtool("new", "1605.08386", "--topic", "rlhf")
    assert result.exit_code == 0, result.output
    assert "kbtool: warning: the inbox was left as it is: inbox.yml:1:" in result.stderr
    assert (kb.root / "inbox.yml").read_text() == "papers: {}\n"
    assert len(list((kb.root / "notes").glob("1605.08386*.md"))) == 1


# --- the command --------------------------------------------------------------------------------


def test_the_command(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, arxiv_url: str, run_kbtool: RunKbtool
) -> None:
    kb.write(
        "kbtool.yml",
        WATCH_CV.format(max_papers=30, keep_days=14, max_scanned=100).replace(
            "page_size: 2", "page_size: 50"
        ),
    )
    now = datetime.now(UTC)
    fake_arxiv.pages[QUERY] = [
        paper(1, "Video diffusion [for] motion", 1, now=now),
        paper(2, "Motion", 2, now=now),
        paper(3, "A survey of motion", 3, now=now),
    ]
    dry = run_kbtool("watch", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == [
        "would add 2604.00001 (3): Video diffusion [for] motion",
        "would add 2604.00002 (1.5): Motion",
    ]
    assert "(dry run: nothing written)" in dry.stderr
    assert not (kb.root / "inbox.yml").exists()
    result = run_kbtool("watch")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("added 2604.00001 (3): Video diffusion [for] motion\n")
    assert (
        "watch: 3 papers submitted in the last 3 days (1 request); 2 new, 0 already in the inbox; "
        "skipped 1 excluded; inbox: 2 papers" in result.stderr
    )
    again = run_kbtool("watch", "--days", "2")
    assert again.exit_code == 0 and again.stdout == ""
    assert "0 new, 2 already in the inbox" in again.stderr and "(unchanged)" in again.stderr


def test_the_command_with_a_bad_setting(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write("kbtool.yml", "watch:\n  categories: [cs.LG]\n  min_score: lots\n")
    result = run_kbtool("watch")
    assert result.exit_code == 4
    assert result.stderr.strip().splitlines() == [
        f"kbtool: error: {kb.root / 'kbtool.yml'}:3: watch.min_score: must be a number, not 'lots'"
    ]


def test_the_command_when_arxiv_is_down(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, arxiv_url: str, run_kbtool: RunKbtool
) -> None:
    kb.write("inbox.yml", "papers: []\n")
    kb.write("kbtool.yml", "arxiv:\n  retries: 0\n")
    fake_arxiv.script(Reply(503, b"down"))
    result = run_kbtool("watch")
    assert result.exit_code == 6
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("kbtool: error: arXiv did not answer for 'cat:cs.AI OR cat:cs.CL")
    assert "HTTP 503 after 1 try" in line
    assert (kb.root / "inbox.yml").read_text() == "papers: []\n"


def test_the_command_with_a_damaged_inbox(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write("inbox.yml", render_inbox([BASE_ENTRY]).replace("'2602.05191'", "../../etc/passwd"))
    result = run_kbtool("watch")
    assert result.exit_code == 4
    assert result.stderr.strip() == (
        "kbtool: error: inbox.yml:7: `id:` must be an arXiv id without version, "
        "not '../../etc/passwd'"
    )


def test_the_terminal_table_shows_arxiv_text_as_text() -> None:
    console = Console(record=True, width=200)
    console.print(_table([replace(BASE_ENTRY, title="[bold]x[/bold] <b>")], "added"))
    text = console.export_text()
    assert "[bold]x[/bold] <b>" in text and "Added to the inbox" in text


# --- progress -----------------------------------------------------------------------------------


def test_progress_hears_of_each_page_read(
    kb: KnowledgeBaseFactory, watcher: Watcher, fake_arxiv: FakeArxiv
) -> None:
    configure(kb)
    fake_arxiv.pages[QUERY] = [paper(n, "Motion", hours_ago=12 * n + 1) for n in range(10)]
    heard: list[tuple[int, int | None]] = []
    run_watch(
        watcher.layout,
        lookup=watcher.lookup(),
        progress=lambda done, total: heard.append((done, total)),
    )
    assert heard == [(1, None), (2, None), (3, None), (4, None)]
    assert len(fake_arxiv.requests) == 4


def test_the_command_shows_pages_read_on_a_terminal_only(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv
) -> None:
    kb.write("kbtool.yml", WATCH_CV.format(max_papers=30, keep_days=14, max_scanned=100))
    now = datetime.now(UTC)
    fake_arxiv.pages[QUERY] = [paper(1, "Motion benchmark", 1, now=now)]
    run = run_on_terminal(
        ["-m", "kbtool", "--root", str(kb.root), "watch"], env={URL_ENV: fake_arxiv.url}
    )
    assert run.returncode == 0, run.terminal
    assert "reading arXiv: pages" in run.terminal and "━" in run.terminal
    assert run.stdout == "added 2604.00001 (3): Motion benchmark\n"  # no bar in the output


def test_the_command_as_json(
    kb: KnowledgeBaseFactory, fake_arxiv: FakeArxiv, arxiv_url: str, run_kbtool: RunKbtool
) -> None:
    settings = WATCH_CV.format(max_papers=30, keep_days=14, max_scanned=100)
    for old, new in (("page_size: 2", "page_size: 50"), ("days_back: 3", "window: 3d")):
        settings = settings.replace(old, new)
    kb.write("kbtool.yml", settings.replace("keep_days: 14", "keep_for: 14d"))
    now = datetime.now(UTC)
    fake_arxiv.pages[QUERY] = [
        paper(1, "Video diffusion “视频” motion", 1, now=now),
        paper(2, "Motion", 2, now=now),
        paper(3, "A survey of motion", 3, now=now),
    ]
    result = run_kbtool("watch", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no summary line: the JSON says it all
    data = json.loads(result.stdout)
    assert [(p["id"], p["score"]) for p in data["added"]] == [
        ("2604.00001", 3),
        ("2604.00002", 1.5),
    ]
    first = data["added"][0]
    assert first["title"] == "Video diffusion “视频” motion"
    assert first["keywords"] == ["video diffusion", "motion"]
    assert first["first_seen"] == now.date().isoformat()
    assert first["url"] == "https://arxiv.org/abs/2604.00001"
    assert data["search"] == {"papers": 3, "scanned": 3, "pages": 1, "truncated": False}
    assert data["skipped"] == {
        "with_note": 0,
        "excluded": 1,
        "below_min_score": 0,
        "beyond_max_papers": 0,
    }
    assert data["inbox"] == 2 and data["written"] is True and data["dry_run"] is False
    again = json.loads(run_kbtool("watch", "--format", "json", "--dry-run").stdout)
    assert again["added"] == [] and again["refreshed"] == ["2604.00001", "2604.00002"]
    assert again["written"] is False and again["dry_run"] is True
