"""What the pages of the site need to know about the whole knowledge base, worked out once.

A :class:`Catalog` is built from a :class:`~kbtool.core.knowledge_base.KnowledgeBase`
in time linear in the number of notes and links: each paper's date, venue,
status and topics; the papers of each topic; backlinks; related papers; and
citation keys. The page renderers only read it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from kbtool.bibtex import citation_keys, render_bibtex
from kbtool.citations.graph import CitationGraph
from kbtool.core.knowledge_base import KnowledgeBase
from kbtool.core.note import Note
from kbtool.core.schema import STATUSES
from kbtool.site.paths import SitePaths
from kbtool.site.related import RelatedPaper, related_papers

_OLD_STYLE_NUMBER = re.compile(r"/(\d{2})(\d{2})\d{3}$")


def arxiv_month(base: str) -> date | None:
    """The month an arXiv id was assigned (``2410.05677`` → 2024-10-01), if it tells."""
    if "/" in base:
        match = _OLD_STYLE_NUMBER.search(base)
        if not match:
            return None
        yy, mm = int(match[1]), int(match[2])
        year = 1900 + yy if yy >= 91 else 2000 + yy
    else:
        yy, mm = int(base[:2]), int(base[2:4])
        year = 2000 + yy
    return date(year, mm, 1) if 1 <= mm <= 12 else None


def _text_field(note: Note, key: str) -> str:
    value = note.fields.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


@dataclass(frozen=True)
class Paper:
    """One note as the site shows it."""

    note: Note
    uri: str
    title: str
    #: When the paper appeared: ``published``, else its arXiv id's month.
    published: date | None
    added: date | None
    venue: str
    status: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def path(self) -> str:
        return self.note.path

    @property
    def year(self) -> int | None:
        return self.published.year if self.published else None

    @property
    def sort_key(self) -> tuple[date, str, str]:
        """Newest first when sorted in reverse; undated papers last."""
        return (self.published or date.min, self.title.casefold(), self.path)


def make_paper(note: Note, paths: SitePaths) -> Paper:
    published = note.date_of("published")
    if published is None and note.arxiv_id is not None:
        published = arxiv_month(note.arxiv_id.base)
    status = _text_field(note, "status")
    return Paper(
        note=note,
        uri=paths.paper(note.path),
        title=" ".join(note.title.split()),
        published=published,
        added=note.date_of("added"),
        venue=_text_field(note, "venue"),
        status=status if status in STATUSES else "",
        topics=tuple(dict.fromkeys(note.string_list("topics"))),
        tags=tuple(dict.fromkeys(t.strip() for t in note.string_list("tags"))),
    )


def newest_first(papers: list[Paper]) -> list[Paper]:
    return sorted(papers, key=lambda p: p.sort_key, reverse=True)


@dataclass
class Catalog:
    kb: KnowledgeBase
    paths: SitePaths
    papers: list[Paper]
    by_path: dict[str, Paper]
    by_topic: dict[str, list[Paper]]
    backlinks: dict[str, list[Paper]]
    citekeys: dict[str, str]
    related_limit: int = 5
    #: Citations between the notes (citations.json); empty without one.
    citations: CitationGraph = field(default_factory=CitationGraph)
    _related: dict[str, list[RelatedPaper]] | None = field(default=None, repr=False)
    _bibtex: dict[str, str] = field(default_factory=dict, repr=False)

    def bibtex(self, paper: Paper) -> str:
        """The paper's BibTeX entry (rendered once, for its page and references.bib)."""
        if paper.path not in self._bibtex:
            self._bibtex[paper.path] = render_bibtex(paper.note, self.citekeys[paper.path])
        return self._bibtex[paper.path]

    def related(self, paper: Paper) -> list[RelatedPaper]:
        """Papers sharing topics or tags with ``paper``, most related first."""
        if self._related is None:
            self._related = related_papers(self.papers, self.related_limit)
        return self._related.get(paper.path, [])

    def papers_under(self, topic_id: str) -> list[Paper]:
        """Papers of ``topic_id`` and of all its sub-topics, each once, newest first."""
        ids = [topic_id, *(t.id for t in self.kb.topics.descendants(topic_id))]
        seen: dict[str, Paper] = {}
        for tid in ids:
            for paper in self.by_topic.get(tid, []):
                seen.setdefault(paper.path, paper)
        return newest_first(list(seen.values()))

    def cites(self, paper: Paper) -> list[Paper]:
        """The papers of the notes that ``paper`` cites, newest first."""
        return newest_first([self.by_path[p] for p in self.citations.cites.get(paper.path, ())])

    def cited_by(self, paper: Paper) -> list[Paper]:
        """The papers of the notes that cite ``paper``, newest first."""
        found = self.citations.cited_by.get(paper.path, ())
        return newest_first([self.by_path[p] for p in found])

    def topic_title(self, topic_id: str) -> str:
        topic = self.kb.topics.get(topic_id)
        return topic.title if topic else topic_id


def build_catalog(
    kb: KnowledgeBase,
    paths: SitePaths,
    related_limit: int = 5,
    citations: CitationGraph | None = None,
) -> Catalog:
    """Everything derived that the pages need; linear in notes, links and citations."""
    papers = newest_first([make_paper(note, paths) for note in kb.notes])
    by_path = {p.path: p for p in papers}
    by_topic: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:  # already newest first
        for topic_id in paper.topics:
            if topic_id in kb.topics:
                by_topic[topic_id].append(paper)
    backlinks = {
        path: [by_path[n.path] for n in sources] for path, sources in kb.backlinks().items()
    }
    return Catalog(
        kb=kb,
        paths=paths,
        papers=papers,
        by_path=by_path,
        by_topic=dict(by_topic),
        backlinks=backlinks,
        citekeys=citation_keys(kb.notes),
        related_limit=related_limit,
        citations=citations or CitationGraph(),
    )
