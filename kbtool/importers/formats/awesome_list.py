"""Format 3: an "awesome" list of papers (file 003).

Entries are ``- [Title](url) [Venue] [Tag]...`` with, nested under them, the authors,
``Code:`` links and sometimes an ``Idea:`` paragraph or a ``Citation:`` count; they are
grouped under headings such as ``## ICML 2024`` / ``### Oral`` (venue and presentation)
or ``### Visual Autoregressive Model…`` (the subject). A heading's blockquote is the
researcher's comment on the whole section: topic text. Entries commented out in the
source (``<!-- … -->``) are left out, and said so in the report.
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
from kbtool.importers.parsing.bullet_tree import parse_tree, render_item, tidy
from kbtool.importers.parsing.markdown_fixes import LineFixer
from kbtool.importers.parsing.paper_links import LinkRole, classify_url, clean_label, find_links
from kbtool.importers.parsing.sections import Section, account_headings, split_sections
from kbtool.importers.parsing.venues import PRESENTATION_TAGS, classify_label, parse_venue

FORMAT = "awesome-list"
DESCRIPTION = "awesome list"

_ENTRY = re.compile(r"^[-*] \[(?P<title>[^\]\n]+)\]\((?P<url>[^)\s]*)\)(?P<rest>.*)$")
_LABEL = re.compile(r"\[(?P<label>[^\[\]\n]+)\](?!\()")
_FIELD = re.compile(r"^\s*[-*]\s+(?P<name>Code|Idea|Citation|Paper|Project)\s*[:：]", re.IGNORECASE)
_ELIDED = re.compile(r"\.{3}|…")


def looks_like(text: str) -> bool:
    """Several ``- [Title](url) [Label]`` entries with ``Code:`` lines under them."""
    entries = 0
    for line in text.split("\n"):
        match = _ENTRY.match(line)
        if match is not None and _LABEL.search(match["rest"]):
            entries += 1
    return entries >= 3 and "Code:" in text


def _authors(line: str) -> tuple[str, ...]:
    """The authors on an entry's author line; none when the list is elided (``A,..., Z``)."""
    text = re.sub(r"^\s*[-*]\s+", "", line).strip()
    if not text or _ELIDED.search(text):
        return ()
    parts = re.split(r"\s*,\s*|\s+and\s+", text)
    return tuple(part.strip() for part in parts if part.strip())


def _headings_meaning(section: Section) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """(venue, tags, subject hints) from the headings above an entry."""
    venue: str | None = None
    tags: list[str] = []
    hints: list[str] = []
    for heading in section.path:
        meaning = parse_venue(heading.text)
        if meaning is not None and meaning.venue:
            venue = meaning.venue
            tags.extend(meaning.tags)
            continue
        presentation = PRESENTATION_TAGS.get(heading.text.strip().casefold())
        if presentation is not None:
            tags.append(presentation)
            continue
        hints.append(heading.text)
    return venue, tuple(tags), tuple(hints)


class _Entry:
    def __init__(self, line: int, text: str) -> None:
        self.line = line
        self.lines: list[tuple[int, str]] = [(line, text)]


def _split_entries(
    section: Section, source: ParsedSource
) -> tuple[list[_Entry], list[tuple[int, str]]]:
    """(entries, the section's other lines); commented-out lines are skipped."""
    entries: list[_Entry] = []
    other: list[tuple[int, str]] = []
    current: _Entry | None = None
    in_comment = False
    for number, text in section.lines:
        stripped = text.strip()
        if in_comment or stripped.startswith("<!--"):
            source.skip(number, "commented out in the source (<!-- … -->)")
            in_comment = "-->" not in stripped
            continue
        if _ENTRY.match(text):
            current = _Entry(number, text)
            entries.append(current)
            continue
        if not stripped:
            current = None
            other.append((number, text))
            continue
        if current is not None:
            # Field lines written flush with the entry are its children all the same.
            nested = text if text[:1] in (" ", "\t") else "  " + text
            current.lines.append((number, nested))
            continue
        other.append((number, text))
    return entries, other


def parse(name: str, text: str) -> ParsedSource:
    """Parse an awesome list: one mention per entry."""
    lines = text.split("\n")
    source = ParsedSource(name, FORMAT, tuple(lines))
    fixer = LineFixer()
    sections = split_sections(lines)
    used_headings: set[int] = set()
    for section in sections:
        entries, other = _split_entries(section, source)
        venue, heading_tags, hints = _headings_meaning(section)
        for entry in entries:
            mention = _mention(name, section, entry, venue, heading_tags, hints, fixer)
            source.use(mention.block.lines, LineUse.NOTE)
            source.mentions.append(mention)
            used_headings.update(section.heading_lines)
        loose = [(n, t) for n, t in other if t.strip()]
        if not loose:
            continue
        if not section.titles:
            for number, _ in loose:
                source.skip(number, "the list's own introduction (file preamble)")
            continue
        rendered = tidy(render_item(parse_tree(other), 0, fixer))
        numbers = tuple(n for n, _ in rendered if n is not None)
        source.use(numbers, LineUse.TOPIC)
        used_headings.update(section.heading_lines)
        source.topic_blocks.append(
            TopicBlock(
                Block("\n".join(t for _, t in rendered), numbers),
                section.titles,
                section.heading_lines,
                hints,
            )
        )
    source.rewrites.extend(fixer.rewrites)
    account_headings(source, sections, used_headings)
    return source


def _mention(
    name: str,
    section: Section,
    entry: _Entry,
    heading_venue: str | None,
    heading_tags: tuple[str, ...],
    hints: tuple[str, ...],
    fixer: LineFixer,
) -> Mention:
    head = _ENTRY.match(entry.lines[0][1])
    assert head is not None
    title = clean_label(head["title"])
    _, arxiv, openreview = classify_url(head["url"])
    venue: str | None = None
    tags: list[str] = []
    for label in _LABEL.finditer(head["rest"]):
        meaning = classify_label(label["label"])
        if meaning.venue and venue is None:
            venue = meaning.venue
        tags.extend(meaning.tags)
    authors: tuple[str, ...] = ()
    code: list[str] = []
    for _, line in entry.lines[1:]:
        field = _FIELD.match(line)
        if field is None:
            if not authors and line.strip():
                authors = _authors(line)
            continue
        if field["name"].casefold() == "code":
            code.extend(
                link.url
                for link in find_links(line)
                if link.role is not LinkRole.PAPER and not link.image
            )
    rendered = tidy(render_item(parse_tree(entry.lines), 0, fixer))
    numbers = tuple(n for n, _ in rendered if n is not None)
    refs = tuple(
        ArxivRef(link.arxiv, link.label_text, number or 0)
        for number, text in rendered
        for link in find_links(text)
        if link.arxiv is not None and (arxiv is None or link.arxiv.base != arxiv.base)
    )
    return Mention(
        MentionKey(name, entry.line),
        Block("\n".join(t for _, t in rendered), numbers),
        section.titles,
        section.heading_lines,
        title=title,
        arxiv=arxiv,
        openreview=openreview,
        url=head["url"] if head["url"] and not arxiv and not openreview else None,
        venue=venue or heading_venue,
        tags=tuple(dict.fromkeys([*tags, *heading_tags])),
        authors=authors,
        code=tuple(dict.fromkeys(code)),
        topic_hints=hints,
        refs=refs,
    )
