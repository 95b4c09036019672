"""Which notes a command's PATHS name: shared by ``kbtool check`` and ``kbtool enrich``."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.config import Layout
from kbtool.core.knowledge_base import select_notes
from tests.support.arxiv_server import FakeArxiv
from tests.support.kb import KnowledgeBaseFactory, RunKbtool

NOTE = "---\ntitle: {title}\narxiv: {arxiv}\ntopics: [rlhf]\n---\n"


def test_a_path_is_read_from_the_working_directory_then_the_root_then_notes(
    kb: KnowledgeBaseFactory, tmp_path: Path
) -> None:
    a = kb.write_note("a.md", "x")
    sub = kb.write_note("sub/b.md", "x")
    layout = Layout(kb.root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.md").write_text("not a note")
    selection = select_notes(layout, ["a.md", "notes/sub", str(a)], cwd=elsewhere)
    assert selection.files == ((elsewhere / "a.md").resolve(), a.resolve())
    assert selection.folders == (sub.parent.resolve(),)
    assert selection.missing == ()
    selection = select_notes(layout, ["a.md", "sub/", "nope.md"], cwd=kb.root)
    assert selection.files == (a.resolve(),)
    assert selection.folders == (sub.parent.resolve(),)
    assert selection.missing == ("nope.md",)


def test_a_selection_covers_its_files_and_everything_under_its_folders(
    kb: KnowledgeBaseFactory,
) -> None:
    a = kb.write_note("a.md", "x")
    b = kb.write_note("sub/deeper/b.md", "x")
    c = kb.write_note("c.md", "x")
    layout = Layout(kb.root)
    selection = select_notes(layout, ["notes/sub", "notes/a.md"], cwd=kb.root)
    assert [selection.covers(p) for p in (a, b, c)] == [True, True, False]
    assert not selection.covers(kb.root / "topics.yml")
    assert selection.note_files(layout) == [a.resolve(), b.resolve()]
    everything = select_notes(layout, ["."], cwd=kb.root)
    assert everything.covers(kb.root / "topics.yml")
    assert everything.note_files(layout) == [a.resolve(), c.resolve(), b.resolve()]


def test_check_takes_a_note_named_from_notes(
    kb: KnowledgeBaseFactory, run_kbtool: RunKbtool, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb.write_note("a.md", "---\ntitle: A\ntopics: [nope]\n---\n")
    kb.write_note("b.md", "---\ntitle: B\ntopics: [nope]\n---\n")
    monkeypatch.chdir(kb.root)
    result = run_kbtool("check", "b.md")
    assert result.exit_code == 1
    assert "notes/b.md" in result.stdout and "notes/a.md" not in result.stdout


def test_enrich_takes_a_folder_of_notes(
    kb: KnowledgeBaseFactory,
    run_kbtool: RunKbtool,
    fake_arxiv: FakeArxiv,
    arxiv_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kb.write_note("heat.md", NOTE.format(title="heat", arxiv="1605.08386"))
    kb.write_note("sub/zero.md", NOTE.format(title="zero", arxiv="2104.12255v1"))
    monkeypatch.chdir(kb.root)
    result = run_kbtool("enrich", "notes/sub/")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("updated notes/sub/zero.md")
    assert "heat" not in result.stdout
    assert fake_arxiv.id_requests() == [["2104.12255"]]
    outside = run_kbtool("enrich", "docs")
    assert outside.exit_code == 4 and "docs: not a note (outside" in outside.stderr
