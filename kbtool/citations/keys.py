"""Paper keys: how the citation data names a paper (``arXiv:2106.09685``, ``DOI:10.1145/…``).

A paper can be known by several ids; the data keeps one *key* per paper, the
first of these that Semantic Scholar (S2) knows:

1. ``arXiv:<base id>`` (no version): what a note's ``arxiv`` field holds, and what
   ``kbtool new`` takes;
2. ``DOI:<doi>``, lowercased (DOIs are case-insensitive). arXiv's own DOIs
   (``10.48550/arXiv.…``) are the arXiv id in disguise and become ``arXiv:`` keys;
3. ``CorpusId:<n>``, S2's numeric id, for papers with neither;
4. ``S2:<paperId>``, S2's 40-hex id, as the last resort.

A note is matched by its ``arxiv`` and ``doi`` fields; the paper it cites by the
key above. Keys are plain text and never become paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kbtool.core.arxiv_id import find_arxiv_id
from kbtool.core.note import Note

ARXIV = "arXiv:"
DOI = "DOI:"
CORPUS = "CorpusId:"
S2 = "S2:"

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_URL = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)
_PAPER_ID = re.compile(r"[0-9a-f]{40}")


def arxiv_key(base: str) -> str:
    return ARXIV + base


def doi_key(value: str) -> str | None:
    """The key of a DOI as written in a note or by S2 (``https://doi.org/`` prefixes too)."""
    doi = _DOI_URL.sub("", value.strip()).lower()
    if not _DOI.fullmatch(doi):
        return None
    arxiv = _ARXIV_DOI.fullmatch(doi)
    if arxiv is not None:
        parsed = find_arxiv_id(arxiv.group(1))
        return arxiv_key(parsed.base) if parsed is not None else None
    return DOI + doi


def arxiv_base(key: str) -> str | None:
    """The arXiv id of an ``arXiv:`` key (what ``kbtool new`` takes), else None."""
    return key[len(ARXIV) :] if key.startswith(ARXIV) else None


def note_keys(note: Note) -> tuple[str, ...]:
    """The keys a note names its paper by: its arXiv id first, then its DOI."""
    keys: list[str] = []
    if note.arxiv_id is not None:
        keys.append(arxiv_key(note.arxiv_id.base))
    doi = note.fields.get("doi")
    if isinstance(doi, str) and (key := doi_key(doi)) is not None and key not in keys:
        keys.append(key)
    return tuple(keys)


def request_id(key: str) -> str:
    """The id to ask S2 for: ``ARXIV:2106.09685``, ``DOI:10.…``, ``CorpusId:…``."""
    if key.startswith(ARXIV):
        return "ARXIV:" + key[len(ARXIV) :]
    if key.startswith(S2):
        return key[len(S2) :]
    return key


def keys_from_external_ids(external_ids: Mapping[str, object] | None) -> tuple[str, ...]:
    """The ``arXiv:`` and ``DOI:`` keys in an S2 ``externalIds`` mapping, arXiv first."""
    if not external_ids:
        return ()
    keys: list[str] = []
    arxiv = external_ids.get("ArXiv")
    if isinstance(arxiv, str) and (parsed := find_arxiv_id(arxiv)) is not None:
        keys.append(arxiv_key(parsed.base))
    doi = external_ids.get("DOI")
    if isinstance(doi, str) and (key := doi_key(doi)) is not None and key not in keys:
        keys.append(key)
    return tuple(keys)


def paper_key(external_ids: Mapping[str, object] | None, paper_id: object) -> str | None:
    """The one key of a paper S2 lists (see the module docstring), or None if it has no id."""
    keys = keys_from_external_ids(external_ids)
    if keys:
        return keys[0]
    corpus = (external_ids or {}).get("CorpusId")
    if isinstance(corpus, int) and not isinstance(corpus, bool) and corpus >= 0:
        return f"{CORPUS}{corpus}"
    if isinstance(corpus, str) and corpus.isascii() and corpus.isdigit():
        return f"{CORPUS}{int(corpus)}"
    if isinstance(paper_id, str) and _PAPER_ID.fullmatch(paper_id):
        return S2 + paper_id
    return None


def is_s2_paper_id(value: str) -> bool:
    """Whether ``value`` looks like S2's own paper id (40 lowercase hex digits)."""
    return bool(_PAPER_ID.fullmatch(value))
