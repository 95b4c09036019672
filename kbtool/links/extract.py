"""Every external link in the knowledge base, with the file and line it is written on.

Pure functions of notes and texts: the links of a note's body (through
:func:`kbtool.core.markdown_links.extract_links`, so links in code are ignored), the
URL-valued fields of its frontmatter (``url``, ``code``, ``project``, ``abs_url``…,
or any other key whose value is a web address), and the links of hand-written
pages in ``docs/`` and topic texts. Only ``http``/``https`` links are external
links to check; the fragment is not part of what is checked.

A link is left alone when its line carries the marker ``<!-- kbtool: no-check -->``
(in Markdown) or the comment ``# kbtool: no-check`` (in frontmatter).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from kbtool.config import Layout
from kbtool.core.files import find_files, read_note_bytes
from kbtool.core.knowledge_base import KnowledgeBase
from kbtool.core.markdown_links import LinkKind, extract_links
from kbtool.core.note import Note
from kbtool.core.problems import problem

log = logging.getLogger("kbtool")

#: ``<!-- kbtool: no-check -->`` on a Markdown line (``# kbtool: no-check`` on a YAML line)
#: keeps its links out of ``kbtool links``.
_MARKDOWN_MARKER = re.compile(r"<!--\s*kbtool:\s*no-check\s*-->", re.IGNORECASE)
_YAML_MARKER = re.compile(r"(?:^|\s)#\s*kbtool:\s*no-check\b", re.IGNORECASE)
_WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class LinkOccurrence:
    """One external link as written: ``url`` is what gets checked (no fragment).

    A ``user:password@`` in the link is in neither ``url`` nor ``written`` (it is
    never sent, printed or cached); ``credentials`` says it was there.
    """

    url: str
    path: str
    line: int
    written: str
    credentials: bool = False


@dataclass(frozen=True)
class ExtractedLinks:
    """The links to consider, and how many a no-check marker kept out."""

    occurrences: tuple[LinkOccurrence, ...]
    marked_no_check: int = 0


def checkable_url(target: str) -> str | None:
    """The URL to request for a link target, or None when it is not a web link.

    ``//host/path`` is taken as https; the ``#fragment`` is dropped (never sent to
    the server, and one check covers every anchor of a page).
    """
    target = target.strip()
    if target.startswith("//"):
        target = "https:" + target
    try:
        parts = urlsplit(target)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not host:
        return None
    if any(ch.isspace() for ch in target):
        return None
    # A user name and password are never part of what is requested (see without_credentials).
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, ""))


_AUTHORITY = re.compile(r"^(?P<head>\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//)(?P<authority>[^/?#]*)")


def without_credentials(written: str) -> tuple[str, bool]:
    """``written`` without the ``user:password@`` of its authority, and whether it had one."""
    match = _AUTHORITY.match(written)
    if match is None or "@" not in match["authority"]:
        return written, False
    host = match["authority"].rpartition("@")[2]
    return match["head"] + host + written[match.end() :], True


def extract_markdown_links(text: str, path: str, first_line: int = 1) -> ExtractedLinks:
    """The web links in Markdown ``text`` (file line of its first line: ``first_line``)."""
    lines = text.split("\n")
    found: list[LinkOccurrence] = []
    marked = 0
    for ref in extract_links(text, first_line):
        if ref.kind is LinkKind.WIKILINK:
            continue
        url = checkable_url(ref.target)
        if url is None:
            continue
        index = ref.line - first_line
        if 0 <= index < len(lines) and _MARKDOWN_MARKER.search(lines[index]):
            marked += 1
            continue
        written, credentials = without_credentials(ref.target)
        found.append(LinkOccurrence(url, path, ref.line, written, credentials))
    return ExtractedLinks(tuple(found), marked)


def _frontmatter_values(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def extract_frontmatter_links(note: Note) -> ExtractedLinks:
    """The web addresses among ``note``'s frontmatter values, each at the line it is on.

    A list's items may sit on the lines after their key, so each value is looked
    for from its key's line to the end of the frontmatter.
    """
    if not note.has_frontmatter:
        return ExtractedLinks(())
    text_lines = note.text.split("\n")
    last = max(note.body_line - 2, 1)  # the closing fence's line
    found: list[LinkOccurrence] = []
    marked = 0
    for key, value in note.fields.items():
        key_line = note.line_of(key)
        # A list's items come in order: each is looked for from the line of the one before.
        from_line = key_line
        for raw in _frontmatter_values(value):
            url = checkable_url(raw)
            if url is None:
                continue
            line = next(
                (
                    number
                    for number in range(from_line, last)
                    if raw.strip() in text_lines[number - 1]
                ),
                key_line,
            )
            from_line = max(from_line, line)
            if _YAML_MARKER.search(text_lines[line - 1]):
                marked += 1
                continue
            written, credentials = without_credentials(raw.strip())
            found.append(LinkOccurrence(url, note.path, line, written, credentials))
    return ExtractedLinks(tuple(found), marked)


def extract_note_links(note: Note) -> ExtractedLinks:
    """Frontmatter then body links of one note or topic text."""
    head = extract_frontmatter_links(note)
    body = extract_markdown_links(note.body, note.path, note.body_line)
    return ExtractedLinks(
        head.occurrences + body.occurrences, head.marked_no_check + body.marked_no_check
    )


def read_docs_pages(layout: Layout) -> list[tuple[str, str]]:
    """(path relative to the root, text) of every hand-written Markdown page under ``docs/``.

    A page that cannot be read is left out with a warning (the site build reports it too).
    """
    found = find_files(layout, layout.docs_dir)
    problems = list(found.problems)
    pages = []
    for path in found.paths:
        try:
            data = read_note_bytes(path)
        except OSError as err:
            problems.append(problem(layout.relative(path), 0, "unreadable", str(err.strerror)))
            continue
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        pages.append((layout.relative(path), text))
    for found_problem in problems:
        log.warning(f"{found_problem.path}: {found_problem.message}; its links are not checked")
    return pages


def collect_links(kb: KnowledgeBase, docs_pages: Iterable[tuple[str, str]]) -> ExtractedLinks:
    """Every external link of the notes, the topic texts and ``docs/`` pages, in file order."""
    parts: list[ExtractedLinks] = [extract_note_links(note) for note in kb.notes]
    parts += [extract_note_links(text.note) for text in kb.topic_texts.values()]
    parts += [extract_markdown_links(text, path) for path, text in docs_pages]
    return ExtractedLinks(
        tuple(occ for part in parts for occ in part.occurrences),
        sum(part.marked_no_check for part in parts),
    )
