"""Links, images, wikilinks and heading anchors in Markdown text, with their lines.

Pure functions of text. Code (fenced blocks, inline code spans) and HTML comments
are masked first, so an example link inside code is never taken for a real one.
Heading anchors are computed exactly as the site computes them (pymdownx's
unicode slugify, lower case, with Python-Markdown's ``_1``, ``_2`` de-duplication),
so a ``#anchor`` that passes ``kbtool check`` also works on the site.
"""

from __future__ import annotations

import html
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
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
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
_AUTOLINK = re.compile(r"<(?P<target>(?:https?|ftp)://[^>\s]+)>")
_HTML_ATTR = re.compile(
    r"<(?:a|img|source|video|audio|iframe|embed)\b[^>]*?\b(?:href|src)\s*=\s*"
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
_HTML_ID = re.compile(r"<[a-zA-Z][^>]*?\b(?:id|name)\s*=\s*[\"'](?P<id>[^\"']+)[\"']")
_ID_COUNT = re.compile(r"^(.*)_([0-9]+)$")


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def mask_code(text: str, *, inline: bool = True) -> str:
    """``text`` with code blocks, inline code and HTML comments blanked (same length, lines).

    ``inline=False`` keeps inline code (a heading's code is part of its text).
    """
    lines = text.split("\n")
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is None:
            match = _FENCE_OPEN.match(line)
            if match and not (match["fence"][0] == "`" and "`" in match["info"]):
                fence = match["fence"]
                out.append(" " * len(line))
                continue
            out.append(line)
        else:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
            out.append(" " * len(line))
    masked = "\n".join(out)
    masked = _HTML_COMMENT.sub(_blank, masked)
    return _INLINE_CODE.sub(_blank, masked) if inline else masked


class _LineIndex:
    """Offset → 1-based line number, by binary search over line starts."""

    def __init__(self, text: str, first_line: int) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.first_line = first_line

    def line(self, offset: int) -> int:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.first_line + lo


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
    spans: list[tuple[int, int]] = []

    def covered(start: int) -> bool:
        return any(a <= start < b for a, b in spans)

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
    for m in _REFERENCE_DEF.finditer(masked):
        if covered(m.start("label")):
            continue
        spans.append(m.span())
        ref = LinkRef(
            LinkKind.REFERENCE, _clean_target(m["target"]), index.line(m.start()), m["label"]
        )
        add(ref, m.span(), m.span("target"))
    for m in _AUTOLINK.finditer(masked):
        if covered(m.start()):
            continue
        spans.append(m.span())
        add(LinkRef(LinkKind.AUTOLINK, m["target"], index.line(m.start())), m.span(), m.span(1))
    for m in _HTML_ATTR.finditer(masked):
        if covered(m.start()):
            continue
        spans.append(m.span())
        group = "dq" if m["dq"] is not None else "sq"
        target = m[group] or ""
        add(LinkRef(LinkKind.HTML, target.strip(), index.line(m.start())), m.span(), m.span(group))
    for m in _BARE_URL.finditer(masked):
        if covered(m.start()):
            continue
        url = _trim_bare_url(m.group(0))
        if len(url) > len("https://"):
            whole = (m.start(), m.start() + len(url))
            add(LinkRef(LinkKind.BARE_URL, url, index.line(m.start())), whole, whole)
    found.sort(key=lambda span: span.start)
    return found


def _unique_id(slug: str, used: set[str]) -> str:
    # Python-Markdown's toc de-duplication: foo, foo_1, foo_2, …
    while slug in used or not slug:
        match = _ID_COUNT.match(slug)
        slug = f"{match.group(1)}_{int(match.group(2)) + 1}" if match else f"{slug}_1"
    used.add(slug)
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
            anchor = explicit or _unique_id(heading_slugify(heading_text_to_plain(raw), "-"), used)
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
