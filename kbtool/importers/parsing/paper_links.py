"""Links in the sources: which name a paper (and which paper), which are code, which are other.

A paper is identified by its arXiv id (abs, pdf and html links, the ``export.`` host,
any version), its OpenReview id (``forum?id=`` / ``pdf?id=``), or the URL of a page on a
host that publishes papers (proceedings, CVF open access, ACL anthology…). GitHub and
GitLab links are code; anything else (project pages, blogs, datasets) is "other".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qs, urlsplit

from kbtool.core.arxiv_id import ArxivId, find_arxiv_id


class LinkRole(Enum):
    PAPER = "paper"
    CODE = "code"
    OTHER = "other"


#: Hosts whose pages are papers (besides arXiv and OpenReview, which give ids).
PAPER_HOSTS = frozenset(
    {
        "proceedings.neurips.cc",
        "papers.nips.cc",
        "papers.neurips.cc",
        "openaccess.thecvf.com",
        "aclanthology.org",
        "proceedings.mlr.press",
        "dl.acm.org",
        "doi.org",
        "ieeexplore.ieee.org",
        "link.springer.com",
        "ojs.aaai.org",
        "www.ecva.net",
        "www.ijcai.org",
        "jmlr.org",
        "www.jmlr.org",
    }
)
CODE_HOSTS = frozenset({"github.com", "www.github.com", "gitlab.com"})
#: Link texts that say what a link is rather than name the paper.
GENERIC_LABELS = frozenset(
    {
        "paper",
        "pdf",
        "arxiv",
        "link",
        "repo",
        "code",
        "github",
        "blog",
        "project",
        "website",
        "homepage",
        "reddit",
        "official",
        "community",
        "here",
        "openreview",
    }
)

# [label](target): labels may hold one level of brackets ([[paper]](…)); targets one
# level of parentheses. Images (![…](…)) are matched too, then told apart by ``image``.
_MD_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\((?P<target>(?:[^()\s]|\([^()\s]*\))*)\)"
)
_BARE_URL = re.compile(r"https?://[^\s<>\[\]()\"'，。；）（]+", re.IGNORECASE)
_TRAILING = ".,;:!?*'\"_~"


@dataclass(frozen=True)
class FoundLink:
    """A link in a line of text: its label (empty for a bare URL), target and role."""

    label: str
    url: str
    start: int
    end: int
    role: LinkRole
    image: bool = False
    arxiv: ArxivId | None = None
    openreview: str | None = None

    @property
    def label_text(self) -> str:
        """The label without emphasis markers and escapes."""
        return clean_label(self.label)

    @property
    def names_paper(self) -> bool:
        """Whether the label is a name for the paper (not 'paper', 'pdf' or an id)."""
        text = self.label_text.strip("[]").strip()
        if not text or text.casefold() in GENERIC_LABELS:
            return False
        if find_arxiv_id(text) is not None:
            return False
        return not text.lower().startswith(("http://", "https://"))


def clean_label(label: str) -> str:
    """A link label as plain words: ``**InternVid**`` → ``InternVid``."""
    text = label.strip()
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = text.replace("\\[", "[").replace("\\]", "]")
    return text.strip()


def with_scheme(url: str) -> str:
    """``url`` with ``https://`` added when it is a host name without a scheme."""
    if re.match(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+/", url, re.IGNORECASE):
        return "https://" + url
    return url


def openreview_id(url: str) -> str | None:
    """The OpenReview id a ``forum?id=`` / ``pdf?id=`` URL names, if any."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in ("openreview.net", "www.openreview.net"):
        return None
    ids = parse_qs(parts.query).get("id")
    if ids and re.fullmatch(r"[A-Za-z0-9_-]{6,}", ids[0]):
        return ids[0]
    return None


def classify_url(url: str) -> tuple[LinkRole, ArxivId | None, str | None]:
    """(role, arXiv id, OpenReview id) of a URL."""
    full = with_scheme(url)
    host = (urlsplit(full).hostname or "").lower()
    if "arxiv.org" in host:
        arxiv = find_arxiv_id(full)
        if arxiv is not None:
            return LinkRole.PAPER, arxiv, None
    if host in ("openreview.net", "www.openreview.net"):
        return LinkRole.PAPER, None, openreview_id(full)
    if host in PAPER_HOSTS:
        return LinkRole.PAPER, None, None
    if host in CODE_HOSTS:
        return LinkRole.CODE, None, None
    return LinkRole.OTHER, None, None


def _trim_url(url: str) -> str:
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    return url


def find_links(text: str) -> list[FoundLink]:
    """Every Markdown link, image and bare URL in ``text``, in order."""
    found: list[FoundLink] = []
    covered: list[tuple[int, int]] = []
    for match in _MD_LINK.finditer(text):
        target = match["target"].strip()
        covered.append(match.span())
        role, arxiv, openreview = classify_url(target) if target else (LinkRole.OTHER, None, None)
        found.append(
            FoundLink(
                match["label"],
                with_scheme(target),
                match.start(),
                match.end(),
                role,
                bool(match["bang"]),
                arxiv,
                openreview,
            )
        )
    for match in _BARE_URL.finditer(text):
        if any(a <= match.start() < b for a, b in covered):
            continue
        url = _trim_url(match.group(0))
        role, arxiv, openreview = classify_url(url)
        end = match.start() + len(url)
        found.append(FoundLink("", url, match.start(), end, role, False, arxiv, openreview))
    found.sort(key=lambda link: link.start)
    return found


def paper_links(text: str) -> list[FoundLink]:
    """The links in ``text`` that name papers, one per distinct paper, in order."""
    seen: set[str] = set()
    result: list[FoundLink] = []
    for link in find_links(text):
        if link.image or link.role is not LinkRole.PAPER:
            continue
        key = paper_key(link)
        if key in seen:
            continue
        seen.add(key)
        result.append(link)
    return result


def normalized_url(url: str) -> str:
    """A URL reduced for comparison: no scheme, no ``www.``, no trailing slash, lower host."""
    parts = urlsplit(with_scheme(url))
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def paper_key(link: FoundLink) -> str:
    """The identity a paper link gives: ``arxiv:…``, ``openreview:…`` or ``url:…``."""
    if link.arxiv is not None:
        return f"arxiv:{link.arxiv.base}"
    if link.openreview is not None:
        return f"openreview:{link.openreview}"
    return f"url:{normalized_url(link.url)}"


def arxiv_links(text: str) -> list[FoundLink]:
    """Links in ``text`` that name an arXiv paper."""
    return [link for link in find_links(text) if link.arxiv is not None and not link.image]
