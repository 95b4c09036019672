"""A note's Markdown body as the site shows it: its links pointing at the site's pages.

Links are resolved exactly as ``kbtool check`` resolves them
(:meth:`KnowledgeBase.resolve`): a ``[[wikilink]]`` (with ``#anchor`` and
``|alias``) becomes a Markdown link to the paper's page; a relative link to
another note, or to a file beside the notes or in ``docs/``, is rewritten for
the page's place on the site. A link that resolves to nothing becomes a
marked "broken link" text rather than a dead link: ``kbtool check`` reports
it with its line, and the site still builds. Everything else is left as
written. Top-level ``<details>`` blocks get ``markdown="1"`` so the Markdown
inside them renders.
"""

from __future__ import annotations

import html
import re

from kbtool.config import DOCS_DIR
from kbtool.core.knowledge_base import KnowledgeBase, LinkTargetKind, ResolvedLink
from kbtool.core.markdown_links import LinkKind, LinkSpan, mask_code
from kbtool.core.note import Note
from kbtool.site.markup.markdown_escape import escape_text
from kbtool.site.paths import SitePaths, relative_link

_UNCERTAIN = re.compile(r"⟦([^⟦⟧\n]{1,40})⟧")
UNCERTAIN_TITLE = (
    "Restored from damaged encoding, but not with confidence: check this against the paper"
)


def splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` applied; the edits are in order and
    do not overlap. Joined once, so a note with 30,000 links is rewritten in linear time."""
    parts: list[str] = []
    position = 0
    for start, end, replacement in edits:
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def mark_uncertain_repairs(body: str) -> str:
    """``body`` with each ``⟦…⟧`` left by the encoding repair shown as a marked span.

    ``kbtool import``/``fix-encoding`` wrap characters they could not restore with
    confidence in ``⟦…⟧``; on the site they read as the characters themselves,
    underlined, with an explanation on hover. Code keeps the brackets as written.
    """
    if "⟦" not in body:
        return body
    edits = []
    for match in _UNCERTAIN.finditer(mask_code(body)):
        start, end = match.span()
        inner = html.escape(body[start + 1 : end - 1])
        edits.append(
            (start, end, f'<span class="kb-uncertain" title="{UNCERTAIN_TITLE}">{inner}</span>')
        )
    return splice(body, edits)


_DETAILS_OPEN = re.compile(r"^ {0,3}<details\b(?P<attrs>[^>\n]*)>", re.MULTILINE | re.IGNORECASE)


def markdown_in_details(body: str) -> str:
    """``body`` with ``markdown="1"`` on each top-level ``<details>`` outside code.

    Notes put Markdown (lists, tables, math) inside ``<details>`` blocks; marked
    this way, the ``md_in_html`` extension renders it instead of showing it raw.
    """
    if "<details" not in body.lower():
        return body
    inserts = [
        (m.end("attrs"), m.end("attrs"), ' markdown="1"')
        for m in _DETAILS_OPEN.finditer(mask_code(body))
        if "markdown" not in m["attrs"].lower()
    ]
    return splice(body, inserts)


def broken_link(label: str, reason: str) -> str:
    """Inline HTML for a link that goes nowhere; ``label`` is Markdown, ``reason`` data."""
    return f'<span class="kb-broken-link" title="{html.escape(reason, quote=True)}">{label}</span>'


def _page_of(target: Note, note: Note, page_uri: str, paths: SitePaths) -> str:
    """The page of ``target``, linked from ``note`` shown on ``page_uri``.

    A link within the note itself (``#anchor``, ``[[#anchor]]``) stays on its page,
    which for a topic text is the topic's page, not a paper's.
    """
    return page_uri if target.path == note.path else paths.paper(target.path)


def _site_file(resolved: ResolvedLink, note: Note, page_uri: str, paths: SitePaths) -> str | None:
    """Where the target of a link of ``note`` (on ``page_uri``) lives on the site, if there."""
    if resolved.kind is LinkTargetKind.NOTE and resolved.note is not None:
        return _page_of(resolved.note, note, page_uri, paths)
    if resolved.kind is LinkTargetKind.FILE and resolved.path is not None:
        in_notes = paths.for_note_file(resolved.path)
        if in_notes is not None:
            return in_notes
        prefix = DOCS_DIR + "/"
        if resolved.path.startswith(prefix):
            return resolved.path[len(prefix) :]
    return None


def _wikilink(
    span: LinkSpan, note: Note, kb: KnowledgeBase, page_uri: str, paths: SitePaths
) -> str:
    ref = span.ref
    resolved = kb.resolve(note, ref)
    target = resolved.note
    if resolved.kind is not LinkTargetKind.NOTE or target is None:
        label = ref.label or escape_text(ref.target + (f"#{ref.anchor}" if ref.anchor else ""))
        return broken_link(label, f"No note named “{ref.target}”")
    if ref.label:
        label = ref.label
    elif not ref.target and ref.anchor:
        label = escape_text(ref.anchor)
    else:
        label = escape_text(target.title) + (f" › {escape_text(ref.anchor)}" if ref.anchor else "")
    target_uri = _page_of(target, note, page_uri, paths)
    destination = relative_link(page_uri, target_uri, ref.anchor or None)
    return f"[{label}]({destination or '#'})"


def _relative(
    span: LinkSpan, note: Note, kb: KnowledgeBase, page_uri: str, paths: SitePaths
) -> tuple[int, int, str] | None:
    """The replacement (start, end, text) for a relative link, or None to keep it."""
    ref = span.ref
    resolved = kb.resolve(note, ref)
    if resolved.kind in (LinkTargetKind.EXTERNAL, LinkTargetKind.UNCHECKED):
        return None
    if resolved.malformed is not None:
        return _malformed(span, resolved.malformed)
    site_file = _site_file(resolved, note, page_uri, paths)
    if site_file is not None:
        if ref.kind is LinkKind.HTML:
            destination = paths.href(page_uri, site_file, resolved.anchor)
        else:
            destination = relative_link(page_uri, site_file, resolved.anchor) or "#"
        return span.target_start, span.target_end, destination
    if ref.kind in (LinkKind.HTML, LinkKind.REFERENCE):
        # Raw HTML is not checked by MkDocs; a reference definition has no text to mark.
        return None
    label = ref.label if ref.kind is LinkKind.LINK else escape_text(ref.label or "image")
    what = "image" if ref.kind is LinkKind.IMAGE else "link target"
    reason = f"{what} {ref.target} is not on the site"
    return span.start, span.end, broken_link(label, reason)


def _malformed(span: LinkSpan, why: str) -> tuple[int, int, str]:
    """A link to a URL no one can read (``http://[::1``): text marked broken, never a link
    (MkDocs itself fails on it), or for a reference definition a target that goes nowhere."""
    ref = span.ref
    if ref.kind in (LinkKind.REFERENCE, LinkKind.HTML):
        return span.target_start, span.target_end, "#"
    label = ref.label if ref.kind is LinkKind.LINK else escape_text(ref.label or ref.target)
    return span.start, span.end, broken_link(label, f"{ref.target} is not a URL: {why}")


def render_body(note: Note, kb: KnowledgeBase, page_uri: str, paths: SitePaths) -> str:
    """``note``'s body for the page at ``page_uri``, its links pointing at site pages."""
    body = note.body
    if "[" not in body and "<" not in body:
        return mark_uncertain_repairs(body)
    edits: list[tuple[int, int, str]] = []
    for span in kb.link_spans_of(note):
        kind = span.ref.kind
        if kind is LinkKind.WIKILINK:
            edits.append((span.start, span.end, _wikilink(span, note, kb, page_uri, paths)))
        elif kind in (
            LinkKind.LINK,
            LinkKind.IMAGE,
            LinkKind.REFERENCE,
            LinkKind.HTML,
            LinkKind.AUTOLINK,
        ):
            edit = _relative(span, note, kb, page_uri, paths)
            if edit is not None:
                edits.append(edit)
    # An image inside a link's label is dropped when the whole link is replaced.
    kept: list[tuple[int, int, str]] = []
    for edit in sorted(edits, key=lambda e: (e[0], -e[1])):
        if kept and edit[0] < kept[-1][1]:
            continue
        kept.append(edit)
    return mark_uncertain_repairs(markdown_in_details(splice(body, kept)))
