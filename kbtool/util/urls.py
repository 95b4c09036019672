"""Splitting a URL written by someone else: never an exception, always a reason.

``urllib.parse.urlsplit`` raises ``ValueError`` on some malformed URLs
(``http://[::1``) and ``SplitResult.port`` raises on others (``http://host:99999``);
a URL in a note is data, and data must never crash a check or a build.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def url_error(text: str) -> str | None:
    """Why Python cannot read ``text`` as a URL (a bad IPv6 address, a bad port), or None."""
    try:
        urlsplit(text).port  # noqa: B018 - reading the port is what validates it
    except ValueError as err:
        return str(err) or "malformed URL"
    return None


def split_url(text: str) -> SplitResult | None:
    """``urlsplit(text)``, or None when ``text`` cannot be read as a URL (see :func:`url_error`)."""
    if url_error(text) is not None:
        return None
    return urlsplit(text)
