"""Papers' metadata by id: from the cache when fresh, else from arXiv, one batch at a time.

:meth:`ArxivLookup.batches` is what ``new`` and ``enrich`` iterate over. Each
:class:`LookupBatch` is complete in itself — its records are in the cache (saved)
before it is handed out — so a caller can write each batch's notes at once, and
a batch that fails never costs the others their results. After two batches in a
row fail for network reasons, the rest are not attempted (arXiv is down; asking
again and again would not be polite) and come back as failed.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from kbtool.arxiv.cache import MetadataCache
from kbtool.arxiv.client import ArxivClient
from kbtool.arxiv.record import ArxivRecord
from kbtool.arxiv.settings import load_arxiv_settings
from kbtool.config import Layout, Settings
from kbtool.core.arxiv_id import find_arxiv_id
from kbtool.errors import ArxivQueryError, KbtoolError, RemoteError
from kbtool.util.clock import Clock, SystemClock

CACHE_SUBDIR = "arxiv"
MAX_CONSECUTIVE_FAILURES = 2


def arxiv_cache_dir(layout: Layout) -> Path:
    return layout.cache_dir / CACHE_SUBDIR


@dataclass(frozen=True)
class LookupBatch:
    """The outcome for some base ids: records, unknown ids, rejected ids, or a failure."""

    bases: tuple[str, ...]
    records: dict[str, ArxivRecord] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()
    rejected: dict[str, str] = field(default_factory=dict)  # id → arXiv's error message
    error: KbtoolError | None = None  # the whole batch failed
    from_cache: bool = False


@dataclass
class ArxivLookup:
    client: ArxivClient
    cache: MetadataCache
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
    ) -> ArxivLookup:
        """The lookup for a knowledge base: its ``arxiv:`` settings, cache and time stamp."""
        clock = clock or SystemClock()
        arxiv_settings = load_arxiv_settings(settings, os.environ if environ is None else environ)
        folder = arxiv_cache_dir(layout)
        client = ArxivClient(
            arxiv_settings,
            clock,
            rng or random.Random(),
            stamp=folder / "last-request",
            write_stamp=persist,
        )
        cache = MetadataCache.load(
            folder / "metadata.json",
            clock,
            timedelta(seconds=arxiv_settings.cache_max_age),
            arxiv_settings.url,
        )
        return cls(client, cache, persist)

    def batches(self, bases: Sequence[str], *, refresh: bool = False) -> Iterator[LookupBatch]:
        """Every id's outcome: first all fresh cached ones (no request), then one batch each.

        With ``refresh`` the cache is not consulted (but still updated).
        """
        wanted = list(dict.fromkeys(bases))
        cached: dict[str, ArxivRecord] = {}
        known_unknown: list[str] = []
        to_fetch: list[str] = []
        for base in wanted:
            record = None if refresh else self.cache.fresh_record(base)
            if record is not None:
                cached[base] = record
            elif not refresh and self.cache.known_unknown(base):
                known_unknown.append(base)
            else:
                to_fetch.append(base)
        if cached or known_unknown:
            yield LookupBatch(
                tuple(cached) + tuple(known_unknown),
                cached,
                tuple(known_unknown),
                from_cache=True,
            )
        size = self.client.settings.batch_size
        failures = 0
        for index in range(0, len(to_fetch), size):
            chunk = tuple(to_fetch[index : index + size])
            if failures >= MAX_CONSECUTIVE_FAILURES:
                message = "not attempted: arXiv failed twice in a row; try again later"
                yield LookupBatch(chunk, error=RemoteError(message))
                continue
            batch = self._fetch(chunk)
            failures = failures + 1 if isinstance(batch.error, RemoteError) else 0
            yield batch

    def _fetch(self, chunk: tuple[str, ...]) -> LookupBatch:
        pending = list(chunk)
        rejected: dict[str, str] = {}
        while pending:
            try:
                result = self.client.fetch_ids(pending)
            except ArxivQueryError as err:
                # arXiv refuses the whole query for one id it cannot parse, and names
                # it: report that id and ask again for the others.
                named = find_arxiv_id(err.value or "")
                culprit = named.base if named is not None else err.value
                if culprit not in pending:
                    return LookupBatch(chunk, rejected=rejected, error=err)
                rejected[culprit] = err.message
                pending.remove(culprit)
                continue
            except RemoteError as err:
                return LookupBatch(chunk, rejected=rejected, error=err)
            self.cache.store(result.records.values(), result.unknown)
            if self.persist:
                self.cache.save()
            return LookupBatch(chunk, result.records, result.unknown, rejected)
        return LookupBatch(chunk, rejected=rejected)
