"""Markdown headings and the sections under them, outside code fences and ``$$`` blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kbtool.importers.model import LineUse, ParsedSource

HEADING = re.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass
class Section:
    """The lines under a heading, up to the next heading; ``path`` is outermost first."""

    path: tuple[Heading, ...]
    lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def heading(self) -> Heading | None:
        return self.path[-1] if self.path else None

    @property
    def titles(self) -> tuple[str, ...]:
        """The headings' texts, outermost first, without the file's title (level 1)."""
        return tuple(h.text for h in self.path if h.level > 1)

    @property
    def heading_lines(self) -> tuple[int, ...]:
        return tuple(h.line for h in self.path if h.level > 1)

    def has_content(self) -> bool:
        return any(text.strip() for _, text in self.lines)


def split_sections(lines: list[str], first_line: int = 1) -> list[Section]:
    """The sections of ``lines``; text before the first heading has an empty path."""
    sections = [Section(())]
    path: list[Heading] = []
    fence: str | None = None
    in_math = False
    for offset, line in enumerate(lines):
        number = first_line + offset
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            sections[-1].lines.append((number, line))
            continue
        if in_math:
            in_math = stripped != "$$"
            sections[-1].lines.append((number, line))
            continue
        match = HEADING.match(line)
        if match is not None:
            heading = Heading(len(match["marks"]), match["text"].strip(), number)
            path = [h for h in path if h.level < heading.level] + [heading]
            sections.append(Section(tuple(path)))
            continue
        fence_match = _FENCE.match(line)
        if fence_match is not None:
            fence = fence_match.group(1)
        elif stripped == "$$":
            in_math = True
        sections[-1].lines.append((number, line))
    return sections


FILE_TITLE = "the file's title (the notes name their source file instead)"
EMPTY_SECTION = "heading of an empty section"


def account_headings(source: ParsedSource, sections: list[Section], used: set[int]) -> None:
    """Record each heading's use: context of what sits under it, the file's title, or empty.

    ``used`` holds the heading lines some mention or topic block names in its context.
    """
    for section in sections:
        heading = section.heading
        if heading is None or heading.line in source.uses:
            continue
        if heading.line in used:
            source.uses[heading.line] = LineUse.CONTEXT
        elif heading.level == 1:
            source.skip(heading.line, FILE_TITLE)
        else:
            source.skip(heading.line, EMPTY_SECTION)
