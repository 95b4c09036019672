"""Reading the knowledge base again after a save: only the files that changed are parsed.

:class:`SourceReader` remembers each note file's size, modification time and
inode with the :class:`~kbtool.core.note.Note` parsed from it; the next read
parses only the files whose stamp changed (plus files written in the second
before the last read, whose stamp cannot tell a second write from the first, as
git does). Unchanged notes keep their very ``Note`` objects, which is how the
rest of the build recognises them.

While serving (``keep_last_good``), a note whose new text cannot be read as a
note (its frontmatter is not YAML, not a mapping, not UTF-8) keeps its last good
version on the site, and the reason is reported with the file and line: the
researcher sees the error in the terminal and the page they had. The same
holds for ``topics.yml``, ``kbtool.yml``, ``inbox.yml`` and ``citations.json``. A build
(``keep_last_good`` off) reads everything as :func:`load_knowledge_base` does.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.citations.store import CitationData, load_citation_data
from kbtool.config import Layout, Settings, load_settings
from kbtool.core.files import find_files, is_markdown, read_notes
from kbtool.core.knowledge_base import KnowledgeBase, assemble_knowledge_base
from kbtool.core.note import Note
from kbtool.core.problems import Problem, problem
from kbtool.core.topics import TopicRegistry, load_topics
from kbtool.errors import KbtoolError
from kbtool.watch.inbox import InboxEntry, load_inbox

log = logging.getLogger("mkdocs.plugins.kbtool")

#: Problems that mean the file could not be read as a note at all.
BREAKING_PROBLEMS = frozenset({"yaml-syntax", "not-a-mapping", "not-utf8", "unreadable"})
#: A file written this close to the last read may have changed without a new stamp.
RACY_SECONDS = 2.0

Stamp = tuple[int, int, int]
#: Parses note files: (notes, problems of files that could not be read), as ``read_notes``.
ParseNotes = Callable[[Layout, Sequence[Path]], tuple[list[Note], list[Problem]]]


def _stamp(path: str | Path) -> Stamp | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


def scan_folder(layout: Layout, directory: Path) -> tuple[list[str], list[str], list[Problem]]:
    """The note files under ``directory``, the other files beside them, and the notes (or
    folders) that could not be read, as :func:`~kbtool.core.files.find_files` finds them:
    regular files only, symlinks kept inside the knowledge base, hidden files left out.

    Notes come in the order :func:`~kbtool.core.knowledge_base.iter_note_files` gives.
    Other files that cannot be read are left out with a warning (the page links to them).
    """
    notes = find_files(layout, directory)
    others = find_files(layout, directory, lambda name: not is_markdown(name))
    for skipped in set(others.problems) - set(notes.problems):
        log.warning(f"{skipped.path}: {skipped.message}")
    return [str(p) for p in notes.paths], [str(p) for p in others.paths], list(notes.problems)


def breaking_problem(note: Note) -> Problem | None:
    """The first problem that keeps ``note`` from being read as a note, if any."""
    return next((p for p in note.problems if p.name in BREAKING_PROBLEMS), None)


@dataclass
class _Folder:
    """The note files of one folder, as last read: stamp and note by file path."""

    files: dict[str, tuple[Stamp, Note]] = field(default_factory=dict)
    unreadable: dict[str, Problem] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceRead:
    """One read of the knowledge base, and what changed since the read before it."""

    kb: KnowledgeBase
    inbox: list[InboxEntry]
    #: Note and topic-text paths (``notes/…``, ``topics/…``) added, changed or removed.
    changed_notes: frozenset[str]
    #: The other files that changed: ``topics.yml``, ``kbtool.yml``, ``inbox.yml``,
    #: ``citations.json``.
    changed_files: frozenset[str]
    #: Why a newer version of a file was not taken (its last good version is shown).
    kept_back: tuple[Problem, ...] = ()
    #: ``citations.json``: what Semantic Scholar said about the notes' papers.
    citations: CitationData = field(default_factory=CitationData)


class SourceReader:
    """Reads a knowledge base again and again, parsing only what changed."""

    def __init__(
        self, layout: Layout, *, keep_last_good: bool = False, parse: ParseNotes = read_notes
    ) -> None:
        self.layout = layout
        self.keep_last_good = keep_last_good
        self.parse = parse
        self._notes = _Folder()
        self._texts = _Folder()
        self._last_read = 0.0
        self._stamps: dict[str, Stamp | None] = {}
        self._topics: tuple[TopicRegistry, list[Problem]] | None = None
        self._settings: Settings | None = None
        self._inbox: list[InboxEntry] | None = None
        self._citations: CitationData | None = None
        self._kb: KnowledgeBase | None = None
        #: The files beside the notes (images, PDFs) as last read.
        self.side_files: list[Path] = []

    def read(self) -> SourceRead:
        """The knowledge base as it is on disk now (unchanged notes are the same objects)."""
        started = time.time()
        kept: list[Problem] = []
        changed: set[str] = set()
        notes, note_problems = self._read_folder(self._notes, self.layout.notes_dir, changed, kept)
        texts, text_problems = self._read_folder(
            self._texts, self.layout.topic_texts_dir, changed, kept
        )
        changed_files: set[str] = set()
        topics, topic_problems = self._read_topics(changed_files, kept)
        settings = self._read_settings(changed_files, kept)
        inbox = self._read_inbox(changed_files, kept)
        citations = self._read_citations(changed_files, kept)
        kb = assemble_knowledge_base(
            self.layout,
            notes,
            topics,
            settings,
            read_problems=note_problems + text_problems,
            topic_problems=topic_problems,
            texts=texts,
        )
        if self._kb is not None:
            kb.reuse_parsed_links(self._kb)
        self._kb = kb
        self._last_read = started
        return SourceRead(
            kb, inbox, frozenset(changed), frozenset(changed_files), tuple(kept), citations
        )

    def _read_folder(
        self, folder: _Folder, directory: Path, changed: set[str], kept: list[Problem]
    ) -> tuple[list[Note], list[Problem]]:
        present, others, refused = scan_folder(self.layout, directory)
        if directory == self.layout.notes_dir:
            self.side_files = [Path(other) for other in others]
        stamps = {path: _stamp(path) for path in present}
        racy = int((self._last_read - RACY_SECONDS) * 1e9)
        reread = {
            path
            for path in present
            if (known := folder.files.get(path)) is None
            or known[0] != stamps[path]
            or known[0][0] >= racy
        }
        to_read = [Path(path) for path in present if path in reread]
        parsed, unreadable = self.parse(self.layout, to_read) if to_read else ([], [])
        fresh = {note.path: note for note in parsed}
        why_unreadable = {found.path: found for found in unreadable}
        files: dict[str, tuple[Stamp, Note]] = {}
        unreadable_now: dict[str, Problem] = {}
        for key in present:
            known = folder.files.get(key)
            if key not in reread:
                assert known is not None
                files[key] = known
                continue
            display = self.layout.relative(Path(key))
            note = fresh.get(display)
            stamp = stamps[key]
            if note is None or stamp is None:
                why = why_unreadable.get(display) or problem(display, 0, "unreadable", "gone")
                if self.keep_last_good and known is not None:
                    kept.append(why)
                    files[key] = known  # its old stamp: read again next time
                else:
                    unreadable_now[key] = why
                continue
            if known is not None and known[1].text == note.text and known[1].path == note.path:
                note = known[1]  # written again with the same text: the same note
            elif known is not None and self.keep_last_good:
                broken = breaking_problem(note)
                if broken is not None and breaking_problem(known[1]) is None:
                    kept.append(broken)
                    files[key] = known
                    continue
            files[key] = (stamp, note)
        for key in folder.files.keys() | files.keys():
            before, after = folder.files.get(key), files.get(key)
            if before is None or after is None or before[1] is not after[1]:
                changed.update(entry[1].path for entry in (before, after) if entry is not None)
        for refusal in refused:
            unreadable_now[refusal.path] = refusal
        for key in folder.unreadable.keys() ^ unreadable_now.keys():
            changed.add((folder.unreadable.get(key) or unreadable_now[key]).path)
        folder.files, folder.unreadable = files, unreadable_now
        return [entry[1] for entry in files.values()], list(unreadable_now.values())

    def _changed(self, path: Path) -> bool:
        key = str(path)
        stamp = _stamp(path)
        racy = stamp is not None and stamp[0] >= (self._last_read - RACY_SECONDS) * 1e9
        if key in self._stamps and self._stamps[key] == stamp and not racy:
            return False
        self._stamps[key] = stamp
        return True

    def _read_topics(
        self, changed: set[str], kept: list[Problem]
    ) -> tuple[TopicRegistry, list[Problem]]:
        path = self.layout.topics_file
        if self._topics is None or self._changed(path):
            registry, problems = load_topics(path, self.layout.relative(path))
            broken = not len(registry) and problems and path.exists()
            if broken and self.keep_last_good and self._topics is not None:
                kept.append(problems[0])
            elif self._topics is None or (registry, problems) != self._topics:
                if self._topics is not None:
                    changed.add(self.layout.relative(path))
                self._topics = (registry, problems)
        return self._topics

    def _read_settings(self, changed: set[str], kept: list[Problem]) -> Settings:
        path = self.layout.config_file
        if self._settings is None or self._changed(path):
            try:
                settings = load_settings(self.layout)
            except KbtoolError as err:
                if not self.keep_last_good or self._settings is None:
                    raise
                kept.append(_as_problem(err, self.layout.relative(path)))
            else:
                if self._settings is not None and settings != self._settings:
                    changed.add(self.layout.relative(path))
                self._settings = settings
        return self._settings

    def _read_citations(self, changed: set[str], kept: list[Problem]) -> CitationData:
        path = self.layout.citations_file
        if self._citations is None or self._changed(path):
            try:
                data = load_citation_data(path, self.layout.relative(path))
            except KbtoolError as err:
                if not self.keep_last_good or self._citations is None:
                    raise
                kept.append(_as_problem(err, self.layout.relative(path)))
            else:
                if self._citations is not None and data != self._citations:
                    changed.add(self.layout.relative(path))
                self._citations = data
        return self._citations

    def _read_inbox(self, changed: set[str], kept: list[Problem]) -> list[InboxEntry]:
        path = self.layout.inbox_file
        if self._inbox is None or self._changed(path):
            try:
                inbox = load_inbox(self.layout)
            except KbtoolError as err:
                if not self.keep_last_good or self._inbox is None:
                    raise
                kept.append(_as_problem(err, self.layout.relative(path)))
            else:
                if self._inbox is not None and inbox != self._inbox:
                    changed.add(self.layout.relative(path))
                self._inbox = inbox
        return self._inbox


def _as_problem(err: KbtoolError, display: str) -> Problem:
    line = getattr(err, "line", None)
    return problem(display, line if isinstance(line, int) else 0, "unreadable", str(err))


def describe_kept(found: Problem) -> str:
    """One line for the terminal: where the file is broken, and that the old page stays."""
    where = f"{found.path}:{found.line}" if found.line else found.path
    return f"{where}: {found.message} (still showing its last good version)"
