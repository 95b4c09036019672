"""Feed autodiscovery: every page's ``<head>`` names the site's Atom feeds.

Material has no setting for it (only a theme override would do), so the plugin
adds the ``<link rel="alternate" type="application/atom+xml">`` elements to each
finished page; feed readers and browsers find the feeds from any page.
"""

from __future__ import annotations

from kbtool.site.markup.markdown_escape import escape_html
from kbtool.site.paths import SitePaths


def feed_link_tags(page_uri: str, paths: SitePaths, site_name: str) -> str:
    """The ``<link>`` elements naming the feeds, with hrefs relative to the page."""
    feeds = (
        (paths.inbox_feed, f"{site_name}: inbox"),
        (paths.notes_feed, f"{site_name}: recently added notes"),
    )
    return "".join(
        f'<link rel="alternate" type="application/atom+xml" title="{escape_html(title)}" '
        f'href="{paths.href(page_uri, feed)}">'
        for feed, title in feeds
    )


def add_feed_links(html: str, page_uri: str, paths: SitePaths, site_name: str) -> str:
    """``html`` with the feed links at the end of its ``<head>`` (unchanged if it has none)."""
    head_end = html.find("</head>")
    if head_end < 0:
        return html
    return html[:head_end] + feed_link_tags(page_uri, paths, site_name) + html[head_end:]
