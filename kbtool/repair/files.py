"""Reading a text file for repair or import: UTF-8 or a clear error, then the encoding repair.

``kbtool fix-encoding`` and ``kbtool import`` both read their input here, so they
reject the same bad input the same way and repair text with the same engine
(:func:`kbtool.repair.text.repair_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kbtool.errors import InputError, NotTextError
from kbtool.repair.text import RepairResult, UncertainChar, repair_text
from kbtool.util.atomic_write import write_text_atomic

#: Bytes that never occur in text: a file holding one is binary.
_BINARY_BYTES = frozenset(range(0x00, 0x09)) | {0x0B, 0x0E, 0x0F} | frozenset(range(0x10, 0x1B))


_BOM = b"\xef\xbb\xbf"


def decode_text(data: bytes, path: Path | str) -> str:
    """``data`` as text with LF line endings; a binary or non-UTF-8 file is an error.

    The error names the file and the line of the first offending byte.
    """
    sample = data[:65536]
    for index, byte in enumerate(sample):
        if byte in _BINARY_BYTES:
            line = data[:index].count(b"\n") + 1
            raise NotTextError(f"a binary file, not text (byte 0x{byte:02x})", path, line)
    if data.startswith(_BOM):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise NotTextError(
            f"not UTF-8 (byte 0x{data[err.start]:02x}); convert it to UTF-8 first", path, line
        ) from err
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a directory, not a file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from err


def read_text(path: Path) -> str:
    """The file at ``path`` as text (see :func:`decode_text`); a missing file is an error."""
    return decode_text(_read_bytes(path), path)


@dataclass(frozen=True)
class FileRepair:
    """A file's text before and after the encoding repair."""

    path: Path
    original: str
    result: RepairResult
    #: The file's own conventions, restored when it is rewritten.
    bom: bool = False
    newline: str = "\n"

    @property
    def text(self) -> str:
        return self.result.text

    @property
    def changed(self) -> bool:
        return self.result.text != self.original

    @property
    def uncertain(self) -> tuple[UncertainChar, ...]:
        return self.result.uncertain


@lru_cache(maxsize=16)
def _repair(text: str) -> RepairResult:
    # repair_text is pure and takes seconds on a large file: a dry run followed by the
    # import (or a test suite importing the same files) repairs each text once.
    return repair_text(text)


def repair_file(path: Path) -> FileRepair:
    """Read ``path`` and repair its encoding; nothing is written."""
    data = _read_bytes(path)
    original = decode_text(data, path)
    newline = "\r\n" if data.count(b"\r\n") * 2 > data.count(b"\n") else "\n"
    return FileRepair(path, original, _repair(original), data.startswith(_BOM), newline)


def write_repaired(repair: FileRepair) -> bool:
    """Replace the file with its repaired text, atomically; False when nothing changed.

    The file keeps its line endings (CRLF or LF, by majority) and its byte-order mark.
    """
    if not repair.changed:
        return False
    text = repair.text.replace("\n", repair.newline)
    write_text_atomic(repair.path, ("\ufeff" if repair.bom else "") + text)
    return True
