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
:func:`plan_fields` applies the rule to a note's fields; :class:`SyncRecord` is the
record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from kbtool.arxiv.fields import canonical
from kbtool.core.note import Note
from kbtool.core.schema import ARXIV_OWNED_FIELDS
from kbtool.util.state_file import read_state, write_state

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

    @classmethod
    def load(cls, path: Path) -> SyncRecord:
        """The record at ``path``; empty (with a ``warning``) when it cannot be used."""
        record = cls(path)
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
            self.changed = True

    def save(self) -> None:
        """Write the record atomically, if anything changed since it was read."""
        if not self.changed and self.path.exists():
            return
        papers = {base: dict(sorted(f.items())) for base, f in sorted(self.papers.items())}
        write_state(self.path, SYNC_FORMAT, {"papers": papers})
        self.changed = False


# --- the rule, applied to a note ---------------------------------------------------------------


class Action(Enum):
    FILL = "filled"
    REFRESH = "refreshed"
    KEEP = "kept"


HAND_SET = "differs from arXiv and was not written by kbtool"
HOLDS_COMMENTS = "differs from arXiv and holds comments, which a rewrite would lose"


@dataclass(frozen=True)
class FieldChange:
    name: str
    action: Action
    old: Any
    new: Any
    reason: str | None = None  # why a differing value is kept


@dataclass(frozen=True)
class FieldPlan:
    """What to do with a note's arXiv fields."""

    updates: dict[str, Any]  # to write
    changes: tuple[FieldChange, ...]  # filled and refreshed
    kept: tuple[FieldChange, ...]  # differing from arXiv, but the researcher's
    in_sync: dict[str, Any]  # arXiv values the note holds once written


def _is_missing(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == {}


def plan_fields(
    current: Mapping[str, Any],
    target: Mapping[str, Any],
    written_by_kbtool: Callable[[str, Any], bool],
    overwrite: Collection[str] = (),
    commented: Collection[str] = (),
) -> FieldPlan:
    """Decide each arXiv-owned field: fill it, refresh it, keep it, or leave it (in sync).

    A field is filled when missing or empty; refreshed when it differs from arXiv
    and either still holds what kbtool last wrote or is named in ``overwrite``;
    otherwise a differing value is kept. A value holding comments (``commented``)
    is always kept: rewriting it would lose them.
    """
    updates: dict[str, Any] = {}
    changes: list[FieldChange] = []
    kept: list[FieldChange] = []
    in_sync: dict[str, Any] = {}
    for name, new in target.items():
        if name not in ARXIV_OWNED_FIELDS:
            raise ValueError(f"enrich writes arXiv-owned fields only, not {name!r}")
        old = current.get(name)
        if _is_missing(old):
            action: Action | None = Action.FILL
        elif canonical(old) == canonical(new):
            action = None
        elif name in commented:
            kept.append(FieldChange(name, Action.KEEP, old, new, HOLDS_COMMENTS))
            continue
        elif name in overwrite or written_by_kbtool(name, old):
            action = Action.REFRESH
        else:
            kept.append(FieldChange(name, Action.KEEP, old, new, HAND_SET))
            continue
        in_sync[name] = new
        if action is not None:
            updates[name] = new
            changes.append(FieldChange(name, action, old, new))
    return FieldPlan(updates, tuple(changes), tuple(kept), in_sync)


def note_version(note: Note) -> int | None:
    """The version the note knows: its ``version`` field, else the version in ``arxiv``."""
    value = note.fields.get("version")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return note.arxiv_id.version if note.arxiv_id is not None else None
