"""Lines changed since a git ref: the diff parser, and real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kbtool.errors import UsageError
from kbtool.util.git import changed_lines, parse_zero_context_diff

DIFF = """\
diff --git a/notes/a.md b/notes/a.md
index 1111111..2222222 100644
--- a/notes/a.md
+++ b/notes/a.md
@@ -3 +3 @@ title: A
-old
+new
@@ -10,0 +11,2 @@ body
+added one
+added two
@@ -20,3 +21,0 @@
-gone
-gone
-gone
diff --git a/notes/gone.md b/notes/gone.md
deleted file mode 100644
--- a/notes/gone.md
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git a/notes/新 note.md b/notes/新 note.md
new file mode 100644
--- /dev/null
+++ b/notes/新 note.md\t
@@ -0,0 +1,3 @@
+a
+b
+c
"""


def test_parse_zero_context_diff() -> None:
    assert parse_zero_context_diff(DIFF) == {
        "notes/a.md": frozenset({3, 11, 12}),
        "notes/新 note.md": frozenset({1, 2, 3}),
    }


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "kb" / "notes").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.org")
    git(root, "config", "user.name", "Test")
    (root / "kb" / "notes" / "a.md").write_text("one\ntwo\nthree\nfour\n", encoding="utf-8")
    (root / "outside.md").write_text("x\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    return root


def test_changed_lines_in_a_knowledge_base_below_the_repository_root(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    note = repo / "kb" / "notes" / "a.md"
    note.write_text("one\nTWO\nthree\nfour\nfive\n", encoding="utf-8")
    (repo / "outside.md").write_text("changed\n", encoding="utf-8")
    (repo / "kb" / "notes" / "new.md").write_text("fresh\n", encoding="utf-8")
    changed = changed_lines(repo / "kb", "main")
    assert changed.lines == {"notes/a.md": frozenset({2, 5})}
    assert changed.whole_files == frozenset({"notes/new.md"})
    assert changed.contains("notes/a.md", 2) and not changed.contains("notes/a.md", 3)
    assert changed.contains("notes/new.md", 99)


def test_changes_on_the_target_branch_after_branching_do_not_count(repo: Path) -> None:
    git(repo, "switch", "-q", "-c", "feature")
    note = repo / "kb" / "notes" / "a.md"
    note.write_text("one\ntwo\nthree\nfour\nmine\n", encoding="utf-8")
    git(repo, "commit", "-qam", "feature work")
    git(repo, "switch", "-q", "main")
    note.write_text("ONE\ntwo\nthree\nfour\n", encoding="utf-8")
    git(repo, "commit", "-qam", "main moved on")
    git(repo, "switch", "-q", "feature")
    assert changed_lines(repo / "kb", "main").lines == {"notes/a.md": frozenset({5})}


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not in a git repository"):
        changed_lines(tmp_path, "main")


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=/tmp/x", "HEAD~5"])
def test_bad_ref(repo: Path, ref: str) -> None:
    with pytest.raises(UsageError, match="--changed-since"):
        changed_lines(repo / "kb", ref)


@pytest.mark.parametrize("setting", [("diff.mnemonicPrefix", "true"), ("diff.noprefix", "true")])
def test_the_researchers_diff_prefix_settings_do_not_change_the_paths(
    repo: Path, setting: tuple[str, str]
) -> None:
    # With mnemonicPrefix git writes "+++ w/notes/a.md" (the working tree); with
    # noprefix "+++ notes/a.md": either way the path must still be notes/a.md.
    git(repo, "config", *setting)
    (repo / "kb" / "notes" / "a.md").write_text("one\nTWO\nthree\nfour\n", encoding="utf-8")
    assert changed_lines(repo / "kb", "main").lines == {"notes/a.md": frozenset({2})}
