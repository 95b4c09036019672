"""Format 2: a monthly paper list (file 002).

``## 202404`` (the month) → ``### LLM`` (the area) → ``#### Paper title``, then
`` `Keypoints:` ``, `` `Objective:` `` bullets and a ``<details>`` block with `` `Method:` ``,
`` `Metric:` ``, `` `Limitation:` ``. No links: papers are known by title. The title
heading becomes the note's title; the area heading its topic; everything under the
title is the note's text, the ``<details>`` block as a collapsible block.
"""

from __future__ import annotations

import re

from kbtool.importers.model import Block, LineUse, Mention, MentionKey, ParsedSource, TopicBlock
from kbtool.importers.parsing.bullet_tree import parse_tree, render_item, tidy
from kbtool.importers.parsing.details_blocks import DetailsRegion, render_details, split_details
from kbtool.importers.parsing.markdown_fixes import LineFixer
from kbtool.importers.parsing.sections import Section, account_headings, split_sections

FORMAT = "monthly-list"
DESCRIPTION = "monthly paper list"

_MONTH = re.compile(r"^## \d{6}\s*$", re.MULTILINE)
_PAPER_HEADING_LEVEL = 4


def looks_like(text: str) -> bool:
    """``## YYYYMM`` month headings, ``####`` paper headings and `` `Keypoints:` `` bullets."""
    return bool(_MONTH.search(text)) and "#### " in text and "`Keypoints:" in text


def render_block(
    lines: list[tuple[int, str]], fixer: LineFixer, source: ParsedSource
) -> list[tuple[int | None, str]]:
    """Lines under a paper heading as note Markdown; ``<details>`` → a collapsible block."""
    out: list[tuple[int | None, str]] = []
    for segment in split_details(lines):
        if isinstance(segment, DetailsRegion):
            inside = render_item(parse_tree(segment.content), 1, fixer)
            out.extend(render_details(segment, inside, source))
        else:
            out.extend(render_item(parse_tree(segment), 0, fixer))
    return tidy(out)


def parse(name: str, text: str) -> ParsedSource:
    """Parse a monthly list: one mention per ``####`` paper heading."""
    lines = text.split("\n")
    source = ParsedSource(name, FORMAT, tuple(lines))
    fixer = LineFixer()
    sections = split_sections(lines)
    used_headings: set[int] = set()
    for section in sections:
        heading = section.heading
        if heading is None or heading.level != _PAPER_HEADING_LEVEL:
            if section.has_content():
                _topic_text(source, section, fixer, used_headings)
            continue
        rendered = render_block(section.lines, fixer, source)
        numbers = tuple(n for n, _ in rendered if n is not None)
        source.use(numbers, LineUse.NOTE)
        source.uses[heading.line] = LineUse.TITLE
        context = section.titles[:-1]
        context_lines = section.heading_lines[:-1]
        used_headings.update(context_lines)
        source.mentions.append(
            Mention(
                MentionKey(name, heading.line),
                Block("\n".join(t for _, t in rendered), numbers),
                context,
                context_lines,
                title=heading.text,
                topic_hints=context,
                title_lines=(heading.line,),
            )
        )
    source.rewrites.extend(fixer.rewrites)
    account_headings(source, sections, used_headings)
    return source


def _topic_text(source: ParsedSource, section: Section, fixer: LineFixer, used: set[int]) -> None:
    rendered = tidy(render_item(parse_tree(section.lines), 0, fixer))
    numbers = tuple(n for n, _ in rendered if n is not None)
    source.use(numbers, LineUse.TOPIC)
    used.update(section.heading_lines)
    source.topic_blocks.append(
        TopicBlock(
            Block("\n".join(t for _, t in rendered), numbers),
            section.titles,
            section.heading_lines,
            section.titles,
        )
    )
