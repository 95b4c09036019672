"""``kbtool serve``: preview the site with live reload (``mkdocs serve``)."""

from __future__ import annotations

import click

from kbtool.cli.app import CliContext, main
from kbtool.site.build import mkdocs_log, serve_site


@main.command()
@click.option(
    "-a",
    "--dev-addr",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="IP:PORT",
    help="Address to serve on.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@click.pass_obj
def serve(cli: CliContext, dev_addr: str, open_browser: bool) -> None:
    """Preview the site; a saved note shows up within a second.

    Watches notes/, topics.yml, topics/, kbtool.yml, inbox.yml, citations.json,
    docs/ and mkdocs.yml. Each save rebuilds only the pages it changes (the note's page,
    and the pages that list or link to it when its title, date, topics, tags,
    status or links change); the page in the browser reloads by itself. A note
    that no longer parses is reported with its file and line, and its last good
    page stays. Warnings do not stop the preview (`kbtool build` is strict).
    Stop with Ctrl-C.
    """
    with mkdocs_log():
        serve_site(cli.layout, dev_addr=dev_addr, open_browser=open_browser)
