"""The text of every generated file, with the inputs it was made from, from one build to the next.

A :class:`~kbtool.site.render.PageJob` names everything its renderer reads.
:class:`PageMemo` keeps, per file, the inputs and the text of the last
rendering; a job whose inputs are equal to the kept ones has the kept text, and
only the others are rendered again. Comparing inputs is cheap: unchanged notes
are the very same objects, and the lists of papers are tuples of short records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kbtool.site.render import PageJob


@dataclass(frozen=True)
class MemoUpdate:
    """What a build changed among the generated files."""

    #: Files whose text is new or different (added files included).
    changed: frozenset[str]
    #: Files the last build had and this one does not.
    removed: frozenset[str]


class PageMemo:
    """Generated files by name: the inputs of their last rendering and its text."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[object, str]] = {}

    def stale(self, jobs: Sequence[PageJob]) -> list[PageJob]:
        """The jobs whose inputs differ from those of the kept text (or that have none)."""
        entries = self._entries
        return [
            job
            for job in jobs
            if (entry := entries.get(job.uri)) is None or not _same(entry[0], job.inputs)
        ]

    def text(self, uri: str) -> str:
        return self._entries[uri][1]

    def update(self, jobs: Sequence[PageJob], rendered: Mapping[str, str]) -> MemoUpdate:
        """Keep ``rendered`` (new texts by name) for ``jobs``, the files of this build."""
        before = self._entries
        after: dict[str, tuple[object, str]] = {}
        changed: set[str] = set()
        for job in jobs:
            text = rendered.get(job.uri)
            if text is None:
                after[job.uri] = before[job.uri]
                continue
            old = before.get(job.uri)
            if old is None or old[1] != text:
                changed.add(job.uri)
            after[job.uri] = (job.inputs, text)
        self._entries = after
        return MemoUpdate(frozenset(changed), frozenset(before.keys() - after.keys()))


def _same(kept: object, new: object) -> bool:
    try:
        return bool(kept == new)
    except (TypeError, ValueError):  # values that cannot be compared are not the same
        return False
