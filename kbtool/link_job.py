"""The ``kbtool links`` job: collect the external links, check each distinct one once, report.

Files → links (:mod:`kbtool.link_extract`) → only changed lines, when asked
(:mod:`kbtool.git_changes`) → minus excludes → sorted into expired signed URLs
(never requested), arXiv links (one batched arXiv lookup, :mod:`kbtool.link_arxiv`)
and the rest (HTTP, :mod:`kbtool.link_check`), each first looked up in the cache
(:mod:`kbtool.link_cache`) → a :class:`LinkReport` with a verdict per occurrence.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from kbtool.arxiv_id import ArxivId
from kbtool.config import Layout
from kbtool.git_changes import changed_lines
from kbtool.knowledge_base import load_knowledge_base
from kbtool.link_arxiv import ArxivLookup, arxiv_cache_key, arxiv_link, classify_arxiv_ids
from kbtool.link_cache import LinkCache, load_link_cache, save_link_cache
from kbtool.link_check import LinkChecker, Sleep
from kbtool.link_extract import LinkOccurrence, collect_links, read_docs_pages
from kbtool.link_settings import LinkSettings, link_settings
from kbtool.link_status import (
    FetchOutcome,
    LinkResult,
    LinkStatus,
    classify_outcome,
    expiring_reason,
)

#: What fails a run: broken links; with ``--strict``, anything that is not ok.
FAILING = frozenset({LinkStatus.BROKEN})
FAILING_STRICT = frozenset(
    {LinkStatus.BROKEN, LinkStatus.REDIRECTED, LinkStatus.UNVERIFIED, LinkStatus.EXPIRED}
)

#: ``progress(done, total)``: distinct links decided so far, out of all to decide.
Progress = Callable[[int, int], None]


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
    requests: int
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


async def decide_links(
    urls: list[str],
    settings: LinkSettings,
    cache: LinkCache,
    *,
    arxiv: ArxivLookup | None,
    checker: LinkChecker,
    now: float,
    progress: Progress | None = None,
) -> tuple[dict[str, LinkResult], set[str]]:
    """A verdict for each distinct URL, and the URLs answered from the cache.

    Updates ``cache`` with what was learnt (successes only).
    """
    results: dict[str, LinkResult] = {}
    from_cache: set[str] = set()
    http_urls: list[str] = []
    arxiv_urls: dict[str, ArxivId] = {}
    for url in urls:
        reason = expiring_reason(url, settings.expiring_hosts)
        if reason is not None:
            results[url] = LinkResult(url, LinkStatus.EXPIRED, reason)
            continue
        on_arxiv = arxiv_link(url)
        if on_arxiv is not None and on_arxiv.arxiv_id is None:
            assert on_arxiv.problem is not None
            results[url] = on_arxiv.problem
            continue
        key = arxiv_cache_key(on_arxiv.arxiv_id) if on_arxiv and on_arxiv.arxiv_id else url
        cached = cache.fresh(key, now, settings.cache_max_age)
        if cached is not None:
            results[url] = LinkResult(
                url, cached.status, cached.reason, cached.http_status, cached.target
            )
            from_cache.add(url)
        elif on_arxiv is not None and on_arxiv.arxiv_id is not None:
            arxiv_urls[url] = on_arxiv.arxiv_id
        else:
            http_urls.append(url)

    total = len(urls)
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
        if not arxiv_urls:
            return
        verdicts = await asyncio.to_thread(classify_arxiv_ids, list(arxiv_urls.values()), arxiv)
        for url, arxiv_id in arxiv_urls.items():
            verdict = verdicts[arxiv_id]
            results[url] = LinkResult(url, verdict.status, verdict.reason)
            cache.record(arxiv_cache_key(arxiv_id), verdict, now)
        decided(len(arxiv_urls))

    await asyncio.gather(checker.check_all(http_urls, on_outcome), check_arxiv())
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

    Raises ConfigError for a bad ``links:`` section and UsageError for a bad
    ``changed_since``. Reads the cache and (with ``use_cache``) writes it back.
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
    urls = list(dict.fromkeys(o.url for o in kept))

    clock_now = time.time() if now is None else now
    cache = load_link_cache(layout.cache_dir) if options.use_cache else LinkCache()
    checker = LinkChecker(settings, sleep=sleep, verify=verify)
    results, from_cache = asyncio.run(
        decide_links(
            urls, settings, cache, arxiv=arxiv, checker=checker, now=clock_now, progress=progress
        )
    )
    if options.use_cache:
        cache.prune(clock_now, settings.cache_max_age)
        save_link_cache(layout.cache_dir, cache)
    return LinkReport(
        links=tuple(CheckedLink(o, results[o.url], o.url in from_cache) for o in kept),
        distinct=len(urls),
        requests=checker.requests,
        cached=len(from_cache),
        excluded=excluded,
        marked_no_check=extracted.marked_no_check,
        changed_since=options.changed_since,
    )
