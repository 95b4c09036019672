"""``kbtool bib``: write references.bib, a BibTeX entry for every paper."""

from __future__ import annotations

from pathlib import Path

import click

from kbtool.bibtex import bibliography_text, write_bibliography
from kbtool.cli.app import CliContext, main


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: references.bib in the knowledge base); '-' for stdout.",
)
@click.pass_obj
def bib(cli: CliContext, output: Path | None) -> None:
    """Write references.bib: a BibTeX entry for every paper.

    Citation keys are stable: a note's `citekey` field when set, else first
    author's surname, year and first title word (li2024t2vturbov2); clashes get
    -2, -3... in the order notes were added. The site offers the same file for
    download.
    """
    if output == Path("-"):
        text, _count = bibliography_text(cli.layout)
        click.echo(text, nl=False)
        return
    target = output or cli.layout.root / "references.bib"
    count = write_bibliography(cli.layout, target)
    click.echo(f"wrote {count} entr{'y' if count == 1 else 'ies'} to {target}")
