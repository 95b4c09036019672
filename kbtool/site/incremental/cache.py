"""Rendered pages kept between builds: ``.kbtool-cache/site/pages.sqlite3``.

Entries are keyed by a fingerprint of what produced them (a page's inputs, its
Markdown, its HTML and context), so an entry is either right or never asked
for: there is nothing to invalidate. Every key also carries the *salt*: the
versions of kbtool (and a digest of its own source files, so an edited checkout
does not reuse its older pages), MkDocs, Material, Python-Markdown, its
extensions, Jinja and Pygments. A cache written under another salt is emptied.

One SQLite file (standard library, atomic commits, safe if two builds share
it). Values are stored as they are: decompressing them cost more than reading
them (CI's cache compresses the folder anyway). After a build that visited every page, entries it
did not use are dropped, so the cache holds one site's worth of pages. A cache
that cannot be opened or read is reported and started afresh: it is never a
reason for a build to fail.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from functools import cache
from importlib import metadata
from pathlib import Path

import kbtool

log = logging.getLogger("mkdocs.plugins.kbtool")

CACHE_FILE = "pages.sqlite3"
#: The libraries whose versions change what a page looks like.
DISTRIBUTIONS = (
    "mkdocs",
    "mkdocs-material",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "pygments",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


@cache
def software_salt() -> str:
    """What the cache's entries depend on besides the knowledge base: every version involved."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"kbtool {kbtool.__version__}\n".encode())
    for name in DISTRIBUTIONS:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        hasher.update(f"{name} {version}\n".encode())
    package = Path(kbtool.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".yml", ".md"):
            hasher.update(path.relative_to(package).as_posix().encode() + b"\0")
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


class SiteCache:
    """A persistent mapping of fingerprint to bytes, for one knowledge base's site."""

    def __init__(self, folder: Path, salt: str | None = None) -> None:
        self.path = folder / CACHE_FILE
        self.salt = salt or software_salt()
        self._used: set[str] = set()
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        try:
            self._db = self._open()
        except (OSError, sqlite3.Error) as err:
            log.warning(f"{self.path}: the page cache cannot be used, building without it ({err})")
            self._db = None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect()
        except sqlite3.DatabaseError as err:
            log.warning(f"{self.path}: damaged page cache removed ({err})")
            self.path.unlink(missing_ok=True)
            db = self._connect()
        row = db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
        if row is None or row[0] != self.salt:
            db.execute("DELETE FROM entries")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('salt', ?)", (self.salt,))
            db.commit()
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        db.executescript(_SCHEMA)
        return db

    @property
    def usable(self) -> bool:
        return self._db is not None

    def get(self, key: str) -> bytes | None:
        """The bytes kept under ``key``, or None."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            value = bytes(row[0]) if row is not None else None
        except sqlite3.Error as err:
            self._fail(err)
            return None
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self._used.add(key)
        return value

    def put(self, key: str, value: bytes) -> None:
        """Keep ``value`` under ``key`` (written at the next :meth:`flush`)."""
        if self._db is None:
            return
        try:
            self._db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?)", (key, value))
        except sqlite3.Error as err:
            self._fail(err)
            return
        self._used.add(key)

    def flush(self, *, prune: bool = False) -> None:
        """Write what was put; with ``prune``, drop the entries this build did not use."""
        if self._db is None:
            return
        try:
            if prune:
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM used")
                self._db.executemany("INSERT INTO used VALUES (?)", ((k,) for k in self._used))
                self._db.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM used)")
                self._used.clear()
            self._db.commit()
        except sqlite3.Error as err:
            self._fail(err)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _fail(self, err: Exception) -> None:
        log.warning(f"{self.path}: the page cache failed, building without it ({err})")
        try:
            assert self._db is not None
            self._db.close()
        finally:
            self._db = None
