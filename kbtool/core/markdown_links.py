"""Links, images, wikilinks and heading anchors in Markdown text, with their lines.

Pure functions of text. Code (fenced blocks, inline code spans) and HTML comments
are masked first, so an example link inside code is never taken for a real one.
Heading anchors are computed exactly as the site computes them (pymdownx's
unicode slugify, lower case, with Python-Markdown's ``_1``, ``_2`` de-duplication),
so a ``#anchor`` that passes ``kbtool check`` also works on the site.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from pymdownx.slugs import slugify as _pymdownx_slugify

#: The heading slug function; ``mkdocs.yml`` configures the same for the ``toc`` extension.
heading_slugify: Callable[[str, str], str] = _pymdownx_slugify(case="lower")


class LinkKind(Enum):
    LINK = "link"
    IMAGE = "image"
    WIKILINK = "wikilink"
    AUTOLINK = "autolink"
    BARE_URL = "bare-url"
    HTML = "html"
    REFERENCE = "reference"


@dataclass(frozen=True)
class LinkRef:
    """One link in the text. ``target`` is the raw destination (for wikilinks, the page)."""

    kind: LinkKind
    target: str
    line: int
    label: str = ""
    anchor: str | None = None
    embed: bool = False

    @property
    def is_external(self) -> bool:
        return bool(_SCHEME.match(self.target)) or self.target.startswith("//")


_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
_INLINE = re.compile(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\(\s*(?P<target><[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
)
_WIKILINK = re.compile(
    r"(?P<bang>!?)\[\[(?P<page>[^\[\]|#\n]*)(?:#(?P<anchor>[^\[\]|\n]*))?(?:\|(?P<alias>[^\[\]\n]*))?\]\]"
    r"(?!\()"  # [[paper]](url) is a link whose text is "[paper]", not a wikilink
)
_REFERENCE_DEF = re.compile(r"^[ \t]*\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<target><[^>\n]*>|\S+)", re.M)
# No ``<`` inside: an unclosed ``<http://…`` then ends at the next tag, not at the end of the text.
_AUTOLINK = re.compile(r"<(?P<target>(?:https?|ftp)://[^<>\s]+)>")
_HTML_ATTR = re.compile(
    r"<(?:a|img|source|video|audio|iframe|embed)\b[^<>]*?\b(?:href|src)\s*=\s*"
    r"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"(?<![\w/@.=\"'])https?://[!#-&(-;=?-~]+", re.IGNORECASE)
_TRAILING = ".,;:!?*'\"_~"
_ATX = re.compile(r"^[ ]{0,3}(?P<level>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^[ ]{0,3}(=+|-+)[ \t]*$")
# Python-Markdown's attr_list on a heading (its HEADER_RE): removed from the text, and
# its `#id`, if any, is the heading's anchor.
_ATTR_LIST = re.compile(r"[ ]+\{\:?[ ]*(?P<attrs>[^\}\n ][^\n]*)[ ]*\}[ ]*$")
_ATTR_ID = re.compile(r"(?:^|\s)#(?P<id>[^\s}]+)")
_HTML_ID = re.compile(r"<[a-zA-Z][^<>]*?\b(?:id|name)\s*=\s*[\"'](?P<id>[^\"']+)[\"']")
_ID_COUNT = re.compile(r"^(.*)_([0-9]+)$")


def _blank_span(text: str, start: int, end: int) -> str:
    """``text[start:end]`` blanked: every character but a line break becomes a space."""
    return re.sub(r"[^\n]", " ", text[start:end])


def _fenced_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """The (first, last) line of every fenced code block, as the site's Markdown sees them.

    A fence that is never closed opens no block (SuperFences renders it as text, so
    its links are links). Linear: the closing candidates are indexed once, and a
    block's lines are skipped once it is found.
    """
    closers: dict[str, list[tuple[int, int]]] = {"`": [], "~": []}
    if not any("```" in line or "~~~" in line for line in lines):
        return []
    for number, line in enumerate(lines):
        stripped = line.strip()
        char = stripped[:1]
        if len(stripped) >= 3 and char in closers and stripped == char * len(stripped):
            closers[char].append((number, len(stripped)))
    # The longest closing fence at or after each candidate: whether any can close an opener.
    longest: dict[str, list[int]] = {}
    for char, found in closers.items():
        suffix = [0] * (len(found) + 1)
        for index in range(len(found) - 1, -1, -1):
            suffix[index] = max(found[index][1], suffix[index + 1])
        longest[char] = suffix
    starts = {char: [number for number, _ in found] for char, found in closers.items()}
    blocks: list[tuple[int, int]] = []
    number = 0
    while number < len(lines):
        match = _FENCE_OPEN.match(lines[number])
        if match and not (match["fence"][0] == "`" and "`" in match["info"]):
            char, size = match["fence"][0], len(match["fence"])
            index = bisect.bisect_right(starts[char], number)
            if longest[char][index] >= size:
                while closers[char][index][1] < size:
                    index += 1
                last = closers[char][index][0]
                blocks.append((number, last))
                number = last + 1
                continue
        number += 1
    return blocks


def _comment_spans(text: str) -> Iterator[tuple[int, int]]:
    """Closed HTML comments; an unclosed ``<!--`` is text (and so is every later one)."""
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            return
        yield start, end + 3
        start = text.find("<!--", end + 3)


_BACKTICKS = re.compile(r"`+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _code_span_ranges(text: str) -> Iterator[tuple[int, int]]:
    """Inline code spans: a backtick run up to the next run of the same length, in one
    paragraph (the site's Markdown reads inline code block by block)."""
    if "`" not in text:
        return
    block_start = 0
    for block_end in [m.start() for m in _PARAGRAPH_BREAK.finditer(text)] + [len(text)]:
        runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text, block_start, block_end)]
        following: list[int | None] = [None] * len(runs)
        last_of_length: dict[int, int] = {}
        for index in range(len(runs) - 1, -1, -1):
            length = runs[index][1] - runs[index][0]
            following[index] = last_of_length.get(length)
            last_of_length[length] = index
        index = 0
        while index < len(runs):
            closing = following[index]
            if closing is None:
                index += 1
                continue
            yield runs[index][0], runs[closing][1]
            index = closing + 1
        block_start = block_end


def mask_code(text: str, *, inline: bool = True) -> str:
    """``text`` with code blocks, inline code and HTML comments blanked (same length, lines).

    ``inline=False`` keeps inline code (a heading's code is part of its text). Linear in
    the length of ``text``, whatever it holds.
    """
    lines = text.split("\n")
    for first, last in _fenced_blocks(lines):
        for number in range(first, last + 1):
            lines[number] = " " * len(lines[number])
    masked = "\n".join(lines)
    masked = _blank_ranges(masked, list(_comment_spans(masked)))
    return _blank_ranges(masked, list(_code_span_ranges(masked))) if inline else masked


def _blank_ranges(text: str, ranges: list[tuple[int, int]]) -> str:
    if not ranges:
        return text
    parts: list[str] = []
    position = 0
    for start, end in ranges:
        parts.append(text[position:start])
        parts.append(_blank_span(text, start, end))
        position = end
    parts.append(text[position:])
    return "".join(parts)


class _LineIndex:
    """Offset → 1-based line number, by binary search over line starts."""

    def __init__(self, text: str, first_line: int) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.first_line = first_line

    def line(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self.starts, offset) - 1


def _clean_target(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].strip()
    return raw


def _trim_bare_url(url: str) -> str:
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    for opener, closer in ("()", "[]", "{}", "<>"):
        while url.endswith(closer) and url.count(closer) > url.count(opener):
            url = url[:-1]
            while url and url[-1] in _TRAILING:
                url = url[:-1]
    return url


class _Spans:
    """The stretches of text already taken by a link: which positions they cover.

    Spans are added while one kind of link is found and indexed before the next
    kind is looked for (spans of one kind never cover each other's starts), so a
    lookup is a binary search: n·log n in the links of a note, however many.
    """

    def __init__(self) -> None:
        self._indexed: list[tuple[int, int]] = []
        self._pending: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self._reach: list[int] = []  # the furthest end of the spans starting up to here

    def append(self, span: tuple[int, int]) -> None:
        self._pending.append(span)

    def index(self) -> None:
        self._indexed = sorted(self._indexed + self._pending)
        self._pending = []
        self._starts = [start for start, _ in self._indexed]
        self._reach = list(itertools.accumulate((end for _, end in self._indexed), max))

    def covers(self, position: int) -> bool:
        at = bisect.bisect_right(self._starts, position)
        return at > 0 and self._reach[at - 1] > position


@dataclass(frozen=True)
class LinkSpan:
    """Where one link stands in the text: the whole construct, and its destination.

    Offsets index the text given to :func:`extract_link_spans`; ``target_start``
    and ``target_end`` delimit the destination as written (for a wikilink, the
    whole ``[[…]]``), so a renderer can replace it without re-parsing.
    """

    ref: LinkRef
    start: int
    end: int
    target_start: int
    target_end: int


def extract_links(text: str, first_line: int = 1) -> list[LinkRef]:
    """Every link, image, wikilink and URL in ``text``, in order, with file lines.

    ``first_line`` is the file line of ``text``'s first line (a note body starts
    after its frontmatter).
    """
    return [span.ref for span in extract_link_spans(text, first_line)]


def extract_link_spans(text: str, first_line: int = 1) -> list[LinkSpan]:
    """:func:`extract_links`, with where each link stands in ``text``."""
    masked = mask_code(text)
    index = _LineIndex(masked, first_line)
    found: list[LinkSpan] = []
    spans = _Spans()
    covered = spans.covers

    def add(ref: LinkRef, whole: tuple[int, int], target: tuple[int, int]) -> None:
        found.append(LinkSpan(ref, whole[0], whole[1], target[0], target[1]))

    for m in _WIKILINK.finditer(masked):
        spans.append(m.span())
        ref = LinkRef(
            LinkKind.WIKILINK,
            m["page"].strip(),
            index.line(m.start()),
            (m["alias"] or "").strip(),
            m["anchor"].strip() if m["anchor"] is not None else None,
            embed=bool(m["bang"]),
        )
        add(ref, m.span(), m.span())
    spans.index()
    for m in _INLINE.finditer(masked):
        if covered(m.start()):
            continue
        spans.append(m.span())
        kind = LinkKind.IMAGE if m["bang"] else LinkKind.LINK
        ref = LinkRef(kind, _clean_target(m["target"]), index.line(m.start()), m["label"])
        add(ref, m.span(), m.span("target"))
        # An image inside a link's label: [![alt](img)](url)
        base = m.start("label")
        for inner in _INLINE.finditer(m["label"]):
            offset = base + inner.start()
            inner_kind = LinkKind.IMAGE if inner["bang"] else LinkKind.LINK
            ref = LinkRef(
                inner_kind, _clean_target(inner["target"]), index.line(offset), inner["label"]
            )
            whole = (offset, base + inner.end())
            add(ref, whole, (base + inner.start("target"), base + inner.end("target")))
    spans.index()
    for m in _REFERENCE_DEF.finditer(masked):
        if covered(m.start("label")):
            continue
        spans.append(m.span())
        ref = LinkRef(
            LinkKind.REFERENCE, _clean_target(m["target"]), index.line(m.start()), m["label"]
        )
        add(ref, m.span(), m.span("target"))
    spans.index()
    for m in _AUTOLINK.finditer(masked):
        if covered(m.start()):
            continue
        spans.append(m.span())
        add(LinkRef(LinkKind.AUTOLINK, m["target"], index.line(m.start())), m.span(), m.span(1))
    spans.index()
    for m in _HTML_ATTR.finditer(masked):
        if covered(m.start()):
            continue
        spans.append(m.span())
        group = "dq" if m["dq"] is not None else "sq"
        target = m[group] or ""
        add(LinkRef(LinkKind.HTML, target.strip(), index.line(m.start())), m.span(), m.span(group))
    spans.index()
    for m in _BARE_URL.finditer(masked):
        if covered(m.start()):
            continue
        url = _trim_bare_url(m.group(0))
        if len(url) > len("https://"):
            whole = (m.start(), m.start() + len(url))
            add(LinkRef(LinkKind.BARE_URL, url, index.line(m.start())), whole, whole)
    found.sort(key=lambda span: span.start)
    return found


def _unique_id(slug: str, used: set[str], resume: dict[str, str]) -> str:
    # Python-Markdown's toc de-duplication: foo, foo_1, foo_2, … Each slug's candidates
    # come in a fixed order and ``used`` only grows, so a search may resume where the
    # last one for the same slug stopped (``resume``): linear for 10,000 equal headings.
    wanted = slug
    slug = resume.get(slug, slug)
    while slug in used or not slug:
        match = _ID_COUNT.match(slug)
        slug = f"{match.group(1)}_{int(match.group(2)) + 1}" if match else f"{slug}_1"
    used.add(slug)
    resume[wanted] = slug
    return slug


_MD_LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|~~|==|`+)")
# Underscores are emphasis only in pairs around words: "snake_case_" keeps its own.
_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")


def heading_text_to_plain(text: str) -> str:
    """Approximately what a heading renders to, as text: link text kept, markup dropped."""
    text = _MD_LINK_TEXT.sub(r"\1", text)
    text = _UNDERSCORE_EMPHASIS.sub(r"\2", _EMPHASIS.sub("", text))
    # The site slugs the heading's text: entities read as characters, spaces collapsed.
    return " ".join(html.unescape(text).split())


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int


def iter_headings(text: str, first_line: int = 1) -> Iterator[Heading]:
    """ATX and setext headings outside code, with the anchors the site gives them."""
    lines = mask_code(text, inline=False).split("\n")
    # Python-Markdown's toc reserves every explicit id before it makes up the others.
    used: set[str] = set(_explicit_ids(lines))
    resume: dict[str, str] = {}
    previous = ""
    for number, line in enumerate(lines):
        match = _ATX.match(line)
        level = 0
        raw = ""
        if match:
            level, raw = len(match["level"]), match["text"] or ""
        elif (
            previous.strip()
            and _SETEXT.match(line)
            and not _ATX.match(previous)
            and not previous.lstrip().startswith(("-", "*", "+", ">", "|"))
        ):
            level, raw = (1 if line.strip()[0] == "=" else 2), previous.strip()
        if level:
            attributes = _ATTR_LIST.search(raw)
            explicit = None
            if attributes:
                explicit = _last_id(attributes["attrs"])
                raw = raw[: attributes.start()]
            slug = heading_slugify(heading_text_to_plain(raw), "-")
            anchor = explicit or _unique_id(slug, used, resume)
            yield Heading(
                level, heading_text_to_plain(raw), anchor, first_line + number - (0 if match else 1)
            )
            previous = ""
            continue
        previous = line


def _last_id(attrs: str) -> str | None:
    ids = _ATTR_ID.findall(attrs)
    return ids[-1] if ids else None


def _explicit_ids(lines: list[str]) -> Iterator[str]:
    for line in lines:
        match = _ATX.match(line)
        attributes = _ATTR_LIST.search(match["text"] or "") if match else None
        if attributes and (explicit := _last_id(attributes["attrs"])):
            yield explicit


def anchors(text: str) -> set[str]:
    """Every anchor a link may target in ``text``: heading ids and HTML ``id``/``name``s."""
    found = {h.anchor for h in iter_headings(text)}
    found.update(m["id"] for m in _HTML_ID.finditer(mask_code(text)))
    return found
