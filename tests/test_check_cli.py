"""``kbtool check`` through the real CLI: each check fails on a bad note, passes on a good one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.kb import KnowledgeBaseFactory, RunKbtool

GOOD = """\
---
title: Good paper
arxiv: 2410.05677v2
topics: [image-to-video]
---

## Method

Text.
"""

OTHER = """\
---
title: Other paper
arxiv: 2311.15127
aliases: [SVD]
topics: [video-diffusion]
---

## TL;DR

x
"""

# (check, failing note, line, code name) — and the passing version of the same note.
CASES: list[tuple[str, str, str, int, str]] = [
    (
        "yaml-syntax",
        "---\ntitle: A\ntopics: [rlhf\n---\nbody\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\nbody\n",
        4,
        "yaml-syntax",
    ),
    (
        "missing-title",
        "---\ntopics: [rlhf]\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n",
        1,
        "missing-field",
    ),
    (
        "missing-topics",
        "---\ntitle: A\ntopics: []\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n",
        3,
        "missing-field",
    ),
    (
        "wrong-type",
        "---\ntitle: A\ntopics: [rlhf]\nauthors: Jane Doe\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\nauthors: [Jane Doe]\n---\n",
        4,
        "wrong-type",
    ),
    (
        "rating-range",
        "---\ntitle: A\ntopics: [rlhf]\nrating: 7\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\nrating: 5\n---\n",
        4,
        "bad-value",
    ),
    (
        "status-choice",
        "---\ntitle: A\ntopics: [rlhf]\nstatus: done\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\nstatus: read\n---\n",
        4,
        "bad-value",
    ),
    (
        "arxiv-id",
        "---\ntitle: A\ntopics: [rlhf]\narxiv: 2410.5677\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\narxiv: arXiv:2410.05678\n---\n",
        4,
        "bad-arxiv-id",
    ),
    (
        "date",
        "---\ntitle: A\ntopics: [rlhf]\npublished: 2024-02-30\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\npublished: 2024-02-29\n---\n",
        4,
        "bad-date",
    ),
    (
        "date-text",
        "---\ntitle: A\ntopics: [rlhf]\nadded: last week\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\nadded: '2024-11-02'\n---\n",
        4,
        "bad-date",
    ),
    (
        "url",
        "---\ntitle: A\ntopics: [rlhf]\ncode: github.com/x/y\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\ncode: https://github.com/x/y\n---\n",
        4,
        "bad-url",
    ),
    (
        "unknown-topic",
        "---\ntitle: A\ntopics: [rlfh]\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n",
        3,
        "unknown-topic",
    ),
    (
        "broken-link",
        "---\ntitle: A\ntopics: [rlhf]\n---\nSee [x](missing.md).\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\nSee [x](good.md).\n",
        5,
        "broken-link",
    ),
    (
        "broken-anchor",
        "---\ntitle: A\ntopics: [rlhf]\n---\nSee [x](good.md#results).\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\nSee [x](good.md#method).\n",
        5,
        "broken-anchor",
    ),
    (
        "own-anchor",
        "---\ntitle: A\ntopics: [rlhf]\n---\n## Idea\n[up](#idae)\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n## Idea\n[up](#idea)\n",
        6,
        "broken-anchor",
    ),
    (
        "broken-wikilink",
        "---\ntitle: A\ntopics: [rlhf]\n---\n\n[[2401.00001]]\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n\n[[2311.15127]] [[SVD#tldr]] [[Good paper]]\n",
        6,
        "broken-wikilink",
    ),
    (
        "wikilink-anchor",
        "---\ntitle: A\ntopics: [rlhf]\n---\n[[other#method]]\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n[[other#tldr]]\n",
        5,
        "broken-anchor",
    ),
    (
        "missing-image",
        "---\ntitle: A\ntopics: [rlhf]\n---\n![fig](assets/nope.png)\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n![fig](assets/fig.png)\n",
        5,
        "missing-image",
    ),
    (
        "duplicate-paper",
        "---\ntitle: A\ntopics: [rlhf]\narxiv: 2410.05677v1\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\narxiv: 2410.05678\n---\n",
        4,
        "duplicate-paper",
    ),
    (
        "not-utf8",
        "---\ntitle: A\ntopics: [rlhf]\n---\ncaf\udce9\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\ncafé\n",
        5,
        "not-utf8",
    ),
    (
        "tabs",
        "---\ntitle: A\ntopics:\n\t- rlhf\n---\n",
        "---\ntitle: A\ntopics:\n  - rlhf\n---\n",
        4,
        "yaml-syntax",
    ),
    (
        "no-frontmatter",
        "# A\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n# A\n",
        1,
        "no-frontmatter",
    ),
    (
        "unsafe-filename",
        "---\ntitle: A\ntopics: [rlhf]\n---\n",
        "---\ntitle: A\ntopics: [rlhf]\n---\n",
        0,
        "unsafe-filename",
    ),
]


def _setup(kb: KnowledgeBaseFactory, case: str, text: str, failing: bool) -> str:
    kb.write_note("good.md", GOOD)
    kb.write_note("other.md", OTHER)
    kb.write("notes/assets/fig.png", b"\x89PNG\r\n\x1a\n")
    name = "Bad Name.md" if case == "unsafe-filename" and failing else "case.md"
    data = text.encode("utf-8", errors="surrogateescape")
    kb.write_note(name, data)
    return f"notes/{name}"


@pytest.mark.parametrize(("case", "bad", "good", "line", "code"), CASES, ids=[c[0] for c in CASES])
def test_each_check_fails_then_passes(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    case: str,
    bad: str,
    good: str,
    line: int,
    code: str,
) -> None:
    path = _setup(kb, case, bad, failing=True)
    result = run_kbtool("check", "--format", "json")
    assert result.exit_code == 1, result.output
    records = json.loads(result.stdout)
    errors = [r for r in records if r["severity"] == "error"]
    if case == "duplicate-paper":  # reported on both notes, each naming the other
        assert ("notes/good.md", 3, code) in [(r["path"], r["line"], r["name"]) for r in errors]
        errors = [r for r in errors if r["path"] == path]
    assert [(r["path"], r["line"], r["name"]) for r in errors] == [(path, line, code)]
    assert errors[0]["code"].startswith("KB")

    for leftover in (kb.root / "notes").glob("*.md"):
        if leftover.name not in ("good.md", "other.md"):
            leftover.unlink()
    _setup(kb, case, good, failing=False)
    result = run_kbtool("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 errors" in result.stderr


def test_text_format_names_file_line_code_and_message(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note("a.md", "---\ntitle: A\ntopics: [rlhf]\nrating: 9\n---\n")
    result = run_kbtool("check")
    assert result.exit_code == 1
    assert result.stdout == ("notes/a.md:4: error KB025 [bad-value] 'rating' must be 1–5, not 9\n")
    assert "1 notes checked: 1 error, 0 warnings" in result.stderr


def test_github_format_annotates_the_diff(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note("a.md", "---\ntitle: A\ntopics: [nope]\n---\n")
    result = run_kbtool("check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=notes/a.md,line=3,title=KB030 unknown-topic::"
        "topic 'nope' is not in topics.yml\n"
    )


def test_every_problem_in_one_run_and_bad_notes_dont_stop_others(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note("a.md", "---\ntitle: [unclosed\n---\n")
    kb.write_note("b.md", b"\xff\xfe binary garbage \x00\x01")
    kb.write_note("c.md", "---\ntitle: C\ntopics: [rlhf]\nrating: 0\nstatus: meh\n---\n[x](y.md)\n")
    kb.write_note("d.md", "---\ntitle: D\ntopics: [rlhf]\n---\nfine\n")
    result = run_kbtool("check", "--format", "json")
    assert result.exit_code == 1
    found = {(r["path"], r["name"]) for r in json.loads(result.stdout)}
    assert found >= {
        ("notes/a.md", "yaml-syntax"),
        ("notes/b.md", "not-utf8"),
        ("notes/b.md", "no-frontmatter"),
        ("notes/c.md", "bad-value"),
        ("notes/c.md", "broken-link"),
    }
    assert not any(path == "notes/d.md" for path, _ in found)
    assert len([r for r in json.loads(result.stdout) if r["path"] == "notes/c.md"]) == 3


def test_warnings_pass_unless_strict(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note("a.md", "\ufeff---\r\ntitle: A\r\ntopics: [rlhf]\r\nmood: happy\r\n---\r\n")
    result = run_kbtool("check", "--format", "json")
    assert result.exit_code == 0
    assert {(r["name"], r["line"]) for r in json.loads(result.stdout)} == {
        ("bom", 1),
        ("crlf", 1),
        ("unknown-key", 4),
    }
    assert run_kbtool("check", "--strict").exit_code == 1


def test_paths_limit_the_report(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note("a.md", "---\ntitle: A\ntopics: [nope]\n---\n")
    kb.write_note("b.md", "---\ntitle: B\ntopics: [nope]\n---\n")
    result = run_kbtool("check", str(kb.root / "notes" / "b.md"), "--format", "json")
    assert [r["path"] for r in json.loads(result.stdout)] == ["notes/b.md"]


def test_a_folder_path_reports_the_notes_inside_it(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    # `kbtool check notes` must not pass a knowledge base with errors because no
    # problem's file is literally "notes".
    kb.write_note("a.md", "---\ntitle: A\ntopics: [nope]\n---\n")
    kb.write_note("sub/b.md", "---\ntitle: B\ntopics: [nope]\n---\n")
    kb.write("topics/x.md", "---\ntitle: [\n---\n")
    result = run_kbtool("check", str(kb.root / "notes"), "--format", "json")
    assert result.exit_code == 1
    assert [r["path"] for r in json.loads(result.stdout)] == ["notes/a.md", "notes/sub/b.md"]
    result = run_kbtool("check", str(kb.root / "notes" / "sub") + "/", "--format", "json")
    assert [r["path"] for r in json.loads(result.stdout)] == ["notes/sub/b.md"]


def test_usage_errors_exit_2(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    result = run_kbtool("check", "--format", "xml")
    assert result.exit_code == 2
    missing = run_kbtool("check", str(kb.root / "notes" / "nope.md"))
    assert missing.exit_code == 2
    assert "nope.md: no such file" in missing.stderr


def test_bad_topics_file_is_reported(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write("topics.yml", "a:\n  title: A\n  parent: ghost\n")
    result = run_kbtool("check")
    assert result.exit_code == 1
    assert "topics.yml:1: error KB050 [bad-topics-file] topic 'a' has unknown parent 'ghost'" in (
        result.stdout
    )


def test_check_never_writes(kb: KnowledgeBaseFactory, run_kbtool: RunKbtool) -> None:
    kb.write_note("a.md", "\ufeff---\r\ntitle: [x\r\n---\r\n")
    kb.write_note("b.md", GOOD)

    def snapshot() -> dict[str, tuple[bytes, int]]:
        return {
            str(p): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in kb.root.rglob("*")
            if p.is_file()
        }

    before = snapshot()
    run_kbtool("check")
    assert snapshot() == before


def test_root_is_found_by_walking_up(kb: KnowledgeBaseFactory, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kbtool.cli import main

    kb.write_note("a.md", "---\ntitle: A\ntopics: [nope]\n---\n")
    deep = kb.root / "notes" / "sub"
    deep.mkdir()
    cwd = os.getcwd()
    try:
        os.chdir(deep)
        result = CliRunner().invoke(main, ["check"])
        assert result.exit_code == 1
        assert "notes/a.md:3" in result.stdout
        os.chdir(tmp_path)
        outside = CliRunner().invoke(main, ["check"])
        assert outside.exit_code == 3
        assert "not inside a knowledge base" in outside.stderr
        assert "Traceback" not in outside.output
    finally:
        os.chdir(cwd)


def test_root_option_must_be_a_knowledge_base(tmp_path: Path, run_kbtool: RunKbtool) -> None:
    result = run_kbtool("check", root=tmp_path)
    assert result.exit_code == 3
    assert result.stderr.startswith("kbtool: error: ")
    assert result.stderr.count("\n") == 1


def test_a_self_containing_alias_is_reported_not_an_internal_error(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    kb.write_note("a.md", "---\ntitle: A\ntopics: &t [rlhf, *t]\n---\nbody\n")
    result = run_kbtool("check")
    assert result.exit_code == 1, result.stderr
    assert "notes/a.md:3: error KB021 [wrong-type] 'topics': cannot read" in result.stdout


def test_a_link_to_a_name_too_long_for_the_file_system_is_broken(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool
) -> None:
    long = "a" * 300
    kb.write_note(
        "a.md", f"---\ntitle: A\ntopics: [rlhf]\n---\n\n[x]({long}.md) ![i]({long}.png)\n"
    )
    result = run_kbtool("check")
    assert result.exit_code == 1, result.stderr
    assert "notes/a.md:6: error KB040 [broken-link]" in result.stdout
    assert "notes/a.md:6: error KB042 [missing-image]" in result.stdout
