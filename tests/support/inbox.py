"""Inbox entries and arXiv records for the watch and inbox tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from kbtool.arxiv.record import ArxivRecord
from kbtool.core.arxiv_id import ArxivId
from kbtool.watch.inbox import InboxEntry

SCRIPT_TITLE = "<script>alert('inbox')</script> Sparse Attention & <b>LLMs</b>"

BASE_ENTRY = InboxEntry(
    id="2602.05191",
    version=1,
    title="Double-P: Hierarchical Top-P Sparse Attention for Long-Context LLMs",
    authors=("Wentao Ni", "Kangqi Zhang"),
    category="cs.LG",
    categories=("cs.LG", "cs.AI"),
    published=date(2026, 2, 6),
    first_seen=date(2026, 2, 7),
    score=7.5,
    keywords=("LLM", "Inference", "Attention", "Sparse", "Decoding", "Scalable"),
    title_keywords=("LLM", "Attention", "Sparse"),
    abstract="As long-context inference becomes central to large language models (LLMs), ...",
)


def make_entry(**changes: Any) -> InboxEntry:
    return replace(BASE_ENTRY, **changes)


def make_record(
    arxiv_id: str,
    title: str,
    abstract: str = "An abstract.",
    *,
    published: datetime = datetime(2026, 4, 12, 18, 0, tzinfo=UTC),
    category: str = "cs.LG",
) -> ArxivRecord:
    base, _, version = arxiv_id.partition("v")
    return ArxivRecord(
        arxiv_id=ArxivId(base, int(version or 1)),
        title=title,
        authors=("Ada Lovelace",),
        abstract=abstract,
        published=published,
        updated=published,
        primary_category=category,
        categories=(category,),
    )
