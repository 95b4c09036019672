"""``kbtool enrich``: fill and refresh the arXiv fields of notes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kbtool.cli.app import CliContext, main
from kbtool.enrich import (
    HAND_SET,
    Action,
    EnrichOptions,
    EnrichReport,
    NoteResult,
    Outcome,
    check_overwrite,
    enrich_notes,
)
from kbtool.enrich import Progress as ProgressCallback

_SHOWN_VALUES = {"version", "published", "updated"}


@main.command()
@click.argument("notes", nargs=-1, metavar="[NOTE...]")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print a diff of each change; write nothing (the cache neither).",
)
@click.option("--refresh", is_flag=True, help="Ask arXiv again even where the cache is fresh.")
@click.option(
    "--overwrite",
    multiple=True,
    metavar="FIELD",
    help="Take arXiv's FIELD even where the note's value was set by hand "
    "(repeatable; 'all' for every arXiv field).",
)
@click.pass_obj
def enrich(
    cli: CliContext,
    notes: tuple[str, ...],
    dry_run: bool,
    refresh: bool,
    overwrite: tuple[str, ...],
) -> None:
    """Fill missing and outdated arXiv fields of notes, and report newer arXiv versions.

    Works on every note with an arXiv id, or on each NOTE (a path in notes/ or an
    arXiv id). Only arXiv-owned fields are written (authors, dates, version,
    categories, journal_ref, comment, abstract, links), and only where missing or
    still holding what kbtool last wrote: a value you set by hand is kept (and
    reported). The body and everything else in the file stay byte for byte.
    Papers are fetched in batches, politely; metadata is cached for
    `arxiv.cache_max_age` (7d; kbtool.yml), so a rerun makes no requests.

    Exit status: 0 all done; 1 a note could not be written (a full disk: it is
    named); 4 some notes could not be enriched (unknown to arXiv, not editable,
    bad NOTE); 6 arXiv failed for some notes after retries (the others are
    written); 75 another kbtool kept .kbtool-sync.json busy.
    """
    options = EnrichOptions(dry_run, refresh, check_overwrite(overwrite))
    with _progress_bar() as progress:
        report = enrich_notes(cli.layout, notes, options, progress=progress)
    for warning in report.warnings:
        click.echo(f"kbtool: warning: {warning}", err=True)
    for result in report.results:
        for line in _describe(result, dry_run):
            click.echo(line)
        if dry_run and result.diff:
            click.echo(result.diff, nl=False)
    click.echo(_summary(report), err=True)
    error = report.error()
    if error is not None:
        raise error


@contextmanager
def _progress_bar() -> Iterator[ProgressCallback | None]:
    """A progress bar on stderr when it is a terminal; no output otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("enrich"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("enrich", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


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


def _summary(report: EnrichReport) -> str:
    counts = [
        f"{report.count(outcome)} {outcome.value}" for outcome in Outcome if report.count(outcome)
    ]
    total = len(report.results)
    requests = f"{report.requests} request{'s' * (report.requests != 1)}"
    line = (
        f"enrich: {total} note{'s' * (total != 1)} with arXiv ids: {', '.join(counts) or 'none'}; "
        f"{requests}, {report.from_cache} from cache"
    )
    if report.without_arxiv_id:
        line += f"; {report.without_arxiv_id} without an arXiv id skipped"
    if report.dry_run:
        line += " (dry run: nothing written)"
    return line
