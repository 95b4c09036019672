"""The timeline: every paper by the month it appeared, newest first."""

from __future__ import annotations

from itertools import groupby

from kbtool.site.catalog import Catalog, Paper
from kbtool.site.markup.listings import paper_list
from kbtool.site.markup.markdown_escape import escape_html
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block


def _venue(paper: Paper) -> str:
    return escape_html(paper.venue)


def render_timeline_page(catalog: Catalog) -> str:
    """Years as sections, months within them; undated papers last."""
    uri = catalog.paths.timeline
    out = [page_frontmatter("Timeline", search=False), "# Timeline\n\n"]
    dated = [p for p in catalog.papers if p.published is not None]
    undated = [p for p in catalog.papers if p.published is None]
    if not catalog.papers:
        out.append("No papers yet.\n")
    for year, in_year in groupby(dated, key=lambda p: p.published.year if p.published else 0):
        out.append(f"## {year}\n\n")
        for _month, in_month in groupby(
            in_year, key=lambda p: p.published.month if p.published else 0
        ):
            papers = list(in_month)
            first = papers[0].published
            assert first is not None
            heading = first.strftime("%B %Y")
            out.append(f"### {heading} {{ #{first:%Y-%m} }}\n\n")
            out.append(raw_block(paper_list(papers, uri, catalog.paths, facts=_venue)))
    if undated:
        out.append("## Undated\n\n")
        out.append(raw_block(paper_list(undated, uri, catalog.paths, facts=_venue)))
    return "".join(out)
