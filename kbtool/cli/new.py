"""``kbtool new``: add papers by arXiv id."""

from __future__ import annotations

import os
from datetime import date

import click

from kbtool.cli.app import CliContext, main
from kbtool.cli.options import echo_json, output_format, warn
from kbtool.core.schema import STATUSES
from kbtool.errors import UsageError
from kbtool.new import DEFAULT_STATUS, CreatedNote, NewNoteOptions, create_notes


@main.command(short_help="Create a note for each arXiv ID, with arXiv's metadata.")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    metavar="TOPIC",
    help="File the papers under TOPIC (id, title or alias in topics.yml). Repeatable.",
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Add a free tag. Repeatable.")
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    default=DEFAULT_STATUS,
    show_default=True,
    help="Reading status.",
)
@click.option("--edit", is_flag=True, help="Open each new note in $VISUAL or $EDITOR.")
@click.option(
    "--no-citations",
    is_flag=True,
    help="Do not add the papers to citations.json (Semantic Scholar).",
)
@output_format()
@click.pass_obj
def new(
    cli: CliContext,
    ids: tuple[str, ...],
    topics: tuple[str, ...],
    tags: tuple[str, ...],
    status: str,
    edit: bool,
    no_citations: bool,
    output_format: str,
) -> None:
    """Create a note for each paper ID, its metadata fetched from arXiv.

    \b
    ID is any form you paste, for example:
      2410.05677   2410.05677v2   arXiv:2410.05677
      hep-th/9901001   quant-ph/0201082v1
      https://arxiv.org/abs/2410.05677 (also /pdf/…, /pdf/….pdf, /html/…v2,
      export.arxiv.org, www.arxiv.org, http:)

    \b
    Examples:
      kbtool new 2410.05677 --topic video-diffusion --tag distillation
      kbtool new https://arxiv.org/abs/2410.05677 2309.15818v2 --edit

    All ids are fetched in one request. The body is a template for your notes
    (TL;DR, key ideas, method, results, my notes). Never overwrites: all or
    nothing is written. Then the papers' references and citation counts are
    added to citations.json from Semantic Scholar (a warning if that fails).

    With --format json, prints one JSON object: `created`,
    a list of the new notes (`path`, `arxiv`, `title`, `left_inbox`).

    Exit status: 0 created; 1 a paper already has a note (its path is shown,
    nothing is written: use `kbtool enrich` to refresh it); 2 usage error (e.g.
    an unknown --topic); 4 a malformed id, or one arXiv rejects or does not
    know; 6 arXiv unreachable after retries.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if edit and not editor:
        raise UsageError("--edit needs $VISUAL or $EDITOR to name your editor")
    options = NewNoteOptions(topics, tags, status, citations=not no_citations)
    created = create_notes(cli.layout, ids, options, today=date.today(), warn=warn)
    if output_format == "json":
        echo_json({"created": [_created_json(cli, note) for note in created]})
    else:
        for note in created:
            left = " (removed from the inbox)" if note.left_inbox else ""
            click.echo(f"created {cli.layout.relative(note.path)}{left}")
    if not topics and output_format == "text":
        click.echo(
            "hint: no --topic given; add one under `topics:` (kbtool check reports notes "
            "without a topic)",
            err=True,
        )
    if edit:
        for note in created:
            try:
                click.edit(filename=str(note.path), editor=editor)
            except click.ClickException as err:
                # The note is written; a failed editor does not undo that.
                warn(err.format_message())


def _created_json(cli: CliContext, note: CreatedNote) -> dict[str, object]:
    return {
        "path": cli.layout.relative(note.path),
        "arxiv": str(note.arxiv_id),
        "title": note.title,
        "left_inbox": note.left_inbox,
    }
