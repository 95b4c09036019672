"""The MkDocs plugin: adds the notes and the generated pages to the build as virtual files.

Shaped like Material's own plugins: a typed ``Config``, event hooks of a few lines
that hand the work to plain functions (the renderers in :mod:`kbtool.site`), and
``PluginError`` for what must stop the build. Nothing is written into ``docs/``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from kbtool.config import Layout
from kbtool.errors import KbtoolError
from kbtool.knowledge_base import KnowledgeBase, load_knowledge_base
from kbtool.site.note_format_page import render_note_format_page
from kbtool.site.note_page import render_note_page

log = logging.getLogger("mkdocs.plugins.kbtool")


class KnowledgeBaseConfig(Config):  # type: ignore[no-untyped-call]
    papers_dir = c.Type(str, default="papers")
    note_format_page = c.Type(str, default="note-format.md")


class KnowledgeBasePlugin(BasePlugin[KnowledgeBaseConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.kb: KnowledgeBase | None = None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        root = Path(config.config_file_path).resolve().parent
        try:
            self.kb = load_knowledge_base(Layout(root))
        except KbtoolError as err:
            raise PluginError(str(err)) from err
        for note in self.kb.notes:
            src_uri = f"{self.config.papers_dir}/{note.path.removeprefix('notes/')}"
            files.append(File.generated(config, src_uri, content=render_note_page(note)))
        files.append(
            File.generated(config, self.config.note_format_page, content=render_note_format_page())
        )
        return files

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        root = Path(config.config_file_path).resolve().parent
        layout = Layout(root)
        for path in (layout.notes_dir, layout.topics_file, layout.config_file):
            if path.exists():
                server.watch(str(path))
        return server
