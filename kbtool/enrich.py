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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from kbtool.arxiv.fields import arxiv_owned_values
from kbtool.arxiv.lookup import ArxivLookup, LookupBatch
from kbtool.arxiv.record import ArxivRecord
from kbtool.arxiv.sync import FieldChange, FieldPlan, SyncRecord, note_version, plan_fields
from kbtool.citations.update import CitationReport, CitationSession, update_citations
from kbtool.config import Layout, load_settings
from kbtool.core.arxiv_id import ArxivId, find_arxiv_id
from kbtool.core.frontmatter import keys_with_comments, update_frontmatter
from kbtool.core.knowledge_base import iter_note_files, select_notes
from kbtool.core.note import Note, parse_note
from kbtool.core.schema import ARXIV_OWNED_FIELDS
from kbtool.errors import InputError, KbtoolError, NoteFormatError, RemoteError
from kbtool.util.atomic_write import write_bytes_atomic
from kbtool.util.plural import plural
from kbtool.util.progress import Progress

_BOM = b"\xef\xbb\xbf"
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


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


@dataclass
class EnrichReport:
    results: list[NoteResult] = field(default_factory=list)
    without_arxiv_id: int = 0
    requests: int = 0
    from_cache: int = 0
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)
    citations: CitationReport | None = None  # None: not asked for (--no-citations)

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
            f"{plural(len(failed), 'note')} not enriched "
            f"({_tally(failed)}); {done} enriched or up to date"
        )
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
    citations: bool = True  # also update citations.json from Semantic Scholar


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
    """The note files named by ``selectors`` (notes, folders of notes, arXiv ids), or all.

    Paths are read as :func:`~kbtool.core.knowledge_base.select_notes` reads them.
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
        selection = select_notes(layout, [selector], cwd)
        if not selection.missing:
            for path in (*selection.files, *selection.folders):
                _note_path(path, selector, notes_dir)  # raises: outside notes/, not a note
            chosen.update(dict.fromkeys(selection.note_files(layout)))
            continue
        arxiv = find_arxiv_id(selector)
        if arxiv is None:
            if selector.endswith(".md") or any(sep in selector for sep in "/\\"):
                given = Path(selector).expanduser()
                # raises: outside notes/, or missing
                _note_path(given if given.is_absolute() else cwd / given, selector, notes_dir)
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
    if resolved.is_dir() and notes_dir.is_relative_to(resolved):
        return resolved  # a folder holding notes/ (the root): every note
    if not resolved.is_relative_to(notes_dir):
        if not resolved.exists() and ".." not in Path(selector).parts:
            raise InputError(f"{selector}: no such note")
        raise InputError(f"{selector}: not a note (outside {notes_dir})")
    if resolved.is_dir():
        return resolved  # a folder in notes/: the notes in it
    if resolved.suffix != ".md" or not resolved.is_file():
        raise InputError(f"{selector}: no such note")
    return resolved


def _notes_by_id(layout: Layout) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in iter_note_files(layout):
        try:
            note = parse_note(path.read_bytes(), layout.relative(path))
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
        if loaded.path.read_bytes() != loaded.data:
            message = "changed on disk during the run; not edited (run enrich again)"
            return replace(result, outcome=Outcome.SKIPPED, message=message, diff=None)
        write_bytes_atomic(loaded.path, new_data)
    except OSError as err:
        return replace(result, outcome=Outcome.SKIPPED, message=f"cannot write: {err}")
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
    citations: CitationSession | None = None,
) -> EnrichReport:
    """Enrich the notes ``selectors`` name (all notes when none); see the module docstring.

    Every note gets a result; one that fails never costs another its result.
    ``lookup`` defaults to the knowledge base's own (settings, cache; with
    ``dry_run`` it writes nothing, the cache neither), and so does ``citations``
    (Semantic Scholar, asked after arXiv unless ``options.citations`` is off; its
    failures are in ``report.citations``, never raised). Bad selectors and
    settings raise InputError/ConfigError before anything is fetched.
    """
    paths = select_note_files(layout, selectors, cwd or Path.cwd())
    if lookup is None:
        lookup = ArxivLookup.open(layout, load_settings(layout), persist=not options.dry_run)
    if citations is None and options.citations:
        citations = CitationSession.open(layout, load_settings(layout), persist=not options.dry_run)
    report = EnrichReport(dry_run=options.dry_run)
    loaded: dict[str, list[_Loaded]] = {}
    for path in paths:
        display = layout.relative(path)
        try:
            data = path.read_bytes()
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
    if citations is not None:
        wanted = {layout.relative(path) for path in paths} if selectors else None
        with citations:
            report.citations = update_citations(layout, citations, wanted, refresh=options.refresh)
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
