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
    code = html_module.escape(entry.adopt_command, quote=False)
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


def render_inbox_page(entries: Sequence[InboxEntry], paths: SitePaths) -> str:
    """The Inbox page for ``entries`` (already ranked, papers with notes left out)."""
    uri = paths.inbox
    feed = f"[Atom feed]({relative_link(uri, paths.inbox_feed)})"
    out = [page_frontmatter("Inbox", search=False), "# Inbox\n\n"]
    if not entries:
        out.append(
            "The inbox is empty. `kbtool watch` fills it with new arXiv papers that match "
            "the `watch:` keywords in `kbtool.yml` (daily, through the watch workflow). "
            f"Subscribe to its {feed}.\n"
        )
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
    return "".join(out)
