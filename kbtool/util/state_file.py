"""kbtool's own state files (caches, records) under ``.kbtool-cache/``: versioned JSON.

A state file that is missing, unreadable, damaged or of another format version is
never an error: the feature starts empty and says why in a warning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kbtool.util.atomic_write import write_text_atomic
from kbtool.util.safe_read import read_regular_text


def read_state(path: Path, version: int, what: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object at ``path`` if its ``format`` is ``version``; else None and why.

    ``what`` names the file in the warning (e.g. "metadata cache"). A missing file
    gives (None, None): starting empty is then normal, not worth a warning.
    """
    try:
        data = json.loads(read_regular_text(path))
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"{path}: unreadable {what} ignored ({err})"
    except RecursionError:  # a committed file may come from anyone: [[[[…]]]] is no record
        return None, f"{path}: unreadable {what} ignored (nested too deeply)"
    if not isinstance(data, dict) or data.get("format") != version:
        return None, f"{path}: {what} of another format ignored"
    return data, None


FileVersion = tuple[int, int, int]


def file_version(path: Path) -> FileVersion | None:
    """What identifies the file at ``path`` as written (None: there is none).

    Every write of a state file replaces it (a new inode), so an unchanged version
    means nobody wrote it since: a writer that holds the lock may then skip reading
    it again before merging.
    """
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def write_state(
    path: Path, version: int, payload: dict[str, Any], *, compact: bool = False
) -> None:
    """Write ``payload`` (with its ``format`` version first) atomically: diff-friendly, one
    value a line, or ``compact`` (for a large file nobody reads)."""
    document = {"format": version, **payload}
    if compact:
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(document, ensure_ascii=False, indent=1)
    write_text_atomic(path, text + "\n")
