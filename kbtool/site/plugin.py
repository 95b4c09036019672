"""The MkDocs plugin: adds the generated pages, the notes' files and our assets as virtual files.

Shaped like Material's own plugins: a typed ``Config``, event hooks of a few
lines that hand the work to plain functions, a logger under ``mkdocs.plugins``,
and ``PluginError`` for what must stop the build. Nothing is written into the
repository: every page is a ``File.generated``.

The pages come from pure renderers (:func:`kbtool.site.render.plan_site`); a
:class:`~kbtool.site.incremental.session.SiteSession` decides which to render
again, renders paper pages on every core, keeps rendered pages in
``.kbtool-cache/site/``, and tells a ``--dirty`` build (``kbtool serve``) which
pages changed. The hooks, in build order:

- ``on_files``: read the knowledge base, render what changed, add the files;
- ``on_nav``: in a ``--dirty`` build, what pages not read again had; convert
  the pages about to be built (workers, cache);
- ``on_page_markdown`` / ``on_page_content`` / ``on_page_context``: keep
  finished HTML away from Markdown and from the search plugin;
- ``on_env``: finished pages from the cache, templates rendered in workers;
- ``on_post_build``: remove what disappeared, keep the search index whole, save.
"""

from __future__ import annotations

import logging
from importlib import resources
from importlib.metadata import entry_points
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import click
from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kbtool.config import Layout
from kbtool.site.config import KnowledgeBaseConfig
from kbtool.site.file_safety import refuse_unsafe_files, unreadable_reason
from kbtool.site.incremental.generated import GeneratedPage
from kbtool.site.incremental.session import SiteSession, iter_titles
from kbtool.site.markup.feed_links import add_feed_links
from kbtool.site.markup.raw_html import StashedBlock, restore_raw_blocks, stash_raw_blocks
from kbtool.site.markup.remote_media import replace_remote_media
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions
from kbtool.site.search import SearchFiles, configure_search
from kbtool.util.progress import Progress

log = logging.getLogger("mkdocs.plugins.kbtool")

ASSETS = resources.files("kbtool.site") / "assets"
#: Assets the pages load, by path under kbtool/site/assets/ (all of it is copied to the site).
STYLE_SHEETS = ("kbtool.css",)
MATH_STYLE_SHEETS = ("katex/katex.min.css",)
MATH_SCRIPTS = ("katex/katex.min.js", "kbtool-math.js")


def _asset_files(config: MkDocsConfig, paths: SitePaths, math: bool) -> list[File]:
    """Our style sheet and script, and KaTeX when math is on, as files of the site."""
    return [
        File.generated(config, f"{paths.assets_dir}/{relative}", abs_src_path=str(path))
        for relative, path in _walk(ASSETS)
        if math or not relative.startswith("katex/")
    ]


def _walk(root: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for child in sorted(root.iterdir(), key=lambda p: p.name):
        name = f"{prefix}{child.name}"
        if child.is_dir():
            found += _walk(child, name + "/")
        elif not child.name.startswith("."):
            found.append((name, child))
    return found


def _nav_pages(nav: list[Any]) -> set[str]:
    found: set[str] = set()
    for item in nav:
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            for value in item.values():
                found |= _nav_pages(value if isinstance(value, list) else [value])
    return found


def _side_files(
    config: MkDocsConfig, layout: Layout, paths: SitePaths, found: list[Path]
) -> list[File]:
    """The notes' images and other files (``found``), at their place beside the paper pages."""
    files = []
    for path in found:
        side_uri = paths.for_note_file(layout.relative(path))
        if side_uri is not None:
            files.append(File.generated(config, side_uri, abs_src_path=str(path)))
    return files


def _cli() -> click.Group:
    """The ``kbtool`` command group, through its entry point: the site never imports the CLI."""
    (script,) = entry_points(group="console_scripts", name="kbtool")
    group = script.load()
    if not isinstance(group, click.Group):
        raise PluginError("the kbtool entry point is not the kbtool command group")
    return group


class KnowledgeBasePlugin(BasePlugin[KnowledgeBaseConfig]):  # type: ignore[no-untyped-call]
    """Generates the knowledge base's pages; hands the work to a :class:`SiteSession`.

    The session outlives a build: defining ``on_startup`` makes MkDocs keep this
    plugin across the rebuilds of ``serve``, so each rebuild redoes only what the
    change touched (see :mod:`kbtool.site.incremental`).
    """

    def __init__(self) -> None:
        self.user_nav = False
        self.stashed: dict[str, dict[str, StashedBlock]] = {}
        self.command = "build"
        self.dirty = False
        self.session: SiteSession | None = None
        self._session_for: tuple[object, ...] = ()
        self.search = SearchFiles()
        #: Told of each page MkDocs builds, as ``progress(done, total)`` (``kbtool build``).
        self.progress: Progress | None = None
        self._pages_built = 0
        self._pages_total: int | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command, self.dirty = command, dirty

    def on_shutdown(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def _paths(self, config: MkDocsConfig) -> SitePaths:
        return SitePaths(
            papers_dir=self.config.papers_dir.strip("/"),
            topics_dir=self.config.topics_dir.strip("/"),
            directory_urls=config.use_directory_urls,
        )

    def _session(self, layout: Layout) -> SiteSession:
        """The session of this knowledge base (a new one if the settings it holds changed)."""
        wanted = (layout, self.command, self.dirty, self.config.workers, self.config.cache)
        if self.session is None or self._session_for != wanted:
            if self.session is not None:
                self.session.close()
            self.session = SiteSession(
                layout,
                serving=self.command == "serve",
                dirty=self.dirty,
                workers=self.config.workers,
                use_cache=self.config.cache,
            )
            self._session_for = wanted
        return self.session

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.user_nav = config.nav is not None
        paths = self._paths(config)
        config.extra_css[:0] = [f"{paths.assets_dir}/{name}" for name in STYLE_SHEETS]
        if self.config.math:
            config.extra_css[:0] = [f"{paths.assets_dir}/{name}" for name in MATH_STYLE_SHEETS]
            config.extra_javascript.extend(f"{paths.assets_dir}/{name}" for name in MATH_SCRIPTS)
        if self.config.search:
            configure_search(config, paths)
        if config.theme.get("font") is not False and self.config.remote_media == "placeholder":
            log.warning("theme.font loads web fonts from Google: set 'font: false' to stay offline")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        layout = Layout(Path(config.config_file_path).resolve().parent)
        refuse_unsafe_files(files, layout)
        paths = self._paths(config)
        user_files = {f.src_uri for f in files}
        session = self._session(layout)
        site = session.render(paths, self._site_options(config, paths, user_files))
        why = unreadable_reason(site.catalog.kb) if site.catalog is not None else None
        if why is not None and not session.serving:
            raise PluginError(why)  # a build never publishes a site without a note
        clashes = sorted(set(site.pages) & user_files)
        if clashes:
            raise PluginError(f"{config.docs_dir}/{clashes[0]}: kbtool generates this file")
        in_nav: set[str] | None = None
        if self.config.navigation and not self.user_nav:
            docs_pages = sorted(f.src_uri for f in files.documentation_pages())
            config.nav = site.navigation(paths, [p for p in docs_pages if p != paths.home])
            in_nav = _nav_pages(config.nav)
        session.add_files(config, files, site, in_nav, iter_titles(config.nav or []))
        side_files = _side_files(config, layout, paths, session.reader.side_files)
        for file in side_files + _asset_files(config, paths, self.config.math):
            files.append(file)
        if self.config.search and site.catalog is not None:
            search_files = self.search.files(
                config, site.catalog, paths, cache=session.cache, workers=session.workers
            )
            for file in search_files:
                files.append(file)
        report = session.report
        changed = "every page" if report.everything else f"{len(report.changed)} changed"
        log.info(
            f"{len(site.papers)} papers, {len(site.pages) - len(site.papers)} other files: "
            f"{report.rendered} rendered, {report.from_cache} from the cache; {changed}"
        )
        return files

    def _site_options(
        self, config: MkDocsConfig, paths: SitePaths, user_files: set[str]
    ) -> SiteOptions:
        return SiteOptions(
            site_name=config.site_name,
            home=self.config.home and paths.home not in user_files,
            related_papers=self.config.related_papers,
            recent_notes=self.config.recent_notes,
            cli=_cli if self.config.commands_page else None,
            site_url=config.site_url or None,
            feed_notes=self.config.feed_notes,
        )

    @event_priority(-100)  # last: the navigation and the files are final
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        assert self.session is not None
        self.session.prepare_pages(config, files, nav)
        self._pages_built, self._pages_total = 0, len(files.documentation_pages())
        return nav

    @event_priority(-100)  # last: after other plugins have seen the Markdown
    def on_page_markdown(self, markdown: str, *, page: Page, **kwargs: Any) -> str:
        if isinstance(page, GeneratedPage):
            page.check_markdown(markdown)
        markdown, stash = stash_raw_blocks(markdown)
        if stash:
            self.stashed[page.file.src_uri] = stash
        return markdown

    @event_priority(100)  # first: other plugins see the finished page
    def on_page_content(self, html: str, *, page: Page, **kwargs: Any) -> str:
        stash = self.stashed.get(page.file.src_uri)
        if stash:
            html = restore_raw_blocks(html, stash, indexed=True)
        if self.config.remote_media == "placeholder":
            html = replace_remote_media(html)
        return html

    @event_priority(110)  # before the tags plugin writes tags.json (at 100)
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        assert self.session is not None
        self.session.before_pages(env, config, files)
        return env

    @event_priority(-100)  # last: after the search plugin has indexed the page
    def on_page_context(self, context: Any, *, page: Page, **kwargs: Any) -> Any:
        assert self.session is not None
        self.session.built_pages.add(page.url)
        if self.progress is not None:
            self._pages_built += 1
            self.progress(self._pages_built, self._pages_total)
        stash = self.stashed.pop(page.file.src_uri, None)
        if stash and page.content is not None:
            page.content = restore_raw_blocks(page.content, stash, indexed=False)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return add_feed_links(output, page.file.src_uri, self._paths(config), config.site_name)

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.session is not None
        self.session.finish(config)

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        layout = Layout(Path(config.config_file_path).resolve().parent)
        # The root itself, not recursively (it holds .venv/, site/…), for topics.yml
        # and kbtool.yml; then notes/ and topics/ (when they exist as serving starts).
        server.watch(str(layout.root), recursive=False)
        for folder in (layout.notes_dir, layout.topic_texts_dir):
            if folder.is_dir():
                server.watch(str(folder))
        return server
