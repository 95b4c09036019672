"""kbtool's side of building the site, kept from one build to the next while serving.

The MkDocs plugin hands each build to a :class:`SiteSession`; ``serve`` keeps the
same session for all its rebuilds (the plugin defines ``on_startup``, so MkDocs
keeps it). A build goes:

1. :meth:`SiteSession.render` (``on_files``): read what changed on disk
   (:mod:`.sources`), work out the catalog from the last one, plan every file
   (:func:`~kbtool.site.render.plan_site`), and render only the files whose
   inputs changed: from the cache when it has them, paper pages in worker
   processes, the rest here.
2. :meth:`SiteSession.add_files` (``on_files``): give MkDocs the files, with
   :class:`~.generated.GeneratedPage` pages that know their Markdown, and mark
   which changed, for a ``--dirty`` build (``kbtool serve``) to build only those.
   Anything that changes every page (the navigation, the settings, the topics,
   a page under ``docs/``) makes every page change.
3. :meth:`SiteSession.prepare_pages` (``on_nav``): in a ``--dirty`` build, give
   the pages not read again the titles and metadata they had (for the
   navigation, and Material's tags plugin); convert the pages MkDocs is about
   to build whose HTML is not known yet, from the cache or in workers.
4. :meth:`SiteSession.before_pages` (``on_env``): outputs kept in the cache
   (:mod:`.outputs`), templates rendered ahead in workers.
5. :meth:`SiteSession.finish` (``on_post_build``): remove the pages of deleted
   notes, keep the search index whole (:mod:`.material`), and write the cache.

Search: a rebuilt page's search entries are recomputed by the search plugin as
it builds the page (Material's per-page indexing today); :mod:`.material` drops
the entries of pages rebuilt or removed. kbtool's own search index (issue 11)
plugs in at the same place: its per-note documents are recomputed in
:meth:`SiteSession.finish` for ``changed_notes``, the others kept.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kbtool.citations.graph import CitationGraph, build_citation_graph
from kbtool.citations.settings import load_citation_settings
from kbtool.citations.store import CitationData
from kbtool.config import Layout
from kbtool.core.files import read_notes
from kbtool.core.markdown_links import LinkSpan, extract_link_spans
from kbtool.core.note import Note
from kbtool.core.problems import Problem
from kbtool.errors import KbtoolError
from kbtool.site.catalog import Catalog, build_catalog
from kbtool.site.incremental.cache import SiteCache
from kbtool.site.incremental.convert import Conversion, PageConverter
from kbtool.site.incremental.fingerprint import Fingerprinter, Reducer, Unfingerprintable
from kbtool.site.incremental.generated import (
    GeneratedFile,
    GeneratedPage,
    PreparedPage,
    prepare_markdown,
)
from kbtool.site.incremental.material import TagMemory, forget_search_entries
from kbtool.site.incremental.memo import PageMemo
from kbtool.site.incremental.outputs import OutputMemo, install
from kbtool.site.incremental.pool import available_workers, map_in_workers
from kbtool.site.incremental.site_state import config_state, conversion_state
from kbtool.site.incremental.sources import SourceRead, SourceReader, describe_kept
from kbtool.site.markup.raw_html import stash_raw_blocks
from kbtool.site.paths import SitePaths
from kbtool.site.render import PageJob, Rendered, SiteOptions, SitePages, plan_site

log = logging.getLogger("mkdocs.plugins.kbtool")

#: Where the page cache lives, under the knowledge base's ``.kbtool-cache/``.
CACHE_SUBDIR = "site"
#: Where the theme's compiled templates are kept (not restored by CI).
TEMPLATES_SUBDIR = "templates"
#: A note is all in its path and text (the rest is parsed from them, by this very kbtool).
REDUCERS: dict[type, Reducer] = {Note: lambda note: (note.path, note.text)}


@dataclass
class BuildReport:
    """What the last build did, for the log line and for tests."""

    read: SourceRead | None = None
    rendered: int = 0
    from_cache: int = 0
    converted_ahead: int = 0
    rendered_ahead: int = 0
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    everything: bool = True
    notes: frozenset[str] = frozenset()


@dataclass
class _LastBuild:
    """What a build leaves for the next: its files, and titles for the navigation."""

    state: str | None = None
    #: The files of the site, to remove the output of those that disappear.
    files: Files | None = None
    #: Pages' titles and metadata, for pages a ``--dirty`` build does not read again.
    titles: dict[str, tuple[str | None, dict[str, Any]]] = field(default_factory=dict)


class SiteSession:
    """kbtool's work for the builds of one knowledge base's site."""

    def __init__(
        self, layout: Layout, *, serving: bool, dirty: bool, workers: int, use_cache: bool
    ) -> None:
        self.layout = layout
        self.serving = serving
        self.dirty = dirty
        self.workers = workers if workers > 0 else available_workers()
        self.reader = SourceReader(layout, keep_last_good=serving, parse=self._parse)
        self.memo = PageMemo()
        self.cache = SiteCache(layout.cache_dir / CACHE_SUBDIR) if use_cache else None
        self.catalog: Catalog | None = None
        self.prepared: dict[str, PreparedPage] = {}
        self.last = _LastBuild()
        self.report = BuildReport()
        self.built_pages: set[str] = set()
        self._converter: PageConverter | None = None
        self._conversion_key = ""
        self._config: MkDocsConfig | None = None
        self._files: Files | None = None
        self.clock = Stopwatch()
        self._nav: Navigation | None = None
        self._converted: list[GeneratedPage] = []
        self._unread: list[Page] = []
        self._parsed_links: list[tuple[Note, list[LinkSpan]]] = []
        self._graph: tuple[CitationData, int, CitationGraph] | None = None
        self._pages: list[Page] = []
        self.tags = TagMemory()
        self.outputs = OutputMemo(None, "")

    # --- 1. render ---------------------------------------------------------------------

    def render(self, paths: SitePaths, options: SiteOptions) -> SitePages:
        """Every generated file's text, rendering only what changed since the last build."""
        clock = self.clock = Stopwatch()
        try:
            read = self.reader.read()
        except KbtoolError as err:
            raise PluginError(str(err)) from err
        finally:
            parsed, self._parsed_links = self._parsed_links, []
        for note, spans in parsed:
            read.kb.add_parsed_links(note, spans)
        for problem in read.kept_back:
            log.error(describe_kept(problem))
        citations = self._citations(read)
        clock.lap("read")
        catalog = build_catalog(
            read.kb, paths, options.related_papers, citations, previous=self.catalog
        )
        jobs = plan_site(catalog, options, read.inbox)
        stale = self.memo.stale(jobs)
        clock.lap("plan")
        keys = self._text_keys(stale)
        texts = self._from_cache(keys)
        from_cache = set(texts)
        clock.lap("cache")
        papers = [job for job in stale if job.uri not in texts and job.paper]
        for job, text in zip(
            papers, map_in_workers(_render_job, papers, self.workers), strict=True
        ):
            texts[job.uri] = text
        for job in stale:
            if job.uri not in texts:
                texts[job.uri] = job.render()
        clock.lap("render")
        if self.cache is not None:
            for uri, key in keys.items():
                if uri not in from_cache:
                    self.cache.put(key, _encode(texts[uri]))
        update = self.memo.update(jobs, texts)
        self.catalog = catalog
        self.report = BuildReport(
            read=read,
            rendered=len(texts) - len(from_cache),
            from_cache=len(from_cache),
            changed=update.changed,
            removed=update.removed,
            notes=read.changed_notes,
        )
        pages = {job.uri: self.memo.text(job.uri) for job in jobs}
        return SitePages.from_jobs(jobs, catalog, pages)

    def _citations(self, read: SourceRead) -> CitationGraph:
        """The citations between the notes: worked out again when a note or the data changed."""
        try:
            settings = load_citation_settings(read.kb.settings, {})
        except KbtoolError as err:
            raise PluginError(str(err)) from err
        known = self._graph
        if (
            known is not None
            and known[0] is read.citations
            and known[1] == settings.missing_min
            and not read.changed_notes
        ):
            return known[2]
        graph = build_citation_graph(read.kb.notes, read.citations, settings.missing_min)
        self._graph = (read.citations, settings.missing_min, graph)
        return graph

    def _text_keys(self, jobs: Sequence[PageJob]) -> dict[str, str]:
        """The cache keys of ``jobs``' texts (none for inputs that cannot be fingerprinted)."""
        if self.cache is None or not self.cache.usable:
            return {}
        fingerprints = Fingerprinter(REDUCERS)
        keys = {}
        for job in jobs:
            if not job.cached:
                continue
            try:
                keys[job.uri] = "md:" + fingerprints.digest((job.uri, job.inputs))
            except Unfingerprintable:
                continue
        return keys

    def _from_cache(self, keys: dict[str, str]) -> dict[str, Rendered]:
        texts: dict[str, Rendered] = {}
        if self.cache is not None:
            for uri, key in keys.items():
                data = self.cache.get(key)
                if data is not None:
                    texts[uri] = _decode(data)
        return texts

    def _parse(self, layout: Layout, paths: Sequence[Path]) -> tuple[list[Note], list[Problem]]:
        """Notes parsed in worker processes (in order), as :func:`read_notes` parses them.

        The workers also find each note's links (the other per-note work the
        catalog needs); they are handed to the knowledge base once it is made.
        """
        chunks = [paths[i : i + 50] for i in range(0, len(paths), 50)]
        notes: list[Note] = []
        problems: list[Problem] = []
        for found, unreadable, links in map_in_workers(
            lambda chunk: _parse_chunk(layout, chunk, len(chunks) > 1),
            chunks,
            self.workers,
            chunk=1,
        ):
            notes += found
            problems += unreadable
            self._parsed_links.extend(links)
        return notes, problems

    # --- 2. files ------------------------------------------------------------------------

    def add_files(
        self,
        config: MkDocsConfig,
        files: Files,
        site: SitePages,
        in_nav: set[str] | None,
        titles: dict[str, str],
    ) -> None:
        """Give MkDocs the generated pages (which know their Markdown), marked if changed."""
        papers = set(site.papers)
        prepared: dict[str, PreparedPage] = {}
        state = self._site_state(config, files)
        everything = state is None or state != self.last.state
        self.report.everything = everything
        changed = self.report.changed
        conversion_key = Fingerprinter().digest(conversion_state(config))
        if conversion_key != self._conversion_key:
            self.prepared = {}  # converted under other settings: convert again
        self._conversion_key = conversion_key
        self._converter = None
        self._config, self._files = config, files
        for uri, text in site.pages.items():
            hidden = uri in papers or (in_nav is not None and uri not in in_nav)
            inclusion = InclusionLevel.NOT_IN_NAV if hidden else InclusionLevel.UNDEFINED
            file = GeneratedFile.generated(config, uri, content=text, inclusion=inclusion)
            assert isinstance(file, GeneratedFile)
            file.changed = everything or uri in changed
            files.append(file)
            if not file.is_documentation_page():
                continue
            known = self.prepared.get(uri)
            page = prepared[uri] = (
                known if known is not None and uri not in changed else prepare_markdown(text)
            )
            GeneratedPage(titles.get(uri), file, config, page, self._convert_now)
        self.prepared = prepared
        if everything and self.dirty:
            # A --dirty build rebuilds a page from docs/ only when its file is newer than
            # its output: when every page changes, theirs must go.
            for file in files.documentation_pages():
                if not isinstance(file, GeneratedFile) and file.abs_dest_path:
                    Path(file.abs_dest_path).unlink(missing_ok=True)
        self.last.state = state
        self.clock.lap("files")

    def _site_state(self, config: MkDocsConfig, files: Files) -> str | None:
        """A digest of what every page shows besides its own content (None: unknown)."""
        docs = []
        for file in files.documentation_pages():
            if file.abs_src_path and not file.generated_by:
                try:
                    status = os.stat(file.abs_src_path)
                except OSError:
                    continue
                docs.append((file.src_uri, status.st_mtime_ns, status.st_size))
        custom = config.theme.custom_dir
        overrides = []
        if custom:
            for path in sorted(Path(custom).rglob("*")):
                if path.is_file():
                    overrides.append((path.as_posix(), path.stat().st_mtime_ns))
        topics = tuple(self.catalog.kb.topics) if self.catalog is not None else ()
        try:
            return Fingerprinter().digest(
                (config_state(config), topics, sorted(docs), overrides, self.cache_salt)
            )
        except Unfingerprintable:
            return None

    @property
    def cache_salt(self) -> str:
        return self.cache.salt if self.cache is not None else ""

    # --- 3. conversions ------------------------------------------------------------------

    def prepare_pages(self, config: MkDocsConfig, files: Files, nav: Navigation) -> None:
        """Before MkDocs reads the pages: what it will not read, and HTML it will need.

        In a ``--dirty`` build, the pages not read again keep the titles and
        metadata they had (the navigation of the pages built shows them, and
        Material's tags plugin lists their tags). The pages that will be built
        and whose HTML is not known are converted: from the cache, or in workers.
        """
        self._files, self._nav = files, nav
        self._pages = [f.page for f in files.documentation_pages() if f.page is not None]
        unread = []
        for page in self._pages:
            file = page.file
            if not file.is_modified():
                known = self.last.titles.get(file.src_uri)
                if known is not None:
                    page.title, page.meta = known[0], dict(known[1])
                    unread.append(page)
        self._unread = unread
        self._convert_ahead(self._pages)

    def _convert_ahead(self, pages: Sequence[Page]) -> None:
        pending: list[GeneratedPage] = []
        for page in pages:
            if not isinstance(page, GeneratedPage) or not page.file.is_modified():
                continue
            if page.prepared.conversion is None:
                page.prepared.conversion = self._cached_conversion(page)
            if page.prepared.conversion is None:
                pending.append(page)
        converter = self._get_converter()
        results = map_in_workers(
            lambda page: converter.convert(_stashed(page.prepared.markdown), page.file),
            pending,
            self.workers,
        )
        for page, conversion in zip(pending, results, strict=True):
            page.prepared.conversion = conversion
            self._store_conversion(page, conversion)
        self._converted = pending
        self.report.converted_ahead = len(pending)
        self.clock.lap("convert")

    def _get_converter(self) -> PageConverter:
        if self._converter is None:
            assert self._config is not None and self._files is not None
            self._converter = PageConverter(self._config, self._files)
        return self._converter

    def _convert_now(self, page: GeneratedPage, markdown: str) -> tuple[Conversion, bool]:
        """The HTML of ``markdown`` (as MkDocs has it now) for ``page``.

        From the cache when it is the prepared Markdown (no other plugin changed
        it); else converted now.
        """
        if page.as_prepared:
            cached = self._cached_conversion(page)
            if cached is not None:
                return cached, True
        conversion = self._get_converter().convert(markdown, page.file)
        if page.as_prepared:
            self._store_conversion(page, conversion)
        return conversion, False

    def _conversion_cache_key(self, page: GeneratedPage) -> str:
        """The key of the HTML of ``page``'s prepared Markdown (stashing is kbtool's code)."""
        source = (page.prepared.markdown, page.file.src_uri, self._conversion_key)
        return f"html:{Fingerprinter().digest(source)}"

    def _cached_conversion(self, page: GeneratedPage) -> Conversion | None:
        if self.cache is None:
            return None
        data = self.cache.get(self._conversion_cache_key(page))
        return Conversion.from_bytes(data) if data is not None else None

    def _store_conversion(self, page: GeneratedPage, conversion: Conversion) -> None:
        if self.cache is not None:
            self.cache.put(self._conversion_cache_key(page), conversion.to_bytes())

    # --- 4. before the pages are built -----------------------------------------------------

    def before_pages(self, env: Environment, config: MkDocsConfig, files: Files) -> None:
        """Before MkDocs builds the pages: kept outputs, and templates rendered ahead.

        Runs before the other plugins' ``on_env``: Material's tags plugin writes
        ``tags.json`` there, from the pages it saw and those a ``--dirty`` build
        did not read (:class:`TagMemory`).
        """
        self.clock.lap("read pages")
        self.built_pages = set()
        if not self.serving:
            # Only serve builds again: the prepared pages were read and converted.
            for page in self._pages:
                if isinstance(page, GeneratedPage):
                    page.release()
            self.prepared = {}
        if self.cache is not None:
            # The theme's templates compiled once, not in every process (local only: CI
            # restores just the page cache, and this is code, not data).
            folder = self.layout.cache_dir / TEMPLATES_SUBDIR
            folder.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(str(folder))
        self.tags.restore(config, self._unread, self._pages)
        self._unread = []
        self.outputs = OutputMemo(self.cache, self.cache_salt)
        install(env, self.outputs)
        if self._nav is not None and self._config is not None and self._converted:
            self.report.rendered_ahead = self.outputs.render_ahead(
                self._converted, env, self._config, files, self._nav, self.workers
            )
        self.clock.lap("templates ahead")

    # --- 5. after the build --------------------------------------------------------------

    def finish(self, config: MkDocsConfig) -> None:
        """Remove what disappeared, keep the search index whole, keep titles, write the cache."""
        files = self._files
        assert files is not None
        self.clock.lap("build pages")
        if self.dirty and self.last.files is not None:
            gone = [f for f in self.last.files if files.get_file_from_path(f.src_uri) is None]
            for file in gone:
                self.last.titles.pop(file.src_uri, None)
                if file.abs_dest_path:
                    _remove_output(Path(file.abs_dest_path), Path(config.site_dir))
            gone_pages = {f.page.url for f in gone if f.page is not None}
            forget_search_entries(config, self.built_pages | gone_pages)
        for page in self._pages:
            if page.markdown is not None:
                self.last.titles[page.file.src_uri] = (page.title, dict(page.meta))
        self.last.files = files
        self.tags.keep(config)
        if self.cache is not None:
            # A clean build visited every page: what it did not use is from older sites.
            # Serve keeps everything (its pages are those of the next build, or were).
            self.cache.flush(prune=self.report.everything and not self.serving and not self.dirty)
        self._converted = []
        self.clock.lap("finish")
        log.debug(
            f"kbtool: {self.clock}; templates: {self.outputs.hits} kept, "
            f"{self.report.rendered_ahead} ahead, {self.outputs.rendered} in the loop"
        )

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _parse_chunk(
    layout: Layout, paths: Sequence[Path], links: bool
) -> tuple[list[Note], list[Problem], list[tuple[Note, list[LinkSpan]]]]:
    """Parse note files, and (``links``) find the links in their bodies."""
    notes, problems = read_notes(layout, paths)
    spans = [(n, extract_link_spans(n.body, n.body_line)) for n in notes] if links else []
    return notes, problems, spans


def _render_job(job: PageJob) -> Rendered:
    return job.render()


def _encode(made: Rendered) -> bytes:
    """What a job made, for the cache: its text, or NUL and JSON of its files."""
    if isinstance(made, str):
        return made.encode("utf-8")
    return b"\0" + json.dumps(dict(made), ensure_ascii=False).encode("utf-8")


def _decode(data: bytes) -> Rendered:
    if data.startswith(b"\0"):
        files: dict[str, str] = json.loads(data[1:])
        return files
    return data.decode("utf-8")


def _stashed(markdown: str) -> str:
    """The Markdown MkDocs will convert: kbtool's ``on_page_markdown`` stashes raw blocks."""
    return stash_raw_blocks(markdown)[0]


class Stopwatch:
    """Where a build's time went, lap by lap (shown with ``mkdocs build -v``)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.laps.items())


def _remove_output(path: Path, site_dir: Path) -> None:
    """Remove a built file of a page that is gone, and the folders it leaves empty."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != site_dir and site_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def iter_titles(nav: Iterable[Any]) -> dict[str, str]:
    """Titles ``nav`` (mkdocs.yml's form) gives pages explicitly, by file name."""
    found: dict[str, str] = {}
    for item in nav:
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str):
                    found[value] = str(title)
                elif isinstance(value, list):
                    found.update(iter_titles(value))
    return found
