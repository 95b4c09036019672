"""The ``kbtool`` command line: one module per command, registered on :data:`main`."""

from __future__ import annotations

from kbtool.cli import check, enrich, init, links, new  # noqa: F401  (each module registers its command)
from kbtool.cli.app import main

__all__ = ["main"]
