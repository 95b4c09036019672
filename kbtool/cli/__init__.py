"""The ``kbtool`` command line: one module per command, registered on :data:`main`."""

from __future__ import annotations

from kbtool.cli import (  # noqa: F401  (each module registers its command)
    bib,
    build,
    check,
    enrich,
    fix_encoding,
    import_notes,
    init,
    links,
    new,
    serve,
    watch,
)
from kbtool.cli.app import main

__all__ = ["main"]
