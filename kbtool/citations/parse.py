"""Semantic Scholar's answers, parsed: bytes in, records out, no network.

Shapes (see ``tests/data/s2/`` for recorded ones):

* ``POST /graph/v1/paper/batch``: a JSON list with one item per asked id, in the
  order asked; an id S2 does not know is ``null`` in its place.
* ``GET /graph/v1/paper/{id}/references``: a page ``{"offset", "next", "data"}``,
  each item ``{"citedPaper": {...}}``; ``next`` is absent on the last page.
* Errors: ``{"error": "…"}`` (404, 400) or ``{"message": "…"}`` (429 from the gateway).

Every string is data: titles are kept as text (whitespace collapsed, length
capped) and are escaped by whoever shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kbtool.citations.keys import keys_from_external_ids, paper_key

#: Titles longer than this are cut: a title is a line, not a document.
MAX_TITLE = 500


class S2FormatError(ValueError):
    """An answer that is not in the shape the API documents."""


@dataclass(frozen=True)
class CitedWork:
    """A paper another paper cites, as S2 lists it: its key, title and year."""

    key: str
    title: str = ""
    year: int | None = None


@dataclass(frozen=True)
class S2Paper:
    """One paper of a batch answer."""

    paper_id: str
    title: str
    keys: tuple[str, ...]  # the arXiv and DOI keys S2 knows it by
    citation_count: int | None
    reference_count: int | None
    references: tuple[CitedWork, ...]
    #: How many items S2 listed, those without any id too: fewer than
    #: ``reference_count`` means the list was cut short (page for the rest).
    reference_items: int = 0

    @property
    def references_cut_short(self) -> bool:
        return self.reference_count is not None and self.reference_items < self.reference_count

    def with_references(self, references: Sequence[CitedWork]) -> S2Paper:
        return S2Paper(
            self.paper_id,
            self.title,
            self.keys,
            self.citation_count,
            self.reference_count,
            tuple(references),
            max(self.reference_items, self.reference_count or 0, len(references)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "paperId": self.paper_id,
            "title": self.title,
            "keys": list(self.keys),
            "citationCount": self.citation_count,
            "referenceCount": self.reference_count,
            "references": [[w.key, w.title, w.year] for w in self.references],
            "referenceItems": self.reference_items,
        }

    @classmethod
    def from_json(cls, data: Any) -> S2Paper:
        """The inverse of :meth:`to_json`; TypeError/ValueError/KeyError when it is not one."""
        if not isinstance(data, dict):
            raise TypeError("not a mapping")
        references = []
        for item in data["references"]:
            key, title, year = item
            references.append(CitedWork(_text(key), _text(title), _count(year)))
        return cls(
            paper_id=_text(data["paperId"]),
            title=_text(data["title"]),
            keys=tuple(_text(k) for k in data["keys"]),
            citation_count=_count(data["citationCount"]),
            reference_count=_count(data["referenceCount"]),
            references=tuple(references),
            reference_items=_count(data.get("referenceItems", len(references))) or 0,
        )


@dataclass(frozen=True)
class ReferencePage:
    """One page of ``/paper/{id}/references``."""

    offset: int
    next: int | None
    works: tuple[CitedWork, ...]
    items: int  # entries on the page, including those without any id


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_title(value: object) -> str:
    """A title as one line of plain text (empty when S2 has none).

    Control characters (a terminal's escape sequences, bidirectional overrides)
    are dropped: a title is shown in terminals and annotations as well as pages.
    """
    if not isinstance(value, str):
        return ""
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not text: {value!r}")
    return value


def _count(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"not a count: {value!r}")
    return value


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise S2FormatError(f"not JSON ({err})") from err


def _year(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def cited_work(item: object) -> CitedWork | None:
    """A nested paper (``references[i]`` or ``citedPaper``); None when it carries no id."""
    if not isinstance(item, dict):
        return None
    ids = item.get("externalIds")
    key = paper_key(ids if isinstance(ids, dict) else None, item.get("paperId"))
    if key is None:
        return None
    return CitedWork(key, clean_title(item.get("title")), _year(item.get("year")))


def _works(items: object) -> tuple[CitedWork, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise S2FormatError("a reference list that is not a list")
    found: dict[str, CitedWork] = {}
    for item in items:
        work = cited_work(item)
        if work is not None:
            found.setdefault(work.key, work)
    return tuple(found.values())


def _paper(item: object) -> S2Paper:
    if not isinstance(item, dict):
        raise S2FormatError("a batch item that is neither a paper nor null")
    paper_id = item.get("paperId")
    if not isinstance(paper_id, str) or not paper_id:
        raise S2FormatError("a paper without paperId")
    ids = item.get("externalIds")
    listed = item.get("references")
    try:
        citation_count = _count(item.get("citationCount"))
        reference_count = _count(item.get("referenceCount"))
    except TypeError as err:
        raise S2FormatError(str(err)) from err
    return S2Paper(
        paper_id=paper_id,
        title=clean_title(item.get("title")),
        keys=keys_from_external_ids(ids if isinstance(ids, dict) else None),
        citation_count=citation_count,
        reference_count=reference_count,
        references=_works(listed),
        reference_items=len(listed) if isinstance(listed, list) else 0,
    )


def parse_batch(body: bytes, asked: int) -> list[S2Paper | None]:
    """The papers of a batch answer, one per asked id in order (None: S2 does not know it).

    Raises S2FormatError when the body is not a list of ``asked`` papers-or-nulls.
    """
    data = _json(body)
    if not isinstance(data, list):
        raise S2FormatError("a batch answer that is not a list")
    if len(data) != asked:
        raise S2FormatError(f"{len(data)} answers for {asked} ids")
    return [None if item is None else _paper(item) for item in data]


def parse_reference_page(body: bytes) -> ReferencePage:
    """One page of a paper's references; S2FormatError when it is not one."""
    data = _json(body)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise S2FormatError("a references page without a data list")
    offset, following = data.get("offset", 0), data.get("next")
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise S2FormatError("a references page without a numeric offset")
    if following is not None and (isinstance(following, bool) or not isinstance(following, int)):
        raise S2FormatError("a references page whose next is not a number")
    items = data["data"]
    works = _works([i.get("citedPaper") if isinstance(i, dict) else None for i in items])
    return ReferencePage(offset, following, works, len(items))


def error_message(body: bytes) -> str | None:
    """What S2 says went wrong (``error`` or ``message``), one line, or None."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    for name in ("error", "message"):
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= 300 else text[:299] + "…"
    return None
