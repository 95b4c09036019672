"""The tags page: Material's tags plugin fills in its listing of every tag."""

from __future__ import annotations

from kbtool.site.markup.page_meta import page_frontmatter


def render_tags_page() -> str:
    return (
        page_frontmatter("Tags", search=False)
        + "# Tags\n\nEvery tag, with the papers that carry it.\n\n<!-- material/tags -->\n"
    )
