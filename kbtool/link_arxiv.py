"""arXiv links: checked against the arXiv API in batches, never by crawling arxiv.org.

arXiv asks robots not to crawl arxiv.org, and one API request answers for up to a
hundred papers, so links to abs, pdf and html pages are collected apart from the
others (:func:`arxiv_link`) and judged together by :func:`classify_arxiv_ids`
through an :class:`ArxivLookup`: the id must exist, and the version, when the
link names one, must not be newer than the paper's latest.

Other pages on arxiv.org (listings, help) are not crawled either: they are
reported as unverified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from kbtool.arxiv_id import ArxivId, find_arxiv_id
from kbtool.errors import KbtoolError
from kbtool.link_status import LinkResult, LinkStatus

ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"})
_PAPER_PATHS = ("abs", "pdf", "html", "format", "src")
UNAVAILABLE = "arXiv check unavailable"


class ArxivLookup(Protocol):
    """What link checking needs from the arXiv client: the latest version of each id."""

    def latest_versions(self, ids: Sequence[ArxivId]) -> Mapping[str, int]:
        """``base id → latest version`` for the ids arXiv knows; unknown ids are absent.

        Raises a :class:`KbtoolError` (typically ``RemoteError``) when arXiv cannot
        be asked.
        """
        ...


@dataclass(frozen=True)
class ArxivLink:
    """An arxiv.org URL: the paper it names, or why it names none."""

    url: str
    arxiv_id: ArxivId | None
    problem: LinkResult | None = None


def arxiv_link(url: str) -> ArxivLink | None:
    """The arXiv paper ``url`` links to, or None when it is not on arxiv.org.

    An arxiv.org URL that names no paper is returned with its verdict already made:
    a malformed id on an abs/pdf/html page is broken; any other page is unverified
    (arxiv.org is not crawled).
    """
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in ARXIV_HOSTS:
        return None
    found = find_arxiv_id(url)
    if found is not None:
        return ArxivLink(url, found)
    kind = parts.path.strip("/").split("/", 1)[0]
    if kind in _PAPER_PATHS:
        verdict = LinkResult(url, LinkStatus.BROKEN, "not a valid arXiv id in an arXiv paper URL")
    else:
        verdict = LinkResult(
            url, LinkStatus.UNVERIFIED, "arxiv.org page that is not a paper: not crawled"
        )
    return ArxivLink(url, None, verdict)


def arxiv_cache_key(arxiv_id: ArxivId) -> str:
    return f"arxiv:{arxiv_id}"


def judge_arxiv_id(arxiv_id: ArxivId, latest: Mapping[str, int], url: str) -> LinkResult:
    """The verdict on a link to ``arxiv_id``, given arXiv's latest versions (pure)."""
    newest = latest.get(arxiv_id.base)
    if newest is None:
        return LinkResult(url, LinkStatus.BROKEN, f"arXiv has no paper {arxiv_id.base}")
    if arxiv_id.version is not None and arxiv_id.version > newest:
        return LinkResult(
            url,
            LinkStatus.BROKEN,
            f"arXiv {arxiv_id.base} has no v{arxiv_id.version} (latest is v{newest})",
        )
    return LinkResult(url, LinkStatus.OK, f"arXiv {arxiv_id} exists (latest v{newest})")


def classify_arxiv_ids(
    ids: Sequence[ArxivId], lookup: ArxivLookup | None
) -> dict[ArxivId, LinkResult]:
    """A verdict per id, asking arXiv once for all of them (the lookup batches).

    Without a lookup, or when arXiv cannot be asked, every id is unverified and
    says why: an arXiv link is never reported ok without arXiv's word.
    """
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    if lookup is None:
        return {
            i: LinkResult(i.abs_url, LinkStatus.UNVERIFIED, f"unverified: {UNAVAILABLE}")
            for i in unique
        }
    bases = list(dict.fromkeys(i.without_version() for i in unique))
    try:
        latest = lookup.latest_versions(bases)
    except KbtoolError as err:
        return {
            i: LinkResult(i.abs_url, LinkStatus.UNVERIFIED, f"arXiv API failed: {err.message}")
            for i in unique
        }
    return {i: judge_arxiv_id(i, latest, i.abs_url) for i in unique}
