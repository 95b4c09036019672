"""arXiv links: checked against the arXiv API in batches, never by crawling arxiv.org.

arXiv asks robots not to crawl arxiv.org, and one API request answers for up to a
hundred papers, so links to abs, pdf and html pages are collected apart from the
others (:func:`arxiv_link`) and judged together by :func:`classify_arxiv_ids`
through the same polite, cached lookup as ``kbtool new`` and ``kbtool enrich``
(:class:`kbtool.arxiv.lookup.ArxivLookup`: one request at a time, 3 s apart,
batched, metadata cached under ``.kbtool-cache/arxiv/``). The id must exist, and
the version, when the link names one, must not be newer than the paper's latest.

Other pages on arxiv.org (listings, help) are not crawled either: they are
reported as unverified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from kbtool.arxiv.lookup import ArxivLookup
from kbtool.core.arxiv_id import ArxivId, find_arxiv_id
from kbtool.links.status import LinkResult, LinkStatus

ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"})
_PAPER_PATHS = ("abs", "pdf", "html", "format", "src")


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


@dataclass(frozen=True)
class ArxivAnswers:
    """What arXiv said about some base ids (pure data, for :func:`judge_arxiv_id`)."""

    latest: Mapping[str, int]  # base id → latest version
    unknown: frozenset[str] = frozenset()
    rejected: Mapping[str, str] | None = None  # base id → arXiv's error message
    failed: Mapping[str, str] | None = None  # base id → why arXiv could not be asked


def judge_arxiv_id(arxiv_id: ArxivId, answers: ArxivAnswers, url: str) -> LinkResult:
    """The verdict on a link to ``arxiv_id``, given what arXiv answered (pure)."""
    base = arxiv_id.base
    newest = answers.latest.get(base)
    if newest is not None:
        if arxiv_id.version is not None and arxiv_id.version > newest:
            return LinkResult(
                url,
                LinkStatus.BROKEN,
                f"arXiv {base} has no v{arxiv_id.version} (latest v{newest})",
            )
        return LinkResult(url, LinkStatus.OK, f"arXiv {arxiv_id} exists (latest v{newest})")
    if base in answers.unknown:
        return LinkResult(url, LinkStatus.BROKEN, f"arXiv has no paper {base}")
    if answers.rejected and base in answers.rejected:
        return LinkResult(
            url, LinkStatus.BROKEN, f"arXiv rejected {base}: {answers.rejected[base]}"
        )
    reason = (answers.failed or {}).get(base, "arXiv gave no answer")
    return LinkResult(url, LinkStatus.UNVERIFIED, f"arXiv API failed: {reason}")


def ask_arxiv(bases: Sequence[str], lookup: ArxivLookup, refresh: bool = False) -> ArxivAnswers:
    """Ask ``lookup`` about ``bases`` (cached ones first, then one request per batch).

    A batch that fails leaves its ids in ``failed``; the other batches still count.
    """
    latest: dict[str, int] = {}
    unknown: set[str] = set()
    rejected: dict[str, str] = {}
    failed: dict[str, str] = {}
    for batch in lookup.batches(list(dict.fromkeys(bases)), refresh=refresh):
        latest.update({base: record.version for base, record in batch.records.items()})
        unknown.update(batch.unknown)
        rejected.update(batch.rejected)
        if batch.error is not None:
            for base in batch.bases:
                if base not in latest and base not in unknown and base not in rejected:
                    failed[base] = batch.error.message
    return ArxivAnswers(latest, frozenset(unknown), rejected, failed)


def classify_arxiv_ids(
    ids: Sequence[ArxivId], lookup: ArxivLookup, refresh: bool = False
) -> dict[ArxivId, LinkResult]:
    """A verdict per id, from one batched, cached, polite conversation with arXiv.

    An arXiv link is never reported ok without arXiv's word: when arXiv cannot be
    asked, its links are unverified and say why.
    """
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    answers = ask_arxiv([i.base for i in unique], lookup, refresh)
    return {i: judge_arxiv_id(i, answers, i.abs_url) for i in unique}
