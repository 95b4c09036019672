"""Search: the note you mean, first, for Chinese and English phrases, ids and names.

Built from the notes' own text at build time, never by parsing rendered HTML:

- :mod:`kbtool.search.tokens`: how text becomes terms (Chinese as characters and
  character pairs, words and their compounds), mirrored by the browser's tokenizer;
- :mod:`kbtool.search.text`: a note's Markdown as the text a reader sees;
- :mod:`kbtool.search.document`: :func:`search_document`, one note's fields and names,
  a pure function per note (a build can run it in parallel or cache it);
- :mod:`kbtool.search.index`: :func:`build_search_index`, the sharded files the
  browser fetches on demand, and :class:`SearchIndexer`, which builds them again
  after a change by encoding only the changed documents' terms;
- ``assets/``: the browser side, plain ES modules typed with JSDoc (``// @ts-check``):
  ``search.js`` (the box and the result list), ``search-worker.js`` (a module worker),
  ``search-engine.js`` (matching), ``search-index.js`` (the files, fetched as a query
  needs them), ``search-query.js`` (units, typos), ``search-rank.js`` (BM25F and its
  bonuses), ``search-snippet.js`` (marked passages), ``search-tokens.js`` (the rules
  of :mod:`kbtool.search.tokens` again; tests hold the two to the same terms).
  ``tsc --noEmit --allowJs --checkJs --strict`` and ``prettier --print-width 100``
  pass on them; neither is needed to build or test;
- ``theme/``: the header partial that puts the box where Material puts its own.
"""

from __future__ import annotations

from kbtool.search.document import SearchDocument, search_document, topic_document
from kbtool.search.index import SearchIndex, SearchIndexer, build_search_index

__all__ = [
    "SearchDocument",
    "SearchIndex",
    "SearchIndexer",
    "build_search_index",
    "search_document",
    "topic_document",
]
