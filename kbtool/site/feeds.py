"""The site's Atom feeds: ``feed.xml`` (the inbox, best first) and ``notes.xml`` (notes added last).

Pure renderers (feedgen builds the XML, so every title and abstract is escaped
as XML text, never markup). The output depends on the knowledge base alone, not
on the time of the build: a feed's ``updated`` is its newest entry's date (the
day a paper arrived in the inbox, or a note's ``added``), or the Unix epoch for
an empty feed. Ids are stable: an arXiv paper's abstract page for inbox
entries, a name-based UUID (site name and note path) for notes and for the
feeds themselves.

Links are absolute when ``mkdocs.yml`` has a ``site_url``; otherwise relative to
the feed's own address (both feeds sit at the site's root), which Atom allows and
feed readers resolve.

feedgen 1.0 drops the ``rel``/``type`` attributes of entry links, so each entry
has exactly one link (its alternate): the paper's page.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from feedgen.feed import FeedGenerator

from kbtool.citations.graph import MissingPaper
from kbtool.site.catalog import Catalog, Paper
from kbtool.site.paths import SitePaths
from kbtool.watch.inbox import InboxEntry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ARXIV_SCHEME = "http://arxiv.org/schemas/atom"
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedSite:
    """What the feeds need to know about the site."""

    name: str
    url: str | None = None  # mkdocs.yml's site_url, if any

    def link(self, relative: str) -> str:
        """The URL of ``relative`` (a path from the site root): absolute when known."""
        if not self.url:
            return relative
        return self.url.rstrip("/") + "/" + relative.removeprefix("./")

    def feed_id(self, name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'kbtool:{self.name}:{name}')}"


def xml_text(value: str) -> str:
    """``value`` without the characters XML cannot carry, whitespace runs made one space."""
    return " ".join(_NOT_XML.sub("", value).split())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _feed(site: FeedSite, paths: SitePaths, name: str, title: str, page: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(site.feed_id(name))
    feed.title(xml_text(f"{site.name}: {title}"))
    feed.author({"name": xml_text(site.name) or "kbtool"})
    feed.link(href=site.link(paths.url(page)), rel="alternate", type="text/html")
    if site.url:
        feed.link(href=site.link(name), rel="self", type="application/atom+xml")
    feed.generator("kbtool")  # no version: the feed changes only when its content does
    return feed


def _finish(feed: FeedGenerator, updated: datetime) -> str:
    feed.updated(updated)
    data: bytes = feed.atom_str(pretty=True)
    return data.decode("utf-8")


def inbox_entry_text(entry: InboxEntry) -> str:
    """The plain-text summary of an inbox entry in the feed."""
    facts = f"Score {entry.score:g} ({', '.join(entry.keywords)}) · {entry.category}"
    parts = [facts, f"Adopt: {entry.adopt_command}"]
    if entry.summary:
        parts.append(entry.summary)
    parts.append(entry.abstract)
    return xml_text(" — ".join(p for p in parts if p))


def render_inbox_feed(
    entries: Sequence[InboxEntry],
    site: FeedSite,
    paths: SitePaths,
    missing: Sequence[MissingPaper] = (),
) -> str:
    """``feed.xml``: the inbox's papers (ranked, papers with notes left out) as Atom, then
    the ``missing`` papers: cited by several notes, without a note (category
    ``cited-by-your-notes``)."""
    feed = _feed(site, paths, paths.inbox_feed, "inbox", paths.inbox)
    feed.subtitle("New arXiv papers matching the watch keywords, best first.")
    for entry in entries:
        item = feed.add_entry(order="append")
        item.id(entry.abs_url)
        item.title(xml_text(entry.title) or entry.id)
        item.updated(_midnight(entry.first_seen))
        item.published(_midnight(entry.published))
        authors = [{"name": xml_text(a)} for a in entry.authors if xml_text(a)]
        if authors:
            item.author(authors)
        item.link(href=entry.abs_url)
        item.summary(inbox_entry_text(entry), type="text")
        for category in entry.categories:
            if xml_text(category):
                item.category({"term": xml_text(category), "scheme": ARXIV_SCHEME})
    in_inbox = {entry.id for entry in entries}
    shown = [m for m in missing if m.arxiv_id not in in_inbox]
    for paper in shown:
        item = feed.add_entry(order="append")
        item.id(site.feed_id(f"cited:{paper.key}"))
        item.title(xml_text(paper.label))
        updated = paper.read or date(1970, 1, 1)
        item.updated(_midnight(updated))
        item.link(href=site.link(paths.url(paths.inbox)) + "#" + paper.anchor)
        item.summary(missing_paper_text(paper), type="text")
        item.category({"term": "cited-by-your-notes", "label": "Cited by your notes"})
    dates = [e.first_seen for e in entries] + [m.read for m in shown if m.read]
    newest = max(dates, default=None)
    return _finish(feed, _midnight(newest) if newest else EPOCH)


def missing_paper_text(paper: MissingPaper) -> str:
    """The plain-text summary of a missing paper in the feed."""
    count = len(paper.cited_by)
    parts = [f"Cited by {count} of your notes, with no note yet"]
    if paper.year:
        parts.append(str(paper.year))
    parts.append(f"Add: {paper.add_command}" if paper.add_command else paper.url)
    return xml_text(" — ".join(parts))


def _note_text(paper: Paper, catalog: Catalog) -> str:
    parts = []
    topics = [catalog.topic_title(t) for t in paper.topics]
    if topics:
        parts.append("Topics: " + ", ".join(topics))
    if paper.venue:
        parts.append(paper.venue)
    abstract = paper.note.fields.get("abstract")
    if isinstance(abstract, str):
        parts.append(abstract)
    return xml_text(" — ".join(parts))


def render_notes_feed(papers: Sequence[Paper], catalog: Catalog, site: FeedSite) -> str:
    """``notes.xml``: the notes added last (``papers``, newest first) as Atom."""
    paths = catalog.paths
    feed = _feed(site, paths, paths.notes_feed, "recently added notes", paths.home)
    feed.subtitle("Notes added to the knowledge base, newest first.")
    for paper in papers:
        assert paper.added is not None
        item = feed.add_entry(order="append")
        item.id(site.feed_id(f"note:{paper.path}"))
        item.title(xml_text(paper.title) or paper.note.stem)
        item.updated(_midnight(paper.added))
        authors = [{"name": xml_text(a)} for a in paper.note.string_list("authors")]
        authors = [a for a in authors if a["name"]]
        if authors:
            item.author(authors)
        item.link(href=site.link(paths.url(paper.uri)))
        text = _note_text(paper, catalog)
        if text:
            item.summary(text, type="text")
        for topic in paper.topics:
            item.category({"term": xml_text(topic), "label": xml_text(catalog.topic_title(topic))})
    newest = max((p.added for p in papers if p.added), default=None)
    return _finish(feed, _midnight(newest) if newest else EPOCH)
