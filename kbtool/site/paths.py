"""Where each page of the site lives: the site's URL layout, as docs-relative file names.

Pages are named as MkDocs source files (``papers/x.md``); links between them
are relative ``.md`` paths, which MkDocs turns into URLs (with or without
directory URLs) and checks. A paper's page mirrors its note's place under
``notes/`` (``notes/a/b.md`` → ``papers/a/b.md``), so relative links between
notes, and to images beside them, work unchanged on the site.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache

from kbtool.config import NOTES_DIR
from kbtool.site.markup.markdown_escape import escape_html, escape_url


@dataclass(frozen=True)
class SitePaths:
    """The docs-relative file name of every generated page."""

    papers_dir: str = "papers"
    topics_dir: str = "topics"
    home: str = "index.md"
    topics_index: str = "topics/index.md"
    timeline: str = "timeline.md"
    venues: str = "venues.md"
    tags: str = "tags.md"
    reading_queue: str = "reading-queue.md"
    note_format: str = "note-format.md"
    commands: str = "commands.md"
    inbox: str = "inbox.md"
    #: The citation map of the whole knowledge base, and the data every map draws.
    citation_map: str = "map.md"
    citation_map_data: str = "citation-map.json"
    #: Atom feeds: the inbox, and the notes added last.
    inbox_feed: str = "feed.xml"
    notes_feed: str = "notes.xml"
    bibliography: str = "references.bib"
    assets_dir: str = "assets/kbtool"
    #: MkDocs' ``use_directory_urls``: ``x.md`` is served as ``x/`` (else ``x.html``).
    directory_urls: bool = True

    def for_note_file(self, path: str) -> str | None:
        """The site path of a file under ``notes/`` (a note or an image beside one)."""
        prefix = NOTES_DIR + "/"
        if not path.startswith(prefix):
            return None
        return f"{self.papers_dir}/{path[len(prefix) :]}"

    def paper(self, note_path: str) -> str:
        """The page of the note at ``note_path`` (``notes/…``, relative to the root)."""
        uri = self.for_note_file(note_path)
        if uri is None:
            raise ValueError(f"{note_path}: not a note under {NOTES_DIR}/")
        return uri

    def topic(self, topic_id: str) -> str:
        """A topic's page; ``topic_id`` is a validated id (lowercase words joined by '-')."""
        return f"{self.topics_dir}/{topic_id}/index.md"

    def topic_map(self, topic_id: str) -> str:
        """A topic's citation map, beside the topic's page."""
        return f"{self.topics_dir}/{topic_id}/map.md"

    def map_list(self, map_uri: str) -> str:
        """The page listing a large map's citations (``map.md`` → ``map/citations.md``)."""
        return map_uri.removesuffix(".md") + "/citations.md"

    def url(self, uri: str) -> str:
        """The URL (relative to the site root) MkDocs gives the file ``uri``."""
        return _url(uri, self.directory_urls)

    def href(self, from_uri: str, to_uri: str, anchor: str | None = None) -> str:
        """An HTML ``href`` from page ``from_uri`` to file ``to_uri``, escaped for an attribute.

        For raw HTML, which MkDocs leaves alone: up to the site root, then down
        to the target, as MkDocs would resolve a Markdown link between the files.
        """
        target = (
            ""
            if from_uri == to_uri
            else _root_prefix(from_uri, self.directory_urls)
            + ("" if self.url(to_uri) == "./" else self.url(to_uri))
        )
        if anchor:
            target += "#" + anchor
        return escape_html(escape_url(target or "./"))


@lru_cache(maxsize=65536)
def _url(uri: str, directory_urls: bool) -> str:
    if not uri.endswith(".md"):
        return uri
    stem = uri[: -len(".md")]
    folder, name = posixpath.split(stem)
    if name == "index":
        return (
            f"{folder}/"
            if directory_urls and folder
            else ("./" if directory_urls else posixpath.join(folder, "index.html"))
        )
    return f"{stem}/" if directory_urls else f"{stem}.html"


@lru_cache(maxsize=65536)
def _root_prefix(uri: str, directory_urls: bool) -> str:
    """``../`` as many times as the page at ``uri`` is deep below the site root."""
    url = _url(uri, directory_urls)
    return "" if url == "./" else "../" * url.count("/")


def relative_link(from_uri: str, to_uri: str, anchor: str | None = None) -> str:
    """A Markdown link destination from page ``from_uri`` to file ``to_uri`` (and ``#anchor``)."""
    if from_uri == to_uri:
        path = ""
    else:
        path = posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")
    if anchor:
        path += "#" + anchor
    return escape_url(path)
