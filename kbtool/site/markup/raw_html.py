"""Finished HTML inside generated pages, and how the plugin keeps Markdown off it.

Renderers wrap HTML they have fully escaped and linked (the paper card, lists
and tables of papers, the BibTeX block) in :func:`raw_block` markers. The page
is valid Markdown as it is; the plugin only swaps each marked block for a
placeholder before Markdown runs and puts the HTML back after
(:func:`stash_raw_blocks`, :func:`restore_raw_blocks`), which spares
Python-Markdown's HTML parser most of a page. A block marked ``indexed=False``
(lists that repeat other pages' titles) goes back only after the search plugin
has indexed the page, which spares the search plugin's HTML parser too.

The placeholders are named after a digest of the page, so the same page always
gives the same Markdown to convert (a page converted once can be reused), and no
page can contain its own placeholder by accident.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

START = "<!-- kbtool:html -->"
START_NOT_INDEXED = "<!-- kbtool:html not-indexed -->"
END = "<!-- /kbtool:html -->"
_BLOCK = re.compile(
    r"<!-- kbtool:html( not-indexed)? -->\n(.*?)\n" + re.escape(END) + r"\n", re.DOTALL
)


@dataclass(frozen=True)
class StashedBlock:
    html: str
    indexed: bool


def raw_block(html: str, *, indexed: bool = True) -> str:
    """``html`` marked as finished: a block of its own, left alone by Markdown."""
    start = START if indexed else START_NOT_INDEXED
    return f"\n{start}\n{html.strip()}\n{END}\n\n"


def stash_raw_blocks(markdown: str) -> tuple[str, dict[str, StashedBlock]]:
    """``markdown`` with each marked block replaced by a placeholder paragraph.

    Returns the new text and the blocks by placeholder.
    """
    if "<!-- kbtool:html" not in markdown:
        return markdown, {}
    stash: dict[str, StashedBlock] = {}
    prefix = f"kbtool{hashlib.blake2b(markdown.encode(), digest_size=12).hexdigest()}x"

    def take(match: re.Match[str]) -> str:
        key = f"{prefix}{len(stash)}"
        stash[key] = StashedBlock(match.group(2), indexed=match.group(1) is None)
        return f"{key}\n"

    return _BLOCK.sub(take, markdown), stash


def restore_raw_blocks(html: str, stash: dict[str, StashedBlock], *, indexed: bool) -> str:
    """Put back the stashed blocks that are (or are not) ``indexed`` where Markdown left them."""
    for key, block in stash.items():
        if block.indexed == indexed:
            html = html.replace(f"<p>{key}</p>", block.html, 1)
    return html
