"""The ``kbtool`` command line: one module per command, registered on :data:`main`."""

from __future__ import annotations

from kbtool.cli import bib, build, check, init, serve  # noqa: F401  (each registers its command)
from kbtool.cli.app import main

__all__ = ["main"]
