"""Atomic writes: the old file or the new one, never a mix; exclusive never clobbers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kbtool.util.atomic_write import write_bytes_atomic, write_text_atomic


def test_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("old")
    os.chmod(path, 0o640)
    write_text_atomic(path, "new\r\nlines 中文")
    assert path.read_bytes() == "new\r\nlines 中文".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["n.md"]


def test_exclusive_refuses_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "n.md"
    path.write_text("mine")
    with pytest.raises(FileExistsError):
        write_text_atomic(path, "theirs", exclusive=True)
    assert path.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["n.md"]


def test_creates_parents_and_cleans_up_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "n.md"
    write_bytes_atomic(path, b"x", exclusive=True)
    assert path.read_bytes() == b"x"

    with pytest.raises(TypeError):
        write_bytes_atomic(path, "not bytes")  # type: ignore[arg-type]  # fails mid-write
    assert path.read_bytes() == b"x"
    assert [p.name for p in path.parent.iterdir()] == ["n.md"]
