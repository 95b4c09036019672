"""What the pages of the site need to know about the whole knowledge base, worked out once.

A :class:`Catalog` is built from a :class:`~kbtool.core.knowledge_base.KnowledgeBase`
in time linear in the number of notes and links: each paper's date, venue,
status and topics; the papers of each topic; backlinks; related papers; and
citation keys. The page renderers only read it.

A catalog can be built from the one before it (``previous``): what depends only
on notes that did not change (each paper's record, its BibTeX entry, the
related papers when no paper's topics, tags or place in date order changed) is
taken over instead of worked out again. That is what makes a rebuild after one
saved note cheap; the result is the same as a catalog built from nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from kbtool.bibtex import citation_keys, derived_key, render_bibtex
from kbtool.citations.graph import CitationGraph
from kbtool.core.knowledge_base import KnowledgeBase, LinkTargetKind
from kbtool.core.markdown_links import LinkKind
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

    @cached_property
    def listing(self) -> Listing:
        """What lists and tables of papers show about this paper (its note's text aside)."""
        return (
            self.uri,
            self.title,
            self.published,
            self.added,
            self.venue,
            self.status,
            self.topics,
            self.tags,
        )


#: :attr:`Paper.listing`: page, title, published, added, venue, status, topics, tags.
Listing = tuple[str, str, date | None, date | None, str, str, tuple[str, ...], tuple[str, ...]]
#: Where one link of a note leads, as far as a page shows it: the kind of target,
#: its path, the title of the note it names (or None) and the anchor.
LinkTarget = tuple[LinkTargetKind, str | None, str | None, str | None]


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
    #: BibTeX entries by note path, with the note and key they were rendered from.
    _bibtex: dict[str, tuple[Note, str, str]] = field(default_factory=dict, repr=False)
    #: The inputs of the related papers, and (until taken over) those of the last catalog.
    _related_inputs: object = field(default=None, repr=False)
    _previous_related: tuple[object, dict[str, list[RelatedPaper]]] | None = field(
        default=None, repr=False
    )
    _related_reused: bool = field(default=False, repr=False)
    _links: _Links | None = field(default=None, repr=False)
    _under: dict[str, list[Paper]] = field(default_factory=dict, repr=False)
    _derived_keys: _DerivedKeys | None = field(default=None, repr=False)

    def bibtex(self, paper: Paper) -> str:
        """The paper's BibTeX entry (rendered once, for its page and references.bib)."""
        key = self.citekeys[paper.path]
        known = self._bibtex.get(paper.path)
        if known is None or known[0] is not paper.note or known[1] != key:
            known = (paper.note, key, render_bibtex(paper.note, key))
            self._bibtex[paper.path] = known
        return known[2]

    def related(self, paper: Paper) -> list[RelatedPaper]:
        """Papers sharing topics or tags with ``paper``, most related first."""
        if self._related is None:
            self._related = self._work_out_related()
        entries = self._related.get(paper.path, [])
        if self._related_reused:
            # Taken over from the last catalog: point the entries at today's papers.
            by_path = self.by_path
            if any(by_path[r.paper.path] is not r.paper for r in entries):
                entries = [
                    RelatedPaper(by_path[r.paper.path], r.score, r.shared_topics, r.shared_tags)
                    for r in entries
                ]
                self._related[paper.path] = entries
        return entries

    def _work_out_related(self) -> dict[str, list[RelatedPaper]]:
        # Everything related_papers reads: the papers' order, topics and tags.
        inputs = (self.related_limit, [(p.path, p.topics, p.tags) for p in self.papers])
        self._related_inputs = inputs
        previous, self._previous_related = self._previous_related, None
        if previous is not None and previous[0] == inputs:
            self._related_reused = True  # the same choices, for the same papers
            return dict(previous[1])
        return related_papers(self.papers, self.related_limit)

    def link_targets(self, note: Note) -> tuple[LinkTarget, ...]:
        """Where each link of ``note`` leads: all a page needs to know to draw its links."""
        if self._links is None:
            self._links = _Links(self.kb, None)
        return self._links.of(note).targets

    def papers_under(self, topic_id: str) -> list[Paper]:
        """Papers of ``topic_id`` and of all its sub-topics, each once, newest first."""
        known = self._under.get(topic_id)
        if known is None:
            ids = [topic_id, *(t.id for t in self.kb.topics.descendants(topic_id))]
            seen: dict[str, Paper] = {}
            for tid in ids:
                for paper in self.by_topic.get(tid, []):
                    seen.setdefault(paper.path, paper)
            known = self._under[topic_id] = newest_first(list(seen.values()))
        return list(known)

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
    *,
    previous: Catalog | None = None,
) -> Catalog:
    """Everything derived that the pages need; linear in notes, links and citations.

    With ``previous`` (the catalog of an earlier state of the knowledge base),
    what depends only on unchanged notes is taken over from it: their papers,
    BibTeX entries and citation key stems; where their links lead, when no
    note's names changed (links to other files are looked up again); the
    related papers, when no paper's topics, tags or place in date order changed.
    """
    reusable: dict[str, Paper] = {}
    if previous is not None and previous.paths == paths:
        reusable = previous.by_path
    papers = newest_first(
        [
            known
            if (known := reusable.get(note.path)) is not None and known.note is note
            else make_paper(note, paths)
            for note in kb.notes
        ]
    )
    by_path = {p.path: p for p in papers}
    by_topic: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:  # already newest first
        for topic_id in paper.topics:
            if topic_id in kb.topics:
                by_topic[topic_id].append(paper)
    links = _Links(kb, previous._links if previous is not None else None)
    incoming: dict[str, list[Paper]] = defaultdict(list)
    for note in kb.notes:  # in note order, as KnowledgeBase.backlinks
        for target in links.of(note).outgoing:
            incoming[target].append(by_path[note.path])
    keys = _DerivedKeys(previous._derived_keys if previous is not None else None)
    catalog = Catalog(
        kb=kb,
        paths=paths,
        papers=papers,
        by_path=by_path,
        by_topic=dict(by_topic),
        backlinks=dict(incoming),
        citekeys=citation_keys(kb.notes, keys),
        related_limit=related_limit,
        citations=citations or CitationGraph(),
    )
    links.forget_all_but(by_path)
    keys.forget_all_but(by_path)
    catalog._links, catalog._derived_keys = links, keys
    if previous is not None:
        catalog._bibtex = {p: e for p, e in previous._bibtex.items() if p in by_path}
        if previous._related is not None:
            catalog._previous_related = (previous._related_inputs, previous._related)
    return catalog


@dataclass(frozen=True)
class NoteLinks:
    """Where one note's links lead, and what that depends on besides the note."""

    note: Note
    #: Per link (in the body's order): what a page shows of where it leads.
    targets: tuple[LinkTarget, ...]
    #: The notes it links to (paths, each once, in order; images and embeds aside).
    outgoing: tuple[str, ...]
    #: The names its wikilinks look up, and the note paths its links reached or tried.
    names: frozenset[str]
    paths: frozenset[str]
    #: Whether a link leads to a file, or to nothing, by a path: looked up on disk.
    on_disk: bool


class _Links:
    """Where each note's links lead, taken over from the last catalog for unchanged notes.

    A note's links are worked out again when the note changed, when a name one
    of its wikilinks looks up now means other notes (a note added, removed,
    renamed or retitled), when a note it reached changed its title or place,
    or when a link goes to a file on disk. Otherwise they lead where they led.
    """

    def __init__(self, kb: KnowledgeBase, previous: _Links | None) -> None:
        self.kb = kb
        self.known: dict[str, NoteLinks] = {}
        if previous is None:
            return
        old, new = previous.kb.note_names(), kb.note_names()
        if old == new:
            self.known = {p: links for p, links in previous.known.items() if p in new}
            return
        names: set[str] = set()
        paths: set[str] = set()
        for path in old.keys() | new.keys():
            before, after = old.get(path), new.get(path)
            if before != after:
                paths.add(path)
                for entry in (before, after):
                    if entry is not None:
                        names |= entry[0]
        self.known = {
            path: links
            for path, links in previous.known.items()
            if path in new and not (links.names & names) and not (links.paths & paths)
        }

    def of(self, note: Note) -> NoteLinks:
        known = self.known.get(note.path)
        if known is None or known.note is not note or known.on_disk:
            known = self.known[note.path] = self._work_out(note)
        return known

    def _work_out(self, note: Note) -> NoteLinks:
        kb = self.kb
        targets: list[LinkTarget] = []
        names: set[str] = set()
        paths: set[str] = set()
        on_disk = False
        for span in kb.link_spans_of(note):
            ref = span.ref
            resolved = kb.resolve(note, ref)
            if ref.kind is LinkKind.WIKILINK and ref.target:
                names.add(kb.name_key(ref.target))
            if resolved.path is not None:
                paths.add(resolved.path)
            kind = resolved.kind
            if kind in (LinkTargetKind.FILE, LinkTargetKind.MISSING) and resolved.path is not None:
                on_disk = True
            title = resolved.note.title if resolved.note else None
            targets.append((kind, resolved.path, title, resolved.anchor))
        outgoing = tuple(link.note.path for link in kb.outgoing(note) if link.note)
        return NoteLinks(
            note, tuple(targets), outgoing, frozenset(names), frozenset(paths), on_disk
        )

    def forget_all_but(self, paths: Container[str]) -> None:
        self.known = {p: v for p, v in self.known.items() if p in paths}


class _DerivedKeys:
    """:func:`~kbtool.bibtex.derived_key`, remembered per note."""

    def __init__(self, previous: _DerivedKeys | None) -> None:
        self.known: dict[str, tuple[Note, str]] = (
            dict(previous.known) if previous is not None else {}
        )

    def __call__(self, note: Note) -> str:
        known = self.known.get(note.path)
        if known is None or known[0] is not note:
            known = self.known[note.path] = (note, derived_key(note))
        return known[1]

    def forget_all_but(self, paths: Container[str]) -> None:
        self.known = {p: v for p, v in self.known.items() if p in paths}
