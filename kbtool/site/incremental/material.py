"""Material's plugins across ``--dirty`` rebuilds: what they collect from every page stays whole.

In a ``--dirty`` build MkDocs reads and builds only the changed pages, so a
plugin that collects something from every page sees only those:

- Material's search plugin keeps the index of the last build and merges the new
  entries into it, but its merge assumes a single page was built: with several
  (a title change rebuilds every page that lists the paper) the old entries of
  all but the first stay, and a deleted page's entries never go.
  :func:`forget_search_entries` drops, before the plugin writes the index, the
  kept entries of every page built again or removed; the plugin has just made
  their new entries from the pages themselves. The index is then the one a
  clean build writes (in another order, which does not matter to search).
- Material's tags plugin writes ``tags.json`` (every page's tags) from the pages
  it saw. :class:`TagMemory` hands it what the pages the build does not read
  had in the last build.

kbtool's own search (issue 11) replaces Material's: its per-note documents are
recomputed for the changed notes only (``search_document`` for each path in
``BuildReport.notes``) and its shards assembled again, at the same step of the
build (:meth:`~kbtool.site.incremental.session.SiteSession.finish`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page


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


def _tag_mappings(config: MkDocsConfig) -> list[tuple[str, Any]]:
    """Material's tags plugins (by name) with their mapping managers."""
    return [
        (name, plugin.mappings)
        for name, plugin in config.plugins.items()
        if type(plugin).__module__.startswith("material.plugins.tags")
        and getattr(plugin, "mappings", None) is not None
        and plugin.config.get("enabled", True)
    ]


class TagMemory:
    """The tags Material's tags plugin found on each page, kept from one build to the next."""

    def __init__(self) -> None:
        self._kept: dict[str, dict[str, Any]] = {}

    def restore(self, config: MkDocsConfig, unread: Iterable[Page], pages: Sequence[Page]) -> None:
        """Give the tags plugin what the ``unread`` pages had, all in ``pages``' order.

        Must run after MkDocs read the pages and before the tags plugin's ``on_env``.
        """
        unread = list(unread)
        for name, manager in _tag_mappings(config):
            kept = self._kept.get(name, {})
            for page in unread:
                mapping = kept.get(page.url)
                if mapping is not None:
                    manager.data[page.url] = mapping
                else:
                    manager.add(page, "")  # reads only page.meta, as restored
            data = manager.data
            manager.data = {p.url: data[p.url] for p in pages if p.url in data}

    def keep(self, config: MkDocsConfig) -> None:
        """Remember what the tags plugin has now (after a build)."""
        self._kept = {name: dict(manager.data) for name, manager in _tag_mappings(config)}
