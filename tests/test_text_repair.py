"""Reading files for repair or import: text or a clear, located error (pure and on disk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.errors import InputError, NotTextError, UsageError
from kbtool.importers.pipeline import load_sources
from kbtool.repair.files import decode_text, read_text, repair_file, write_repaired
from tests.support.seeds import SEEDS_DIR


def test_decode_text_normalises_line_endings_and_bom() -> None:
    assert decode_text(b"\xef\xbb\xbf# A\r\nb\rc\n", "x.md") == "# A\nb\nc\n"


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"# A\n\x00\x01", 2, "a binary file, not text (byte 0x00)"),
        (b"ok\nok\ncaf\xe9\n", 3, "not UTF-8 (byte 0xe9); convert it to UTF-8 first"),
        (b"\x89PNG\r\n\x1a\n", 2, "a binary file, not text (byte 0x1a)"),
    ],
)
def test_decode_text_rejects_binary_and_other_encodings(
    data: bytes, line: int, message: str
) -> None:
    with pytest.raises(NotTextError) as caught:
        decode_text(data, "notes.md")
    assert caught.value.line == line
    assert str(caught.value) == f"notes.md:{line}: {message}"


def test_read_text_missing_or_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "missing.md")
    with pytest.raises(InputError, match="a directory, not a file"):
        read_text(tmp_path)


def test_write_repaired_only_when_something_changed(tmp_path: Path) -> None:
    clean = tmp_path / "clean.md"
    clean.write_text("## 已经是干净的中文\n", encoding="utf-8")
    assert write_repaired(repair_file(clean)) is False
    damaged = tmp_path / "damaged.md"
    damaged.write_text("- ç›´æŽ¥ä½¿ç”¨\n", encoding="utf-8")
    repair = repair_file(damaged)
    assert repair.changed
    assert write_repaired(repair) is True
    assert damaged.read_text(encoding="utf-8") == repair.text
    assert "直接使用" in repair.text


def test_rewriting_keeps_the_files_line_endings_and_bom(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.md"
    damaged.write_bytes("\ufeff# Notes\r\n- ç›´æŽ¥ä½¿ç”¨\r\nlast\r\n".encode())
    assert write_repaired(repair_file(damaged)) is True
    assert damaged.read_bytes() == "\ufeff# Notes\r\n- 直接使用\r\nlast\r\n".encode()
    plain = tmp_path / "plain.md"
    plain.write_bytes("- ç›´æŽ¥ä½¿ç”¨\n".encode())
    assert write_repaired(repair_file(plain)) is True
    assert plain.read_bytes() == "- 直接使用\n".encode()


def test_two_input_files_may_not_share_a_name(tmp_path: Path) -> None:
    seed = SEEDS_DIR / "002_9e0ac7a3b9bc28b9.txt"
    other = tmp_path / seed.name
    other.write_bytes(seed.read_bytes())
    with pytest.raises(UsageError, match="two input files are named"):
        load_sources([seed, other])
    assert len(load_sources([seed, seed])) == 1
