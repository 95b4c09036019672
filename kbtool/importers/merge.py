"""One paper, one note: mentions across files (and twice in one file) merged by identity.

Two mentions are the same paper when they share an arXiv id (any link form, any
version), an OpenReview id, or a paper URL; a mention with no link at all is the same
paper as another whose title or name is the same (ignoring case and punctuation).
The merged paper keeps every mention, so the note keeps all of the researcher's text.

When one identifier carries names that cannot be the same paper (file 000 links
2406.18522 as both "Panda-70M" and "ChronoMagic"), the paper is flagged: its note says
so at the top, its title names both, and the report lists it to settle.

An arXiv paper that is only linked from inside another paper's text (a benchmark in a
table of a summary) gets a short note of its own saying where it is mentioned, so every
arXiv paper in the sources has exactly one note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kbtool.core.arxiv_id import ArxivId
from kbtool.core.topics import TopicRegistry
from kbtool.importers.model import Mention, ParsedSource, TopicBlock
from kbtool.importers.parsing.paper_links import normalized_url
from kbtool.importers.topic_map import UNSORTED, reduce_topics, topic_for_text, topics_for


def normalized_name(text: str) -> str:
    """A name reduced for comparison: lower case, letters and digits (any script) only."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@dataclass(frozen=True)
class NameConflict:
    """One identifier, several names that cannot all be the same paper."""

    identifier: str
    names: tuple[tuple[str, str, int], ...]  #: (name, file, line) per mention


@dataclass(frozen=True)
class Reference:
    """Where a paper without a mention of its own is linked from."""

    file: str
    line: int
    label: str
    from_mention: Mention | None = None
    from_topic: str | None = None


@dataclass
class Paper:
    """One paper: every mention of it, and the fields its note gets."""

    mentions: list[Mention]
    title: str
    aliases: list[str]
    arxiv: ArxivId | None = None
    openreview: str | None = None
    url: str | None = None
    venue: str | None = None
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    project: list[str] = field(default_factory=list)
    published: str | None = None
    primary_category: str | None = None
    status: str | None = None
    topics: list[str] = field(default_factory=list)
    conflict: NameConflict | None = None
    untitled: bool = False
    venue_conflict: tuple[str, ...] = ()
    referenced_from: list[Reference] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The paper's identity: its arXiv id, OpenReview id, URL or title."""
        if self.arxiv is not None:
            return f"arxiv:{self.arxiv.base}"
        if self.openreview is not None:
            return f"openreview:{self.openreview}"
        if self.url is not None:
            return f"url:{normalized_url(self.url)}"
        return f"title:{normalized_name(self.title)}"

    @property
    def first(self) -> Mention | None:
        return self.mentions[0] if self.mentions else None


@dataclass(frozen=True)
class PlacedTopicBlock:
    """A topic block with the topic whose text it goes to."""

    topic: str
    block: TopicBlock
    file: str


@dataclass
class MergeResult:
    papers: list[Paper]
    topic_blocks: list[PlacedTopicBlock]
    same_title: list[tuple[Paper, Paper]] = field(default_factory=list)
    sources: dict[str, ParsedSource] = field(default_factory=dict)

    def source_text(self, file: str, lines: tuple[int, ...]) -> str:
        """The text of ``lines`` as file ``file`` holds it (before the encoding repair)."""
        source = self.sources.get(file)
        return source.original_text(lines) if source is not None else ""


def _id_keys(mention: Mention) -> list[str]:
    keys = []
    if mention.arxiv is not None:
        keys.append(f"arxiv:{mention.arxiv.base}")
    if mention.openreview is not None:
        keys.append(f"openreview:{mention.openreview}")
    if mention.url is not None and mention.arxiv is None and mention.openreview is None:
        keys.append(f"url:{normalized_url(mention.url)}")
    return keys


def _names(mention: Mention) -> list[str]:
    return [n for n in (*((mention.title,) if mention.title else ()), *mention.names) if n]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group_mentions(mentions: list[Mention]) -> list[list[Mention]]:
    """Mentions grouped into papers, each group and the groups in source order."""
    groups = _UnionFind(len(mentions))
    by_key: dict[str, int] = {}
    for index, mention in enumerate(mentions):
        for key in _id_keys(mention):
            if key in by_key:
                groups.union(by_key[key], index)
            else:
                by_key[key] = index
    by_name: dict[str, list[int]] = {}
    for index, mention in enumerate(mentions):
        for name in _names(mention):
            normal = normalized_name(name)
            if normal:
                by_name.setdefault(normal, []).append(index)
    for index, mention in enumerate(mentions):
        if _id_keys(mention):
            continue
        matches = {
            other for name in _names(mention) for other in by_name.get(normalized_name(name), [])
        }
        # A bare name that matches two papers with different links could be either: leave it.
        linked_roots = {groups.find(o) for o in matches if _id_keys(mentions[o])}
        if len(linked_roots) > 1:
            matches = {o for o in matches if not _id_keys(mentions[o])}
        for other in matches:
            groups.union(index, other)
    collected: dict[int, list[Mention]] = {}
    for index, mention in enumerate(mentions):
        collected.setdefault(groups.find(index), []).append(mention)
    return [collected[root] for root in sorted(collected)]


def _compatible(a: list[str], b: list[str]) -> bool:
    if not a or not b:
        return True
    for x in map(normalized_name, a):
        for y in map(normalized_name, b):
            if x and y and (x in y or y in x):
                return True
    return False


def find_conflict(mentions: list[Mention], identifier: str) -> NameConflict | None:
    """The names of ``mentions`` (one identifier), when two cannot be the same paper."""
    named = [(m, _names(m)) for m in mentions if _names(m)]
    for i, (_, a) in enumerate(named):
        for _, b in named[i + 1 :]:
            if not _compatible(a, b):
                entries = []
                seen: set[str] = set()
                for mention, names in named:
                    if normalized_name(names[0]) in seen:
                        continue
                    seen.add(normalized_name(names[0]))
                    entries.append((mention.display_name, mention.file, mention.line))
                return NameConflict(identifier, tuple(entries))
    return None


def _is_id_like(text: str) -> bool:
    return bool(re.fullmatch(r"(arxiv\s*)?\d{4}\.\d{4,5}(v\d+)?", text.strip(), re.IGNORECASE))


def build_paper(mentions: list[Mention], registry: TopicRegistry) -> Paper:
    """The fields of the note for one paper, from all of its mentions."""
    arxiv = next((m.arxiv for m in mentions if m.arxiv is not None), None)
    if arxiv is not None:
        versions = [m.arxiv.version for m in mentions if m.arxiv is not None and m.arxiv.version]
        arxiv = arxiv.with_version(max(versions) if versions else None)
    openreview = next((m.openreview for m in mentions if m.openreview), None)
    url = (
        next((m.url for m in mentions if m.url), None) if arxiv is None and not openreview else None
    )
    identifier = (
        f"arXiv {arxiv.base}" if arxiv else f"OpenReview {openreview}" if openreview else url or ""
    )
    conflict = find_conflict(mentions, identifier) if identifier else None
    titles = [m.title for m in mentions if m.title]
    names = [n for m in mentions for n in m.names]
    untitled = False
    if conflict is not None:
        title = " / ".join(name for name, _, _ in conflict.names)
    elif titles:
        title = titles[0]
    elif names:
        title = names[0]
    else:
        untitled = True
        title = identifier or "Untitled paper"
    aliases = []
    seen = {normalized_name(title)}
    for name in [*titles, *names]:
        normal = normalized_name(name)
        if normal and normal not in seen and not _is_id_like(name):
            seen.add(normal)
            aliases.append(name)
    venues = list(dict.fromkeys(m.venue for m in mentions if m.venue))
    topics = reduce_topics(
        [t for m in mentions for t in topics_for(m.topic_hints, registry)], registry
    )
    return Paper(
        mentions=mentions,
        title=title,
        aliases=aliases,
        arxiv=arxiv,
        openreview=openreview,
        url=url,
        venue=venues[0] if venues else None,
        tags=list(dict.fromkeys(t for m in mentions for t in m.tags)),
        authors=list(next((m.authors for m in mentions if m.authors), ())),
        code=list(dict.fromkeys(c for m in mentions for c in m.code)),
        project=list(dict.fromkeys(p for m in mentions for p in m.project)),
        published=next((m.published for m in mentions if m.published), None),
        primary_category=next((m.primary_category for m in mentions if m.primary_category), None),
        status=next((m.status for m in mentions if m.status), None),
        topics=topics or [UNSORTED],
        conflict=conflict,
        untitled=untitled,
        venue_conflict=tuple(venues) if len(venues) > 1 else (),
    )


def merge(sources: list[ParsedSource], registry: TopicRegistry) -> MergeResult:
    """All papers of all sources (one per paper) and where each topic block goes."""
    mentions = [m for source in sources for m in source.mentions]
    papers = [build_paper(group, registry) for group in group_mentions(mentions)]
    placed = [
        PlacedTopicBlock(
            topic_for_text(block.topic_hints, registry) or UNSORTED, block, source.name
        )
        for source in sources
        for block in source.topic_blocks
    ]
    papers.extend(_referenced_papers(papers, placed, registry))
    return MergeResult(papers, placed, _same_titles(papers), {s.name: s for s in sources})


def _referenced_papers(
    papers: list[Paper], placed: list[PlacedTopicBlock], registry: TopicRegistry
) -> list[Paper]:
    known = {p.arxiv.base for p in papers if p.arxiv is not None}
    stubs: dict[str, Paper] = {}
    for paper in papers:
        for mention in paper.mentions:
            for ref in mention.refs:
                _add_reference(
                    stubs,
                    known,
                    ref.arxiv,
                    Reference(mention.file, ref.line, ref.label, mention),
                    paper.topics,
                )
    for item in placed:
        for ref in item.block.refs:
            reference = Reference(item.file, ref.line, ref.label, from_topic=item.topic)
            _add_reference(stubs, known, ref.arxiv, reference, [item.topic])
    return list(stubs.values())


def _add_reference(
    stubs: dict[str, Paper],
    known: set[str],
    arxiv: ArxivId,
    reference: Reference,
    topics: list[str],
) -> None:
    if arxiv.base in known:
        return
    stub = stubs.get(arxiv.base)
    if stub is None:
        label = reference.label.strip()
        named = bool(label) and not _is_id_like(label) and not label.lower().startswith("http")
        stub = Paper(
            mentions=[],
            title=label if named else f"arXiv {arxiv.base}",
            aliases=[],
            arxiv=arxiv,
            status="to-read",
            topics=list(topics),
            untitled=not named,
        )
        stubs[arxiv.base] = stub
    stub.referenced_from.append(reference)


def _same_titles(papers: list[Paper]) -> list[tuple[Paper, Paper]]:
    """Pairs of different papers (different identifiers) with the same title."""
    seen: dict[str, Paper] = {}
    pairs = []
    for paper in papers:
        if paper.untitled:
            continue
        normal = normalized_name(paper.title)
        if normal in seen:
            pairs.append((seen[normal], paper))
        else:
            seen[normal] = paper
    return pairs
