"""The importers' common intermediate model: what one source file says, line by line.

Each format parser turns a source file's (repaired) text into a :class:`ParsedSource`:

- :class:`Mention` — one mention of one paper: its identifiers, names, venue, tags,
  authors, code links, the heading context it sits under, and the researcher's text
  about it as a :class:`Block` (Markdown, with the source lines it holds);
- :class:`TopicBlock` — text that is not about one paper (a section's general bullets,
  recipes, lists of titles), destined for a topic's text;
- :class:`SkippedLine` — a line deliberately left out, with the reason.

Every source line is accounted for in :attr:`ParsedSource.uses`, which is what lets the
import report (and its test) prove that nothing was silently lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from kbtool.core.arxiv_id import ArxivId

#: Placeholders for "the note of this mention" in topic texts, resolved when the notes'
#: file names are known. Private-use characters: they never occur in the sources.
PLACEHOLDER_OPEN = "\ue000"
PLACEHOLDER_CLOSE = "\ue001"


class LineUse(Enum):
    """Where a source line went."""

    NOTE = "note"  #: its text is in a paper's note
    TITLE = "title"  #: it became a note's title (and its link the note's identifier)
    TOPIC = "topic"  #: its text is in a topic text
    CONTEXT = "context"  #: a heading: named in the source labels of what sits under it
    SKIPPED = "skipped"  #: deliberately left out; the reason is in the report
    MARKUP = "markup"  #: markup only (``</details>``, ``---``): nothing to keep


@dataclass(frozen=True)
class MentionKey:
    """Identifies one mention: its file, its first line, and its index on that line."""

    file: str
    line: int
    index: int = 0

    def placeholder(self) -> str:
        return f"{PLACEHOLDER_OPEN}{self.file}:{self.line}:{self.index}{PLACEHOLDER_CLOSE}"


@dataclass(frozen=True)
class Block:
    """Markdown text for a note or topic text, and the source lines whose text it holds."""

    text: str
    lines: tuple[int, ...]

    @property
    def first_line(self) -> int:
        return min(self.lines) if self.lines else 0

    @property
    def last_line(self) -> int:
        return max(self.lines) if self.lines else 0


@dataclass(frozen=True)
class ArxivRef:
    """An arXiv link inside a block's text (a paper the text refers to)."""

    arxiv: ArxivId
    label: str
    line: int


@dataclass(frozen=True)
class Mention:
    """One mention of one paper in one source file."""

    key: MentionKey
    block: Block
    context: tuple[str, ...]  #: heading path (and enclosing list labels), outermost first
    context_lines: tuple[int, ...] = ()  #: the heading lines of ``context``
    title: str | None = None  #: the paper's full title, when the source gives one
    names: tuple[str, ...] = ()  #: short names the source uses for it
    arxiv: ArxivId | None = None
    openreview: str | None = None
    url: str | None = None  #: where the paper lives, when it has no arXiv/OpenReview id
    venue: str | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    published: str | None = None
    primary_category: str | None = None
    status: str | None = None
    topic_hints: tuple[str, ...] = ()  #: names to look up in the topics registry
    refs: tuple[ArxivRef, ...] = ()  #: other arXiv papers linked inside the block
    title_lines: tuple[int, ...] = ()  #: source lines consumed as the title (not in the block)

    @property
    def file(self) -> str:
        return self.key.file

    @property
    def line(self) -> int:
        return self.key.line

    @property
    def display_name(self) -> str:
        """What the source calls the paper: a short name, else its title, else its id."""
        if self.names:
            return self.names[0]
        if self.title:
            return self.title
        if self.arxiv is not None:
            return f"arXiv {self.arxiv.base}"
        return self.openreview or self.url or "untitled"


@dataclass(frozen=True)
class TopicBlock:
    """Text not about one paper, for the text of the topic its context maps to."""

    block: Block
    context: tuple[str, ...]
    context_lines: tuple[int, ...] = ()
    topic_hints: tuple[str, ...] = ()
    refs: tuple[ArxivRef, ...] = ()


@dataclass(frozen=True)
class SkippedLine:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Rewrite:
    """A change the importer made to a line's Markdown so it renders and checks."""

    line: int
    before: str
    after: str
    why: str


@dataclass
class ParsedSource:
    """Everything one parser found in one source file."""

    name: str
    format: str
    lines: tuple[str, ...]
    mentions: list[Mention] = field(default_factory=list)
    topic_blocks: list[TopicBlock] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    rewrites: list[Rewrite] = field(default_factory=list)
    uses: dict[int, LineUse] = field(default_factory=dict)
    #: The lines as the file holds them, before the encoding repair (same numbering).
    original: tuple[str, ...] = ()

    def original_text(self, lines: tuple[int, ...] | list[int]) -> str:
        """The source's own text of ``lines`` (before repair), for telling copies apart."""
        source = self.original or self.lines
        return "\n".join(source[n - 1] for n in sorted(lines) if 0 < n <= len(source))

    def use(self, lines: tuple[int, ...] | list[int], how: LineUse) -> None:
        """Record ``how`` for ``lines`` unless they already have a use."""
        for line in lines:
            self.uses.setdefault(line, how)

    def skip(self, line: int, reason: str) -> None:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.strip():
            self.skipped.append(SkippedLine(line, text, reason))
            self.uses[line] = LineUse.SKIPPED
