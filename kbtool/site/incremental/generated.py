"""MkDocs files and pages for what kbtool generates, whose work is often already done.

:class:`GeneratedFile` is a virtual file (``File.generated``) that knows whether
its page changed since the last build: a ``--dirty`` build (``kbtool serve``)
builds it again only then. :class:`GeneratedPage` is a ``Page`` (as Material's
blog plugin makes its own) whose Markdown and frontmatter are known, and whose
HTML usually is too: converted in a worker process, kept from the last build,
or read from the cache. MkDocs still runs every plugin event on it in order; if
another plugin has changed its Markdown by then, the page is converted as
usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

from kbtool.site.incremental.convert import Conversion, apply_conversion


class GeneratedFile(File):
    """A file kbtool generated; ``changed`` tells a ``--dirty`` build to build it again."""

    changed: bool = True

    def is_modified(self) -> bool:
        return self.changed


@dataclass
class PreparedPage:
    """A generated page's Markdown split from its frontmatter, and its HTML once known."""

    markdown: str
    meta: dict[str, Any]
    #: The HTML of ``markdown`` (as kbtool's ``on_page_markdown`` hands it to Markdown).
    conversion: Conversion | None = None


def prepare_markdown(text: str) -> PreparedPage:
    """A page's text split as MkDocs splits it (``meta.get_data``)."""
    markdown, page_meta = meta.get_data(text)
    return PreparedPage(markdown, page_meta)


#: Converts a page's Markdown (as it is now) when no conversion was ready: the
#: conversion, and whether it was made earlier (its warnings not yet shown).
Convert = Callable[["GeneratedPage", str], tuple[Conversion, bool]]


class GeneratedPage(Page):
    """A page whose source (and usually HTML) kbtool knows before MkDocs asks for it."""

    def __init__(
        self,
        title: str | None,
        file: File,
        config: MkDocsConfig,
        prepared: PreparedPage,
        convert: Convert,
    ) -> None:
        super().__init__(title, file, config)
        self.prepared = prepared
        self._convert = convert
        #: Whether the Markdown reached kbtool's ``on_page_markdown`` as prepared (no
        #: other plugin changed it): then the prepared conversion is the page's HTML.
        self.as_prepared = False

    def release(self) -> None:
        """Let go of the prepared Markdown and HTML (read and applied: a build needs no more)."""
        self.prepared = PreparedPage("", {})

    def check_markdown(self, markdown: str) -> None:
        """Note whether ``markdown`` (before kbtool's last step) is the prepared Markdown."""
        self.as_prepared = markdown == self.prepared.markdown

    def read_source(self, config: MkDocsConfig) -> None:
        source = config.plugins.on_page_read_source(page=self, config=config)
        if source is not None:  # another plugin supplies the text: read it as MkDocs would
            self.markdown, self.meta = meta.get_data(source)
            return
        self.markdown = self.prepared.markdown
        self.meta = dict(self.prepared.meta)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        conversion = self.prepared.conversion if self.as_prepared else None
        if conversion is not None:
            # Made earlier (a worker, the cache, the last build): show its warnings now.
            apply_conversion(self, conversion, files, replay=True)
            return
        conversion, earlier = self._convert(self, self.markdown)
        if self.as_prepared:
            self.prepared.conversion = conversion
        apply_conversion(self, conversion, files, replay=earlier)
