"""Updating citations.json: batches, the cache (a warm rerun asks nothing), unknown papers,
Semantic Scholar down (nothing changes), and ``kbtool enrich`` / ``kbtool new`` on the CLI."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from kbtool.citations.store import parse_citation_data
from kbtool.citations.update import citation_cache_dir, update_citations
from kbtool.config import Layout
from kbtool.util.clock import ManualClock
from tests.support.arxiv_server import FakeArxiv
from tests.support.kb import KnowledgeBaseFactory, RunKbtool
from tests.support.s2_server import (
    FakeSemanticScholar,
    MakeCitationSession,
    Reply,
    paper_json,
    reference_json,
)

PAPERS = {
    "lora.md": ("2106.09685", "LoRA: Low-Rank Adaptation of Large Language Models"),
    "qlora.md": ("2305.14314", "QLoRA: Efficient Finetuning of Quantized LLMs"),
    "longlora.md": ("2309.12307", "LongLoRA"),
    "dora.md": ("2402.09353", "DoRA"),
}


def write_notes(kb: KnowledgeBaseFactory, names: tuple[str, ...] = tuple(PAPERS)) -> None:
    for name in names:
        arxiv, title = PAPERS[name]
        kb.write_note(name, f"---\ntitle: '{title}'\narxiv: '{arxiv}'\ntopics: [rlhf]\n---\n\nx\n")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".kbtool-cache" not in p.parts
    }


def data_of(kb: KnowledgeBaseFactory) -> dict[str, object]:
    document: dict[str, object] = json.loads((kb.root / "citations.json").read_text("utf-8"))
    return document


def test_papers_are_asked_in_batches_and_the_file_is_written(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    kb.write("kbtool.yml", "citations:\n  batch_size: 3\n")
    write_notes(kb)
    report = update_citations(Layout(kb.root), make_session())
    assert report.error is None and report.written
    assert fake_s2.batch_requests() == [
        ["ARXIV:2106.09685", "ARXIV:2305.14314", "ARXIV:2309.12307"],
        ["ARXIV:2402.09353"],
    ]  # ceil(4 / 3) requests, one at a time
    assert (report.asked, report.requests, report.papers, report.citations) == (4, 2, 4, 5)
    data = parse_citation_data((kb.root / "citations.json").read_text("utf-8"))
    lora = data.papers["arXiv:2106.09685"]
    assert lora.cited_by == ("arXiv:2305.14314", "arXiv:2309.12307", "arXiv:2402.09353")
    assert lora.citation_count == 11000 and lora.read.isoformat() == "2026-04-13"
    assert lora.title == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert "DOI:10.1162/neco.1997.9.8.1735" in lora.references
    # The papers three of the notes cite, without a note: titled for the site.
    assert data.cited["arXiv:1706.03762"].title == "Attention Is All You Need"
    assert data.cited["arXiv:2302.13971"].year == 2023
    # Nothing in the notes themselves.
    assert all("citations" not in p.read_text("utf-8") for p in (kb.root / "notes").glob("*.md"))


def test_a_note_with_only_a_doi_is_asked_by_its_doi_and_linked_by_its_arxiv_id(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    lora = reference_json("2106.09685", "LoRA: Low-Rank Adaptation of Large Language Models")
    fake_s2.add_paper(paper_json("2501.00001", "A Journal Paper", [lora], doi="10.1145/3600000.1"))
    write_notes(kb, ("lora.md",))
    kb.write_note("journal.md", "---\ntitle: A Journal Paper\ndoi: 10.1145/3600000.1\n---\n")
    update_citations(Layout(kb.root), make_session())
    assert sorted(fake_s2.batch_requests()[0]) == ["ARXIV:2106.09685", "DOI:10.1145/3600000.1"]
    data = parse_citation_data((kb.root / "citations.json").read_text("utf-8"))
    journal = data.papers["DOI:10.1145/3600000.1"]
    assert journal.ids == ("DOI:10.1145/3600000.1", "arXiv:2501.00001")
    assert data.papers["arXiv:2106.09685"].cited_by == ("DOI:10.1145/3600000.1",)


def test_a_warm_rerun_makes_no_request_and_writes_nothing(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb)
    update_citations(Layout(kb.root), make_session())
    before = snapshot(kb.root)
    again = update_citations(Layout(kb.root), make_session())
    assert len(fake_s2.requests) == 1
    assert (again.requests, again.from_cache, again.written) == (0, 4, False)
    assert snapshot(kb.root) == before


def test_refresh_asks_again(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb, ("lora.md",))
    update_citations(Layout(kb.root), make_session())
    update_citations(Layout(kb.root), make_session(), refresh=True)
    assert len(fake_s2.requests) == 2


def test_unknown_papers_are_reported_not_fatal_and_not_asked_again_at_once(
    kb: KnowledgeBaseFactory,
    fake_s2: FakeSemanticScholar,
    make_session: MakeCitationSession,
    clock: ManualClock,
) -> None:
    write_notes(kb, ("lora.md",))
    kb.write_note("new.md", "---\ntitle: Brand new\narxiv: '2406.99999'\n---\n")
    report = update_citations(Layout(kb.root), make_session())
    assert report.error is None and report.unknown == ["arXiv:2406.99999"]
    assert "Semantic Scholar does not know 1 paper: arXiv:2406.99999" in report.problems()
    assert list(data_of(kb)["papers"]) == ["arXiv:2106.09685"]  # type: ignore[call-overload]
    again = update_citations(Layout(kb.root), make_session())
    assert again.unknown == ["arXiv:2406.99999"] and len(fake_s2.requests) == 1
    clock.advance(2 * 86_400)  # a day later it may have been indexed
    update_citations(Layout(kb.root), make_session())
    assert fake_s2.batch_requests()[-1] == ["ARXIV:2406.99999"]


def test_semantic_scholar_down_leaves_the_file_and_the_notes_as_they_were(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    kb.write("kbtool.yml", "citations:\n  retries: 2\n")
    write_notes(kb)
    update_citations(Layout(kb.root), make_session())
    before = snapshot(kb.root)
    fake_s2.script(Reply(503), Reply(503), Reply(503))
    report = update_citations(Layout(kb.root), make_session(), refresh=True)
    assert report.error is not None and "HTTP 503 after 3 tries" in str(report.error)
    assert not report.written and snapshot(kb.root) == before
    assert list(report.lines())[-1].startswith("kbtool: warning: citations not updated:")


def test_a_429_then_success_writes_the_file(
    kb: KnowledgeBaseFactory,
    fake_s2: FakeSemanticScholar,
    make_session: MakeCitationSession,
    clock: ManualClock,
) -> None:
    write_notes(kb, ("lora.md",))
    fake_s2.script(Reply(429, b'{"message": "Too Many Requests"}', {"Retry-After": "30"}))
    report = update_citations(Layout(kb.root), make_session())
    assert report.error is None and report.written and report.requests == 2
    assert 30.0 in clock.sleeps  # waited as told, on the injected clock


def test_a_later_note_is_linked_without_asking_again_for_the_others(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb, ("lora.md", "qlora.md"))
    update_citations(Layout(kb.root), make_session())
    write_notes(kb, ("dora.md",))
    report = update_citations(
        Layout(kb.root), make_session(), wanted={"notes/dora.md"}
    )  # what `kbtool new` does
    assert fake_s2.batch_requests()[-1] == ["ARXIV:2402.09353"]
    assert report.papers == 3
    data = parse_citation_data((kb.root / "citations.json").read_text("utf-8"))
    assert data.papers["arXiv:2106.09685"].cited_by == ("arXiv:2305.14314", "arXiv:2402.09353")


def test_a_fresh_clone_keeps_the_papers_it_did_not_ask_about(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb)
    update_citations(Layout(kb.root), make_session())
    committed = data_of(kb)
    shutil.rmtree(citation_cache_dir(Layout(kb.root)))  # a fresh clone has no cache
    report = update_citations(Layout(kb.root), make_session(), wanted={"notes/dora.md"})
    assert report.requests == 1 and data_of(kb) == committed


def test_a_deleted_note_leaves_the_file(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb)
    update_citations(Layout(kb.root), make_session())
    (kb.root / "notes" / "dora.md").unlink()
    update_citations(Layout(kb.root), make_session())
    assert "arXiv:2402.09353" not in data_of(kb)["papers"]  # type: ignore[operator]


def test_a_damaged_file_is_left_alone_and_said_so(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb, ("lora.md",))
    damaged = '{\n "format": 1,\n<<<<<<< HEAD\n'
    kb.write("citations.json", damaged)
    report = update_citations(Layout(kb.root), make_session())
    assert report.error is not None and fake_s2.requests == []
    assert str(report.error).startswith("citations.json:3: not valid JSON")
    assert (kb.root / "citations.json").read_text("utf-8") == damaged


def test_a_dry_run_writes_nothing_the_cache_neither(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb, ("lora.md",))
    before = snapshot(kb.root)
    report = update_citations(Layout(kb.root), make_session(persist=False))
    assert (
        report.papers == 1
        and not report.written
        and "citations.json not written (dry run): 1 paper" in report.summary()
    )
    assert snapshot(kb.root) == before
    assert not (citation_cache_dir(Layout(kb.root)) / "papers.json").exists()


def test_a_damaged_cache_is_ignored_with_a_warning(
    kb: KnowledgeBaseFactory, fake_s2: FakeSemanticScholar, make_session: MakeCitationSession
) -> None:
    write_notes(kb, ("lora.md",))
    kb.write(".kbtool-cache/s2/papers.json", "{not json")
    report = update_citations(Layout(kb.root), make_session())
    assert report.written and any("unreadable citation cache" in w for w in report.warnings)


# --- the commands -------------------------------------------------------------------------------


def age_stamps(kb: KnowledgeBaseFactory) -> None:
    """As if the next run came a minute later: pacing is tested on the injected clock."""
    for name in ("arxiv", "s2"):
        stamp = kb.root / ".kbtool-cache" / name / "last-request"
        if stamp.exists():
            stamp.write_text(f"{time.time() - 60}\n")


@pytest.fixture
def arxiv_papers(fake_arxiv: FakeArxiv, arxiv_url: str) -> FakeArxiv:
    for arxiv, title in PAPERS.values():
        fake_arxiv.add_entry(f"{arxiv}v1", title, published="2023-06-01T00:00:00Z")
    return fake_arxiv


def test_enrich_updates_citations_and_a_rerun_asks_nothing(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    arxiv_papers: FakeArxiv,
    fake_s2: FakeSemanticScholar,
    s2_url: str,
) -> None:
    write_notes(kb)
    result = run_kbtool("enrich")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        "citations: 4 papers looked up (1 request, 0 from cache); citations.json written: "
        "4 papers, 5 citations between them"
    )
    age_stamps(kb)
    again = run_kbtool("enrich")
    assert again.stderr.splitlines()[-1] == (
        "citations: 4 papers looked up (0 requests, 4 from cache); citations.json unchanged: "
        "4 papers, 5 citations between them"
    )
    assert len(fake_s2.requests) == 1


def test_enrich_with_semantic_scholar_down_warns_and_exits_0(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_papers: FakeArxiv
) -> None:
    write_notes(kb)
    kb.write("citations.json", '{"format": 1, "papers": {}, "cited": {}}\n')
    result = run_kbtool("enrich")  # KBTOOL_S2_URL: nobody listening
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1].startswith(
        "kbtool: warning: citations not updated: cannot reach Semantic Scholar at "
        "http://127.0.0.1:9/graph/v1 (Connection refused)"
    )
    assert (kb.root / "citations.json").read_text("utf-8") == (
        '{"format": 1, "papers": {}, "cited": {}}\n'
    )


def test_no_citations_asks_nothing(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    arxiv_papers: FakeArxiv,
    fake_s2: FakeSemanticScholar,
    s2_url: str,
) -> None:
    write_notes(kb, ("lora.md",))
    result = run_kbtool("enrich", "--no-citations")
    assert result.exit_code == 0 and "citations" not in result.stderr
    assert fake_s2.requests == [] and not (kb.root / "citations.json").exists()


def test_new_adds_the_papers_citations(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    arxiv_papers: FakeArxiv,
    fake_s2: FakeSemanticScholar,
    s2_url: str,
) -> None:
    write_notes(kb, ("lora.md",))
    result = run_kbtool("new", "2305.14314", "--topic", "rlhf")
    assert result.exit_code == 0, result.output
    assert fake_s2.batch_requests() == [["ARXIV:2305.14314"]]  # only the new paper
    data = parse_citation_data((kb.root / "citations.json").read_text("utf-8"))
    assert list(data.papers) == ["arXiv:2305.14314"]  # LoRA was never looked up
    assert "arXiv:2106.09685" in data.papers["arXiv:2305.14314"].references


def test_new_with_an_unknown_paper_warns_and_keeps_the_note(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    arxiv_papers: FakeArxiv,
    fake_s2: FakeSemanticScholar,
    s2_url: str,
) -> None:
    arxiv_papers.add_entry("2406.99999v1", "Too new for Semantic Scholar")
    result = run_kbtool("new", "2406.99999", "--topic", "rlhf")
    assert result.exit_code == 0, result.output
    assert "kbtool: warning: Semantic Scholar does not know 1 paper: arXiv:2406.99999" in (
        result.stderr
    )
    assert len(list((kb.root / "notes").glob("*.md"))) == 1


def test_the_api_key_is_sent_but_never_printed_or_written(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    arxiv_papers: FakeArxiv,
    fake_s2: FakeSemanticScholar,
    s2_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "s2k-7f3a9c1e5b2d4680-SECRET"
    monkeypatch.setenv("SEMANTIC_SCHOLAR_API_KEY", secret)
    write_notes(kb, ("lora.md",))
    outputs = [run_kbtool("enrich")]
    age_stamps(kb)
    fake_s2.script(Reply(403, b'{"message": "Forbidden"}'))
    outputs.append(run_kbtool("enrich", "--refresh"))
    age_stamps(kb)
    outputs.append(run_kbtool("new", "2305.14314", "--topic", "rlhf"))
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    assert "refused the API key in $SEMANTIC_SCHOLAR_API_KEY (HTTP 403" in outputs[1].stderr
    assert [r.headers.get("x-api-key") for r in fake_s2.requests] == [secret] * 3
    for result in outputs:
        assert secret not in result.stdout and secret not in result.stderr
    for path in kb.root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_a_bad_citations_setting_stops_enrich_before_any_request(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, arxiv_papers: FakeArxiv
) -> None:
    write_notes(kb, ("lora.md",))
    kb.write("kbtool.yml", "citations:\n  missing_min: 1\n")
    before = snapshot(kb.root)
    result = run_kbtool("enrich")
    assert result.exit_code == 4
    assert result.stderr.startswith("kbtool: error: ")
    assert result.stderr.endswith(
        "kbtool.yml:2: citations.missing_min: must be from 2 to 1000, not 1\n"
    )
    assert arxiv_papers.requests == [] and snapshot(kb.root) == before
