"""Reading a file kbtool did not write: a regular file of bounded size, or an OSError saying why.

A knowledge base is a folder anyone can put anything in (a pull request, a sync
tool, a clumsy ``mkfifo``). ``Path.read_bytes`` on a named pipe waits for a writer
for ever; on ``/dev/zero`` it reads for ever; on a huge file it fills memory.
:func:`read_regular_file` opens without blocking, checks what it opened, and reads
at most ``limit`` bytes; every refusal is an ``OSError`` naming the file, so the
callers' existing "cannot read: …" paths report it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MiB = 1024 * 1024
#: The largest state or settings file kbtool reads (kbtool.yml, inbox.yml, its JSON records).
MAX_SETTINGS_BYTES = 64 * MiB

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFREG: "a file",
}


def file_kind(mode: int) -> str:
    """What a file of ``mode`` is, for a message (``a named pipe (FIFO)``, ``a folder``…)."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def format_size(size: int) -> str:
    """``4 MiB``, ``512 KiB``, ``12 bytes``."""
    if size >= MiB and size % MiB == 0:
        return f"{size // MiB} MiB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} bytes"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (symlinks followed) of at most ``limit`` bytes.

    Never blocks on a named pipe or device and never reads more than ``limit + 1``
    bytes. Raises ``FileNotFoundError`` when it does not exist and another
    ``OSError`` (with ``filename`` set) when it cannot be read, is not a regular
    file, or is larger than ``limit``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "a folder, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, f"{file_kind(info.st_mode)}, not a file", str(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {format_size(limit)}", str(path))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, MiB))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while we read
            raise OSError(errno.EFBIG, f"larger than {format_size(limit)}", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_regular_text(path: Path, limit: int = MAX_SETTINGS_BYTES, encoding: str = "utf-8") -> str:
    """:func:`read_regular_file` decoded (``UnicodeDecodeError`` when it is not ``encoding``)."""
    return read_regular_file(path, limit).decode(encoding)
