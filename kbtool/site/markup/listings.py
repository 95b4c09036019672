"""Lists and tables of papers, as HTML, shared by the index pages.

Index pages can list thousands of papers; writing them as raw HTML (every value
escaped, every link computed by :meth:`SitePaths.href`) keeps Markdown from
parsing them again, which is most of what makes large index pages cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kbtool.site.catalog import Paper
from kbtool.site.markup.markdown_escape import escape_html
from kbtool.site.paths import SitePaths

STATUS_LABELS = {"to-read": "to read", "reading": "reading", "read": "read"}


def status_badge(status: str) -> str:
    """A small badge for a reading status (empty for none)."""
    if status not in STATUS_LABELS:
        return ""
    return f'<span class="kb-status kb-status--{status}">{STATUS_LABELS[status]}</span>'


def paper_link(paper: Paper, from_uri: str, paths: SitePaths) -> str:
    href = paths.href(from_uri, paper.uri)
    return f'<a href="{href}">{escape_html(paper.title)}</a>'


def paper_facts(paper: Paper) -> str:
    """``2024-10 · ICLR 2025``: when and where, as escaped text."""
    parts = []
    if paper.published:
        parts.append(paper.published.strftime("%Y-%m"))
    if paper.venue:
        parts.append(escape_html(paper.venue))
    return " · ".join(parts)


def paper_list(
    papers: Iterable[Paper],
    from_uri: str,
    paths: SitePaths,
    *,
    facts: Callable[[Paper], str] = paper_facts,
) -> str:
    """A ``<ul>`` of papers: link, facts, status badge."""
    items = []
    for paper in papers:
        detail = facts(paper)
        detail_html = f' <span class="kb-facts">{detail}</span>' if detail else ""
        badge = status_badge(paper.status)
        items.append(
            f"<li>{paper_link(paper, from_uri, paths)}{detail_html}"
            f"{' ' + badge if badge else ''}</li>"
        )
    return '<ul class="kb-papers">\n' + "\n".join(items) + "\n</ul>\n"


def paper_table(
    papers: Iterable[Paper],
    from_uri: str,
    paths: SitePaths,
    *,
    extra: tuple[str, Callable[[Paper], str]] | None = None,
) -> str:
    """A table of papers: title, year, venue, status (and one ``extra`` column)."""
    head = ["Title", "Year", "Venue", "Status"] + ([extra[0]] if extra else [])
    rows = []
    for paper in papers:
        cells = [
            paper_link(paper, from_uri, paths),
            str(paper.year or ""),
            escape_html(paper.venue),
            status_badge(paper.status),
        ]
        if extra:
            cells.append(extra[1](paper))
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
    return (
        "<table>\n<thead>"
        + header
        + "</thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n"
    )
