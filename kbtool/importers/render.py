"""The Markdown the importer writes: a paper's note, and a topic's text. Pure functions.

Every part of the researcher's text is preceded by a one-line source label, e.g.::

    Paper-Reading › RLHF › PRM — `000_5d12a05c003c2611.txt` lines 226–245
    { .kb-source }

(the heading path it sat under, the file and lines it came from; the attribute list lets
the site show it small). A text that two files hold identically (file 001 is an earlier
copy of part of 000) is written once, labelled with both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kbtool.core.frontmatter import render_frontmatter
from kbtool.core.schema import FIELDS
from kbtool.importers.merge import Paper, PlacedTopicBlock
from kbtool.importers.model import PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, Mention, MentionKey

SOURCE_CLASS = "kb-source"
_WIKILINK = re.compile(r"\[\[[^\]\n]*\]\]")
_PLACEHOLDER = re.compile(
    re.escape(PLACEHOLDER_OPEN)
    + r"(?P<file>.+?):(?P<line>\d+):(?P<index>\d+)"
    + re.escape(PLACEHOLDER_CLOSE)
)


_BACKTICKS = re.compile(r"`+")


def code_span(text: str) -> str:
    """``text`` (a file name) as one inline code span, whatever backticks it holds.

    The fence is a run of backticks longer than any inside the text (CommonMark's
    rule, which Python-Markdown follows), so the text can never close the span
    and be read as Markdown or HTML.
    """
    text = " ".join(text.split())
    inner = {len(run) for run in _BACKTICKS.findall(text)}
    fence = "`"
    while len(fence) in inner:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@dataclass(frozen=True)
class SourceSpan:
    """A file and the range of its lines a part of the text came from."""

    file: str
    first: int
    last: int

    def describe_lines(self) -> str:
        return (
            f"line {self.first}" if self.first == self.last else f"lines {self.first}–{self.last}"
        )


@dataclass
class Part:
    """One labelled part of a note or topic text."""

    context: tuple[str, ...]
    spans: list[SourceSpan]
    text: str
    #: What makes two parts the same: the sources' own text (before repair), so a copy of a
    #: passage in another file is recognised even where the repair read it differently.
    key: str = ""

    def label(self) -> str:
        by_file: dict[str, list[SourceSpan]] = {}
        for span in self.spans:
            by_file.setdefault(span.file, []).append(span)
        where = "; ".join(
            f"{code_span(file)} "
            + SourceSpan(
                file, min(s.first for s in spans), max(s.last for s in spans)
            ).describe_lines()
            for file, spans in by_file.items()
        )
        path = " › ".join(c for c in self.context if c)
        return f"{path} — {where}" if path else where


def _render_parts(parts: list[Part]) -> str:
    out = []
    for part in parts:
        out.append(f"{part.label()}\n{{ .{SOURCE_CLASS} }}\n\n{part.text.rstrip()}\n")
    return "\n".join(out)


def _dedupe(parts: list[Part]) -> list[Part]:
    """Parts with the same source text merged into the first, their sources combined."""
    result: list[Part] = []
    by_key: dict[str, Part] = {}
    for part in parts:
        key = part.key or part.text
        existing = by_key.get(key)
        if existing is not None:
            existing.spans.extend(part.spans)
            continue
        by_key[key] = part
        result.append(part)
    return result


def mention_span(mention: Mention) -> SourceSpan:
    lines = [*mention.block.lines, *mention.title_lines] or [mention.line]
    return SourceSpan(mention.file, min(lines), max(lines))


# -- frontmatter ---------------------------------------------------------------------------


def frontmatter(fields: Mapping[str, Any]) -> str:
    """YAML frontmatter in the note format's field order, by the note format's own writer.

    :func:`~kbtool.core.frontmatter.render_frontmatter` writes what ``kbtool new``
    writes (one line per field, lists in flow style, invisible characters
    escaped) and checks that it reads back as ``fields``.
    """
    order = {spec.name: index for index, spec in enumerate(FIELDS)}
    ordered = dict(sorted(fields.items(), key=lambda item: order.get(item[0], len(order))))
    return render_frontmatter(ordered)


def note_fields(paper: Paper, added: date) -> dict[str, Any]:
    """The frontmatter of a paper's note."""
    fields: dict[str, Any] = {"title": paper.title}
    if paper.arxiv is not None:
        fields["arxiv"] = str(paper.arxiv)
    if paper.openreview:
        fields["openreview"] = paper.openreview
    if paper.url:
        fields["url"] = paper.url
    if paper.aliases:
        fields["aliases"] = list(paper.aliases)
    if paper.authors:
        fields["authors"] = list(paper.authors)
    if paper.published:
        fields["published"] = date.fromisoformat(paper.published)
    if paper.venue:
        fields["venue"] = paper.venue
    if paper.primary_category:
        fields["primary_category"] = paper.primary_category
    fields["topics"] = list(paper.topics)
    if paper.tags:
        fields["tags"] = list(paper.tags)
    if paper.code:
        fields["code"] = list(paper.code)
    if paper.project:
        fields["project"] = list(paper.project)
    if paper.status:
        fields["status"] = paper.status
    fields["added"] = added
    return fields


# -- bodies --------------------------------------------------------------------------------


def _conflict_notice(paper: Paper) -> str:
    assert paper.conflict is not None
    names = " and ".join(
        f'"{name}" ({code_span(file)} line {line})' for name, file, line in paper.conflict.names
    )
    return (
        '!!! warning "Two names for one link"\n'
        f"    The sources link {paper.conflict.identifier} as {names}. Both texts are below;\n"
        "    settle which paper this is, then fix the title, aliases and links.\n"
    )


def _untitled_notice(paper: Paper) -> str:
    return (
        '!!! note "No title in the sources"\n'
        "    The sources link this paper without naming it; the title is a placeholder.\n"
    )


SourceText = Callable[[str, tuple[int, ...]], str]


def _no_source_text(file: str, lines: tuple[int, ...]) -> str:
    return ""


def render_note(
    paper: Paper,
    added: date,
    stem_of: Callable[[MentionKey], str],
    source_text: SourceText = _no_source_text,
) -> str:
    """A paper's note: frontmatter, notices, then each source's text under its label."""
    body: list[str] = []
    if paper.conflict is not None:
        body.append(_conflict_notice(paper))
    if paper.untitled and paper.mentions:
        body.append(_untitled_notice(paper))
    if paper.referenced_from:
        body.append(_references(paper, stem_of))
    parts = _dedupe(
        [
            Part(
                m.context,
                [mention_span(m)],
                m.block.text,
                source_text(m.file, (*m.title_lines, *m.block.lines)),
            )
            for m in paper.mentions
            if m.block.text
        ]
    )
    if parts:
        body.append(_render_parts(parts))
    return frontmatter(note_fields(paper, added)) + "\n" + "\n".join(body)


def _references(paper: Paper, stem_of: Callable[[MentionKey], str]) -> str:
    lines = ["The sources link this paper only from inside other notes:", ""]
    for ref in paper.referenced_from:
        where = f"{code_span(ref.file)} line {ref.line}"
        if ref.from_mention is not None:
            lines.append(f"- [[{stem_of(ref.from_mention.key)}]] ({where})")
        else:
            lines.append(f"- the text of topic `{ref.from_topic}` ({where})")
    return "\n".join(lines) + "\n"


def _wikilink(stem: str, name: str) -> str:
    safe = re.sub(r"[\[\]|\n]", " ", name).strip()
    return f"[[{stem}|{safe}]]" if safe and safe != stem else f"[[{stem}]]"


def resolve_placeholders(
    text: str, stem_of: Callable[[MentionKey], str], name_of: Callable[[MentionKey], str]
) -> str:
    """Topic text with each mention placeholder replaced by a wikilink to the paper's note."""

    def link(match: re.Match[str]) -> str:
        key = MentionKey(match["file"], int(match["line"]), int(match["index"]))
        return _wikilink(stem_of(key), name_of(key))

    return _PLACEHOLDER.sub(link, text)


def render_topic_text(
    blocks: list[PlacedTopicBlock],
    stem_of: Callable[[MentionKey], str],
    name_of: Callable[[MentionKey], str],
    source_text: SourceText = _no_source_text,
) -> str:
    """A topic's text: its blocks in source order, consecutive ones of one section joined."""
    parts: list[Part] = []
    previous: PlacedTopicBlock | None = None
    for placed in blocks:
        block = placed.block
        text = resolve_placeholders(block.block.text, stem_of, name_of)
        span = SourceSpan(placed.file, block.block.first_line, block.block.last_line)
        key = source_text(placed.file, block.block.lines)
        if key:
            # The papers a block links to have no source lines of their own in it.
            key += "\n" + " ".join(_WIKILINK.findall(text))
        if (
            previous is not None
            and parts
            and previous.file == placed.file
            and previous.block.context == block.context
        ):
            part = parts[-1]
            part.text = part.text.rstrip() + "\n\n" + text
            part.key = part.key + "\n\n" + key if part.key and key else ""
            part.spans.append(span)
        else:
            parts.append(Part(block.context, [span], text, key))
        previous = placed
    return _render_parts(_dedupe(parts))
