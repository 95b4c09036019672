"""The page of one paper: a metadata card, the note body, backlinks, citations, related papers,
BibTeX.

Every frontmatter value is data: the card is raw HTML with each value escaped,
and links are made only from http(s) URLs. The body is the researcher's
Markdown, its links pointed at the site's pages (:mod:`kbtool.site.markup.note_body`).
The closing sections are left out of the search index: they repeat other
pages' titles.

:func:`paper_page_inputs` lists everything :func:`render_paper_page` reads, so
a rebuild renders a paper's page again only when one of them changed. A new
section that reads something more (another paper's field, a new file) adds it
there too; ``tests/test_site_incremental.py`` compares rebuilt sites with
clean ones after every kind of edit.
"""

from __future__ import annotations

import html as html_module

from kbtool.citations.keys import is_s2_paper_id
from kbtool.citations.store import PaperEntry
from kbtool.core.markdown_links import heading_slugify
from kbtool.site.catalog import Catalog, Paper
from kbtool.site.markup.listings import paper_facts, paper_list, status_badge
from kbtool.site.markup.markdown_escape import escape_html, escape_text
from kbtool.site.markup.note_body import render_body
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block
from kbtool.site.paths import relative_link
from kbtool.util.urls import split_url

#: Author lists longer than this show the first few and fold the rest.
AUTHORS_SHOWN = 6
#: The id of a generated page's title, which no heading of the researcher's text takes.
TITLE_ANCHOR = "kb-title"


def http_url(value: object) -> str | None:
    """``value`` when it is an http(s) URL (so it may become a link), else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    parts = split_url(url)
    if parts is None:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and " " not in url:
        return url
    return None


def _urls(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [u for v in values if (u := http_url(v))]


def _external(url: str, label: str) -> str:
    return f'<a href="{escape_html(url)}" rel="noopener">{label}</a>'


def tag_anchor(tag: str) -> str:
    """The anchor of ``tag`` on the tags page (Material's tags plugin, default settings)."""
    return "tag:" + heading_slugify(escape_html(tag), "-")


def author_list(authors: list[str]) -> str:
    """Escaped author names; a long list shows the first few and folds the rest."""
    names = [escape_html(a) for a in authors]
    if len(names) <= AUTHORS_SHOWN:
        return ", ".join(names)
    shown = ", ".join(names[: AUTHORS_SHOWN - 1])
    return (
        f'<details class="kb-authors"><summary>{shown}, … '
        f"and {len(names) - AUTHORS_SHOWN + 1} more</summary>{', '.join(names)}</details>"
    )


def _links(paper: Paper) -> list[str]:
    fields = paper.note.fields
    links: list[str] = []
    arxiv = paper.note.arxiv_id
    if arxiv is not None:
        version = f" (v{arxiv.version})" if arxiv.version else ""
        abs_url = http_url(fields.get("abs_url")) or arxiv.abs_url
        pdf_url = http_url(fields.get("pdf_url")) or arxiv.pdf_url
        links.append(_external(abs_url, f"arXiv:{escape_html(arxiv.base)}{version}"))
        links.append(_external(pdf_url, "PDF"))
    elif pdf := http_url(fields.get("pdf_url")):
        links.append(_external(pdf, "PDF"))
    doi = fields.get("doi")
    if isinstance(doi, str) and doi.strip():
        links.append(
            _external(f"https://doi.org/{doi.strip()}", f"DOI {escape_html(doi)}")
            if " " not in doi.strip()
            else escape_html(doi)
        )
    openreview = fields.get("openreview")
    if isinstance(openreview, str) and openreview.strip():
        forum = f"https://openreview.net/forum?id={openreview.strip()}"
        links.append(_external(forum, "OpenReview") if http_url(forum) else "")
    if url := http_url(fields.get("url")):
        links.append(_external(url, "Web"))
    for index, url in enumerate(_urls(fields.get("code"))):
        links.append(_external(url, "Code" if index == 0 else f"Code {index + 1}"))
    for index, url in enumerate(_urls(fields.get("project"))):
        links.append(_external(url, "Project" if index == 0 else f"Project {index + 1}"))
    return [link for link in links if link]


def _rating(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return ""
    return f'<span class="kb-rating" title="{value} of 5">{"★" * value}{"☆" * (5 - value)}</span>'


def citation_count(entry: PaperEntry) -> str | None:
    """``1,234 (Semantic Scholar, read 2026-11-28)``, linked to the paper there; None if unknown."""
    if entry.citation_count is None:
        return None
    count = f"{entry.citation_count:,}"
    if is_s2_paper_id(entry.s2_id):
        count = _external(f"https://www.semanticscholar.org/paper/{entry.s2_id}", count)
    return (
        f'{count} <span class="kb-facts">(Semantic Scholar, read {entry.read.isoformat()})</span>'
    )


def render_card(paper: Paper, catalog: Catalog) -> str:
    """The metadata card: a raw HTML block with every value escaped."""
    note, paths = paper.note, catalog.paths
    rows: list[tuple[str, str]] = []
    authors = note.string_list("authors")
    if authors:
        rows.append(("Authors", author_list(authors)))
    dates = []
    published = note.date_of("published")
    if published:
        dates.append(f"published {published.isoformat()}")
    updated = note.date_of("updated")
    if updated and updated != published:
        dates.append(f"updated {updated.isoformat()}")
    if dates:
        rows.append(("Date", ", ".join(dates)))
    if paper.venue:
        rows.append(("Venue", escape_html(paper.venue)))
    links = _links(paper)
    if links:
        rows.append(("Links", " · ".join(links)))
    primary = note.fields.get("primary_category")
    categories = list(
        dict.fromkeys(
            ([primary] if isinstance(primary, str) else []) + note.string_list("categories")
        )
    )
    if categories:
        rows.append(("Categories", ", ".join(escape_html(c) for c in categories)))
    if paper.topics:
        topics = []
        for topic_id in paper.topics:
            title = escape_html(catalog.topic_title(topic_id))
            if topic_id in catalog.kb.topics:
                topics.append(
                    f'<a href="{paths.href(paper.uri, paths.topic(topic_id))}">{title}</a>'
                )
            else:
                topics.append(title)
        rows.append(("Topics", ", ".join(topics)))
    if paper.tags:
        tags = [
            f'<a class="md-tag" href="{paths.href(paper.uri, paths.tags, tag_anchor(t))}">'
            f"{escape_html(t)}</a>"
            for t in paper.tags
        ]
        rows.append(("Tags", " ".join(tags)))
    status = status_badge(paper.status)
    rating = _rating(note.fields.get("rating"))
    if status or rating:
        rows.append(("Status", " ".join(x for x in (status, rating) if x)))
    entry = catalog.citations.entries.get(paper.path)
    count = citation_count(entry) if entry is not None else None
    if count:
        rows.append(("Cited by", count))
    added = paper.added
    if added:
        rows.append(("Added", added.isoformat()))
    # Whitespace between the cells keeps search from gluing "Authors" to a name.
    facts = "\n".join(f"<dt>{name}</dt> <dd>{value}</dd>" for name, value in rows)
    out = f'<div class="kb-card">\n<dl class="kb-card__facts">\n{facts}\n</dl>\n'
    abstract = note.fields.get("abstract")
    if isinstance(abstract, str) and abstract.strip():
        out += (
            '<details class="abstract kb-abstract"><summary>Abstract</summary>'
            f"<p>{escape_html(abstract)}</p></details>\n"
        )
    return out + "</div>\n"


def _section(title: str, anchor: str) -> str:
    return f"## {title} {{ #{anchor} data-search-exclude }}\n\n"


def render_bibtex_block(bibtex: str) -> str:
    """A code block for the entry, pre-highlighted as plain text so the copy button works."""
    code = html_module.escape(bibtex.rstrip("\n"), quote=False)
    return (
        '<div class="language-bibtex highlight kb-bibtex"><pre><span></span>'
        f"<code>{code}</code></pre></div>\n"
    )


def paper_page_inputs(paper: Paper, catalog: Catalog) -> tuple[object, ...]:
    """Everything :func:`render_paper_page` reads for ``paper``: equal inputs, equal page.

    The note itself (the card, the body, the BibTeX entry); its topics' titles;
    where its links lead; what the lists of papers linking to it, citing it,
    cited by it and related to it show of each paper; its citation count.
    Another note's body is not among them: editing it leaves this page alone.
    """
    topics = catalog.kb.topics
    return (
        paper.note,
        catalog.paths,
        tuple((catalog.topic_title(t), t in topics) for t in paper.topics),
        catalog.link_targets(paper.note),
        tuple(m.listing for m in catalog.backlinks.get(paper.path, [])),
        catalog.citations.entries.get(paper.path),  # the card's citation count
        tuple(p.listing for p in catalog.cites(paper)),
        tuple(p.listing for p in catalog.cited_by(paper)),
        tuple(
            (r.paper.listing, tuple(catalog.topic_title(t) for t in r.shared_topics), r.shared_tags)
            for r in catalog.related(paper)
        ),
        catalog.citekeys[paper.path],
    )


def render_paper_page(paper: Paper, catalog: Catalog) -> str:
    """The Markdown of a paper's page."""
    paths = catalog.paths
    out = [page_frontmatter(paper.title, tags=paper.tags, hide=["tags"])]
    # An id of its own: the title's slug would take the anchor of a heading of the
    # note with the same name (``## Results`` would become ``#results_1``).
    out.append(f"# {escape_text(paper.title)} {{ #{TITLE_ANCHOR} }}\n\n")
    out.append(raw_block(render_card(paper, catalog)))
    out.append(render_body(paper.note, catalog.kb, paper.uri, paths).strip("\n"))
    out.append("\n\n")
    mentions = catalog.backlinks.get(paper.path, [])
    if mentions:
        out.append(_section("Mentioned in", "kb-mentioned-in"))
        out.append(raw_block(paper_list(mentions, paper.uri, paths), indexed=False))
    cites, cited_by = catalog.cites(paper), catalog.cited_by(paper)
    for title, anchor, papers in (
        ("Cites, in your notes", "kb-cites", cites),
        ("Cited by, in your notes", "kb-cited-by", cited_by),
    ):
        if papers:
            out.append(_section(title, anchor))
            out.append(raw_block(paper_list(papers, paper.uri, paths), indexed=False))
    if cites or cited_by:
        target = relative_link(paper.uri, paths.citation_map, "focus=" + paths.url(paper.uri))
        out.append(f"[See them on the citation map]({target})\n\n")
    related = catalog.related(paper)
    if related:
        out.append(_section("Related papers", "kb-related"))
        by_path = {r.paper.path: r for r in related}

        def shared(candidate: Paper) -> str:
            entry = by_path[candidate.path]
            parts = [escape_html(catalog.topic_title(t)) for t in entry.shared_topics]
            parts += [f"#{escape_html(t)}" for t in entry.shared_tags]
            facts = paper_facts(candidate)
            return " · ".join(x for x in (facts, ", ".join(parts)) if x)

        out.append(
            raw_block(paper_list([r.paper for r in related], paper.uri, paths, facts=shared))
        )
    out.append(_section("BibTeX", "kb-bibtex"))
    out.append(raw_block(render_bibtex_block(catalog.bibtex(paper)), indexed=False))
    return "".join(out)
