"""``kbtool check``: validate every note's frontmatter and internal links."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kbtool.checks import run_checks
from kbtool.cli.app import CliContext, main
from kbtool.cli.options import output_format, plural
from kbtool.core.knowledge_base import load_knowledge_base, select_notes
from kbtool.core.problems import Severity, count_errors, format_github, format_json, format_text
from kbtool.errors import UsageError


@main.command(short_help="Check notes: frontmatter, topics, duplicates, links, images.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@output_format("text", "json", "github")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_obj
def check(cli: CliContext, paths: tuple[Path, ...], output_format: str, strict: bool) -> None:
    """Check notes: frontmatter, topics, duplicates, internal links and images.

    Reports every problem in one run as file:line, a stable code and a message.
    With PATHS, reports only problems in those notes, or in the notes under those
    folders (links are still resolved against the whole knowledge base). Never
    writes.

    \b
    Examples:
      kbtool check                      every note
      kbtool check notes/2410.05677-t2v-turbo-v2.md notes/video/
      kbtool check --format github      annotations in a GitHub workflow

    Exit status: 0 clean, 1 errors found (or warnings, with --strict), 2 usage
    error.
    """
    layout = cli.layout
    selection = select_notes(layout, paths) if paths else None
    if selection is not None and selection.missing:
        raise UsageError(f"{selection.missing[0]}: no such file")
    kb = load_knowledge_base(layout)
    problems = run_checks(kb)
    if selection is not None:
        problems = [p for p in problems if selection.covers(layout.root / p.path)]
    if output_format == "json":
        click.echo(format_json(problems))
    else:
        formatter = format_github if output_format == "github" else format_text
        for found in problems:
            click.echo(formatter(found))
    errors = count_errors(problems)
    warnings = len(problems) - errors
    if output_format == "text":
        summary = (
            f"{len(kb.notes)} notes checked: {plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}"
        )
        click.secho(summary, err=True, fg="red" if errors else ("yellow" if warnings else "green"))
    failed = errors > 0 or (strict and any(p.severity is Severity.WARNING for p in problems))
    sys.exit(1 if failed else 0)
