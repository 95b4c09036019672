"""The citations between the researcher's notes, and the papers they cite that have no note.

Pure: notes and the citation data in, a :class:`CitationGraph` out. A note is
matched to its paper's entry by its ``arxiv`` id, else its ``doi``; a reference
is matched to notes by every key S2 knows the cited paper by. Note A *cites*
note B when B's paper is among A's paper's references (or A's among B's
``cited_by``); two notes of one paper never cite each other.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from kbtool.citations.keys import ARXIV, CORPUS, DOI, S2, arxiv_base, note_keys
from kbtool.citations.settings import load_citation_settings
from kbtool.citations.store import CitationData, PaperEntry, load_citation_data
from kbtool.core.knowledge_base import KnowledgeBase
from kbtool.core.note import Note


@dataclass(frozen=True)
class MissingPaper:
    """A paper several notes cite that has no note: a candidate for ``kbtool new``."""

    key: str
    title: str
    year: int | None
    cited_by: tuple[str, ...]  # note paths, one per citing paper
    read: date | None = None  # when the newest of those citing papers' references were read

    @property
    def arxiv_id(self) -> str | None:
        return arxiv_base(self.key)

    @property
    def add_command(self) -> str | None:
        """The command that makes it a note, when it has an arXiv id."""
        base = self.arxiv_id
        return f"kbtool new {base}" if base else None

    @property
    def url(self) -> str:
        """Where to read about it: arXiv, doi.org or Semantic Scholar."""
        if self.key.startswith(ARXIV):
            return f"https://arxiv.org/abs/{self.key[len(ARXIV) :]}"
        if self.key.startswith(DOI):
            return f"https://doi.org/{self.key[len(DOI) :]}"
        if self.key.startswith(CORPUS):
            return f"https://api.semanticscholar.org/{self.key}"
        return f"https://www.semanticscholar.org/paper/{self.key[len(S2) :]}"

    @property
    def label(self) -> str:
        """Its title, or its key when S2 gave none."""
        return self.title or self.key

    @property
    def anchor(self) -> str:
        """Its anchor on the Inbox page (``arXiv:1706.03762`` → ``cited-arxiv-1706-03762``)."""
        return "cited-" + re.sub(r"[^0-9a-z]+", "-", self.key.lower()).strip("-")


@dataclass
class CitationGraph:
    """Who cites whom among the notes (by note path), and the papers missing from them."""

    entries: dict[str, PaperEntry] = field(default_factory=dict)
    cites: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cited_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    missing: list[MissingPaper] = field(default_factory=list)
    #: A paper cited by at least this many notes' papers, with no note, is missing.
    missing_min: int = 3

    def edges(self) -> Iterable[tuple[str, str]]:
        """Every citation between notes as (citing note, cited note), sorted."""
        for source, targets in sorted(self.cites.items()):
            for target in targets:
                yield source, target

    @property
    def edge_count(self) -> int:
        return sum(len(targets) for targets in self.cites.values())


def _entry_of(note: Note, data: CitationData) -> tuple[str, PaperEntry] | None:
    for key in note_keys(note):
        entry = data.papers.get(key)
        if entry is not None:
            return key, entry
    return None


def build_citation_graph(
    notes: Sequence[Note], data: CitationData, missing_min: int = 3
) -> CitationGraph:
    """The graph of ``notes`` under ``data``; papers cited by ≥ ``missing_min`` papers are missing.

    Missing papers are ranked by how many of the notes' papers cite them, then
    newest first, then by key; each lists one citing note per citing paper.
    """
    graph = CitationGraph(missing_min=missing_min)
    by_key: dict[str, list[str]] = defaultdict(list)  # any key of a paper → its notes
    paper_of: dict[str, str] = {}  # note path → its entry's key
    for note in sorted(notes, key=lambda n: n.path):
        found = _entry_of(note, data)
        keys = set(note_keys(note))
        if found is not None:
            key, entry = found
            graph.entries[note.path] = entry
            paper_of[note.path] = key
            keys.update(entry.ids)
            keys.add(key)
        for key in keys:
            by_key[key].append(note.path)
    cites: dict[str, set[str]] = defaultdict(set)
    citing_papers: dict[str, dict[str, str]] = defaultdict(dict)  # missing key → paper → note
    for path, entry in graph.entries.items():
        own = paper_of[path]
        for reference in entry.references:
            cited_notes = by_key.get(reference)
            if cited_notes is None:
                citing_papers[reference].setdefault(own, path)
                continue
            cites[path].update(t for t in cited_notes if paper_of.get(t) != own and t != path)
        for citing in entry.cited_by:
            for source in by_key.get(citing, ()):
                if paper_of.get(source) != own and source != path:
                    cites[source].add(path)
    cited_by: dict[str, set[str]] = defaultdict(set)
    for source, targets in cites.items():
        for target in targets:
            cited_by[target].add(source)
    graph.cites = {p: tuple(sorted(t)) for p, t in sorted(cites.items()) if t}
    graph.cited_by = {p: tuple(sorted(s)) for p, s in sorted(cited_by.items())}
    missing = []
    for key, papers in citing_papers.items():
        if len(papers) < missing_min:
            continue
        info = data.cited.get(key)
        citing_notes = tuple(sorted(papers.values()))
        missing.append(
            MissingPaper(
                key,
                info.title if info else "",
                info.year if info else None,
                citing_notes,
                max(graph.entries[note_path].read for note_path in citing_notes),
            )
        )
    missing.sort(key=lambda m: (-len(m.cited_by), -(m.year or 0), m.key))
    graph.missing = missing
    return graph


def load_citation_graph(kb: KnowledgeBase) -> CitationGraph:
    """The graph of the knowledge base's notes under its ``citations.json`` (none: empty).

    Raises CitationDataError when the file cannot be read, ConfigError for a bad
    ``citations:`` setting.
    """
    settings = load_citation_settings(kb.settings, {})
    path = kb.layout.citations_file
    data = load_citation_data(path, kb.layout.relative(path))
    return build_citation_graph(kb.notes, data, settings.missing_min)
