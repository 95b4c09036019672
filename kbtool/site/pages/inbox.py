"""The Inbox page: new arXiv papers found by ``kbtool watch``, best first, each one command away.

Everything in an entry came from arXiv and is data: each paper is a raw HTML
card with every value escaped (its heading, for the table of contents, is
escaped Markdown). The abstract is folded; the ``kbtool new ID`` command sits in
a code block, so Material gives it a copy button. The page is left out of the
search index: search is for the knowledge base's own notes.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Sequence

from kbtool.citations.graph import MissingPaper
from kbtool.site.catalog import Catalog, newest_first
from kbtool.site.markup.listings import paper_link
from kbtool.site.markup.markdown_escape import escape_html, escape_text
from kbtool.site.markup.page_meta import page_frontmatter
from kbtool.site.markup.raw_html import raw_block
from kbtool.site.pages.paper import author_list
from kbtool.site.paths import SitePaths, relative_link
from kbtool.util.plural import plural
from kbtool.watch.inbox import InboxEntry


def inbox_anchor(entry: InboxEntry) -> str:
    """The paper's anchor on the Inbox page (``2602.05191`` → ``arxiv-2602-05191``)."""
    return "arxiv-" + re.sub(r"[^0-9a-z]+", "-", entry.id.lower()).strip("-")


def _external(url: str, label: str) -> str:
    return f'<a href="{escape_html(url)}" rel="noopener">{label}</a>'


def _keywords(entry: InboxEntry) -> str:
    in_title = set(entry.title_keywords)
    shown = [
        f'<strong title="in the title">{escape_html(k)}</strong>'
        if k in in_title
        else escape_html(k)
        for k in entry.keywords
    ]
    return ", ".join(shown)


def adopt_block(entry: InboxEntry) -> str:
    """The ``kbtool new ID`` command as a code block (Material adds its copy button)."""
    return command_block(entry.adopt_command)


def command_block(command: str) -> str:
    """A shell command as a code block (Material adds its copy button)."""
    code = html_module.escape(command, quote=False)
    return (
        '<div class="language-sh highlight kb-adopt"><pre><span></span>'
        f"<code>{code}</code></pre></div>\n"
    )


def render_inbox_card(entry: InboxEntry, rank: int) -> str:
    """One paper's card: facts, summary (if any), folded abstract, the adopt command."""
    rows: list[tuple[str, str]] = [
        (
            "Score",
            f'<span class="kb-score">{entry.score:g}</span> '
            f'<span class="kb-facts">#{rank}</span> · {_keywords(entry)}',
        )
    ]
    if entry.authors:
        rows.append(("Authors", author_list(list(entry.authors))))
    others = [c for c in entry.categories if c != entry.category]
    category = escape_html(entry.category)
    if others:
        category += f' <span class="kb-facts">(also {escape_html(", ".join(others))})</span>'
    rows.append(("Category", category))
    rows.append(
        (
            "Date",
            f"submitted {entry.published.isoformat()}, "
            f"in the inbox since {entry.first_seen.isoformat()}",
        )
    )
    links = [
        _external(entry.abs_url, f"arXiv:{escape_html(entry.id)} (v{entry.version})"),
        _external(entry.pdf_url, "PDF"),
    ]
    rows.append(("Links", " · ".join(links)))
    if entry.comment:
        rows.append(("Comment", escape_html(entry.comment)))
    facts = "\n".join(f"<dt>{name}</dt> <dd>{value}</dd>" for name, value in rows)
    out = f'<div class="kb-card kb-inbox-card">\n<dl class="kb-card__facts">\n{facts}\n</dl>\n'
    if entry.summary:
        out += f'<p class="kb-summary">{escape_html(entry.summary)}</p>\n'
    if entry.abstract:
        out += (
            '<details class="abstract kb-abstract"><summary>Abstract</summary>'
            f"<p>{escape_html(entry.abstract)}</p></details>\n"
        )
    out += adopt_block(entry)
    return out + "</div>\n"


#: A missing paper's card links this many of the notes citing it (the newest), then counts.
CITING_SHOWN = 10


def render_missing_card(paper: MissingPaper, catalog: Catalog) -> str:
    """A paper several notes cite, with no note: who cites it, where to read it, how to add it."""
    uri, paths = catalog.paths.inbox, catalog.paths
    citing = newest_first([catalog.by_path[p] for p in paper.cited_by if p in catalog.by_path])
    links = ", ".join(paper_link(p, uri, paths) for p in citing[:CITING_SHOWN])
    if len(citing) > CITING_SHOWN:
        links += f" and {len(citing) - CITING_SHOWN} more"
    count = len(paper.cited_by)
    rows = [("Cited by", f"{count} of your notes: {links}")]
    if paper.year:
        rows.append(("Year", str(paper.year)))
    label = f"arXiv:{escape_html(paper.arxiv_id)}" if paper.arxiv_id else escape_html(paper.key)
    rows.append(("Links", _external(paper.url, label)))
    facts = "\n".join(f"<dt>{name}</dt> <dd>{value}</dd>" for name, value in rows)
    out = (
        f'<div class="kb-card kb-missing-card" id="{paper.anchor}">\n'
        f'<p class="kb-missing-card__title"><strong>{escape_html(paper.label)}</strong></p>\n'
        f'<dl class="kb-card__facts">\n{facts}\n</dl>\n'
    )
    if paper.add_command:
        out += command_block(paper.add_command)
    else:
        out += '<p class="kb-facts">No arXiv id: <code>kbtool new</code> takes arXiv ids.</p>\n'
    return out + "</div>\n"


def render_missing_section(missing: Sequence[MissingPaper], catalog: Catalog) -> str:
    """The papers your notes cite most that have no note yet, most cited first."""
    out = ["## Cited by your notes, without a note { #kb-missing }\n\n"]
    minimum = catalog.citations.missing_min
    out.append(
        f"Papers that at least {minimum} of your notes cite (Semantic Scholar's references, "
        "`citations.missing_min` in `kbtool.yml`), most cited first. Add one with the "
        "`kbtool new` command under it.\n\n"
    )
    out.append(raw_block("\n".join(render_missing_card(p, catalog) for p in missing)))
    return "".join(out)


def render_inbox_page(
    entries: Sequence[InboxEntry],
    paths: SitePaths,
    missing: Sequence[MissingPaper] = (),
    catalog: Catalog | None = None,
) -> str:
    """The Inbox page for ``entries`` (already ranked, papers with notes left out), then the
    ``missing`` papers (with the ``catalog`` for their citing notes)."""
    uri = paths.inbox
    feed = f"[Atom feed]({relative_link(uri, paths.inbox_feed)})"
    out = [page_frontmatter("Inbox", search=False), "# Inbox\n\n"]
    if not entries:
        out.append(
            "The inbox is empty. `kbtool watch` fills it with new arXiv papers that match "
            "the `watch:` keywords in `kbtool.yml` (daily, through the watch workflow). "
            f"Subscribe to its {feed}.\n"
        )
        if missing and catalog is not None:
            out.append("\n" + render_missing_section(missing, catalog))
        return "".join(out)
    count = plural(len(entries), "new paper")
    out.append(
        f"{count} from arXiv matching the `watch:` keywords in `kbtool.yml`, best first "
        "(keywords in **bold** are in the title). Adopt one with the `kbtool new` command "
        f"under it: it becomes a note and leaves the inbox. Subscribe: {feed}.\n\n"
    )
    for rank, entry in enumerate(entries, 1):
        title = escape_text(entry.title) or escape_text(entry.id)
        out.append(f"## {title} {{ #{inbox_anchor(entry)} }}\n\n")
        out.append(raw_block(render_inbox_card(entry, rank)))
    if missing and catalog is not None:
        out.append(render_missing_section(missing, catalog))
    return "".join(out)
