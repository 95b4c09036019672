"""The citation maps: one for the whole knowledge base, one per topic, and the data they draw.

Every map page draws the same data file, ``citation-map.json`` (built with the
site, so the published site needs no network), with the site's own script
``assets/kbtool/kbtool-map.js`` on a canvas: papers placed by date (left to
right) in one lane per topic, citations as arrows, the reading status as the
mark's fill. A topic's map starts filtered to the topic and its sub-topics.

Below each map, the same citations as a plain list of links, for readers
without JavaScript and for screen readers. Every title is data: escaped in the
HTML, and in the JSON a string that the script only ever puts in
``textContent`` or draws on the canvas — never markup.

The data file (compact JSON, version 1)::

    {"v": 1,
     "topics": [["video-diffusion", "Video diffusion"], …],   # tree order
     "papers": [[title, url, day, status, [topic index, …]], …],
     "edges":  [citing, cited, citing, cited, …]}              # paper indexes

``url`` is the paper's page relative to the site root; ``day`` the date it
appeared, in days since 1970-01-01 (null if unknown); ``status`` one of
``read``, ``reading``, ``to-read`` or ``""``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from kbtool.core.topics import Topic, TopicRegistry
from kbtool.site.catalog import Catalog, Paper
from kbtool.site.markup.listings import paper_facts, paper_link
from kbtool.site.markup.markdown_escape import escape_html, escape_text
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block
from kbtool.site.pages.paper import TITLE_ANCHOR
from kbtool.site.paths import relative_link
from kbtool.util.plural import plural

MAP_SCRIPT = "kbtool-map.js"
DATA_VERSION = 1
#: A map with more citations than this lists them on a page of their own: a page of
#: ten thousand links takes seconds to load, and the map should not wait for it.
LIST_INLINE_MAX = 1000
_EPOCH = date(1970, 1, 1)


def topic_order(topics: TopicRegistry) -> list[Topic]:
    """Topics depth first, as the topics page lists them (each once, cycles cut)."""
    ordered: list[Topic] = []
    seen: set[str] = set()

    def visit(topic: Topic) -> None:
        if topic.id in seen:
            return
        seen.add(topic.id)
        ordered.append(topic)
        for child in topics.children(topic.id):
            visit(child)

    for root in topics.roots():
        visit(root)
    for topic in topics:  # any left in a cycle
        visit(topic)
    return ordered


def render_map_data(catalog: Catalog) -> str:
    """``citation-map.json``: every paper and every citation between notes (see the docstring)."""
    topics = topic_order(catalog.kb.topics)
    topic_index = {topic.id: index for index, topic in enumerate(topics)}
    paper_index = {paper.path: index for index, paper in enumerate(catalog.papers)}
    papers = [
        [
            paper.title,
            catalog.paths.url(paper.uri),
            (paper.published - _EPOCH).days if paper.published else None,
            paper.status,
            [topic_index[t] for t in paper.topics if t in topic_index],
        ]
        for paper in catalog.papers
    ]
    edges: list[int] = []
    for source, target in catalog.citations.edges():
        if source in paper_index and target in paper_index:
            edges += [paper_index[source], paper_index[target]]
    document = {
        "v": DATA_VERSION,
        "topics": [[topic.id, topic.title] for topic in topics],
        "papers": papers,
        "edges": edges,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _citations_among(catalog: Catalog, papers: list[Paper]) -> list[tuple[Paper, list[Paper]]]:
    """Each paper that cites others of ``papers``, with those it cites (oldest paper first)."""
    shown = {paper.path for paper in papers}
    found = []
    for paper in reversed(papers):  # papers come newest first
        cited = [p for p in catalog.cites(paper) if p.path in shown]
        if cited:
            found.append((paper, cited))
    return found


def render_citation_list(catalog: Catalog, uri: str, papers: list[Paper]) -> str:
    """The citations among ``papers`` as a list of links: the map for every reader."""
    paths = catalog.paths
    items = []
    for paper, cited in _citations_among(catalog, papers):
        facts = paper_facts(paper)
        facts_html = f' <span class="kb-facts">{facts}</span>' if facts else ""
        targets = ", ".join(paper_link(p, uri, paths) for p in cited)
        items.append(f"<li>{paper_link(paper, uri, paths)}{facts_html} cites {targets}</li>")
    return '<ul class="kb-map-list">\n' + "\n".join(items) + "\n</ul>\n"


def _figure(
    catalog: Catalog, uri: str, topics: Iterable[str], papers: int, list_below: bool
) -> str:
    paths = catalog.paths
    data = paths.href(uri, paths.citation_map_data)
    root = paths.href(uri, paths.home)
    script = paths.href(uri, f"{paths.assets_dir}/{MAP_SCRIPT}")
    topic_ids = escape_html(" ".join(topics))
    where = "below the map" if list_below else "on a page linked below the map"
    label = (
        f"Citation map of {plural(papers, 'paper')}: each placed by date and topic, "
        f"arrows to the papers it cites. The same citations are listed {where}."
    )
    return (
        f'<figure class="kb-map" data-kb-map="{data}" data-kb-root="{root}" '
        f'data-kb-topics="{topic_ids}">\n'
        '<div class="kb-map__controls"></div>\n'
        '<div class="kb-map__stage">'
        f'<canvas class="kb-map__canvas" role="img" tabindex="0" aria-label="{label}"></canvas>'
        '<div class="kb-map__tip" aria-hidden="true" hidden></div></div>\n'
        '<figcaption class="kb-map__legend"><span class="kb-map__key kb-map__key--read">read'
        '</span> <span class="kb-map__key kb-map__key--reading">reading</span> '
        '<span class="kb-map__key kb-map__key--to-read">to read</span> · an arrow points '
        "from a paper to a paper it cites · hover for the title, click to open the note · "
        "drag to move, Ctrl + wheel or the buttons to zoom</figcaption>\n"
        f"<noscript><p>The map needs JavaScript; the same citations are listed {where}.</p>"
        "</noscript>\n"
        # async, right after the map: it starts drawing while the rest of the page loads.
        f'</figure>\n<script src="{script}" async></script>\n'
    )


def render_map_pages(catalog: Catalog, topic: Topic | None = None) -> dict[str, str]:
    """The map of the whole knowledge base, or of ``topic`` and its sub-topics, by page name:
    the map, and its citations as a list on a page of their own when there are many."""
    paths, kb = catalog.paths, catalog.kb
    if topic is None:
        uri, title = paths.citation_map, "Citation map"
        papers = catalog.papers
        topics: list[str] = []
    else:
        uri, title = paths.topic_map(topic.id), f"{topic.title}: citation map"
        papers = catalog.papers_under(topic.id)
        topics = [topic.id, *(t.id for t in kb.topics.descendants(topic.id))]
    citations = _citations_among(catalog, papers)
    count = sum(len(cited) for _, cited in citations)
    inline = count <= LIST_INLINE_MAX
    out = [
        page_frontmatter(title, search=False),
        f"# {escape_text(title)} {{ #{TITLE_ANCHOR} }}\n\n",
    ]
    if topic is not None:
        back = paths.href(uri, paths.topic(topic.id))
        whole = paths.href(uri, paths.citation_map)
        out.append(
            raw_block(
                f'<p class="kb-trail"><a href="{back}">{escape_html(topic.title)}</a> · '
                f'<a href="{whole}">the map of all topics</a></p>'
            )
        )
    out.append(
        f"{plural(len(papers), 'paper')}, {plural(count, 'citation')} between them "
        "(from Semantic Scholar, through `kbtool enrich`).\n\n"
    )
    if papers:
        out.append(raw_block(_figure(catalog, uri, topics, len(papers), inline), indexed=False))
    out.append("## Citations, as a list { #kb-map-list data-search-exclude }\n\n")
    pages = {uri: ""}
    if not citations:
        out.append(
            "No citations between these papers yet. `kbtool enrich` asks Semantic Scholar "
            "for them and keeps them in `citations.json`.\n"
        )
    elif inline:
        out.append(raw_block(render_citation_list(catalog, uri, papers), indexed=False))
    else:
        list_uri = paths.map_list(uri)
        out.append(
            f"The {plural(count, 'citation')} of this map are listed on "
            f"[a page of their own]({relative_link(uri, list_uri)}).\n"
        )
        list_title = f"{title}: the citations"
        pages[list_uri] = "".join(
            [
                page_frontmatter(list_title, search=False),
                f"# {escape_text(list_title)} {{ #{TITLE_ANCHOR} }}\n\n",
                f"{plural(count, 'citation')} between {plural(len(papers), 'paper')}, each paper "
                f"with those it cites, oldest first. Back to [the map]"
                f"({relative_link(list_uri, uri)}).\n\n",
                raw_block(render_citation_list(catalog, list_uri, papers), indexed=False),
            ]
        )
    pages[uri] = "".join(out)
    return pages
