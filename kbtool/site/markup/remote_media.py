"""Images and embeds from other hosts become visible placeholders: the site never fetches them.

Notes imported from a notes app point at images on S3 behind signed links that
expired long ago (``https://prod-files-secure.s3.us-west-2.amazonaws.com/…``).
Loading them would only show broken images and send a request to another host
for every page view. :func:`replace_remote_media` turns each ``<img>``,
``<iframe>``, ``<video>``, ``<audio>``, ``<source>`` or ``<embed>`` whose source is
on another host into a placeholder that says what it was and keeps the link;
expired S3 links say "Expired image". Local media is left alone.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs

from kbtool.util.urls import split_url

_MEDIA_TAG = re.compile(r"<(?P<tag>img|iframe|video|audio|source|embed)\b(?P<attrs>[^>]*)>", re.I)
_ATTRIBUTE = re.compile(
    r"(?P<name>[a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"
    r"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'=<>`]+))"
)
_SOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data")
# Notion's export bucket: its links were signed and expire within hours.
_EXPIRING_HOSTS = re.compile(r"(?:^|\.)prod-files-secure\.s3\.[a-z0-9-]+\.amazonaws\.com$")
_SIGNATURE_PARAMETERS = {"x-amz-signature", "x-amz-expires", "x-amz-credential", "signature"}


def is_remote_url(url: str) -> bool:
    """Whether loading ``url`` would contact another host (http(s) or protocol-relative)."""
    url = url.strip()
    if url.startswith("//"):
        return True
    parts = split_url(url)
    # A URL Python cannot read is still shown as remote (never loaded), not a crash.
    scheme = parts.scheme if parts is not None else url.partition(":")[0]
    return scheme.lower() in ("http", "https")


def is_expired_image_url(url: str) -> bool:
    """Whether ``url`` is a signed S3 link of the kind notes apps export, long expired."""
    parts = split_url(url.strip())
    if parts is None:
        return False
    host = (parts.hostname or "").lower()
    if _EXPIRING_HOSTS.search(host):
        return True
    if host.endswith(".amazonaws.com") or host == "amazonaws.com":
        parameters = {key.lower() for key in parse_qs(parts.query)}
        return bool(parameters & _SIGNATURE_PARAMETERS)
    return False


def _link_text(url: str) -> str:
    parts = split_url(url)
    if parts is None:
        return url
    name = parts.path.rstrip("/").rsplit("/", 1)[-1]
    host = parts.hostname or ""
    return f"{host}/…/{name}" if name and parts.path.count("/") > 1 else f"{host}{parts.path}"


def media_placeholder(url: str, alt: str = "", *, tag: str = "img") -> str:
    """HTML shown instead of remote media: what it was, its alt text, and the link."""
    kind = "image" if tag in ("img", "source") else "embedded media"
    if is_expired_image_url(url):
        label, modifier = f"Expired {kind}", "expired"
    else:
        label, modifier = f"Remote {kind} (not loaded)", "remote"
    alt_html = f' <span class="kb-media__alt">{html.escape(alt)}</span>' if alt.strip() else ""
    href = html.escape(url, quote=True)
    return (
        f'<span class="kb-media kb-media--{modifier}" data-search-exclude>'
        f'<span class="kb-media__label">{label}</span>{alt_html} '
        f'<a class="kb-media__link" href="{href}" rel="nofollow noopener noreferrer">'
        f"{html.escape(_link_text(url))}</a></span>"
    )


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        value = next(v for v in (match["dq"], match["sq"], match["bare"]) if v is not None)
        found.setdefault(match["name"].lower(), html.unescape(value))
    return found


def _remote_source(attributes: dict[str, str]) -> str | None:
    for name in _SOURCE_ATTRIBUTES:
        value = attributes.get(name, "")
        candidates = (
            [c.strip().split(" ")[0] for c in value.split(",")] if name == "srcset" else [value]
        )
        for candidate in candidates:
            if candidate and is_remote_url(candidate):
                return candidate
    return None


def replace_remote_media(page_html: str) -> str:
    """``page_html`` with every remote image or embed replaced by :func:`media_placeholder`."""
    if "//" not in page_html:
        return page_html

    def replace(match: re.Match[str]) -> str:
        attributes = _attributes(match["attrs"])
        url = _remote_source(attributes)
        if url is None:
            return match.group(0)
        return media_placeholder(url, attributes.get("alt", ""), tag=match["tag"].lower())

    return _MEDIA_TAG.sub(replace, page_html)
