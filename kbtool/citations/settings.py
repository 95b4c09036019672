"""The ``citations:`` section of ``kbtool.yml``, and the endpoint and key from the environment.

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
from typing import Any

from kbtool.config import Settings
from kbtool.errors import ConfigError, InputError

DEFAULT_URL = "https://api.semanticscholar.org/graph/v1"
URL_ENV = "KBTOOL_S2_URL"
KEY_ENV = "SEMANTIC_SCHOLAR_API_KEY"
MAX_BATCH = 500  # the API's own limit on ids per batch request
SECTION = "citations"


@dataclass(frozen=True)
class CitationSettings:
    """How kbtool asks Semantic Scholar, and what the site and watch make of the answers."""

    url: str = DEFAULT_URL
    api_key: str | None = field(default=None, repr=False)
    batch_size: int = MAX_BATCH
    timeout: float = 30.0  # seconds for one request
    retries: int = 4  # after 429, 5xx, timeouts
    deadline: float = 600.0  # seconds for all the requests of one run
    cache_days: float = 7.0
    #: A paper cited by at least this many notes, with no note itself, is "missing".
    missing_min: int = 3
    #: At most this many missing papers are listed (the most cited first).
    missing_max: int = 50


_KEYS = ("batch_size", "timeout", "retries", "deadline", "cache_days", "missing_min", "missing_max")


def load_citation_settings(settings: Settings, environ: Mapping[str, str]) -> CitationSettings:
    """Validate the ``citations:`` section and the environment; ConfigError/InputError if bad."""
    section = settings.section(SECTION)

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(
            f"{SECTION}.{key} {message}", settings.path, settings.key_line(SECTION, key)
        )

    for key in section:
        if key not in _KEYS:
            raise fail(str(key), f"is not a setting (known: {', '.join(_KEYS)})")

    def number(key: str, default: float, low: float, high: float, whole: bool) -> Any:
        value = section.get(key, default)
        kind = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
            what = "a whole number" if whole else "a number"
            raise fail(key, f"must be {what} from {low:g} to {high:g}, not {value!r}")
        return value

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
        batch_size=number("batch_size", MAX_BATCH, 1, MAX_BATCH, True),
        timeout=float(number("timeout", 30.0, 1, 600, False)),
        retries=number("retries", 4, 0, 10, True),
        deadline=float(number("deadline", 600.0, 10, 86_400, False)),
        cache_days=float(number("cache_days", 7.0, 0, 3650, False)),
        missing_min=number("missing_min", 3, 2, 1000, True),
        missing_max=number("missing_max", 50, 0, 10_000, True),
    )
