"""The site's search: the index of the catalog's notes, and the box in Material's header.

The glue between :mod:`kbtool.search` (pure: notes in, index files out; the browser
code) and MkDocs: the plugin calls :func:`configure_search` from ``on_config`` and
adds the files of :class:`SearchFiles` in ``on_files``. Material's own ``search`` plugin is not
used: it would index every rendered page again.
"""

from __future__ import annotations

import logging
from importlib import resources

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from kbtool.search import SearchDocument, SearchIndexer, search_document, topic_document
from kbtool.site.catalog import Catalog, Paper
from kbtool.site.incremental.generated import GeneratedFile
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


def search_documents(catalog: Catalog, *, topics_only: bool = False) -> list[SearchDocument]:
    """One search document per paper, in the catalog's order (newest first), then one per
    topic page, in the order of ``topics.yml`` (only those with ``topics_only``)."""
    paths = catalog.paths
    texts = catalog.kb.topic_texts
    papers = [] if topics_only else [paper_document(paper, catalog) for paper in catalog.papers]
    return papers + [
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


class SearchFiles:
    """The index and the browser code as files of the site, kept from build to build.

    A paper's document is made again only when its note (the very object: an
    unchanged note is the same :class:`~kbtool.core.note.Note` from build to build)
    or what the catalog says of it changed; the index is assembled again only when
    a document changed, encoding again only the terms of changed documents
    (:class:`~kbtool.search.SearchIndexer`), and only files whose bytes changed are
    marked for a ``--dirty`` build (``kbtool serve``) to write.
    """

    def __init__(self) -> None:
        self._papers: dict[str, tuple[tuple[object, ...], SearchDocument]] = {}
        self._documents: list[SearchDocument] | None = None
        self._indexer = SearchIndexer()
        self._index: dict[str, bytes] = {}
        self._written: dict[str, bytes] = {}

    def documents(self, catalog: Catalog) -> list[SearchDocument]:
        """:func:`search_documents`, reusing the documents of unchanged papers."""
        kept: dict[str, tuple[tuple[object, ...], SearchDocument]] = {}
        for paper in catalog.papers:
            key = (
                id(paper.note),
                paper.note.text,
                catalog.paths.url(paper.uri),
                paper.year,
                catalog.citekeys[paper.path],
                tuple((topic, catalog.topic_title(topic)) for topic in paper.topics),
            )
            known = self._papers.get(paper.path)
            if known is not None and known[0] == key:
                kept[paper.path] = known
            else:
                kept[paper.path] = (key, paper_document(paper, catalog))
        self._papers = kept
        papers = [kept[paper.path][1] for paper in catalog.papers]
        return papers + search_documents(catalog, topics_only=True)

    def files(self, config: MkDocsConfig, catalog: Catalog, paths: SitePaths) -> list[File]:
        documents = self.documents(catalog)
        known = self._documents
        if (
            known is None
            or len(known) != len(documents)
            or not all(
                # Paper documents are kept objects when unchanged; topic documents are
                # made anew each build and compared by value (they are few and small).
                new is old or new == old
                for new, old in zip(documents, known, strict=True)
            )
        ):
            self._index = self._indexer.index(documents).files
            self._documents = documents
        files: list[File] = []
        for name, content in self._index.items():
            file = GeneratedFile.generated(config, f"{INDEX_DIR}/{name}", content=content)
            assert isinstance(file, GeneratedFile)
            file.changed = self._written.get(name) != content
            files.append(file)
        self._written = dict(self._index)
        assets = _PACKAGE / "assets"
        for name in (*ASSETS, STYLE_SHEET):
            source = assets / name
            files.append(
                File.generated(
                    config, f"{paths.assets_dir}/search/{name}", abs_src_path=str(source)
                )
            )
        return files
