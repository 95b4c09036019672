"""HTML ``<details>`` blocks in the sources, rewritten as the site's collapsible blocks.

Raw ``<details>`` HTML in a note renders its content as raw text (Markdown inside HTML
is not parsed), and one opened inside a list item and closed outside it breaks the page.
The site has pymdownx's details syntax, which nests Markdown properly::

    ??? note "Details"

        - `Method:` …

So ``<details>`` + ``<summary>Details</summary>`` become the ``??? note "Details"`` line
and ``</details>`` goes (markup only); the content moves under it, indented 4 spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.importers.model import LineUse, ParsedSource

DETAILS_OPEN = re.compile(r"^\s*(?:[-*+]\s+)?<details(?:\s[^>]*)?>\s*$", re.IGNORECASE)
DETAILS_CLOSE = re.compile(r"^\s*</details>\s*$", re.IGNORECASE)
SUMMARY = re.compile(r"^\s*<summary>(?P<text>.*)</summary>\s*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class DetailsRegion:
    """A ``<details>`` block: its open line, summary line, close line and content lines."""

    open_line: int
    summary_line: int | None
    close_line: int | None
    summary: str
    content: list[tuple[int, str]]


Segment = DetailsRegion | list[tuple[int, str]]


def split_details(lines: list[tuple[int, str]]) -> list[Segment]:
    """``lines`` as runs of ordinary lines and :class:`DetailsRegion` s, in order."""
    segments: list[Segment] = []
    plain: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        if not DETAILS_OPEN.match(text):
            plain.append((number, text))
            index += 1
            continue
        if plain:
            segments.append(plain)
            plain = []
        index += 1
        summary, summary_line = "Details", None
        content: list[tuple[int, str]] = []
        close_line = None
        while index < len(lines):
            inner_number, inner = lines[index]
            index += 1
            match = SUMMARY.match(inner)
            if summary_line is None and match is not None and not content_text(content):
                summary = summary_text(match["text"])
                summary_line = inner_number
                continue
            if DETAILS_CLOSE.match(inner):
                close_line = inner_number
                break
            content.append((inner_number, inner))
        segments.append(DetailsRegion(number, summary_line, close_line, summary, content))
    if plain:
        segments.append(plain)
    return segments


def content_text(lines: list[tuple[int, str]]) -> bool:
    return any(text.strip() for _, text in lines)


def summary_text(html: str) -> str:
    """A ``<summary>``'s text: tags dropped, whitespace collapsed, quotes made safe."""
    text = " ".join(_TAG.sub("", html).split())
    return text.replace('"', "“") or "Details"


def details_line(summary: str) -> str:
    return f'??? note "{summary}"'


def render_details(
    region: DetailsRegion, content: list[tuple[int | None, str]], source: ParsedSource
) -> list[tuple[int | None, str]]:
    """``region`` as a collapsible block around ``content`` (already rendered and indented).

    The ``<details>``/``</details>`` lines are accounted for as markup in ``source``.
    """
    source.use([region.open_line], LineUse.MARKUP)
    if region.close_line is not None:
        source.use([region.close_line], LineUse.MARKUP)
    summary = (region.summary_line, details_line(region.summary))
    return [(None, ""), summary, (None, ""), *content, (None, "")]
