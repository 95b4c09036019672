"""``kbtool import``: read, repair, recognise and parse every file, merge, plan, write.

Every input file is read, repaired and parsed before anything is written, so a bad file
(missing, binary, not UTF-8, in no known format) stops the import with nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kbtool.config import Layout
from kbtool.core.knowledge_base import KnowledgeBase, load_knowledge_base
from kbtool.errors import ConfigError, UsageError
from kbtool.importers.formats import Format, detect_format
from kbtool.importers.manifest import load_manifest
from kbtool.importers.merge import MergeResult, merge
from kbtool.importers.model import LineUse, ParsedSource
from kbtool.importers.report import FileReport, ImportReport
from kbtool.importers.writer import (
    Action,
    PlannedFile,
    add_unsorted_topic,
    apply,
    needs_unsorted_topic,
    plan,
)
from kbtool.repair.files import FileRepair, repair_file
from kbtool.util.progress import Progress


@dataclass(frozen=True)
class LoadedSource:
    path: Path
    format: Format
    repair: FileRepair
    parsed: ParsedSource


def load_source(path: Path, name: str | None = None) -> LoadedSource:
    """Read, repair, recognise and parse one file; raises on bad input, writes nothing."""
    repaired = repair_file(path)
    found = detect_format(repaired.text, path)
    parsed = found.parse(name or path.name, repaired.text)
    parsed.original = tuple(repaired.original.split("\n"))
    return LoadedSource(path, found, repaired, parsed)


def load_sources(paths: list[Path], progress: Progress | None = None) -> list[LoadedSource]:
    """Every file, in the order given (each path once); two files may not share a name.

    ``progress(done, total)`` hears of each file read, repaired and parsed.
    """
    loaded: list[LoadedSource] = []
    seen: dict[str, Path] = {}
    for done, path in enumerate(paths):
        if progress is not None:
            progress(done, len(paths))
        resolved = path.resolve()
        if path.name in seen:
            if seen[path.name] == resolved:
                continue
            raise UsageError(
                f"{path}: two input files are named {path.name!r}; notes name their sources "
                "by file name, so rename one"
            )
        seen[path.name] = resolved
        loaded.append(load_source(path))
    if progress is not None:
        progress(len(paths), len(paths))
    return loaded


def import_files(
    layout: Layout,
    paths: list[Path],
    *,
    today: date,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``paths`` into the knowledge base; see :mod:`kbtool.importers`.

    ``progress(done, total)`` hears of each file read (the slow part: the repair).
    """
    sources = load_sources(paths, progress)
    kb = load_knowledge_base(layout)
    _require_readable_topics(layout, kb)
    merged = merge([s.parsed for s in sources], kb.topics)
    manifest = load_manifest(layout)
    planned = plan(layout, kb, merged, manifest, today)
    add_unsorted = needs_unsorted_topic(merged, kb)
    if not dry_run:
        if add_unsorted:
            add_unsorted_topic(layout)
        apply(layout, planned, manifest)
    report = build_report(sources, merged, planned, dry_run)
    report.unsorted_added = add_unsorted
    return report


def _require_readable_topics(layout: Layout, kb: KnowledgeBase) -> None:
    """ConfigError when topics.yml exists but gave no registry (bad YAML, unreadable…).

    Papers are filed by its topics: importing without them would put every paper
    under 'unsorted' and append that topic to the broken file.
    """
    if len(kb.topics) or not kb.topic_problems or not layout.topics_file.exists():
        return
    first = kb.topic_problems[0]
    raise ConfigError(
        f"{first.message}; fix it before importing (papers are filed by its topics)",
        layout.topics_file,
        first.line or None,
    )


def build_report(
    sources: list[LoadedSource], merged: MergeResult, planned: list[PlannedFile], dry_run: bool
) -> ImportReport:
    """The report of an import: counts per file, lists to act on, where every line went."""
    notes = [p for p in planned if p.kind == "note"]
    paths = {id(p.paper): p.path for p in notes if p.paper is not None}
    action_of = {id(p.paper): p.action for p in notes if p.paper is not None}
    topic_path = {p.topic: p.path for p in planned if p.kind == "topic" and p.topic}
    files: list[FileReport] = []
    by_name: dict[str, FileReport] = {}
    for source in sources:
        parsed = source.parsed
        result = source.repair.result
        report = FileReport(
            parsed.name,
            parsed.format,
            source.format.description,
            len(parsed.lines) - (1 if parsed.lines and parsed.lines[-1] == "" else 0),
            damaged_chars=result.damaged_chars,
            uncertain=result.uncertain,
            papers_found=len(parsed.mentions),
            topic_lines=sum(
                1
                for line, use in parsed.uses.items()
                if use is LineUse.TOPIC and parsed.lines[line - 1].strip()
            ),
            skipped_lines=sorted(parsed.skipped, key=lambda s: s.line),
            rewrites=list(parsed.rewrites),
        )
        files.append(report)
        by_name[parsed.name] = report
    for paper in merged.papers:
        for index, mention in enumerate(paper.mentions):
            file = by_name[mention.file]
            action = action_of[id(paper)]
            if index > 0:
                file.merged += 1
            elif action is Action.CREATE:
                file.notes_created += 1
            elif action is Action.UPDATE:
                file.notes_updated += 1
            elif action is Action.UNCHANGED:
                file.notes_unchanged += 1
            if action in (Action.KEEP_EDITED, Action.KEEP_EXISTING, Action.KEEP_PARTIAL):
                file.skipped += 1
    destinations: dict[str, dict[int, tuple[str, ...]]] = {}
    uses: dict[str, dict[int, LineUse]] = {}
    context_targets: dict[tuple[str, int], set[str]] = {}
    for source in sources:
        parsed = source.parsed
        lines: dict[int, set[str]] = {}
        for paper in merged.papers:
            for mention in paper.mentions:
                if mention.file != parsed.name:
                    continue
                target = paths[id(paper)]
                for number in (*mention.block.lines, *mention.title_lines):
                    lines.setdefault(number, set()).add(target)
                for number in mention.context_lines:
                    context_targets.setdefault((parsed.name, number), set()).add(target)
        for placed in merged.topic_blocks:
            if placed.file != parsed.name:
                continue
            target = topic_path[placed.topic]
            for number in placed.block.block.lines:
                lines.setdefault(number, set()).add(target)
            for number in placed.block.context_lines:
                context_targets.setdefault((parsed.name, number), set()).add(target)
        for number, use in parsed.uses.items():
            if use is LineUse.CONTEXT:
                lines.setdefault(number, set()).update(
                    context_targets.get((parsed.name, number), set())
                )
        destinations[parsed.name] = {
            number: tuple(sorted(targets))
            for number, targets in lines.items()
            if parsed.uses.get(number) not in (LineUse.SKIPPED, LineUse.MARKUP)
        }
        uses[parsed.name] = dict(parsed.uses)
    same_title = [(paths[id(a)], paths[id(b)]) for a, b in merged.same_title]
    return ImportReport(
        dry_run, files, planned, merged.papers, paths, same_title, destinations, uses
    )
