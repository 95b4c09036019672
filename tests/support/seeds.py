"""Helpers for the import tests: a real knowledge base with the seeds imported through the CLI."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kbtool.config import Layout
from kbtool.importers.pipeline import import_files
from kbtool.importers.report import ImportReport, format_report
from kbtool.repair.files import repair_file
from kbtool.scaffold import init_knowledge_base
from tests.support.kb import TESTS_DIR

SEEDS_DIR = TESTS_DIR / "data" / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))
REPO_TOPICS = TESTS_DIR.parent / "topics.yml"
#: Every arXiv link form in the sources (abs, pdf, html; any host spelling; any version).
ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})", re.IGNORECASE)


def new_knowledge_base(root: Path, topics: Path | None = REPO_TOPICS) -> Path:
    """A fresh knowledge base (``kbtool init``), with this repository's topics by default."""
    init_knowledge_base(root, "Test notes")
    if topics is not None:
        (root / "topics.yml").write_text(topics.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` → the SHA-256 of its content."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def seed_arxiv_ids() -> set[str]:
    """The distinct arXiv ids linked anywhere in the raw seed files, found by regex alone."""
    ids: set[str] = set()
    for seed in SEEDS:
        ids.update(ARXIV_LINK.findall(seed.read_text(encoding="utf-8")))
    return ids


@dataclass(frozen=True)
class ImportedSeeds:
    """A knowledge base with the five seeds imported, and the import's report."""

    root: Path
    report: ImportReport

    @property
    def report_text(self) -> str:
        """The report as ``kbtool import`` prints it."""
        return format_report(self.report)


def import_seeds(root: Path) -> ImportedSeeds:
    """Import the five seeds into a fresh knowledge base at ``root`` (this repository's topics)."""
    new_knowledge_base(root)
    return ImportedSeeds(root, import_files(Layout(root), SEEDS, today=date(2025, 1, 2)))


def repaired_seed(seed: Path) -> tuple[str, str]:
    """The seed's text as the file holds it, and repaired.

    Through :func:`kbtool.repair.files.repair_file`, which remembers the repairs it made
    in this process: the seeds are repaired once per test run, not once per test.
    """
    repair = repair_file(seed)
    return repair.original, repair.text
