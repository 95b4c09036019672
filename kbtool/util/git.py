"""Which lines changed since a git ref: for checking only what a pull request touched.

:func:`changed_lines` runs git (``git diff -U0`` from the merge base of the ref
and ``HEAD`` to the working tree, plus untracked files) and
:func:`parse_zero_context_diff` reads its output; the parser is pure.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.errors import KbtoolError, UsageError

_FILE = re.compile(r"^\+\+\+ (?:b/)?(?P<path>.+?)\t?$")
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")


@dataclass(frozen=True)
class ChangedLines:
    """Lines added or changed per file (paths relative to the knowledge base root)."""

    lines: dict[str, frozenset[int]] = field(default_factory=dict)
    whole_files: frozenset[str] = frozenset()

    def contains(self, path: str, line: int) -> bool:
        return path in self.whole_files or line in self.lines.get(path, frozenset())


def parse_zero_context_diff(diff: str) -> dict[str, frozenset[int]]:
    """The new-side line numbers of every hunk in ``git diff -U0`` output, by file."""
    found: dict[str, set[int]] = {}
    current: str | None = None
    for text in diff.splitlines():
        if text.startswith("+++ "):
            match = _FILE.match(text)
            path = match["path"] if match else None
            current = None if path is None or path == "/dev/null" else path
            if current is not None:
                found.setdefault(current, set())
            continue
        match = _HUNK.match(text)
        if match and current is not None:
            start = int(match["start"])
            count = int(match["count"]) if match["count"] is not None else 1
            found[current].update(range(start, start + count))
    return {path: frozenset(lines) for path, lines in found.items()}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except FileNotFoundError as err:
        raise KbtoolError("--changed-since needs git, and git is not installed") from err


def changed_lines(root: Path, ref: str) -> ChangedLines:
    """Lines changed in the working tree of ``root`` since ``ref`` (from their merge base).

    Raises UsageError when ``root`` is not in a git repository or ``ref`` is not a
    commit. Untracked files count as changed throughout.
    """
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise UsageError(f"--changed-since: {root} is not in a git repository")
    if ref.startswith("-"):
        raise UsageError(f"--changed-since: {ref!r} is not a git ref")
    resolved = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        raise UsageError(f"--changed-since: {ref!r} is not a commit in this repository")
    commit = resolved.stdout.strip()
    base = _git(root, "merge-base", commit, "HEAD")
    start = base.stdout.strip() if base.returncode == 0 and base.stdout.strip() else commit
    # Explicit prefixes: diff.mnemonicPrefix or diff.noprefix would change the paths.
    diff = _git(
        root,
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--relative",
        start,
        "--",
        ".",
    )
    if diff.returncode != 0:
        raise KbtoolError(f"git diff failed: {diff.stderr.strip()}")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    whole = frozenset(p for p in untracked.stdout.split("\0") if p)
    return ChangedLines(parse_zero_context_diff(diff.stdout), whole)
