"""The local arXiv metadata cache: ``.kbtool-cache/arxiv/metadata.json`` (ignored by git).

Policy:

* A paper's record is reused for ``arxiv.cache_max_age`` (default 7d) after it
  was fetched; after that the next ``new``/``enrich`` asks arXiv again, so new
  versions are noticed within a week. ``kbtool enrich --refresh`` asks at once.
  ``cache_max_age: 0s`` turns reuse off.
* An id arXiv did not know is remembered for one day (or ``cache_max_age``, if
  shorter): a rerun does not ask again at once, but a paper announced tomorrow is
  found.
* The cache belongs to one API endpoint (``KBTOOL_ARXIV_URL``); records fetched
  from another endpoint are not reused.
* A missing, unreadable or damaged cache file counts as empty (and is rewritten):
  the cache can always be deleted. Saving is atomic, so a killed run leaves the
  previous cache or the new one, never a broken file; two runs at once each keep
  what they fetched (:class:`~kbtool.util.answer_cache.AnswerCache`).

``kbtool watch`` (a later issue) stores the records of its search pages here too,
so adopting a paper from the inbox with ``kbtool new`` needs no request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from kbtool.arxiv.record import ArxivRecord
from kbtool.config import lock_file
from kbtool.util.answer_cache import AnswerCache


class MetadataCache(AnswerCache[ArxivRecord]):
    """Records by base id (no version), each with the time it was fetched."""

    WHAT = "arXiv metadata cache"
    SECTION = "records"
    ENTRY = "record"

    @staticmethod
    def decode(data: Any) -> ArxivRecord:
        return ArxivRecord.from_json(data)

    @staticmethod
    def encode(answer: ArxivRecord) -> Any:
        return answer.to_json()

    def lock_path(self) -> Path:
        return lock_file(self.path)

    @property
    def records(self) -> dict[str, tuple[datetime, ArxivRecord]]:
        """The cached records by base id, each with the time it was fetched."""
        return self.answers

    def fresh_record(self, base: str) -> ArxivRecord | None:
        """The cached record for ``base`` if it is younger than the cache's age limit."""
        return self.fresh(base)

    def store(self, records: Iterable[ArxivRecord], unknown: Iterable[str] = ()) -> None:
        """Remember ``records`` and ``unknown`` ids as fetched now (in memory; see :meth:`save`)."""
        self.remember(((record.base, record) for record in records), unknown)
