"""``kbtool watch``: find new arXiv papers matching the researcher's interests; fill the inbox.

One run:

1. reads the ``watch:`` settings and the inbox (a bad one stops the run before
   any request);
2. asks arXiv for the newest submissions in the watched categories
   (``cat:cs.AI OR cat:cs.CL …``, by submission date, newest first), one page
   at a time through the polite client (3 s apart, backoff, Retry-After), until
   a page reaches papers older than ``window``, the results run out, or
   ``max_scanned`` results were read;
3. scores each paper (:mod:`kbtool.watch.scoring`), leaves out papers that
   already have a note (any version), excluded ones and those under
   ``min_score``, and keeps the best ``max_papers``;
4. merges them into the inbox (:func:`kbtool.watch.merge.merge_inbox`: arrivals,
   refreshes, rescoring, aging out, adopted papers leaving) and writes it, only
   if it changed; the new papers' metadata goes to the metadata cache, so
   ``kbtool new`` adopts them without a request.

It also reports the papers the notes cite most that have no note yet (from
``citations.json``, written by ``kbtool enrich``; no request): the digest's
"cited by your notes" section.

If arXiv fails (after the client's retries) the run stops with
:class:`~kbtool.errors.RemoteError` and writes nothing: the inbox stays as it was.
``dry_run`` writes nothing either (the cache and the pacing time stamp neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kbtool.arxiv.client import ArxivClient
from kbtool.arxiv.lookup import ArxivLookup
from kbtool.arxiv.record import ArxivRecord
from kbtool.citations.graph import MissingPaper, build_citation_graph
from kbtool.citations.settings import load_citation_settings
from kbtool.citations.store import load_citation_data
from kbtool.config import Layout, Settings, load_settings
from kbtool.core.knowledge_base import iter_note_files, read_notes
from kbtool.core.note import Note
from kbtool.errors import CitationDataError
from kbtool.util.clock import Clock
from kbtool.util.progress import Progress
from kbtool.watch.inbox import InboxEntry, known_papers, load_inbox, save_inbox
from kbtool.watch.merge import Candidate, InboxChanges, merge_inbox, qualifies
from kbtool.watch.scoring import Scorer
from kbtool.watch.settings import WatchSettings, load_watch_settings


def search_query(categories: Sequence[str]) -> str:
    """The arXiv ``search_query`` for new submissions in ``categories``."""
    return " OR ".join(f"cat:{category}" for category in categories)


@dataclass(frozen=True)
class SearchOutcome:
    """The papers submitted since a time, as far as the run read them."""

    records: list[ArxivRecord]  # within the window, one per paper, newest first
    scanned: int  # search results read (inside the window or not)
    pages: int
    truncated: bool  # stopped at max_scanned before reaching the window's start


def search_recent(
    client: ArxivClient,
    query: str,
    since: datetime,
    page_size: int,
    max_scanned: int,
    progress: Progress | None = None,
) -> SearchOutcome:
    """Page through ``query``'s newest submissions until they are older than ``since``.

    Stops after a page holding a paper submitted before ``since`` (the window's
    end; pages come newest first, but the check does not rely on order within a
    page), an empty page, the last result, or ``max_scanned`` results. A paper
    on two pages (new submissions shift the pages while we read) is kept once.
    ``progress(pages, None)`` hears of each page read (how many there will be is
    only known at the end).
    """
    by_base: dict[str, ArxivRecord] = {}
    start = scanned = pages = 0
    ended = False
    while scanned < max_scanned:
        page = client.search_page(query, start, min(page_size, max_scanned - scanned))
        pages += 1
        if progress is not None:
            progress(pages, None)
        if not page.records:
            ended = True
            break
        scanned += len(page.records)
        start += len(page.records)
        for record in page.records:
            known = by_base.get(record.base)
            if record.published >= since and (known is None or record.version > known.version):
                by_base[record.base] = record
        if min(r.published for r in page.records) < since or start >= page.total_results:
            ended = True
            break
    records = sorted(by_base.values(), key=lambda r: (r.published, r.base), reverse=True)
    return SearchOutcome(records, scanned, pages, truncated=not ended)


@dataclass(frozen=True)
class Selection:
    """What scoring made of the window's papers."""

    candidates: list[Candidate]  # the best max_papers, best first
    with_note: int = 0  # skipped: the knowledge base has a note for the paper
    excluded: int = 0  # dropped by an exclude keyword
    below: int = 0  # no keyword, or under min_score
    over_limit: int = 0  # qualified, but not among the best max_papers


def select_candidates(
    records: Sequence[ArxivRecord], settings: WatchSettings, scorer: Scorer, known: set[str]
) -> Selection:
    """Score ``records``; keep the best ``settings.max_papers`` that qualify and have no note."""
    qualified: list[Candidate] = []
    with_note = excluded = below = 0
    for record in records:
        if record.base in known:
            with_note += 1
            continue
        score = scorer.score(record.title, record.abstract)
        if score.excluded:
            excluded += 1
        elif not qualifies(score.score, score.keywords, settings.min_score):
            below += 1
        else:
            qualified.append(Candidate(record, score))
    qualified.sort(key=lambda c: (-c.score.score, -c.record.published.timestamp(), c.record.base))
    best = qualified[: settings.max_papers]
    return Selection(best, with_note, excluded, below, len(qualified) - len(best))


@dataclass(frozen=True)
class WatchOptions:
    days: int | None = None  # overrides watch.window for this run
    dry_run: bool = False


@dataclass(frozen=True)
class WatchReport:
    """What a run did, for the command's summary."""

    settings: WatchSettings
    days: int
    search: SearchOutcome
    selection: Selection
    changes: InboxChanges
    requests: int
    written: bool  # the inbox file changed
    dry_run: bool
    warnings: list[str] = field(default_factory=list)
    #: Papers cited by several notes, without a note: most cited first.
    missing: list[MissingPaper] = field(default_factory=list)

    @property
    def entries(self) -> list[InboxEntry]:
        return self.changes.entries


def missing_papers(
    layout: Layout, settings: Settings, notes: Sequence[Note]
) -> tuple[list[MissingPaper], str | None]:
    """The missing papers by ``citations.json`` (at most ``citations.missing_max``), or a
    warning when the file cannot be read."""
    config = load_citation_settings(settings, {})
    path = layout.citations_file
    try:
        data = load_citation_data(path, layout.relative(path))
    except CitationDataError as err:
        return [], f"no missing papers: {err}"
    graph = build_citation_graph(notes, data, config.missing_min)
    return graph.missing[: config.missing_max], None


def run_watch(
    layout: Layout,
    options: WatchOptions | None = None,
    *,
    lookup: ArxivLookup | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> WatchReport:
    """One watch run on the knowledge base at ``layout`` (see the module docstring).

    ``lookup`` defaults to the knowledge base's own (its ``arxiv:`` settings,
    cache and pacing time stamp, with ``clock``). Raises ConfigError (kbtool.yml),
    InboxFormatError (inbox.yml) before any request, RemoteError when arXiv fails.
    ``progress`` hears of each page of search results read.
    """
    options = options or WatchOptions()
    settings = load_settings(layout)
    watch = load_watch_settings(settings)
    current = load_inbox(layout)
    notes, _ = read_notes(layout, iter_note_files(layout))
    known = known_papers(notes)
    if lookup is None:
        lookup = ArxivLookup.open(layout, settings, clock=clock, persist=not options.dry_run)
    client = lookup.client
    requests_before = client.stats.requests
    days = options.days or watch.window_days
    now = client.clock.now()
    search = search_recent(
        client,
        search_query(watch.categories),
        now - timedelta(days=days),
        watch.page_size,
        watch.max_scanned,
        progress,
    )
    scorer = Scorer(watch.keywords, watch.exclude_keywords, watch.title_weight)
    selection = select_candidates(search.records, watch, scorer, known)
    changes = merge_inbox(
        current,
        selection.candidates,
        today=now.date(),
        known=known,
        scorer=scorer,
        min_score=watch.min_score,
        keep_days=watch.keep_days,
    )
    warnings: list[str] = []
    missing, missing_warning = missing_papers(layout, settings, notes)
    if missing_warning:
        warnings.append(missing_warning)
    if lookup.cache.warning:
        warnings.append(lookup.cache.warning)
    if search.truncated:
        warnings.append(
            f"stopped after {search.scanned} search results (watch.max_scanned) before reaching "
            f"papers {days} days old: raise watch.max_scanned or shorten watch.window"
        )
    written = False
    if not options.dry_run:
        lookup.cache.store(c.record for c in selection.candidates)
        lookup.cache.save()
        written = save_inbox(layout, changes.entries)
    return WatchReport(
        settings=watch,
        days=days,
        search=search,
        selection=selection,
        changes=changes,
        requests=client.stats.requests - requests_before,
        written=written,
        dry_run=options.dry_run,
        warnings=warnings,
        missing=missing,
    )
