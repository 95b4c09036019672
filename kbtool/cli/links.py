"""``kbtool links``: check the external links of the notes and docs/ pages."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from kbtool.cli.app import CliContext, main
from kbtool.cli.options import output_format, progress
from kbtool.links.job import LinkJobOptions, check_links
from kbtool.links.report import format_github, format_json, format_text, render_table, summary


@main.command(short_help="Check the external links in notes, topic texts and docs/.")
@output_format(
    "text",
    "json",
    "github",
    help="text: a table of links that are not ok; json for scripts; github for annotations.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on anything not ok (redirected, unverified, expired), not only on broken links.",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Check only links on lines changed since the git ref REF (counted from its merge "
    "base with HEAD), e.g. origin/main.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write .kbtool-cache/ (the link cache and the arXiv metadata cache).",
)
@click.option("--all", "show_all", is_flag=True, help="List ok links in the table too.")
@click.pass_obj
def links(
    cli: CliContext,
    output_format: str,
    strict: bool,
    changed_since: str | None,
    no_cache: bool,
    show_all: bool,
) -> None:
    """Check external links in notes (body and frontmatter), topic texts and docs/.

    Each distinct URL is checked once, concurrently and politely (limits per host,
    HEAD then GET, retries with backoff, a bound on the whole run). Every link is
    classified ok, redirected (moved permanently: the new URL is shown), broken
    (404/410, DNS failure, refused connection, TLS failure…), unverified (hosts
    that block bots, rate limits, timeouts) or expired (signed, expiring file
    URLs, never requested). arXiv links are checked through the arXiv API, never
    by crawling arxiv.org. Successes are cached in .kbtool-cache/ for
    links.cache_max_age (settings: the links: section of kbtool.yml). A line
    holding <!-- kbtool: no-check --> (or, in frontmatter, # kbtool: no-check) is
    skipped.

    \b
    Examples:
      kbtool links                               every link, cached successes skipped
      kbtool links --changed-since origin/main   only lines a pull request changed
      kbtool links --format json --no-cache

    Exit status: 0 nothing broken, 1 broken links (with --strict: any link not
    ok), 2 usage error (e.g. a bad --changed-since ref), 4 bad settings.
    """
    options = LinkJobOptions(changed_since=changed_since, use_cache=not no_cache)
    with progress("checking links", enabled=output_format == "text") as update:
        report = check_links(cli.layout, options, progress=update)
    if output_format == "json":
        click.echo(format_json(report))
    elif output_format == "github":
        for line in format_github(report, strict):
            click.echo(line)
        click.echo(summary(report), err=True)
    else:
        if sys.stdout.isatty():
            table = render_table(report, show_all)
            if table.row_count:
                Console().print(table)
        else:
            for line in format_text(report, show_all):
                click.echo(line)
        click.secho(summary(report), err=True, fg="red" if report.failed(strict) else "green")
    sys.exit(1 if report.failed(strict) else 0)
