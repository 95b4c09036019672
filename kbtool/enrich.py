"""``kbtool enrich``: fill and refresh notes' arXiv fields, never the researcher's text.

Only fields the note schema marks as arXiv-owned are written, and of those only
the ones :mod:`kbtool.arxiv.sync` says are kbtool's (missing, or still what kbtool
last wrote); a value set by hand is kept and reported. The note is edited with
:func:`~kbtool.core.frontmatter.update_frontmatter` — only changed keys are
touched, the body and everything else stay byte-identical (BOM and CRLF too) —
and written atomically, batch by batch as arXiv answers, so a failure (or a
kill) later in the run never costs the notes already written. A note that was
changed on disk while the run looked it up is left alone.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from kbtool.arxiv.fields import arxiv_owned_values, canonical
from kbtool.arxiv.lookup import ArxivLookup, LookupBatch
from kbtool.arxiv.record import ArxivRecord
from kbtool.arxiv.sync import SyncRecord
from kbtool.config import Layout, load_settings
from kbtool.core.arxiv_id import ArxivId, find_arxiv_id
from kbtool.core.files import clean_interrupted_writes, read_note_bytes
from kbtool.core.frontmatter import keys_with_comments, update_frontmatter
from kbtool.core.knowledge_base import iter_note_files
from kbtool.core.note import Note, parse_note
from kbtool.core.schema import ARXIV_OWNED_FIELDS
from kbtool.errors import InputError, KbtoolError, NoteFormatError, RemoteError
from kbtool.util.atomic_write import write_bytes_atomic

_BOM = b"\xef\xbb\xbf"
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
Progress = Callable[[int, int], None]


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


class Outcome(Enum):
    UPDATED = "updated"
    UP_TO_DATE = "up to date"
    UNKNOWN = "unknown to arXiv"
    SKIPPED = "not editable"
    FAILED = "not fetched"


@dataclass(frozen=True)
class NoteResult:
    path: str
    arxiv_id: str | None
    outcome: Outcome
    changes: tuple[FieldChange, ...] = ()
    kept: tuple[FieldChange, ...] = ()
    newer: tuple[int | None, int] | None = None  # (the note's version, arXiv's)
    message: str | None = None
    diff: str | None = None
    remote_failure: bool = False
    write_failure: bool = False  # the system refused to write it (a full disk…)


@dataclass
class EnrichReport:
    results: list[NoteResult] = field(default_factory=list)
    without_arxiv_id: int = 0
    requests: int = 0
    from_cache: int = 0
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    def error(self) -> KbtoolError | None:
        """The error to exit with once every note has been reported, or None."""
        failed = [r for r in self.results if r.outcome in (Outcome.FAILED, Outcome.UNKNOWN)]
        failed += [r for r in self.results if r.outcome is Outcome.SKIPPED]
        if not failed:
            return None
        done = self.count(Outcome.UPDATED) + self.count(Outcome.UP_TO_DATE)
        message = (
            f"{len(failed)} note{'s' * (len(failed) != 1)} not enriched "
            f"({_tally(failed)}); {done} enriched or up to date"
        )
        unwritten = next((r for r in failed if r.write_failure), None)
        if unwritten is not None:  # the system's failure, not the input's: exit 1
            return KbtoolError(f"{unwritten.path}: {unwritten.message}; {message}")
        if any(r.remote_failure for r in failed):
            return RemoteError(message + "; run again later for the rest")
        return InputError(message)


def _tally(results: Iterable[NoteResult]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
    return ", ".join(f"{n} {what}" for what, n in counts.items())


@dataclass(frozen=True)
class EnrichOptions:
    dry_run: bool = False
    refresh: bool = False  # ask arXiv even when the cache is fresh
    overwrite: frozenset[str] = frozenset()  # fields to take from arXiv even if edited


def check_overwrite(names: Iterable[str]) -> frozenset[str]:
    """``--overwrite`` values as field names (``all`` for every arXiv-owned field)."""
    fields: set[str] = set()
    for name in names:
        for part in (p.strip() for p in name.split(",")):
            if part == "all":
                fields.update(ARXIV_OWNED_FIELDS)
            elif part in ARXIV_OWNED_FIELDS:
                fields.add(part)
            else:
                raise InputError(
                    f"--overwrite {part!r}: not an arXiv field "
                    f"(one of {', '.join(ARXIV_OWNED_FIELDS)}, or all)"
                )
    return frozenset(fields)


# --- which notes --------------------------------------------------------------------------------


def select_note_files(layout: Layout, selectors: Sequence[str], cwd: Path) -> list[Path]:
    """The note files named by ``selectors`` (paths inside ``notes/`` or arXiv ids), or all.

    Raises InputError for a selector with a NUL byte, a path outside ``notes/``, a
    missing file, or an id no note has — before anything is fetched or written.
    """
    if not selectors:
        return iter_note_files(layout)
    notes_dir = layout.notes_dir.resolve()
    chosen: dict[Path, None] = {}
    by_id: dict[str, list[Path]] | None = None
    for selector in selectors:
        if "\x00" in selector:
            raise InputError(f"not a note or arXiv id (contains a NUL byte): {selector!r}")
        given = Path(selector).expanduser()
        candidates = (
            [given]
            if given.is_absolute()
            else [cwd / given, layout.root / given, layout.notes_dir / given]
        )
        existing = next((c for c in candidates if c.exists()), None)
        if existing is not None:
            chosen[_note_path(existing, selector, notes_dir)] = None
            continue
        arxiv = find_arxiv_id(selector)
        if arxiv is None:
            if selector.endswith(".md") or any(sep in selector for sep in "/\\"):
                _note_path(candidates[0], selector, notes_dir)  # raises: outside, or missing
            raise InputError(f"{selector}: no such note, and not an arXiv id")
        if by_id is None:
            by_id = _notes_by_id(layout)
        matches = by_id.get(arxiv.base)
        if not matches:
            raise InputError(f"{selector}: no note has arXiv id {arxiv.base}")
        chosen.update(dict.fromkeys(matches))
    return list(chosen)


def _note_path(candidate: Path, selector: str, notes_dir: Path) -> Path:
    resolved = candidate.resolve()
    if not resolved.is_relative_to(notes_dir):
        if not resolved.exists() and ".." not in Path(selector).parts:
            raise InputError(f"{selector}: no such note")
        raise InputError(f"{selector}: not a note (outside {notes_dir})")
    if resolved.suffix != ".md" or not resolved.is_file():
        raise InputError(f"{selector}: no such note")
    return resolved


def _notes_by_id(layout: Layout) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in iter_note_files(layout):
        try:
            note = parse_note(read_note_bytes(path), layout.relative(path))
        except OSError:
            continue
        if note.arxiv_id is not None:
            found.setdefault(note.arxiv_id.base, []).append(path.resolve())
    return found


# --- one note -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Loaded:
    path: Path
    display: str
    data: bytes
    note: Note
    arxiv_id: ArxivId


def diff_text(old: str, new: str, display: str) -> str:
    """A unified diff of two versions of a note, line endings as they are."""
    return "".join(
        difflib.unified_diff(
            _LINES.findall(old), _LINES.findall(new), f"a/{display}", f"b/{display}"
        )
    )


def enrich_note_bytes(
    data: bytes,
    display: str,
    record: ArxivRecord,
    written_by_kbtool: Callable[[str, Any], bool],
    overwrite: Collection[str] = (),
) -> tuple[bytes, FieldPlan]:
    """The note's new bytes (``data`` itself when nothing changes) and the plan behind them.

    Pure. Raises NoteFormatError when the note cannot be edited safely (not UTF-8,
    no readable frontmatter, an ambiguous key, an edit that would not read back).
    """
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as err:
        raise NoteFormatError(
            "not valid UTF-8; not edited (try `kbtool fix-encoding`)", display
        ) from err
    note = parse_note(data, display)
    broken = [p for p in note.problems if p.name in ("yaml-syntax", "not-a-mapping")]
    if not note.has_frontmatter or broken:
        reason = broken[0].message if broken else "no YAML frontmatter"
        raise NoteFormatError(f"{reason}; not edited", display)
    plan = plan_fields(
        note.fields,
        arxiv_owned_values(record),
        written_by_kbtool,
        overwrite,
        keys_with_comments(text),
    )
    if not plan.updates:
        return data, plan
    return bom + update_frontmatter(text, plan.updates, display).encode("utf-8"), plan


def _enrich_one(
    loaded: _Loaded, record: ArxivRecord, sync: SyncRecord, options: EnrichOptions
) -> NoteResult:
    base = loaded.arxiv_id.base
    current = note_version(loaded.note)
    newer = (current, record.version) if current is not None and record.version > current else None
    result = NoteResult(loaded.display, base, Outcome.UP_TO_DATE, newer=newer)
    try:
        new_data, plan = enrich_note_bytes(
            loaded.data,
            loaded.display,
            record,
            lambda name, value: sync.written_by_kbtool(base, name, value),
            options.overwrite,
        )
    except NoteFormatError as err:
        return replace(result, outcome=Outcome.SKIPPED, message=err.detail)
    result = replace(result, changes=plan.changes, kept=plan.kept)
    if new_data == loaded.data:
        if not options.dry_run:
            sync.remember(base, plan.in_sync)
        return result
    old_text = loaded.data.decode("utf-8-sig")
    diff = diff_text(old_text, new_data.decode("utf-8-sig"), loaded.display)
    result = replace(result, outcome=Outcome.UPDATED, diff=diff)
    if options.dry_run:
        return result
    try:
        if read_note_bytes(loaded.path) != loaded.data:
            message = "changed on disk during the run; not edited (run enrich again)"
            return replace(result, outcome=Outcome.SKIPPED, message=message, diff=None)
        # Through a symlink (kept inside the knowledge base by the reader), to what it names.
        write_bytes_atomic(loaded.path.resolve(), new_data)
    except OSError as err:
        message = f"cannot write: {err.strerror or err}"
        return replace(
            result, outcome=Outcome.FAILED, message=message, diff=None, write_failure=True
        )
    sync.remember(base, plan.in_sync)
    return result


# --- the job ------------------------------------------------------------------------------------


def enrich_notes(
    layout: Layout,
    selectors: Sequence[str] = (),
    options: EnrichOptions = EnrichOptions(),
    *,
    cwd: Path | None = None,
    lookup: ArxivLookup | None = None,
    progress: Progress | None = None,
) -> EnrichReport:
    """Enrich the notes ``selectors`` name (all notes when none); see the module docstring.

    Every note gets a result; one that fails never costs another its result.
    ``lookup`` defaults to the knowledge base's own (settings, cache; with
    ``dry_run`` it writes nothing, the cache neither). Bad selectors raise
    InputError before anything is fetched.
    """
    paths = select_note_files(layout, selectors, cwd or Path.cwd())
    if not options.dry_run:
        clean_interrupted_writes(layout)
    if lookup is None:
        lookup = ArxivLookup.open(layout, load_settings(layout), persist=not options.dry_run)
    report = EnrichReport(dry_run=options.dry_run)
    loaded: dict[str, list[_Loaded]] = {}
    for path in paths:
        display = layout.relative(path)
        try:
            data = read_note_bytes(path)
        except OSError as err:
            report.results.append(
                NoteResult(display, None, Outcome.SKIPPED, message=f"cannot read: {err.strerror}")
            )
            continue
        note = parse_note(data, display)
        unreadable = [p for p in note.problems if p.name in ("yaml-syntax", "not-a-mapping")]
        if unreadable:
            # It may well name a paper; say so rather than skip it silently.
            message = f"line {unreadable[0].line}: {unreadable[0].message}; not edited"
            report.results.append(NoteResult(display, None, Outcome.SKIPPED, message=message))
            continue
        if note.arxiv_id is None:
            value = note.fields.get("arxiv")
            if isinstance(value, str) and value.strip():
                message = f"arxiv: {value!r} is not an arXiv id"
                report.results.append(NoteResult(display, None, Outcome.SKIPPED, message=message))
            else:
                report.without_arxiv_id += 1
            continue
        item = _Loaded(path, display, data, note, note.arxiv_id)
        loaded.setdefault(note.arxiv_id.base, []).append(item)
    total = sum(len(items) for items in loaded.values())
    sync = SyncRecord.load(layout.sync_record_file)
    report.warnings += [w for w in (lookup.cache.warning, sync.warning) if w]
    done = 0
    if progress is not None:
        progress(done, total)
    for batch in lookup.batches(list(loaded), refresh=options.refresh):
        for base in batch.bases:
            for item in loaded[base]:
                report.results.append(_batch_result(item, batch, sync, options))
                done += 1
                if progress is not None:
                    progress(done, total)
        if batch.from_cache:
            report.from_cache += len(batch.records) + len(batch.unknown)
        if not options.dry_run:
            sync.save()
    report.requests = lookup.client.stats.requests
    report.results.sort(key=lambda r: r.path)
    return report


def _batch_result(
    item: _Loaded, batch: LookupBatch, sync: SyncRecord, options: EnrichOptions
) -> NoteResult:
    base = item.arxiv_id.base
    record = batch.records.get(base)
    if record is not None:
        return _enrich_one(item, record, sync, options)
    if base in batch.rejected:
        return NoteResult(item.display, base, Outcome.FAILED, message=batch.rejected[base])
    if base in batch.unknown:
        return NoteResult(item.display, base, Outcome.UNKNOWN, message=f"arXiv has no paper {base}")
    error = batch.error
    message = error.message if error is not None else "no answer from arXiv"
    return NoteResult(
        item.display,
        base,
        Outcome.FAILED,
        message=message,
        remote_failure=isinstance(error, RemoteError) or error is None,
    )
