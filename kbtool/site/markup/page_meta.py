"""The YAML metadata at the top of each generated page.

MkDocs' Jinja templates do not autoescape, and Material prints the page title
raw in ``<title>``, the header and the navigation: titles and tags are
HTML-escaped here, once, so every place the theme puts them shows text.
"""

from __future__ import annotations

from collections.abc import Iterable

from kbtool.site.markup.markdown_escape import escape_html
from kbtool.util.yaml_dump import dump_yaml


def page_frontmatter(
    title: str | None,
    *,
    tags: Iterable[str] = (),
    hide: Iterable[str] = (),
    search: bool = True,
) -> str:
    """The ``---`` block for a generated page; ``search=False`` keeps it out of the index.

    Without a ``title`` the page is titled by its first heading (the home page:
    Material then shows the site name alone in ``<title>``).
    """
    meta: dict[str, object] = {} if title is None else {"title": escape_html(title)}
    tag_list = [escape_html(t) for t in tags]
    if tag_list:
        meta["tags"] = tag_list
    hidden = list(hide)
    if hidden:
        meta["hide"] = hidden
    if not search:
        meta["search"] = {"exclude": True}
    dumped = dump_yaml(meta)
    return "---\n" + dumped + "---\n\n"
