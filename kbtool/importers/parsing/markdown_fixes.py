"""The few changes the importer makes to the researcher's Markdown, each for a reason.

- **Expired images.** The notes app exported images as signed S3 links
  (``https://prod-files-secure.s3.us-west-2.amazonaws.com/…``) that have expired. They are
  kept as written and marked with the class ``kb-expired-image``
  (``![image.png](https://prod-files-secure…){ .kb-expired-image }``): the site shows a
  placeholder for them, and nothing ever fetches them.
- **``[[paper]](url)``** is a link whose text is ``[paper]``; kbtool (and the site) would
  read ``[[paper]]`` as a wikilink to a note called "paper". The inner brackets are
  escaped: ``[\\[paper\\]](url)`` shows the same text.
- **A link without a scheme** (``[Reddit](www.reddit.com/…)``) is a relative link to a
  file that does not exist; ``https://`` is added.
- **Text that looks like an HTML tag but is none** (``生成多个<st>(rationale)<et>``) would
  vanish on the page; it is written as ``&lt;st&gt;`` so it shows (not inside code).

Each change is recorded so the import report can list it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kbtool.importers.model import Rewrite

EXPIRED_IMAGE_HOSTS = ("prod-files-secure.s3.us-west-2.amazonaws.com",)
EXPIRED_IMAGE_CLASS = "kb-expired-image"
_EXPIRED_IMAGE = re.compile(
    r"(?P<image>!\[[^\]\n]*\]\((?P<url>https?://(?:"
    + "|".join(re.escape(host) for host in EXPIRED_IMAGE_HOSTS)
    + r")/[^)\s]*)\))(?P<attrs>\{[^}\n]*\})?"
)
_DOUBLE_BRACKET_LINK = re.compile(r"(?<!!)\[\[(?P<label>[^\[\]\n]+)\]\]\(")
#: HTML elements the notes may use on purpose; anything else in angle brackets is text.
HTML_ELEMENTS = frozenset(
    {
        "a",
        "abbr",
        "audio",
        "b",
        "blockquote",
        "br",
        "center",
        "code",
        "del",
        "details",
        "div",
        "em",
        "figcaption",
        "figure",
        "font",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "iframe",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "s",
        "section",
        "small",
        "source",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "video",
    }
)
_TAG_LIKE = re.compile(r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<rest>[^<>\n]*)>")
_CODE_SPAN = re.compile(r"(`+)[^`\n]*?\1")
_SCHEMELESS = re.compile(
    r"(?<!!)(?P<head>\[[^\[\]\n]*\]\()(?P<url>(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+/[^)\s]*)\)",
    re.IGNORECASE,
)


def fix_line(number: int, text: str, rewrites: list[Rewrite] | None = None) -> str:
    """``text`` with the importer's fixes applied; each change appended to ``rewrites``."""
    fixed = _EXPIRED_IMAGE.sub(_mark_expired, text)
    if fixed != text and rewrites is not None:
        rewrites.append(Rewrite(number, text, fixed, "expired image link marked"))
    before = fixed
    fixed = _DOUBLE_BRACKET_LINK.sub(lambda m: f"[\\[{m['label']}\\]](", fixed)
    if fixed != before and rewrites is not None:
        rewrites.append(Rewrite(number, before, fixed, "[[…]](…) link text escaped"))
    before = fixed
    fixed = _SCHEMELESS.sub(lambda m: f"{m['head']}https://{m['url']})", fixed)
    if fixed != before and rewrites is not None:
        rewrites.append(Rewrite(number, before, fixed, "https:// added to a link"))
    before = fixed
    fixed = _outside_code(fixed, _escape_pseudo_tags)
    if fixed != before and rewrites is not None:
        rewrites.append(Rewrite(number, before, fixed, "text in angle brackets escaped"))
    return fixed


def _escape_pseudo_tags(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        if match["name"].lower() in HTML_ELEMENTS or match["name"].lower().startswith("http"):
            return match.group(0)
        return "&lt;" + match.group(0)[1:-1] + "&gt;"

    return _TAG_LIKE.sub(escape, text)


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to everything but its inline code spans."""
    out: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        out.append(change(text[position : span.start()]))
        out.append(span.group(0))
        position = span.end()
    out.append(change(text[position:]))
    return "".join(out)


def _mark_expired(match: re.Match[str]) -> str:
    attrs = match["attrs"]
    if attrs and EXPIRED_IMAGE_CLASS in attrs:
        return match.group(0)
    if attrs:
        return match["image"] + attrs[:-1].rstrip() + f" .{EXPIRED_IMAGE_CLASS} }}"
    return match["image"] + f"{{ .{EXPIRED_IMAGE_CLASS} }}"


class LineFixer:
    """A line rewriter for :func:`kbtool.importers.parsing.bullet_tree.render_item` that records."""

    def __init__(self) -> None:
        self.rewrites: list[Rewrite] = []
        self._seen: set[tuple[int, str]] = set()

    def __call__(self, number: int, text: str) -> str:
        if (number, text) in self._seen:
            return fix_line(number, text)
        self._seen.add((number, text))
        return fix_line(number, text, self.rewrites)
