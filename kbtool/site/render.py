"""Every page the site generates, from the knowledge base alone: no MkDocs involved.

:func:`render_site` is the one entry point: knowledge base in, a mapping of
docs-relative file name to Markdown (or BibTeX) out, plus the navigation. The
MkDocs plugin only hands these to MkDocs as virtual files; tests and the
benchmark call it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from kbtool.bibtex import join_bibliography
from kbtool.citations.graph import CitationGraph
from kbtool.core.knowledge_base import KnowledgeBase
from kbtool.site.catalog import Catalog, build_catalog
from kbtool.site.feeds import FeedSite, render_inbox_feed, render_notes_feed
from kbtool.site.markup.markdown_escape import escape_html
from kbtool.site.pages.citation_map import render_map_data, render_map_pages
from kbtool.site.pages.commands import render_commands_page
from kbtool.site.pages.home import recently_added, render_home_page, render_reading_queue_page
from kbtool.site.pages.inbox import render_inbox_page
from kbtool.site.pages.note_format import render_note_format_page
from kbtool.site.pages.paper import render_paper_page
from kbtool.site.pages.tags import render_tags_page
from kbtool.site.pages.timeline import render_timeline_page
from kbtool.site.pages.topic import render_topic_page, render_topics_index
from kbtool.site.pages.venue import render_venue_page
from kbtool.site.paths import SitePaths
from kbtool.watch.inbox import InboxEntry, known_papers, waiting

NavItem = str | dict[str, Any]


@dataclass(frozen=True)
class SiteOptions:
    site_name: str = "Research notes"
    home: bool = True
    related_papers: int = 5
    recent_notes: int = 10
    #: The click group whose commands the Commands page documents (None: no page).
    cli: click.Group | None = None
    #: mkdocs.yml's ``site_url``: the feeds' links are absolute when it is known.
    site_url: str | None = None
    #: Entries in the feed of recently added notes.
    feed_notes: int = 20
    #: Papers cited by several notes, without a note, shown on the Inbox page and feed.
    missing_papers: int = 50


@dataclass
class SitePages:
    """The generated files: ``pages`` (docs-relative name → text) and their navigation."""

    pages: dict[str, str] = field(default_factory=dict)
    #: Paper pages: on the site, but not in the navigation.
    papers: list[str] = field(default_factory=list)
    catalog: Catalog | None = None

    def navigation(self, paths: SitePaths, extra_pages: list[str]) -> list[NavItem]:
        """An explicit ``nav``: index pages and the topic tree, never the papers."""
        assert self.catalog is not None
        topics = self.catalog.kb.topics

        def topic_item(topic_id: str, seen: set[str]) -> NavItem:
            uri = paths.topic(topic_id)
            children = [t for t in topics.children(topic_id) if t.id not in seen]
            if not children:
                return uri
            seen.update(t.id for t in children)
            title = escape_html(topics.topics[topic_id].title)
            return {title: [uri, *(topic_item(t.id, seen) for t in children)]}

        seen = {t.id for t in topics.roots()}
        nav: list[NavItem] = []
        if paths.home in self.pages:
            nav.append({"Home": paths.home})
        nav.append(
            {"Topics": [paths.topics_index, *(topic_item(t.id, seen) for t in topics.roots())]}
        )
        browse = [paths.timeline, paths.citation_map, paths.venues, paths.tags, paths.reading_queue]
        nav.append({"Browse": [p for p in browse if p in self.pages]})
        if paths.inbox in self.pages:
            nav.append({"Inbox": paths.inbox})
        reference = [p for p in (paths.note_format, paths.commands) if p in self.pages]
        nav.append({"Reference": reference + extra_pages})
        return nav


def render_site(
    kb: KnowledgeBase,
    paths: SitePaths,
    options: SiteOptions,
    inbox: Sequence[InboxEntry] = (),
    citations: CitationGraph | None = None,
) -> SitePages:
    """Render every generated page of the site; ``inbox`` is ``inbox.yml``'s entries,
    ``citations`` the citations between notes (``citations.json``)."""
    catalog = build_catalog(kb, paths, options.related_papers, citations)
    # Papers adopted since the last watch run have notes now: never show them.
    waiting_papers = waiting(inbox, known_papers(kb.notes))
    feed_site = FeedSite(options.site_name, options.site_url)
    site = SitePages(catalog=catalog)
    pages = site.pages
    for paper in catalog.papers:
        pages[paper.uri] = render_paper_page(paper, catalog)
        site.papers.append(paper.uri)
    for topic in kb.topics:
        pages[paths.topic(topic.id)] = render_topic_page(topic, catalog)
        pages.update(render_map_pages(catalog, topic))
    pages.update(render_map_pages(catalog))
    pages[paths.citation_map_data] = render_map_data(catalog)
    pages[paths.topics_index] = render_topics_index(catalog)
    if options.home:
        pages[paths.home] = render_home_page(
            catalog,
            options.site_name,
            recent=options.recent_notes,
            queue=options.recent_notes,
            inbox=len(waiting_papers),
        )
    pages[paths.timeline] = render_timeline_page(catalog)
    pages[paths.venues] = render_venue_page(catalog)
    pages[paths.tags] = render_tags_page()
    pages[paths.reading_queue] = render_reading_queue_page(catalog)
    missing = catalog.citations.missing[: options.missing_papers]
    pages[paths.inbox] = render_inbox_page(waiting_papers, paths, missing, catalog)
    pages[paths.inbox_feed] = render_inbox_feed(waiting_papers, feed_site, paths, missing)
    pages[paths.notes_feed] = render_notes_feed(
        recently_added(catalog, options.feed_notes), catalog, feed_site
    )
    pages[paths.note_format] = render_note_format_page()
    if options.cli is not None:
        pages[paths.commands] = render_commands_page(options.cli)
    pages[paths.bibliography] = join_bibliography(
        {catalog.citekeys[p.path]: catalog.bibtex(p) for p in catalog.papers}
    )
    return site
