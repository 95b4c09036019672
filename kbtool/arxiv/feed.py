"""What an arXiv API response holds, before trusting the parsed entries: pure functions of bytes.

arXiv answers every query with an Atom feed; a feed may be empty or truncated (worth a
retry), report a total (for paging), or be arXiv's own error feed (HTTP 400: a query
it refuses, not worth a retry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

# --- what came back -----------------------------------------------------------------------------

_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


@dataclass(frozen=True)
class FeedCheck:
    """What kbtool checks in a raw API response before trusting the parsed entries."""

    problem: str | None = None  # why the body is no usable feed (worth a retry)
    total_results: int | None = None
    entries: int = 0
    api_error: str | None = None  # arXiv's own error entry (not worth a retry)


def inspect_feed(body: bytes) -> FeedCheck:
    """Check that ``body`` is a well-formed Atom feed; read its total and any API error."""
    if not body.strip():
        return FeedCheck(problem="an empty response")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as err:
        return FeedCheck(problem=f"malformed XML ({err})")
    if root.tag != f"{_ATOM}feed":
        return FeedCheck(problem="a response that is not an Atom feed")
    total_text = root.findtext(f"{_OPENSEARCH}totalResults")
    try:
        total = int(total_text.strip()) if total_text else None
    except ValueError:
        total = None
    entries = root.findall(f"{_ATOM}entry")
    api_error = None
    for entry in entries:
        if "/api/errors" in (entry.findtext(f"{_ATOM}id") or ""):
            api_error = " ".join((entry.findtext(f"{_ATOM}summary") or "error").split())
    return FeedCheck(None, total, len(entries), api_error)


_ERROR_ID = re.compile(r"\bfor (?:id )?(\S+)\s*$")


def error_subject(message: str) -> str | None:
    """The id an arXiv error message is about (``incorrect id format for abc`` → ``abc``)."""
    match = _ERROR_ID.search(message)
    return match.group(1) if match else None
