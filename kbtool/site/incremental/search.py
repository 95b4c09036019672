"""The search index across ``--dirty`` rebuilds: a rebuilt page's entries are recomputed, once.

In a ``--dirty`` build only the changed pages are built, so a search plugin
sees only them. Material's search plugin keeps the index of the last build and
merges the new entries into it, but its merge assumes a single page was built:
with several (a title change rebuilds every page that lists the paper) the old
entries of all but the first stay, and a deleted page's entries never go.
:func:`forget_search_entries` drops, before the plugin writes the index, the
kept entries of every page built again or removed; the plugin has just made
their new entries from the pages themselves. The index is then the one a clean
build writes (in another order: order does not matter to search).

kbtool's own search (issue 11) replaces Material's: its per-note documents are
recomputed for the changed notes only (``search_document`` for each path in
``BuildReport.notes``) and its shards assembled again, at the same step of the
build (:meth:`~kbtool.site.incremental.session.SiteSession.finish`).
"""

from __future__ import annotations

from collections.abc import Iterable

from mkdocs.config.defaults import MkDocsConfig


def forget_search_entries(config: MkDocsConfig, urls: Iterable[str]) -> int:
    """Drop the kept search entries of the pages at ``urls``; how many were dropped."""
    pages = set(urls)
    dropped = 0
    for plugin in config.plugins.values():
        kept = getattr(plugin, "search_index_prev", None)
        entries = getattr(kept, "entries", None)
        if not isinstance(entries, list) or not pages:
            continue
        remaining = [e for e in entries if str(e.get("location", "")).split("#")[0] not in pages]
        dropped += len(entries) - len(remaining)
        entries[:] = remaining
    return dropped
