"""The place for short summaries of inbox papers, e.g. by a language model: an extension point.

kbtool writes no summaries itself. A :class:`Summarizer` is anything with a
``summarize(entry)`` method returning a short plain-text summary (or None to
leave the paper without one); give it to :func:`kbtool.watch.run_watch`::

    class MySummarizer:
        def summarize(self, entry: InboxEntry) -> str | None:
            return my_model.summarize(entry.title, entry.abstract)

    run_watch(layout, summarizer=MySummarizer())

It is asked only about papers that have no summary yet, after the inbox is
merged, so each paper is summarized once. The summary is stored in the entry's
``summary`` field of ``inbox.yml``; the site's Inbox page shows it (as text,
escaped like everything else) above the folded abstract. ``kbtool watch`` on
the command line uses none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from kbtool.watch.inbox import InboxEntry

#: Longer summaries are cut here (at a word) so the page and the file stay readable.
MAX_SUMMARY_LENGTH = 2000


class Summarizer(Protocol):
    def summarize(self, entry: InboxEntry) -> str | None:
        """A short plain-text summary of the paper, or None for none."""


def add_summaries(
    entries: Sequence[InboxEntry], summarizer: Summarizer
) -> tuple[list[InboxEntry], list[str]]:
    """``entries`` with a summary for each that had none; and a warning per failure.

    A summarizer that raises costs that paper its summary, never the run.
    """
    done: list[InboxEntry] = []
    warnings: list[str] = []
    for entry in entries:
        if entry.summary:
            done.append(entry)
            continue
        try:
            summary = summarizer.summarize(entry)
        except Exception as err:  # a plug-in's failure: report it, keep the inbox
            warnings.append(f"no summary for {entry.id}: {type(err).__name__}: {err}")
            done.append(entry)
            continue
        text = " ".join(summary.split()) if isinstance(summary, str) else ""
        if len(text) > MAX_SUMMARY_LENGTH:
            text = text[:MAX_SUMMARY_LENGTH].rsplit(" ", 1)[0] + " …"
        done.append(replace(entry, summary=text or None))
    return done, warnings
