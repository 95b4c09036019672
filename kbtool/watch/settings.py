"""The ``watch:`` section of ``kbtool.yml``: what ``kbtool watch`` looks for on arXiv.

Every value is validated when read; a bad one is a :class:`ConfigError` naming
``kbtool.yml`` and the line of the offending key. The defaults are the
researcher's old digest bot's (its monitored categories and keyword list, from
the digest it wrote; its exclude keywords, paper limit, window and minimum score
from its documented set-up). Example::

    watch:
      categories: [cs.AI, cs.CL, cs.DC, cs.LG]
      keywords:                 # whole words, any case; a plural s/es matches too
        - LLM
        - speculative decoding
        - RLHF: 2               # a weight: counts twice as much (default 1)
      exclude_keywords: [survey, review, tutorial]
      title_weight: 1.5         # a keyword in the title counts this many times its weight
      min_score: 2.5            # papers scoring less are left out
      max_papers: 30            # the best this many papers of the window go to the inbox
      window: 7d                # papers submitted in the last 7 days
      keep_for: 14d             # a paper leaves the inbox 14 days after it arrived
      page_size: 200            # search results per request
      max_scanned: 10000        # stop reading search results after this many
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.config import DAY, SectionReader, Settings, format_duration, setting_names
from kbtool.watch.scoring import Keyword, keyword_words, normalized_keyword

SECTION = "watch"

#: From the researcher's digest ("Categories Monitored").
DIGEST_CATEGORIES: tuple[str, ...] = ("cs.AI", "cs.CL", "cs.DC", "cs.LG")
#: From the researcher's digest ("looks for papers containing the following keywords"), in order.
DIGEST_KEYWORDS: tuple[str, ...] = (
    "LLM",
    "RL",
    "RLHF",
    "Inference",
    "Training",
    "Attention",
    "Pipeline",
    "MOE",
    "Sparse",
    "Quantization",
    "Speculative",
    "Efficient",
    "Efficiency",
    "Framework",
    "Parallel",
    "Distributed",
    "Kernel",
    "Decode",
    "Decoding",
    "Prefill",
    "Throughput",
    "Fast",
    "Network",
    "Hardware",
    "Cluster",
    "FP8",
    "FP4",
    "Optimization",
    "Scalable",
    "Communication",
)
#: The digest's own set-up text names these to exclude surveys and the like.
DIGEST_EXCLUDE_KEYWORDS: tuple[str, ...] = ("survey", "review", "tutorial")

#: arXiv category names (``cs.LG``, ``stat.ML``, ``hep-th``, ``cond-mat.stat-mech``):
#: nothing that could change the meaning of the search query they are put into.
_CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")
MAX_KEYWORD_LENGTH = 100
MAX_SCANNED = 30000  # the arXiv API returns no more results than this for one query
MAX_PAGE_SIZE = 2000  # the API's limit on results per request


@dataclass(frozen=True)
class WatchSettings:
    """Validated ``watch:`` settings; the defaults are what an absent section means."""

    categories: tuple[str, ...] = DIGEST_CATEGORIES
    keywords: tuple[Keyword, ...] = tuple(Keyword(k) for k in DIGEST_KEYWORDS)
    exclude_keywords: tuple[str, ...] = DIGEST_EXCLUDE_KEYWORDS
    title_weight: float = 1.5
    min_score: float = 2.5
    max_papers: int = 30
    #: Papers submitted this long ago (seconds, whole days) or less are looked at.
    window: float = 7 * DAY
    #: A paper leaves the inbox this long (seconds, whole days) after it arrived.
    keep_for: float = 14 * DAY
    page_size: int = 200
    max_scanned: int = 10000

    @property
    def window_days(self) -> int:
        return round(self.window / DAY)

    @property
    def keep_days(self) -> int:
        return round(self.keep_for / DAY)


#: Old names still read (a number of days), with a warning saying what to write.
_RENAMED = {"days_back": "window", "keep_days": "keep_for"}


class _Reader(SectionReader):
    """The section reader, plus the ``watch:`` section's own kinds of value."""

    def days(self, key: str, old_key: str, default: float, high: float) -> float:
        """A whole number of days (``7d``), also read from its old name (a number of days)."""
        old = self.old_days(old_key)
        seconds = old if old is not None else self.duration(key, default, high=high)
        used = old_key if old is not None else key
        if seconds <= 0 or seconds > high:
            raise self.error(used, f"must be from 1d to {format_duration(high)}")
        if seconds % DAY:
            raise self.error(
                used, f"must be a whole number of days, such as 7d, not {format_duration(seconds)}"
            )
        return seconds

    def keyword(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"{value!r} is not a keyword (a non-empty string)")
        text = " ".join(value.split())
        if len(text) > MAX_KEYWORD_LENGTH:
            raise self.error(key, f"{text[:20]!r}… is longer than {MAX_KEYWORD_LENGTH} characters")
        words = keyword_words(text)
        if not words or not any(c.isalnum() for c in text):
            raise self.error(key, f"{value!r} has no letters or digits to match")
        return text

    def categories(self, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.raw.get("categories", list(default))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.error("categories", "must be a non-empty list of arXiv categories")
        found: list[str] = []
        for item in value:
            if not isinstance(item, str) or not _CATEGORY.match(item.strip()):
                raise self.error(
                    "categories", f"{item!r} is not an arXiv category (e.g. cs.LG, stat.ML)"
                )
            if item.strip() not in found:
                found.append(item.strip())
        return tuple(found)

    def keywords(self, default: tuple[Keyword, ...]) -> tuple[Keyword, ...]:
        """``[LLM, {RLHF: 2}]`` or ``{LLM: 1, RLHF: 2}``: keywords with optional weights."""
        key = "keywords"
        if key not in self.raw:
            return default
        value = self.raw[key]
        pairs: list[tuple[object, object]] = []
        if isinstance(value, dict):
            pairs = list(value.items())
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and len(item) == 1:
                    pairs.append(next(iter(item.items())))
                elif isinstance(item, dict):
                    raise self.error(key, f"{item!r}: write one `keyword: weight` per item")
                else:
                    pairs.append((item, 1))
        else:
            raise self.error(key, "must be a list of keywords (`- keyword` or `- keyword: weight`)")
        if not pairs:
            raise self.error(key, "must name at least one keyword")
        keywords: list[Keyword] = []
        seen: dict[str, str] = {}
        for text, weight in pairs:
            cleaned = self.keyword(key, text)
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise self.error(key, f"{cleaned!r}: the weight must be a number, not {weight!r}")
            if not 0 < weight <= 100:
                raise self.error(
                    key, f"{cleaned!r}: the weight must be from 0 to 100, not {weight}"
                )
            identity = normalized_keyword(cleaned)
            if identity in seen:
                raise self.error(key, f"{cleaned!r} is listed twice (as {seen[identity]!r})")
            seen[identity] = cleaned
            keywords.append(Keyword(cleaned, float(weight)))
        return tuple(keywords)

    def exclude_keywords(self, default: tuple[str, ...]) -> tuple[str, ...]:
        key = "exclude_keywords"
        value = self.raw.get(key, list(default))
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.error(key, "must be a list of keywords")
        found: dict[str, str] = {}
        for item in value:
            cleaned = self.keyword(key, item)
            found.setdefault(normalized_keyword(cleaned), cleaned)
        return tuple(found.values())


def load_watch_settings(settings: Settings) -> WatchSettings:
    """The validated ``watch:`` section of ``settings``; raises ConfigError with file and line."""
    reader = _Reader(settings, SECTION, setting_names(WatchSettings), _RENAMED)
    defaults = WatchSettings()
    window = reader.days("window", "days_back", defaults.window, 365 * DAY)
    keep_for = reader.days("keep_for", "keep_days", defaults.keep_for, 3650 * DAY)
    watch = WatchSettings(
        categories=reader.categories(defaults.categories),
        keywords=reader.keywords(defaults.keywords),
        exclude_keywords=reader.exclude_keywords(defaults.exclude_keywords),
        title_weight=reader.number("title_weight", defaults.title_weight, 1, 100),
        min_score=reader.number("min_score", defaults.min_score, 0, 10000),
        max_papers=reader.whole("max_papers", defaults.max_papers, 1, 1000),
        window=window,
        keep_for=keep_for,
        page_size=reader.whole("page_size", defaults.page_size, 1, MAX_PAGE_SIZE),
        max_scanned=reader.whole("max_scanned", defaults.max_scanned, 1, MAX_SCANNED),
    )
    if watch.keep_for < watch.window:
        # A paper would age out while still in the window, and arrive again the next day.
        raise reader.error(
            "keep_days" if reader.has("keep_days") else "keep_for",
            f"must be at least the window ({format_duration(watch.window)}), "
            f"not {format_duration(watch.keep_for)}",
        )
    return watch
