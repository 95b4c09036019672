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

import bisect
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


def _terms(document: SearchDocument) -> dict[str, str]:
    """Term → the document's postings entry for it, exact names included."""
    return {**document.postings, **{EXACT + name: EXACT_ENTRY for name in document.names}}


def _regap(piece: str, gap: int) -> str:
    """A posting (``gap,entry``) with another gap."""
    return f"{gap},{piece.split(',', 1)[1]}"


class SearchIndexer:
    """:func:`build_search_index`, again and again as documents change (``kbtool serve``).

    After the first time, a build with as many documents as the last encodes again
    only the terms of the documents that changed (an unchanged document is the very
    object of the last build: :class:`SearchDocument` compares by identity); what
    follows, packing the encoded terms into files, is linear in the number of terms,
    not of postings. The files are the same bytes :func:`build_search_index` makes of
    the same documents.
    """

    #: A build changing more than this share of the documents starts from scratch.
    REBUILD_SHARE = 0.25

    def __init__(self) -> None:
        self._documents: list[SearchDocument] = []
        self._holders: dict[str, list[int]] = {}  # term → documents holding it, ascending
        self._pieces: dict[str, list[str]] = {}  # term → its postings, ``gap,entry`` each
        self._encoded: dict[str, bytes] = {}  # term → its entry in a postings file
        self._sorted: list[str] = []
        self._texts: list[bytes] = []  # f/<n>.json

    def index(self, documents: Sequence[SearchDocument]) -> SearchIndex:
        documents = list(documents)
        changed = self._changed(documents)
        if changed is None:
            self._from_scratch(documents)
        else:
            self._update(documents, changed)
        return self._assemble()

    def _changed(self, documents: list[SearchDocument]) -> list[int] | None:
        known = self._documents
        if not known or len(known) != len(documents):
            return None
        changed = [
            number
            for number, (new, old) in enumerate(zip(documents, known, strict=True))
            if new is not old
        ]
        return None if len(changed) > self.REBUILD_SHARE * len(documents) else changed

    def _from_scratch(self, documents: list[SearchDocument]) -> None:
        # Run once per term of every note: written for CPython's speed.
        postings: dict[str, list[str]] = {}
        holders: dict[str, list[int]] = {}
        last: dict[str, int] = {}
        numbers = [f"{n}," for n in range(len(documents) + 1)]
        get = postings.get
        for doc, document in enumerate(documents):
            entries = list(document.postings.items())
            entries += [(EXACT + name, EXACT_ENTRY) for name in document.names]
            for term, entry in entries:
                found = get(term)
                if found is None:
                    postings[term] = [numbers[doc] + entry]
                    holders[term] = [doc]
                else:
                    found.append(numbers[doc - last[term]] + entry)
                    holders[term].append(doc)
                last[term] = doc
        self._encoded = {
            term: f"{json.dumps(term, ensure_ascii=False)}:[{','.join(entries)}]".encode()
            for term, entries in postings.items()
        }
        self._holders = holders
        self._pieces = postings
        self._sorted = sorted(postings)
        self._texts = [_json({"text": document.text}) for document in documents]
        self._documents = documents

    def _update(self, documents: list[SearchDocument], changed: list[int]) -> None:
        touched: set[str] = set()
        for doc in changed:
            old, new = _terms(self._documents[doc]), _terms(documents[doc])
            for term in old.keys() - new.keys():
                self._remove(term, doc)
            for term, entry in new.items():
                self._put(term, doc, entry)
            touched |= old.keys() | new.keys()
            self._texts[doc] = _json({"text": documents[doc].text})
        self._documents = documents
        for term in touched:
            pieces = self._pieces.get(term)
            if pieces is not None:
                name = json.dumps(term, ensure_ascii=False)
                self._encoded[term] = f"{name}:[{','.join(pieces)}]".encode()

    def _put(self, term: str, doc: int, entry: str) -> None:
        holders = self._holders.get(term)
        if holders is None:
            self._holders[term], self._pieces[term] = [doc], [f"{doc},{entry}"]
            bisect.insort(self._sorted, term)
            return
        pieces = self._pieces[term]
        at = bisect.bisect_left(holders, doc)
        piece = f"{doc - (holders[at - 1] if at else 0)},{entry}"
        if at < len(holders) and holders[at] == doc:
            pieces[at] = piece
            return
        holders.insert(at, doc)
        pieces.insert(at, piece)
        if at + 1 < len(holders):
            pieces[at + 1] = _regap(pieces[at + 1], holders[at + 1] - doc)

    def _remove(self, term: str, doc: int) -> None:
        holders, pieces = self._holders[term], self._pieces[term]
        at = bisect.bisect_left(holders, doc)
        del holders[at], pieces[at]
        if not holders:
            del self._holders[term], self._pieces[term], self._encoded[term]
            self._sorted.pop(bisect.bisect_left(self._sorted, term))
        elif at < len(holders):
            pieces[at] = _regap(pieces[at], holders[at] - (holders[at - 1] if at else 0))

    def _assemble(self) -> SearchIndex:
        documents = self._documents
        split, buckets = _sharding(self._sorted)
        files, where = _postings_files(self._sorted, self._encoded, self._holders)
        shards: dict[str, dict[str, list[int]]] = {}
        for term in self._sorted:
            frequency, number = where[term]
            shards.setdefault(shard_of(term, split, buckets), {})[term] = [frequency, number]
        for shard, entries in shards.items():
            files[f"d/{shard}.json"] = _json(entries)
        count = max(len(documents), 1)
        averages = [
            round(sum(d.lengths[f] for d in documents) / count, 3) for f in range(len(FIELDS))
        ]
        docs = {"lengths": [n for d in documents for n in d.lengths], **_facets(documents)}
        files["docs.json"] = _json(docs)
        files["heads.json"] = _json(_heads(documents))
        for number, text in enumerate(self._texts):
            files[f"f/{number}.json"] = text
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
        return SearchIndex(files=files, documents=len(documents), terms=len(self._sorted))


def _postings_files(
    terms: list[str], encoded: dict[str, bytes], holders: dict[str, list[int]]
) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    """Pack the encoded postings of ``terms`` (sorted) into files; return them and
    term → (frequency, file number)."""
    files: dict[str, bytes] = {}
    where: dict[str, tuple[int, int]] = {}
    chunk: list[bytes] = []
    size = 0
    for term in terms:
        entry = encoded[term]
        if chunk and size + len(entry) > POSTINGS_FILE_BYTES:
            files[f"p/{len(files)}.json"] = b"{" + b",".join(chunk) + b"}"
            chunk = []
            size = 0
        chunk.append(entry)
        size += len(entry) + 1
        where[term] = (len(holders[term]), len(files))
    if chunk:
        files[f"p/{len(files)}.json"] = b"{" + b",".join(chunk) + b"}"
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
    return SearchIndexer().index(documents)
