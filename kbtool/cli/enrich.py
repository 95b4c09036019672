"""``kbtool enrich``: fill and refresh the arXiv fields of notes."""

from __future__ import annotations

import click

from kbtool.arxiv.sync import HAND_SET, Action
from kbtool.citations.update import CitationReport
from kbtool.cli.app import CliContext, main
from kbtool.cli.options import dry_run, echo_json, output_format, plural, progress, warn
from kbtool.enrich import (
    EnrichOptions,
    EnrichReport,
    NoteResult,
    Outcome,
    check_overwrite,
    enrich_notes,
)

_SHOWN_VALUES = {"version", "published", "updated"}


@main.command(short_help="Fill and refresh the arXiv fields of notes.")
@click.argument("notes", nargs=-1, metavar="[NOTE...]")
@dry_run("Print a diff of each change; write nothing (the cache neither).")
@click.option("--refresh", is_flag=True, help="Ask arXiv again even where the cache is fresh.")
@click.option(
    "--overwrite",
    multiple=True,
    metavar="FIELD",
    help="Take arXiv's FIELD even where the note's value was set by hand "
    "(repeatable; 'all' for every arXiv field).",
)
@click.option(
    "--no-citations", is_flag=True, help="Do not update citations.json from Semantic Scholar."
)
@output_format()
@click.pass_obj
def enrich(
    cli: CliContext,
    notes: tuple[str, ...],
    dry_run: bool,
    refresh: bool,
    overwrite: tuple[str, ...],
    no_citations: bool,
    output_format: str,
) -> None:
    """Fill missing and outdated arXiv fields of notes, and report newer arXiv versions.

    Works on every note with an arXiv id, or on each NOTE (a note or a folder of
    notes in notes/, or an arXiv id). Only arXiv-owned fields are written (authors, dates, version,
    categories, journal_ref, comment, abstract, links), and only where missing or
    still holding what kbtool last wrote: a value you set by hand is kept (and
    reported). The body and everything else in the file stay byte for byte.
    Papers are fetched in batches, politely; metadata is cached for
    `arxiv.cache_max_age` (7d; kbtool.yml), so a rerun makes no requests.

    With --format json, prints one JSON object: `notes` (per note: `path`,
    `arxiv`, `outcome` — updated, up_to_date, unknown, skipped or failed —
    `changes`, `kept`, `newer_version`, `message`, and with --dry-run `diff`),
    `counts` per outcome, `requests`, `from_cache`, `without_arxiv_id`,
    `dry_run` and `warnings`.

    \b
    Examples:
      kbtool enrich                        every note with an arXiv id
      kbtool enrich notes/2410.05677-t2v-turbo-v2.md 2309.15818
      kbtool enrich --dry-run              show the diffs, write nothing
      kbtool enrich --overwrite abstract   take arXiv's abstract over yours

    Exit status: 0 all done; 4 some notes could not be enriched (unknown to
    arXiv, not editable, bad NOTE); 6 arXiv failed for some notes after retries
    (the others are written).
    """
    options = EnrichOptions(dry_run, refresh, check_overwrite(overwrite), not no_citations)
    with progress("enrich") as update:
        report = enrich_notes(cli.layout, notes, options, progress=update)
    for warning in report.warnings:
        warn(warning)
    if output_format == "json":
        echo_json(_json(report))
        error = report.error()
        if error is not None:
            raise error
        return
    for result in report.results:
        for line in _describe(result, dry_run):
            click.echo(line)
        if dry_run and result.diff:
            click.echo(result.diff, nl=False)
    click.echo(_summary(report), err=True)
    for line in report.citations.lines() if report.citations else ():
        click.echo(line, err=True)
    error = report.error()
    if error is not None:
        raise error


def _describe(result: NoteResult, dry_run: bool) -> list[str]:
    lines: list[str] = []
    if result.outcome is Outcome.UPDATED:
        parts = []
        for action in (Action.FILL, Action.REFRESH):
            names = [_change(c.name, c.old, c.new) for c in result.changes if c.action is action]
            if names:
                parts.append(f"{action.value} {', '.join(names)}")
        verb = "would update" if dry_run else "updated"
        lines.append(f"{verb} {result.path}: {'; '.join(parts)}")
    elif result.outcome is not Outcome.UP_TO_DATE:
        lines.append(f"{result.outcome.value}: {result.path}: {result.message}")
    if result.newer is not None:
        had, latest = result.newer
        lines.append(f"newer version: {result.path}: arXiv has v{latest}, the note had v{had}")
    for kept in result.kept:
        hint = f" (--overwrite {kept.name} to take arXiv's)" if kept.reason == HAND_SET else ""
        lines.append(f"kept {result.path}: {kept.name} {kept.reason}{hint}")
    return lines


def _change(name: str, old: object, new: object) -> str:
    if name in _SHOWN_VALUES and old not in (None, ""):
        return f"{name} ({old} → {new})"
    return name


def _json(report: EnrichReport) -> dict[str, object]:
    return {
        "notes": [_note_json(result, report.dry_run) for result in report.results],
        "counts": {outcome.name.lower(): report.count(outcome) for outcome in Outcome},
        "requests": report.requests,
        "from_cache": report.from_cache,
        "without_arxiv_id": report.without_arxiv_id,
        "dry_run": report.dry_run,
        "warnings": report.warnings,
        "citations": _citations_json(report.citations) if report.citations else None,
    }


def _citations_json(citations: CitationReport) -> dict[str, object]:
    return {
        "asked": citations.asked,
        "from_cache": citations.from_cache,
        "fetched": citations.fetched,
        "requests": citations.requests,
        "unknown": citations.unknown,
        "written": citations.written,
        "papers": citations.papers,
        "citations": citations.citations,
        "error": str(citations.error) if citations.error else None,
    }


def _note_json(result: NoteResult, dry_run: bool) -> dict[str, object]:
    data: dict[str, object] = {
        "path": result.path,
        "arxiv": result.arxiv_id,
        "outcome": result.outcome.name.lower(),
        "changes": [
            {"field": c.name, "action": c.action.value, "old": c.old, "new": c.new}
            for c in result.changes
        ],
        "kept": [
            {"field": k.name, "value": k.old, "arxiv": k.new, "reason": k.reason}
            for k in result.kept
        ],
        "newer_version": (
            None if result.newer is None else {"note": result.newer[0], "arxiv": result.newer[1]}
        ),
        "message": result.message,
    }
    if dry_run:
        data["diff"] = result.diff
    return data


def _summary(report: EnrichReport) -> str:
    counts = [
        f"{report.count(outcome)} {outcome.value}" for outcome in Outcome if report.count(outcome)
    ]
    total = len(report.results)
    line = (
        f"enrich: {plural(total, 'note')} with arXiv ids: {', '.join(counts) or 'none'}; "
        f"{plural(report.requests, 'request')}, {report.from_cache} from cache"
    )
    if report.without_arxiv_id:
        line += f"; {report.without_arxiv_id} without an arXiv id skipped"
    if report.dry_run:
        line += " (dry run: nothing written)"
    return line
