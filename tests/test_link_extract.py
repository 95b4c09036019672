"""Finding every external link in notes, topic texts and docs/, with file and line."""

from __future__ import annotations

from kbtool.config import Layout
from kbtool.core.knowledge_base import load_knowledge_base
from kbtool.core.note import parse_note
from kbtool.links.extract import (
    checkable_url,
    collect_links,
    extract_frontmatter_links,
    extract_markdown_links,
    extract_note_links,
    read_docs_pages,
)
from tests.support.kb import KnowledgeBaseFactory

NOTE = """\
---
title: Paper
topics: [rlhf]
url: https://example.org/paper
code:
  - https://github.com/a/one
  - https://github.com/a/two  # kbtool: no-check
project: [https://proj.example.org, https://other.example.org]
abs_url: https://arxiv.org/abs/2410.05677
doi: 10.1145/3368089.3409741
---

See [the paper](https://example.org/paper#results) and <https://auto.example.org/x>.
![fig](https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png)
Bare https://bare.example.org/path, then [local](other.md) and [[2410.05677]].
`https://code.example.org/in-code` and [mail](mailto:me@example.org)
<a href="https://html.example.org/">html</a>
Ignored: https://skip.example.org/ <!-- kbtool: no-check -->

```python
requests.get("https://fenced.example.org/")
```
[ref]: https://ref.example.org/doc
"""


def test_note_links_with_lines() -> None:
    note = parse_note(NOTE, "notes/paper.md")
    extracted = extract_note_links(note)
    found = [(o.url, o.line) for o in extracted.occurrences]
    assert found == [
        ("https://example.org/paper", 4),
        ("https://github.com/a/one", 6),
        ("https://proj.example.org", 8),
        ("https://other.example.org", 8),
        ("https://arxiv.org/abs/2410.05677", 9),
        ("https://example.org/paper", 13),
        ("https://auto.example.org/x", 13),
        ("https://prod-files-secure.s3.us-west-2.amazonaws.com/a/b/image.png", 14),
        ("https://bare.example.org/path", 15),
        ("https://html.example.org/", 17),
        ("https://ref.example.org/doc", 23),
    ]
    assert extracted.marked_no_check == 2
    assert all(o.path == "notes/paper.md" for o in extracted.occurrences)
    # What was written is kept for display; the fragment is not checked.
    assert extracted.occurrences[5].written == "https://example.org/paper#results"


def test_frontmatter_without_urls_and_notes_without_frontmatter() -> None:
    assert extract_frontmatter_links(parse_note("no frontmatter\n", "notes/x.md")).occurrences == ()
    note = parse_note("---\ntitle: T\nrating: 3\ntags: [a]\n---\n", "notes/x.md")
    assert extract_frontmatter_links(note).occurrences == ()


def test_unknown_keys_with_web_addresses_count() -> None:
    note = parse_note("---\ntitle: T\nslides: https://slides.example.org/x\n---\n", "notes/x.md")
    assert [(o.url, o.line) for o in extract_frontmatter_links(note).occurrences] == [
        ("https://slides.example.org/x", 3)
    ]


def test_markdown_marker_only_excludes_its_own_line() -> None:
    text = "a https://one.example.org/ <!--kbtool:no-check-->\nb https://two.example.org/\n"
    extracted = extract_markdown_links(text, "docs/x.md", 5)
    assert [(o.url, o.line) for o in extracted.occurrences] == [("https://two.example.org/", 6)]
    assert extracted.marked_no_check == 1


def test_checkable_url() -> None:
    assert checkable_url("https://a.example/x#frag") == "https://a.example/x"
    assert checkable_url("HTTP://a.example/x?q=1") == "http://a.example/x?q=1"
    assert checkable_url("//cdn.example/x.js") == "https://cdn.example/x.js"
    assert checkable_url("mailto:me@example.org") is None
    assert checkable_url("ftp://files.example/x") is None
    assert checkable_url("notes/other.md") is None
    assert checkable_url("https://") is None
    assert checkable_url("https://[broken") is None


def test_collect_from_notes_topic_texts_and_docs(kb: KnowledgeBaseFactory) -> None:
    kb.write_note(
        "a.md", "---\ntitle: A\ntopics: [rlhf]\ncode: https://github.com/a/a\n---\n\nbody\n"
    )
    kb.write("topics/rlhf.md", "About RLHF: https://rlhf.example.org/survey\n")
    kb.write("docs/guide/links.md", "# Guide\n\nSee https://docs.example.org/page.\n")
    layout = Layout(kb.root)
    extracted = collect_links(load_knowledge_base(layout), read_docs_pages(layout))
    found = {(o.path, o.line, o.url) for o in extracted.occurrences}
    assert ("notes/a.md", 4, "https://github.com/a/a") in found
    assert ("topics/rlhf.md", 1, "https://rlhf.example.org/survey") in found
    assert ("docs/guide/links.md", 3, "https://docs.example.org/page") in found
