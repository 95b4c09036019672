"""The site's search: the index of the catalog's notes, and the box in Material's header.

The glue between :mod:`kbtool.search` (pure: notes in, index files out; the browser
code) and MkDocs: the plugin calls :func:`configure_search` from ``on_config`` and
adds the files of :class:`SearchFiles` in ``on_files``. Material's own ``search`` plugin is not
used: it would index every rendered page again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from importlib import resources

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from kbtool.core.note import Note
from kbtool.search import SearchDocument, SearchIndexer, search_document, topic_document
from kbtool.site.catalog import Catalog, Paper
from kbtool.site.incremental.cache import SiteCache
from kbtool.site.incremental.generated import GeneratedFile
from kbtool.site.incremental.pool import map_in_workers
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


def search_documents(catalog: Catalog) -> list[SearchDocument]:
    """One search document per paper, in the catalog's order (newest first), then one per
    topic page, in the order of ``topics.yml``."""
    return SearchFiles().documents(catalog)


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


#: What a paper's search document is made of (besides kbtool's own code): its note's
#: text, its URL, year, citation key and (topic id, topic title) pairs.
PaperFacts = tuple[str, str, int | None, str, tuple[tuple[str, str], ...]]


def _paper_facts(paper: Paper, catalog: Catalog) -> PaperFacts:
    return (
        paper.note.text,
        catalog.paths.url(paper.uri),
        paper.year,
        catalog.citekeys[paper.path],
        tuple((topic, catalog.topic_title(topic)) for topic in paper.topics),
    )


def _facts_document(job: tuple[Note, PaperFacts]) -> bytes:
    """A paper's search document, as bytes: what a worker hands back fastest, and what the
    cache keeps."""
    note, (_text, url, year, citekey, topics) = job
    return search_document(note, url=url, year=year, citekey=citekey, topics=topics).to_bytes()


def _cache_key(facts: PaperFacts) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps(facts, ensure_ascii=False).encode("utf-8"))
    return "search:" + digest.hexdigest()


class SearchFiles:
    """The index and the browser code as files of the site, kept from build to build.

    A paper's document is made again only when its note or what the catalog says
    of it changed (:data:`PaperFacts`): kept in memory from the last build
    (``kbtool serve``), else read from the site's page cache, else made, in worker
    processes when there are many. The index is assembled again only when a
    document changed, encoding again only the terms of changed documents
    (:class:`~kbtool.search.SearchIndexer`), and only files whose bytes changed are
    marked for a ``--dirty`` build (``kbtool serve``) to write.
    """

    def __init__(self) -> None:
        self._papers: dict[str, tuple[PaperFacts, SearchDocument]] = {}
        self._topics: dict[tuple[object, ...], SearchDocument] = {}
        self._documents: list[SearchDocument] | None = None
        self._indexer = SearchIndexer()
        self._index: dict[str, bytes] = {}
        self._written: dict[str, bytes] = {}

    def documents(
        self, catalog: Catalog, cache: SiteCache | None = None, workers: int = 1
    ) -> list[SearchDocument]:
        """:func:`search_documents`, reusing the documents of unchanged papers and topics
        (``cache``: the site's page cache; ``workers``: how many processes may make them)."""
        kept: dict[str, tuple[PaperFacts, SearchDocument]] = {}
        missing: list[tuple[Paper, PaperFacts]] = []
        for paper in catalog.papers:
            facts = _paper_facts(paper, catalog)
            known = self._papers.get(paper.path)
            if known is not None and known[0] == facts:
                kept[paper.path] = known
            else:
                missing.append((paper, facts))
        usable = cache if cache is not None and cache.usable else None
        if usable is not None:
            for paper, facts in missing:
                data = usable.get(_cache_key(facts))
                if data is not None:
                    kept[paper.path] = (facts, SearchDocument.from_bytes(data))
        made = [(paper, facts) for paper, facts in missing if paper.path not in kept]
        jobs = [(paper.note, facts) for paper, facts in made]
        for (paper, facts), data in zip(
            made, map_in_workers(_facts_document, jobs, workers), strict=True
        ):
            kept[paper.path] = (facts, SearchDocument.from_bytes(data))
            if usable is not None:
                usable.put(_cache_key(facts), data)
        self._papers = kept
        papers = [kept[paper.path][1] for paper in catalog.papers]
        return papers + self._topic_documents(catalog)

    def _topic_documents(self, catalog: Catalog) -> list[SearchDocument]:
        paths, texts = catalog.paths, catalog.kb.topic_texts
        kept: dict[tuple[object, ...], SearchDocument] = {}
        for topic in catalog.kb.topics:
            url = paths.url(paths.topic(topic.id))
            text = texts[topic.id].note.body if topic.id in texts else ""
            parent = catalog.topic_title(topic.parent) if topic.parent else ""
            key = (topic, url, text, parent)
            known = self._topics.get(key)
            kept[key] = known or topic_document(topic, url=url, text=text, parent=parent)
        self._topics = kept
        return list(kept.values())

    def files(
        self,
        config: MkDocsConfig,
        catalog: Catalog,
        paths: SitePaths,
        *,
        cache: SiteCache | None = None,
        workers: int = 1,
    ) -> list[File]:
        """The site's search files; ``cache`` and ``workers`` as for :meth:`documents`."""
        documents = self.documents(catalog, cache, workers)
        known = self._documents
        if (
            known is None
            or len(known) != len(documents)
            # Unchanged documents are the very objects of the last build.
            or not all(new is old for new, old in zip(documents, known, strict=True))
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
