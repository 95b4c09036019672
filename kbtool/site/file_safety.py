"""What the site reads from disk besides the knowledge base model: only what kbtool would read.

MkDocs copies every file of ``docs/`` and the plugin copies the files beside the
notes; these functions keep out what :mod:`kbtool.core.files` refuses (a named
pipe would hang the build, a symlink out of the knowledge base would publish
whatever it points at), with a warning, and fail the build when a note, a topic
text or ``topics.yml`` cannot be read, rather than publish a site without it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.structure.files import Files

from kbtool.config import Layout
from kbtool.core.files import refusal
from kbtool.core.knowledge_base import KnowledgeBase

log = logging.getLogger("mkdocs.plugins.kbtool")


def refuse_unsafe_files(files: Files, layout: Layout) -> None:
    """Take out of ``files`` (MkDocs' own, from ``docs/``) those kbtool would not read."""
    for file in list(files):
        if file.abs_src_path is None or file.generated_by is not None:
            continue
        why = refusal(layout, Path(file.abs_src_path))
        if why is not None:
            log.warning(f"{layout.relative(Path(file.abs_src_path))}: {why}")
            files.remove(file)


def unreadable_reason(kb: KnowledgeBase) -> str | None:
    """Why the site must not be built: a note, topic text, folder or topics.yml unreadable."""
    problems = [p for p in (*kb.read_problems, *kb.topic_problems) if p.name == "unreadable"]
    if not problems:
        return None
    first = problems[0]
    more = f" (and {len(problems) - 1} more; see kbtool check)" if len(problems) > 1 else ""
    return f"{first.path}: {first.message}{more}; the site would leave it out"
