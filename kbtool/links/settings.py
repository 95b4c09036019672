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
      host_interval: 0.1            # seconds between request starts to one host
      timeout: 15                   # seconds for one request
      run_timeout: 10m              # bound on the whole run
      retries: 2                    # retries after a timeout, 5xx or 429
      max_redirects: 10
      max_retry_after: 60           # longest Retry-After honoured; longer means unverified
      cache_max_age: 7d             # how long an ok result is trusted
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kbtool.config import Settings
from kbtool.errors import ConfigError

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


_DURATION = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_STATUS_RANGE = re.compile(r"^\s*(?P<low>\d{3})\s*-\s*(?P<high>\d{3})\s*$")
_HOST = re.compile(r"^(?:\*\.)?(?:[a-z0-9*](?:[a-z0-9*-]*[a-z0-9*])?\.)*[a-z0-9-]+$")


class _Reader:
    """Reads one key at a time from the raw section, raising ConfigError at its line."""

    def __init__(self, raw: Mapping[str, Any], settings: Settings) -> None:
        self.raw = raw
        self.path = settings.path
        self.section_line = settings.lines.get(SECTION)
        self.lines = settings.key_lines.get(SECTION, {})

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(
            f"{SECTION}.{key}: {message}", self.path, self.lines.get(key, self.section_line)
        )

    def number(self, key: str, default: float, minimum: float, integer: bool = False) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"must be a number, not {value!r}")
        if integer and not isinstance(value, int):
            raise self.error(key, f"must be a whole number, not {value!r}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum:g}, not {value!r}")
        return float(value)

    def duration(self, key: str, default: float) -> float:
        """Seconds, from a number of seconds or a string like ``30s``, ``10m``, ``12h``, ``7d``."""
        value = self.raw.get(key, default)
        if isinstance(value, bool):
            raise self.error(key, f"must be a duration such as 30s, 10m or 7d, not {value!r}")
        if isinstance(value, int | float):
            seconds = float(value)
        else:
            match = _DURATION.match(str(value))
            if match is None:
                raise self.error(key, f"must be a duration such as 30s, 10m or 7d, not {value!r}")
            seconds = float(match["number"]) * _UNIT_SECONDS[match["unit"]]
        if seconds <= 0:
            raise self.error(key, f"must be longer than zero, not {value!r}")
        return seconds

    def strings(self, key: str) -> list[str]:
        value = self.raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a list of non-empty strings")
        return list(value)

    def patterns(self, key: str) -> tuple[re.Pattern[str], ...]:
        compiled = []
        for text in self.strings(key):
            try:
                compiled.append(re.compile(text))
            except re.error as err:
                raise self.error(key, f"{text!r} is not a regular expression: {err}") from err
        return tuple(compiled)

    def hosts(self, key: str) -> list[str]:
        hosts = [h.strip().lower().rstrip(".") for h in self.strings(key)]
        for host in hosts:
            if not _HOST.match(host):
                raise self.error(key, f"{host!r} is not a host name (e.g. example.org)")
        return hosts

    def statuses(self, key: str) -> frozenset[int]:
        value = self.raw.get(key, [])
        if not isinstance(value, list):
            value = [value]
        accepted: set[int] = set()
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 999:
                accepted.add(item)
                continue
            match = _STATUS_RANGE.match(str(item))
            if match and 100 <= int(match["low"]) <= int(match["high"]) <= 999:
                accepted.update(range(int(match["low"]), int(match["high"]) + 1))
                continue
            raise self.error(key, f"{item!r} is not an HTTP status or range such as 520-530")
        return frozenset(accepted)


_KNOWN_KEYS = {
    "exclude",
    "accept",
    "bot_blocking_hosts",
    "expiring_hosts",
    "concurrency",
    "per_host",
    "host_interval",
    "timeout",
    "run_timeout",
    "retries",
    "max_redirects",
    "max_retry_after",
    "cache_max_age",
}


def link_settings(settings: Settings) -> LinkSettings:
    """The validated ``links:`` section of ``settings``; raises ConfigError with file and line."""
    raw = settings.section(SECTION)
    reader = _Reader(raw, settings)
    for key in raw:
        if key not in _KNOWN_KEYS:
            known = ", ".join(sorted(_KNOWN_KEYS))
            raise reader.error(str(key), f"unknown setting (known: {known})")
    defaults = LinkSettings()
    return LinkSettings(
        exclude=reader.patterns("exclude"),
        accept=reader.statuses("accept"),
        bot_blocking_hosts=(*defaults.bot_blocking_hosts, *reader.hosts("bot_blocking_hosts")),
        expiring_hosts=(*defaults.expiring_hosts, *reader.hosts("expiring_hosts")),
        concurrency=int(reader.number("concurrency", defaults.concurrency, 1, integer=True)),
        per_host=int(reader.number("per_host", defaults.per_host, 1, integer=True)),
        host_interval=reader.number("host_interval", defaults.host_interval, 0),
        timeout=reader.duration("timeout", defaults.timeout),
        run_timeout=reader.duration("run_timeout", defaults.run_timeout),
        retries=int(reader.number("retries", defaults.retries, 0, integer=True)),
        max_redirects=int(reader.number("max_redirects", defaults.max_redirects, 0, integer=True)),
        max_retry_after=reader.duration("max_retry_after", defaults.max_retry_after),
        cache_max_age=reader.duration("cache_max_age", defaults.cache_max_age),
    )
