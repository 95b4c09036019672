"""One arXiv paper as kbtool keeps it: the entry of an API feed, cleaned, in plain values.

:class:`ArxivRecord` is what the client returns, what the metadata cache stores
(as JSON) and what :mod:`kbtool.arxiv.fields` turns into frontmatter. It is built
from an ``arxiv.Result`` in one place (:func:`record_from_result`), so the rest of
kbtool never depends on the ``arxiv`` package's classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kbtool.core.arxiv_id import ArxivId, find_arxiv_id

if TYPE_CHECKING:
    import arxiv


def clean_text(value: str | None) -> str:
    """``value`` with every run of whitespace (arXiv's hard line wraps too) made one space."""
    return " ".join((value or "").split())


@dataclass(frozen=True)
class ArxivRecord:
    """A paper's metadata; ``arxiv_id`` carries the latest version arXiv reported."""

    arxiv_id: ArxivId
    title: str
    authors: tuple[str, ...]
    abstract: str
    published: datetime
    updated: datetime
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    @property
    def base(self) -> str:
        return self.arxiv_id.base

    @property
    def version(self) -> int:
        return self.arxiv_id.version or 1

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_json` reads it back to an equal record."""
        return {
            "id": str(self.arxiv_id),
            "title": self.title,
            "authors": list(self.authors),
            "abstract": self.abstract,
            "published": self.published.isoformat(),
            "updated": self.updated.isoformat(),
            "primary_category": self.primary_category,
            "categories": list(self.categories),
            "comment": self.comment,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
        }

    @classmethod
    def from_json(cls, data: Any) -> ArxivRecord:
        """The record :meth:`to_json` wrote; ``ValueError`` for anything else."""
        if not isinstance(data, dict):
            raise ValueError("record is not a mapping")
        arxiv_id = find_arxiv_id(_text(data, "id"))
        if arxiv_id is None:
            raise ValueError(f"record has a bad id: {data.get('id')!r}")
        return cls(
            arxiv_id=arxiv_id,
            title=_text(data, "title"),
            authors=_texts(data, "authors"),
            abstract=_text(data, "abstract"),
            published=_datetime(data, "published"),
            updated=_datetime(data, "updated"),
            primary_category=_text(data, "primary_category"),
            categories=_texts(data, "categories"),
            comment=_optional_text(data, "comment"),
            journal_ref=_optional_text(data, "journal_ref"),
            doi=_optional_text(data, "doi"),
        )


def record_from_result(result: arxiv.Result) -> ArxivRecord | None:
    """The record for one parsed feed entry, or None when its id is not an arXiv id."""
    arxiv_id = find_arxiv_id(result.get_short_id())
    if arxiv_id is None:
        return None
    return ArxivRecord(
        arxiv_id=arxiv_id,
        title=clean_text(result.title),
        authors=tuple(name for a in result.authors if (name := clean_text(a.name))),
        abstract=clean_text(result.summary),
        published=result.published.astimezone(UTC),
        updated=result.updated.astimezone(UTC),
        primary_category=clean_text(result.primary_category),
        categories=tuple(c for c in (clean_text(c) for c in result.categories) if c),
        comment=clean_text(result.comment) or None,
        journal_ref=clean_text(result.journal_ref) or None,
        doi=clean_text(result.doi) or None,
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"record field {key!r} is not text")
    return value


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    return None if data.get(key) is None else _text(data, key)


def _texts(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"record field {key!r} is not a list of text")
    return tuple(value)


def _datetime(data: dict[str, Any], key: str) -> datetime:
    parsed = datetime.fromisoformat(_text(data, key))
    if parsed.tzinfo is None:
        raise ValueError(f"record field {key!r} has no time zone")
    return parsed
