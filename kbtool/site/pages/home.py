"""The home page (counts, recently added notes, the reading queue) and the full queue."""

from __future__ import annotations

from datetime import date

from kbtool.site.catalog import Catalog, Paper
from kbtool.site.markup.listings import paper_list
from kbtool.site.markup.markdown_escape import escape_text
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block
from kbtool.site.paths import relative_link
from kbtool.util.plural import plural


def recently_added(catalog: Catalog, limit: int) -> list[Paper]:
    """The ``limit`` papers added last (by ``added``; papers without it are left out)."""
    added = [p for p in catalog.papers if p.added is not None]
    added.sort(key=lambda p: (p.added or date.min, p.sort_key), reverse=True)
    return added[:limit]


def reading_queue(catalog: Catalog) -> list[Paper]:
    """Papers with ``status: to-read``, the longest waiting first."""
    queue = [p for p in catalog.papers if p.status == "to-read"]
    return sorted(queue, key=lambda p: (p.added or date.max, p.path))


def render_home_page(
    catalog: Catalog, site_name: str, *, recent: int = 10, queue: int = 10, inbox: int = 0
) -> str:
    """Counts and ways in, the notes added last, the reading queue; ``inbox`` papers waiting."""
    paths = catalog.paths
    uri = paths.home
    papers = catalog.papers
    tags = {t.casefold() for p in papers for t in p.tags}
    venues = {p.venue for p in papers if p.venue}
    waiting = reading_queue(catalog)
    out = [page_frontmatter(None, search=False), f"# {escape_text(site_name)}\n\n"]

    def link(target: str, text: str) -> str:
        return f"[{text}]({relative_link(uri, target)})"

    counts = [
        plural(len(papers), "paper"),
        link(paths.topics_index, plural(len(catalog.kb.topics), "topic")),
        link(paths.tags, plural(len(tags), "tag")),
        link(paths.venues, plural(len(venues), "venue")),
        link(paths.reading_queue, f"{len(waiting)} to read"),
        link(paths.inbox, f"{inbox} in the inbox"),
    ]
    out.append(" · ".join(counts) + "\n{ .kb-counts }\n\n")
    out.append(
        "Browse by "
        + ", ".join(
            [
                link(paths.topics_index, "topic"),
                link(paths.timeline, "date"),
                link(paths.venues, "venue"),
                link(paths.tags, "tag"),
            ]
        )
        + f"; cite with {link(paths.bibliography, 'references.bib')}.\n\n"
    )
    feeds = f"{link(paths.notes_feed, 'new notes')} and {link(paths.inbox_feed, 'the inbox')}"
    out.append(f"Follow the Atom feeds of {feeds}.\n\n")
    out.append("## Recently added\n\n")
    latest = recently_added(catalog, recent)
    out.append(raw_block(paper_list(latest, uri, paths)) if latest else "Nothing yet.\n\n")
    out.append("## Reading queue\n\n")
    if waiting:
        out.append(raw_block(paper_list(waiting[:queue], uri, paths)))
        if len(waiting) > queue:
            more = len(waiting) - queue
            out.append(f"{link(paths.reading_queue, f'{more} more in the reading queue')}\n")
    else:
        out.append("Nothing waiting: every paper is read or being read.\n")
    return "".join(out)


def render_reading_queue_page(catalog: Catalog) -> str:
    """Every paper marked ``status: to-read``, the longest waiting first."""
    uri = catalog.paths.reading_queue
    waiting = reading_queue(catalog)
    out = [page_frontmatter("Reading queue", search=False), "# Reading queue\n\n"]
    if not waiting:
        out.append("Nothing waiting: every paper is read or being read.\n")
        return "".join(out)
    out.append(
        f"{plural(len(waiting), 'paper')} marked `status: to-read`, longest waiting first.\n\n"
    )
    out.append(raw_block(paper_list(waiting, uri, catalog.paths)))
    return "".join(out)
