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

from kbtool.site.render import PageJob, Rendered


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
        self._entries: dict[str, tuple[object, Rendered]] = {}

    def stale(self, jobs: Sequence[PageJob]) -> list[PageJob]:
        """The jobs whose inputs differ from those of the kept text (or that have none)."""
        entries = self._entries
        return [
            job
            for job in jobs
            if (entry := entries.get(job.uri)) is None or not _same(entry[0], job.inputs)
        ]

    def text(self, uri: str) -> Rendered:
        return self._entries[uri][1]

    def update(self, jobs: Sequence[PageJob], rendered: Mapping[str, Rendered]) -> MemoUpdate:
        """Keep ``rendered`` (what jobs made, by job) for ``jobs``, the jobs of this build."""
        before = self._entries
        after: dict[str, tuple[object, Rendered]] = {}
        for job in jobs:
            made = rendered.get(job.uri)
            after[job.uri] = before[job.uri] if made is None else (job.inputs, made)
        self._entries = after
        old, new = _files(before), _files(after)
        changed = {uri for uri, text in new.items() if old.get(uri) != text}
        return MemoUpdate(frozenset(changed), frozenset(old.keys() - new.keys()))


def _files(entries: Mapping[str, tuple[object, Rendered]]) -> dict[str, str]:
    """Every file the entries made, by name."""
    files: dict[str, str] = {}
    for uri, (_inputs, made) in entries.items():
        if isinstance(made, str):
            files[uri] = made
        else:
            files.update(made)
    return files


def _same(kept: object, new: object) -> bool:
    try:
        return bool(kept == new)
    except (TypeError, ValueError):  # values that cannot be compared are not the same
        return False
