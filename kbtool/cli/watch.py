"""``kbtool watch``: new arXiv papers matching your interests, into the inbox."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kbtool.cli.app import CliContext, main
from kbtool.cli.options import dry_run, echo_json, output_format, plural, progress, warn
from kbtool.watch.inbox import InboxEntry, entry_values
from kbtool.watch.run import WatchOptions, WatchReport, run_watch


@main.command(short_help="Put new arXiv papers matching your keywords into the inbox.")
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    metavar="N",
    help="Look at papers submitted in the last N days (default: watch.window, 7d).",
)
@dry_run("Show what would change; write nothing (the inbox and the cache neither).")
@output_format()
@click.pass_obj
def watch(cli: CliContext, days: int | None, dry_run: bool, output_format: str) -> None:
    """Put new arXiv papers that match your keywords into the inbox (inbox.yml).

    Asks arXiv for the newest submissions in the categories of `watch:` in
    kbtool.yml (politely: one request at a time, 3 s apart, with backoff),
    scores each by its keywords in the title and abstract (whole words, any
    case; a title match counts more), leaves out papers you already have a note
    for and those an exclude keyword matches, and adds the best `max_papers` to
    the inbox. The site shows the inbox, ranked, on its Inbox page and in
    feed.xml; `kbtool new ID` adopts a paper (it leaves the inbox). Papers leave
    the inbox `keep_for` (14d) after they arrived. A rerun adds nothing twice.

    Then lists the papers your notes cite most that have no note yet (from
    citations.json, which `kbtool enrich` keeps; no request).

    With --format json, prints one JSON object: `added` (the new papers, best
    first: `id`, `version`, `title`, `authors`, `score`, `keywords`…), the ids
    `refreshed`, `aged_out`, `adopted` and `dropped`, `inbox` (papers in it now),
    `missing` (papers your notes cite that have no note: `key`, `title`, `cited_by`…),
    `search` (`papers`, `scanned`, `pages`, `truncated`), `skipped` counts,
    `days`, `requests`, `written`, `dry_run` and `warnings`.

    \b
    Examples:
      kbtool watch                 papers of the last watch.window (7d) into the inbox
      kbtool watch --days 2 --dry-run

    Exit status: 0 done; 4 a bad `watch:` setting in kbtool.yml or a damaged
    inbox.yml; 6 arXiv failed after retries (the inbox is left as it was).
    """
    with progress("reading arXiv: pages") as update:
        report = run_watch(cli.layout, WatchOptions(days=days, dry_run=dry_run), progress=update)
    for warning in report.warnings:
        warn(warning)
    if output_format == "json":
        echo_json(_json(report))
        return
    verb = "would add" if dry_run else "added"
    if report.changes.added and sys.stdout.isatty():
        Console().print(_table(report.changes.added, verb))
    else:
        for entry in sorted(report.changes.added, key=InboxEntry.rank_key):
            click.echo(f"{verb} {entry.id} ({entry.score:g}): {entry.title}")
    if report.missing:
        click.echo("cited by your notes, without a note (citations.json):")
        for paper in report.missing[:10]:
            add = f" — {paper.add_command}" if paper.add_command else f" — {paper.url}"
            click.echo(f"  {len(paper.cited_by)} notes: {_plain_line(paper.label)}{add}")
        if len(report.missing) > 10:
            click.echo(f"  … and {len(report.missing) - 10} more on the site's Inbox page")
    click.echo(_summary(report), err=True)


def _table(entries: list[InboxEntry], verb: str) -> Table:
    table = Table(title=f"{verb.capitalize()} to the inbox", title_justify="left")
    table.add_column("Score", justify="right")
    table.add_column("arXiv")
    table.add_column("Title")
    table.add_column("Keywords")
    for entry in sorted(entries, key=InboxEntry.rank_key):
        # rich reads [brackets] as markup: arXiv's text is data.
        table.add_row(
            f"{entry.score:g}",
            entry.id,
            _plain(entry.title),
            _plain(", ".join(entry.keywords)),
        )
    return table


def _plain(text: str) -> str:
    return escape(text)


def _plain_line(text: str) -> str:
    """Data as one line of text for the terminal (no control characters)."""
    return "".join(c if c.isprintable() else " " for c in " ".join(text.split()))


def _entry_json(entry: InboxEntry) -> dict[str, object]:
    values = entry_values(entry)
    del values["summary"]
    return {**values, "url": entry.abs_url}


def _json(report: WatchReport) -> dict[str, object]:
    search, selection, changes = report.search, report.selection, report.changes
    return {
        "added": [_entry_json(e) for e in sorted(changes.added, key=InboxEntry.rank_key)],
        "refreshed": [e.id for e in changes.refreshed],
        "aged_out": [e.id for e in changes.aged_out],
        "adopted": [e.id for e in changes.adopted],
        "dropped": [e.id for e in changes.dropped],
        "inbox": len(changes.entries),
        "missing": [
            {
                "key": paper.key,
                "title": paper.title,
                "year": paper.year,
                "cited_by": list(paper.cited_by),
                "add": paper.add_command,
                "url": paper.url,
            }
            for paper in report.missing
        ],
        "search": {
            "papers": len(search.records),
            "scanned": search.scanned,
            "pages": search.pages,
            "truncated": search.truncated,
        },
        "skipped": {
            "with_note": selection.with_note,
            "excluded": selection.excluded,
            "below_min_score": selection.below,
            "beyond_max_papers": selection.over_limit,
        },
        "days": report.days,
        "requests": report.requests,
        "written": report.written,
        "dry_run": report.dry_run,
        "warnings": report.warnings,
    }


def _summary(report: WatchReport) -> str:
    search, selection, changes = report.search, report.selection, report.changes
    skipped = [
        f"{selection.with_note} with a note" if selection.with_note else "",
        f"{selection.excluded} excluded" if selection.excluded else "",
        f"{selection.below} below min_score" if selection.below else "",
        f"{selection.over_limit} beyond max_papers" if selection.over_limit else "",
    ]
    left = [
        f"{len(changes.aged_out)} aged out" if changes.aged_out else "",
        f"{len(changes.adopted)} adopted" if changes.adopted else "",
        f"{len(changes.dropped)} no longer matching" if changes.dropped else "",
    ]
    line = (
        f"watch: {plural(len(search.records), 'paper')} submitted in the last "
        f"{plural(report.days, 'day')} ({plural(report.requests, 'request')}); "
        f"{len(changes.added)} new, {len(changes.refreshed)} already in the inbox"
    )
    if any(skipped):
        line += "; skipped " + ", ".join(s for s in skipped if s)
    if any(left):
        line += "; left the inbox: " + ", ".join(s for s in left if s)
    line += f"; inbox: {plural(len(changes.entries), 'paper')}"
    if report.dry_run:
        line += " (dry run: nothing written)"
    elif not report.written:
        line += " (unchanged)"
    return line
