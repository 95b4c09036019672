"""The import manifest: which files the importer wrote, and the hash of what it wrote.

``.kbtool-import.json`` at the knowledge base's root (committed with the notes) maps
each written file to the paper or topic it holds and the SHA-256 of every text the
importer put there. A file whose current hash is among them has not been edited since
the import, so a later import may rewrite it (when the sources or the importer changed);
any other file was edited by the researcher (or written by hand) and is never touched.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kbtool.config import NOTES_DIR, TOPIC_TEXTS_DIR, Layout, lock_file
from kbtool.errors import ConfigError
from kbtool.util.atomic_write import write_text_atomic
from kbtool.util.locks import file_lock
from kbtool.util.safe_read import read_regular_text

MANIFEST_FILE = ".kbtool-import.json"
MANIFEST_VERSION = 1
#: How many past texts of a file to remember as the importer's own.
_KEEP_HASHES = 5


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ManifestEntry:
    key: str
    hashes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """Relative file path → what the importer wrote there."""

    files: dict[str, ManifestEntry] = field(default_factory=dict)

    def path_for(self, key: str) -> str | None:
        for path, entry in self.files.items():
            if entry.key == key:
                return path
        return None

    def wrote(self, path: str, text: str) -> bool:
        """Whether ``text`` is something the importer wrote at ``path``."""
        entry = self.files.get(path)
        return entry is not None and text_hash(text) in entry.hashes

    def record(self, path: str, key: str, text: str, sources: list[str]) -> None:
        entry = self.files.get(path)
        previous = entry.hashes if entry is not None else []
        digest = text_hash(text)
        hashes = [digest, *(h for h in previous if h != digest)][:_KEEP_HASHES]
        self.files[path] = ManifestEntry(key, hashes, sources)

    def to_json(self) -> str:
        data = {
            "version": MANIFEST_VERSION,
            "files": {
                path: {"key": e.key, "sha256": e.hashes, "sources": e.sources}
                for path, e in sorted(self.files.items())
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def manifest_path(layout: Layout) -> Path:
    return layout.root / MANIFEST_FILE


def load_manifest(layout: Layout) -> Manifest:
    """The manifest (empty when absent); a damaged one is a ConfigError naming it."""
    path = manifest_path(layout)
    try:
        text = read_regular_text(path)
    except FileNotFoundError:
        return Manifest()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the import manifest: {err}", path) from err
    try:
        data = json.loads(text)
        files = {
            str(p): ManifestEntry(
                str(e["key"]), [str(h) for h in e["sha256"]], [str(s) for s in e.get("sources", [])]
            )
            for p, e in data["files"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
        raise ConfigError(
            f"the import manifest is damaged ({err}); restore it from git, or delete it to treat "
            "every imported note as edited",
            path,
        ) from err
    for name in files:
        if not _is_importer_path(name):
            raise ConfigError(
                f"the import manifest names {name!r}, which is not a Markdown file under "
                f"{NOTES_DIR}/ or {TOPIC_TEXTS_DIR}/; restore it from git, or delete it",
                path,
            )
    return Manifest(files)


def _is_importer_path(name: str) -> bool:
    """Whether ``name`` is where the importer writes: ``notes/…md`` or ``topics/…md``, inside."""
    # The manifest is committed data: a path in it must never lead a write elsewhere.
    parts = PurePosixPath(name).parts
    return (
        len(parts) >= 2
        and parts[0] in (NOTES_DIR, TOPIC_TEXTS_DIR)
        and name.endswith(".md")
        and "\\" not in name
        and "\x00" not in name
        and not any(part in ("..", ".") for part in parts)
        and name == PurePosixPath(*parts).as_posix()
    )


def save_manifest(layout: Layout, manifest: Manifest) -> None:
    write_text_atomic(manifest_path(layout), manifest.to_json())


def manifest_lock(layout: Layout) -> AbstractContextManager[None]:
    """Held for a whole import: its plan rests on the manifest and notes as they were read."""
    return file_lock(lock_file(manifest_path(layout)), "importing (the import manifest)")
