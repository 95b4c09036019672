"""``kbtool watch``'s digest: a section for the papers the notes cite most that have no note."""

from __future__ import annotations

import shutil

from tests.support.arxiv_server import FakeArxiv
from tests.support.kb import KnowledgeBaseFactory, RunKbtool
from tests.support.site import CITATIONS, FIXTURE_KB

WATCH = "watch:\n  categories: [cs.CV]\n  keywords: [motion]\n  min_score: 1\n"


def fixture_notes(kb: KnowledgeBaseFactory) -> None:
    """The site fixture's notes and citations.json: three papers each cited by three notes."""
    shutil.rmtree(kb.root / "notes")
    shutil.copytree(FIXTURE_KB / "notes", kb.root / "notes")
    shutil.copyfile(FIXTURE_KB / "topics.yml", kb.root / "topics.yml")
    shutil.copyfile(CITATIONS, kb.root / "citations.json")


def test_the_digest_lists_the_papers_your_notes_cite_most(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    fixture_notes(kb)
    kb.write("kbtool.yml", WATCH)
    fake_arxiv.pages["cat:cs.CV"] = []
    result = run_kbtool("watch")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "cited by your notes, without a note (citations.json):",
        "  3 notes: AnimateDiff: Animate Your Personalized Text-to-Image Diffusion Models "
        "without Specific Tuning — kbtool new 2307.04725",
        "  3 notes: <script>alert('cited')</script> Latent & <b>Diffusion</b> "
        "— kbtool new 2112.10752",
        "  3 notes: Gradient-based learning applied to document recognition "
        "— https://doi.org/10.1109/5.726791",
    ]
    assert len(fake_arxiv.requests) == 1  # the search; the citations need no request


def test_the_threshold_is_a_setting(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    fixture_notes(kb)
    kb.write("kbtool.yml", WATCH + "citations:\n  missing_min: 4\n")
    fake_arxiv.pages["cat:cs.CV"] = []
    result = run_kbtool("watch")
    assert result.exit_code == 0 and result.stdout == ""


def test_a_damaged_citations_file_is_a_warning_not_a_failure(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, fake_arxiv: FakeArxiv, arxiv_url: str
) -> None:
    kb.write("kbtool.yml", WATCH)
    kb.write("citations.json", "{")
    fake_arxiv.pages["cat:cs.CV"] = []
    result = run_kbtool("watch")
    assert result.exit_code == 0
    assert "kbtool: warning: no missing papers: citations.json:1: not valid JSON" in result.stderr
