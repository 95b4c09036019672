"""The one place that finds and reads the researcher's files: notes, topic texts, files beside them.

Whatever is in ``notes/``, reading it never blocks, never reads without end, never
follows a link out of the knowledge base, and never skips a file silently:

* only **regular files** are read; a named pipe, a device or a socket named like a
  note is a problem (``unreadable``), not a hang;
* a note is read up to :data:`MAX_NOTE_BYTES`; a larger one is a problem;
* **symlinks** are followed while they stay inside the knowledge base; one that
  leads outside it (it could publish ``~/.ssh`` on the site), a loop, or a link
  to nothing is a problem; a folder is walked once however many links lead to it;
* a folder that cannot be listed (or a ``notes`` that is not a folder) is a
  problem, so ``check`` and ``build`` fail instead of passing on "0 notes";
* names starting with ``.`` are skipped: editors' and kbtool's temporary files.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from kbtool.config import Layout, lock_file
from kbtool.core.note import Note, parse_note
from kbtool.core.problems import Problem, problem
from kbtool.util.atomic_write import remove_stale_temp_files
from kbtool.util.locks import file_lock
from kbtool.util.safe_read import MiB, file_kind, format_size, read_regular_file

log = logging.getLogger("kbtool")

#: The largest note (or topic text) kbtool reads: ~350 times the largest real note.
MAX_NOTE_BYTES = 4 * MiB


@dataclass(frozen=True)
class FoundFiles:
    """The files found under a folder, sorted, and what could not be looked at."""

    paths: tuple[Path, ...]
    problems: tuple[Problem, ...] = ()


def is_markdown(name: str) -> bool:
    return name.endswith(".md")


def find_files(
    layout: Layout, directory: Path, wanted: Callable[[str], bool] = is_markdown
) -> FoundFiles:
    """Every regular file under ``directory`` whose name is ``wanted`` (see the module docstring).

    A missing ``directory`` holds no files and no problems (a new knowledge base).
    """
    try:
        top = os.stat(directory)
    except FileNotFoundError:
        if not os.path.islink(directory):
            return FoundFiles(())
        return FoundFiles((), (_unreadable(layout, directory, "a symlink to nothing"),))
    except OSError as err:
        reason = "a symlink loop" if err.errno == errno.ELOOP else _reason(err)
        return FoundFiles((), (_unreadable(layout, directory, reason),))
    if not stat.S_ISDIR(top.st_mode):
        return FoundFiles(
            (), (_unreadable(layout, directory, f"{file_kind(top.st_mode)}, not a folder"),)
        )
    inside = (os.path.realpath(layout.root), os.path.realpath(directory))
    found: list[Path] = []
    problems: list[Problem] = []
    walked = {os.path.realpath(directory)}
    pending = [directory]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as err:
            problems.append(_unreadable(layout, folder, f"cannot list the folder: {_reason(err)}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            why, is_dir = _look(entry.path, inside)
            if is_dir and why is None:
                real = os.path.realpath(path)
                if real not in walked:
                    walked.add(real)
                    pending.append(path)
            elif is_dir or wanted(entry.name):
                if why is None:
                    found.append(path)
                else:
                    problems.append(_unreadable(layout, path, why))
    return FoundFiles(tuple(sorted(found)), tuple(problems))


def _look(path: str, inside: tuple[str, ...]) -> tuple[str | None, bool]:
    """(why the file at ``path`` is not to be read, or None; whether it is a folder)."""
    try:
        info = os.stat(path)  # follows symlinks
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "a symlink loop; not read", False
        if err.errno == errno.ENOENT:
            return "a symlink to nothing; not read", False
        return _reason(err), False
    is_dir = stat.S_ISDIR(info.st_mode)
    if os.path.islink(path):
        real = os.path.realpath(path)
        if not any(real == base or real.startswith(base + os.sep) for base in inside):
            return "a symlink to a file outside the knowledge base; not read", is_dir
    if not is_dir and not stat.S_ISREG(info.st_mode):
        return f"{file_kind(info.st_mode)}, not a file; not read", False
    return None, is_dir


def refusal(layout: Layout, path: Path) -> str | None:
    """Why kbtool will not read the file at ``path`` (see the module docstring), or None."""
    why, is_dir = _look(str(path), (os.path.realpath(layout.root),))
    return why if why is not None or not is_dir else "a folder, not a file"


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _unreadable(layout: Layout, path: Path, why: str) -> Problem:
    return problem(layout.relative(path), 0, "unreadable", why)


def clean_interrupted_writes(layout: Layout) -> None:
    """Remove what writes killed half-way left behind (``.<name>.<pid>-….tmp``), with a warning.

    Run by the commands that write (``new``, ``enrich``, ``import``, ``watch``) before they do.
    """
    removed = [
        *remove_stale_temp_files(layout.notes_dir, recursive=True),
        *remove_stale_temp_files(layout.topic_texts_dir, recursive=True),
        *remove_stale_temp_files(layout.root),
        *remove_stale_temp_files(layout.cache_dir, recursive=True),
    ]
    if removed:
        names = ", ".join(layout.relative(path) for path in removed[:3])
        more = f" and {len(removed) - 3} more" if len(removed) > 3 else ""
        log.warning(
            f"removed {len(removed)} temporary file{'s' * (len(removed) != 1)} left by an "
            f"interrupted kbtool: {names}{more}"
        )


def notes_lock(layout: Layout) -> AbstractContextManager[None]:
    """Held by whoever checks which papers have notes and then creates notes (``new``,
    ``import``), so two of them never write two notes for one paper."""
    return file_lock(lock_file(layout.notes_dir), "creating notes")


def find_note_files(layout: Layout, directory: Path | None = None) -> FoundFiles:
    """The notes (``*.md``) under ``notes/`` (or ``directory``), and what could not be looked at."""
    return find_files(layout, directory or layout.notes_dir)


def read_note_bytes(path: Path) -> bytes:
    """The bytes of a note file: a regular file of at most :data:`MAX_NOTE_BYTES`, else OSError."""
    return read_regular_file(path, MAX_NOTE_BYTES)


def read_notes(layout: Layout, paths: Iterable[Path]) -> tuple[list[Note], list[Problem]]:
    """Each file parsed as a note; one that cannot be read is a problem, never an exception."""
    notes: list[Note] = []
    problems: list[Problem] = []
    for path in paths:
        display = layout.relative(path)
        try:
            data = read_note_bytes(path)
        except OSError as err:
            reason = _reason(err)
            if err.errno == errno.EFBIG:
                reason = f"larger than {format_size(MAX_NOTE_BYTES)}, the largest note kbtool reads"
            problems.append(problem(display, 0, "unreadable", f"cannot read: {reason}"))
            continue
        notes.append(parse_note(data, display))
    return notes, problems
