"""A note's Markdown as the plain text a reader sees: what search indexes and quotes.

Linear passes of regular expressions over the note's own Markdown, never its
rendered HTML. Link and image targets, HTML tags, attribute lists, list and
heading markers and emphasis go; link labels, image descriptions, code, math
and the titles of admonitions stay. The source labels ``kbtool import`` writes
(``Topic › Sub-topic — `file.txt` lines 3–9`` ``{ .kb-source }``) keep their
heading path and drop the file and lines; the encoding repair's ``⟦…⟧`` marks
go, their characters stay. Paragraphs end with a newline; the
lines inside one are joined by a space.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SOURCE_LABEL = re.compile(r"^[ \t]*\{[ \t]*:?[ \t]*\.kb-source[ \t]*\}[ \t]*$")
_SOURCE_FILES = re.compile(r"\s+—\s+`.*$")
_REFERENCE_DEF = re.compile(r"^[ \t]*\[(?!\^)[^\]\n]+\]:[ \t]*\S+.*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
_BLOCK_MARKERS = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ \t]*"  # block quotes
    r"(?:#{1,6}[ \t]+"  # ATX headings
    r"|(?:!!!|\?\?\?\+?)[ \t]*[\w-]+(?:[ \t]+[\w-]+)*[ \t]*"  # admonitions: type, classes
    r"|(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?"  # list items, task boxes
    r")?"
)
_SETEXT_RULE = re.compile(r"^[ \t]*(?:=+|-+|\*{3,}|_{3,})[ \t]*$")
_WIKILINK = re.compile(r"!?\[\[([^\[\]|#\n]*)(?:#([^\[\]|\n]*))?(?:\|([^\[\]\n]*))?\]\]")
_IMAGE_OR_LINK = re.compile(
    r"!?\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"(?:\(\s*(?:<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
    r"|\[[^\]\n]*\])"
)
_FOOTNOTE = re.compile(r"\[\^[^\]\n]+\]:?")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ATTR = r"(?:[.#][\w-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s{}]*))"
_ATTR_LIST = re.compile(rf"\{{:?[ \t]*{_ATTR}(?:[ \t]+{_ATTR})*[ \t]*\}}")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\d)")
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+|[{}^_\\]")
_EMPHASIS = re.compile(r"[*`]+|~~|==|\^\^")
_UNDERSCORES = re.compile(r"(?<![^\W_])_+|_+(?![^\W_])")  # emphasis, not ``kv_cache``
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _math(match: re.Match[str]) -> str:
    return " " + _TEX_COMMAND.sub(" ", match[1]) + " "


def _wikilink(match: re.Match[str]) -> str:
    target, anchor, label = match[1], match[2], match[3]
    if label:
        return label
    return " ".join(part for part in (target, anchor) if part)


def _inline(text: str) -> str:
    """Inline Markdown and HTML of one paragraph as text (each pass only where it can apply)."""
    if "[" in text:
        text = _WIKILINK.sub(_wikilink, text)
        # Twice: a link's label may hold an image (``[![alt](src)](href)``).
        text = _IMAGE_OR_LINK.sub(r"\1", _IMAGE_OR_LINK.sub(r"\1", text))
        text = _FOOTNOTE.sub("", text)
    if "<" in text:
        text = _TAG.sub(" ", _AUTOLINK.sub(r"\1", text))
    if "{" in text:
        text = _ATTR_LIST.sub(" ", text)
    if "$" in text:
        text = _INLINE_MATH.sub(_math, text)
    text = _EMPHASIS.sub("", text)
    if "_" in text:
        text = _UNDERSCORES.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    return _SPACES.sub(" ", text.replace("|", " ")).strip()


def _drop_source_files(paragraph: list[str]) -> list[str]:
    """A source label keeps its heading path; the file names and lines go."""
    return [_SOURCE_FILES.sub("", line) for line in paragraph]


def markdown_to_text(markdown: str) -> str:
    """The text of ``markdown`` as a reader sees it (see the module docstring)."""
    if (
        "⟦" in markdown or "⟧" in markdown
    ):  # the encoding repair's marks: the site shows their characters
        markdown = markdown.replace("⟦", "").replace("⟧", "")
    markdown = _COMMENT.sub(" ", markdown)
    markdown = _DISPLAY_MATH.sub(_math, markdown)
    paragraphs: list[str] = []
    current: list[str] = []  # the lines of a paragraph, as written
    code: list[str] = []  # the lines of a fenced code block, kept verbatim
    fence: str | None = None

    def flush() -> None:
        text = _inline(" ".join(current))
        if text:
            paragraphs.append(text)
        current.clear()

    for raw in markdown.split("\n"):
        opening = _FENCE.match(raw)
        if fence is not None:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = None
                paragraphs.append(" ".join(part for part in code if part))
                code.clear()
            else:
                code.append(_SPACES.sub(" ", raw).strip())
            continue
        if opening:
            flush()
            fence = opening[1]
            continue
        if not raw.strip():
            flush()
            continue
        if _SOURCE_LABEL.match(raw):
            current[:] = _drop_source_files(current)
            flush()
            continue
        if _REFERENCE_DEF.match(raw) or _TABLE_RULE.match(raw) or _SETEXT_RULE.match(raw):
            continue
        current.append(_BLOCK_MARKERS.sub("", raw, count=1))
    flush()
    paragraphs.append(" ".join(part for part in code if part))  # a fence left open
    return "\n".join(p for p in paragraphs if p)
