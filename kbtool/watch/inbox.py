"""The inbox: new arXiv papers found by ``kbtool watch``, kept in ``inbox.yml`` at the root.

The file is data, committed by the watch workflow, so it is written to diff
well: a fixed field order, one field per line, entries newest-arrival first
(then by id), and the same bytes for the same content. It is read and written
here only (:func:`parse_inbox` / :func:`render_inbox`, pure; :func:`load_inbox`
/ :func:`save_inbox`, the edges; every write atomic). How a watch run changes
the entries is :mod:`kbtool.watch.merge`.

A paper is **adopted** when a note for the paper (any version) exists: ``kbtool
new`` removes it from the file (:func:`forget_papers`), and whoever reads the
inbox filters it against the notes anyway (:func:`waiting`), so a paper with a
note never shows, however it got its note.

``summary`` is the place for a short summary of the paper, written by hand;
kbtool never writes one,
and the site shows it when present.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from kbtool.arxiv.record import ArxivRecord
from kbtool.config import Layout, lock_file, mapping_key_lines, read_yaml_mapping
from kbtool.core.arxiv_id import ArxivId, parse_arxiv_id
from kbtool.core.note import Note
from kbtool.errors import ArxivIdError, InboxFormatError
from kbtool.util.atomic_write import write_text_if_changed
from kbtool.util.locks import file_lock
from kbtool.util.safe_read import read_regular_text
from kbtool.util.yaml_dump import dump_yaml
from kbtool.watch.scoring import PaperScore

HEADER = """\
# The inbox of `kbtool watch`: new arXiv papers matching the `watch:` settings in kbtool.yml,
# shown best first on the site's Inbox page and in its feed.xml. Written by `kbtool watch`
# (daily, by .github/workflows/watch.yml): edit kbtool.yml rather than this file.
# `kbtool new ID` adopts a paper (it leaves the inbox); a paper also leaves
# `watch.keep_for` (14d) after `first_seen`.
"""


@dataclass(frozen=True)
class InboxEntry:
    """One paper in the inbox: arXiv's metadata, how it matched, and when it arrived."""

    id: str  # the base id, without version: what `kbtool new` is given
    version: int
    title: str
    authors: tuple[str, ...]
    category: str  # arXiv's primary category
    categories: tuple[str, ...]
    published: date  # submitted to arXiv (first version)
    first_seen: date  # arrived in the inbox
    score: float
    keywords: tuple[str, ...]  # every keyword that matched, in the settings' order
    title_keywords: tuple[str, ...]  # those of them found in the title
    abstract: str
    comment: str | None = None
    summary: str | None = None  # a short summary, written by hand (kept across runs)

    @property
    def arxiv_id(self) -> ArxivId:
        return ArxivId(self.id, self.version)

    @property
    def abs_url(self) -> str:
        return self.arxiv_id.without_version().abs_url

    @property
    def pdf_url(self) -> str:
        return self.arxiv_id.pdf_url

    @property
    def adopt_command(self) -> str:
        """The command that turns the paper into a note (its latest version)."""
        return f"kbtool new {self.id}"

    def rank_key(self) -> tuple[float, date, str]:
        """Best first when sorted: highest score, then most recent, then by id."""
        return (-self.score, _negated(self.published), self.id)


def _negated(day: date) -> date:
    # Sorting ascending on this puts later dates first.
    return date.fromordinal(date.max.toordinal() - day.toordinal() + 1)


def entry_from_record(record: ArxivRecord, score: PaperScore, first_seen: date) -> InboxEntry:
    """The inbox entry for a scored arXiv record arriving on ``first_seen``."""
    return InboxEntry(
        id=record.base,
        version=record.version,
        title=record.title,
        authors=record.authors,
        category=record.primary_category,
        categories=record.categories,
        published=record.published.date(),
        first_seen=first_seen,
        score=score.score,
        keywords=score.keywords,
        title_keywords=score.title_keywords,
        abstract=record.abstract,
        comment=record.comment,
    )


# --- the file -----------------------------------------------------------------------------------

#: The fields of an entry, in the order they are written; ``abstract`` last, it is long.
FIELD_ORDER = (
    "id",
    "version",
    "title",
    "authors",
    "category",
    "categories",
    "published",
    "first_seen",
    "score",
    "keywords",
    "title_keywords",
    "comment",
    "summary",
    "abstract",
)
_OPTIONAL = {"comment", "summary"}


def file_order(entries: Iterable[InboxEntry]) -> list[InboxEntry]:
    """Entries as the file keeps them: latest arrivals first, then by id (stable diffs)."""
    by_id = sorted(entries, key=lambda e: e.id)
    return sorted(by_id, key=lambda e: e.first_seen, reverse=True)


def entry_values(entry: InboxEntry) -> dict[str, Any]:
    """An entry's fields as ``inbox.yml`` names them, in :data:`FIELD_ORDER`."""
    return {
        "id": entry.id,
        "version": entry.version,
        "title": entry.title,
        "authors": list(entry.authors),
        "category": entry.category,
        "categories": list(entry.categories),
        "published": entry.published,
        "first_seen": entry.first_seen,
        "score": entry.score,
        "keywords": list(entry.keywords),
        "title_keywords": list(entry.title_keywords),
        "comment": entry.comment,
        "summary": entry.summary,
        "abstract": entry.abstract,
    }


def render_inbox(entries: Iterable[InboxEntry]) -> str:
    """The text of ``inbox.yml`` for ``entries``; :func:`parse_inbox` reads it back equal."""
    papers = []
    for entry in file_order(entries):
        values = entry_values(entry)
        papers.append({k: values[k] for k in FIELD_ORDER if values[k] is not None})
    # One line per value: a changed abstract is a one-line diff.
    body = dump_yaml({"papers": papers}, width=1_000_000)
    return HEADER + body


def parse_inbox(text: str, path: str = "inbox.yml") -> list[InboxEntry]:
    """The entries of an ``inbox.yml`` text; InboxFormatError (path, line) if it is not one."""
    document = read_yaml_mapping(text, path, InboxFormatError, "a mapping with a `papers:` list")
    if document is None:
        return []
    data, node = document
    lines = mapping_key_lines(node)
    unknown = [str(k) for k in data if k != "papers"]
    if unknown:
        raise InboxFormatError(
            f"unknown key {unknown[0]!r} (only `papers:`)", path, lines.get(unknown[0])
        )
    papers = data.get("papers")
    if papers is None:
        return []
    papers_node = next(v for k, v in node.value if k.value == "papers")
    if not isinstance(papers, list) or not isinstance(papers_node, yaml.SequenceNode):
        raise InboxFormatError("`papers:` must be a list", path, lines.get("papers"))
    entries: list[InboxEntry] = []
    seen: dict[str, int] = {}
    for item, item_node in zip(papers, papers_node.value, strict=True):
        line = item_node.start_mark.line + 1
        key_lines = (
            {str(k.value): k.start_mark.line + 1 for k, _ in item_node.value}
            if isinstance(item_node, yaml.MappingNode)
            else {}
        )
        entry = _entry(item, _EntryContext(path, line, key_lines))
        if entry.id in seen:
            raise InboxFormatError(
                f"paper {entry.id} is listed twice (also on line {seen[entry.id]})", path, line
            )
        seen[entry.id] = line
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class _EntryContext:
    path: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def error(self, key: str | None, message: str) -> InboxFormatError:
        line = self.key_lines.get(key, self.line) if key else self.line
        return InboxFormatError(message, self.path, line)


def _entry(item: object, where: _EntryContext) -> InboxEntry:
    if not isinstance(item, dict):
        raise where.error(None, "each paper must be a mapping of fields")
    for key in item:
        if key not in FIELD_ORDER:
            raise where.error(str(key), f"{key!r} is not an inbox field ({', '.join(FIELD_ORDER)})")
    for key in FIELD_ORDER:
        if key not in _OPTIONAL and key not in item:
            raise where.error(None, f"paper without `{key}:`")

    def text(key: str) -> str:
        value = item[key]
        if not isinstance(value, str):
            raise where.error(key, f"`{key}:` must be text, not {value!r}")
        return value

    def optional_text(key: str) -> str | None:
        return None if item.get(key) is None else text(key)

    def texts(key: str) -> tuple[str, ...]:
        value = item[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise where.error(key, f"`{key}:` must be a list of text")
        return tuple(value)

    def day(key: str) -> date:
        value = item[key]
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise where.error(key, f"`{key}:` must be a date (YYYY-MM-DD), not {value!r}") from None

    raw_id = item["id"]
    try:
        parsed = parse_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    except ArxivIdError:
        parsed = None
    if parsed is None or parsed.version is not None or parsed.base != raw_id:
        raise where.error("id", f"`id:` must be an arXiv id without version, not {raw_id!r}")
    version = item["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise where.error("version", f"`version:` must be a whole number from 1, not {version!r}")
    score = item["score"]
    if isinstance(score, bool) or not isinstance(score, int | float) or score < 0:
        raise where.error("score", f"`score:` must be a number, not {score!r}")
    return InboxEntry(
        id=parsed.base,
        version=version,
        title=text("title"),
        authors=texts("authors"),
        category=text("category"),
        categories=texts("categories"),
        published=day("published"),
        first_seen=day("first_seen"),
        score=float(score),
        keywords=texts("keywords"),
        title_keywords=texts("title_keywords"),
        abstract=text("abstract"),
        comment=optional_text("comment"),
        summary=optional_text("summary"),
    )


def load_inbox(layout: Layout) -> list[InboxEntry]:
    """The knowledge base's inbox (none yet: empty); InboxFormatError if it cannot be read."""
    path = layout.inbox_file
    display = layout.relative(path)
    try:
        text = read_regular_text(path)
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as err:
        raise InboxFormatError(f"not valid UTF-8 ({err.reason})", display) from err
    except OSError as err:
        raise InboxFormatError(f"cannot read: {err.strerror}", display) from err
    return parse_inbox(text, display)


def save_inbox(layout: Layout, entries: Iterable[InboxEntry]) -> bool:
    """Write the inbox atomically, only if its text changes; True when it was written."""
    return write_text_if_changed(layout.inbox_file, render_inbox(entries))


# --- papers with notes ------------------------------------------------------------------------


def known_papers(notes: Iterable[Note]) -> set[str]:
    """The base arXiv ids that have a note (any version)."""
    return {note.arxiv_id.base for note in notes if note.arxiv_id is not None}


def waiting(entries: Iterable[InboxEntry], known: set[str]) -> list[InboxEntry]:
    """The entries still waiting (no note for the paper yet), best first."""
    return sorted((e for e in entries if e.id not in known), key=InboxEntry.rank_key)


def forget_papers(layout: Layout, bases: Iterable[str]) -> list[str]:
    """Remove the papers ``bases`` from the inbox file; the ids that were there.

    InboxFormatError when the inbox cannot be read (it is then left as it is).
    """
    wanted = set(bases)
    with inbox_lock(layout):
        entries = load_inbox(layout)
        gone = [e.id for e in entries if e.id in wanted]
        if gone:
            save_inbox(layout, [e for e in entries if e.id not in wanted])
    return gone


def inbox_lock(layout: Layout) -> AbstractContextManager[None]:
    """Held while ``inbox.yml`` is read, changed and written (``watch``, ``new``)."""
    return file_lock(lock_file(layout.inbox_file), "updating inbox.yml")
