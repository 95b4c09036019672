"""Note file names: an id and a short title slug, safe on every operating system.

``kbtool new`` and the importers name notes with :func:`note_filename` (made
unique with :func:`unique_filename`); ``kbtool check`` reports a name that is
not safe everywhere with :func:`filename_problem`.
"""

from __future__ import annotations

import re
import unicodedata

from slugify import slugify

from kbtool.core.arxiv_id import ArxivId

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)
}
_MAX_SLUG = 60


def title_slug(title: str, max_length: int = _MAX_SLUG) -> str:
    """A short, lowercase ASCII slug of a title (Chinese is transliterated)."""
    text = unicodedata.normalize("NFKC", title)
    return slugify(text, max_length=max_length, word_boundary=True, save_order=True) or "untitled"


def note_filename(title: str, arxiv: ArxivId | None = None, other_id: str | None = None) -> str:
    """The file name for a paper's note: its id, then a short title slug.

    Safe on every OS: lowercase ASCII letters, digits, ``.`` and ``-`` only, no
    reserved Windows names, no path separators (old-style ids' ``/`` becomes ``-``).
    """
    parts = []
    if arxiv is not None:
        parts.append(arxiv.filename_stem)
    elif other_id:
        parts.append(slugify(other_id, max_length=40) or "paper")
    parts.append(title_slug(title))
    stem = "-".join(parts)
    if stem.split(".")[0] in _WINDOWS_RESERVED:
        stem = "paper-" + stem
    return stem + ".md"


def unique_filename(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with ``-2``, ``-3``… before ``.md`` when it is already taken."""
    if name not in taken:
        return name
    stem = name[: -len(".md")]
    counter = 2
    while f"{stem}-{counter}.md" in taken:
        counter += 1
    return f"{stem}-{counter}.md"


_SAFE_FILENAME = re.compile(r"[a-z0-9][a-z0-9._-]*\.md")


def filename_problem(name: str) -> str | None:
    """Why ``name`` is not safe on every OS, or None when it is."""
    if not _SAFE_FILENAME.fullmatch(name):
        return "use lowercase ASCII letters, digits, '.', '-' and '_' only"
    if name.split(".")[0] in _WINDOWS_RESERVED:
        return "a reserved device name on Windows"
    if len(name) > 120:
        return "longer than 120 characters"
    return None
