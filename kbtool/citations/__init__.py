"""Citations between the notes' papers, from the Semantic Scholar Graph API.

* :mod:`~kbtool.citations.keys`: how a paper is named (``arXiv:…``, ``DOI:…``);
* :mod:`~kbtool.citations.parse`: S2's answers, parsed (pure);
* :mod:`~kbtool.citations.settings`: the ``citations:`` section of ``kbtool.yml``;
* :mod:`~kbtool.citations.client`: the polite client (batches, backoff, deadline);
* :mod:`~kbtool.citations.cache`: the local cache, so a rerun asks nothing;
* :mod:`~kbtool.citations.store`: ``citations.json``, the committed data file;
* :mod:`~kbtool.citations.update`: fetch and write, for ``enrich`` and ``new``;
* :mod:`~kbtool.citations.graph`: who cites whom among the notes, and the missing papers;
* :mod:`~kbtool.citations.titles`: does a note's title name the paper S2 has for its id?
"""
