"""Finished pages kept by everything the theme's template reads from them.

Rendering Material's ``main.html`` costs a few milliseconds a page, most of it
the navigation: on a warm build of a thousand unchanged notes it would be most
of the time. :class:`CachedTemplate` (installed as the Jinja environment's
``template_class``) renders a page only when no output is kept for its *key*:
a fingerprint of the page as the template sees it (its content, table of
contents, metadata, title, address, neighbours), of the navigation (titles,
addresses, nesting), of the settings, and of whatever other plugins put into
the template context. A value in the context that cannot be fingerprinted
means the page is rendered, not cached.

The date of the build is in the key only when a template of the theme shows it
(Material's do not), so the cache lasts from one day's build to the next.

Outputs come from the cache (``.kbtool-cache/site/``) or, in a cold build, from
worker processes that render the pages' templates ahead of MkDocs' loop
(:meth:`OutputMemo.render_ahead`): they run the same ``page_context`` events on
a copy of the build, so the parent finds the same key; if a plugin's state
made a page's context differ, the keys differ and the page is rendered as usual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from kbtool.site.incremental.cache import SiteCache
from kbtool.site.incremental.fingerprint import Fingerprinter, Unfingerprintable
from kbtool.site.incremental.pool import can_fork, map_in_workers
from kbtool.site.incremental.site_state import config_state

#: Context entries every page has; everything else in a context is fingerprinted as it is.
STANDARD_CONTEXT = frozenset(
    {
        "nav",
        "pages",  # every page: only the sitemap shows it
        "base_url",
        "extra_css",
        "extra_javascript",
        "mkdocs_version",
        "build_date_utc",
        "config",
        "page",
    }
)
#: Pages per task when templates are rendered ahead in workers.
AHEAD_CHUNK = 24
_SHOWS_DATE = re.compile(r"\b(?:build_date_utc|update_date)\b")


@cache
def theme_shows_build_date(template_dirs: tuple[str, ...]) -> bool:
    """Whether a page template of the theme shows the build's date (the sitemap aside)."""
    for folder in template_dirs:
        for path in Path(folder).rglob("*.html"):
            if path.name != "sitemap.xml" and _SHOWS_DATE.search(
                path.read_text(encoding="utf-8", errors="replace")
            ):
                return True
    return False


def _toc(items: Sequence[AnchorLink]) -> list[object]:
    return [(i.title, i.id, i.level, _toc(i.children)) for i in items]


def _near(page: Page | None) -> object:
    return None if page is None else (page.title, page.url)


def page_state(page: Page) -> object:
    """A page as a theme's template may show it."""
    ancestors = []
    parent = page.parent
    while parent is not None:
        ancestors.append(parent.title)
        parent = parent.parent
    return (
        page.file.src_uri,
        page.url,
        page.title,
        page.content,
        _toc(page.toc.items if hasattr(page.toc, "items") else list(page.toc)),
        dict(page.meta),
        page.canonical_url,
        page.abs_url,
        page.edit_url,
        _near(page.previous_page),
        _near(page.next_page),
        ancestors,
    )


def navigation_state(nav: Navigation) -> object:
    """The navigation as every page shows it: titles, addresses, nesting, page metadata."""

    def item(entry: Any) -> object:
        if isinstance(entry, Section):
            return ("section", entry.title, [item(child) for child in entry.children])
        if isinstance(entry, Link):
            return ("link", entry.title, entry.url)
        assert isinstance(entry, Page)
        return ("page", entry.title, entry.url, dict(entry.meta))

    return [item(entry) for entry in nav.items]


def _template_object(value: object) -> object:
    """What a template can show of an object a plugin put into the context.

    Navigation items stand for their title and address (their place is in the
    navigation's own key); the plain records of Material's plugins (a tag and
    its links) for their attributes. Anything else cannot be told apart.
    """
    if isinstance(value, Page | Section | Link):
        return (type(value).__name__, value.title, getattr(value, "url", None))
    if type(value).__module__.startswith("material.") and hasattr(value, "__dict__"):
        return vars(value)
    raise Unfingerprintable(f"cannot fingerprint a {type(value).__qualname__}")


class OutputMemo:
    """Finished pages of one build, by key: rendered ahead, or kept in the cache."""

    def __init__(self, cache: SiteCache | None, salt: str) -> None:
        self.cache = cache
        self.salt = salt
        self.ahead: dict[str, str] = {}
        self._site: str | None = None
        self._fingerprints = Fingerprinter(otherwise=_template_object)
        self._shows_date = False
        self.hits = 0
        self.rendered = 0

    def key(self, context: dict[str, Any], template: str | None = "main.html") -> str | None:
        """The key of ``template`` for the page in ``context`` (None: not to be cached)."""
        page = context.get("page")
        if not isinstance(page, Page) or page.content is None:
            return None
        try:
            if self._site is None:
                self._site = self._site_key(context)
            extra = {k: v for k, v in context.items() if k not in STANDARD_CONTEXT}
            shown = (
                (str(getattr(page, "update_date", "")), str(context.get("build_date_utc")))
                if self._shows_date
                else None
            )
            return self._fingerprints.digest(
                (
                    self._site,
                    template,
                    context.get("base_url"),
                    [str(x) for x in context.get("extra_css", [])],
                    [str(x) for x in context.get("extra_javascript", [])],
                    page_state(page),
                    extra,
                    shown,
                )
            )
        except Unfingerprintable:
            return None

    def _site_key(self, context: dict[str, Any]) -> str:
        config = context["config"]
        dirs = tuple(config.theme.dirs)
        self._shows_date = theme_shows_build_date(dirs)
        return Fingerprinter().digest(
            (
                self.salt,
                config_state(config),
                navigation_state(context["nav"]),
                str(context.get("mkdocs_version")),
            )
        )

    def get(self, key: str) -> str | None:
        found = self.ahead.pop(key, None)
        if found is None and self.cache is not None:
            data = self.cache.get(f"page:{key}")
            found = data.decode("utf-8") if data is not None else None
        if found is not None:
            self.hits += 1
        return found

    def put(self, key: str, output: str) -> None:
        self.rendered += 1
        if self.cache is not None:
            self.cache.put(f"page:{key}", output.encode("utf-8"))

    def render_ahead(
        self,
        pages: Sequence[Page],
        env: jinja2.Environment,
        config: MkDocsConfig,
        files: Files,
        nav: Navigation,
        workers: int,
    ) -> int:
        """Render the templates of ``pages`` in worker processes; how many were rendered.

        ``pages`` should be pages whose content is new in this build (their output
        cannot be in the cache): the workers do not look.
        """
        todo = [page for page in pages if not page.file.inclusion.is_excluded()]  # type: ignore[no-untyped-call]
        if workers < 2 or len(todo) < 2 * AHEAD_CHUNK or not can_fork():
            # In this process, page_context events would run twice (the search plugin
            # would index pages twice): MkDocs' loop renders them instead.
            return 0
        doc_files = files.documentation_pages()

        def render(page: Page) -> tuple[str | None, str]:
            # What MkDocs' _build_page does up to the template, in a copy of this build.
            page.active = True
            try:
                context = get_context(nav, doc_files, config, page)
                template = env.get_template(page.meta.get("template", "main.html"))
                context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
                key = self.key(dict(context), template.name)
                return key, jinja2.Template.render(template, context)
            finally:
                page.active = False

        rendered = 0
        for key, output in map_in_workers(render, todo, workers, chunk=AHEAD_CHUNK):
            if key is not None:
                self.ahead[key] = output
                if self.cache is not None:
                    self.cache.put(f"page:{key}", output.encode("utf-8"))
                rendered += 1
        return rendered


class CachedTemplate(jinja2.Template):
    """A template that returns a page's kept output when the page is unchanged."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        memo: OutputMemo | None = getattr(self.environment, "kbtool_outputs", None)
        if memo is None:
            return super().render(*args, **kwargs)
        context = dict(*args, **kwargs)
        key = memo.key(context, self.name)
        if key is None:
            return super().render(*args, **kwargs)
        kept = memo.get(key)
        if kept is not None:
            return kept
        output = super().render(*args, **kwargs)
        memo.put(key, output)
        return output


def install(env: jinja2.Environment, memo: OutputMemo) -> None:
    """Make ``env`` keep finished pages in ``memo`` (templates it has not loaded yet)."""
    env.template_class = CachedTemplate
    env.kbtool_outputs = memo  # type: ignore[attr-defined]
