"""``kbtool new``: one note per paper, its metadata from arXiv, its body a template.

All or nothing: every id is parsed, every option checked, every paper looked up
and every note rendered before the first file is written. A paper that already
has a note (any version) stops the command before any request is made. Files
are created with :func:`~kbtool.util.atomic_write.write_text_atomic` in exclusive
mode, so a note is never overwritten, even one that appears meanwhile.

A paper adopted from the inbox (``kbtool watch``) then leaves ``inbox.yml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from kbtool.arxiv.fields import arxiv_owned_values, fields_from_record
from kbtool.arxiv.lookup import ArxivLookup
from kbtool.arxiv.record import ArxivRecord
from kbtool.arxiv.sync import SyncRecord
from kbtool.citations.update import CitationSession, update_citations
from kbtool.config import Layout, load_settings
from kbtool.core.arxiv_id import ArxivId, parse_arxiv_id
from kbtool.core.filenames import filename_problem, note_filename, unique_filename
from kbtool.core.frontmatter import render_frontmatter
from kbtool.core.knowledge_base import iter_note_files, read_notes
from kbtool.core.schema import FIELDS, STATUSES
from kbtool.core.topics import TopicRegistry, load_topics
from kbtool.errors import (
    ArxivQueryError,
    ConfigError,
    InboxFormatError,
    PaperHasNoteError,
    UnknownPaperError,
    UsageError,
)
from kbtool.util.atomic_write import write_text_atomic
from kbtool.watch.inbox import forget_papers

DEFAULT_STATUS = "to-read"

BODY_TEMPLATE = """\
## TL;DR

<!-- The paper in one or two sentences: what is new, and does it work? -->

## Key ideas

## Method

## Results

## My notes
"""


@dataclass(frozen=True)
class NewNoteOptions:
    """What the researcher adds to arXiv's metadata (topics by id, title or alias)."""

    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    status: str = DEFAULT_STATUS
    citations: bool = True  # then add the new papers' citations to citations.json


@dataclass(frozen=True)
class CreatedNote:
    path: Path
    arxiv_id: ArxivId
    title: str
    left_inbox: bool = False  # the paper was in the inbox, and was removed from it


def parse_requested_ids(texts: Iterable[str]) -> list[ArxivId]:
    """The ids as pasted, parsed (ArxivIdError on the first bad one), one per paper."""
    ids: dict[str, ArxivId] = {}
    for text in texts:
        parsed = parse_arxiv_id(text)
        ids.setdefault(parsed.base, parsed)
    if not ids:
        raise UsageError("no arXiv id given (e.g. kbtool new 2410.05677)")
    return list(ids.values())


def resolve_topics(names: Iterable[str], registry: TopicRegistry) -> tuple[str, ...]:
    """Topic ids for ``names`` (id, title or alias); UsageError naming an unknown one."""
    resolved: list[str] = []
    for name in names:
        topic = registry.find(name)
        if topic is None:
            known = ", ".join(t.id for t in registry) or "none: add topics to topics.yml"
            raise UsageError(f"--topic {name!r} is not in topics.yml (known: {known})")
        if topic.id not in resolved:
            resolved.append(topic.id)
    return tuple(resolved)


def _clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for tag in tags:
        text = " ".join(tag.split())
        if not text:
            raise UsageError("--tag must not be empty")
        if text not in cleaned:
            cleaned.append(text)
    return tuple(cleaned)


def render_new_note(
    record: ArxivRecord, requested: ArxivId, options: NewNoteOptions, added: date
) -> str:
    """The text of a new note: frontmatter in schema order, then the body template."""
    values: dict[str, Any] = dict(fields_from_record(record))
    # The id as the researcher named it: a version they asked for is theirs to keep.
    values["arxiv"] = str(requested)
    values["topics"] = list(options.topics)
    if options.tags:
        values["tags"] = list(options.tags)
    values["status"] = options.status
    values["added"] = added
    ordered = {spec.name: values[spec.name] for spec in FIELDS if spec.name in values}
    return render_frontmatter(ordered) + "\n" + BODY_TEMPLATE


def _existing_notes(layout: Layout) -> tuple[dict[str, list[str]], set[str]]:
    """Note paths by paper (base id), and the file names taken in ``notes/``."""
    notes, _ = read_notes(layout, iter_note_files(layout))
    by_paper: dict[str, list[str]] = {}
    for note in notes:
        if note.arxiv_id is not None:
            by_paper.setdefault(note.arxiv_id.base, []).append(note.path)
    taken = {p.name for p in layout.notes_dir.iterdir()} if layout.notes_dir.is_dir() else set()
    return by_paper, taken


def create_notes(
    layout: Layout,
    id_texts: Sequence[str],
    options: NewNoteOptions,
    *,
    today: date,
    lookup: ArxivLookup | None = None,
    registry: TopicRegistry | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[CreatedNote]:
    """Create one note per paper named in ``id_texts``; see the module docstring.

    ``lookup`` and ``registry`` default to the knowledge base's own (its settings,
    cache and topics.yml). Raises ArxivIdError (a malformed id), UsageError (a bad option),
    PaperHasNoteError (a paper already has a note), ArxivQueryError (arXiv
    rejected an id), UnknownPaperError (arXiv has no such paper), RemoteError
    (arXiv unreachable after retries) — in each case before anything is written.
    The papers then leave the inbox; if ``inbox.yml`` cannot be read, it is left
    alone and ``warn`` is told why (readers of the inbox skip papers with notes anyway).
    """
    ids = parse_requested_ids(id_texts)
    if registry is None:
        registry, problems = load_topics(layout.topics_file, layout.relative(layout.topics_file))
        if options.topics and not len(registry) and problems and layout.topics_file.exists():
            # The file is there but gave no topics: say so, rather than "unknown topic".
            raise ConfigError(
                f"{problems[0].message}; --topic needs it", layout.topics_file, problems[0].line
            )
    if options.status not in STATUSES:
        raise UsageError(f"--status must be one of {', '.join(STATUSES)}, not {options.status!r}")
    options = replace(
        options, topics=resolve_topics(options.topics, registry), tags=_clean_tags(options.tags)
    )
    by_paper, taken = _existing_notes(layout)
    clashes = [(arxiv_id, by_paper[arxiv_id.base]) for arxiv_id in ids if arxiv_id.base in by_paper]
    if clashes:
        described = "; ".join(f"{i} already has a note: {', '.join(p)}" for i, p in clashes)
        paths = tuple(layout.root / p for _, found in clashes for p in found)
        hint = " ".join(p.relative_to(layout.root).as_posix() for p in paths)
        raise PaperHasNoteError(
            f"{described} (nothing written; to refresh arXiv fields: kbtool enrich {hint})",
            paths[0],
            paths,
        )
    if lookup is None:
        lookup = ArxivLookup.open(layout, load_settings(layout))
    citations = CitationSession.open(layout, load_settings(layout)) if options.citations else None
    records = _look_up(lookup, [i.base for i in ids])
    planned: list[tuple[ArxivId, ArxivRecord, str]] = []
    for arxiv_id in ids:
        record = records[arxiv_id.base]
        planned.append((arxiv_id, record, render_new_note(record, arxiv_id, options, today)))
    sync = SyncRecord.load(layout.sync_record_file)
    created: list[CreatedNote] = []
    for arxiv_id, record, text in planned:
        path = _write_new(layout, note_filename(record.title, arxiv_id), text, taken)
        sync.remember(record.base, arxiv_owned_values(record))
        created.append(CreatedNote(path, arxiv_id, record.title))
    sync.save()
    if citations is not None:
        with citations:
            report = update_citations(layout, citations, {layout.relative(n.path) for n in created})
        if warn is not None:
            for problem in report.problems():
                warn(problem)
    return _leave_inbox(layout, created, warn)


def _leave_inbox(
    layout: Layout, created: list[CreatedNote], warn: Callable[[str], None] | None
) -> list[CreatedNote]:
    """Remove the new notes' papers from the inbox; ``created``, marked accordingly."""
    try:
        gone = set(forget_papers(layout, [note.arxiv_id.base for note in created]))
    except (InboxFormatError, OSError) as err:
        if warn is not None:
            warn(f"the inbox was left as it is: {err}")
        return created
    return [replace(note, left_inbox=note.arxiv_id.base in gone) for note in created]


def _look_up(lookup: ArxivLookup, bases: list[str]) -> dict[str, ArxivRecord]:
    records: dict[str, ArxivRecord] = {}
    unknown: list[str] = []
    for batch in lookup.batches(bases):
        if batch.error is not None:
            raise batch.error
        for base, message in batch.rejected.items():
            raise ArxivQueryError(f"{message} (nothing written)", "", 400, base)
        records.update(batch.records)
        unknown.extend(batch.unknown)
    if unknown:
        raise UnknownPaperError(
            f"arXiv has no paper {', '.join(unknown)} (nothing written)", tuple(unknown)
        )
    return records


def _write_new(layout: Layout, name: str, text: str, taken: set[str]) -> Path:
    """Write ``text`` under a free name in ``notes/`` (``-2``, ``-3``… if needed)."""
    while True:
        name = unique_filename(name, taken)
        why = filename_problem(name)
        if why is not None:  # note_filename only makes safe names; never write others
            raise AssertionError(f"unsafe note file name {name!r}: {why}")
        path = layout.notes_dir / name
        try:
            write_text_atomic(path, text, exclusive=True)
        except FileExistsError:
            taken.add(name)
            continue
        taken.add(name)
        return path
