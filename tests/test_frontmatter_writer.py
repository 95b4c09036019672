"""Frontmatter writing: values read back exactly; edits touch only the keys they change."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kbtool.core.frontmatter import (
    keys_with_comments,
    render_field,
    render_frontmatter,
    update_frontmatter,
)
from kbtool.core.note import parse_note
from kbtool.errors import NoteFormatError

TRICKY_TITLES = [
    "0",
    "1e3",
    "2410.05677",
    "yes",
    "null",
    "~",
    "",
    "<script>alert(1)</script> & co",
    "Attention: all you need",
    'It\'s "quoted"',
    "- a list?",
    "# not a comment",
    "[flow] {map}",
    "&anchor *alias !tag",
    "trailing space ",
    " leading space",
    "line\nbreak",
    "tab\there",
    "nul\x00byte",
    "sep\u2028line",
    "bom\ufeffinside",
    "zero\u200bwidth",
    "soft\xadhyphen",
    "bidi\u202eoverride",
    "word\u2060joiner",
    "tag\U000e0041char",
    "视频扩散模型的蒸馏",
    "---",
    "...",
]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_values_read_back_exactly(title: str) -> None:
    text = render_frontmatter({"title": title, "tags": [title, "x"]})
    note = parse_note(text, "n.md")
    assert note.fields == {"title": title, "tags": [title, "x"]} and not note.problems
    # Any YAML reader agrees, not only ours: '0' stays text.
    loaded = yaml.safe_load(text.split("---\n")[1])
    assert loaded == {"title": title, "tags": [title, "x"]}
    # One line per field, always.
    assert len(text.splitlines()) == 4


@pytest.mark.parametrize(
    "title", ["zero\u200bwidth", "soft\xadhyphen", "bidi\u202eoverride", "tag\U000e0041char"]
)
def test_invisible_characters_are_written_as_escapes(title: str) -> None:
    # Each field is one line a person can read: nothing in it is invisible.
    text = render_frontmatter({"title": title, "tags": [title]})
    assert all(unicodedata.category(char) not in ("Cf", "Cc") or char == "\n" for char in text)
    assert '"' in text.splitlines()[1] and "\\u" in text.splitlines()[1].lower()


def test_the_paper_titled_zero_is_quoted() -> None:
    assert render_field("title", "0") == "title: '0'\n"
    assert render_field("arxiv", "2104.12255") == "arxiv: '2104.12255'\n"


def test_dates_numbers_and_lists() -> None:
    text = render_frontmatter(
        {"published": date(2024, 10, 7), "version": 2, "authors": ["Li, J.", "Long"], "tags": []}
    )
    assert text == (
        "---\npublished: 2024-10-07\nversion: 2\nauthors: ['Li, J.', Long]\ntags: []\n---\n"
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=3))
def test_any_text_reads_back(title: str, tags: list[str]) -> None:
    text = render_frontmatter({"title": title, "tags": tags})
    assert parse_note(text, "n.md").fields == {"title": title, "tags": tags}


# --- editing ------------------------------------------------------------------------------------

NOTE = """\
---
# My note on T2V-Turbo — keep this comment
title: "T2V-Turbo-v2: better"   # my title
arxiv: '2410.05677v1'
authors:
  - Jiachen Li
  - Qian Long
# the venue I care about
venue: ICLR 2025
version: 1 # read v1
abstract: |
  Old abstract
  on two lines.

comment:
topics: [image-to-video]
tags: ["distillation", reward-model]
status: reading
---

## TL;DR

Body text — 中文笔记 — stays: byte for byte.
---
Not frontmatter.
"""


def test_only_changed_keys_change() -> None:
    updated = update_frontmatter(
        NOTE,
        {
            "authors": ["Jiachen Li", "Qian Long", "William Wang"],
            "version": 2,
            "abstract": "New abstract: one line.",
            "comment": "22 pages",
            "published": date(2024, 10, 7),
            "categories": ["cs.CV", "cs.LG"],
            "pdf_url": "https://arxiv.org/pdf/2410.05677v2",
        },
        "n.md",
    )
    assert (
        updated
        == """\
---
# My note on T2V-Turbo — keep this comment
title: "T2V-Turbo-v2: better"   # my title
arxiv: '2410.05677v1'
authors:
  - Jiachen Li
  - Qian Long
  - William Wang
published: 2024-10-07
# the venue I care about
venue: ICLR 2025
version: 2 # read v1
categories: [cs.CV, cs.LG]
abstract: 'New abstract: one line.'

comment: 22 pages
pdf_url: https://arxiv.org/pdf/2410.05677v2
topics: [image-to-video]
tags: ["distillation", reward-model]
status: reading
---

## TL;DR

Body text — 中文笔记 — stays: byte for byte.
---
Not frontmatter.
"""
    )


@pytest.mark.parametrize(
    "authors",
    [
        "authors:\n  - A   # first author\n  - B\n",
        "authors:\n  - A\n  - B  # the last one\n",
        "authors: # from the PDF\n  - A\n",
        "authors: [A, # first\n  B]\n",
    ],
)
def test_a_value_holding_comments_is_not_rewritten(authors: str) -> None:
    text = f"---\ntitle: x\n{authors}---\n"
    assert keys_with_comments(text) == {"authors"}
    with pytest.raises(NoteFormatError, match="'authors' holds comments"):
        update_frontmatter(text, {"authors": ["C"]}, "n.md")
    # Other keys can still change.
    assert "version: 2" in update_frontmatter(text, {"version": 2}, "n.md")


def test_comments_that_are_not_inside_a_value() -> None:
    text = (
        "---\nversion: 1 # read v1\nabstract: 'C# and F#: a study'\n# about tags\ntags: [a]\n---\n"
    )
    assert keys_with_comments(text) == set()
    assert update_frontmatter(text, {"version": 2}, "n.md").startswith(
        "---\nversion: 2 # read v1\n"
    )


def test_crlf_stays_crlf_and_quoting_is_kept() -> None:
    crlf = "---\r\ntitle: x\r\nabstract: \"old\"\r\nauthors: ['A']\r\n---\r\nbody\r\n"
    updated = update_frontmatter(
        crlf, {"abstract": "new", "authors": ["B", "C"], "comment": "c"}, "n.md"
    )
    assert updated == (
        "---\r\ntitle: x\r\nabstract: \"new\"\r\nauthors: ['B', 'C']\r\ncomment: c\r\n"
        "---\r\nbody\r\n"
    )
    assert "\n" not in updated.replace("\r\n", "")


def test_indented_keys_and_new_keys_at_the_right_place() -> None:
    text = "---\n  title: x\n  topics: [rlhf]\n---\n"
    updated = update_frontmatter(text, {"version": 3, "tags": ["a"]}, "n.md")
    assert updated == "---\n  title: x\n  version: 3\n  topics: [rlhf]\n  tags: [a]\n---\n"
    # With no field before it in the schema, a new key goes before the first that follows.
    updated = update_frontmatter("---\ntopics: [rlhf]\n---\n", {"authors": ["A"]}, "n.md")
    assert updated == "---\nauthors: [A]\ntopics: [rlhf]\n---\n"
    assert update_frontmatter("---\n---\nbody\n", {"version": 1}, "n.md") == (
        "---\nversion: 1\n---\nbody\n"
    )


def test_unchanged_when_there_is_nothing_to_update() -> None:
    assert update_frontmatter(NOTE, {}, "n.md") is NOTE


@pytest.mark.parametrize(
    ("text", "updates", "fragment"),
    [
        ("no frontmatter\n", {"version": 1}, "no YAML frontmatter"),
        ("---\n{title: x}\n---\n", {"version": 1}, "not a block mapping"),
        ("---\n- a\n---\n", {"version": 1}, "not a block mapping"),
        ("---\ntitle: [unclosed\n---\n", {"version": 1}, "not valid YAML"),
        ("---\nversion: 1\nversion: 2\n---\n", {"version": 3}, "appears twice"),
        ("---\nauthors: &a [A]\ntags: *a\n---\n", {"authors": ["B"]}, "not edited"),
    ],
)
def test_notes_that_cannot_be_edited_safely_are_refused(
    text: str, updates: dict[str, object], fragment: str
) -> None:
    with pytest.raises(NoteFormatError) as caught:
        update_frontmatter(text, updates, "notes/n.md")
    assert fragment in caught.value.message
    assert caught.value.message.startswith("notes/n.md: ")


def test_a_duplicate_key_that_is_not_changed_does_not_matter() -> None:
    text = "---\ntags: [a]\ntags: [b]\n---\n"
    assert update_frontmatter(text, {"version": 1}, "n.md") == (
        "---\nversion: 1\ntags: [a]\ntags: [b]\n---\n"
    )


_TEXT = st.text(max_size=30)
_TEXTS = st.lists(st.text(max_size=10), max_size=3)
# Each field with values of its schema kind (what enrich writes).
_UPDATES = st.fixed_dictionaries(
    {},
    optional={
        "authors": _TEXTS,
        "categories": _TEXTS,
        "published": st.dates(),
        "version": st.integers(min_value=1, max_value=99),
        "comment": _TEXT,
        "abstract": _TEXT,
        "pdf_url": _TEXT,
    },
)


@settings(max_examples=300, deadline=None)
@given(_UPDATES, st.booleans())
def test_any_update_keeps_every_other_line(updates: dict[str, object], crlf: bool) -> None:
    text = NOTE.replace("\n", "\r\n") if crlf else NOTE
    updated = update_frontmatter(text, updates, "n.md")
    before, after = parse_note(text, "n.md"), parse_note(updated, "n.md")
    assert after.fields == {**before.fields, **updates}
    assert updated.endswith(text[text.index("## TL;DR") - 3 :])  # the body, byte for byte
    changed = set(updates)
    untouched_lines = [
        line
        for key, line in _lines_by_key(text)
        if key not in changed and not line.lstrip().startswith(("- ", "Old", "on two"))
    ]
    for line in untouched_lines:
        assert line in updated


def _lines_by_key(text: str) -> list[tuple[str | None, str]]:
    result: list[tuple[str | None, str]] = []
    key: str | None = None
    for line in text.split("---", 2)[1].splitlines(keepends=True):
        if line[:1].isalpha():
            key = line.split(":", 1)[0]
        elif line.startswith("#"):
            key = None
        result.append((key, line))
    return result
