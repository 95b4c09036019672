"""The edges of the site: run MkDocs on a knowledge base.

``kbtool build`` and ``kbtool serve`` are plain ``mkdocs build`` / ``mkdocs serve``
on the knowledge base's ``mkdocs.yml`` (the kbtool plugin does the work); these
functions only load the configuration, show MkDocs' log, and turn its failures
into kbtool's errors.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.commands.serve import serve
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

from kbtool.config import Layout
from kbtool.errors import ConfigError, SiteBuildError


@contextmanager
def mkdocs_log(level: int = logging.INFO) -> Iterator[None]:
    """Show MkDocs' log on stderr (as ``mkdocs`` does) while the block runs."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(level)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(min(level, previous) if previous else level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@contextmanager
def mkdocs_errors(config_file: Path, action: str) -> Iterator[None]:
    """MkDocs' failures as kbtool's errors: a bad configuration, strict mode, the rest."""
    try:
        yield
    except ConfigurationError as err:
        raise ConfigError(f"invalid MkDocs configuration: {err}", config_file) from err
    except Abort as err:
        raise SiteBuildError(f"{config_file}: {err}") from err
    except MkDocsException as err:
        raise SiteBuildError(f"{config_file}: the site could not be {action}: {err}") from err


def build_site(layout: Layout, *, site_dir: Path | None = None, strict: bool = False) -> Path:
    """Build the site of ``layout`` into ``site_dir`` (default: mkdocs.yml's); return it.

    ``strict`` overrides mkdocs.yml's ``strict``: any MkDocs warning fails the build.
    """
    config_file = layout.mkdocs_file
    options: dict[str, Any] = {"strict": strict}
    if site_dir is not None:
        options["site_dir"] = str(site_dir)
    with mkdocs_errors(config_file, "built"):
        config = load_config(config_file=str(config_file), **options)
        build(config)
    return Path(config.site_dir)


def serve_site(layout: Layout, *, dev_addr: str, open_browser: bool = False) -> None:
    """Serve the site with live reload until interrupted (as ``mkdocs serve``)."""
    config_file = layout.mkdocs_file
    with mkdocs_errors(config_file, "served"):
        serve(config_file=str(config_file), dev_addr=dev_addr, open_in_browser=open_browser)
