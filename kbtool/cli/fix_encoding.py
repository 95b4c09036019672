"""``kbtool fix-encoding``: repair mojibake with lost bytes in a text file."""

from __future__ import annotations

from pathlib import Path

import click

from kbtool.cli.app import main
from kbtool.cli.options import plural
from kbtool.repair.files import repair_file, write_repaired


@main.command(
    name="fix-encoding", short_help="Repair mojibake: UTF-8 read as Windows-1252, bytes lost."
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--in-place", is_flag=True, help="Rewrite FILE (atomically) instead of printing.")
def fix_encoding(file: Path, in_place: bool) -> None:
    """Repair FILE's encoding: UTF-8 that was read as Windows-1252 and lost bytes.

    Prints the repaired text, or with --in-place rewrites FILE atomically (only when
    something changed). Characters that cannot be restored with confidence are marked
    ⟦…⟧ with the best guess inside, and listed on stderr as FILE:LINE:COLUMN with the
    alternatives. Needs no knowledge base.

    \b
    Examples:
      kbtool fix-encoding export.txt > repaired.txt
      kbtool fix-encoding --in-place export.txt
    """
    repair = repair_file(file)
    for char in repair.uncertain:
        others = f" (or {', '.join(char.alternatives)})" if char.alternatives else ""
        click.echo(
            f"{file}:{char.line}:{char.column}: uncertain character ⟦{char.guess}⟧{others}",
            err=True,
        )
    if not in_place:
        click.echo(repair.text, nl=False)
        return
    if write_repaired(repair):
        uncertain = plural(len(repair.uncertain), "uncertain character")
        click.echo(f"{file}: repaired ({uncertain})", err=True)
    else:
        click.echo(f"{file}: nothing to repair", err=True)
