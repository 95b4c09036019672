"""Deciding what the import does to each file, and doing it: create, update, or leave alone.

For each paper the note's path is the one the manifest records for it, else the note
the knowledge base already has for it (same arXiv id, OpenReview id or URL; same title
for a paper without a link), else a new name from :func:`kbtool.core.filenames.note_filename`.
Then, per file:

- absent → **create** (exclusively: a file that appeared meanwhile is never clobbered);
- present and the importer's own, unedited (its hash is in the manifest) → **unchanged**
  when the new text is the same, else **update** (keeping its ``added`` date) — unless it
  was made from source files that are not part of this import: rewriting it from fewer
  sources would drop their text, so it is **kept**;
- present otherwise → **kept**: edited since the import, or written by the researcher.

Nothing is written in a dry run. The manifest is written before the files, recording
the new hashes beside the old ones, so an interrupted run never leaves a file the
importer wrote looking like the researcher's edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

from kbtool.config import Layout
from kbtool.core.filenames import note_filename, unique_filename
from kbtool.core.knowledge_base import KnowledgeBase
from kbtool.core.note import Note, parse_note
from kbtool.importers.manifest import Manifest, save_manifest
from kbtool.importers.merge import MergeResult, Paper, PlacedTopicBlock, normalized_name
from kbtool.importers.model import MentionKey
from kbtool.importers.parsing.paper_links import normalized_url
from kbtool.importers.render import render_note, render_topic_text
from kbtool.importers.topic_map import UNSORTED, UNSORTED_ENTRY
from kbtool.util.atomic_write import write_text_atomic


class Action(Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    KEEP_EDITED = "keep (edited since import)"
    KEEP_EXISTING = "keep (not written by the importer)"
    KEEP_PARTIAL = "keep (also made from files not in this import)"

    @property
    def writes(self) -> bool:
        return self in (Action.CREATE, Action.UPDATE)


@dataclass
class PlannedFile:
    """One file the import concerns: its path, the text it would have, and the action."""

    path: str
    kind: str  # "note" or "topic"
    key: str
    text: str
    action: Action
    sources: list[str]
    paper: Paper | None = None
    topic: str | None = None


def _source_file(source: str) -> str:
    return source.rsplit(":", 1)[0]


def _sources_of(paper: Paper) -> list[str]:
    found = [f"{m.file}:{m.line}" for m in paper.mentions]
    found.extend(f"{r.file}:{r.line}" for r in paper.referenced_from)
    return found


class _ExistingNotes:
    """The notes already in the knowledge base, by the identities the importer uses."""

    def __init__(self, notes: Iterable[Note]) -> None:
        self.by_key: dict[str, str] = {}
        for note in notes:
            if note.arxiv_id is not None:
                self.by_key.setdefault(f"arxiv:{note.arxiv_id.base}", note.path)
            for field_name, prefix in (("openreview", "openreview"), ("url", "url")):
                value = note.fields.get(field_name)
                if isinstance(value, str) and value.strip():
                    normal = normalized_url(value) if prefix == "url" else value.strip()
                    self.by_key.setdefault(f"{prefix}:{normal}", note.path)
            for name in [note.title, *note.string_list("aliases")]:
                self.by_key.setdefault(f"title:{normalized_name(name)}", note.path)

    def find(self, paper: Paper) -> str | None:
        found = self.by_key.get(paper.key)
        if found is None and paper.arxiv is None and not paper.openreview and not paper.url:
            for name in [paper.title, *paper.aliases]:
                found = self.by_key.get(f"title:{normalized_name(name)}")
                if found:
                    break
        return found


def _existing_added(text: str, path: str) -> date | None:
    return parse_note(text, path).date_of("added")


def plan(
    layout: Layout,
    kb: KnowledgeBase,
    merged: MergeResult,
    manifest: Manifest,
    today: date,
) -> list[PlannedFile]:
    """What the import would do to every file it concerns; reads, never writes."""
    existing = _ExistingNotes(kb.notes)
    files = set(merged.sources)
    taken = {p.name for p in layout.notes_dir.glob("*.md")} if layout.notes_dir.is_dir() else set()
    paths: dict[int, str] = {}
    for index, paper in enumerate(merged.papers):
        path = manifest.path_for(paper.key)
        if path is None or not (layout.root / path).is_file():
            path = existing.find(paper)
        if path in paths.values():
            path = None  # two papers, one existing note (by title): the second gets its own
        if path is None:
            other = f"openreview-{paper.openreview}" if paper.openreview else None
            name = unique_filename(note_filename(paper.title, paper.arxiv, other), taken)
            taken.add(name)
            path = f"notes/{name}"
        paths[index] = path
    stem_by_key: dict[MentionKey, str] = {}
    name_by_key: dict[MentionKey, str] = {}
    for index, paper in enumerate(merged.papers):
        stem = Path(paths[index]).stem
        for mention in paper.mentions:
            stem_by_key[mention.key] = stem
            name_by_key[mention.key] = mention.display_name

    def stem_of(key: MentionKey) -> str:
        return stem_by_key[key]

    def name_of(key: MentionKey) -> str:
        return name_by_key[key]

    planned: list[PlannedFile] = []
    for index, paper in enumerate(merged.papers):
        path = paths[index]

        def render(added: date, paper: Paper = paper) -> str:
            return render_note(paper, added, stem_of, merged.source_text)

        planned.append(
            _decide(
                layout, manifest, path, "note", paper.key, render, today, _sources_of(paper), files
            )
        )
        planned[-1].paper = paper
    by_topic: dict[str, list[PlacedTopicBlock]] = {}
    for placed in merged.topic_blocks:
        by_topic.setdefault(placed.topic, []).append(placed)
    for topic, blocks in by_topic.items():
        text = render_topic_text(blocks, stem_of, name_of, merged.source_text)
        path = f"topics/{topic}.md"
        sources = [f"{b.file}:{b.block.block.first_line}" for b in blocks]
        planned.append(
            _decide(
                layout,
                manifest,
                path,
                "topic",
                f"topic:{topic}",
                _fixed(text),
                today,
                sources,
                files,
            )
        )
        planned[-1].topic = topic
    return planned


def _fixed(text: str) -> Callable[[date], str]:
    return lambda _added: text


def _decide(
    layout: Layout,
    manifest: Manifest,
    path: str,
    kind: str,
    key: str,
    render: Callable[[date], str],
    today: date,
    sources: list[str],
    files: set[str],
) -> PlannedFile:
    target = layout.root / path
    try:
        current = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PlannedFile(path, kind, key, render(today), Action.CREATE, sources)
    except (OSError, UnicodeDecodeError):
        return PlannedFile(path, kind, key, "", Action.KEEP_EXISTING, sources)
    if not manifest.wrote(path, current):
        action = Action.KEEP_EDITED if path in manifest.files else Action.KEEP_EXISTING
        return PlannedFile(path, kind, key, current, action, sources)
    added = _existing_added(current, path) if kind == "note" else None
    text = render(added or today)
    if text == current:
        return PlannedFile(path, kind, key, text, Action.UNCHANGED, sources)
    recorded = {_source_file(s) for s in manifest.files[path].sources}
    if not recorded <= files:
        return PlannedFile(path, kind, key, current, Action.KEEP_PARTIAL, sources)
    return PlannedFile(path, kind, key, text, Action.UPDATE, sources)


def needs_unsorted_topic(merged: MergeResult, kb: KnowledgeBase) -> bool:
    """Whether the import files something under the unsorted topic the registry lacks."""
    if UNSORTED in kb.topics:
        return False
    return any(UNSORTED in p.topics for p in merged.papers) or any(
        b.topic == UNSORTED for b in merged.topic_blocks
    )


def add_unsorted_topic(layout: Layout) -> None:
    """Append the unsorted topic to topics.yml, keeping everything already there."""
    path = layout.topics_file
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    if current and not current.endswith("\n"):
        current += "\n"
    write_text_atomic(path, current + UNSORTED_ENTRY)


def apply(layout: Layout, planned: list[PlannedFile], manifest: Manifest) -> list[PlannedFile]:
    """Write what the plan says; returns the files that turned out to exist meanwhile."""
    for item in planned:
        if item.action.writes or item.action is Action.UNCHANGED:
            manifest.record(item.path, item.key, item.text, item.sources)
    if not any(item.action.writes for item in planned):
        return []
    save_manifest(layout, manifest)
    raced: list[PlannedFile] = []
    for item in planned:
        target = layout.root / item.path
        if item.action is Action.CREATE:
            try:
                write_text_atomic(target, item.text, exclusive=True)
            except FileExistsError:
                item.action = Action.KEEP_EXISTING
                raced.append(item)
        elif item.action is Action.UPDATE:
            write_text_atomic(target, item.text)
    return raced
