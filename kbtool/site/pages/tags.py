"""The tags page: every tag, with the papers that carry it, newest first.

kbtool writes this listing itself, like the timeline and the venue index, from
the catalog: Material's tags plugin builds its listing from the metadata of
every page rendered in the same build, which a rebuild of only the pages a save
changed cannot give it. Each tag keeps the anchor Material would give it
(``#tag:…``, :func:`~kbtool.site.pages.paper.tag_anchor`), so the tag links on
the papers' cards land on its section. Tags that differ only in case share a
section, under the spelling of the newest paper.
"""

from __future__ import annotations

from kbtool.site.catalog import Catalog, Paper
from kbtool.site.markup.listings import paper_list
from kbtool.site.markup.markdown_escape import escape_text
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block
from kbtool.site.pages.paper import tag_anchor


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def render_tags_page(catalog: Catalog) -> str:
    """Tags in alphabetical order, each with its papers (newest first)."""
    uri = catalog.paths.tags
    by_anchor: dict[str, tuple[str, list[Paper]]] = {}
    for paper in catalog.papers:  # newest first
        for tag in paper.tags:
            anchor = tag_anchor(tag)
            by_anchor.setdefault(anchor, (tag, []))[1].append(paper)
    out = [page_frontmatter("Tags", search=False), "# Tags\n\n"]
    if not by_anchor:
        out.append("No tags yet: add `tags: [...]` to a note's frontmatter.\n")
        return "".join(out)
    tagged = len({p.path for _, papers in by_anchor.values() for p in papers})
    out.append(
        f"{_plural(len(by_anchor), 'tag')} on {_plural(tagged, 'paper')}, "
        "each with its papers, newest first.\n\n"
    )
    for anchor, (tag, papers) in sorted(
        by_anchor.items(), key=lambda item: (item[1][0].casefold(), item[1][0])
    ):
        out.append(f'## <span class="md-tag">{escape_text(tag)}</span> {{ #{anchor} }}\n\n')
        out.append(raw_block(paper_list(papers, uri, catalog.paths)))
    return "".join(out)
