"""One kbtool at a time on a shared file: an exclusive lock, waited for a bounded time.

Two kbtools may run on one knowledge base at once (``enrich`` in a terminal while
``new`` runs in another, a workflow and a person). Each read-modify-write of a
shared state file (``.kbtool-sync.json``, the caches, ``inbox.yml``, the import
manifest) happens under :func:`file_lock`: the second process waits while the first
writes, and after :data:`LOCK_WAIT` seconds gives up with :class:`~kbtool.errors.BusyError`
naming the process that holds the lock. Writers hold their lock only while they
merge with what is on disk and write, so the wait is normally a few milliseconds.

The lock is the operating system's (``flock``), on a small file of its own: a
process that dies releases it, and a stale lock file is harmless. The file notes
who holds it, for the message.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from kbtool.errors import BusyError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Seconds a kbtool waits for another to finish with a shared file.
LOCK_WAIT = 30.0
#: After this long, a waiting kbtool says what it is waiting for.
_SAY_AFTER = 1.0
log = logging.getLogger("kbtool")


@contextlib.contextmanager
def file_lock(lock_file: Path, what: str, *, wait: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock ``lock_file`` while the block runs.

    ``what`` says what the holder does ("updating .kbtool-sync.json"), for the
    messages. Raises BusyError after waiting ``wait`` seconds (default
    :data:`LOCK_WAIT`) for another process.
    """
    wait = LOCK_WAIT if wait is None else wait
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        _acquire(fd, lock_file, what, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {_command()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, lock_file: Path, what: str, wait: float) -> None:
    if fcntl is None:  # pragma: no cover - no advisory locks: one kbtool at a time is on the user
        return
    started = time.monotonic()
    said = False
    pause = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        if waited >= wait:
            raise BusyError(
                f"another kbtool ({_holder(lock_file)}) is {what}; waited {wait:g} s for it: "
                "try again when it has finished",
                lock_file,
            )
        if not said and waited >= _SAY_AFTER:
            log.warning(f"waiting for another kbtool ({_holder(lock_file)}), {what}")
            said = True
        time.sleep(min(pause, wait - waited))
        pause = min(pause * 2, 0.25)


def _holder(lock_file: Path) -> str:
    try:
        text = lock_file.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "process unknown"
    pid, _, command = text.partition(" ")
    return f"pid {pid}: {command}" if pid.isdigit() and command else "process unknown"


def _command() -> str:
    """What this process is, shortly: ``kbtool enrich`` (its options left out)."""
    program = os.path.basename(sys.argv[0]) if sys.argv else ""
    if program not in ("kbtool", "__main__.py"):
        return "python" if program in ("", "-c") else program[:40]
    args = iter(sys.argv[1:])
    for arg in args:
        if arg == "--root":
            next(args, None)
        elif not arg.startswith("-"):
            return f"kbtool {arg}"[:60]
    return "kbtool"
