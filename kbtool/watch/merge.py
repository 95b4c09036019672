"""How a watch run changes the inbox: arrivals, refreshes, rescoring, aging out, adoption.

The life of an entry (:func:`merge_inbox`):

* it **arrives** when a watch run ranks it among the best ``watch.max_papers``
  papers of its window; ``first_seen`` is that day, and is kept for good;
* a later run that sees it again **refreshes** it (a new version's metadata,
  the score under the current settings);
* every run **rescores** all entries with the current settings: an entry that
  an exclude keyword now drops, or that falls below ``watch.min_score``, leaves;
* it **ages out** ``watch.keep_for`` after ``first_seen``;
* it is **adopted** when a note for the paper (any version) exists (see
  :mod:`kbtool.watch.inbox`).

Pure: the file itself is :mod:`kbtool.watch.inbox`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from kbtool.arxiv.record import ArxivRecord
from kbtool.watch.inbox import InboxEntry, entry_from_record, file_order
from kbtool.watch.scoring import PaperScore, Scorer


@dataclass(frozen=True)
class Candidate:
    """A paper this run found worth the inbox: its record and how it scored."""

    record: ArxivRecord
    score: PaperScore


@dataclass(frozen=True)
class InboxChanges:
    """The inbox after a run, and what happened to whom."""

    entries: list[InboxEntry]
    added: list[InboxEntry] = field(default_factory=list)
    refreshed: list[InboxEntry] = field(default_factory=list)  # already there, seen again
    aged_out: list[InboxEntry] = field(default_factory=list)
    adopted: list[InboxEntry] = field(default_factory=list)  # a note exists now
    dropped: list[InboxEntry] = field(default_factory=list)  # no longer matches the settings


def merge_inbox(
    current: Sequence[InboxEntry],
    candidates: Sequence[Candidate],
    *,
    today: date,
    known: set[str],
    scorer: Scorer,
    min_score: float,
    keep_days: int,
) -> InboxChanges:
    """The inbox after a run found ``candidates`` (see the module docstring for the rules)."""
    found = {c.record.base: c for c in candidates}
    changes = InboxChanges(entries=[])
    for entry in current:
        if entry.id in known:
            changes.adopted.append(entry)
            continue
        if (today - entry.first_seen).days >= keep_days:
            changes.aged_out.append(entry)
            continue
        candidate = found.pop(entry.id, None)
        if candidate is not None:
            fresh = entry_from_record(candidate.record, candidate.score, entry.first_seen)
            entry = replace(fresh, summary=entry.summary)
            changes.refreshed.append(entry)
        else:
            entry = rescored(entry, scorer.score(entry.title, entry.abstract))
        if not qualifies(entry.score, entry.keywords, min_score):  # an excluded one scores 0
            changes.dropped.append(entry)
            continue
        changes.entries.append(entry)
    for base, candidate in found.items():
        if base in known:
            continue
        entry = entry_from_record(candidate.record, candidate.score, today)
        changes.added.append(entry)
        changes.entries.append(entry)
    changes.entries[:] = file_order(changes.entries)
    return changes


def qualifies(score: float, keywords: Sequence[str], min_score: float) -> bool:
    """Whether a score earns a place in the inbox: some keyword matched, and enough."""
    return bool(keywords) and score >= min_score


def rescored(entry: InboxEntry, score: PaperScore) -> InboxEntry:
    """``entry`` with the score and keywords of ``score``."""
    return replace(
        entry, score=score.score, keywords=score.keywords, title_keywords=score.title_keywords
    )
