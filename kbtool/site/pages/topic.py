"""Topic pages, following the hierarchy in ``topics.yml``, and the topics overview.

A topic's page has its place in the hierarchy, its description, the
researcher's own text about it (``topics/<id>.md``), its sub-topics, and a table
of its papers and its sub-topics' papers, newest first.
"""

from __future__ import annotations

from kbtool.core.topics import Topic
from kbtool.site.catalog import Catalog, Paper
from kbtool.site.markup.listings import paper_table
from kbtool.site.markup.markdown_escape import escape_html, escape_text
from kbtool.site.markup.note_body import render_body
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block
from kbtool.site.pages.paper import TITLE_ANCHOR
from kbtool.site.paths import relative_link
from kbtool.util.plural import plural


def _count(n: int) -> str:
    return plural(n, "paper")


def _topic_link(topic: Topic, from_uri: str, catalog: Catalog) -> str:
    href = catalog.paths.href(from_uri, catalog.paths.topic(topic.id))
    return f'<a href="{href}">{escape_html(topic.title)}</a>'


def _tree(parent: str | None, from_uri: str, catalog: Catalog, seen: set[str]) -> str:
    """Nested lists of the topics below ``parent``, with paper counts (cycles cut)."""
    items = []
    for topic in catalog.kb.topics.children(parent):
        if topic.id in seen:
            continue
        seen.add(topic.id)
        count = len(catalog.papers_under(topic.id))
        description = (
            f' <span class="kb-facts">{escape_html(topic.description)}</span>'
            if topic.description
            else ""
        )
        inner = _tree(topic.id, from_uri, catalog, seen)
        items.append(
            f"<li>{_topic_link(topic, from_uri, catalog)} "
            f'<span class="kb-count">{_count(count)}</span>{description}{inner}</li>'
        )
    return '<ul class="kb-topics">' + "".join(items) + "</ul>" if items else ""


def render_topics_index(catalog: Catalog) -> str:
    """The overview of all topics, as a tree."""
    uri = catalog.paths.topics_index
    out = [page_frontmatter("Topics", search=False), "# Topics\n\n"]
    tree = _tree(None, uri, catalog, set())
    out.append(raw_block(tree) if tree else "No topics yet: add them to `topics.yml`.\n")
    return "".join(out)


def render_topic_page(topic: Topic, catalog: Catalog) -> str:
    """The Markdown of one topic's page."""
    paths, kb = catalog.paths, catalog.kb
    uri = paths.topic(topic.id)
    title = f"# {escape_text(topic.title)} {{ #{TITLE_ANCHOR} }}\n\n"  # as a paper's page
    out = [page_frontmatter(topic.title), title]
    ancestors = list(reversed(kb.topics.ancestors(topic.id)))
    if ancestors:
        trail = " › ".join(_topic_link(t, uri, catalog) for t in ancestors)
        out.append(raw_block(f'<p class="kb-trail">{trail}</p>'))
    if topic.description:
        out.append(f"{escape_text(topic.description)}\n{{ .kb-description }}\n\n")
    text = kb.topic_texts.get(topic.id)
    if text is not None and text.note.body.strip():
        out.append(render_body(text.note, kb, uri, paths).strip("\n") + "\n\n")
    children = kb.topics.children(topic.id)
    if children:
        out.append("## Sub-topics\n\n")
        out.append(raw_block(_tree(topic.id, uri, catalog, {topic.id})))
    papers = catalog.papers_under(topic.id)
    out.append("## Papers { #kb-papers data-search-exclude }\n\n")
    if not papers:
        out.append("No papers yet.\n")
        return "".join(out)
    own = sum(1 for p in papers if topic.id in p.topics)
    summary = _count(len(papers))
    if own != len(papers):
        summary += f", {own} filed here and {len(papers) - own} in sub-topics"
    map_link = relative_link(uri, paths.topic_map(topic.id))
    out.append(f"{summary}, newest first · [their citation map]({map_link})\n\n")
    if children:
        below = {t.id for t in kb.topics.descendants(topic.id)}

        def where(paper: Paper) -> str:
            if topic.id in paper.topics:
                return ""
            return ", ".join(
                _topic_link(kb.topics.topics[t], uri, catalog) for t in paper.topics if t in below
            )

        table = paper_table(papers, uri, paths, extra=("Sub-topic", where))
    else:
        table = paper_table(papers, uri, paths)
    out.append(raw_block(table, indexed=False))
    return "".join(out)
