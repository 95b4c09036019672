"""Format 1: nested-bullet paper-reading notes exported from a notes app (files 000, 001).

``#``/``##``/``###`` headings hold bullet lists; a paper is a bullet whose first line
links it (``[Venue] [Name](arxiv url) comment``, ``Name: https://arxiv.org/pdf/…``,
``Title [[paper]](url)``…), and everything nested under that bullet is the researcher's
note on it. Which bullets are papers, decided per bullet:

1. its first line links a paper (arXiv, OpenReview, a proceedings page): one mention per
   paper it links (a bullet naming two papers gives both the same text);
2. it has no paper link but another link (a project page, a Reddit thread) and text
   nested under it: a paper known by that link;
3. it has no link, has sub-bullets of its own notes, sits beside paper bullets, and is not
   a label (it does not end with ``:``, and nothing under it links a paper): a paper
   known by name only (``STAR``, ``vbench``).

A bullet with paper bullets under it is a *group* (``SOTA``, ``KV Cache Eviction``): its
own line and its other lines go to the topic's text, where each paper appears as a link
to its note. Everything else (general bullets, recipes, lists of titles to read) is topic
text too. Headings, and group labels, are the context that becomes the notes' topics.
"""

from __future__ import annotations

import re

from kbtool.importers.model import (
    ArxivRef,
    Block,
    LineUse,
    Mention,
    MentionKey,
    ParsedSource,
    TopicBlock,
)
from kbtool.importers.parsing.bullet_tree import Item, TextLine, parse_tree, render_item, tidy
from kbtool.importers.parsing.markdown_fixes import LineFixer
from kbtool.importers.parsing.paper_links import (
    FoundLink,
    LinkRole,
    arxiv_links,
    clean_label,
    find_links,
    paper_links,
)
from kbtool.importers.parsing.sections import Section, account_headings, split_sections
from kbtool.importers.parsing.venues import classify_label, parse_venue

FORMAT = "nested-bullets"
DESCRIPTION = "nested-bullet paper-reading notes"

_LEADING_LABEL = re.compile(r"^\s*\[(?P<label>[^\[\]\n]+)\](?!\()\s*")
_TRAILING_VENUE = re.compile(r"^\s*[,，]\s*(?P<venue>[A-Za-z][^,，\[\]()]{1,30}?)\s*\.?\s*$")
_CITATION = re.compile(r"\s*\((?:[^()]*\bet al\.?[^()]*|[^()]*\d{4}[a-z]?)\)\s*$")
_TITLE_LIKE_WORDS = 4
_SURVEY = re.compile(r"^survey\s*[:：]\s*", re.IGNORECASE)


def looks_like(text: str) -> bool:
    """Whether a nested-bullet export could be this format (used by format detection)."""
    lines = text.split("\n")
    headings = sum(1 for line in lines if re.match(r"^#{1,3} ", line))
    nested = sum(1 for line in lines if re.match(r"^(\t| {2,})+[-*] ", line))
    return headings >= 1 and nested >= 3 and bool(paper_links(text))


def plain_label(text: str) -> str:
    """An item's first line as a label: links reduced to their text, markup dropped."""

    def link_text(match: re.Match[str]) -> str:
        return match.group(1)

    text = re.sub(r"!?\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\([^)]*\)", link_text, text)
    text = re.sub(r"https?://\S+", "", text)
    return clean_label(text).strip()


def head_papers(item: Item) -> list[FoundLink]:
    """The papers a bullet's own first line links (rule 1)."""
    return paper_links(item.text)


class _SectionParser:
    """Classifies one section's items and builds its mentions and topic blocks."""

    def __init__(self, source: ParsedSource, section: Section, fixer: LineFixer) -> None:
        self.source = source
        self.section = section
        self.fixer = fixer
        self.context = tuple(section.titles)
        self.context_lines = section.heading_lines
        self.text_items: set[int] = set()  # ids of items inside plain-text subtrees
        self.root = parse_tree(section.lines)

    # -- classification -------------------------------------------------------------

    def _is_group(self, item: Item) -> bool:
        """Whether a paper bullet sits somewhere under ``item``."""
        return any(head_papers(d) for d in item.walk() if d is not item)

    def _is_paper(self, item: Item) -> bool:
        """Whether ``item`` is a paper by rule 1, 2 or 3 of the module's docstring."""
        if id(item) in self.text_items:
            return False
        if head_papers(item):
            return True
        if self._is_group(item):
            return False
        label = plain_label(item.text)
        if not label or label.endswith((":", "：")):
            return False
        links = [link for link in find_links(item.text) if not link.image]
        if links:
            return item.has_body()
        siblings = item.parent.children if item.parent is not None else []
        return item.has_sub_items() and any(head_papers(s) for s in siblings if s is not item)

    def _mark_text(self, item: Item) -> None:
        for descendant in item.walk():
            self.text_items.add(id(descendant))

    # -- building ---------------------------------------------------------------------

    def parse(self) -> None:
        for entry in self.root.content:
            if isinstance(entry, TextLine):
                continue
            self._top_level(entry)
        loose = [e for e in self.root.content if isinstance(e, TextLine) and not e.blank]
        if loose:
            lines: list[tuple[int | None, str]] = [
                (e.number, " " * max(0, e.indent) + self.fixer(e.number, e.text)) for e in loose
            ]
            self._topic_block(lines, ())

    def _top_level(self, item: Item) -> None:
        if self._is_paper(item):
            self._mentions_of(item)
            return
        if not self._is_group(item):
            self._mark_text(item)
        rendered = render_item(item, 0, self.fixer, self._replace)
        self._topic_block(rendered, (plain_label(item.text),))

    def _replace(self, item: Item) -> str | None:
        if id(item) in self.text_items:
            return None
        if self._is_paper(item):
            keys = self._mentions_of(item)
            return "- " + " · ".join(key.placeholder() for key in keys)
        if not self._is_group(item):
            self._mark_text(item)
        return None

    def _topic_block(self, rendered: list[tuple[int | None, str]], labels: tuple[str, ...]) -> None:
        lines = tidy(rendered)
        if not lines:
            return
        numbers = tuple(n for n, _ in lines if n is not None)
        text = "\n".join(t for _, t in lines)
        self.source.use(numbers, LineUse.TOPIC)
        self.source.topic_blocks.append(
            TopicBlock(
                Block(text, numbers),
                self.context,
                self.context_lines,
                self.context + labels,
                _refs(lines),
            )
        )

    def _mentions_of(self, item: Item) -> list[MentionKey]:
        rendered = tidy(render_item(item, 0, self.fixer))
        numbers = tuple(n for n, _ in rendered if n is not None)
        block = Block("\n".join(t for _, t in rendered), numbers)
        self.source.use(numbers, LineUse.NOTE)
        groups = tuple(plain_label(a.text) for a in item.ancestors())
        context = self.context + groups
        papers = head_papers(item)
        fields = _head_fields(item.text, papers)
        keys: list[MentionKey] = []
        own = {link.arxiv.base for link in papers if link.arxiv is not None}
        refs = tuple(r for r in _refs(rendered) if r.arxiv.base not in own)
        for index, link in enumerate(papers or [None]):
            key = MentionKey(self.source.name, item.number, index)
            keys.append(key)
            names = list(fields.names)
            if link is not None and link.names_paper:
                names.insert(0, clean_label(link.label_text))
            title, names = _split_title(names)
            self.source.mentions.append(
                Mention(
                    key,
                    block,
                    context,
                    self.context_lines,
                    title=title,
                    names=tuple(names),
                    arxiv=link.arxiv if link else None,
                    openreview=link.openreview if link else None,
                    url=_paper_url(link, fields),
                    venue=fields.venue,
                    tags=fields.tags,
                    code=fields.code,
                    project=fields.project,
                    topic_hints=context,
                    refs=refs,
                )
            )
        return keys


class _HeadFields:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.venue: str | None = None
        self.tags: tuple[str, ...] = ()
        self.code: tuple[str, ...] = ()
        self.project: tuple[str, ...] = ()
        self.url: str | None = None


def _head_fields(text: str, papers: list[FoundLink]) -> _HeadFields:
    """Names, venue, tags and other links from a paper bullet's first line."""
    fields = _HeadFields()
    links = [link for link in find_links(text) if not link.image]
    start = papers[0].start if papers else len(text)
    prefix = text[:start]
    tags: list[str] = []
    while True:
        match = _LEADING_LABEL.match(prefix)
        if match is None:
            break
        meaning = classify_label(match["label"])
        if meaning.venue and fields.venue is None:
            fields.venue = meaning.venue
        tags.extend(meaning.tags)
        prefix = prefix[match.end() :]
    name = plain_label(_without_generic_links(prefix if papers else text))
    name = name.replace("‣", "").strip().rstrip(":：-").strip()
    name = _CITATION.sub("", name).strip()
    survey = _SURVEY.match(name)
    if survey:
        name = name[survey.end() :]
        tags.append("survey")
    if name:
        fields.names.append(name)
    if papers:
        suffix = text[papers[-1].end :]
        trailing = _TRAILING_VENUE.match(re.sub(r"\[[^\]]*\]\([^)]*\)", "", suffix))
        if trailing:
            venue = parse_venue(trailing["venue"])
            if venue is not None and venue.venue and fields.venue is None:
                fields.venue = venue.venue
                tags.extend(venue.tags)
    fields.tags = tuple(dict.fromkeys(tags))
    fields.code = tuple(dict.fromkeys(link.url for link in links if link.role is LinkRole.CODE))
    others = [link.url for link in links if link.role is LinkRole.OTHER]
    if papers:
        fields.project = tuple(dict.fromkeys(others))
    elif others:
        fields.url = others[0]
    return fields


def _paper_url(link: FoundLink | None, fields: _HeadFields) -> str | None:
    """The paper's URL when no id names it: its proceedings link, else the bullet's link."""
    if link is None:
        return fields.url
    return link.url if link.arxiv is None and link.openreview is None else None


def _without_generic_links(text: str) -> str:
    """``text`` without links whose label only says what they are (``[Reddit](…)``)."""
    for link in reversed(find_links(text)):
        if not link.image and not link.names_paper:
            text = text[: link.start] + text[link.end :]
    return text


def _split_title(names: list[str]) -> tuple[str | None, list[str]]:
    """(title, other names): a name with ``: `` or of four words or more is a title."""
    for index, name in enumerate(names):
        if ": " in name or len(name.split()) >= _TITLE_LIKE_WORDS:
            rest = names[:index] + names[index + 1 :]
            return name, [n for n in dict.fromkeys(rest) if n != name]
    return None, list(dict.fromkeys(names))


def _refs(lines: list[tuple[int | None, str]]) -> tuple[ArxivRef, ...]:
    refs: list[ArxivRef] = []
    for number, text in lines:
        for link in arxiv_links(text):
            assert link.arxiv is not None
            refs.append(ArxivRef(link.arxiv, link.label_text, number or 0))
    return tuple(refs)


def parse(name: str, text: str) -> ParsedSource:
    """Parse a nested-bullet export into mentions, topic blocks and line uses."""
    lines = text.split("\n")
    source = ParsedSource(name, FORMAT, tuple(lines))
    fixer = LineFixer()
    sections = split_sections(lines)
    for section in sections:
        if not section.has_content():
            continue
        _SectionParser(source, section, fixer).parse()
    source.rewrites.extend(fixer.rewrites)
    used_headings: set[int] = set()
    for mention in source.mentions:
        used_headings.update(mention.context_lines)
    for block in source.topic_blocks:
        used_headings.update(block.context_lines)
    account_headings(source, sections, used_headings)
    return source
