"""Builds that reuse their work: a saved note is on the served page in under a second.

A site of thousands of notes is mostly pages nothing changed. This package keeps
what made each page, and does again only what a change touched:

- :mod:`.sources` reads the knowledge base, parsing again only the files whose
  size or time changed; while serving, a note that no longer parses keeps its
  last good version (and the error is shown);
- :mod:`.memo` renders a generated file only when its inputs changed
  (:class:`kbtool.site.render.PageJob` names them: a body edit changes one page,
  a title change the pages that list or link to the paper);
- :mod:`.convert` turns pages into HTML as MkDocs does, with one Markdown
  instance reset between pages, and records what MkDocs needs from it;
- :mod:`.pool` spreads the per-note work (reading notes, rendering and converting
  paper pages) over the machine's cores, in a fixed order;
- :mod:`.cache` keeps rendered pages under ``.kbtool-cache/site/``, keyed by a
  fingerprint (:mod:`.fingerprint`) of what produced them, so a later build (or
  CI, which restores the folder) redoes little;
- :mod:`.outputs` keeps the finished HTML of each page, keyed by its content and
  by everything else the theme's template reads;
- :mod:`.generated` gives MkDocs pages whose Markdown and HTML are already known,
  and files that a ``--dirty`` rebuild writes only when they changed;
- :mod:`.material` keeps what Material's plugins collect from every page (the
  search index, ``tags.json``) whole when a rebuild visits only the changed pages;
- :mod:`.session` ties these together across the builds of one ``serve``.

A rebuilt or cached site is the same, byte for byte, as a clean build
(``tests/test_site_incremental.py``).
"""
