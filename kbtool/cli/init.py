"""``kbtool init``: start a new knowledge base."""

from __future__ import annotations

from pathlib import Path

import click

from kbtool.cli.app import main
from kbtool.scaffold import init_knowledge_base


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site-name", default="Research notes", show_default=True, help="The site's title.")
def init(directory: Path, site_name: str) -> None:
    """Create a new, empty knowledge base in DIRECTORY.

    Writes mkdocs.yml, kbtool.yml, topics.yml, notes/, docs/, a .gitignore, a
    requirements.txt and a CI workflow; the result builds and passes
    `kbtool check` at once. Never overwrites an existing file.
    """
    for path in init_knowledge_base(directory, site_name):
        click.echo(f"created {path}")
    click.echo(f"next: cd {directory} && kbtool new <arxiv-id> && kbtool serve")
