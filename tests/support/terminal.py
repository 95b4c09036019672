"""Run kbtool in a subprocess whose stderr is a real terminal (a pseudo-terminal)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.support.kb import REPO_ROOT


@dataclass(frozen=True)
class TerminalRun:
    returncode: int
    stdout: str  # a pipe, as a script would read it
    terminal: str  # everything written to the terminal (stderr), escape sequences and all


def run_on_terminal(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> TerminalRun:
    """``python ARGS`` with stdout to a pipe and stderr to a pseudo-terminal."""
    master, slave = pty.openpty()
    environ = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": str(REPO_ROOT),
        "TERM": "xterm-256color",
        "COLUMNS": "100",
    }
    environ.pop("NO_COLOR", None)
    chunks: list[bytes] = []

    def drain() -> None:  # keep reading, so a chatty bar never blocks the child
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        process = subprocess.run(
            [sys.executable, *args],
            stdout=subprocess.PIPE,
            stderr=slave,
            stdin=subprocess.DEVNULL,
            env=environ,
            cwd=cwd,
            timeout=120,
            check=False,
        )
    finally:
        os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    return TerminalRun(
        process.returncode,
        process.stdout.decode("utf-8"),
        b"".join(chunks).decode("utf-8", "replace"),
    )
