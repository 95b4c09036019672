"""The search index: documents in, the files the browser fetches out, in time linear in the text.

The browser fetches only what a query needs (``assets/search-engine.js`` reads
these files; :data:`FORMAT` names this layout):

``manifest.json``
    The number of documents, the fields and their average lengths, how terms are
    sharded (``split``, ``buckets``) and which shards exist (``shards``: a term whose
    shard is not there is in no document, and nothing is fetched); ``id`` changes
    whenever anything does, and the browser adds it to every other request so no
    stale file is used.
``docs.json``
    Per document: each field's length (ranking normalises by it), and its topics,
    tags, status and year as small numbers (the filters), with their labels.
``d/<shard>.json``
    The dictionary: term → [document frequency, postings file]. A term's shard is
    its first letter or digit (its first two when the letter holds many terms), or,
    for other scripts, its first character's code point modulo ``buckets``; all
    words sharing a prefix of two characters share a shard, so prefix and typo
    expansion read one shard.
``p/<n>.json``
    Postings, term → a flat list of numbers: for each document holding the term,
    the gap from the previous document's number, a bit mask of the fields holding
    it, then for each of those fields the number of positions and the gaps between
    them. Terms are packed in sorted order into files of about :data:`POSTINGS_FILE_BYTES`.
``heads.json``
    What a result shows first, for every document: URL, title, venue, and kind
    (``n``: a note, ``t``: a topic page), one letter each in a string. With docs.json
    it lets the list of results show at once; the passages follow.
``f/<n>.json``
    A document's text (``text``), where a result's passage is taken from.

Exact names are terms too: ``=`` followed by the name's canonical text
(:func:`kbtool.search.tokens.canonical`), held in the key field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from kbtool.core.schema import STATUSES
from kbtool.search.document import FIELDS, SearchDocument

FORMAT = 1
#: Postings are packed into files of about this many bytes (a term with more has its own).
POSTINGS_FILE_BYTES = 16_384
#: A letter or digit whose shard would hold more terms than this is split by its second.
SPLIT_TERMS = 2_000
#: Shards for terms of other scripts hold about this many terms.
BUCKET_TERMS = 1_500
EXACT = "="
#: The postings entry of an exact name: in the key field (mask 1), once, at position 0.
EXACT_ENTRY = "1,1,0"
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class SearchIndex:
    """The index's files by path relative to its folder, and what they add up to."""

    files: dict[str, bytes]
    documents: int
    terms: int

    @property
    def size(self) -> int:
        return sum(len(content) for content in self.files.values())


def shard_of(term: str, split: frozenset[str], buckets: int) -> str:
    """The dictionary shard holding ``term`` (``assets/search-engine.js`` agrees)."""
    if term.startswith(EXACT):
        term = term[len(EXACT) :]
    first = term[0]
    if first in _ASCII_ALNUM:
        if first not in split:
            return first
        second = term[1:2]
        return first + (second if second in _ASCII_ALNUM else "_")
    return f"_{ord(first) % buckets}"


def _sharding(terms: Sequence[str]) -> tuple[frozenset[str], int]:
    counts: dict[str, int] = {}
    others = 0
    for term in terms:
        first = term[len(EXACT)] if term.startswith(EXACT) else term[0]
        if first in _ASCII_ALNUM:
            counts[first] = counts.get(first, 0) + 1
        else:
            others += 1
    split = frozenset(c for c, n in counts.items() if n > SPLIT_TERMS)
    buckets = 1
    while buckets < 1024 and others / buckets > BUCKET_TERMS:
        buckets *= 2
    return split, buckets


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _collect(documents: Sequence[SearchDocument]) -> dict[str, list[str]]:
    """Term → its postings, each document's entry preceded by the gap from the previous one."""
    # Run once per term of every note: written for CPython's speed.
    postings: dict[str, list[str]] = {}
    last: dict[str, int] = {}
    numbers = [f"{n}," for n in range(len(documents) + 1)]
    get = postings.get
    for doc, document in enumerate(documents):
        for term, entry in document.postings.items():
            found = get(term)
            if found is None:
                postings[term] = [numbers[doc] + entry]
            else:
                found.append(numbers[doc - last[term]] + entry)
            last[term] = doc
        for name in document.names:
            term = EXACT + name
            found = get(term)
            if found is None:
                postings[term] = [numbers[doc] + EXACT_ENTRY]
            else:
                found.append(numbers[doc - last[term]] + EXACT_ENTRY)
            last[term] = doc
    return postings


def _postings_files(
    postings: dict[str, list[str]],
) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    """Pack the postings into files; return them and term → (frequency, file number)."""
    files: dict[str, bytes] = {}
    where: dict[str, tuple[int, int]] = {}
    chunk: list[bytes] = []
    size = 0

    def close() -> None:
        nonlocal size
        if chunk:
            files[f"p/{len(files)}.json"] = b"{" + b",".join(chunk) + b"}"
            chunk.clear()
            size = 0

    for term in sorted(postings):
        entries = postings[term]
        entry = f"{json.dumps(term, ensure_ascii=False)}:[{','.join(entries)}]".encode()
        if chunk and size + len(entry) > POSTINGS_FILE_BYTES:
            close()
        chunk.append(entry)
        size += len(entry) + 1
        where[term] = (len(entries), len(files))
    close()
    return files, where


def _facets(documents: Sequence[SearchDocument]) -> dict[str, object]:
    """Topics, tags, status and year of each document as numbers, and their labels."""
    topic_titles: dict[str, str] = {}
    for document in documents:
        for topic_id, title in document.topics:
            topic_titles.setdefault(topic_id, title)
    topic_ids = sorted(topic_titles, key=lambda t: (topic_titles[t].casefold(), t))
    topic_number = {t: i for i, t in enumerate(topic_ids)}
    tags = sorted({t for d in documents for t in d.tags}, key=lambda t: (t.casefold(), t))
    tag_number = {t: i for i, t in enumerate(tags)}
    status_number = {s: i for i, s in enumerate(STATUSES)}
    return {
        "topics": [[t, topic_titles[t]] for t in topic_ids],
        "tags": tags,
        "statuses": list(STATUSES),
        "docTopics": [[topic_number[t] for t, _title in d.topics] for d in documents],
        "docTags": [[tag_number[t] for t in d.tags] for d in documents],
        "docStatus": [status_number.get(d.status, -1) for d in documents],
        "docYear": [d.year or 0 for d in documents],
    }


def _heads(documents: Sequence[SearchDocument]) -> dict[str, object]:
    return {
        "urls": [d.url for d in documents],
        "titles": [d.title for d in documents],
        "venues": [d.venue for d in documents],
        "kinds": "".join(d.kind[0] for d in documents),
    }


def build_search_index(documents: Sequence[SearchDocument]) -> SearchIndex:
    """The index of ``documents`` (numbered in this order), as files (see the module docstring)."""
    postings = _collect(documents)
    split, buckets = _sharding(list(postings))
    files, where = _postings_files(postings)
    shards: dict[str, dict[str, list[int]]] = {}
    for term in sorted(where):
        frequency, number = where[term]
        shards.setdefault(shard_of(term, split, buckets), {})[term] = [frequency, number]
    for shard, entries in shards.items():
        files[f"d/{shard}.json"] = _json(entries)
    count = max(len(documents), 1)
    averages = [round(sum(d.lengths[f] for d in documents) / count, 3) for f in range(len(FIELDS))]
    docs = {"lengths": [n for d in documents for n in d.lengths], **_facets(documents)}
    files["docs.json"] = _json(docs)
    files["heads.json"] = _json(_heads(documents))
    for number, document in enumerate(documents):
        files[f"f/{number}.json"] = _json({"text": document.text})
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path])
    manifest = {
        "format": FORMAT,
        "id": digest.hexdigest()[:16],
        "documents": len(documents),
        "fields": list(FIELDS),
        "averages": averages,
        "split": "".join(sorted(split)),
        "buckets": buckets,
        "shards": sorted(shards),
    }
    files["manifest.json"] = _json(manifest)
    return SearchIndex(files=files, documents=len(documents), terms=len(postings))
