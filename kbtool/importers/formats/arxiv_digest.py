"""Format 4: the README of an arXiv digest bot (file 004).

``### N. [Title](https://arxiv.org/abs/…)`` starts a paper, followed by ``**Authors**``,
``**Category**``, ``**Published**``, ``**Score**``, ``**Type**`` and ``**ArXiv ID**`` lines,
``#### Abstract`` with the start of the abstract, and often a long generated summary in a
``<details>`` block; ``---`` ends it. Before the first paper and after the last come the
bot's own set-up text (deployment, statistics, configuration, schedule): deliberately
skipped, line by line, in the report.

In the note, ``#### Abstract`` becomes a second-level heading, the summary a collapsible
block whose own headings move one level down (``#`` → ``##``) so they sit under the
note's title; the metadata lines stay as written.
"""

from __future__ import annotations

import re

from kbtool.core.arxiv_id import find_arxiv_id
from kbtool.importers.model import (
    ArxivRef,
    Block,
    LineUse,
    Mention,
    MentionKey,
    ParsedSource,
)
from kbtool.importers.parsing.details_blocks import DetailsRegion, render_details, split_details
from kbtool.importers.parsing.markdown_fixes import LineFixer
from kbtool.importers.parsing.paper_links import find_links
from kbtool.importers.parsing.sections import HEADING

FORMAT = "arxiv-digest"
DESCRIPTION = "arXiv digest"

_ENTRY = re.compile(r"^###\s+(?P<rank>\d+)\.\s+\[(?P<title>.+)\]\((?P<url>[^)\s]+)\)\s*$")
_META = re.compile(r"^\*\*(?P<key>[A-Za-z][A-Za-z ]*)\*\*\s*:\s*(?P<value>.*?)\s*$")
_SECTION = re.compile(r"^##\s")
_RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")
_SETUP = "the digest bot's own set-up text"
_MAX_HEADING = 6


def looks_like(text: str) -> bool:
    """Numbered ``### N. [Title](arXiv url)`` entries with ``**ArXiv ID**`` lines."""
    return "**ArXiv ID**" in text and any(_ENTRY.match(line) for line in text.split("\n"))


def _shift_heading(text: str, shift: int) -> str:
    match = HEADING.match(text.strip())
    if match is None:
        return text
    level = min(_MAX_HEADING, max(2, len(match["marks"]) + shift))
    return "#" * level + " " + match["text"]


def _entry_spans(lines: list[str]) -> tuple[list[tuple[int, int]], str | None, int | None]:
    """(start, end) index pairs of the entries, and the heading above them (text, index)."""
    spans: list[tuple[int, int]] = []
    in_details = False
    start: int | None = None
    heading: tuple[str, int] | None = None
    last_heading: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        if re.match(r"^\s*<details", line, re.IGNORECASE):
            in_details = True
        elif re.match(r"^\s*</details>", line, re.IGNORECASE):
            in_details = False
        if in_details:
            continue
        if _ENTRY.match(line):
            if start is not None:
                spans.append((start, index))
            elif last_heading is not None:
                heading = last_heading
            start = index
        elif _SECTION.match(line):
            if start is not None:
                spans.append((start, index))
                start = None
            match = HEADING.match(line)
            last_heading = (match["text"], index) if match else None
    if start is not None:
        spans.append((start, len(lines)))
    if heading is None:
        return spans, None, None
    return spans, heading[0], heading[1]


def parse(name: str, text: str) -> ParsedSource:
    """Parse a digest: one mention per numbered entry, the bot's set-up text skipped."""
    lines = text.split("\n")
    source = ParsedSource(name, FORMAT, tuple(lines))
    fixer = LineFixer()
    spans, heading_text, heading_index = _entry_spans(lines)
    context: tuple[str, ...] = ()
    context_lines: tuple[int, ...] = ()
    if heading_text is not None and heading_index is not None:
        context += (heading_text,)
        context_lines += (heading_index + 1,)
    for start, end in spans:
        source.mentions.append(
            _mention(name, lines, start, end, context, context_lines, fixer, source)
        )
    source.rewrites.extend(fixer.rewrites)
    if source.mentions:
        source.use(context_lines, LineUse.CONTEXT)
    for index, line in enumerate(lines):
        number = index + 1
        if number in source.uses or not line.strip():
            continue
        if _RULE.match(line):
            source.uses[number] = LineUse.MARKUP
            continue
        source.skip(number, _SETUP)
    return source


def _mention(
    name: str,
    lines: list[str],
    start: int,
    end: int,
    context: tuple[str, ...],
    context_lines: tuple[int, ...],
    fixer: LineFixer,
    source: ParsedSource,
) -> Mention:
    head = _ENTRY.match(lines[start])
    assert head is not None
    number = start + 1
    source.uses[number] = LineUse.TITLE
    fields: dict[str, str] = {}
    body = [(start + 1 + offset, lines[start + offset]) for offset in range(1, end - start)]
    out: list[tuple[int | None, str]] = []
    for segment in split_details(body):
        if isinstance(segment, DetailsRegion):
            inside: list[tuple[int | None, str]] = [
                (n, "    " + _shift_heading(fixer(n, inner), 1) if inner.strip() else "")
                for n, inner in segment.content
            ]
            out.extend(render_details(segment, inside, source))
            continue
        for line_number, line in segment:
            meta = _META.match(line)
            if meta is not None:
                fields[meta["key"].strip().casefold()] = meta["value"]
            if _RULE.match(line):
                source.use([line_number], LineUse.MARKUP)
                continue
            out.append((line_number, _shift_heading(fixer(line_number, line), -2)))
    out = _tidy(out)
    numbers = tuple(n for n, _ in out if n is not None)
    source.use(numbers, LineUse.NOTE)
    arxiv = find_arxiv_id(fields.get("arxiv id", "")) or find_arxiv_id(head["url"])
    authors = tuple(a.strip() for a in fields.get("authors", "").split(",") if a.strip())
    published = fields.get("published", "").strip() or None
    refs = tuple(
        ArxivRef(link.arxiv, link.label_text, line_number or 0)
        for line_number, text in out
        for link in find_links(text)
        if link.arxiv is not None and (arxiv is None or link.arxiv.base != arxiv.base)
    )
    return Mention(
        MentionKey(name, number),
        Block("\n".join(text for _, text in out), numbers),
        context,
        context_lines,
        title=head["title"].strip(),
        arxiv=arxiv,
        authors=authors,
        published=published
        if published and re.fullmatch(r"\d{4}-\d{2}-\d{2}", published)
        else None,
        primary_category=fields.get("category") or None,
        status="to-read",
        topic_hints=context,
        refs=refs,
        title_lines=(number,),
    )


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s")


def _starts_block_under_text(text: str, previous: str) -> bool:
    """Whether ``text`` starts a list or table right under a paragraph line.

    The summaries are written for renderers that let a list or table interrupt a
    paragraph; the site's Markdown needs a blank line first, or shows them as text.
    """
    body, above = text.strip(), previous.strip()
    if not above or above.startswith(("#", "|", ">", "??? ")) or _LIST_ITEM.match(previous):
        return False
    return bool(_LIST_ITEM.match(text)) or body.startswith("|")


def _tidy(lines: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    result: list[tuple[int | None, str]] = []
    for number, text in lines:
        if not text.strip() and (not result or not result[-1][1].strip()):
            continue
        if result and text.strip() and _starts_block_under_text(text, result[-1][1]):
            result.append((None, ""))
        result.append((number, text.rstrip("\n")))
    while result and not result[-1][1].strip():
        result.pop()
    return result
