"""The MkDocs plugin: adds the generated pages, the notes' files and our assets as virtual files.

Shaped like Material's own plugins: a typed ``Config``, event hooks of a few
lines that hand the work to plain functions (:func:`kbtool.site.render.render_site`
renders every page without MkDocs), a logger under ``mkdocs.plugins``, and
``PluginError`` for what must stop the build. Nothing is written into the
repository: every page is a ``File.generated``.
"""

from __future__ import annotations

import logging
from importlib import resources
from importlib.metadata import entry_points
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import click
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from kbtool.citations.graph import load_citation_graph
from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.errors import KbtoolError
from kbtool.site.config import KnowledgeBaseConfig
from kbtool.site.file_safety import note_side_files, refuse_unsafe_files, unreadable_reason
from kbtool.site.markup.feed_links import add_feed_links
from kbtool.site.markup.raw_html import StashedBlock, restore_raw_blocks, stash_raw_blocks
from kbtool.site.markup.remote_media import replace_remote_media
from kbtool.site.paths import SitePaths
from kbtool.site.render import SiteOptions, SitePages, render_site
from kbtool.site.search import configure_search, search_files
from kbtool.watch.inbox import load_inbox

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


def _generated_files(
    config: MkDocsConfig,
    layout: Layout,
    paths: SitePaths,
    site: SitePages,
    in_nav: set[str] | None,
    math: bool,
) -> list[File]:
    """The site's virtual files: pages (papers never in the navigation), notes' images, assets."""
    papers = set(site.papers)
    files = []
    for uri, content in site.pages.items():
        hidden = uri in papers or (in_nav is not None and uri not in in_nav)
        inclusion = InclusionLevel.NOT_IN_NAV if hidden else InclusionLevel.UNDEFINED
        files.append(File.generated(config, uri, content=content, inclusion=inclusion))
    for path in note_side_files(layout):
        side_uri = paths.for_note_file(layout.relative(path))
        if side_uri is not None:
            files.append(File.generated(config, side_uri, abs_src_path=str(path)))
    return files + _asset_files(config, paths, math)


def _cli() -> click.Group:
    """The ``kbtool`` command group, through its entry point: the site never imports the CLI."""
    (script,) = entry_points(group="console_scripts", name="kbtool")
    group = script.load()
    if not isinstance(group, click.Group):
        raise PluginError("the kbtool entry point is not the kbtool command group")
    return group


class KnowledgeBasePlugin(BasePlugin[KnowledgeBaseConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.user_nav = False
        self.stashed: dict[str, dict[str, StashedBlock]] = {}

    def _paths(self, config: MkDocsConfig) -> SitePaths:
        return SitePaths(
            papers_dir=self.config.papers_dir.strip("/"),
            topics_dir=self.config.topics_dir.strip("/"),
            directory_urls=config.use_directory_urls,
        )

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
        site = self._render(layout, paths, {f.src_uri for f in files}, config)
        in_nav: set[str] | None = None
        if self.config.navigation and not self.user_nav:
            docs_pages = sorted(f.src_uri for f in files.documentation_pages())
            config.nav = site.navigation(paths, [p for p in docs_pages if p != paths.home])
            in_nav = _nav_pages(config.nav)
        for file in _generated_files(config, layout, paths, site, in_nav, self.config.math):
            files.append(file)
        if self.config.search and site.catalog is not None:
            for file in search_files(config, site.catalog, paths):
                files.append(file)
        log.info(f"{len(site.papers)} papers, {len(site.pages) - len(site.papers)} other files")
        return files

    def _render(
        self, layout: Layout, paths: SitePaths, user_files: set[str], config: MkDocsConfig
    ) -> SitePages:
        try:
            kb = load_knowledge_base(layout)
            inbox = load_inbox(layout)
            citations = load_citation_graph(kb)
        except KbtoolError as err:
            raise PluginError(str(err)) from err
        if (why := unreadable_reason(kb)) is not None:
            raise PluginError(why)
        options = SiteOptions(
            site_name=config.site_name,
            home=self.config.home and paths.home not in user_files,
            related_papers=self.config.related_papers,
            recent_notes=self.config.recent_notes,
            cli=_cli() if self.config.commands_page else None,
            site_url=config.site_url or None,
            feed_notes=self.config.feed_notes,
        )
        site = render_site(kb, paths, options, inbox, citations)
        clashes = sorted(set(site.pages) & user_files)
        if clashes:
            raise PluginError(f"{config.docs_dir}/{clashes[0]}: kbtool generates this file")
        return site

    @event_priority(-100)  # last: after other plugins have seen the Markdown
    def on_page_markdown(self, markdown: str, *, page: Page, **kwargs: Any) -> str:
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

    @event_priority(-100)  # last: after the search plugin has indexed the page
    def on_page_context(self, context: Any, *, page: Page, **kwargs: Any) -> Any:
        stash = self.stashed.pop(page.file.src_uri, None)
        if stash and page.content is not None:
            page.content = restore_raw_blocks(page.content, stash, indexed=False)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return add_feed_links(output, page.file.src_uri, self._paths(config), config.site_name)

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
