"""The one way kbtool writes a file: all of it, or none of it.

The content goes to a temporary file in the same folder, is flushed and fsynced,
then ``os.replace`` puts it in place, so a reader (or a crash, or a kill) only
ever sees the old file or the new one, never a truncated mix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically.

    With ``exclusive``, refuse (``FileExistsError``) when ``path`` already exists,
    so a new note never overwrites one that appeared meanwhile.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            if exclusive:
                raise FileExistsError(path)
            # Keep the file's permission bits across the replace.
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if exclusive:
            # link() fails if the target exists: no window where we could clobber it.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                if path.exists():
                    raise FileExistsError(path) from None
                os.replace(tmp, path)
            else:
                tmp.unlink()
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def write_text_atomic(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` as UTF-8 (newlines as given) atomically; see :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"), exclusive=exclusive)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync_dir(directory: Path) -> None:
    # Make the rename itself durable; not possible on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
