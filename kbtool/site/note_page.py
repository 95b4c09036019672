"""The page of one paper: its metadata, then the researcher's note body."""

from __future__ import annotations

import yaml

from kbtool.note import Note
from kbtool.site.markdown_escape import escape_html, escape_text, escape_url


def page_frontmatter(title: str, tags: list[str]) -> str:
    """MkDocs page metadata. The theme prints titles unescaped, so they are HTML-escaped here."""
    meta: dict[str, object] = {"title": escape_html(title)}
    if tags:
        meta["tags"] = [escape_html(t) for t in tags]
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"


def render_note_page(note: Note) -> str:
    """The Markdown of a paper's page; every frontmatter value is escaped as data."""
    out = [page_frontmatter(note.title, note.string_list("tags"))]
    out.append(f"# {escape_text(note.title)}\n")
    facts: list[str] = []
    authors = note.string_list("authors")
    if authors:
        facts.append("**Authors:** " + ", ".join(escape_text(a) for a in authors))
    arxiv = note.arxiv_id
    if arxiv is not None:
        facts.append(f"**arXiv:** [{escape_text(str(arxiv))}]({escape_url(arxiv.abs_url)})")
    published = note.date_of("published")
    if published:
        facts.append(f"**Published:** {published.isoformat()}")
    venue = note.fields.get("venue")
    if isinstance(venue, str) and venue.strip():
        facts.append(f"**Venue:** {escape_text(venue)}")
    topics = note.string_list("topics")
    if topics:
        facts.append("**Topics:** " + ", ".join(escape_text(t) for t in topics))
    if facts:
        out.append("\n".join(f"- {fact}" for fact in facts) + "\n")
    out.append(note.body)
    return "\n".join(out)
