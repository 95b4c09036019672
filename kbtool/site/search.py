"""The site's search: the index of the catalog's notes, and the box in Material's header.

The glue between :mod:`kbtool.search` (pure: notes in, index files out; the browser
code) and MkDocs: the plugin calls :func:`configure_search` from ``on_config`` and
adds :func:`search_files` in ``on_files``. Material's own ``search`` plugin is not
used: it would index every rendered page again.
"""

from __future__ import annotations

import logging
from importlib import resources

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from kbtool.search import SearchDocument, build_search_index, search_document, topic_document
from kbtool.site.catalog import Catalog, Paper
from kbtool.site.paths import SitePaths

log = logging.getLogger("mkdocs.plugins.kbtool")

_PACKAGE = resources.files("kbtool.search")
#: The browser code and style, copied to ``<assets_dir>/search/``.
ASSETS = (
    "search.js",
    "search-worker.js",
    "search-engine.js",
    "search-index.js",
    "search-query.js",
    "search-rank.js",
    "search-snippet.js",
    "search-tokens.js",
)
STYLE_SHEET = "search.css"
#: Where the index lives on the site (the search box's template names it too).
INDEX_DIR = "search"


def paper_document(paper: Paper, catalog: Catalog) -> SearchDocument:
    """The search document of one paper: a pure function of its note and the few facts the
    catalog holds about it (URL, year, citation key, topic titles), so a build may compute
    it in another process or keep it from the last build while the note is unchanged."""
    return search_document(
        paper.note,
        url=catalog.paths.url(paper.uri),
        year=paper.year,
        citekey=catalog.citekeys[paper.path],
        topics=[(topic, catalog.topic_title(topic)) for topic in paper.topics],
    )


def search_documents(catalog: Catalog) -> list[SearchDocument]:
    """One search document per paper, in the catalog's order (newest first), then one per
    topic page, in the order of ``topics.yml``."""
    paths = catalog.paths
    texts = catalog.kb.topic_texts
    return [paper_document(paper, catalog) for paper in catalog.papers] + [
        topic_document(
            topic,
            url=paths.url(paths.topic(topic.id)),
            text=texts[topic.id].note.body if topic.id in texts else "",
            parent=catalog.topic_title(topic.parent) if topic.parent else "",
        )
        for topic in catalog.kb.topics
    ]


def configure_search(config: MkDocsConfig, paths: SitePaths) -> None:
    """Material's header with kbtool's search box, and the box's script and style sheet."""
    theme_dir = str(_PACKAGE / "theme")
    if theme_dir not in config.theme.dirs:
        # After the site's own overrides (custom_dir), before Material's templates.
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme_dir)
    script = ExtraScriptValue(f"{paths.assets_dir}/search/search.js")
    script.type = "module"
    config.extra_javascript.append(script)
    config.extra_css.append(f"{paths.assets_dir}/search/{STYLE_SHEET}")
    theme = config.theme.name
    if theme != "material":
        log.warning(
            f"kbtool's search box goes in the header of the 'material' theme; '{theme}' has "
            "none: use Material, or set 'search: false' under 'kbtool'"
        )
    if "material/search" in config.plugins or "search" in config.plugins:
        log.warning(
            "mkdocs.yml lists the 'search' plugin, but kbtool's search replaces it: remove "
            "'search' from plugins (or set 'search: false' under 'kbtool' to keep Material's)"
        )


def search_files(config: MkDocsConfig, catalog: Catalog, paths: SitePaths) -> list[File]:
    """The index of the catalog's notes and the browser code, as files of the site."""
    index = build_search_index(search_documents(catalog))
    files = [
        File.generated(config, f"{INDEX_DIR}/{name}", content=content)
        for name, content in index.files.items()
    ]
    assets = _PACKAGE / "assets"
    for name in (*ASSETS, STYLE_SHEET):
        source = assets / name
        files.append(
            File.generated(config, f"{paths.assets_dir}/search/{name}", abs_src_path=str(source))
        )
    return files
