"""Every page the site generates, from the knowledge base alone: no MkDocs involved.

:func:`render_site` is the one entry point for a whole site: knowledge base in,
a mapping of docs-relative file name to Markdown (or BibTeX) out, plus the
navigation. Tests and the benchmark call it directly.

:func:`plan_site` is what it is made of: one :class:`PageJob` per file, each
naming everything its renderer reads. The MkDocs plugin renders the jobs whose
inputs changed since the last build (and paper pages in worker processes), and
hands the pages to MkDocs as virtual files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
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
from kbtool.site.pages.paper import paper_page_inputs, render_paper_page
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
    #: The click group whose commands the Commands page documents (None: no page), or a
    #: function returning it: the CLI is then loaded only if the page must be rendered.
    cli: click.Group | Callable[[], click.Group] | None = None
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

    @classmethod
    def from_jobs(
        cls,
        jobs: Sequence[PageJob],
        catalog: Catalog,
        render: Mapping[str, Rendered] | None,
    ) -> SitePages:
        """The files of ``jobs``: what they made from ``render`` (by job), else rendered now."""
        pages: dict[str, str] = {}
        for job in jobs:
            made = render[job.uri] if render is not None else job.render()
            if isinstance(made, str):
                pages[job.uri] = made
            else:
                pages.update(made)
        return cls(pages, [job.uri for job in jobs if job.paper], catalog)

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


#: What a job makes: the text of its file, or several files by name (a map and its list).
Rendered = str | Mapping[str, str]


@dataclass(frozen=True)
class PageJob:
    """One generated file (or a few): its name, everything it is made from, how to make it.

    ``inputs`` holds every value the renderer reads: two jobs for the same file
    with equal inputs make the same text, so a rebuild renders only the files
    whose inputs changed (:class:`kbtool.site.incremental.memo.PageMemo`).
    ``render`` returns the file's text, or a mapping of file name to text when
    the job makes several files (``uri`` is then the first of them).
    """

    uri: str
    inputs: object
    render: Callable[[], Rendered]
    #: A paper's page: never in the navigation, and one of many (worth a worker process).
    paper: bool = False
    #: Whether the page cache keeps the text (not when the inputs cost more to fingerprint
    #: than the text to render: the bibliography joins entries the catalog keeps).
    cached: bool = True


def plan_site(
    catalog: Catalog, options: SiteOptions, inbox: Sequence[InboxEntry] = ()
) -> list[PageJob]:
    """Every file the site generates, in a fixed order, each with its inputs (nothing rendered).

    ``inbox`` is ``inbox.yml``'s entries.
    """
    kb, paths = catalog.kb, catalog.paths
    # Papers adopted since the last watch run have notes now: never show them.
    waiting_papers = tuple(waiting(inbox, known_papers(kb.notes)))
    feed_site = FeedSite(options.site_name, options.site_url)
    # What every list of papers shows, and the topic hierarchy: the inputs of the index pages.
    listings = tuple(p.listing for p in catalog.papers)
    topics = tuple(kb.topics)
    jobs = [
        PageJob(
            paper.uri,
            paper_page_inputs(paper, catalog),
            partial(render_paper_page, paper, catalog),
            paper=True,
        )
        for paper in catalog.papers
    ]

    def job(
        uri: str, inputs: object, render: Callable[[], Rendered], *, cached: bool = True
    ) -> None:
        jobs.append(PageJob(uri, (uri, paths, inputs), render, cached=cached))

    # The citations between notes: every map shows its papers and who cites whom.
    cites = tuple(catalog.citations.cites.items())

    for topic in kb.topics:
        text = kb.topic_texts.get(topic.id)
        own = (text.note, catalog.link_targets(text.note)) if text is not None else None
        # Its papers and its sub-topics' (their counts follow from these papers' topics).
        under = tuple(p.listing for p in catalog.papers_under(topic.id))
        render = partial(render_topic_page, topic, catalog)
        job(paths.topic(topic.id), (topic, topics, under, own), render)
        maps = partial(render_map_pages, catalog, topic)
        job(paths.topic_map(topic.id), (topic, topics, under, cites), maps)
    job(paths.citation_map, (topics, listings, cites), partial(render_map_pages, catalog))
    job(paths.citation_map_data, (topics, listings, cites), partial(render_map_data, catalog))
    job(paths.topics_index, (topics, listings), partial(render_topics_index, catalog))
    if options.home:
        job(
            paths.home,
            (options.site_name, options.recent_notes, topics, listings, len(waiting_papers)),
            partial(
                render_home_page,
                catalog,
                options.site_name,
                recent=options.recent_notes,
                queue=options.recent_notes,
                inbox=len(waiting_papers),
            ),
        )
    job(paths.timeline, listings, partial(render_timeline_page, catalog))
    job(paths.venues, listings, partial(render_venue_page, catalog))
    job(paths.tags, listings, partial(render_tags_page, catalog))
    job(paths.reading_queue, listings, partial(render_reading_queue_page, catalog))
    # Papers cited by several notes and without one (each listing the notes citing it).
    missing = tuple(catalog.citations.missing[: options.missing_papers])
    citing = tuple(
        catalog.by_path[path].listing
        for paper in missing
        for path in paper.cited_by
        if path in catalog.by_path
    )
    job(
        paths.inbox,
        (waiting_papers, missing, citing, catalog.citations.missing_min),
        partial(render_inbox_page, waiting_papers, paths, missing, catalog),
    )
    job(
        paths.inbox_feed,
        (feed_site, waiting_papers, missing),
        partial(render_inbox_feed, waiting_papers, feed_site, paths, missing),
    )
    recent = recently_added(catalog, options.feed_notes)
    job(
        paths.notes_feed,
        (feed_site, topics, tuple((p.listing, p.note) for p in recent)),
        partial(render_notes_feed, recent, catalog, feed_site),
    )
    job(paths.note_format, None, render_note_format_page)
    if options.cli is not None:
        # The page follows kbtool's own code, which the page cache's salt covers.
        job(paths.commands, "kbtool commands", partial(_commands, options.cli))
    job(
        paths.bibliography,
        tuple((p.note, catalog.citekeys[p.path]) for p in catalog.papers),
        partial(_bibliography, catalog),
        cached=False,
    )
    return jobs


def _commands(cli: click.Group | Callable[[], click.Group]) -> str:
    return render_commands_page(cli if isinstance(cli, click.Group) else cli())


def _bibliography(catalog: Catalog) -> str:
    return join_bibliography({catalog.citekeys[p.path]: catalog.bibtex(p) for p in catalog.papers})


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
    return SitePages.from_jobs(plan_site(catalog, options, inbox), catalog, render=None)
