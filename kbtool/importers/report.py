"""The import report: per file what was found, created, merged and skipped; and why.

It lists, for the researcher to act on: names that conflict for one link, papers with
no title in the sources, papers the sources place under no subject (filed under "unsorted"
topic), links the importer rewrote, characters the encoding repair could not restore
with confidence, and every line deliberately left out, with the reason. Together with
:attr:`ImportReport.destinations` (where each source line went) it is the proof that
nothing was silently lost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kbtool.importers.merge import NameConflict, Paper
from kbtool.importers.model import LineUse, Rewrite, SkippedLine
from kbtool.importers.writer import Action, PlannedFile
from kbtool.repair.text import UncertainChar
from kbtool.util.plural import plural


@dataclass
class FileReport:
    """What the import found in, and did with, one source file."""

    name: str
    format: str
    description: str
    lines: int
    damaged_chars: int = 0
    uncertain: tuple[UncertainChar, ...] = ()
    papers_found: int = 0
    notes_created: int = 0
    notes_updated: int = 0
    notes_unchanged: int = 0
    merged: int = 0
    skipped: int = 0
    topic_lines: int = 0
    skipped_lines: list[SkippedLine] = field(default_factory=list)
    rewrites: list[Rewrite] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool
    files: list[FileReport]
    planned: list[PlannedFile]
    papers: list[Paper]
    paths: dict[int, str]  #: id(paper) → note path
    same_title: list[tuple[str, str]] = field(default_factory=list)
    #: file → line → the files its text went to (empty for skipped and markup lines)
    destinations: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=dict)
    uses: dict[str, dict[int, LineUse]] = field(default_factory=dict)
    unsorted_added: bool = False  #: the unsorted topic was (or would be) added to topics.yml

    def path_of(self, paper: Paper) -> str:
        return self.paths[id(paper)]

    def count(self, kind: str, action: Action) -> int:
        return sum(1 for p in self.planned if p.kind == kind and p.action is action)

    @property
    def conflicts(self) -> list[tuple[str, NameConflict]]:
        return [(self.path_of(p), p.conflict) for p in self.papers if p.conflict is not None]

    @property
    def merged_papers(self) -> list[tuple[str, list[str]]]:
        return [
            (self.path_of(p), [f"{m.file}:{m.line}" for m in p.mentions])
            for p in self.papers
            if len(p.mentions) > 1
        ]


def format_report(report: ImportReport) -> str:
    """The report as text for the terminal (Markdown-friendly)."""
    out: list[str] = []
    verb = "would" if report.dry_run else "did"
    title = "Import report (dry run: nothing written)" if report.dry_run else "Import report"
    out += [title, "=" * len(title), ""]
    for file in report.files:
        out.append(f"{file.name}: {file.description}, {plural(file.lines, 'line')}")
        if file.damaged_chars or file.uncertain:
            out.append(
                f"  encoding repaired: {plural(file.damaged_chars, 'damaged character')}, "
                f"{len(file.uncertain)} uncertain (marked ⟦…⟧)"
            )
        out.append(
            f"  papers found {file.papers_found} · notes created {file.notes_created} · "
            f"updated {file.notes_updated} · unchanged {file.notes_unchanged} · "
            f"merged {file.merged} · skipped {file.skipped} · "
            f"topic-text lines {file.topic_lines} · lines skipped {len(file.skipped_lines)}"
        )
    out.append("")
    for kind, label in (("note", "Notes"), ("topic", "Topic texts")):
        counts = Counter(p.action for p in report.planned if p.kind == kind)
        parts = [f"{counts[a]} {a.value}" for a in Action if counts[a]]
        out.append(f"{label}: {', '.join(parts) if parts else 'none'}")
    if report.unsorted_added:
        out.append(
            f"topics.yml: {verb} add the topic 'unsorted' (papers the sources place nowhere)"
        )
    stubs = [p for p in report.papers if not p.mentions]
    out.append(
        f"Papers: {len(report.papers)} "
        f"({sum(1 for p in report.papers if p.arxiv is not None)} with an arXiv id; "
        f"{len(stubs)} only linked from inside other notes)"
    )

    def section(heading: str, lines: list[str]) -> None:
        if lines:
            out.extend(["", f"{heading} ({len(lines)}):", *(f"  {line}" for line in lines)])

    section(
        "Conflicting names for one link — settle these",
        [
            f"{path}: {c.identifier} is "
            + " and ".join(f'"{n}" ({f}:{line})' for n, f, line in c.names)
            for path, c in report.conflicts
        ],
    )
    section(
        "Venues that disagree",
        [
            f"{report.path_of(p)}: {' / '.join(p.venue_conflict)}"
            for p in report.papers
            if p.venue_conflict
        ],
    )
    section(
        "Different papers with the same title",
        [f"{a} and {b}" for a, b in report.same_title],
    )
    section(
        "Merged: one note from several mentions",
        [f"{path} ← {', '.join(sources)}" for path, sources in report.merged_papers],
    )
    section(
        "Only linked from inside other notes (a short note says where)",
        [f"{report.path_of(p)}" for p in stubs],
    )
    section(
        "No title in the sources (placeholder title)",
        [f"{report.path_of(p)}: {p.title}" for p in report.papers if p.untitled],
    )
    section(
        "No subject in the sources (filed under topic 'unsorted')",
        [f"{report.path_of(p)}" for p in report.papers if p.topics == ["unsorted"]],
    )
    section(
        "Kept as they are (not written)",
        [
            f"{p.path}: {p.action.value}"
            for p in report.planned
            if p.action in (Action.KEEP_EDITED, Action.KEEP_EXISTING, Action.KEEP_PARTIAL)
        ],
    )
    rewrites = [r for f in report.files for r in f.rewrites]
    expired = sum(1 for r in rewrites if r.why.startswith("expired"))
    section(
        "Links rewritten",
        [
            f"{f.name}:{r.line}: {r.why}: {r.after.strip()}"
            for f in report.files
            for r in f.rewrites
            if not r.why.startswith("expired")
        ]
        + ([f"{expired} expired image links marked {{ .kb-expired-image }}"] if expired else []),
    )
    section(
        "Uncertain characters (the repair's best guess, marked ⟦…⟧ in the text)",
        [
            f"{f.name}:{u.line}:{u.column}: ⟦{u.guess}⟧"
            + (f" (or {', '.join(u.alternatives)})" if u.alternatives else "")
            for f in report.files
            for u in f.uncertain
        ],
    )
    section(
        "Lines deliberately skipped",
        [
            f"{f.name}:{s.line}: {s.reason}: {s.text.strip()}"
            for f in report.files
            for s in f.skipped_lines
        ],
    )
    section(
        "Files",
        [f"{p.action.value:<10} {p.path}" for p in sorted(report.planned, key=lambda p: p.path)],
    )
    return "\n".join(out) + "\n"


def report_json(report: ImportReport) -> dict[str, Any]:
    """The report as plain data for ``--format json``: what :func:`format_report` says."""
    stubs = [p for p in report.papers if not p.mentions]
    return {
        "files": [
            {
                "name": file.name,
                "format": file.format,
                "description": file.description,
                "lines": file.lines,
                "damaged_chars": file.damaged_chars,
                "papers_found": file.papers_found,
                "notes_created": file.notes_created,
                "notes_updated": file.notes_updated,
                "notes_unchanged": file.notes_unchanged,
                "merged": file.merged,
                "skipped": file.skipped,
                "topic_lines": file.topic_lines,
                "skipped_lines": [
                    {"line": s.line, "reason": s.reason, "text": s.text} for s in file.skipped_lines
                ],
                "rewrites": [
                    {"line": r.line, "why": r.why, "before": r.before, "after": r.after}
                    for r in file.rewrites
                ],
                "uncertain": [
                    {
                        "line": u.line,
                        "column": u.column,
                        "guess": u.guess,
                        "alternatives": list(u.alternatives),
                    }
                    for u in file.uncertain
                ],
            }
            for file in report.files
        ],
        "written": [
            {"path": p.path, "kind": p.kind, "action": p.action.name.lower()}
            for p in sorted(report.planned, key=lambda p: p.path)
        ],
        "papers": {
            "total": len(report.papers),
            "with_arxiv_id": sum(1 for p in report.papers if p.arxiv is not None),
            "only_linked": [report.path_of(p) for p in stubs],
            "untitled": [report.path_of(p) for p in report.papers if p.untitled],
            "unsorted": [report.path_of(p) for p in report.papers if p.topics == ["unsorted"]],
        },
        "conflicts": [
            {
                "path": path,
                "identifier": conflict.identifier,
                "names": [{"name": n, "file": f, "line": line} for n, f, line in conflict.names],
            }
            for path, conflict in report.conflicts
        ],
        "venue_conflicts": [
            {"path": report.path_of(p), "venues": list(p.venue_conflict)}
            for p in report.papers
            if p.venue_conflict
        ],
        "same_title": [list(pair) for pair in report.same_title],
        "merged": [{"path": path, "sources": sources} for path, sources in report.merged_papers],
        "unsorted_added": report.unsorted_added,
        "dry_run": report.dry_run,
    }
