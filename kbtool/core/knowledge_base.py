"""The knowledge base: all notes, the topics registry, and the links between notes.

:func:`load_knowledge_base` is the one place that reads the notes from disk;
everything else (checks, the site, enrich) works on the :class:`KnowledgeBase`
it returns. Resolving a link (relative Markdown path or ``[[wikilink]]``) lives
here too, so ``kbtool check`` and the site agree on what a link points at.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from urllib.parse import unquote

from kbtool.config import Layout, Settings, load_settings
from kbtool.core.arxiv_id import find_arxiv_id
from kbtool.core.files import find_note_files, read_notes
from kbtool.core.markdown_links import LinkKind, LinkRef, LinkSpan, anchors, extract_link_spans
from kbtool.core.note import Note
from kbtool.core.problems import Problem, problem
from kbtool.core.topics import TopicRegistry, load_topics
from kbtool.util.urls import split_url, url_error


class LinkTargetKind(Enum):
    NOTE = "note"
    FILE = "file"
    MISSING = "missing"
    EXTERNAL = "external"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class ResolvedLink:
    """Where a link in a note points: a note (and anchor), a file, or nowhere."""

    ref: LinkRef
    kind: LinkTargetKind
    note: Note | None = None
    path: str | None = None
    anchor: str | None = None
    candidates: tuple[Note, ...] = ()
    malformed: str | None = None  # why the target is no URL Python can read (it goes nowhere)


@dataclass(frozen=True)
class TopicText:
    """The researcher's own text about a whole topic, shown on the topic's page."""

    topic_id: str
    path: str
    note: Note


@dataclass
class KnowledgeBase:
    layout: Layout
    notes: list[Note]
    topics: TopicRegistry
    settings: Settings = field(default_factory=Settings)
    topic_problems: list[Problem] = field(default_factory=list)
    read_problems: list[Problem] = field(default_factory=list)
    topic_texts: dict[str, TopicText] = field(default_factory=dict)
    _by_path: dict[str, Note] = field(default_factory=dict, repr=False)
    _by_name: dict[str, list[Note]] = field(default_factory=dict, repr=False)
    _anchors: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _links: dict[str, list[LinkSpan]] = field(default_factory=dict, repr=False)
    _names: dict[str, tuple[frozenset[str], str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {note.path: note for note in self.notes}
        by_name: dict[str, list[Note]] = defaultdict(list)
        for note in self.notes:
            names = {note.stem.casefold(), note.title.casefold()}
            names.update(a.casefold() for a in note.string_list("aliases"))
            if note.arxiv_id is not None:
                names.add(note.arxiv_id.base.casefold())
            self._names[note.path] = (frozenset(names), note.title)
            for name in names:
                by_name[name].append(note)
        self._by_name = dict(by_name)

    def note_names(self) -> dict[str, tuple[frozenset[str], str]]:
        """Every note's path with the names a wikilink may call it by, and its title.

        Two knowledge bases with equal note names resolve every link between
        notes alike, and show the same titles for them (links to other files aside).
        """
        return self._names

    def reuse_parsed_links(self, previous: KnowledgeBase) -> None:
        """Take over the links and anchors ``previous`` parsed from notes that are here unchanged.

        A note counts as unchanged when it is the very same :class:`Note` object.
        """
        for path, spans in previous._links.items():
            if previous._by_path.get(path) is self._by_path.get(path) is not None:
                self._links.setdefault(path, spans)
        for path, found in previous._anchors.items():
            if previous._by_path.get(path) is self._by_path.get(path) is not None:
                self._anchors.setdefault(path, found)

    def add_parsed_links(self, note: Note, spans: list[LinkSpan]) -> None:
        """Take ``spans`` as the links of ``note`` (``extract_link_spans`` of its body)."""
        if self._by_path.get(note.path) is note:
            self._links.setdefault(note.path, spans)

    def anchors_of(self, note: Note) -> set[str]:
        if note.path not in self._anchors:
            self._anchors[note.path] = anchors(note.body)
        return self._anchors[note.path]

    def links_of(self, note: Note) -> list[LinkRef]:
        return [span.ref for span in self.link_spans_of(note)]

    def link_spans_of(self, note: Note) -> list[LinkSpan]:
        """The links of ``note`` with where they stand in its body (parsed once, cached)."""
        if note.path not in self._links:
            self._links[note.path] = extract_link_spans(note.body, note.body_line)
        return self._links[note.path]

    @staticmethod
    def name_key(name: str) -> str:
        """The name a wikilink target ``name`` is looked up by (see :meth:`note_names`)."""
        key = name.strip()
        if key.endswith(".md"):
            key = key[:-3]
        key = posixpath.basename(key)
        arxiv = find_arxiv_id(key)
        if arxiv is not None:
            key = arxiv.base
        return key.casefold()

    def find_notes(self, name: str) -> list[Note]:
        """Notes a wikilink ``name`` may mean: file stem, arXiv id (any version), title, alias."""
        return list(self._by_name.get(self.name_key(name), []))

    def resolve(self, note: Note, ref: LinkRef) -> ResolvedLink:
        """Resolve one link of ``note``; see :class:`LinkTargetKind`."""
        if ref.kind is LinkKind.WIKILINK:
            return self._resolve_wikilink(note, ref)
        if ref.kind in (LinkKind.AUTOLINK, LinkKind.BARE_URL) or ref.is_external:
            if (why := url_error(ref.target)) is not None:
                return ResolvedLink(ref, LinkTargetKind.MISSING, malformed=why)
            return ResolvedLink(ref, LinkTargetKind.EXTERNAL)
        target = ref.target
        if not target or target.startswith("/"):
            return ResolvedLink(ref, LinkTargetKind.UNCHECKED)
        parts = split_url(target)
        if parts is None:
            return ResolvedLink(ref, LinkTargetKind.MISSING, malformed=url_error(target))
        path, anchor = unquote(parts.path), (unquote(parts.fragment) if parts.fragment else None)
        if not path:
            return ResolvedLink(ref, LinkTargetKind.NOTE, note, note.path, anchor)
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(note.path), path))
        if resolved.startswith("../"):
            return ResolvedLink(ref, LinkTargetKind.MISSING, path=resolved, anchor=anchor)
        target_note = self._by_path.get(resolved)
        if target_note is not None:
            return ResolvedLink(ref, LinkTargetKind.NOTE, target_note, resolved, anchor)
        if _is_file(self.layout.root / resolved):
            return ResolvedLink(ref, LinkTargetKind.FILE, path=resolved, anchor=anchor)
        return ResolvedLink(ref, LinkTargetKind.MISSING, path=resolved, anchor=anchor)

    def _resolve_wikilink(self, note: Note, ref: LinkRef) -> ResolvedLink:
        if not ref.target:
            return ResolvedLink(ref, LinkTargetKind.NOTE, note, note.path, ref.anchor)
        candidates = self.find_notes(ref.target)
        if not candidates:
            return ResolvedLink(ref, LinkTargetKind.MISSING, anchor=ref.anchor)
        first = candidates[0]
        return ResolvedLink(
            ref, LinkTargetKind.NOTE, first, first.path, ref.anchor, tuple(candidates)
        )

    def outgoing(self, note: Note) -> list[ResolvedLink]:
        """Links from ``note`` to other notes (each target once, first mention kept)."""
        seen: set[str] = set()
        result: list[ResolvedLink] = []
        for ref in self.links_of(note):
            if ref.kind is LinkKind.IMAGE or ref.embed:
                continue
            resolved = self.resolve(note, ref)
            target = resolved.note
            if (
                resolved.kind is LinkTargetKind.NOTE
                and target is not None
                and target.path != note.path
                and target.path not in seen
            ):
                seen.add(target.path)
                result.append(resolved)
        return result

    def backlinks(self) -> dict[str, list[Note]]:
        """For each note path, the notes that link to it, in note order."""
        incoming: dict[str, list[Note]] = defaultdict(list)
        for note in self.notes:
            for link in self.outgoing(note):
                assert link.note is not None
                incoming[link.note.path].append(note)
        return dict(incoming)


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name the file system refuses (too long…) is not one."""
    try:
        return path.is_file()
    except OSError:
        return False


def iter_note_files(layout: Layout, directory: Path | None = None) -> list[Path]:
    """Every note file under ``notes/`` (or ``directory``), sorted; see :mod:`kbtool.core.files`."""
    return list(find_note_files(layout, directory).paths)


@dataclass(frozen=True)
class NoteSelection:
    """The files and folders a command was given (resolved), and the paths that name nothing."""

    files: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = ()
    missing: tuple[str, ...] = ()  # as given

    def covers(self, path: Path) -> bool:
        """Whether ``path`` is one of the files, or lies (at any depth) in one of the folders."""
        resolved = path.resolve()
        return resolved in self.files or any(resolved.is_relative_to(f) for f in self.folders)

    def note_files(self, layout: Layout) -> list[Path]:
        """The files given, then the notes in the folders given; each once, resolved."""
        chosen = dict.fromkeys(self.files)
        if self.folders:
            notes = (path.resolve() for path in iter_note_files(layout))
            chosen.update(dict.fromkeys(path for path in notes if self.covers(path)))
        return list(chosen)


def select_notes(
    layout: Layout, paths: Sequence[str | Path], cwd: Path | None = None
) -> NoteSelection:
    """What ``paths`` name, each read the way a researcher types it.

    A path is taken as given (relative to ``cwd``, the working directory by
    default), else relative to the knowledge base's root, else to ``notes/``: the
    first that exists. A file stays a file; a folder stands for everything under
    it. Paths that name nothing are returned in ``missing`` for the command to
    report as it documents (this function raises nothing and reads no note).
    """
    base = cwd or Path.cwd()
    files: dict[Path, None] = {}
    folders: dict[Path, None] = {}
    missing: list[str] = []
    for path in paths:
        given = Path(path).expanduser()
        candidates = (
            [given]
            if given.is_absolute()
            else [base / given, layout.root / given, layout.notes_dir / given]
        )
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            missing.append(str(path))
        elif found.is_dir():
            folders[found.resolve()] = None
        else:
            files[found.resolve()] = None
    return NoteSelection(tuple(files), tuple(folders), tuple(missing))


def load_knowledge_base(layout: Layout) -> KnowledgeBase:
    """Read every note, the topics registry and kbtool.yml. Bad notes are kept, with problems;
    a file or folder that cannot be read is a problem in ``read_problems``."""
    note_files = find_note_files(layout)
    notes, read_problems = read_notes(layout, note_files.paths)
    topics, topic_problems = load_topics(layout.topics_file, layout.relative(layout.topics_file))
    text_files = find_note_files(layout, layout.topic_texts_dir)
    texts, text_problems = read_notes(layout, text_files.paths)
    text_problems = [*note_files.problems, *text_files.problems, *text_problems]
    return assemble_knowledge_base(
        layout,
        notes,
        topics,
        load_settings(layout),
        read_problems=read_problems + text_problems,
        topic_problems=topic_problems,
        texts=texts,
    )


def assemble_knowledge_base(
    layout: Layout,
    notes: list[Note],
    topics: TopicRegistry,
    settings: Settings,
    *,
    read_problems: list[Problem],
    topic_problems: list[Problem],
    texts: list[Note],
) -> KnowledgeBase:
    """A knowledge base from what was read: notes, topics, settings and the topics' own texts.

    For readers that keep notes between reads (the site's serve loop); what it
    returns is what :func:`load_knowledge_base` returns for the same files.
    """
    topic_problems = list(topic_problems)
    topic_texts: dict[str, TopicText] = {}
    for text in texts:
        topic_id = text.stem
        topic_texts[topic_id] = TopicText(topic_id, text.path, text)
        if len(topics) and topic_id not in topics:
            topic_problems.append(
                problem(
                    text.path,
                    0,
                    "unknown-topic",
                    f"topic text for '{topic_id}', which is not in topics.yml",
                )
            )
    return KnowledgeBase(
        layout, notes, topics, settings, topic_problems, list(read_problems), topic_texts
    )
