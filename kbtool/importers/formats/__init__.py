"""The legacy formats kbtool imports, and recognising which one a file is in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kbtool.errors import UnknownFormatError
from kbtool.importers.formats import arxiv_digest, awesome_list, monthly_list, nested_bullets
from kbtool.importers.model import ParsedSource


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    looks_like: Callable[[str], bool]
    parse: Callable[[str, str], ParsedSource]


#: Most specific first: the nested-bullet test is the loosest, so it comes last.
FORMATS: tuple[Format, ...] = (
    Format(
        arxiv_digest.FORMAT, arxiv_digest.DESCRIPTION, arxiv_digest.looks_like, arxiv_digest.parse
    ),
    Format(
        monthly_list.FORMAT, monthly_list.DESCRIPTION, monthly_list.looks_like, monthly_list.parse
    ),
    Format(
        awesome_list.FORMAT, awesome_list.DESCRIPTION, awesome_list.looks_like, awesome_list.parse
    ),
    Format(
        nested_bullets.FORMAT,
        nested_bullets.DESCRIPTION,
        nested_bullets.looks_like,
        nested_bullets.parse,
    ),
)


def detect_format(text: str, path: Path | str) -> Format:
    """The format ``text`` is in, or :class:`UnknownFormatError` naming the known ones."""
    for candidate in FORMATS:
        if candidate.looks_like(text):
            return candidate
    known = ", ".join(f.description for f in FORMATS)
    raise UnknownFormatError(f"not in a format kbtool can import (known: {known})", path)
