"""``kbtool import``: bring notes in from the legacy formats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from kbtool.cli.app import CliContext, main
from kbtool.cli.options import dry_run, output_format, progress, to_json
from kbtool.importers.pipeline import import_files
from kbtool.importers.report import format_report, report_json
from kbtool.util.atomic_write import write_text_atomic


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@dry_run("Say what would happen; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report to this file (not in a dry run).",
)
@output_format()
@click.pass_obj
def import_notes(
    cli: CliContext,
    files: tuple[Path, ...],
    dry_run: bool,
    report_path: Path | None,
    output_format: str,
) -> None:
    """Import FILES (legacy note exports) into notes/ and topics/.

    Recognises four formats: nested-bullet paper-reading notes from a notes app, a
    monthly paper list, an "awesome" list, and an arXiv digest. Repairs damaged encoding
    (mojibake with lost bytes), makes one note per paper (merging mentions across and
    within files by arXiv id, OpenReview id, URL, or title), keeps every line of the
    researcher's text labelled with its source, and puts text about a whole topic in
    topics/<topic-id>.md. Prints a report of what was found, created, merged, skipped
    and why.

    Safe to run again: notes already imported are left unchanged, and a note or topic
    text edited since the import (or written by hand) is never overwritten; an unedited
    one is brought up to date only when all the files it was made from are imported
    together. Every file is read and checked before anything is written; a file in no
    known format, missing, binary or not UTF-8 stops the import with exit status 4.

    With --format json, the report is one JSON object: `files` (per source file:
    its format, lines, papers found, notes created/updated/unchanged, merges,
    skipped lines with reasons, rewritten links, uncertain characters), `written`
    (each note and topic text with its action), `papers` (counts, and the notes
    to look at), `conflicts`, `venue_conflicts`, `same_title`, `merged`,
    `unsorted_added` and `dry_run`.

    \b
    Examples:
      kbtool import --dry-run export/*.txt   read everything, say what would happen
      kbtool import --report import-report.md export/*.txt
    """
    with progress("reading files") as update:
        report = import_files(
            cli.layout, list(files), today=date.today(), dry_run=dry_run, progress=update
        )
    text = to_json(report_json(report)) + "\n" if output_format == "json" else format_report(report)
    if report_path is not None and not dry_run:
        write_text_atomic(report_path, text)
    click.echo(text, nl=False)
