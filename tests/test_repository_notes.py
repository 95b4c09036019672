"""This repository's own knowledge base: the researcher's five files, imported and committed."""

from __future__ import annotations

from collections import Counter
from datetime import date

from kbtool.config import Layout
from kbtool.core.note import parse_note
from kbtool.importers.pipeline import import_files
from kbtool.importers.writer import Action
from tests.support.kb import run_cli as run
from tests.support.seeds import SEEDS, seed_arxiv_ids

REPO = SEEDS[0].parents[3]


def test_every_arxiv_paper_of_the_seeds_has_exactly_one_note() -> None:
    notes = [parse_note(p.read_bytes(), p.name) for p in sorted((REPO / "notes").glob("*.md"))]
    counts = Counter(n.arxiv_id.base for n in notes if n.arxiv_id is not None)
    expected = seed_arxiv_ids()
    assert len(expected) == 121
    assert {arxiv: counts[arxiv] for arxiv in expected} == dict.fromkeys(expected, 1)
    assert len(notes) > len(expected)  # and the papers without an arXiv link


def test_the_repository_checks_clean() -> None:
    result = run(REPO, "check")
    assert result.exit_code == 0, result.output


def test_every_paper_of_the_seeds_is_already_imported() -> None:
    report = import_files(Layout(REPO), SEEDS, today=date(2025, 1, 2), dry_run=True)
    assert not [p.path for p in report.planned if p.action is Action.CREATE]
