"""The venue index: papers grouped by where they appeared; preprints last."""

from __future__ import annotations

from collections import defaultdict

from kbtool.site.catalog import Catalog, Paper
from kbtool.site.markup.listings import paper_list
from kbtool.site.markup.markdown_escape import escape_text
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block


def _year(paper: Paper) -> str:
    return str(paper.year or "")


def render_venue_page(catalog: Catalog) -> str:
    """Venues in name order (as written in the notes, spaces collapsed), papers newest first."""
    uri = catalog.paths.venues
    by_venue: dict[str, list[Paper]] = defaultdict(list)
    preprints: list[Paper] = []
    for paper in catalog.papers:
        if paper.venue:
            by_venue[paper.venue].append(paper)
        else:
            preprints.append(paper)
    out = [page_frontmatter("Venues", search=False), "# Venues\n\n"]
    if not catalog.papers:
        out.append("No papers yet.\n")
    for venue in sorted(by_venue, key=lambda v: (v.casefold(), v)):
        papers = by_venue[venue]
        out.append(f"## {escape_text(venue)}\n\n")
        out.append(raw_block(paper_list(papers, uri, catalog.paths, facts=_year)))
    if preprints:
        out.append("## Preprints and unpublished\n\n")
        out.append(raw_block(paper_list(preprints, uri, catalog.paths, facts=_year)))
    return "".join(out)
