"""``citations.json``: the citation data, committed beside ``notes/`` so the site needs no network.

Written by ``kbtool enrich`` and ``kbtool new`` (never by hand), committed by the
enrich workflow with the arXiv metadata, read by the site, ``kbtool check`` and
``kbtool watch``. It is written to diff well: papers sorted by key, one paper per
block, its fields in a fixed order, one reference per line, lists sorted, the same
bytes for the same content, written atomically. A changed citation count is a
two-line diff (the count and the date it was read)::

    {
     "format": 1,
     "papers": {
      "arXiv:2309.12307": {
       "s2": "<Semantic Scholar's paper id>",
       "title": "<the paper's title at Semantic Scholar>",
       "ids": ["arXiv:2309.12307", "DOI:…"],
       "citations": 412,
       "read": "2026-11-28",
       "references": ["arXiv:2106.09685", "arXiv:2307.09288", …],
       "cited_by": ["arXiv:2402.13753"]
      }
     },
     "cited": {
      "arXiv:2106.09685": {"title": "LoRA: …", "year": 2021}
     }
    }

* ``papers`` holds one entry per paper that has a note, keyed by the note's own id
  (``arXiv:`` when it has one, else ``DOI:``; see :mod:`kbtool.citations.keys`);
* ``references``: every paper it cites, by key; ``cited_by``: the papers *of your
  notes* that cite it (its full count is ``citations``; the whole list of citing
  papers would be thousands of lines for a well-known paper, and the citations
  between notes are all there is to show);
* ``cited``: the title and year of each paper cited by at least two of your notes
  that has no note itself, so the site and ``watch`` can list "missing" papers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kbtool.citations.parse import clean_title
from kbtool.errors import CitationDataError
from kbtool.util.atomic_write import write_text_if_changed
from kbtool.util.safe_read import read_regular_text

DATA_FORMAT = 1
#: ``cited`` keeps the titles of papers cited by at least this many notes.
SHARED_MIN = 2
_ENTRY_FIELDS = ("s2", "title", "ids", "citations", "read", "references", "cited_by")
_CITED_FIELDS = ("title", "year")


@dataclass(frozen=True)
class PaperEntry:
    """What Semantic Scholar says about one paper that has a note."""

    s2_id: str
    title: str
    ids: tuple[str, ...]  # every key S2 knows the paper by (arXiv, DOI)
    citation_count: int | None
    read: date  # when the count (and the rest) was read
    references: tuple[str, ...]
    cited_by: tuple[str, ...] = ()  # keys of the papers with notes that cite it


@dataclass(frozen=True)
class CitedPaper:
    """A paper some notes cite, which has no note: how to show it."""

    title: str
    year: int | None = None


@dataclass(frozen=True)
class CitationData:
    papers: dict[str, PaperEntry] = field(default_factory=dict)
    cited: dict[str, CitedPaper] = field(default_factory=dict)


def entry_index(papers: Mapping[str, PaperEntry]) -> dict[str, str]:
    """Every key each entry is known by (its own and S2's ids) → the entry's key."""
    index: dict[str, str] = {}
    for key, entry in sorted(papers.items()):
        for alias in entry.ids:
            index.setdefault(alias, key)
    for key in papers:
        index[key] = key
    return index


def assemble_citation_data(
    papers: Mapping[str, PaperEntry], titles: Mapping[str, CitedPaper]
) -> CitationData:
    """The data for ``papers``: each one's ``cited_by`` worked out, and the ``cited`` titles.

    ``titles`` are what is known about cited papers (S2's answers, the previous
    file); only those cited by at least :data:`SHARED_MIN` papers are kept.
    """
    index = entry_index(papers)
    cited_by: dict[str, set[str]] = defaultdict(set)
    others: dict[str, set[str]] = defaultdict(set)
    for key, entry in papers.items():
        for reference in entry.references:
            target = index.get(reference)
            if target is None:
                others[reference].add(key)
            elif target != key:
                cited_by[target].add(key)
    entries = {
        key: PaperEntry(
            entry.s2_id,
            entry.title,
            tuple(sorted(set(entry.ids))),
            entry.citation_count,
            entry.read,
            tuple(sorted(set(entry.references))),
            tuple(sorted(cited_by.get(key, ()))),
        )
        for key, entry in sorted(papers.items())
    }
    cited = {
        key: titles.get(key, CitedPaper(""))
        for key, citing in sorted(others.items())
        if len(citing) >= SHARED_MIN
    }
    return CitationData(entries, cited)


# --- the file -----------------------------------------------------------------------------------


def render_citation_data(data: CitationData) -> str:
    """The text of ``citations.json``; :func:`parse_citation_data` reads it back equal."""
    papers = {
        key: {
            "s2": entry.s2_id,
            "title": entry.title,
            "ids": list(entry.ids),
            "citations": entry.citation_count,
            "read": entry.read.isoformat(),
            "references": list(entry.references),
            "cited_by": list(entry.cited_by),
        }
        for key, entry in sorted(data.papers.items())
    }
    cited = {
        key: {"title": paper.title, "year": paper.year} for key, paper in sorted(data.cited.items())
    }
    document = {"format": DATA_FORMAT, "papers": papers, "cited": cited}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _line_of(text: str, key: str) -> int:
    at = text.find(json.dumps(key, ensure_ascii=False))
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def parse_citation_data(text: str, path: str = "citations.json") -> CitationData:
    """The data in a ``citations.json`` text; CitationDataError (path, line) if it is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise CitationDataError(f"not valid JSON: {err.msg}", path, err.lineno) from err
    if not isinstance(document, dict) or document.get("format") != DATA_FORMAT:
        raise CitationDataError(
            f"not a citation data file of format {DATA_FORMAT} (written by another kbtool?)",
            path,
            1,
        )
    unknown = [k for k in document if k not in ("format", "papers", "cited")]
    if unknown:
        raise CitationDataError(f"unknown key {unknown[0]!r}", path, _line_of(text, unknown[0]))
    papers: dict[str, PaperEntry] = {}
    for key, value in _mapping(document.get("papers"), "papers", text, path).items():
        papers[key] = _entry(key, value, text, path)
    cited: dict[str, CitedPaper] = {}
    for key, value in _mapping(document.get("cited"), "cited", text, path).items():
        cited[key] = _cited(key, value, text, path)
    return CitationData(papers, cited)


def _mapping(value: Any, name: str, text: str, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CitationDataError(f"`{name}` must be a mapping", path, _line_of(text, name))
    return value


def _entry(key: str, value: Any, text: str, path: str) -> PaperEntry:
    line = _line_of(text, key)

    def fail(message: str) -> CitationDataError:
        return CitationDataError(f"paper {key}: {message}", path, line)

    if not isinstance(value, dict):
        raise fail("must be a mapping")
    for name in value:
        if name not in _ENTRY_FIELDS:
            raise fail(f"unknown field {name!r} (known: {', '.join(_ENTRY_FIELDS)})")
    for name in ("s2", "title", "read"):
        if not isinstance(value.get(name), str):
            raise fail(f"`{name}` must be text")
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("ids", "references", "cited_by"):
        items = value.get(name, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise fail(f"`{name}` must be a list of paper keys")
        lists[name] = tuple(items)
    count = value.get("citations")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise fail(f"`citations` must be a count, not {count!r}")
    try:
        read = date.fromisoformat(value["read"])
    except ValueError:
        raise fail(f"`read` must be a date (YYYY-MM-DD), not {value['read']!r}") from None
    return PaperEntry(
        value["s2"],
        clean_title(value["title"]),  # data from disk: one line, no control characters
        lists["ids"],
        count,
        read,
        lists["references"],
        lists["cited_by"],
    )


def _cited(key: str, value: Any, text: str, path: str) -> CitedPaper:
    if not isinstance(value, dict) or any(name not in _CITED_FIELDS for name in value):
        raise CitationDataError(
            f"cited paper {key}: must be a mapping of title and year", path, _line_of(text, key)
        )
    title, year = value.get("title", ""), value.get("year")
    if not isinstance(title, str) or not (
        year is None or (isinstance(year, int) and not isinstance(year, bool))
    ):
        raise CitationDataError(
            f"cited paper {key}: title must be text and year a number", path, _line_of(text, key)
        )
    return CitedPaper(clean_title(title), year)


def load_citation_data(path: Path, display: str) -> CitationData:
    """The data at ``path`` (none yet: empty); CitationDataError if it cannot be read."""
    try:
        text = read_regular_text(path)
    except FileNotFoundError:
        return CitationData()
    except UnicodeDecodeError as err:
        raise CitationDataError(f"not valid UTF-8 ({err.reason})", display) from err
    except OSError as err:
        raise CitationDataError(f"cannot read: {err.strerror}", display) from err
    return parse_citation_data(text, display)


def save_citation_data(path: Path, data: CitationData) -> bool:
    """Write the data atomically, only if its text changes; True when it was written."""
    return write_text_if_changed(path, render_citation_data(data))
