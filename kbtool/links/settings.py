"""The ``links:`` section of ``kbtool.yml``: what ``kbtool links`` checks, and how politely.

Every value is validated when read; a bad one is a :class:`ConfigError` naming
``kbtool.yml`` and the line of the offending key. Example::

    links:
      exclude:                      # regular expressions, searched in each URL
        - ^https://localhost
        - example\\.org/private/
      accept: [999, "520-530"]      # statuses counted as ok besides 2xx
      bot_blocking_hosts: [sciencedirect.com]   # added to the built-in list
      concurrency: 64               # requests in flight, all hosts together
      per_host: 4                   # requests in flight to one host
      host_interval: 100ms          # between request starts to one host
      timeout: 15s                  # for one request
      run_timeout: 10m              # bound on the whole run
      retries: 2                    # retries after a timeout, 5xx or 429
      max_redirects: 10
      max_retry_after: 60s          # longest Retry-After honoured; longer means unverified
      cache_max_age: 7d             # how long an ok result is trusted
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.config import SectionReader, Settings, setting_names

SECTION = "links"

#: Hosts that answer robots with 403/429 (or worse) while serving people fine; a host
#: matches itself and its subdomains. These links are "unverified" rather than "broken".
DEFAULT_BOT_BLOCKING_HOSTS: tuple[str, ...] = (
    "doi.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "link.springer.com",
    "onlinelibrary.wiley.com",
    "sciencedirect.com",
    "tandfonline.com",
    "jstor.org",
    "openreview.net",
    "x.com",
    "twitter.com",
    "linkedin.com",
    "medium.com",
    "zhihu.com",
    "mp.weixin.qq.com",
    "researchgate.net",
    "reddit.com",
)

#: Hosts whose links are signed, expiring URLs by design (the notes app's private
#: S3 bucket): reported as expired, never requested. ``*`` matches one DNS label.
DEFAULT_EXPIRING_HOSTS: tuple[str, ...] = ("prod-files-secure.s3.*.amazonaws.com",)


@dataclass(frozen=True)
class LinkSettings:
    """Validated ``links:`` settings; the defaults are what an absent section means."""

    exclude: tuple[re.Pattern[str], ...] = ()
    accept: frozenset[int] = frozenset()
    bot_blocking_hosts: tuple[str, ...] = DEFAULT_BOT_BLOCKING_HOSTS
    expiring_hosts: tuple[str, ...] = DEFAULT_EXPIRING_HOSTS
    concurrency: int = 64
    per_host: int = 4
    host_interval: float = 0.1
    timeout: float = 15.0
    run_timeout: float = 600.0
    retries: int = 2
    max_redirects: int = 10
    max_retry_after: float = 60.0
    cache_max_age: float = 7 * 86400.0


_STATUS_RANGE = re.compile(r"^\s*(?P<low>\d{3})\s*-\s*(?P<high>\d{3})\s*$")
_HOST = re.compile(r"^(?:\*\.)?(?:[a-z0-9*](?:[a-z0-9*-]*[a-z0-9*])?\.)*[a-z0-9-]+$")


def _patterns(reader: SectionReader, key: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for text in reader.strings(key):
        try:
            compiled.append(re.compile(text))
        except re.error as err:
            raise reader.error(key, f"{text!r} is not a regular expression: {err}") from err
    return tuple(compiled)


def _hosts(reader: SectionReader, key: str) -> list[str]:
    hosts = [h.strip().lower().rstrip(".") for h in reader.strings(key)]
    for host in hosts:
        if not _HOST.match(host):
            raise reader.error(key, f"{host!r} is not a host name (e.g. example.org)")
    return hosts


def _statuses(reader: SectionReader, key: str) -> frozenset[int]:
    value = reader.get(key, [])
    items = value if isinstance(value, list) else [value]
    accepted: set[int] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 999:
            accepted.add(item)
            continue
        match = _STATUS_RANGE.match(str(item))
        if match and 100 <= int(match["low"]) <= int(match["high"]) <= 999:
            accepted.update(range(int(match["low"]), int(match["high"]) + 1))
            continue
        raise reader.error(key, f"{item!r} is not an HTTP status or range such as 520-530")
    return frozenset(accepted)


def link_settings(settings: Settings) -> LinkSettings:
    """The validated ``links:`` section of ``settings``; raises ConfigError with file and line."""
    reader = SectionReader(settings, SECTION, setting_names(LinkSettings))
    defaults = LinkSettings()
    return LinkSettings(
        exclude=_patterns(reader, "exclude"),
        accept=_statuses(reader, "accept"),
        bot_blocking_hosts=(*defaults.bot_blocking_hosts, *_hosts(reader, "bot_blocking_hosts")),
        expiring_hosts=(*defaults.expiring_hosts, *_hosts(reader, "expiring_hosts")),
        concurrency=reader.whole("concurrency", defaults.concurrency, 1),
        per_host=reader.whole("per_host", defaults.per_host, 1),
        host_interval=reader.duration("host_interval", defaults.host_interval, zero_ok=True),
        timeout=reader.duration("timeout", defaults.timeout),
        run_timeout=reader.duration("run_timeout", defaults.run_timeout),
        retries=reader.whole("retries", defaults.retries, 0),
        max_redirects=reader.whole("max_redirects", defaults.max_redirects, 0),
        max_retry_after=reader.duration("max_retry_after", defaults.max_retry_after),
        cache_max_age=reader.duration("cache_max_age", defaults.cache_max_age),
    )
