"""arXiv identifiers: parse every form a researcher pastes into one canonical value.

New-style ids are ``YYMM.NNNN`` (2007–2014) or ``YYMM.NNNNN`` (2015 on), old-style
ids are ``archive/YYMMNNN`` (``hep-th/9901001``, ``math.GT/0309136``); either may
carry a version ``vN``. Accepted spellings include ``arXiv:`` prefixes and abs, pdf
and html URLs on arxiv.org, www.arxiv.org and export.arxiv.org.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.errors import ArxivIdError
from kbtool.util.urls import split_url

# re.ASCII: \d would also match other scripts' digits (fullwidth ２, Arabic-Indic ٢).
_NEW_STYLE = re.compile(
    r"(?P<base>(?P<yy>\d{2})(?P<mm>\d{2})\.\d{4,5})(?:v(?P<version>[1-9]\d*))?", re.ASCII
)
# The archive may carry a subject class (math.GT/0309136); it is not part of the id.
_OLD_STYLE = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z]{2})?/(?P<number>\d{7})(?:v(?P<version>[1-9]\d*))?",
    re.ASCII,
)
_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"}
_URL_KINDS = ("abs", "pdf", "html", "format", "src")
_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class ArxivId:
    """A canonical arXiv id: ``base`` without version, and the version if one was named."""

    base: str
    version: int | None = None

    def __str__(self) -> str:
        return f"{self.base}v{self.version}" if self.version else self.base

    @property
    def is_old_style(self) -> bool:
        return "/" in self.base

    @property
    def filename_stem(self) -> str:
        """The id as a file-name part that is safe on every OS (no ``/``)."""
        return self.base.replace("/", "-")

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self}"

    def without_version(self) -> ArxivId:
        return ArxivId(self.base)

    def with_version(self, version: int | None) -> ArxivId:
        return ArxivId(self.base, version)


def _match_bare(text: str) -> ArxivId | None:
    match = _NEW_STYLE.fullmatch(text)
    if match:
        yymm = int(match["yy"] + match["mm"])
        if not 1 <= int(match["mm"]) <= 12 or yymm < 704:
            return None
        # Five-digit numbers since 2015; before, arXiv's API itself accepts either.
        if yymm >= 1501 and len(match["base"]) != 10:
            return None
        version = int(match["version"]) if match["version"] else None
        return ArxivId(match["base"], version)
    match = _OLD_STYLE.fullmatch(text)
    if match:
        if not 1 <= int(match["number"][2:4]) <= 12:
            return None
        version = int(match["version"]) if match["version"] else None
        return ArxivId(f"{match['archive']}/{match['number']}", version)
    return None


def _path_from_url(text: str) -> str | None:
    """The id part of an arXiv URL, or None when ``text`` is not an arXiv URL."""
    candidate = text if "://" in text else None
    if candidate is None and text.split("/", 1)[0].lower() in _ARXIV_HOSTS:
        candidate = "https://" + text
    parts = split_url(candidate) if candidate is not None else None
    if parts is None:
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "") not in _ARXIV_HOSTS:
        return None
    path = parts.path.strip("/")
    kind, _, rest = path.partition("/")
    if kind not in _URL_KINDS or not rest:
        return None
    if rest.endswith(".pdf"):
        rest = rest[: -len(".pdf")]
    return rest


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse any accepted spelling of an arXiv id, or raise :class:`ArxivIdError`.

    The error message names the offending input and, for inputs that look like
    paths (``../x``, absolute paths, NUL bytes), says so: ids never become paths.
    """
    raw = text
    if "\x00" in text:
        raise ArxivIdError(f"not an arXiv id (contains a NUL byte): {raw!r}", raw)
    text = text.strip()
    if not text:
        raise ArxivIdError("empty arXiv id", raw)
    from_url = _path_from_url(text)
    text = from_url if from_url is not None else _PREFIX.sub("", text)
    parsed = _match_bare(text)
    if parsed is not None:
        return parsed
    if text.startswith(("/", "\\", "~")) or ".." in text.replace("\\", "/").split("/"):
        raise ArxivIdError(f"not an arXiv id (looks like a path): {raw!r}", raw)
    raise ArxivIdError(
        f"not an arXiv id: {raw!r} (expected e.g. 2410.05677, 2410.05677v2, hep-th/9901001 "
        "or an arxiv.org URL)",
        raw,
    )


def find_arxiv_id(text: str) -> ArxivId | None:
    """The arXiv id ``text`` names, or None: the non-raising form of :func:`parse_arxiv_id`."""
    try:
        return parse_arxiv_id(text)
    except ArxivIdError:
        return None
