"""The local Semantic Scholar cache: ``.kbtool-cache/s2/papers.json`` (ignored by git).

The same policy as the arXiv metadata cache (:class:`~kbtool.util.answer_cache.AnswerCache`):

* a paper's answer is reused for ``citations.cache_max_age`` (default 7d), so a
  rerun of ``enrich`` makes no request; ``kbtool enrich --refresh`` asks at once;
* an id S2 did not know is remembered for a day (or ``cache_max_age``, if shorter);
* the cache belongs to one endpoint (``KBTOOL_S2_URL``);
* a missing, unreadable or damaged cache counts as empty; saving is atomic, and
  merges (under a lock) with what another kbtool saved meanwhile.

It keeps S2's whole answer for each paper (every reference with its title), so
the committed data file can be rebuilt from it when notes come and go, without
a request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbtool.citations.parse import S2Paper
from kbtool.config import lock_file
from kbtool.util.answer_cache import AnswerCache


class CitationCache(AnswerCache[S2Paper]):
    """S2's answers by paper key, each with the time it was fetched."""

    WHAT = "citation cache"
    SECTION = "papers"
    ENTRY = "paper"
    COMPACT = True  # nobody reads it, and it can be large

    @staticmethod
    def decode(data: Any) -> S2Paper:
        return S2Paper.from_json(data)

    @staticmethod
    def encode(answer: S2Paper) -> Any:
        return answer.to_json()

    def lock_path(self) -> Path:
        return lock_file(self.path)
