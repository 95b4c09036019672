"""The checks as pure functions over an in-memory knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.checks import (
    CHECKS,
    check_duplicates,
    check_fields,
    check_filename,
    check_links,
    check_topics,
    run_checks,
    url_problem,
)
from kbtool.config import Layout
from kbtool.core.knowledge_base import KnowledgeBase
from kbtool.core.note import parse_note
from kbtool.core.topics import parse_topics
from tests.support.kb import TEST_TOPICS


def make_kb(tmp_path: Path, **notes: str) -> KnowledgeBase:
    topics, _ = parse_topics(TEST_TOPICS, "topics.yml")
    parsed = [parse_note(text, f"notes/{name}.md") for name, text in notes.items()]
    return KnowledgeBase(Layout(tmp_path), parsed, topics)


def found(problems: object) -> list[tuple[int, str]]:
    return [(p.line, p.name) for p in problems]  # type: ignore[attr-defined]


def test_registry_names_every_check() -> None:
    assert [c.name for c in CHECKS] == [
        "read",
        "fields",
        "topics",
        "filename",
        "links",
        "duplicates",
        "topics-file",
        "unreadable",
        "citations",
    ]
    assert all(c.description for c in CHECKS)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://github.com/x/y", True),
        ("http://localhost:8000/x", True),
        ("github.com/x/y", False),
        ("ftp://example.org/x", False),
        ("https://exa mple.org", False),
        ("https://", False),
        ("https://[::1", False),
    ],
)
def test_url_problem(value: str, ok: bool) -> None:
    assert (url_problem(value) is None) is ok


def test_fields_all_kinds(tmp_path: Path) -> None:
    text = (
        "---\n"
        "title: [not, text]\n"  # 2 wrong-type
        "topics: rlhf\n"  # 3 wrong-type (must be a list)
        "authors: [A, 3]\n"  # 4 fine: scalars read as text
        "published: 2024-10-07\n"  # 5 fine
        "updated: 7/10/2024\n"  # 6 bad-date
        "version: two\n"  # 7 wrong-type
        "doi: 11.1/x\n"  # 8 bad-value
        "code: [https://github.com/a/b, nope]\n"  # 9 bad-url
        "project: https://x.github.io\n"  # 10 fine
        "rating: true\n"  # 11 wrong-type
        "status: to-read\n"  # 12 fine
        "zzz: 1\n"  # 13 unknown-key
        "tags:\n"  # 14 empty, optional: fine
        "---\n"
    )
    kb = make_kb(tmp_path, a=text)
    assert found(check_fields(kb.notes[0], kb)) == [
        (2, "wrong-type"),
        (3, "wrong-type"),
        (6, "bad-date"),
        (7, "wrong-type"),
        (8, "bad-value"),
        (9, "bad-url"),
        (11, "wrong-type"),
        (13, "unknown-key"),
    ]


def test_fields_skipped_when_yaml_is_broken(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, a="---\ntitle: [\n---\n")
    assert list(check_fields(kb.notes[0], kb)) == []


def test_topics_suggest_by_title_or_alias(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, a="---\ntitle: A\ntopics: [Image-to-video, rlhf, bogus]\n---\n")
    problems = list(check_topics(kb.notes[0], kb))
    assert [p.message for p in problems] == [
        "topic 'Image-to-video' is not in topics.yml (did you mean 'image-to-video'?)",
        "topic 'bogus' is not in topics.yml",
    ]


def test_duplicates_by_arxiv_any_version_doi_and_openreview(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        a="---\ntitle: A\narxiv: 2410.05677v1\ndoi: 10.1/X\n---\n",
        b="---\ntitle: B\narxiv: https://arxiv.org/abs/2410.05677v3\n---\n",
        c="---\ntitle: C\ndoi: 10.1/x\nopenreview: abc\n---\n",
        d="---\ntitle: D\nopenreview: abc\n---\n",
        e="---\ntitle: E\narxiv: 2410.05678\n---\n",
    )
    pairs = sorted((p.path, p.message.split(";")[0]) for p in check_duplicates(kb))
    assert pairs == [
        ("notes/a.md", "same paper (arXiv id 2410.05677) as notes/b.md"),
        ("notes/a.md", "same paper (doi 10.1/x) as notes/c.md"),
        ("notes/b.md", "same paper (arXiv id 2410.05677) as notes/a.md"),
        ("notes/c.md", "same paper (doi 10.1/x) as notes/a.md"),
        ("notes/c.md", "same paper (openreview abc) as notes/d.md"),
        ("notes/d.md", "same paper (openreview abc) as notes/c.md"),
    ]


def test_links_resolve_relative_paths_wikilinks_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "notes" / "img").mkdir(parents=True)
    (tmp_path / "notes" / "img" / "ok.png").write_bytes(b"png")
    (tmp_path / "notes" / "paper.pdf").write_bytes(b"%PDF")
    body = (
        "## Setup\n"
        "[a](b.md) [a2](./b.md#results) [a3](b.md#nope) [a4](../notes/b.md)\n"
        "[w](b) [[B title]] [[Alias One#results]] [[missing]] [[#setup]] [[#gone]]\n"
        '![i](img/ok.png) ![i2](img/none.png) <img src="img/none2.png"> [pdf](paper.pdf)\n'
        "[ext](https://example.org) [root](/abs/path) [escape](../../etc/passwd)\n"
        "[space](<b.md>) [enc](b%2Emd)\n"
    )
    kb = make_kb(
        tmp_path,
        a=f"---\ntitle: A\n---\n{body}",
        b="---\ntitle: B title\naliases: [Alias One]\n---\n## Results\n",
    )
    assert found(check_links(kb.notes[0], kb)) == [
        (5, "broken-anchor"),
        (6, "broken-link"),
        (6, "broken-wikilink"),
        (6, "broken-anchor"),
        (7, "missing-image"),
        (7, "missing-image"),
        (8, "broken-link"),
    ]


def test_ambiguous_wikilink_is_a_warning(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path,
        a="---\ntitle: A\n---\n[[Same]]\n",
        b="---\ntitle: Same\n---\n",
        c="---\ntitle: Other\naliases: [same]\n---\n",
    )
    problems = list(check_links(kb.notes[0], kb))
    assert found(problems) == [(4, "ambiguous-wikilink")]
    assert problems[0].severity.value == "warning"


def test_filename(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, **{"OK": "---\ntitle: A\n---\n"})
    assert found(check_filename(kb.notes[0], kb)) == [(0, "unsafe-filename")]


def test_run_checks_sorted_and_deduplicated(tmp_path: Path) -> None:
    kb = make_kb(tmp_path, b="---\ntitle: B\ntopics: [x]\n---\n", a="---\ntopics: [rlhf]\n---\n")
    assert [(p.path, p.name) for p in run_checks(kb)] == [
        ("notes/a.md", "missing-field"),
        ("notes/b.md", "unknown-topic"),
    ]
