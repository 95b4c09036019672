"""The ``kbtool`` command line: one module per command, registered on :data:`main`."""

from __future__ import annotations

from kbtool.cli import check, fix_encoding, import_notes, init  # noqa: F401  (each registers)
from kbtool.cli.app import main

__all__ = ["main"]
