"""arXiv record → frontmatter fields, as one declarative table.

Each row of :data:`ARXIV_FIELD_TABLE` names a frontmatter field and how its value
comes from an :class:`~kbtool.arxiv.record.ArxivRecord` (None: arXiv has nothing
for it). Who may write a field is not decided here but in the note schema:
``kbtool new`` writes every row, ``kbtool enrich`` only the rows whose field is
in :data:`~kbtool.core.schema.ARXIV_OWNED_FIELDS`. Values come out in the schema's
field order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kbtool.arxiv.record import ArxivRecord
from kbtool.core.schema import ARXIV_OWNED_FIELDS, FIELDS

FieldValue = date | int | str | list[str]


@dataclass(frozen=True)
class FieldSource:
    """One frontmatter field and the function that reads it off a record."""

    field: str
    value: Callable[[ArxivRecord], FieldValue | None]


# Code hosts whose links in an abstract or comment are taken as the paper's code.
_CODE_LINK = re.compile(
    r"(?<![\w@.-])(?:https?://)?(?:www\.)?(github\.com|gitlab\.com|huggingface\.co)"
    r"(/[^\s<>\"'`{}|\\^\[\]]*)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?*'\""
_DOI = re.compile(r"10\.\d{4,9}/\S+")


def code_links(*texts: str | None) -> list[str]:
    """github.com, gitlab.com and huggingface.co links in ``texts``, as https URLs, in order.

    Sentence punctuation and unbalanced closing brackets after a link are not part
    of it; a bare host (``github.com`` with no path) is not a link to code.
    """
    found: list[str] = []
    seen: set[str] = set()
    for text in texts:
        for match in _CODE_LINK.finditer(text or ""):
            path = _trim_path(match.group(2))
            if len(path.strip("/")) == 0:
                continue
            url = f"https://{match.group(1).lower()}{path}"
            if url.casefold() not in seen:
                seen.add(url.casefold())
                found.append(url)
    return found


def _trim_path(path: str) -> str:
    while path:
        last = path[-1]
        unbalanced = last == ")" and path.count("(") < path.count(")")
        if last not in _TRAILING and not unbalanced:
            break
        path = path[:-1]
    return path


def _code(record: ArxivRecord) -> str | list[str] | None:
    links = code_links(record.abstract, record.comment)
    if not links:
        return None
    return links[0] if len(links) == 1 else links


def first_doi(value: str | None) -> str | None:
    """The first DOI in arXiv's ``doi`` element (it sometimes lists several)."""
    match = _DOI.search(value or "")
    return match.group(0) if match else None


ARXIV_FIELD_TABLE: tuple[FieldSource, ...] = (
    FieldSource("title", lambda r: r.title or None),
    FieldSource("doi", lambda r: first_doi(r.doi)),
    FieldSource("authors", lambda r: list(r.authors) or None),
    FieldSource("published", lambda r: r.published.date()),
    FieldSource("updated", lambda r: r.updated.date()),
    FieldSource("version", lambda r: r.version),
    FieldSource("venue", lambda r: r.journal_ref),
    FieldSource("primary_category", lambda r: r.primary_category or None),
    FieldSource("categories", lambda r: list(r.categories) or None),
    FieldSource("journal_ref", lambda r: r.journal_ref),
    FieldSource("comment", lambda r: r.comment),
    FieldSource("abstract", lambda r: r.abstract or None),
    # The abstract page without a version always shows the latest; the PDF link
    # names the version the other fields describe.
    FieldSource("abs_url", lambda r: r.arxiv_id.without_version().abs_url),
    FieldSource("pdf_url", lambda r: r.arxiv_id.pdf_url),
    FieldSource("code", _code),
)

_SCHEMA_ORDER = {spec.name: index for index, spec in enumerate(FIELDS)}


def fields_from_record(record: ArxivRecord) -> dict[str, FieldValue]:
    """Every field arXiv can fill for ``record`` (a new note's metadata), in schema order."""
    values = {row.field: row.value(record) for row in ARXIV_FIELD_TABLE}
    ordered = sorted(values, key=lambda name: _SCHEMA_ORDER[name])
    return {name: value for name in ordered if (value := values[name]) is not None}


def arxiv_owned_values(record: ArxivRecord) -> dict[str, FieldValue]:
    """Only the fields tools may refresh in an existing note (the schema's arXiv-owned ones)."""
    return {k: v for k, v in fields_from_record(record).items() if k in ARXIV_OWNED_FIELDS}


def canonical(value: Any) -> Any:
    """A value as compared and fingerprinted: dates as ISO text, the rest unchanged."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return value
