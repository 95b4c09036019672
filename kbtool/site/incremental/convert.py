"""Markdown to HTML exactly as MkDocs' ``Page.render`` does it, with one Markdown instance.

MkDocs builds a new ``markdown.Markdown`` for every page; registering the
extensions costs about 8% of a build. :class:`PageConverter` builds one per
build (per worker process) and calls ``reset()`` between pages, which
Python-Markdown provides for exactly this; MkDocs' own processors (relative
links, anchors, the title) are set up afresh for each page. What MkDocs keeps
from a rendering (HTML, table of contents, title, anchors, links to anchors,
and the warnings it logged) is a :class:`Conversion`: plain data, so it can come
back from a worker process or from the cache and be applied to a page later
(:func:`apply_conversion`), the warnings logged again so ``--strict`` still
counts them.

This uses MkDocs' private processors (``mkdocs.structure.pages``), as MkDocs
1.6 has them: kbtool pins MkDocs below 1.7, and ``tests/test_site_incremental.py``
checks the result against ``Page.render`` itself.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import markdown
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.toc import get_toc

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.kbtool")


@dataclass(frozen=True)
class Conversion:
    """What MkDocs keeps from turning one page's Markdown into HTML."""

    content: str
    toc_tokens: list[Any]
    title: str | None
    anchors: tuple[str, ...]
    #: Links to anchors of other files: target's name → {anchor: link as written}.
    links_to_anchors: dict[str, dict[str, str]]
    #: What was logged while converting: (logger name, level, message).
    messages: tuple[tuple[str, int, str], ...] = ()

    def to_bytes(self) -> bytes:
        """JSON of all but the HTML, a NUL, then the HTML (JSON never holds a raw NUL)."""
        head = {
            "toc": self.toc_tokens,
            "title": self.title,
            "anchors": list(self.anchors),
            "links": self.links_to_anchors,
            "messages": [list(m) for m in self.messages],
        }
        return json.dumps(head, ensure_ascii=False).encode() + b"\0" + self.content.encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Conversion:
        head_bytes, _, content = data.partition(b"\0")
        head = json.loads(head_bytes)
        return cls(
            content=content.decode(),
            toc_tokens=head["toc"],
            title=head["title"],
            anchors=tuple(head["anchors"]),
            links_to_anchors=head["links"],
            messages=tuple((str(n), int(level), str(m)) for n, level, m in head["messages"]),
        )


class _Recorder(logging.Handler):
    """Keeps what this thread logs (through any logger) while a page converts."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.thread = threading.get_ident()
        self.records: list[tuple[str, int, str]] = []
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        # `mkdocs` does not propagate to the root logger: the recorder sits on both, and
        # a record that reaches both is kept once.
        if record.thread == self.thread and (not self.records or self._last is not record):
            self._last = record
            self.records.append((record.name, record.levelno, record.getMessage()))

    @contextmanager
    def recording(self) -> Iterator[None]:
        loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
        for logger in loggers:
            logger.addHandler(self)
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeHandler(self)


class PageConverter:
    """Converts pages with one Markdown instance and MkDocs' own processors."""

    def __init__(self, config: MkDocsConfig, files: Files) -> None:
        self.config = config
        self.files = files
        self.md = markdown.Markdown(
            extensions=config["markdown_extensions"],
            extension_configs=config["mdx_configs"] or {},
        )
        # MkDocs' processors, registered as Page.render registers them; the ones that
        # know the page, or collect from it, are made new for each page (see convert).
        self._raw_html = mkdocs_pages._RawHTMLPreprocessor()
        self._raw_html._register(self.md)
        self._title = mkdocs_pages._ExtractTitleTreeprocessor()
        self._title._register(self.md)

    def convert(self, source: str, file: File) -> Conversion:
        """The HTML and all else MkDocs keeps from ``source``, the Markdown of ``file``."""
        md = self.md
        md.reset()
        anchors = mkdocs_pages._ExtractAnchorsTreeprocessor(file, self.files, self.config)
        anchors._register(md)
        relative = mkdocs_pages._RelativePathTreeprocessor(file, self.files, self.config)
        relative._register(md)
        self._title.title = None
        recorder = _Recorder()
        with recorder.recording():
            content = md.convert(source)
        links: dict[str, dict[str, str]] = {}
        if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:
            links = {t.src_uri: dict(found) for t, found in relative.links_to_anchors.items()}
        return Conversion(
            content=content,
            toc_tokens=list(getattr(md, "toc_tokens", [])),
            title=self._title.title,
            anchors=tuple(sorted(anchors.present_anchor_ids | self._raw_html.present_anchor_ids)),
            links_to_anchors=links,
            messages=tuple(recorder.records),
        )


def apply_conversion(page: Page, conversion: Conversion, files: Files, *, replay: bool) -> None:
    """Give ``page`` what MkDocs' ``Page.render`` would; ``replay`` logs its warnings again."""
    page.content = conversion.content
    page.toc = get_toc(conversion.toc_tokens)
    page._title_from_render = conversion.title
    page.present_anchor_ids = set(conversion.anchors)
    if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = {}
        for uri, found in conversion.links_to_anchors.items():
            target = files.get_file_from_path(uri)
            if target is not None:
                page.links_to_anchors[target] = dict(found)
    if replay:
        for name, level, message in conversion.messages:
            logging.getLogger(name).log(level, message)
