"""The ``kbtool`` plugin's options in ``mkdocs.yml``, typed like Material's plugin configs."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class KnowledgeBaseConfig(Config):  # type: ignore[no-untyped-call]
    papers_dir = c.Type(str, default="papers")
    topics_dir = c.Type(str, default="topics")
    #: Generate the home page (unless docs/index.md exists).
    home = c.Type(bool, default=True)
    #: Generate the navigation (unless mkdocs.yml has a ``nav``).
    navigation = c.Type(bool, default=True)
    related_papers = c.Type(int, default=5)
    recent_notes = c.Type(int, default=10)
    #: Typeset math with the KaTeX shipped in kbtool (no CDN).
    math = c.Type(bool, default=True)
    #: ``placeholder``: remote images and embeds become links, so the site stays offline.
    remote_media = c.Choice(("placeholder", "load"), default="placeholder")
    #: Document the ``kbtool`` commands on a generated Commands page.
    commands_page = c.Type(bool, default=True)
    #: Search the notes with kbtool's own search (in place of Material's ``search`` plugin).
    search = c.Type(bool, default=True)
    #: Entries in ``notes.xml``, the Atom feed of the notes added last.
    feed_notes = c.Type(int, default=20)
    #: Keep rendered pages in ``.kbtool-cache/site/`` for later builds (and CI) to reuse.
    cache = c.Type(bool, default=True)
    #: Worker processes for the per-note work of a build (0: one per core; 1: none).
    workers = c.Type(int, default=0)
