"""Frontmatter and arXiv strings are data, never markup: escape them for Markdown pages."""

from __future__ import annotations

import html
import re

# Every ASCII character Markdown, its extensions (math, tables, attr lists) or HTML
# could read as syntax becomes a numeric character reference: the page shows the
# character, and no parser along the way sees syntax in it.
_SIGNIFICANT = re.compile(r"[\\`*_{}\[\]<>()#+\-.!|~$^=:&\"'@%]")


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(0))};"


def escape_text(value: str) -> str:
    """``value`` as literal inline text for a Markdown page.

    Whitespace runs (newlines included) collapse to one space, so a value can
    never start a block (a heading, a list, raw HTML) in the page it is put in.
    """
    return _SIGNIFICANT.sub(_reference, " ".join(value.split()))


def escape_html(value: str) -> str:
    """``value`` as text inside HTML (an attribute or element), whitespace collapsed."""
    return html.escape(" ".join(value.split()), quote=True)


_URL_UNSAFE = str.maketrans(
    {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", '"': "%22"}
)


def escape_url(value: str) -> str:
    """``value`` as a Markdown link destination: no spaces, parentheses or angle brackets."""
    return value.strip().translate(_URL_UNSAFE)
