"""The one way kbtool writes a file: all of it, or none of it.

The content goes to a temporary file in the same folder, is flushed and fsynced,
then ``os.replace`` puts it in place, so a reader (or a crash, or a kill) only
ever sees the old file or the new one, never a truncated mix.

A kill at the wrong moment leaves the temporary file behind: a hidden
``.<name>.<pid>-<random>.tmp`` (kbtool's readers skip hidden names, and the
knowledge base's ``.gitignore`` ignores ``.*.tmp``). The next kbtool that writes
removes those of processes that are gone (:func:`remove_stale_temp_files`).
An error names the file being written, never its temporary file.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from pathlib import Path

from kbtool.util.safe_read import read_regular_text

TEMP_SUFFIX = ".tmp"
#: A temporary file whose writer cannot be told gone is stale after this many seconds.
STALE_AFTER = 3600.0
_TEMP_PID = re.compile(r"\.(?P<pid>\d{1,10})-[^.]*\.tmp$")


def write_bytes_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically.

    With ``exclusive``, refuse (``FileExistsError``) when ``path`` already exists,
    so a new note never overwrites one that appeared meanwhile.
    """
    try:
        _write(path, data, exclusive)
    except OSError as err:
        unnamed = err.filename is None or _is_temp_of(path, str(err.filename))
        if err.errno is not None and unnamed:
            # A full disk raises from write() with no name: say which file it was.
            raise OSError(err.errno, err.strerror or str(err), str(path)) from err
        raise


def _write(path: Path, data: bytes, exclusive: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}-", suffix=TEMP_SUFFIX, dir=path.parent
    )
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


def _is_temp_of(path: Path, name: str) -> bool:
    temp = Path(name)
    return temp.parent == path.parent and temp.name.startswith(f".{path.name}.")


def write_text_atomic(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` as UTF-8 (newlines as given) atomically; see :func:`write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"), exclusive=exclusive)


def write_text_if_changed(path: Path, text: str) -> bool:
    """:func:`write_text_atomic`, only if the file does not hold ``text`` already (a file
    rewritten unchanged would still look changed to git's and the editor's eyes); True
    when it was written."""
    try:
        if read_regular_text(path) == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    write_text_atomic(path, text)
    return True


def remove_stale_temp_files(directory: Path, *, recursive: bool = False) -> list[Path]:
    """Remove the temporary files of writes that never finished, under ``directory``; the
    files removed. A temporary file is stale when the process that made it is gone (its
    pid is in the name), or, for one from elsewhere, when it is older than :data:`STALE_AFTER`.
    """
    removed: list[Path] = []
    pattern = f".*{TEMP_SUFFIX}"
    try:
        candidates = directory.rglob(pattern) if recursive else directory.glob(pattern)
        for candidate in sorted(candidates):
            if candidate.is_symlink() or not candidate.is_file() or not _is_stale(candidate):
                continue
            with contextlib.suppress(FileNotFoundError):
                candidate.unlink()
                removed.append(candidate)
    except OSError:  # a folder that cannot be listed is reported by whoever reads it
        pass
    return removed


def _is_stale(candidate: Path) -> bool:
    match = _TEMP_PID.search(candidate.name)
    pid = int(match["pid"]) if match is not None else None
    if pid is not None and pid != os.getpid() and not _alive(pid):
        return True
    try:
        age = time.time() - candidate.stat().st_mtime
    except OSError:
        return False
    return age > STALE_AFTER


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):  # someone else's process, or no such pid
        return True
    return True


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
