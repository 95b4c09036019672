"""The ``citations:`` section of ``kbtool.yml``, and the endpoint and key from the environment.

Example::

    citations:
      missing_min: 3        # a paper this many notes cite, with no note itself, is "missing"
      missing_max: 50       # list at most this many of them
      cache_max_age: 7d     # reuse fetched citations this long (0s: never)
      # tuning:
      batch_size: 500       # ids per request (1-500)
      timeout: 30s          # to wait for an answer
      retries: 4            # after 429, 5xx, timeouts (with backoff)
      deadline: 10m         # for all the requests of one run

``KBTOOL_S2_URL`` overrides the Semantic Scholar Graph API's base URL (tests and
benchmarks point it at a local stand-in); ``SEMANTIC_SCHOLAR_API_KEY`` is the
optional API key. The key is held in memory only, sent as the ``x-api-key``
header, and never written, logged or shown: it is left out of ``repr`` and no
message quotes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kbtool.config import DAY, SectionReader, Settings, setting_names
from kbtool.errors import InputError

SECTION = "citations"
DEFAULT_URL = "https://api.semanticscholar.org/graph/v1"
URL_ENV = "KBTOOL_S2_URL"
KEY_ENV = "SEMANTIC_SCHOLAR_API_KEY"
MAX_BATCH = 500  # the API's own limit on ids per batch request


@dataclass(frozen=True)
class CitationSettings:
    """How kbtool asks Semantic Scholar, and what the site and watch make of the answers."""

    url: str = DEFAULT_URL
    api_key: str | None = field(default=None, repr=False)
    #: A paper cited by at least this many notes' papers, with no note itself, is "missing".
    missing_min: int = 3
    #: At most this many missing papers are listed (the most cited first).
    missing_max: int = 50
    cache_max_age: float = 7 * DAY  # seconds; 0: never reuse
    batch_size: int = MAX_BATCH
    timeout: float = 30.0  # seconds for one request
    retries: int = 4  # after 429, 5xx, timeouts
    deadline: float = 600.0  # seconds for all the requests and waits of one run


def load_citation_settings(settings: Settings, environ: Mapping[str, str]) -> CitationSettings:
    """Validate the ``citations:`` section and the environment; ConfigError/InputError if bad."""
    reader = SectionReader(
        settings, SECTION, setting_names(CitationSettings, besides=["url", "api_key"])
    )
    defaults = CitationSettings()
    url = environ.get(URL_ENV) or DEFAULT_URL
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s?#]*", url):
        raise InputError(f"{URL_ENV}={url!r} is not an http(s) URL")
    api_key = environ.get(KEY_ENV) or None
    # It goes into a header: printable ASCII only. The message never quotes it.
    if api_key is not None and not re.fullmatch(r"[\x21-\x7e]{1,200}", api_key):
        raise InputError(f"{KEY_ENV} is not an API key (printable ASCII, no spaces)")
    return CitationSettings(
        url=url.rstrip("/"),
        api_key=api_key,
        missing_min=reader.whole("missing_min", defaults.missing_min, 2, 1000),
        missing_max=reader.whole("missing_max", defaults.missing_max, 0, 10_000),
        cache_max_age=reader.duration("cache_max_age", defaults.cache_max_age, zero_ok=True),
        batch_size=reader.whole("batch_size", defaults.batch_size, 1, MAX_BATCH),
        timeout=reader.duration("timeout", defaults.timeout, high=600),
        retries=reader.whole("retries", defaults.retries, 0, 10),
        deadline=reader.duration("deadline", defaults.deadline, high=DAY),
    )
