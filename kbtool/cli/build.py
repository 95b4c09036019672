"""``kbtool build``: build the site (``mkdocs build`` on the knowledge base)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from kbtool.cli.app import CliContext, main
from kbtool.cli.options import progress
from kbtool.site.build import build_site, mkdocs_log


@main.command()
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: site/ beside mkdocs.yml).",
)
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="Fail on any MkDocs warning (a broken page link, a bad configuration value).",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Neither read nor write the page cache in .kbtool-cache/site/ (a clean build).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only show warnings and errors.")
@click.pass_obj
def build(
    cli: CliContext, site_dir: Path | None, strict: bool, no_cache: bool, quiet: bool
) -> None:
    """Build the site from notes/, topics.yml, topics/ and docs/.

    Generates a page per paper, topic pages, tags, a timeline, a venue index,
    the home page and references.bib during the build: nothing is written into
    the repository. Pages rendered by earlier builds are reused from
    .kbtool-cache/site/ (the same files as a clean build), and a build with
    many pages to render uses every core. The site works offline (open
    site/index.html, or serve the folder). Exit status: 0 built, 7 MkDocs
    failed or warned under --strict.
    """
    with (
        mkdocs_log(logging.WARNING if quiet else logging.INFO),
        progress("building: pages", enabled=not quiet) as update,
    ):
        out = build_site(
            cli.layout, site_dir=site_dir, strict=strict, cache=not no_cache, progress=update
        )
    # With MkDocs' log it concludes, on stderr: the two streams are read in one order.
    click.echo(f"built the site in {out}", err=True)
