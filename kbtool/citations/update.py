"""Fetch the notes' citations from Semantic Scholar and write ``citations.json``.

:func:`update_citations` is what ``kbtool enrich`` and ``kbtool new`` call:

1. the papers of the ``wanted`` notes (all notes by default) are looked up: fresh
   answers from the cache (no request), the rest from S2 in batches of up to 500,
   one request at a time; a paper whose reference list came back cut short is
   paged through ``/references``;
2. the data file is rebuilt for every note of the knowledge base: each paper's
   newest answer (this run's, the cache's, or the entry already in the file), so
   notes that were not asked about keep their data;
3. it is written atomically, and only if its text changed.

Papers S2 does not know are reported, not fatal. If S2 fails (after the client's
retries), is unreachable, or the deadline passes, nothing is written: the file
stays as it was, and the answers fetched so far wait in the cache for the next run.
A file that cannot be read is left alone, and said so.
"""

from __future__ import annotations

import os
import random
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kbtool.citations.cache import CitationCache
from kbtool.citations.client import SemanticScholarClient
from kbtool.citations.keys import note_keys
from kbtool.citations.parse import S2Paper
from kbtool.citations.settings import CitationSettings, load_citation_settings
from kbtool.citations.store import (
    CitationData,
    CitedPaper,
    PaperEntry,
    assemble_citation_data,
    load_citation_data,
    save_citation_data,
)
from kbtool.config import Layout, Settings, lock_file
from kbtool.core.files import read_notes
from kbtool.core.knowledge_base import iter_note_files
from kbtool.core.note import Note
from kbtool.errors import CitationDataError, KbtoolError, RemoteError
from kbtool.util.clock import Clock, SystemClock
from kbtool.util.locks import file_lock
from kbtool.util.plural import plural

CACHE_SUBDIR = "s2"


def citation_cache_dir(layout: Layout) -> Path:
    return layout.cache_dir / CACHE_SUBDIR


@dataclass
class CitationSession:
    """The knowledge base's S2 client and cache, opened once per run."""

    client: SemanticScholarClient
    cache: CitationCache
    settings: CitationSettings
    persist: bool = True  # False for --dry-run: nothing is written, the cache neither

    @classmethod
    def open(
        cls,
        layout: Layout,
        settings: Settings,
        *,
        clock: Clock | None = None,
        environ: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        persist: bool = True,
    ) -> CitationSession:
        """Validate the ``citations:`` settings (ConfigError/InputError) and open the cache."""
        clock = clock or SystemClock()
        config = load_citation_settings(settings, os.environ if environ is None else environ)
        folder = citation_cache_dir(layout)
        client = SemanticScholarClient(
            config, clock, rng, stamp=folder / "last-request", write_stamp=persist
        )
        cache = CitationCache.load(
            folder / "papers.json", clock, timedelta(seconds=config.cache_max_age), config.url
        )
        return cls(client, cache, config, persist)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> CitationSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass
class CitationReport:
    """What one update did, for the command's output."""

    asked: int = 0  # papers looked up (notes with an arXiv id or DOI)
    from_cache: int = 0
    fetched: int = 0
    requests: int = 0
    unknown: list[str] = field(default_factory=list)  # keys S2 does not know
    error: KbtoolError | None = None  # why nothing was written
    written: bool = False
    dry_run: bool = False
    papers: int = 0  # entries in the data file
    citations: int = 0  # references between papers with notes
    warnings: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """What went wrong or is worth a warning, one sentence each."""
        found = list(self.warnings)
        if self.unknown:
            shown = ", ".join(self.unknown[:5]) + (" …" if len(self.unknown) > 5 else "")
            found.append(
                f"Semantic Scholar does not know {plural(len(self.unknown), 'paper')}: {shown}"
            )
        if self.error is not None:
            found.append(f"citations not updated: {self.error}")
        return found

    def summary(self) -> str:
        """One line: what was asked, and what the data file holds now."""
        if self.error is not None:
            return "citations: citations.json left as it was"
        requests = plural(self.requests, "request")
        verb = (
            "not written (dry run)"
            if self.dry_run
            else ("written" if self.written else "unchanged")
        )
        return (
            f"citations: {plural(self.asked, 'paper')} looked up ({requests}, "
            f"{self.from_cache} from cache); citations.json {verb}: "
            f"{plural(self.papers, 'paper')}, {plural(self.citations, 'citation')} between them"
        )

    def lines(self) -> Iterator[str]:
        """The report for the terminal: warnings (``kbtool: warning: …``), then the summary."""
        for problem in self.problems():
            yield f"kbtool: warning: {problem}"
        if self.error is None:
            yield self.summary()


def _primary_keys(notes: Sequence[Note]) -> dict[str, str]:
    """Note path → the key its paper is looked up by (arXiv id, else DOI)."""
    return {note.path: keys[0] for note in notes if (keys := note_keys(note))}


def _fetch(session: CitationSession, keys: list[str], report: CitationReport) -> dict[str, S2Paper]:
    """Look up ``keys`` batch by batch, caching each batch; RemoteError stops the run."""
    client, cache = session.client, session.cache
    found: dict[str, S2Paper] = {}
    size = session.settings.batch_size
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        answers = client.fetch_batch(chunk)
        papers: list[tuple[str, S2Paper]] = []
        unknown: list[str] = []
        for key, paper in zip(chunk, answers, strict=True):
            if paper is None:
                unknown.append(key)
                continue
            if paper.references_cut_short:
                paper = paper.with_references(client.fetch_references(paper.paper_id))
            papers.append((key, paper))
        cache.remember(papers, unknown)
        if session.persist:
            cache.save()
        found.update(papers)
        report.unknown += unknown
    return found


def _entry(paper: S2Paper, fetched: datetime) -> PaperEntry:
    return PaperEntry(
        s2_id=paper.paper_id,
        title=paper.title,
        ids=paper.keys,
        citation_count=paper.citation_count,
        read=fetched.date(),
        references=tuple(work.key for work in paper.references),
    )


def rebuild_citation_data(
    keys: Collection[str], cache: CitationCache, previous: CitationData
) -> CitationData:
    """The data for the papers ``keys``: each one's newest answer (the cache's or ``previous``)."""
    papers: dict[str, PaperEntry] = {}
    titles: dict[str, CitedPaper] = dict(previous.cited)
    for key in sorted(keys):
        cached = cache.entry(key)
        old = previous.papers.get(key)
        if cached is not None and (old is None or cached[0].date() >= old.read):
            fetched, paper = cached
            papers[key] = _entry(paper, fetched)
            for work in paper.references:
                if work.title:
                    titles[work.key] = CitedPaper(work.title, work.year)
        elif old is not None:
            papers[key] = old
    return assemble_citation_data(papers, titles)


def update_citations(
    layout: Layout,
    session: CitationSession,
    wanted: Collection[str] | None = None,
    *,
    refresh: bool = False,
) -> CitationReport:
    """Look up the papers of the notes ``wanted`` (paths; None: all) and rewrite the data file.

    See the module docstring. Never raises for S2's failures or an unreadable data
    file: they are in the report's ``error``.
    """
    report = CitationReport(dry_run=not session.persist)
    if session.cache.warning:
        report.warnings.append(session.cache.warning)
    notes, _ = read_notes(layout, iter_note_files(layout))
    keys = _primary_keys(notes)
    display = layout.relative(layout.citations_file)
    try:
        previous = load_citation_data(layout.citations_file, display)
    except CitationDataError as err:
        report.error = CitationDataError(
            f"{err.detail}; left as it is (fix it, or delete it to fetch it all again)",
            display,
            err.line,
        )
        return report
    asked = sorted({key for path, key in keys.items() if wanted is None or path in wanted})
    report.asked = len(asked)
    to_fetch = []
    for key in asked:
        if not refresh and session.cache.fresh(key) is not None:
            report.from_cache += 1
        elif not refresh and session.cache.known_unknown(key):
            report.from_cache += 1
            report.unknown.append(key)
        else:
            to_fetch.append(key)
    requests_before = session.client.stats.requests
    try:
        report.fetched = len(_fetch(session, to_fetch, report))
    except RemoteError as err:
        report.error = err
        return report
    finally:
        report.requests = session.client.stats.requests - requests_before
    if not session.persist:
        data = rebuild_citation_data(set(keys.values()), session.cache, previous)
    else:
        # Another kbtool (an `enrich` and a `new` at once) may have written the file, or
        # added notes, while we asked S2: rebuild from both as they are now, then write.
        with file_lock(lock_file(layout.citations_file), "updating citations.json"):
            notes, _ = read_notes(layout, iter_note_files(layout))
            keys = _primary_keys(notes)
            try:
                previous = load_citation_data(layout.citations_file, display)
            except CitationDataError as err:
                report.error = err
                return report
            data = rebuild_citation_data(set(keys.values()), session.cache, previous)
            report.written = save_citation_data(layout.citations_file, data)
    report.papers = len(data.papers)
    report.citations = sum(len(entry.cited_by) for entry in data.papers.values())
    return report
