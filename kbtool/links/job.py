"""The ``kbtool links`` job: collect the external links, check each distinct one once, report.

Files → links (:mod:`kbtool.links.extract`) → only changed lines, when asked
(:mod:`kbtool.util.git`) → minus excludes → sorted into expired signed URLs
(never requested), arXiv links (one batched arXiv lookup, :mod:`kbtool.links.arxiv`)
and the rest (HTTP, :mod:`kbtool.links.http`), each first looked up in the cache
(:mod:`kbtool.links.cache`) → a :class:`LinkReport` with a verdict per occurrence.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from kbtool.arxiv.lookup import ArxivLookup
from kbtool.config import Layout
from kbtool.core.arxiv_id import ArxivId
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.links.arxiv import arxiv_link, classify_arxiv_ids
from kbtool.links.cache import LinkCache, load_link_cache, save_link_cache
from kbtool.links.extract import LinkOccurrence, collect_links, read_docs_pages
from kbtool.links.http import LinkChecker, Sleep
from kbtool.links.settings import LinkSettings, link_settings
from kbtool.links.status import (
    Failure,
    FetchOutcome,
    LinkResult,
    LinkStatus,
    classify_outcome,
    expiring_reason,
)
from kbtool.util.git import changed_lines
from kbtool.util.progress import Progress

#: What fails a run: broken links; with ``--strict``, anything that is not ok.
FAILING = frozenset({LinkStatus.BROKEN})
FAILING_STRICT = frozenset(
    {LinkStatus.BROKEN, LinkStatus.REDIRECTED, LinkStatus.UNVERIFIED, LinkStatus.EXPIRED}
)

T = TypeVar("T")


@dataclass(frozen=True)
class CheckedLink:
    """One occurrence of a link and the verdict on its URL."""

    occurrence: LinkOccurrence
    result: LinkResult
    cached: bool = False


@dataclass(frozen=True)
class LinkReport:
    links: tuple[CheckedLink, ...]
    distinct: int
    requests: int  # to web servers
    arxiv_requests: int  # to the arXiv API
    cached: int
    excluded: int
    marked_no_check: int
    changed_since: str | None = None

    def counts(self) -> Counter[LinkStatus]:
        """Distinct URLs per class."""
        seen = {link.occurrence.url: link.result.status for link in self.links}
        return Counter(seen.values())

    def failed(self, strict: bool = False) -> bool:
        failing = FAILING_STRICT if strict else FAILING
        return any(link.result.status in failing for link in self.links)


@dataclass(frozen=True)
class LinkJobOptions:
    changed_since: str | None = None
    use_cache: bool = True


@dataclass(frozen=True)
class LinkPlan:
    """The distinct URLs sorted by how each is decided (pure: no network, no cache)."""

    decided: dict[str, LinkResult]  # expired signed URLs, arxiv.org pages that are no paper
    arxiv: dict[str, ArxivId]  # links to arXiv papers: one batched API lookup
    http: list[str]  # everything else: requested


def plan_links(urls: Iterable[str], settings: LinkSettings) -> LinkPlan:
    """Sort ``urls``: expired ones are never requested, arXiv papers go to the API."""
    decided: dict[str, LinkResult] = {}
    arxiv: dict[str, ArxivId] = {}
    http: list[str] = []
    for url in dict.fromkeys(urls):
        reason = expiring_reason(url, settings.expiring_hosts)
        if reason is not None:
            decided[url] = LinkResult(url, LinkStatus.EXPIRED, reason)
            continue
        on_arxiv = arxiv_link(url)
        if on_arxiv is None:
            http.append(url)
        elif on_arxiv.arxiv_id is not None:
            arxiv[url] = on_arxiv.arxiv_id
        else:
            assert on_arxiv.problem is not None
            decided[url] = on_arxiv.problem
    return LinkPlan(decided, arxiv, http)


async def _in_daemon_thread(func: Callable[[], T]) -> T:
    """``func()`` in a daemon thread: a run that gives up waiting is not kept alive by it
    (the arXiv client's own timeouts and retries bound it; the run's bound is ours)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def run() -> None:
        try:
            result = func()
        except BaseException as err:  # handed to the awaiting task, raised there
            failure = err
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits
                loop.call_soon_threadsafe(deliver, lambda: future.set_exception(failure))
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(deliver, lambda: future.set_result(result))

    threading.Thread(target=run, name="kbtool-links-arxiv", daemon=True).start()
    return await future


async def decide_links(
    plan: LinkPlan,
    settings: LinkSettings,
    cache: LinkCache,
    *,
    arxiv: ArxivLookup | None,
    checker: LinkChecker,
    now: float,
    refresh_arxiv: bool = False,
    progress: Progress | None = None,
) -> tuple[dict[str, LinkResult], set[str]]:
    """A verdict for each distinct URL of ``plan``, and the URLs answered from the cache.

    Web links go through ``cache`` (updated with what was learnt: successes only);
    arXiv links through ``arxiv``, which keeps its own metadata cache. Both run at
    once, each within ``settings.run_timeout``.
    """
    results: dict[str, LinkResult] = dict(plan.decided)
    from_cache: set[str] = set()
    to_request: list[str] = []
    for url in plan.http:
        cached = cache.fresh(url, now, settings.cache_max_age)
        if cached is None:
            to_request.append(url)
        else:
            results[url] = cached
            from_cache.add(url)

    total = len(plan.decided) + len(plan.arxiv) + len(plan.http)
    done = len(results)
    if progress is not None:
        progress(done, total)

    def decided(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    def on_outcome(outcome: FetchOutcome) -> None:
        result = classify_outcome(outcome, settings)
        results[outcome.url] = result
        cache.record(outcome.url, result, now)
        decided(1)

    async def check_arxiv() -> None:
        if not plan.arxiv:
            return
        ids = list(plan.arxiv.values())
        if arxiv is None:
            raise ValueError("arXiv links to check and no arXiv lookup")
        lookup = arxiv
        try:
            verdicts = await asyncio.wait_for(
                _in_daemon_thread(lambda: classify_arxiv_ids(ids, lookup, refresh_arxiv)),
                timeout=settings.run_timeout,
            )
        except TimeoutError:
            verdicts = {
                i: LinkResult(i.abs_url, LinkStatus.UNVERIFIED, Failure.NOT_CHECKED.value)
                for i in ids
            }
        for url, arxiv_id in plan.arxiv.items():
            verdict = verdicts[arxiv_id]
            results[url] = LinkResult(url, verdict.status, verdict.reason)
        decided(len(plan.arxiv))

    await asyncio.gather(checker.check_all(to_request, on_outcome), check_arxiv())
    return results, from_cache


def check_links(
    layout: Layout,
    options: LinkJobOptions,
    *,
    arxiv: ArxivLookup | None = None,
    progress: Progress | None = None,
    sleep: Sleep = asyncio.sleep,
    now: float | None = None,
    verify: ssl.SSLContext | None = None,
) -> LinkReport:
    """Check the external links of the knowledge base at ``layout``; see the module docstring.

    ``arxiv`` defaults to the knowledge base's own lookup (its ``arxiv:`` settings
    and ``KBTOOL_ARXIV_URL``), opened only when there are arXiv links. Raises
    ConfigError for bad settings and UsageError for a bad ``changed_since``. Reads
    the caches and (with ``use_cache``) writes them back.
    """
    kb = load_knowledge_base(layout)
    settings = link_settings(kb.settings)
    extracted = collect_links(kb, read_docs_pages(layout))
    occurrences = list(extracted.occurrences)
    if options.changed_since is not None:
        changed = changed_lines(layout.root, options.changed_since)
        occurrences = [o for o in occurrences if changed.contains(o.path, o.line)]
    kept = [o for o in occurrences if not any(p.search(o.url) for p in settings.exclude)]
    excluded = len(occurrences) - len(kept)
    plan = plan_links((o.url for o in kept), settings)
    if plan.arxiv and arxiv is None:
        arxiv = ArxivLookup.open(layout, kb.settings, persist=options.use_cache)
    arxiv_requests_before = arxiv.client.stats.requests if arxiv is not None else 0

    clock_now = time.time() if now is None else now
    cache = load_link_cache(layout.cache_dir) if options.use_cache else LinkCache()
    checker = LinkChecker(settings, sleep=sleep, verify=verify)
    results, from_cache = asyncio.run(
        decide_links(
            plan,
            settings,
            cache,
            arxiv=arxiv,
            checker=checker,
            now=clock_now,
            refresh_arxiv=not options.use_cache,
            progress=progress,
        )
    )
    if options.use_cache:
        cache.prune(clock_now, settings.cache_max_age)
        save_link_cache(layout.cache_dir, cache)
    arxiv_requests = (arxiv.client.stats.requests if arxiv is not None else 0) - (
        arxiv_requests_before
    )
    return LinkReport(
        links=tuple(CheckedLink(o, results[o.url], o.url in from_cache) for o in kept),
        distinct=len(results),
        requests=checker.requests,
        arxiv_requests=arxiv_requests,
        cached=len(from_cache),
        excluded=excluded,
        marked_no_check=extracted.marked_no_check,
        changed_since=options.changed_since,
    )
