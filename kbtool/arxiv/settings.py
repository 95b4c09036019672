"""The ``arxiv:`` section of ``kbtool.yml`` and the API endpoint, validated.

Example::

    arxiv:
      contact: you@example.org   # sent in the User-Agent, as the arXiv API asks
      batch_size: 100            # ids per request (1-2000)
      timeout: 30s               # to wait for an answer
      retries: 4                 # after 429, 5xx, timeouts (with backoff)
      cache_max_age: 7d          # reuse fetched metadata this long (0s: never)

The endpoint comes from ``$KBTOOL_ARXIV_URL`` (default the export API).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import arxiv

from kbtool import __version__
from kbtool.config import DAY, SectionReader, Settings, setting_names
from kbtool.errors import InputError

SECTION = "arxiv"
DEFAULT_URL = "https://export.arxiv.org/api/query"
URL_ENV = "KBTOOL_ARXIV_URL"
MAX_BATCH = 2000  # the API's own limit on results per request
#: Old names still read, with a warning saying what to write.
_RENAMED = {"cache_days": "cache_max_age"}


@dataclass(frozen=True)
class ArxivSettings:
    """The ``arxiv:`` section of ``kbtool.yml``, plus the endpoint from the environment."""

    url: str = DEFAULT_URL
    contact: str | None = None
    batch_size: int = 100
    timeout: float = 30.0  # seconds
    retries: int = 4
    cache_max_age: float = 7 * DAY  # seconds; 0: never reuse


def load_arxiv_settings(settings: Settings, environ: Mapping[str, str]) -> ArxivSettings:
    """Validate the ``arxiv:`` section and ``KBTOOL_ARXIV_URL``; ConfigError/InputError if bad."""
    reader = SectionReader(
        settings, SECTION, setting_names(ArxivSettings, besides=["url"]), _RENAMED
    )
    defaults = ArxivSettings()
    contact = reader.get("contact", None)
    # It goes into an HTTP header: printable ASCII only, so it cannot smuggle in another.
    if contact is not None and (
        not isinstance(contact, str) or not re.fullmatch(r"[\x21-\x7e]{3,200}", contact)
    ):
        raise reader.error(
            "contact", "must be an e-mail address or URL (printable ASCII, no spaces)"
        )
    old_max_age = reader.old_days("cache_days")
    url = environ.get(URL_ENV) or DEFAULT_URL
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s#]*", url):
        raise InputError(f"{URL_ENV}={url!r} is not an http(s) URL")
    return ArxivSettings(
        url=url,
        contact=contact,
        batch_size=reader.whole("batch_size", defaults.batch_size, 1, MAX_BATCH),
        timeout=reader.duration("timeout", defaults.timeout, high=600),
        retries=reader.whole("retries", defaults.retries, 0, 10),
        cache_max_age=(
            old_max_age
            if old_max_age is not None
            else reader.duration("cache_max_age", defaults.cache_max_age, zero_ok=True)
        ),
    )


def user_agent(contact: str | None) -> str:
    """The User-Agent the arXiv API asks for: who we are and how to reach the operator."""
    if contact:
        reach = contact if "://" in contact else f"mailto:{contact}"
    else:
        reach = "contact not configured: set arxiv.contact in kbtool.yml"
    return (
        f"kbtool/{__version__} (personal research-notes knowledge base; {reach}) "
        f"arxiv.py/{arxiv.__version__}"
    )
