"""What kbtool last wrote into each paper's arXiv fields: the rule for hand-edited values.

``kbtool enrich`` never overwrites a value the researcher set by hand. It cannot
tell from the note alone, so it remembers, per paper and per arXiv-owned field, a
fingerprint of the arXiv value that the note held after kbtool last wrote or
checked it, in ``.kbtool-sync.json`` at the knowledge base's root. That file is
committed with the notes (unlike the cache), so the rule holds on every clone,
including the monthly ``enrich`` workflow's. The rule:

* a missing or empty field is filled;
* a field equal to arXiv's current value is left alone (and remembered as in sync);
* a field whose value still has the remembered fingerprint is kbtool's own, now
  outdated: it is refreshed;
* any other value — edited by hand, or with no record (a fresh clone, a deleted
  cache) — is kept and reported; ``kbtool enrich --overwrite FIELD`` takes
  arXiv's value anyway.

Fingerprints, not values, are stored: the file stays small and holds no text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.arxiv.fields import canonical
from kbtool.config import lock_file
from kbtool.util.locks import file_lock
from kbtool.util.state_file import FileVersion, file_version, read_state, write_state

SYNC_FORMAT = 1


def fingerprint(value: Any) -> str:
    """A short stable hash of a field value (dates and their ISO text hash alike)."""
    data = json.dumps(canonical(value), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:20]


@dataclass
class SyncRecord:
    path: Path
    papers: dict[str, dict[str, str]] = field(default_factory=dict)
    warning: str | None = None
    changed: bool = False
    #: What this run remembered, to lay over the file as it is on disk when saving.
    _remembered: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _version: FileVersion | None = field(default=None, repr=False)  # the file as last read

    @classmethod
    def load(cls, path: Path) -> SyncRecord:
        """The record at ``path``; empty (with a ``warning``) when it cannot be used."""
        record = cls(path)
        record._version = file_version(path)  # before reading: never newer than what is read
        data, record.warning = read_state(path, SYNC_FORMAT, "sync record")
        if data is None:
            return record
        papers = data.get("papers")
        if not isinstance(papers, dict):
            record.warning = f"{path}: sync record of another format ignored"
            return record
        for base, fields in papers.items():
            if isinstance(fields, dict):
                record.papers[str(base)] = {
                    str(k): v for k, v in fields.items() if isinstance(v, str)
                }
        return record

    def fingerprints(self, base: str) -> Mapping[str, str]:
        return self.papers.get(base, {})

    def written_by_kbtool(self, base: str, name: str, value: Any) -> bool:
        """True when ``value`` is what kbtool last wrote (or found in sync) in field ``name``."""
        return self.papers.get(base, {}).get(name) == fingerprint(value)

    def remember(self, base: str, values: Mapping[str, Any]) -> None:
        """Record ``values`` as the arXiv values now in the paper's note."""
        fingerprints = {k: fingerprint(v) for k, v in values.items()}
        known = self.papers.setdefault(base, {})
        if any(known.get(k) != f for k, f in fingerprints.items()):
            known.update(fingerprints)
            self._remembered.setdefault(base, {}).update(fingerprints)
            self.changed = True

    def save(self) -> None:
        """Write the record atomically, if anything changed since it was read.

        Another kbtool may have saved the file meanwhile (two ``enrich`` runs, ``new``
        during ``enrich``): under a lock, what this run remembered is laid over the
        file as it is now, so neither run's record is lost.
        """
        if not self.changed and self.path.exists():
            return
        with file_lock(lock_file(self.path), f"updating {self.path.name}"):
            if file_version(self.path) != self._version:  # written by another kbtool
                on_disk = SyncRecord.load(self.path)
                for base, fingerprints in self._remembered.items():
                    on_disk.papers.setdefault(base, {}).update(fingerprints)
                self.papers = on_disk.papers
            papers = {base: dict(sorted(f.items())) for base, f in sorted(self.papers.items())}
            write_state(self.path, SYNC_FORMAT, {"papers": papers})
            self._version = file_version(self.path)
        self._remembered = {}
        self.changed = False
