"""What a link check found, as one of five classes: pure functions of values.

The checker (:mod:`kbtool.links.http`) records what happened to a URL as a
:class:`FetchOutcome` (every response of the redirect chain, or the failure that
stopped it); :func:`classify_outcome` turns that and the host rules into a
:class:`LinkResult`. Nothing here touches the network.

The rules, in order:

* **expired** — a signed, expiring URL (see :func:`expiring_reason`): never requested.
* **broken** — DNS failure, connection refused, TLS failure (certificates are
  always verified), a redirect loop or too many redirects, a URL that cannot be
  requested (``http://host:99999/``), a redirect from a public address into a
  private network (never followed); 404 and 410 from any
  host; every other 4xx, and 5xx after retries, unless the host is known to
  block bots.
* **unverified** — 429 (rate limited) from any host after retries; any status
  but 404/410 that is not ok from a host known to block bots (they answer robots
  with 403, 401, 5xx or odd codes such as 999 while serving people fine);
  timeouts after retries; other connection failures; a ``Retry-After`` too long
  to honour; a link the run's time bound left unchecked.
* **redirected** — the chain starts with one or more permanent redirects
  (301, 308) and ends in an accepted status: report the URL they lead to, so the
  note can be updated. Temporary redirects (302, 303, 307) are how many sites
  work (doi.org, download links) and count as ok.
* **ok** — the final status is 2xx or one of the configured accepted statuses.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qsl, urlsplit

from kbtool.links.settings import LinkSettings


class LinkStatus(Enum):
    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"


class Failure(Enum):
    """Why a fetch produced no final response."""

    DNS = "DNS lookup failed"
    REFUSED = "connection refused"
    TLS = "TLS certificate or handshake failed"
    TIMEOUT = "timed out"
    CONNECTION = "connection failed"
    REDIRECT_LOOP = "redirect loop"
    TOO_MANY_REDIRECTS = "too many redirects"
    BAD_REDIRECT = "redirect without a usable Location"
    RETRY_AFTER_TOO_LONG = "rate limited with a Retry-After too long to wait"
    NOT_CHECKED = "not checked within the run's time limit"
    BAD_URL = "not a URL that can be requested"
    PRIVATE_REDIRECT = "redirects from the internet"


PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Statuses that say the page is gone, whoever says it.
DEFINITELY_GONE = frozenset({404, 410})
_BROKEN_FAILURES = frozenset(
    {
        Failure.DNS,
        Failure.REFUSED,
        Failure.TLS,
        Failure.REDIRECT_LOOP,
        Failure.TOO_MANY_REDIRECTS,
        Failure.BAD_REDIRECT,
        Failure.BAD_URL,
        Failure.PRIVATE_REDIRECT,
    }
)


@dataclass(frozen=True)
class Hop:
    """One response on the way: the URL requested, its status, and where it redirects."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True)
class FetchOutcome:
    """Everything the checker saw for one URL."""

    url: str
    hops: tuple[Hop, ...] = ()
    failure: Failure | None = None
    detail: str = ""
    retries: int = 0

    @property
    def final(self) -> Hop | None:
        return self.hops[-1] if self.hops and self.failure is None else None


@dataclass(frozen=True)
class LinkResult:
    """The verdict on one URL: its class, a reason for people, and what to change it to."""

    url: str
    status: LinkStatus
    reason: str
    http_status: int | None = None
    target: str | None = None


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """True when ``host`` is one of ``patterns`` or a subdomain of one (``*`` = one label)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if "*" in pattern:
            labels, wanted = host.split("."), pattern.split(".")
            if len(labels) >= len(wanted) and all(
                fnmatch.fnmatchcase(label, want)
                for label, want in zip(labels[-len(wanted) :], wanted, strict=True)
            ):
                return True
        elif host == pattern or host.endswith("." + pattern):
            return True
    return False


# Query parameters that make a URL a signed, expiring one: AWS SigV4 and SigV2,
# Google Cloud Storage V4 and V2, Azure shared access signatures, CloudFront.
_SIGNED_QUERY_SETS: tuple[frozenset[str], ...] = (
    frozenset({"x-amz-signature"}),
    frozenset({"x-amz-expires"}),
    frozenset({"x-amz-credential"}),
    frozenset({"awsaccesskeyid", "signature", "expires"}),
    frozenset({"x-goog-signature"}),
    frozenset({"x-goog-expires"}),
    frozenset({"googleaccessid", "signature", "expires"}),
    frozenset({"sig", "se"}),
    frozenset({"signature", "key-pair-id"}),
    frozenset({"policy", "key-pair-id"}),
)


def expiring_reason(url: str, expiring_hosts: Iterable[str]) -> str | None:
    """Why ``url`` is a signed, expiring link (so it must not be requested), or None.

    Two signs, either enough: a host whose links are all expiring signed URLs by
    design (the notes app's private S3 bucket; exports often drop the signature
    query, and such a link never works again), or the query parameters of a URL
    signature (``X-Amz-Signature``/``X-Amz-Expires``, ``X-Goog-Signature``, Azure's
    ``sig``+``se``, CloudFront's ``Signature``+``Key-Pair-Id``…). A signed URL is
    expired even when its deadline has not passed yet: it will stop working within
    days (SigV4 allows at most seven), so the file belongs in the repository.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host_matches(host, expiring_hosts):
        return f"signed file link of {host}: expires by design; save the file in the repository"
    keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    for signed in _SIGNED_QUERY_SETS:
        if signed <= keys:
            names = "+".join(sorted(signed))
            return f"signed URL ({names}): expires by design; save the file in the repository"
    return None


def _is_accepted(status: int, settings: LinkSettings) -> bool:
    return 200 <= status < 300 or status in settings.accept


def permanent_target(hops: Iterable[Hop]) -> str | None:
    """Where the leading permanent redirects of a chain lead (None when it starts otherwise).

    A permanent redirect after a temporary one is the temporary target's business,
    not something the note can fix, so only the leading run counts.
    """
    target = None
    for hop in hops:
        if hop.status not in PERMANENT_REDIRECTS or hop.location is None:
            break
        target = hop.location
    return target


def classify_outcome(outcome: FetchOutcome, settings: LinkSettings) -> LinkResult:
    """The class of one fetched URL; see the module docstring for the rules."""
    url = outcome.url
    retried = f" after {outcome.retries} retr{'y' if outcome.retries == 1 else 'ies'}"
    retried = retried if outcome.retries else ""
    if outcome.failure is not None:
        reason = outcome.failure.value + retried
        if outcome.detail:
            reason += f": {outcome.detail}"
        status = LinkStatus.BROKEN if outcome.failure in _BROKEN_FAILURES else LinkStatus.UNVERIFIED
        last = outcome.hops[-1].status if outcome.hops else None
        return LinkResult(url, status, reason, last)
    final = outcome.final
    if final is None:
        return LinkResult(url, LinkStatus.UNVERIFIED, "no response recorded")
    code = final.status
    final_host = urlsplit(final.url).hostname or ""
    first_host = urlsplit(url).hostname or ""
    blocks_bots = host_matches(final_host, settings.bot_blocking_hosts) or host_matches(
        first_host, settings.bot_blocking_hosts
    )
    if _is_accepted(code, settings):
        target = permanent_target(outcome.hops)
        if target is not None and target != url:
            return LinkResult(
                url, LinkStatus.REDIRECTED, f"moved permanently to {target}", code, target
            )
        return LinkResult(url, LinkStatus.OK, f"HTTP {code}", code)
    if code == 429:
        return LinkResult(url, LinkStatus.UNVERIFIED, f"HTTP 429 rate limited{retried}", code)
    if blocks_bots and code not in DEFINITELY_GONE:
        return LinkResult(
            url,
            LinkStatus.UNVERIFIED,
            f"HTTP {code} from {final_host}, a host known to block bots{retried}",
            code,
        )
    if code >= 500:
        return LinkResult(url, LinkStatus.BROKEN, f"HTTP {code} server error{retried}", code)
    return LinkResult(url, LinkStatus.BROKEN, f"HTTP {code}", code)
