"""Finished HTML inside generated pages, and how the plugin keeps Markdown off it.

Renderers wrap HTML they have fully escaped and linked (the paper card, lists
and tables of papers, the BibTeX block) in :func:`raw_block` markers. The page
is valid Markdown as it is; the plugin only swaps each marked block for a
placeholder before Markdown runs and puts the HTML back after
(:func:`stash_raw_blocks`, :func:`restore_raw_blocks`), which spares
Python-Markdown's HTML parser most of a page.
"""

from __future__ import annotations

import re
import uuid

START = "<!-- kbtool:html -->"
END = "<!-- /kbtool:html -->"
_BLOCK = re.compile(re.escape(START) + r"\n(.*?)\n" + re.escape(END) + r"\n", re.DOTALL)


def raw_block(html: str) -> str:
    """``html`` marked as finished: a block of its own, left alone by Markdown."""
    return f"\n{START}\n{html.strip()}\n{END}\n\n"


def stash_raw_blocks(markdown: str) -> tuple[str, dict[str, str]]:
    """``markdown`` with each marked block replaced by a placeholder paragraph.

    Returns the new text and the blocks by placeholder.
    """
    if START not in markdown:
        return markdown, {}
    stash: dict[str, str] = {}
    prefix = f"kbtool{uuid.uuid4().hex}x"

    def take(match: re.Match[str]) -> str:
        key = f"{prefix}{len(stash)}"
        stash[key] = match.group(1)
        return f"{key}\n"

    return _BLOCK.sub(take, markdown), stash


def restore_raw_blocks(html: str, stash: dict[str, str]) -> str:
    """Put the stashed blocks back where Markdown left their placeholders."""
    for key, block in stash.items():
        html = html.replace(f"<p>{key}</p>", block, 1)
    return html
