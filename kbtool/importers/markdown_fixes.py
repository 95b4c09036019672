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

Each change is recorded so the import report can list it.
"""

from __future__ import annotations

import re

from kbtool.importers.model import Rewrite

EXPIRED_IMAGE_HOSTS = ("prod-files-secure.s3.us-west-2.amazonaws.com",)
EXPIRED_IMAGE_CLASS = "kb-expired-image"
_EXPIRED_IMAGE = re.compile(
    r"(?P<image>!\[[^\]\n]*\]\((?P<url>https?://(?:"
    + "|".join(re.escape(host) for host in EXPIRED_IMAGE_HOSTS)
    + r")/[^)\s]*)\))(?P<attrs>\{[^}\n]*\})?"
)
_DOUBLE_BRACKET_LINK = re.compile(r"(?<!!)\[\[(?P<label>[^\[\]\n]+)\]\]\(")
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
    return fixed


def _mark_expired(match: re.Match[str]) -> str:
    attrs = match["attrs"]
    if attrs and EXPIRED_IMAGE_CLASS in attrs:
        return match.group(0)
    if attrs:
        return match["image"] + attrs[:-1].rstrip() + f" .{EXPIRED_IMAGE_CLASS} }}"
    return match["image"] + f"{{ .{EXPIRED_IMAGE_CLASS} }}"


class LineFixer:
    """A line rewriter for :func:`kbtool.importers.bullet_tree.render_item` that records."""

    def __init__(self) -> None:
        self.rewrites: list[Rewrite] = []
        self._seen: set[tuple[int, str]] = set()

    def __call__(self, number: int, text: str) -> str:
        if (number, text) in self._seen:
            return fix_line(number, text)
        self._seen.add((number, text))
        return fix_line(number, text, self.rewrites)
