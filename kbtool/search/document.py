"""One note as search sees it: its fields' terms, the names it answers to, what a result shows.

:func:`search_document` is a pure function of one note (and of the few facts the
site works out about it: its URL, year, citation key and topic titles), so a
build can compute documents in parallel or keep them in a cache between builds;
:func:`kbtool.search.index.build_search_index` assembles them. Topic pages are searched
too (:func:`topic_document`): the researcher writes about whole topics as well.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from operator import sub

from kbtool.core.note import Note
from kbtool.core.schema import STATUSES
from kbtool.core.topics import Topic
from kbtool.search.text import markdown_to_text
from kbtool.search.tokens import add_terms, atoms, canonical

#: The fields of a document, in the order the index stores them (the browser's
#: ranking weighs them). ``key``: names and ids (aliases, the name before a title's
#: colon, arXiv/OpenReview ids, DOI, citation key); ``title``; ``meta``: authors,
#: venue, topics, tags, status, year, arXiv categories; ``body``: the note and abstract.
FIELDS = ("key", "title", "meta", "body")
#: Positions left between two values of one field, so no phrase spans them.
VALUE_GAP = 16
#: A title's head (``EAGLE`` in ``EAGLE: Speculative Sampling…``) is a name when this short.
NAME_ATOMS = 4

_TITLE_HEAD = re.compile(r"\s*[:：]\s*|\s+[-–—]+\s+")
_PARENTHESES = re.compile(r"[(（]([^()（）]{1,32})[)）]")


@dataclasses.dataclass(frozen=True, eq=False)
class SearchDocument:
    """What the index needs of one note; see :func:`search_document`."""

    url: str
    #: ``note`` (a paper's page) or ``topic`` (a topic's page).
    kind: str
    title: str
    year: int | None
    venue: str
    #: (topic id, topic title) pairs.
    topics: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    status: str
    #: The note as plain text (then its abstract): what result snippets quote.
    text: str
    #: Term → where this document holds it, in the index's encoding (see
    #: :mod:`kbtool.search.index`): the bit mask of fields, then per field the number of
    #: positions and their gaps (a CJK character alone: minus its count, no positions).
    postings: dict[str, str]
    #: For each field: how many positions its text takes (ranking normalises by it).
    lengths: tuple[int, ...]
    #: Names the note answers to exactly, as :func:`~kbtool.search.tokens.canonical` text.
    names: tuple[str, ...]

    def to_bytes(self) -> bytes:
        """The document as JSON, for a build's cache (:meth:`from_bytes` reads it back)."""
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        return json.dumps(fields, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SearchDocument:
        fields = json.loads(data)
        return cls(
            **{
                **fields,
                "topics": tuple((topic, title) for topic, title in fields["topics"]),
                "tags": tuple(fields["tags"]),
                "lengths": tuple(fields["lengths"]),
                "names": tuple(fields["names"]),
            }
        )


def _text_field(note: Note, key: str) -> str:
    value = note.fields.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


@dataclasses.dataclass
class FieldTerms:
    """One field's terms: positions of each (but CJK characters alone: their counts)."""

    terms: dict[str, list[int]]
    chars: Counter[str]
    length: int


def field_terms(values: Iterable[str]) -> FieldTerms:
    """The terms of ``values`` (one field), each value apart from the next."""
    terms: dict[str, list[int]] = {}
    chars: Counter[str] = Counter()
    position = length = 0
    for value in values:
        end = add_terms(value, terms, chars, position)
        length += end - position
        position = end + VALUE_GAP
    return FieldTerms(terms, chars, length)


def _pieces(found: FieldTerms) -> dict[str, str]:
    """One field's part of each term's entry: the number of positions and their gaps."""
    pieces = {char: f"-{count}" for char, count in found.chars.items()}
    pieces.update(
        {
            term: f"1,{p[0]}"
            if len(p) == 1
            else f"{len(p)},{p[0]},{','.join(map(str, map(sub, p[1:], p)))}"
            for term, p in found.terms.items()
        }
    )
    return pieces


def encode_postings(fields: Sequence[FieldTerms]) -> dict[str, str]:
    """Term → the document's postings entry for it (mask, then each field's positions).

    A CJK character alone is stored as minus its count: one-character queries need
    how often it occurs, never where, and these are the most frequent terms there are.
    """
    # Run once per term of every note, written for CPython's speed: most terms are in
    # the last field (the body) alone, and take the comprehension at the end.
    *short, last = [_pieces(found) for found in fields]
    masks: dict[str, int] = {}
    entries: dict[str, str] = {}
    for field, pieces in enumerate(short):
        bit = 1 << field
        for term, piece in pieces.items():
            if term in masks:
                masks[term] |= bit
                entries[term] += "," + piece
            else:
                masks[term] = bit
                entries[term] = piece
    bit = 1 << len(short)
    encoded = {
        term: f"{masks[term] | bit},{entries[term]},{piece}" if term in masks else f"{bit},{piece}"
        for term, piece in last.items()
    }
    for term, piece in entries.items():
        if term not in last:
            encoded[term] = f"{masks[term]},{piece}"
    return encoded


def note_names(note: Note, title: str, citekey: str) -> list[str]:
    """Names and ids ``note`` answers to: aliases, a short title head, ids, citation key."""
    names = list(dict.fromkeys(note.string_list("aliases")))
    head = _TITLE_HEAD.split(title, maxsplit=1)[0]
    if head != title and sum(1 for _ in atoms(head)) <= NAME_ATOMS:
        names.append(head)
    if " / " in head:
        names += [part for part in head.split(" / ") if part.strip()]
    for text in (title, *names):
        names += _PARENTHESES.findall(text)
    arxiv = note.arxiv_id
    if arxiv is not None:
        names += [str(arxiv), f"arXiv:{arxiv}"]
        if arxiv.version is not None:
            names += [arxiv.base, f"arXiv:{arxiv.base}"]
    for key in ("openreview", "doi"):
        value = _text_field(note, key)
        if value:
            names.append(value)
    if citekey:
        names.append(citekey)
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def search_document(
    note: Note,
    *,
    url: str,
    year: int | None,
    citekey: str = "",
    topics: Sequence[tuple[str, str]] = (),
) -> SearchDocument:
    """``note`` as a search document.

    ``url`` is the note's page relative to the site root; ``year`` the year the
    site shows for it; ``citekey`` its BibTeX key; ``topics`` its topics as
    (id, title) pairs. Everything else comes from the note: no HTML is parsed.
    """
    title = " ".join(note.title.split())
    venue = _text_field(note, "venue")
    status = _text_field(note, "status")
    status = status if status in STATUSES else ""
    tags = tuple(dict.fromkeys(t.strip() for t in note.string_list("tags")))
    names = note_names(note, title, citekey)
    primary = _text_field(note, "primary_category")
    categories = dict.fromkeys(c for c in [primary, *note.string_list("categories")] if c)
    meta = [
        *note.string_list("authors"),
        venue,
        *(text for topic in topics for text in topic),
        *tags,
        status,
        str(year) if year else "",
        *categories,
    ]
    text = markdown_to_text(note.body)
    abstract = _text_field(note, "abstract")
    if abstract:
        text = f"{text}\n{abstract}" if text else abstract
    return _document(
        url=url,
        title=title,
        names=names,
        meta=meta,
        text=text,
        kind="note",
        year=year,
        venue=venue,
        topics=tuple(topics),
        tags=tags,
        status=status,
    )


def topic_document(topic: Topic, *, url: str, text: str = "", parent: str = "") -> SearchDocument:
    """A topic's page as a search document: its title, aliases, description and the
    researcher's text about it (``topics/<id>.md``, Markdown); ``parent`` is the title of
    the topic it belongs to."""
    body = "\n".join(part for part in (topic.description, markdown_to_text(text)) if part)
    return _document(
        url=url,
        title=topic.title,
        names=[topic.id, *topic.aliases],
        meta=[parent] if parent else [],
        text=body,
        kind="topic",
        topics=((topic.id, topic.title),),
    )


def _document(
    *,
    url: str,
    title: str,
    names: list[str],
    meta: list[str],
    text: str,
    kind: str,
    year: int | None = None,
    venue: str = "",
    topics: tuple[tuple[str, str], ...] = (),
    tags: tuple[str, ...] = (),
    status: str = "",
) -> SearchDocument:
    fields = [field_terms(names), field_terms([title]), field_terms(v for v in meta if v)]
    fields.append(field_terms([text]))
    exact = {canonical(name) for name in (title, *names)}
    return SearchDocument(
        url=url,
        kind=kind,
        title=title,
        year=year,
        venue=venue,
        topics=topics,
        tags=tags,
        status=status,
        text=text,
        postings=encode_postings(fields),
        lengths=tuple(found.length for found in fields),
        names=tuple(sorted(n for n in exact if n)),
    )
